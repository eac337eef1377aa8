/**
 * 95% intervals by a stratified, seeded bootstrap: each resample draws as many late loans from
 * the late ones and as many on-time loans from the on-time ones as the sample has, with
 * replacement, so every resample keeps the late share (at 2% late a plain resample would swing
 * it). A resample is a weight (draw count) per row, and the rows are sorted by score once, so
 * each metric is one pass over the rows per resample instead of a sort.
 */
import type { Interval } from '@peerloan/contracts';
import { mulberry32 } from './random.js';

export interface BootstrapOptions {
  readonly resamples: number;
  readonly seed: number;
}

/** Rows sorted by descending score, with the boundaries of runs of equal scores (ties). */
export class ScoredSample {
  readonly scores: Float64Array;
  readonly labels: Uint8Array;
  /** Index in sorted order where each run of equal scores ends (exclusive). */
  readonly groupEnds: Uint32Array;
  /** The original row at each sorted position. */
  readonly order: Uint32Array;

  constructor(scores: ArrayLike<number>, labels: ArrayLike<number>) {
    const order = Uint32Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
    this.order = order;
    this.scores = Float64Array.from(order, (i) => scores[i]);
    this.labels = Uint8Array.from(order, (i) => (labels[i] ? 1 : 0));
    const ends: number[] = [];
    for (let k = 0; k < order.length; k++) {
      if (k + 1 === order.length || this.scores[k + 1] !== this.scores[k]) ends.push(k + 1);
    }
    this.groupEnds = Uint32Array.from(ends);
  }

  get rows(): number {
    return this.scores.length;
  }
}

/** A metric of a sample under per-row weights (all ones: the sample itself). */
export type WeightedMetric = (sample: ScoredSample, weights: Float64Array) => number;

export const weightedRocAuc: WeightedMetric = (s, w) => {
  let tp = 0;
  let fp = 0;
  let area = 0;
  let start = 0;
  for (const end of s.groupEnds) {
    let gtp = 0;
    let gfp = 0;
    for (let k = start; k < end; k++) {
      if (s.labels[k]) gtp += w[k];
      else gfp += w[k];
    }
    area += (gfp * (tp + tp + gtp)) / 2;
    tp += gtp;
    fp += gfp;
    start = end;
  }
  return tp === 0 || fp === 0 ? Number.NaN : area / (tp * fp);
};

/** Average precision, as metrics.ts's prAuc. */
export const weightedPrAuc: WeightedMetric = (s, w) => {
  let positives = 0;
  for (let k = 0; k < s.rows; k++) if (s.labels[k]) positives += w[k];
  if (positives === 0) return Number.NaN;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  let start = 0;
  for (const end of s.groupEnds) {
    const before = tp;
    for (let k = start; k < end; k++) {
      if (s.labels[k]) tp += w[k];
      else fp += w[k];
    }
    if (tp + fp > 0) ap += ((tp - before) / positives) * (tp / (tp + fp));
    start = end;
  }
  return ap;
};

export const weightedBrier: WeightedMetric = (s, w) => {
  let sum = 0;
  let total = 0;
  for (let k = 0; k < s.rows; k++) {
    sum += w[k] * (s.scores[k] - s.labels[k]) ** 2;
    total += w[k];
  }
  return sum / total;
};

export const weightedLogLoss: WeightedMetric = (s, w) => {
  const eps = 1e-15;
  let sum = 0;
  let total = 0;
  for (let k = 0; k < s.rows; k++) {
    const p = Math.min(1 - eps, Math.max(eps, s.scores[k]));
    sum -= w[k] * (s.labels[k] ? Math.log(p) : Math.log(1 - p));
    total += w[k];
  }
  return sum / total;
};

/** Share of flagged loans (score >= threshold) that are late. */
export const precisionAt =
  (threshold: number): WeightedMetric =>
  (s, w) => {
    let flagged = 0;
    let tp = 0;
    for (let k = 0; k < s.rows && s.scores[k] >= threshold; k++) {
      flagged += w[k];
      tp += s.labels[k] * w[k];
    }
    return flagged === 0 ? 0 : tp / flagged;
  };

