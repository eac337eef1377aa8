/** The thread that runs large scoring runs failed; the request fails with 500 and may be retried. */
export class ScoringThreadError extends Error {
  override readonly name = 'ScoringThreadError';

  constructor(reason: string) {
    super(`the onnxruntime scoring thread ${reason}`);
  }
}
