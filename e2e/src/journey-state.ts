/**
 * What the journey's steps hand to each other, and the LoanRiskModel reads and changes they share.
 */
import type { Condition, LoanRiskModel } from '@peerloan/contracts';
import { kubectl, kubectlJson } from './commands.js';
import { StepOrderError } from './errors/step-order-error.js';

export interface Journey {
  readonly namespace: string;
  readonly release: string;
  readonly model: string;
  /** Host name of the model's Ingress (sent as the Host header to 127.0.0.1:18080). */
  readonly host: string;
  readonly imageTag: string;
  /** Nodes of the local cluster: 2 adds the multi-node steps (`npm run e2e -- --nodes 2`). */
  readonly nodes: 1 | 2;
  liveVersion?: string;
  /** Steps that failed: later steps that need them are skipped rather than failed again. */
  readonly failed: Set<string>;
  /** Durations worth reporting (seconds; a name with "rows/s" holds a rate), printed at the end. */
  readonly timings: Map<string, number>;
}

/** The live version the training step found; steps that compare against it run after that one. */
export function liveVersionOf(journey: Journey): string {
  if (journey.liveVersion === undefined)
    throw new StepOrderError('no live version yet: this step needs the training step to have run and passed');
  return journey.liveVersion;
}

export async function getModel(journey: Journey): Promise<LoanRiskModel> {
  return kubectlJson<LoanRiskModel>(['-n', journey.namespace, 'get', 'loanriskmodel', journey.model]);
}

/** A JSON patch (RFC 6902): what removes a field, which a merge patch cannot. */
export type JsonPatch = readonly { op: string; path: string; value?: unknown }[];

/**
 * Changes the journey's LoanRiskModel as a user does, with `kubectl patch`: an object is a JSON
 * merge patch (e.g. `{spec: {drift: {window: '15s'}}}`), an array a JSON patch.
 */
export async function patchModel(journey: Journey, patch: object | JsonPatch): Promise<void> {
  const type = Array.isArray(patch) ? 'json' : 'merge';
  await kubectl([
    '-n',
    journey.namespace,
    'patch',
    'loanriskmodel',
    journey.model,
    '--type',
    type,
    '-p',
    JSON.stringify(patch),
  ]);
}

/** Waits until the model's API Deployment has rolled out its current pod template on every replica. */
export async function waitRolledOut(journey: Journey, seconds = 300): Promise<void> {
  await kubectl([
    '-n',
    journey.namespace,
    'rollout',
    'status',
    `deployment/${journey.model}-api`,
    `--timeout=${seconds}s`,
  ]);
}

export function condition(model: LoanRiskModel, type: string): Condition | undefined {
  return model.status?.conditions?.find((c) => c.type === type);
}

/** Ready=True for the current generation, with a live version. */
export function readyVersion(model: LoanRiskModel): string | undefined {
  const ready = condition(model, 'Ready');
  const current = model.status?.observedGeneration === model.metadata.generation;
  return ready?.status === 'True' && current ? model.status?.liveVersion : undefined;
}

export function describeStatus(model: LoanRiskModel): string {
  const conditions = (model.status?.conditions ?? []).map((c) => `${c.type}=${c.status}(${c.reason})`).join(' ');
  return `phase=${model.status?.phase} live=${model.status?.liveVersion} ${conditions}`;
}
