/**
 * Scoring as the HTTP routes need it: take the serving model once (the request finishes on it
 * even if a swap happens meanwhile), score, and record the metrics.
 */
import type { LoanRecord } from '@peerloan/contracts';
import { NoModelError } from './errors/no-model-error.js';
import type { Reason } from './explanations.js';
import type { LoadedModel } from './loaded-model.js';
import type { Metrics } from './metrics.js';
import type { ModelStore } from './model-store.js';
import type { PredictionLog } from './queueing/prediction-log.js';

/** Who hears about every scored row: the metrics, and the prediction log when Redis is configured. */
export interface ScoreObservers {
  readonly metrics: Metrics;
  readonly predictionLog?: PredictionLog;
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

export async function scoreRecords(model: LoadedModel, observers: ScoreObservers, records: readonly LoanRecord[], explain: boolean) {
  const scored = await model.score(records, explain);
  observers.metrics.recordScores(scored.probabilities, model.threshold);
  observers.predictionLog?.record(model.version, records, scored.probabilities);
  return scored;
}

export async function predict(model: LoadedModel, observers: ScoreObservers, records: readonly LoanRecord[], explain: boolean): Promise<Prediction[]> {
  const { probabilities, reasons } = await scoreRecords(model, observers, records, explain);
  return probabilities.map((probability, i) => ({
    probability,
    decision: probability >= model.threshold ? 'yes' : 'no',
    threshold: model.threshold,
    modelVersion: model.version,
    ...(reasons ? { reasons: reasons[i] } : {}),
  }));
}
