/**
 * Scoring as the HTTP routes need it: the live model is taken once per request (validation and the
 * answer stay on it even if a swap happens meanwhile), the serving versions score the rows (a
 * canary's share on the candidate), and the metrics and prediction log hear about every row under
 * the version that answered it.
 */
import type { LoanRecord } from '@peerloan/contracts';
import { NoModelError } from './errors/no-model-error.js';
import type { Reason } from './explanations.js';
import type { LoadedModel } from './loaded-model.js';
import type { Metrics } from './metrics.js';
import type { ModelStore } from './model-store.js';
import type { PredictionLog } from './queueing/prediction-log.js';
import type { ScoredGroup, ServingVersions } from './rollout/serving-versions.js';

/** Who hears about every scored row: the metrics, and the prediction log when Redis is configured. */
export interface ScoreObservers {
  readonly metrics: Metrics;
  readonly predictionLog?: PredictionLog;
}

/** What scoring a request needs: the versions that may answer and who hears about it. */
export interface Scoring extends ScoreObservers {
  readonly versions: ServingVersions;
}

export interface Prediction {
  readonly probability: number;
  /** "yes" when probability >= threshold: the loan is likely to be late. */
  readonly decision: 'yes' | 'no';
  readonly threshold: number;
  readonly modelVersion: string;
  readonly reasons?: readonly Reason[];
}

export function servingModel(store: ModelStore): LoadedModel {
  const model = store.current;
  if (!model) throw new NoModelError();
  return model;
}

/**
 * Scores validated records: `toCandidate` says per row whether a canary's candidate answers it
 * (undefined: the live model answers all). One group per version that answered.
 */
export async function scoreRecords(
  scoring: Scoring,
  live: LoadedModel,
  records: readonly LoanRecord[],
  toCandidate: readonly boolean[] | undefined,
  explain: boolean,
): Promise<ScoredGroup[]> {
  const groups = await scoring.versions.score(live, records, toCandidate, explain);
  for (const group of groups) {
    scoring.metrics.recordScores(group.scored.probabilities, group.model.threshold);
    scoring.predictionLog?.record(group.model.version, group.records, group.scored.probabilities);
  }
  return groups;
}

/** The answers of scored groups, in the request's row order. */
export function predictions(groups: readonly ScoredGroup[], rowCount: number): Prediction[] {
  const answers = new Array<Prediction>(rowCount);
  for (const { model, rows, scored } of groups) {
    const { reasons } = scored;
    rows.forEach((row, j) => {
      const probability = scored.probabilities[j];
      const decision = probability >= model.threshold ? 'yes' : 'no';
      // Two literal shapes rather than a spread per row: a 1,000-row answer builds 1,000 of these.
      answers[row] = reasons
        ? { probability, decision, threshold: model.threshold, modelVersion: model.version, reasons: reasons[j] }
        : { probability, decision, threshold: model.threshold, modelVersion: model.version };
    });
  }
  return answers;
}
