/** The BullMQ queues and Redis keys shared by the API (producer) and the workers. */
import { REDIS_PREFIX, redisKey } from '@peerloan/contracts';

/**
 * BullMQ's key prefix, the same for every Queue, Worker and FlowProducer (producers and workers
 * must agree): its keys are `loanrisk:<queue>:...`, beside our own `loanrisk:<kind>:...`, so a
 * queue name never equals one of our key kinds (batch-input, batch-results, audit, budget).
 */
export const QUEUE_PREFIX = REDIS_PREFIX;

/** The queue names. */
export const QUEUES = {
  /** Sampled predictions on their way to the drift worker. */
  predictionLog: 'prediction-log',
  /** One job per portfolio batch: the parent that completes when all its chunks have. */
  batches: 'batches',
  /** Chunks of a batch's rows, scored by the batch workers. */
  batchChunks: 'batch-chunks',
} as const;

/** Where a scored chunk is kept (batch-results.ts's packed form, written idempotently by the chunk's job). */
export function chunkResultKey(batchId: string, index: number): string {
  return redisKey('batch-results', batchId, index);
}

/** Where a chunk's raw records wait for a batch worker (staged while the upload streams in). */
export function chunkInputKey(batchId: string, index: number): string {
  return redisKey('batch-input', batchId, index);
}

/** A scored chunk's probabilities alone, in row order (what ranking a batch reads). */
export function chunkScoresKey(batchId: string, index: number): string {
  return redisKey('batch-scores', batchId, index);
}
