/**
 * Open Inference Protocol v2 (the REST/JSON form KServe and Triton speak): health, server and
 * model metadata, and infer with one named input per feature. Inference goes through the same
 * validation and micro-batcher as /predict, so both answer the same probabilities. During a
 * canary a whole infer request goes to one version (its answer names one model_version): by the
 * `x-applicant-id` header when sent, else at random (the body's `id` is the request's, not an
 * applicant's); a path naming the live version is answered by it.
 */
import express, { Router, type Request, type RequestHandler } from 'express';
import { FEATURES, PROBABILITY_OUTPUT, type Feature, type LoanRecord } from '@peerloan/contracts';
import { RequestError } from './errors/request-error.js';
import type { LoadedModel } from './loaded-model.js';
import type { ModelStore } from './model-store.js';
import { predictions, scoreRecords, type Scoring } from './prediction.js';
import { auditDecisions } from './audit/audit-decisions.js';
import type { AuditTrail } from './audit/audit-trail.js';
import { completeRecord } from './request-validation.js';
import { decodeInferBody, encodeBinaryAnswer, HEADER_LENGTH, wantsBinaryOutput } from './oip-binary.js';
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

const NUMERIC_DATATYPES = new Set(['FP16', 'FP32', 'FP64', 'INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64']);

function datatypeOf(feature: Feature): 'BYTES' | 'FP32' {
  return feature.kind === 'categorical' ? 'BYTES' : 'FP32';
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

interface InferInput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly datatype: string;
  readonly data: readonly unknown[];
}

function fail(message: string): never {
  throw new RequestError(400, message);
}

/** Checks one input tensor against its feature and returns its values, one per row. */
function inputValues(input: Partial<InferInput>, feature: Feature): unknown[] {
  const { name, shape, datatype, data } = input;
  const typeOk = feature.kind === 'categorical' ? datatype === 'BYTES' : NUMERIC_DATATYPES.has(String(datatype));
  if (!typeOk) fail(`input ${name} must have datatype ${datatypeOf(feature)}, got ${JSON.stringify(datatype)}`);
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 2 || !shape.every((d) => Number.isInteger(d) && d >= 0) || (shape.length === 2 && shape[1] !== 1)) {
    fail(`input ${name} must have shape [N, 1], got ${JSON.stringify(shape)}`);
  }
  if (!Array.isArray(data)) fail(`input ${name} must have a data array`);
  // Clients send the tensor flat (row-major) or nested as [[v], [v], ...]; both are accepted.
  const values = (data as unknown[]).flat(2);
  if (values.length !== shape[0]) fail(`input ${name} has ${values.length} values for shape ${JSON.stringify(shape)}`);
  return values;
}

/** Tensors cannot hold null: a missing value arrives as "" (BYTES) or NaN (binary FP32). */
function missingAsNull(value: unknown): unknown {
  return value === '' || Number.isNaN(value) ? null : value;
}

function recordsOf(body: unknown, model: LoadedModel, maxInstances: number): LoanRecord[] {
  const inputs = (body as { inputs?: unknown } | null)?.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) fail('inputs must be a non-empty array of tensors');
  const columns = new Map<string, unknown[]>();
  for (const input of inputs as Partial<InferInput>[]) {
    const feature = FEATURES.find((f) => f.name === input?.name);
    if (!feature) fail(`unknown input ${JSON.stringify(input?.name)}; the inputs are ${FEATURES.map((f) => f.name).join(', ')}`);
    if (columns.has(feature.name)) fail(`input ${feature.name} is given twice`);
    columns.set(feature.name, inputValues(input, feature));
  }
  const rows = columns.values().next().value?.length ?? 0;
  if (rows === 0 || rows > maxInstances) fail(`the batch must have 1 to ${maxInstances} rows, got ${rows}`);
  for (const [name, values] of columns) {
    if (values.length !== rows) fail(`input ${name} has ${values.length} rows, the others ${rows}`);
  }
  const objects = Array.from({ length: rows }, (_, i) => Object.fromEntries([...columns].map(([name, values]) => [name, missingAsNull(values[i])])));
  const problems = objects.flatMap((value, i) => model.validator.check(value, `row ${i}: `));
  if (problems.length > 0) throw new RequestError(400, 'invalid input', problems);
  return objects.map((value) => completeRecord(value, model.validator.rules));
}

function checkRequestedOutputs(body: unknown): void {
  const outputs = (body as { outputs?: unknown } | null)?.outputs;
  if (outputs === undefined) return;
  if (!Array.isArray(outputs) || outputs.some((o) => (o as { name?: unknown } | null)?.name !== PROBABILITY_OUTPUT)) {
    fail(`the only output is ${PROBABILITY_OUTPUT}`);
  }
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
  next(new RequestError(415, 'send the infer request as application/json (or with binary tensors as application/octet-stream)'));
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
    if (version !== undefined && version !== model.version) throw new RequestError(404, `model ${name} version ${version} is not served; ${model.version} is`);
    return model;
  }

  router.get('/v2', (_req, res) => {
    res.json({ name: options.serverName, version: options.serverVersion, extensions: [] });
  });
  router.get('/v2/health/live', (_req, res) => {
    res.json({ live: true });
  });
  router.get('/v2/health/ready', (_req, res) => {
    const ready = store.current !== undefined && options.isAccepting();
    res.status(ready ? 200 : 503).json({ ready });
  });

  for (const base of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
    router.get(base, (req, res) => {
      res.json(modelMetadata(namedModel(req), modelName));
    });
    router.get(`${base}/ready`, (req, res) => {
      if (store.current === undefined && (req.params as { name: string }).name === modelName) {
        res.status(503).json({ name: modelName, ready: false });
        return;
      }
      namedModel(req);
      const ready = options.isAccepting();
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
      const [{ model: answered, scored: { probabilities } }] = groups;
      await auditDecisions(options.audit, res, 'oip', records, predictions(groups, records.length));
      const id = (request as { id?: unknown }).id;
      const header = { model_name: modelName, model_version: answered.version, ...(typeof id === 'string' ? { id } : {}) };
      if (wantsBinaryOutput(request)) {
        const { body, headerLength } = encodeBinaryAnswer(header, PROBABILITY_OUTPUT, probabilities);
        res.set(HEADER_LENGTH, String(headerLength)).type('application/octet-stream').send(body);
      } else {
        res.json({ ...header, outputs: [{ name: PROBABILITY_OUTPUT, datatype: 'FP32', shape: [records.length, 1], data: probabilities }] });
      }
      options.versions.afterAnswer(groups, res.locals.requestId as string);
    });
  }
  return router;
}
