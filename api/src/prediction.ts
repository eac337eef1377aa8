/**
 * Scoring as the HTTP routes need it: the live model is taken once per request (validation and the
 * answer stay on it even if a swap happens meanwhile), the serving versions score the rows (a
 * canary's share on the candidate), and the metrics and prediction log hear about every row under
 * the version that answered it.
 */
import type { Prediction } from '@peerloan/contracts';
import type { LoadedModel, RowBatch } from '@peerloan/scoring';
import type { Metrics } from './metrics.js';
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

export type { Prediction };

/**
 * Scores validated rows: `toCandidate` says per row whether a canary's candidate answers it
 * (undefined: the live model answers all). One group per version that answered.
 */
export async function scoreRows(
  scoring: Scoring,
  live: LoadedModel,
  rows: RowBatch,
  toCandidate: readonly boolean[] | undefined,
  explain: boolean,
): Promise<ScoredGroup[]> {
  const groups = await scoring.versions.score(live, rows, toCandidate, explain);
  for (const group of groups) {
    scoring.metrics.recordScores(group.scored.probabilities, group.model.threshold);
    scoring.predictionLog?.record(group.model.version, group.input, group.scored.probabilities);
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

/** A number as JSON.stringify writes it (a non-finite one is null). */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/** `"name":`: a field of the contract's Prediction, its name checked by the compiler. */
const field = (name: keyof Prediction) => `${JSON.stringify(name)}:`;
const PROBABILITY = `{${field('probability')}`;
const REASONS = `,${field('reasons')}`;

/**
 * The fields one version's answers share, given the decision: its threshold and version as the
 * contract's fields (a field added to Prediction fails to compile here, before predictionsJson's
 * byte test), written once per group rather than per row.
 */
function sharedFields(model: ScoredGroup['model'], decision: Prediction['decision']): string {
  const shared = { decision, threshold: model.threshold, modelVersion: model.version } satisfies Omit<
    Prediction,
    'probability' | 'reasons'
  >;
  return `,${JSON.stringify(shared).slice(1, -1)}`;
}

/**
 * The JSON of `predictions(groups, rowCount)`, byte for byte, without an object per row: a
 * 1,000-row answer is mostly the same decision, threshold and version text, written once per
 * group and decision here rather than serialized a thousand times.
 */
export function predictionsJson(groups: readonly ScoredGroup[], rowCount: number): string {
  const parts = new Array<string>(rowCount);
  for (const { model, rows, scored } of groups) {
    const { reasons, probabilities } = scored;
    const yes = sharedFields(model, 'yes');
    const no = sharedFields(model, 'no');
    for (let j = 0; j < rows.length; j++) {
      const probability = probabilities[j];
      const tail = probability >= model.threshold ? yes : no;
      parts[rows[j]] = reasons
        ? `${PROBABILITY}${jsonNumber(probability)}${tail}${REASONS}${JSON.stringify(reasons[j])}}`
        : `${PROBABILITY}${jsonNumber(probability)}${tail}}`;
    }
  }
  return `[${parts.join(',')}]`;
}