/** Share of late loans flagged (score >= threshold). */
export const recallAt =
  (threshold: number): WeightedMetric =>
  (s, w) => {
    let positives = 0;
    let tp = 0;
    for (let k = 0; k < s.rows; k++) {
      if (!s.labels[k]) continue;
      positives += w[k];
      if (s.scores[k] >= threshold) tp += w[k];
    }
    return positives === 0 ? 0 : tp / positives;
  };

/** Linear interpolation between order statistics (numpy's default). */
function quantile(sorted: Float64Array, q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** Each metric's value on the sample and its 95% percentile interval over the resamples. */
export function bootstrapIntervals<K extends string>(
  sample: ScoredSample,
  metrics: Readonly<Record<K, WeightedMetric>>,
  options: BootstrapOptions,
): Record<K, Interval> {
  const names = Object.keys(metrics) as K[];
  const ones = new Float64Array(sample.rows).fill(1);
  const byClass: number[][] = [[], []];
  for (let k = 0; k < sample.rows; k++) byClass[sample.labels[k]].push(k);
  const draws = names.map(() => new Float64Array(options.resamples));
  const rng = mulberry32(options.seed);
  const weights = new Float64Array(sample.rows);
  for (let r = 0; r < options.resamples; r++) {
    weights.fill(0);
    for (const members of byClass) {
      for (let j = 0; j < members.length; j++) weights[members[Math.floor(rng() * members.length)]] += 1;
    }
    names.forEach((name, m) => {
      draws[m][r] = metrics[name](sample, weights);
    });
  }
  const out = {} as Record<K, Interval>;
  names.forEach((name, m) => {
    const sorted = draws[m].filter((v) => !Number.isNaN(v)).sort();
    const value = metrics[name](sample, ones);
    out[name] =
      sorted.length === 0
        ? { value, low: Number.NaN, high: Number.NaN }
        : { value, low: quantile(sorted, 0.025), high: quantile(sorted, 0.975) };
  });
  return out;
}

/**
 * A metric's difference between two models scored on the same rows (a minus b), with the 95%
 * interval of a paired bootstrap: each resample draws the same rows (stratified) for both, so
 * what the two share (the rows' difficulty) cancels and the interval is that of the difference.
 */
export function pairedDifference(
  labels: ArrayLike<number>,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  metric: WeightedMetric,
  options: BootstrapOptions,
): { a: number; b: number; difference: Interval } {
  const sa = new ScoredSample(a, labels);
  const sb = new ScoredSample(b, labels);
  const rows = labels.length;
  const byClass: number[][] = [[], []];
  for (let i = 0; i < rows; i++) byClass[labels[i] ? 1 : 0].push(i);
  const rng = mulberry32(options.seed);
  const drawn = new Float64Array(rows);
  const wa = new Float64Array(rows);
  const wb = new Float64Array(rows);
  const draws = new Float64Array(options.resamples);
  for (let r = 0; r < options.resamples; r++) {
    drawn.fill(0);
    for (const members of byClass) {
      for (let j = 0; j < members.length; j++) drawn[members[Math.floor(rng() * members.length)]] += 1;
    }
    for (let k = 0; k < rows; k++) {
      wa[k] = drawn[sa.order[k]];
      wb[k] = drawn[sb.order[k]];
    }
    draws[r] = metric(sa, wa) - metric(sb, wb);
  }
  const ones = new Float64Array(rows).fill(1);
  const valueA = metric(sa, ones);
  const valueB = metric(sb, ones);
  const sorted = draws.filter((v) => !Number.isNaN(v)).sort();
  const difference =
    sorted.length === 0
      ? { value: valueA - valueB, low: Number.NaN, high: Number.NaN }
      : { value: valueA - valueB, low: quantile(sorted, 0.025), high: quantile(sorted, 0.975) };
  return { a: valueA, b: valueB, difference };
}
