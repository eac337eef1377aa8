/**
 * Durations of the LoanRiskModel (drift.window, drift.cooldown): whole seconds, minutes and hours,
 * e.g. 45s, 15m, 1h30m. The CRD's pattern and the parser are the same language.
 */
import { DurationError } from './errors/duration-error.js';

export const DURATION_PATTERN = '^([0-9]+(s|m|h))+$';

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

/** "1h30m" -> milliseconds. */
export function parseDuration(text: string): number {
  if (!new RegExp(DURATION_PATTERN).test(text))
    throw new DurationError(`"${text}" is not a duration such as 30m or 1h30m`);
  return [...text.matchAll(/(\d+)([smh])/g)].reduce((sum, [, n, unit]) => sum + Number(n) * UNIT_MS[unit], 0);
}
