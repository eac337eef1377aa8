/**
 * What the drift monitor measures by. With a LoanRiskModel: its spec.drift (threshold, and a
 * window that is a duration), read again at every use so a spec change needs no restart; the
 * worker's DRIFT_WINDOW_EVENTS is then the fewest rows a window must hold for its PSI. Without
 * one (local development): DRIFT_THRESHOLD and a window of DRIFT_WINDOW_EVENTS predictions.
 */
import { DRIFT_DEFAULTS, parseDuration, type DriftSpec } from '@peerloan/contracts';

/** A window closes after a count of rows, or after a length of time. */
export type DriftWindowRule =
  | { readonly kind: 'events'; readonly events: number }
  | { readonly kind: 'time'; readonly ms: number; readonly minEvents: number };

export interface DriftSettings {
  /** PSI above this is a breach (0.2 is the usual "significant shift"). */
  readonly threshold: number;
  readonly window: DriftWindowRule;
}

/** The shortest time window: the schema admits `0s`, which would close a window per row read. */
export const MIN_WINDOW_MS = 1000;

export function envDriftSettings(threshold: number, windowEvents: number): DriftSettings {
  return { threshold, window: { kind: 'events', events: windowEvents } };
}

/** spec.drift, its defaults (DRIFT_DEFAULTS) for what is not set. */
export function specDriftSettings(drift: DriftSpec | undefined, minEvents: number): DriftSettings {
  const ms = Math.max(parseDuration(drift?.window ?? DRIFT_DEFAULTS.window), MIN_WINDOW_MS);
  return { threshold: drift?.threshold ?? DRIFT_DEFAULTS.threshold, window: { kind: 'time', ms, minEvents } };
}
