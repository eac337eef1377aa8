/** Whether a process should get traffic (or work) now, and why not: what every /readyz answers from. */
export interface Readiness {
  readonly ready: boolean;
  /** Why it is not ready; undefined when it is. */
  readonly reason?: string;
  /** What a probe's answer shows beside the verdict (e.g. the model version served). */
  readonly details?: Readonly<Record<string, string | number | boolean | null>>;
}

/** The JSON body of a /readyz answer: `{status: 'ready' | 'waiting', reason?, ...details}`. */
export function readinessBody(readiness: Readiness): Record<string, unknown> {
  return {
    status: readiness.ready ? 'ready' : 'waiting',
    ...(readiness.reason === undefined ? {} : { reason: readiness.reason }),
    ...readiness.details,
  };
}
