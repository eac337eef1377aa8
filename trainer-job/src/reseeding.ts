/**
 * Stability under reseeding: the chosen candidate cross-validated again with other seeds (folds,
 * subsampling, SMOTE and XGBoost's own randomness all move), each run calibrated and thresholded
 * by the same policy. How far its CV AUC moves, and the share of applicants whose decision
 * (flagged or not, on their out-of-fold score) differs from the default seed's, say how much of
 * a model's number and of its decisions is the seed.
 */
import type { ReseedingStability } from '@peerloan/contracts';
import { applyPlatt, calibrate } from './calibration.js';
import type { EncodingPlan } from './encoding.js';
import type { LoanTable } from './loan-table.js';
import { meanAndStd } from './evaluation.js';
import { searchModels, type CandidateResult, type GridPoint } from './model-search.js';
import { chooseThreshold } from './threshold.js';
import type { ParameterGrid, TrainingConfig } from './training-config.js';

/** The chosen candidate's out-of-fold decisions (score >= threshold) under the default seed. */
export interface DefaultRun {
  readonly best: CandidateResult;
  readonly flagged: ArrayLike<boolean>;
}

/** A grid holding the one point. */
function gridOf(point: GridPoint): ParameterGrid {
  return {
    max_depth: [point.max_depth],
    eta: [point.eta],
    min_child_weight: [point.min_child_weight],
    subsample: [point.subsample],
    colsample_bytree: [point.colsample_bytree],
  };
}

export function reseedingStability(
  table: LoanTable,
  plan: EncodingPlan,
  config: TrainingConfig,
  run: DefaultRun,
  onSeed: (seed: number) => void,
): ReseedingStability {
  const seeds = Array.from({ length: config.stabilitySeeds }, (_, k) => config.seed + k);
  const rocAuc = [run.best.rocAuc.mean];
  const flipShare = [0];
  const flippedAny = new Uint8Array(table.rows);
  for (const seed of seeds.slice(1)) {
    onSeed(seed);
    const again = searchModels(
      table,
      plan,
      { ...config, seed, grid: [gridOf(run.best.params)], imbalance: [run.best.strategy] },
      () => {},
    ).best;
    const { calibration } = calibrate(again.oofMargins, table.labels, config.expectedLateRate);
    const scores = applyPlatt(calibration, again.oofMargins);
    const threshold = chooseThreshold(scores, table.labels, config.threshold).value;
    let flips = 0;
    for (let i = 0; i < table.rows; i++) {
      if (scores[i] >= threshold === run.flagged[i]) continue;
      flips += 1;
      flippedAny[i] = 1;
    }
    rocAuc.push(again.rocAuc.mean);
    flipShare.push(flips / table.rows);
  }
  const anyFlips = flippedAny.reduce((a, b) => a + b, 0);
  let flaggedByDefault = 0;
  for (let i = 0; i < table.rows; i++) if (run.flagged[i]) flaggedByDefault += 1;
  return {
    seeds,
    rocAuc,
    rocAucSpread: { ...meanAndStd(rocAuc), min: Math.min(...rocAuc), max: Math.max(...rocAuc) },
    flipShare,
    anyFlipShare: anyFlips / table.rows,
    flaggedByDefaultShare: flaggedByDefault / table.rows,
  };
}
