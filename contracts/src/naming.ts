/**
 * The naming rule (docs/ARCHITECTURE.md, "Names"): one prefix per kind of name. These are the
 * prefixes the code builds names from and the tests check names against.
 */

/** Every Prometheus metric the platform registers itself (prom-client's default metrics keep their standard names). */
export const METRIC_PREFIX = 'loanrisk_';

/** BullMQ's queue prefix and the first segment of every Redis key of our own: `loanrisk:<kind>:...`. */
export const REDIS_PREFIX = 'loanrisk';

/** A Redis key of our own: the prefix, then the parts, colon-separated. */
export function redisKey(...parts: readonly (string | number)[]): string {
  return [REDIS_PREFIX, ...parts].join(':');
}

/** Kubernetes objects the chart, the manifests and the operator name (and the chart itself). */
export const KUBERNETES_NAME = 'loan-risk';

/** The programs (log `name`, Event source, field manager, CLI bins): `loanrisk-<program>`. */
export const PROGRAM_PREFIX = 'loanrisk-';
