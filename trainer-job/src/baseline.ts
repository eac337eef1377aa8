/**
 * The training distributions drift monitoring compares against: decile bins per numeric
 * feature and for the score, category shares per categorical feature.
 */
import { FEATURES, numericBin, type Histogram, type ManifestFeature } from '@peerloan/contracts';
import type { EncodingPlan } from './encoding.js';
import type { LoanTable } from './loan-table.js';

const BINS = 10;

function quantileEdges(sorted: Float64Array, bins: number): number[] {
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) {
    const edge = sorted[Math.min(sorted.length - 1, Math.floor((b * sorted.length) / bins))];
    if (edges.length === 0 || edge > edges[edges.length - 1]) edges.push(edge);
  }
  return edges;
}

export function numericHistogram(values: ArrayLike<number>): Histogram {
  const present = Float64Array.from(
    Array.prototype.filter.call(values, (v: number) => !Number.isNaN(v)) as number[],
  ).sort();
  const missingShare = values.length === 0 ? 0 : 1 - present.length / values.length;
  const edges = present.length > 0 ? quantileEdges(present, BINS) : [];
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of present) counts[numericBin(edges, v)] += 1;
  return { kind: 'numeric', edges, shares: counts.map((c) => c / values.length), missingShare };
}

export function categoricalHistogram(values: readonly (string | null)[], categories: readonly string[]): Histogram {
  const counts = new Map(categories.map((c) => [c, 0]));
  let missing = 0;
  let other = 0;
  for (const v of values) {
    if (v === null) missing += 1;
    else if (counts.has(v)) counts.set(v, (counts.get(v) ?? 0) + 1);
    else other += 1;
  }
  const n = Math.max(1, values.length);
  return {
    kind: 'categorical',
    categories,
    shares: categories.map((c) => (counts.get(c) ?? 0) / n),
    otherShare: other / n,
    missingShare: missing / n,
  };
}

export function featureBaselines(table: LoanTable, plan: EncodingPlan): Record<string, Histogram> {
  const out: Record<string, Histogram> = {};
  for (const f of FEATURES) {
    out[f.name] =
      f.kind === 'numeric'
        ? numericHistogram(table.numeric[f.name])
        : categoricalHistogram(table.categorical[f.name], plan.categories[f.name] ?? []);
  }
  return out;
}

function median(values: Float32Array): number | null {
  const present = Float64Array.from(
    Array.prototype.filter.call(values, (v: number) => !Number.isNaN(v)) as number[],
  ).sort();
  return present.length === 0 ? null : present[Math.floor(present.length / 2)];
}

function mode(values: readonly (string | null)[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) if (v !== null) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  for (const [v, n] of counts) if (best === null || n > (counts.get(best) ?? 0)) best = v;
  return best;
}

/** What the manifest says of each feature: kind, range or categories seen, reference value. */
export function describeFeatures(table: LoanTable, plan: EncodingPlan): ManifestFeature[] {
  return FEATURES.map((f) => {
    if (f.kind === 'numeric') {
      const values = table.numeric[f.name];
      let min = Infinity;
      let max = -Infinity;
      let missing = 0;
      for (const v of values) {
        if (Number.isNaN(v)) {
          missing += 1;
          continue;
        }
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
      return {
        name: f.name,
        kind: 'numeric',
        nullable: f.nullable,
        min,
        max,
        reference: median(values),
        missingShare: missing / table.rows,
      };
    }
    const values = table.categorical[f.name];
    const missing = values.filter((v) => v === null).length;
    return {
      name: f.name,
      kind: 'categorical',
      nullable: f.nullable,
      categories: plan.categories[f.name] ?? [],
      reference: mode(values),
      missingShare: missing / table.rows,
    };
  });
}
