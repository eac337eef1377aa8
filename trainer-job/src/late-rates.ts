/**
 * The observed late rate per feature bin on the training rows: deciles of each number (the
 * baseline's edges) plus "missing", each category of the others. The report shows it beside the
 * monotone constraints, so a reader sees why a feature is constrained or left free (e.g. the
 * lowest dti decile, or revol_util missing, late more often than their neighbours).
 */
import { emptyCounts, FEATURES, slotOf, type Histogram } from '@peerloan/contracts';
import type { LoanTable } from './loan-table.js';

export interface LateRateBin {
  readonly label: string;
  readonly rows: number;
  readonly late: number;
}

function slotLabels(h: Histogram): string[] {
  const fmt = (x: number) => Number(x.toPrecision(4)).toString();
  const bins =
    h.kind === 'categorical'
      ? [...h.categories]
      : Array.from({ length: h.edges.length + 1 }, (_, i) =>
          i === 0
            ? `< ${fmt(h.edges[0])}`
            : i === h.edges.length
              ? `>= ${fmt(h.edges[i - 1])}`
              : `${fmt(h.edges[i - 1])} to < ${fmt(h.edges[i])}`,
        );
  if (h.kind === 'numeric' && h.edges.length === 0) bins[0] = 'all';
  return [...bins, 'other', 'missing'];
}

export function lateRatesByBin(
  table: LoanTable,
  baselines: Readonly<Record<string, Histogram>>,
): Record<string, LateRateBin[]> {
  const out: Record<string, LateRateBin[]> = {};
  for (const f of FEATURES) {
    const h = baselines[f.name];
    const rows = emptyCounts(h);
    const late = emptyCounts(h);
    const values = f.kind === 'numeric' ? table.numeric[f.name] : table.categorical[f.name];
    for (let i = 0; i < table.rows; i++) {
      const slot = slotOf(h, values[i]);
      rows[slot] += 1;
      late[slot] += table.labels[i];
    }
    const labels = slotLabels(h);
    out[f.name] = labels.map((label, i) => ({ label, rows: rows[i], late: late[i] })).filter((b) => b.rows > 0);
  }
  return out;
}
