/**
 * The Open Inference Protocol v2 operations, whatever carries them: REST (oip-routes.ts) and gRPC
 * (grpc/) both call these, so both answer the same metadata, readiness and probabilities. An infer
 * request arrives here in OIP's JSON shape (`{id, inputs: [{name, datatype, shape, data}],
 * outputs}`), whichever form its transport decoded it from; its rows are validated and completed
 * as /predict's are, drawn from the caller's row budget, scored (during a canary the whole request
 * goes to one version) and audited before the transport encodes the answer.
 */
import { FEATURES, PROBABILITY_OUTPUT, type LoanRecord } from '@peerloan/contracts';
import { completeRecord, RequestError, servingReadiness, type LoadedModel, type ModelStore } from '@peerloan/scoring';
import type { AuditTrail } from '@peerloan/scoring/queues';
import { recordDecisions } from './audit/audit-decisions.js';
import { checkRequestedOutputs, datatypeOf, inferRows, type InferAnswerHeader } from './oip-codec.js';
import { predictions, scoreRecords, type Scoring } from './prediction.js';
import type { ScoredGroup } from './rollout/serving-versions.js';

/** The server's name in OIP server metadata (REST `/v2`, gRPC ServerMetadata). */
export const OIP_SERVER_NAME = 'peerloan-loan-risk';

export interface OipOptions extends Scoring {
  readonly store: ModelStore;
  readonly modelName: string;
  readonly serverVersion: string;
  readonly maxInstances: number;
  /** False once the server is draining for shutdown. */
  readonly isAccepting: () => boolean;
  /** Where every decision is recorded (absent with AUDIT_MODE=off). */
  readonly audit?: AuditTrail;
}

/** Who sent an infer request, as its transport found out. */
export interface InferCaller {
  readonly requestId: string;
  /** The authenticated client (`anonymous` with authentication off), for the audit trail. */
  readonly clientId: string;
  /** Sticky canary routing: the caller's `x-applicant-id`, if any. */
  readonly applicantId: string | undefined;
  /** Draws the rows from the caller's row budget before they are scored (rejects when exhausted). */
  chargeRows(rows: number): Promise<void>;
}

export interface InferAnswer {
  readonly header: InferAnswerHeader;
  /** `probability` per row, in the request's order. */
  readonly probabilities: readonly number[];
  /** What each version answered: the transport hands them to shadow scoring once the answer is sent. */
  readonly groups: readonly ScoredGroup[];
}

export function serverMetadata(options: Pick<OipOptions, 'serverVersion'>) {
  return { name: OIP_SERVER_NAME, version: options.serverVersion, extensions: [] as string[] };
}

export function serverReady(options: Pick<OipOptions, 'store' | 'isAccepting'>): boolean {
  return servingReadiness(options.store, options.isAccepting).ready;
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

/** The model named, at the version named (if any: empty is none), or a 404. */
export function servedModel(
  options: Pick<OipOptions, 'store' | 'modelName'>,
  name: string,
  version?: string,
): LoadedModel {
  const { modelName } = options;
  const model = options.store.current;
  if (name !== modelName) throw new RequestError(404, `unknown model ${name}; this server serves ${modelName}`);
  if (!model) throw new RequestError(404, `model ${name} is not loaded yet`);
  if (version && version !== model.version)
    throw new RequestError(404, `model ${name} version ${version} is not served; ${model.version} is`);
  return model;
}

/** Whether the model named answers; our model not loaded yet is not ready, not unknown (404). */
export function modelReady(options: OipOptions, name: string, version?: string): boolean {
  if (options.store.current !== undefined || name !== options.modelName) servedModel(options, name, version);
  return serverReady(options);
}

/** The request's rows, each checked against the model's input rules and completed as /predict's are. */
function recordsOf(request: unknown, model: LoadedModel, maxInstances: number): LoanRecord[] {
  const objects = inferRows(request, maxInstances);
  const problems = objects.flatMap((value, i) => model.validator.check(value, `row ${i}: `));
  if (problems.length > 0) throw new RequestError(400, 'invalid input', problems);
  return objects.map((value) => completeRecord(value, model.validator.rules));
}

/**
 * Scores an infer request (OIP's JSON shape) on `model`. A request naming a version
 * (`versionNamed`) is answered by that version, never split by a canary.
 */
export async function infer(
  options: OipOptions,
  model: LoadedModel,
  request: unknown,
  versionNamed: boolean,
  caller: InferCaller,
): Promise<InferAnswer> {
  checkRequestedOutputs(request);
  const records = recordsOf(request, model, options.maxInstances);
  await caller.chargeRows(records.length);
  const toCandidate = versionNamed ? undefined : options.versions.routeWhole(records.length, caller.applicantId);
  const groups = await scoreRecords(options, model, records, toCandidate, false);
  // One version answered every row: the whole request was routed, and falls back, as one group.
  const [
    {
      model: answered,
      scored: { probabilities },
    },
  ] = groups;
  await recordDecisions(
    options.audit,
    caller.requestId,
    caller.clientId,
    'oip',
    records,
    predictions(groups, records.length),
  );
  const id = (request as { id?: unknown }).id;
  const header: InferAnswerHeader = {
    model_name: options.modelName,
    model_version: answered.version,
    id: typeof id === 'string' ? id : undefined,
  };
  return { header, probabilities, groups };
}
