/** The prediction-log queue's jobs: sampled rows the API logs (producer) and the drift worker reads. */
/**
 * One logged prediction. Features are values in FEATURE_NAMES order, not an object: the names
 * would be most of the bytes in Redis. A worker reading an event without `modelVersion` (an older
 * API's `v`) counts it as another version's and skips it.
 */
export interface LoggedPrediction {
  readonly modelVersion: string;
  /** When it was scored, epoch milliseconds. */
  readonly scoredAt: number;
  readonly features: readonly (number | string | null)[];
  readonly probability: number;
}

export interface PredictionLogJob {
  readonly events: readonly LoggedPrediction[];
}
