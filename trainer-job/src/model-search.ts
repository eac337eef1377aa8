/**
 * Stratified k-fold cross-validated search over the parameter grid and imbalance strategies,
 * with early stopping on each validation fold. The winner (best mean ROC AUC) is refitted on
 * all rows for the mean of its folds' best round counts.
 */
import type { ImbalanceStrategy, MetricSummary, SearchCandidate } from '@peerloan/contracts';
import { encodeTable, type EncodingPlan } from './encoding.js';
import { stratifiedFolds, type Fold } from './folds.js';
import type { LoanTable } from './loan-table.js';
import { meanAndStd } from './evaluation.js';
import { mulberry32 } from './random.js';
import { smote } from './smote.js';
import type { ParameterGrid, TrainingConfig } from './training-config.js';
import { Booster } from './xgboost/booster.js';
import { DMatrix } from './xgboost/dmatrix.js';

export type GridPoint = Readonly<Record<keyof ParameterGrid, number>>;

export interface CandidateResult extends SearchCandidate {
  /** Out-of-fold margins (log-odds) of every row, from the fold that held it out. */
  readonly oofMargins: Float32Array;
}

export interface SearchProgress {
  readonly done: number;
  readonly total: number;
  readonly strategy: ImbalanceStrategy;
  readonly params: GridPoint;
  readonly fold: number;
  readonly rocAuc: number;
}

export interface SearchResult {
  readonly best: CandidateResult;
  readonly candidates: readonly CandidateResult[];
}

function combinations(grid: ParameterGrid): GridPoint[] {
  let points: Record<string, number>[] = [{}];
  for (const [name, values] of Object.entries(grid) as [string, readonly number[]][]) {
    points = points.flatMap((p) => values.map((v) => ({ ...p, [name]: v })));
  }
  return points as GridPoint[];
}

/** Every combination of each grid, in order, a point two grids share searched once. */
export function gridPoints(grids: readonly ParameterGrid[]): GridPoint[] {
  const seen = new Map<string, GridPoint>();
  for (const point of grids.flatMap(combinations)) {
    const key = JSON.stringify(Object.entries(point).sort(([a], [b]) => a.localeCompare(b)));
    if (!seen.has(key)) seen.set(key, point);
  }
  return [...seen.values()];
}

/**
 * The late share the trees start from: the training matrix's own (weighted) positive share.
 * Starting at 0.5, as XGBoost 1.7 does by default, spends the first trees learning the intercept,
 * and fold models that stop early then disagree on scale.
 */
export function baseScore(
  config: TrainingConfig,
  strategy: ImbalanceStrategy,
  table: { positives: number; rows: number },
): number {
  if (strategy === 'scale_pos_weight') return 0.5;
  if (strategy === 'smote') return config.smote.targetRatio / (1 + config.smote.targetRatio);
  return table.positives / table.rows;
}

/** XGBoost's monotone_constraints for the encoded columns, or undefined when nothing is constrained. */
export function monotoneConstraints(config: TrainingConfig, plan: EncodingPlan): string | undefined {
  const directions = plan.columns.map((c) => (c.kind === 'onehot' ? 0 : (config.monotone[c.source] ?? 0)));
  return directions.some((d) => d !== 0) ? `(${directions.join(',')})` : undefined;
}

export function boosterParams(
  config: TrainingConfig,
  plan: EncodingPlan,
  point: GridPoint,
  strategy: ImbalanceStrategy,
  table: { positives: number; rows: number },
) {
  const params: Record<string, string | number> = {
    objective: 'binary:logistic',
    eval_metric: 'auc',
    tree_method: 'hist',
    base_score: baseScore(config, strategy, table),
    seed: config.seed,
    nthread: config.threads,
    verbosity: 0,
    ...point,
  };
  if (strategy === 'scale_pos_weight') params.scale_pos_weight = (table.rows - table.positives) / table.positives;
  const monotone = monotoneConstraints(config, plan);
  if (monotone) params.monotone_constraints = monotone;
  return params;
}

interface FoldData {
  readonly train: DMatrix;
  readonly valid: DMatrix;
  readonly fold: Fold;
}

function labelsOf(table: LoanTable, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = table.labels[rows[i]];
  return out;
}

