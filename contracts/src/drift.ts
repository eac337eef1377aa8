/**
 * Population stability index against a manifest baseline histogram. The trainer writes the
 * baselines (manifest.baseline); the drift worker bins live values with the same edges here.
 */
import type { Histogram } from './manifest.js';

/** Keeps empty bins from making PSI infinite (the usual 1e-4 floor). */
const SHARE_FLOOR = 1e-4;

/** Index of the numeric bin holding x: bin i covers [edges[i-1], edges[i]). */
export function numericBin(edges: readonly number[], x: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (x < edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Counts per slot of a histogram: its bins (or categories), then "other", then "missing". */
export function emptyCounts(h: Histogram): number[] {
  const bins = h.kind === 'numeric' ? h.edges.length + 1 : h.categories.length;
  return new Array<number>(bins + 2).fill(0);
}

/** Slot of one value in `emptyCounts(h)`. */
export function slotOf(h: Histogram, value: number | string | null | undefined): number {
  const bins = h.kind === 'numeric' ? h.edges.length + 1 : h.categories.length;
  if (value === null || value === undefined || (typeof value === 'number' && Number.isNaN(value))) return bins + 1;
  if (h.kind === 'numeric') return typeof value === 'number' ? numericBin(h.edges, value) : bins;
  const index = h.categories.indexOf(String(value));
  return index >= 0 ? index : bins;
}

function baselineShares(h: Histogram): number[] {
  const other = h.kind === 'categorical' ? h.otherShare : 0;
  return [...h.shares, other, h.missingShare];
}

/** PSI = sum over slots of (actual - expected) * ln(actual / expected). */
export function psi(h: Histogram, counts: readonly number[]): number {
  return psiOfShares(baselineShares(h), counts);
}

/** PSI of two histograms of counts over the same slots, e.g. a candidate's scores against the live model's. */
export function psiOfCounts(expected: readonly number[], actual: readonly number[]): number {
  const total = expected.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  return psiOfShares(
    expected.map((c) => c / total),
    actual,
  );
}

function psiOfShares(expected: readonly number[], counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  let sum = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i], SHARE_FLOOR);
    const a = Math.max((counts[i] ?? 0) / total, SHARE_FLOOR);
    sum += (a - e) * Math.log(a / e);
  }
  return sum;
}
