/** The BullMQ queues shared by the API (producer) and the workers. */
export const QUEUES = {
  /** Sampled predictions on their way to the drift worker. */
  predictionLog: 'prediction-log',
  /** One job per portfolio batch: the parent that completes when all its chunks have. */
  batches: 'batches',
  /** Chunks of a batch's rows, scored by the batch workers. */
  batchChunks: 'batch-chunks',
} as const;

/** Where a scored chunk's CSV lines are kept (written idempotently by the chunk's job). */
export function chunkResultKey(batchId: string, index: number): string {
  return `loanrisk:batch-results:${batchId}:${index}`;
}

/** Where a chunk's raw records wait for a batch worker (staged while the upload streams in). */
export function chunkInputKey(batchId: string, index: number): string {
  return `loanrisk:batch-input:${batchId}:${index}`;
}
