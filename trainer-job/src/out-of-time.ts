/**
 * Out-of-time validation: the chosen model, already selected by cross-validation on the
 * training period, scored once on a later labelled period. Discrimination (ROC AUC, PR AUC),
 * Brier score and precision/recall at the threshold with bootstrap intervals; calibration in
 * the large, slope and binned error; and how far each feature moved between the periods (PSI).
 */
import { emptyCounts, FEATURES, psi, slotOf, type Histogram, type OutOfTimeMetrics } from '@peerloan/contracts';
import {
  bootstrapIntervals,
  precisionAt,
  recallAt,
  ScoredSample,
  weightedBrier,
  weightedPrAuc,
  weightedRocAuc,
  type BootstrapOptions,
} from './bootstrap.js';
import { calibrationCheck } from './calibration.js';
import type { LoanTable } from './loan-table.js';
import { confusionAt } from './evaluation.js';

export interface OutOfTimeInput {
  readonly table: LoanTable;
  readonly sha256: string;
  /** The served (calibrated) probabilities of the table's rows. */
  readonly scores: Float64Array;
  readonly threshold: number;
  /** The training period's distributions (manifest.baseline). */
  readonly baseline: { readonly features: Readonly<Record<string, Histogram>>; readonly score: Histogram };
  readonly bootstrap: BootstrapOptions;
}

function featurePsi(
  table: LoanTable,
  baseline: OutOfTimeInput['baseline'],
  scores: Float64Array,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of FEATURES) {
    const h = baseline.features[f.name];
    const counts = emptyCounts(h);
    const values = f.kind === 'numeric' ? table.numeric[f.name] : table.categorical[f.name];
    for (let i = 0; i < table.rows; i++) counts[slotOf(h, values[i])] += 1;
    out[f.name] = psi(h, counts);
  }
  const scoreCounts = emptyCounts(baseline.score);
  for (const s of scores) scoreCounts[slotOf(baseline.score, s)] += 1;
  out.score = psi(baseline.score, scoreCounts);
  return out;
}

export function outOfTimeMetrics(input: OutOfTimeInput): OutOfTimeMetrics {
  const { table, scores, threshold } = input;
  const sample = new ScoredSample(scores, table.labels);
  const intervals = bootstrapIntervals(
    sample,
    {
      rocAuc: weightedRocAuc,
      prAuc: weightedPrAuc,
      brier: weightedBrier,
      precision: precisionAt(threshold),
      recall: recallAt(threshold),
    },
    input.bootstrap,
  );
  return {
    rows: table.rows,
    positives: table.positives,
    sha256: input.sha256,
    rocAuc: intervals.rocAuc,
    prAuc: intervals.prAuc,
    brier: intervals.brier,
    calibration: calibrationCheck(scores, table.labels),
    atThreshold: {
      precision: intervals.precision,
      recall: intervals.recall,
      flagRate: confusionAt(scores, table.labels, threshold).flagRate,
    },
    psi: featurePsi(table, input.baseline, scores),
    bootstrap: input.bootstrap,
  };
}
