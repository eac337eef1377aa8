/**
 * Open Inference Protocol v2 (the REST/JSON form KServe and Triton speak): health, server and
 * model metadata, and infer with one named input per feature. Inference goes through the same
 * validation and micro-batcher as /predict, so both answer the same probabilities. During a
 * canary a whole infer request goes to one version (its answer names one model_version): by the
 * `x-applicant-id` header when sent, else at random (the body's `id` is the request's, not an
 * applicant's); a path naming the live version is answered by it. Tensors are decoded and
 * encoded by oip-codec.ts; this file is the routes.
 */
import express, { Router, type Request, type RequestHandler } from 'express';
import { FEATURES, PROBABILITY_OUTPUT, type LoanRecord } from '@peerloan/contracts';
import { completeRecord, RequestError, servingReadiness, type LoadedModel, type ModelStore } from '@peerloan/scoring';
import { predictions, scoreRecords, type Scoring } from './prediction.js';
import { auditDecisions } from './audit/audit-decisions.js';
import type { AuditTrail } from '@peerloan/scoring/queues';
import {
  checkRequestedOutputs,
  datatypeOf,
  decodeInferBody,
  encodeBinaryAnswer,
  HEADER_LENGTH,
  inferRows,
  jsonInferAnswer,
  wantsBinaryOutput,
  type InferAnswerHeader,
} from './oip-codec.js';
import { headerApplicantId } from './rollout/applicant-id.js';
import { chargeRows } from './rate-limit/client-budgets.js';

export interface OipOptions extends Scoring {
  readonly store: ModelStore;
  readonly modelName: string;
  readonly serverName: string;
  readonly serverVersion: string;
  readonly maxInstances: number;
  readonly bodyLimit: string;
  /** False once the server is draining for shutdown. */
  readonly isAccepting: () => boolean;
  /** Where every decision is recorded (absent with AUDIT_MODE=off). */
  readonly audit?: AuditTrail;
}

export function modelMetadata(model: LoadedModel, modelName: string) {
  return {
    name: modelName,
    versions: [model.version],
    platform: 'onnxruntime_onnx',
    inputs: FEATURES.map((f) => ({ name: f.name, datatype: datatypeOf(f), shape: [-1, 1] })),
    outputs: [{ name: PROBABILITY_OUTPUT, datatype: 'FP32', shape: [-1, 1] }],
  };
}

/** The request's rows, each checked against the model's input rules and completed as /predict's are. */
function recordsOf(request: unknown, model: LoadedModel, maxInstances: number): LoanRecord[] {
  const objects = inferRows(request, maxInstances);
  const problems = objects.flatMap((value, i) => model.validator.check(value, `row ${i}: `));
  if (problems.length > 0) throw new RequestError(400, 'invalid input', problems);
  return objects.map((value) => completeRecord(value, model.validator.rules));
}

/**
 * Infer bodies are JSON, or JSON plus binary tensors. Triton's client sends no Content-Type at
 * all, so an absent one is accepted; anything else that is neither is refused.
 */
const acceptInferBody: RequestHandler = (req, _res, next) => {
  const type = req.headers['content-type'];
  if (type === undefined || req.is(['application/json', 'application/octet-stream'])) {
    next();
    return;
  }
  next(
    new RequestError(
      415,
      'send the infer request as application/json (or with binary tensors as application/octet-stream)',
    ),
  );
};

/** The infer request: parsed already when sent as application/json, else decoded from the raw body. */
function inferRequest(req: Request): unknown {
  if (!Buffer.isBuffer(req.body)) return req.body;
  return decodeInferBody(req.body, req.get(HEADER_LENGTH));
}

export function oipRoutes(options: OipOptions): Router {
  const { store, modelName } = options;
  const router = Router();
  // Bodies the JSON parser left alone (no or binary Content-Type) arrive as bytes.
  const readRawBody = express.raw({ type: () => true, limit: options.bodyLimit });

  /** The model named in the path, at the version named (if any), or a 404. */
  function namedModel(req: Request): LoadedModel {
    const { name, version } = req.params as { name: string; version?: string };
    const model = store.current;
    if (name !== modelName) throw new RequestError(404, `unknown model ${name}; this server serves ${modelName}`);
    if (!model) throw new RequestError(404, `model ${name} is not loaded yet`);
    if (version !== undefined && version !== model.version)
      throw new RequestError(404, `model ${name} version ${version} is not served; ${model.version} is`);
    return model;
  }

  router.get('/v2', (_req, res) => {
    res.json({ name: options.serverName, version: options.serverVersion, extensions: [] });
  });
  router.get('/v2/health/live', (_req, res) => {
    res.json({ live: true });
  });
  router.get('/v2/health/ready', (_req, res) => {
    const { ready } = servingReadiness(store, options.isAccepting);
    res.status(ready ? 200 : 503).json({ ready });
  });

  for (const base of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
    router.get(base, (req, res) => {
      res.json(modelMetadata(namedModel(req), modelName));
    });
    router.get(`${base}/ready`, (req, res) => {
      // Our model not loaded yet is not ready (503), not unknown (404).
      if (store.current !== undefined || (req.params as { name: string }).name !== modelName) namedModel(req);
      const { ready } = servingReadiness(store, options.isAccepting);
      res.status(ready ? 200 : 503).json({ name: modelName, ready });
    });
    router.post(`${base}/infer`, acceptInferBody, readRawBody, async (req, res) => {
      const model = namedModel(req);
      const request = inferRequest(req);
      checkRequestedOutputs(request);
      const records = recordsOf(request, model, options.maxInstances);
      await chargeRows(res, records.length);
      // A request naming a version in its path is answered by that version, never split.
      const named = (req.params as { version?: string }).version !== undefined;
      const toCandidate = named ? undefined : options.versions.routeWhole(records.length, headerApplicantId(req));
      const groups = await scoreRecords(options, model, records, toCandidate, false);
      // One version answered every row: the whole request was routed, and falls back, as one group.
      const [
        {
          model: answered,
          scored: { probabilities },
        },
      ] = groups;
      await auditDecisions(options.audit, res, 'oip', records, predictions(groups, records.length));
      const id = (request as { id?: unknown }).id;
      const header: InferAnswerHeader = {
        model_name: modelName,
        model_version: answered.version,
        id: typeof id === 'string' ? id : undefined,
      };
      if (wantsBinaryOutput(request)) {
        const { body, headerLength } = encodeBinaryAnswer(header, PROBABILITY_OUTPUT, probabilities);
        res.set(HEADER_LENGTH, String(headerLength)).type('application/octet-stream').send(body);
      } else {
        res.json(jsonInferAnswer(header, probabilities));
      }
      options.versions.afterAnswer(groups, res.locals.requestId as string);
    });
  }
  return router;
}
