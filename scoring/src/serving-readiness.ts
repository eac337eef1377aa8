/**
 * Whether this API or worker process serves, and why not: a live model loaded and the process
 * not draining. /readyz, the OIP readiness routes and the workers' /readyz all answer from it.
 */
import type { Readiness } from '@peerloan/contracts/runtime';
import type { ModelStore } from './model-store.js';

export interface ServingReadiness extends Readiness {
  /** The live model's version; undefined before one is loaded. */
  readonly modelVersion: string | undefined;
  /** False once SIGTERM has started the drain, so no new traffic is routed here. */
  readonly accepting: boolean;
}

export function servingReadiness(store: Pick<ModelStore, 'current'>, isAccepting: () => boolean): ServingReadiness {
  const modelVersion = store.current?.version;
  const accepting = isAccepting();
  if (modelVersion === undefined)
    return { ready: false, reason: 'no model version to serve yet', modelVersion, accepting };
  if (!accepting) return { ready: false, reason: 'draining', modelVersion, accepting, details: { modelVersion } };
  return { ready: true, modelVersion, accepting, details: { modelVersion } };
}
