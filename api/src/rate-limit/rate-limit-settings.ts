/**
 * Per-client budgets from the environment: requests and rows per window. Both are off unless
 * set (local development); they need REDIS_URL, where the counters live so that every replica
 * draws on the same budget.
 */
import { RATE_LIMIT_ENV } from '@peerloan/contracts';
import { ConfigError } from '../errors/config-error.js';

export interface RateLimitSettings {
  /** Requests one client may make to the protected routes per window (undefined: no limit). */
  readonly requests: number | undefined;
  /** Rows one client may have scored per window: /predict instances, OIP infer rows, batch rows. */
  readonly rows: number | undefined;
  readonly windowSeconds: number;
}

type Env = Readonly<Record<string, string | undefined>>;

function budget(env: Env, name: string): number | undefined {
  const text = env[name];
  if (text === undefined || text === '' || text === '0') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1)
    throw new ConfigError(`${name} must be a positive whole number (0 or unset: no limit), got "${text}"`);
  return value;
}

export function readRateLimitSettings(env: Env): RateLimitSettings | undefined {
  const requests = budget(env, RATE_LIMIT_ENV.requests);
  const rows = budget(env, RATE_LIMIT_ENV.rows);
  if (requests === undefined && rows === undefined) return undefined;
  if (!env.REDIS_URL)
    throw new ConfigError(
      'RATE_LIMIT_REQUESTS and RATE_LIMIT_ROWS need REDIS_URL: the budgets are shared by all replicas through Redis',
    );
  const windowText = env[RATE_LIMIT_ENV.windowSeconds] || '60';
  const windowSeconds = Number(windowText);
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1 || windowSeconds > 86_400) {
    throw new ConfigError(`RATE_LIMIT_WINDOW_SECONDS must be a whole number from 1 to 86400, got "${windowText}"`);
  }
  return { requests, rows, windowSeconds };
}
