/** The trainer's termination message is missing or not the TrainingSummary contract; retrying cannot fix it. */
export class TrainingSummaryError extends Error {
  override readonly name = 'TrainingSummaryError';
}
