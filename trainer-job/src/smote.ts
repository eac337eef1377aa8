/**
 * SMOTE for the encoded training matrix of one fold (written here: no maintained JavaScript
 * implementation exists). Synthetic late loans are interpolated between a late loan and one of
 * its k nearest late neighbours. Numeric and rank columns interpolate (a missing value stays
 * the sample's own); a one-hot group is copied whole from either parent, as SMOTE-NC does.
 * Called on training folds only: validation rows never see synthetic neighbours.
 */
import type { EncodingPlan } from './encoding.js';

export interface SmoteOptions {
  /** Neighbours considered per minority row. */
  readonly k: number;
  /** Minority rows (real + synthetic) per majority row after oversampling. */
  readonly targetRatio: number;
}

export interface Oversampled {
  readonly data: Float32Array;
  readonly labels: Float32Array;
  readonly rows: number;
  readonly synthetic: number;
}

interface ColumnGroups {
  readonly continuous: number[];
  readonly oneHotGroups: number[][];
}

function columnGroups(plan: EncodingPlan): ColumnGroups {
  const continuous: number[] = [];
  const groups = new Map<string, number[]>();
  plan.columns.forEach((column, c) => {
    if (column.kind !== 'onehot') continuous.push(c);
    else groups.set(column.source, [...(groups.get(column.source) ?? []), c]);
  });
  return { continuous, oneHotGroups: [...groups.values()] };
}

function columnScales(
  data: Float32Array,
  width: number,
  rows: readonly number[],
  columns: readonly number[],
): Float64Array {
  const scale = new Float64Array(width).fill(1);
  for (const c of columns) {
    let n = 0;
    let sum = 0;
    let sq = 0;
    for (const r of rows) {
      const v = data[r * width + c];
      if (Number.isNaN(v)) continue;
      n += 1;
      sum += v;
      sq += v * v;
    }
    const variance = n > 1 ? (sq - (sum * sum) / n) / (n - 1) : 0;
    scale[c] = variance > 0 ? 1 / Math.sqrt(variance) : 1;
  }
  return scale;
}

/**
 * Minority rows packed for the neighbour search: scaled continuous values (NaN kept) and, per
 * one-hot group, the index of the hot column (-1 when none).
 */
function packMinority(
  data: Float32Array,
  width: number,
  minority: readonly number[],
  groups: ColumnGroups,
  scale: Float64Array,
) {
  const nc = groups.continuous.length;
  const ng = groups.oneHotGroups.length;
  const values = new Float64Array(minority.length * nc);
  const hot = new Int32Array(minority.length * ng);
  minority.forEach((row, i) => {
    groups.continuous.forEach((c, j) => {
      values[i * nc + j] = data[row * width + c] * scale[c];
    });
    groups.oneHotGroups.forEach((group, g) => {
      hot[i * ng + g] = group.findIndex((c) => data[row * width + c] === 1);
    });
  });
  return { values, hot, nc, ng };
}

/** k nearest minority neighbours of each minority row (indices into `minority`), brute force. */
function nearestNeighbours(
  data: Float32Array,
  width: number,
  minority: readonly number[],
  k: number,
  groups: ColumnGroups,
  scale: Float64Array,
): Int32Array[] {
  const { values, hot, nc, ng } = packMinority(data, width, minority, groups, scale);
  const m = minority.length;
  return minority.map((_, a) => {
    const bestIdx = new Int32Array(k).fill(-1);
    const bestDist = new Float64Array(k).fill(Infinity);
    for (let b = 0; b < m; b++) {
      if (b === a) continue;
      let d = 0;
      for (let j = 0; j < nc; j++) {
        const diff = values[a * nc + j] - values[b * nc + j];
        if (diff === diff) d += diff * diff; // NaN (a missing side) contributes nothing
      }
      for (let g = 0; g < ng; g++) if (hot[a * ng + g] !== hot[b * ng + g]) d += 1;
      if (d >= bestDist[k - 1]) continue;
      let pos = k - 1;
      while (pos > 0 && bestDist[pos - 1] > d) {
        bestDist[pos] = bestDist[pos - 1];
        bestIdx[pos] = bestIdx[pos - 1];
        pos -= 1;
      }
      bestDist[pos] = d;
      bestIdx[pos] = b;
    }
    return bestIdx;
  });
}

export function smote(
  data: Float32Array,
  labels: Float32Array,
  width: number,
  plan: EncodingPlan,
  options: SmoteOptions,
  rng: () => number,
): Oversampled {
  const rows = labels.length;
  const minority: number[] = [];
  for (let r = 0; r < rows; r++) if (labels[r] === 1) minority.push(r);
  const majority = rows - minority.length;
  const wanted = Math.max(0, Math.round(options.targetRatio * majority) - minority.length);
  if (wanted === 0 || minority.length < 2) return { data, labels, rows, synthetic: 0 };

  const groups = columnGroups(plan);
  const scale = columnScales(data, width, minority, groups.continuous);
  const neighbours = nearestNeighbours(data, width, minority, Math.min(options.k, minority.length - 1), groups, scale);
  const ordinal = new Set(plan.columns.flatMap((c, i) => (c.kind === 'ordinal' ? [i] : [])));

  const out = new Float32Array((rows + wanted) * width);
  out.set(data);
  const outLabels = new Float32Array(rows + wanted);
  outLabels.set(labels);
  for (let s = 0; s < wanted; s++) {
    const pick = Math.floor(rng() * minority.length);
    const a = minority[pick];
    const near = neighbours[pick];
    const b = minority[near[Math.floor(rng() * near.length)]];
    const gap = rng();
    const base = (rows + s) * width;
    for (const c of groups.continuous) {
      const x = data[a * width + c];
      const y = data[b * width + c];
      let v = Number.isNaN(x) || Number.isNaN(y) ? x : x + gap * (y - x);
      if (ordinal.has(c) && !Number.isNaN(v)) v = Math.round(v);
      out[base + c] = v;
    }
    for (const group of groups.oneHotGroups) {
      const parent = rng() < 0.5 ? a : b;
      for (const c of group) out[base + c] = data[parent * width + c];
    }
    outLabels[rows + s] = 1;
  }
  return { data: out, labels: outLabels, rows: rows + wanted, synthetic: wanted };
}
