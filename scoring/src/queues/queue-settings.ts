/**
 * The settings the API and the workers read the same way for the Redis they share: REDIS_URL
 * (with REDIS_PASSWORD) and the audit trail's mode. A bad value stops the start with the variable
 * named rather than running with a guess.
 */
import { ConfigError, readChoice, readInteger, readText, type Settings } from '@peerloan/contracts/runtime';
import type { AuditMode } from './audit-trail.js';

export const REDIS_URL_FORM = 'a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379)';

/**
 * REDIS_URL with REDIS_PASSWORD (the chart's generated Secret) as its password; a URL that
 * already carries a password keeps it. Undefined without REDIS_URL.
 */
export function redisUrlOf(env: Settings): string | undefined {
  const text = readText(env, 'REDIS_URL');
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError('REDIS_URL', REDIS_URL_FORM, text);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new ConfigError('REDIS_URL', REDIS_URL_FORM, text);
  const password = readText(env, 'REDIS_PASSWORD');
  if (password === undefined || url.password) return text;
  url.password = encodeURIComponent(password);
  return url.toString();
}

/** AUDIT_MODE defaults to best-effort with Redis and off without; required without Redis cannot serve. */
export function auditSettings(env: Settings): { auditMode: AuditMode; auditDedupSeconds: number } {
  const redis = readText(env, 'REDIS_URL') !== undefined;
  const mode = readChoice(env, 'AUDIT_MODE', AUDIT_MODES, redis ? 'best-effort' : 'off');
  if (mode !== 'off' && !redis)
    throw new ConfigError('AUDIT_MODE', 'off without REDIS_URL (the audit stream lives in Redis)', mode);
  return {
    auditMode: mode,
    auditDedupSeconds: readInteger(env, 'AUDIT_DEDUP_SECONDS', 3600, { min: 1, max: 30 * 86_400 }),
  };
}

const AUDIT_MODES: readonly AuditMode[] = ['off', 'best-effort', 'required'];
