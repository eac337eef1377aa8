/**
 * Per-client budgets from the environment: requests and rows per window. Both are off unless
 * set (local development); they need REDIS_URL, where the counters live so that every replica
 * draws on the same budget.
 */
import { RATE_LIMIT_ENV } from '@peerloan/contracts';
import { ConfigError, readInteger, readText, type Settings } from '@peerloan/contracts/runtime';

export interface RateLimitSettings {
  /** Requests one client may make to the protected routes per window (undefined: no limit). */
  readonly requests: number | undefined;
  /** Rows one client may have scored per window: /predict instances, OIP infer rows, batch rows. */
  readonly rows: number | undefined;
  readonly windowSeconds: number;
}

/** A budget: unset or 0 is no limit. */
function budget(env: Settings, name: string): number | undefined {
  const value = readInteger(env, name, 0, { min: 0, max: 1_000_000_000 });
  return value === 0 ? undefined : value;
}

export function readRateLimitSettings(env: Settings): RateLimitSettings | undefined {
  const requests = budget(env, RATE_LIMIT_ENV.requests);
  const rows = budget(env, RATE_LIMIT_ENV.rows);
  if (requests === undefined && rows === undefined) return undefined;
  // The budgets are shared by all replicas through Redis.
  if (readText(env, 'REDIS_URL') === undefined)
    throw new ConfigError(
      'REDIS_URL',
      `set when ${RATE_LIMIT_ENV.requests} or ${RATE_LIMIT_ENV.rows} is (the budgets live in Redis)`,
    );
  const windowSeconds = readInteger(env, RATE_LIMIT_ENV.windowSeconds, 60, { min: 1, max: 86_400 });
  return { requests, rows, windowSeconds };
}
