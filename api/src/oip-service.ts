/**
 * The Open Inference Protocol v2 operations, whatever carries them: REST (oip-routes.ts) and gRPC
 * (grpc/) both call these, so both answer the same metadata, readiness and probabilities. An infer
 * request arrives here in OIP's JSON shape (`{id, inputs: [{name, datatype, shape, data}],
 * outputs}`), whichever form its transport decoded it from; its tensors are validated by the rules
 * /predict's rows are (a column at a time), drawn from the caller's row budget, scored (during a
 * canary the whole request goes to one version; the columns go straight into the model's dense
 * input, with no object per row) and audited before the transport encodes the answer.
 */
import { FEATURES, PROBABILITY_OUTPUT } from '@peerloan/contracts';
import {
  RequestError,
  servingReadiness,
  validColumnRows,
  type LoadedModel,
  type ModelStore,
  type RowBatch,
} from '@peerloan/scoring';
import type { AuditTrail } from '@peerloan/scoring/queues';
import { recordDecisions } from './audit/audit-decisions.js';
import { checkRequestedOutputs, datatypeOf, inferColumns, type InferAnswerHeader } from './oip-codec.js';
import { predictions, scoreRows, type Scoring } from './prediction.js';
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

/** The request's rows, checked against the model's input rules as /predict's are (a 400 naming each bad value). */
function rowsOf(request: unknown, model: LoadedModel, maxInstances: number): RowBatch {
  const { columns, rows } = inferColumns(request, maxInstances);
  return validColumnRows(columns, rows, model.validator);
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
  const rows = rowsOf(request, model, options.maxInstances);
  await caller.chargeRows(rows.length);
  const toCandidate = versionNamed ? undefined : options.versions.routeWhole(rows.length, caller.applicantId);
  const groups = await scoreRows(options, model, rows, toCandidate, false);
  // One version answered every row: the whole request was routed, and falls back, as one group.
  const [
    {
      model: answered,
      scored: { probabilities },
    },
  ] = groups;
  // The records and answer objects are made only for the audit trail.
  if (options.audit)
    await recordDecisions(
      options.audit,
      caller.requestId,
      caller.clientId,
      'oip',
      rows.records(),
      predictions(groups, rows.length),
    );
  const id = (request as { id?: unknown }).id;
  const header: InferAnswerHeader = {
    model_name: options.modelName,
    model_version: answered.version,
    id: typeof id === 'string' ? id : undefined,
  };
  return { header, probabilities, groups };
}
