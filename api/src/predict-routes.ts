/**
 * POST /predict: one applicant object -> one prediction; `{"instances": [...]}` -> `{"predictions":
 * [...]}` in order. Explanations ("reasons") are on unless `?explain=false`. During a canary each
 * applicant is routed by its id: for one applicant the `x-applicant-id` header, else its `id`
 * field (the contract's order); in `instances` each row's own `id`, else the header.
 */
import { Router, type Request } from 'express';
import type { LoanRecord } from '@peerloan/contracts';
import { completeRecord, recordRows, RequestError, type FieldProblem, type LoadedModel } from '@peerloan/scoring';
import { predictions, predictionsJson, scoreRows, type Scoring } from './prediction.js';
import { requireJson } from './http-errors.js';
import { auditDecisions } from './audit/audit-decisions.js';
import type { AuditTrail } from '@peerloan/scoring/queues';
import { fieldApplicantId, headerApplicantId } from './rollout/applicant-id.js';
import { chargeRows } from './rate-limit/client-budgets.js';

export interface PredictRouteOptions extends Scoring {
  readonly maxInstances: number;
  /** Where every decision is recorded (absent with AUDIT_MODE=off). */
  readonly audit?: AuditTrail;
}

/**
 * `?explain=` read from the URL here rather than from Express's req.query, whose getter parses
 * the query into a new null-prototype object on every access: under one-row load those objects
 * were most of what V8 promoted to the old generation (0.57 -> 0.20 MB/s at 14,900 req/s), and
 * every mark-compact that promotion brings is a stall in the latency tail.
 */
function explainWanted(req: Request): boolean {
  const mark = req.url.indexOf('?');
  if (mark === -1) return true;
  const values = new URLSearchParams(req.url.slice(mark + 1)).getAll('explain');
  if (values.length === 0) return true;
  const value = values.length === 1 ? values[0] : undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new RequestError(400, 'invalid query', [{ field: 'explain', message: 'must be true or false' }]);
}

function validRecords(model: LoadedModel, values: readonly unknown[], prefix: (i: number) => string): LoanRecord[] {
  const { validator } = model;
  const records = new Array<LoanRecord>(values.length);
  const problems: FieldProblem[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i];
    // A row's problems (and its field prefix) are built only when it has some: most rows of a batch have none.
    if (validator.accepts(value)) records[i] = completeRecord(value, validator.rules);
    else problems.push(...validator.check(value, prefix(i)));
  }
  if (problems.length > 0) throw new RequestError(400, 'invalid input', problems);
  return records;
}

function instancesOf(body: Record<string, unknown>, maxInstances: number): unknown[] {
  const problems: FieldProblem[] = Object.keys(body)
    .filter((key) => key !== 'instances')
    .map((field) => ({ field, message: 'is not allowed beside instances' }));
  const { instances } = body;
  if (!Array.isArray(instances) || instances.length === 0 || instances.length > maxInstances) {
    problems.push({ field: 'instances', message: `must be an array of 1 to ${maxInstances} applicant objects` });
  }
  if (problems.length > 0) throw new RequestError(400, 'invalid input', problems);
  return instances as unknown[];
}

export function predictRoutes(options: PredictRouteOptions): Router {
  const { versions, maxInstances } = options;
  const router = Router();
  router.post('/predict', requireJson, async (req, res) => {
    const explain = explainWanted(req);
    const body: unknown = req.body;
    const live = versions.live();
    const isBatch = typeof body === 'object' && body !== null && !Array.isArray(body) && 'instances' in body;
    const values = isBatch ? instancesOf(body, maxInstances) : [body];
    const records = validRecords(live, values, isBatch ? (i) => `instances[${i}].` : () => '');
    await chargeRows(res, records.length);
    const header = headerApplicantId(req);
    const toCandidate = versions.route(
      values.length,
      isBatch ? (i) => fieldApplicantId(values[i]) ?? header : () => header ?? fieldApplicantId(body),
    );
    const groups = await scoreRows(options, live, recordRows(records), toCandidate, explain);
    if (isBatch) {
      // The answer's objects are built only for the audit trail; the JSON is written without them.
      if (options.audit)
        await auditDecisions(options.audit, res, 'instances', records, predictions(groups, records.length));
      res.type('application/json').send(`{"predictions":${predictionsJson(groups, records.length)}}`);
    } else {
      const answers = predictions(groups, 1);
      await auditDecisions(options.audit, res, 'predict', records, answers);
      res.json(answers[0]);
    }
    versions.afterAnswer(groups, res.locals.requestId as string);
  });
  return router;
}