/** Training matrix for a strategy: SMOTE adds synthetic late loans, the others use rows as they are. */
export function trainingMatrix(
  table: LoanTable,
  plan: EncodingPlan,
  rows: ArrayLike<number>,
  strategy: ImbalanceStrategy,
  config: TrainingConfig,
  seed: number,
): DMatrix {
  const width = plan.columns.length;
  const data = encodeTable(table, plan, rows);
  const labels = labelsOf(table, rows);
  if (strategy !== 'smote') return new DMatrix(data, rows.length, width, labels);
  const over = smote(data, labels, width, plan, config.smote, mulberry32(seed));
  return new DMatrix(over.data, over.rows, width, over.labels);
}

export function prepareFolds(
  table: LoanTable,
  plan: EncodingPlan,
  folds: readonly Fold[],
  strategy: ImbalanceStrategy,
  config: TrainingConfig,
): FoldData[] {
  return folds.map((fold, i) => ({
    fold,
    train: trainingMatrix(table, plan, fold.train, strategy, config, config.seed + i),
    valid: new DMatrix(
      encodeTable(table, plan, fold.valid),
      fold.valid.length,
      plan.columns.length,
      labelsOf(table, fold.valid),
    ),
  }));
}

/** Trains on one fold with early stopping; returns the best round count, its AUC and margins. */
function fitFold(data: FoldData, params: Record<string, string | number>, config: TrainingConfig) {
  const booster = new Booster([data.train, data.valid], params);
  try {
    let bestAuc = -Infinity;
    let bestRounds = 0;
    for (let round = 0; round < config.maxRounds; round++) {
      booster.updateOneIter(round, data.train);
      const auc = booster.evaluate(round, data.valid).auc;
      if (auc > bestAuc) {
        bestAuc = auc;
        bestRounds = round + 1;
      } else if (round + 1 - bestRounds >= config.earlyStoppingRounds) {
        break;
      }
    }
    return { rocAuc: bestAuc, bestRounds, margins: booster.predict(data.valid, { rounds: bestRounds, margin: true }) };
  } finally {
    booster.dispose();
  }
}

function summary(values: readonly number[]): MetricSummary {
  return { ...meanAndStd(values), folds: values };
}

export function searchModels(
  table: LoanTable,
  plan: EncodingPlan,
  config: TrainingConfig,
  onProgress: (p: SearchProgress) => void,
): SearchResult {
  const folds = stratifiedFolds(table.labels, config.folds, config.seed);
  const points = gridPoints(config.grid);
  const total = points.length * config.imbalance.length * folds.length;
  const candidates: CandidateResult[] = [];
  let done = 0;
  for (const strategy of config.imbalance) {
    const foldData = prepareFolds(table, plan, folds, strategy, config);
    try {
      for (const point of points) {
        const params = boosterParams(config, plan, point, strategy, table);
        const oofMargins = new Float32Array(table.rows);
        const aucs: number[] = [];
        const rounds: number[] = [];
        foldData.forEach((data, fold) => {
          const fit = fitFold(data, params, config);
          data.fold.valid.forEach((row, j) => {
            oofMargins[row] = fit.margins[j];
          });
          aucs.push(fit.rocAuc);
          rounds.push(fit.bestRounds);
          done += 1;
          onProgress({ done, total, strategy, params: point, fold, rocAuc: fit.rocAuc });
        });
        const bestRounds = Math.max(1, Math.round(meanAndStd(rounds).mean));
        candidates.push({ strategy, params: point, rocAuc: summary(aucs), bestRounds, oofMargins });
      }
    } finally {
      for (const d of foldData) {
        d.train.dispose();
        d.valid.dispose();
      }
    }
  }
  const best = candidates.reduce((a, b) => (b.rocAuc.mean > a.rocAuc.mean ? b : a));
  return { best, candidates };
}

/** Refits the chosen candidate on every row; the caller owns (and disposes) the booster. */
export function refit(table: LoanTable, plan: EncodingPlan, config: TrainingConfig, best: SearchCandidate): Booster {
  const all = Uint32Array.from({ length: table.rows }, (_, i) => i);
  const train = trainingMatrix(table, plan, all, best.strategy, config, config.seed + config.folds);
  try {
    const booster = new Booster([train], boosterParams(config, plan, best.params, best.strategy, table));
    for (let round = 0; round < best.bestRounds; round++) booster.updateOneIter(round, train);
    return booster;
  } finally {
    train.dispose();
  }
}
