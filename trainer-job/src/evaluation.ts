/**
 * Model evaluation: classification metrics (ROC AUC, PR AUC, Brier, log loss, confusion counts)
 * on scores in [0,1] and 0/1 labels; ties are handled as sklearn does. (Not Prometheus metrics.)
 */

/** Indices sorted by descending score. */
function byScoreDesc(scores: ArrayLike<number>): Uint32Array {
  const idx = new Uint32Array(scores.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  return idx.sort((a, b) => scores[b] - scores[a]);
}

function countPositives(labels: ArrayLike<number>): number {
  let p = 0;
  for (let i = 0; i < labels.length; i++) p += labels[i];
  return p;
}

/** One point per distinct score, descending: cumulative true and false positives. */
export function thresholdSweep(scores: ArrayLike<number>, labels: ArrayLike<number>) {
  const order = byScoreDesc(scores);
  const thresholds: number[] = [];
  const tp: number[] = [];
  const fp: number[] = [];
  let t = 0;
  let f = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k];
    if (labels[i]) t += 1;
    else f += 1;
    const next = order.at(k + 1);
    if (next === undefined || scores[next] !== scores[i]) {
      thresholds.push(scores[i]);
      tp.push(t);
      fp.push(f);
    }
  }
  return { thresholds, tp, fp, positives: t, negatives: f };
}

export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const { tp, fp, positives, negatives } = thresholdSweep(scores, labels);
  if (positives === 0 || negatives === 0) return Number.NaN;
  let area = 0;
  let prevTp = 0;
  let prevFp = 0;
  for (let k = 0; k < tp.length; k++) {
    area += ((fp[k] - prevFp) * (tp[k] + prevTp)) / 2;
    prevTp = tp[k];
    prevFp = fp[k];
  }
  return area / (positives * negatives);
}

/** Average precision: sum over thresholds of (recall step) x precision. */
export function prAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const { tp, fp, positives } = thresholdSweep(scores, labels);
  if (positives === 0) return Number.NaN;
  let ap = 0;
  let prevRecall = 0;
  for (let k = 0; k < tp.length; k++) {
    const recall = tp[k] / positives;
    ap += (recall - prevRecall) * (tp[k] / (tp[k] + fp[k]));
    prevRecall = recall;
  }
  return ap;
}

export function brier(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += (probabilities[i] - labels[i]) ** 2;
  return sum / labels.length;
}

export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  const eps = 1e-15;
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, probabilities[i]));
    sum -= labels[i] ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

export interface ConfusionAt {
  readonly precision: number;
  readonly recall: number;
  readonly flagRate: number;
}

/** Flagging rows with score >= threshold. */
export function confusionAt(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold: number): ConfusionAt {
  let tp = 0;
  let flagged = 0;
  for (let i = 0; i < labels.length; i++) {
    if (scores[i] >= threshold) {
      flagged += 1;
      tp += labels[i];
    }
  }
  const positives = countPositives(labels);
  return {
    precision: flagged === 0 ? 0 : tp / flagged,
    recall: positives === 0 ? 0 : tp / positives,
    flagRate: flagged / labels.length,
  };
}

export function meanAndStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}
