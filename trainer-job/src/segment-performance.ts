/**
 * Performance per segment (each grade, purpose and home_ownership value) for the model card:
 * rows, late loans, observed vs mean predicted late rate, ROC AUC within the segment, and recall
 * and flag rate at the threshold. A segment with fewer than MIN_SEGMENT_LATE late loans is
 * flagged: its AUC and recall say little (one late loan moves recall by a tenth at ten).
 */
import type { SegmentPerformance } from '@peerloan/contracts';
import type { LoanTable } from './loan-table.js';
import { rocAuc } from './evaluation.js';

export const SEGMENT_FEATURES = ['grade', 'purpose', 'home_ownership'] as const;
export const MIN_SEGMENT_LATE = 30;

function rowsByValue(values: readonly (string | null)[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  values.forEach((v, i) => {
    const key = v ?? '(missing)';
    const rows = groups.get(key) ?? [];
    rows.push(i);
    groups.set(key, rows);
  });
  return groups;
}

function oneSegment(
  value: string,
  rows: readonly number[],
  table: LoanTable,
  scores: ArrayLike<number>,
  threshold: number,
): SegmentPerformance {
  const labels = rows.map((r) => table.labels[r]);
  const segmentScores = rows.map((r) => scores[r]);
  const late = labels.reduce((a, b) => a + b, 0);
  const flagged = segmentScores.filter((s) => s >= threshold).length;
  const caught = rows.filter((r) => table.labels[r] && scores[r] >= threshold).length;
  return {
    value,
    rows: rows.length,
    late,
    lateRate: late / rows.length,
    meanPredicted: segmentScores.reduce((a, b) => a + b, 0) / rows.length,
    rocAuc: late > 0 && late < rows.length ? rocAuc(segmentScores, labels) : null,
    recall: late > 0 ? caught / late : null,
    flagRate: flagged / rows.length,
    tooFewLate: late < MIN_SEGMENT_LATE,
  };
}

/** Segments of each feature, largest first. */
export function segmentPerformance(
  table: LoanTable,
  scores: ArrayLike<number>,
  threshold: number,
): Record<string, SegmentPerformance[]> {
  const out: Record<string, SegmentPerformance[]> = {};
  for (const feature of SEGMENT_FEATURES) {
    out[feature] = [...rowsByValue(table.categorical[feature])]
      .map(([value, rows]) => oneSegment(value, rows, table, scores, threshold))
      .sort((a, b) => b.rows - a.rows);
  }
  return out;
}
