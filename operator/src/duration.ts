import { ConfigError } from './errors/config-error.js';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

/** "1h30m" -> milliseconds; the CRD's pattern admits only s, m and h parts. */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+)([smh])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new ConfigError(`"${text}" is not a duration such as 30m or 1h30m`);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit], 0);
}
