/**
 * How loan fields become the numeric columns the trees see. The same plan drives the trainer's
 * matrix and the ONNX graph's preprocessing, so the two cannot disagree.
 *  - numeric features pass through (NaN = missing, routed by XGBoost's learned default);
 *  - ordered categories (grade, emp_length) become their rank, unknown -> missing;
 *  - other categories are one-hot over the categories seen in training, unknown -> all zeros.
 */
import { FEATURES, type CategoricalFeature } from '@peerloan/contracts';
import type { LoanTable } from './loan-table.js';

export type EncodedColumn =
  | { readonly name: string; readonly source: string; readonly kind: 'numeric' }
  | { readonly name: string; readonly source: string; readonly kind: 'ordinal'; readonly order: readonly string[] }
  | { readonly name: string; readonly source: string; readonly kind: 'onehot'; readonly category: string };

export interface EncodingPlan {
  readonly columns: readonly EncodedColumn[];
  /** Per categorical feature: the categories seen in training (one-hot order). */
  readonly categories: Readonly<Record<string, readonly string[]>>;
}

function seenCategories(values: readonly (string | null)[]): string[] {
  const seen = new Set<string>();
  for (const v of values) if (v !== null) seen.add(v);
  return [...seen].sort();
}

function categoricalColumns(feature: CategoricalFeature, seen: readonly string[]): EncodedColumn[] {
  if (feature.ordinal) {
    return [{ name: `${feature.name}#rank`, source: feature.name, kind: 'ordinal', order: feature.ordinal }];
  }
  return seen.map((category) => ({
    name: `${feature.name}=${category}`,
    source: feature.name,
    kind: 'onehot',
    category,
  }));
}

export function planEncoding(table: LoanTable): EncodingPlan {
  const columns: EncodedColumn[] = [];
  const categories: Record<string, string[]> = {};
  for (const feature of FEATURES) {
    if (feature.kind === 'numeric') {
      columns.push({ name: feature.name, source: feature.name, kind: 'numeric' });
      continue;
    }
    const seen = seenCategories(table.categorical[feature.name]);
    categories[feature.name] = feature.ordinal ? feature.ordinal.filter((c) => seen.includes(c)) : seen;
    columns.push(...categoricalColumns(feature, categories[feature.name]));
  }
  return { columns, categories };
}

/** Row-major float32 matrix of `table` under `plan`, optionally only the rows in `rowIndex`. */
export function encodeTable(table: LoanTable, plan: EncodingPlan, rowIndex?: ArrayLike<number>): Float32Array {
  const n = rowIndex ? rowIndex.length : table.rows;
  const width = plan.columns.length;
  const out = new Float32Array(n * width);
  plan.columns.forEach((column, c) => {
    const fill = columnFiller(table, column);
    for (let r = 0; r < n; r++) out[r * width + c] = fill(rowIndex ? rowIndex[r] : r);
  });
  return out;
}

function columnFiller(table: LoanTable, column: EncodedColumn): (row: number) => number {
  if (column.kind === 'numeric') {
    const values = table.numeric[column.source];
    return (row) => values[row];
  }
  const values = table.categorical[column.source];
  if (column.kind === 'onehot') return (row) => (values[row] === column.category ? 1 : 0);
  const rank = new Map(column.order.map((c, i) => [c, i]));
  return (row) => {
    const v = values[row];
    return v === null ? Number.NaN : (rank.get(v) ?? Number.NaN);
  };
}
