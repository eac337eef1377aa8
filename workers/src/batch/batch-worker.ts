/**
 * The batch workers: `batch-chunks` jobs read their raw records (staged by the API), parse and
 * validate them, score and explain the valid rows with the serving model in one onnxruntime run
 * (reasons exactly as /predict gives them) and store the scored chunk under its result key and its
 * probabilities under its scores key, returning its share of the batch's summary; `batches` jobs (the parents, run once all chunks
 * completed) sum their chunks' counts and drop the raw records.
 */
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { LoanRecord } from '@peerloan/contracts';
import {
  chunkRows,
  referencesOf,
  servingModel,
  type ExplainedRows,
  type LoadedModel,
  type ModelStore,
} from '@peerloan/scoring';
import {
  auditEntry,
  chunkInputKey,
  chunkResultKey,
  chunkScoresKey,
  packChunk,
  packScores,
  QUEUE_PREFIX,
  QUEUES,
  redisConnection,
  summarizeChunk,
  type AuditTrail,
  type BatchData,
  type ChunkData,
  type ChunkResult,
  type RawChunk,
} from '@peerloan/scoring/queues';

export interface BatchWorkerOptions {
  readonly redisUrl: string;
  readonly store: ModelStore;
  readonly resultTtlSeconds: number;
  /** How long a worker's claim on a chunk lasts without renewal: a crashed worker's chunk is retried after it. */
  readonly lockMs: number;
  readonly concurrency: number;
  /**
   * Records every scored row before the chunk's result is stored. In required mode a failed
   * write fails the chunk, which BullMQ retries; the chunk's key makes the retry store nothing twice.
   */
  readonly audit?: AuditTrail;
}

/** Raised when a chunk's staged records are gone (expired or deleted): retrying cannot help. */
export class ChunkInputMissingError extends Error {
  constructor(batchId: string, index: number) {
    super(
      `the raw records of batch ${batchId} chunk ${index} are no longer in Redis (expired?); submit the portfolio again`,
    );
    this.name = 'ChunkInputMissingError';
  }
}

export function startBatchWorkers(options: BatchWorkerOptions): Worker[] {
  const settings = { lockDuration: options.lockMs, stalledInterval: options.lockMs, maxStalledCount: 3 };
  const chunkConnection = redisConnection(options.redisUrl, 'worker');
  const chunks = new Worker<ChunkData, ChunkResult>(
    QUEUES.batchChunks,
    (job: Job<ChunkData>) => scoreChunk(job, chunkConnection, options),
    {
      connection: redisConnection(options.redisUrl, 'worker'),
      prefix: QUEUE_PREFIX,
      concurrency: options.concurrency,
      ...settings,
    },
  );

  const parents = new Worker<BatchData>(QUEUES.batches, (job: Job<BatchData>) => finishBatch(job, chunkConnection), {
    connection: redisConnection(options.redisUrl, 'worker'),
    prefix: QUEUE_PREFIX,
    ...settings,
  });

  for (const worker of [chunks, parents]) worker.on('error', () => undefined);
  chunks.on('closed', () => {
    chunkConnection.disconnect();
  });
  return [chunks, parents];
}

/** A `batch-chunks` job: its staged records parsed and validated, the valid rows scored, explained, audited and stored. */
async function scoreChunk(job: Job<ChunkData>, connection: Redis, options: BatchWorkerOptions): Promise<ChunkResult> {
  const model = servingModel(options.store);
  const { batchId, index, format, header } = job.data;
  const text = await connection.get(chunkInputKey(batchId, index));
  if (text === null) throw new ChunkInputMissingError(batchId, index);
  const { ids, rowNumbers, rows, records, invalid, errors } = chunkRows(
    JSON.parse(text) as RawChunk,
    format,
    header,
    model.validator,
  );
  const explained =
    rows.length > 0 ? await model.explainRows(rows) : { probabilities: new Float32Array(0), reasons: [] };
  if (options.audit && rows.length > 0) await recordDecisions(options.audit, job.data, text, model, records, explained);
  const stored = packChunk({
    modelVersion: model.version,
    threshold: model.threshold,
    references: referencesOf(model.manifest),
    ids,
    rowNumbers,
    probabilities: explained.probabilities,
    reasons: explained.reasons,
  });
  const ttl = options.resultTtlSeconds;
  await connection
    .multi()
    .set(chunkResultKey(batchId, index), stored, 'EX', ttl)
    .set(chunkScoresKey(batchId, index), packScores(explained.probabilities), 'EX', ttl)
    .exec();
  return {
    rows: ids.length,
    invalid,
    errors,
    modelVersion: model.version,
    threshold: model.threshold,
    summary: summarizeChunk(records, explained.probabilities, model.threshold),
  };
}

/** The chunk's decisions in the audit trail, keyed by the chunk so a retried chunk records nothing twice. */
async function recordDecisions(
  audit: AuditTrail,
  chunk: ChunkData,
  text: string,
  model: LoadedModel,
  records: readonly LoanRecord[],
  { probabilities, reasons }: ExplainedRows,
): Promise<void> {
  const decisions = records.map((inputs, i) => ({
    inputs,
    probability: probabilities[i],
    threshold: model.threshold,
    modelVersion: model.version,
    reasons: reasons[i],
  }));
  await audit.recordAndWait(
    auditEntry(chunk.batchId, chunk.client ?? 'anonymous', 'batch', decisions, String(chunk.index), text),
  );
}

/** A `batches` job, run once all its chunks completed: their counts summed, the raw records dropped. */
async function finishBatch(job: Job<BatchData>, connection: Redis): Promise<{ scored: number; invalid: number }> {
  const values = Object.values(await job.getChildrenValues<ChunkResult>());
  const batchId = job.id ?? '';
  const inputs = Array.from({ length: job.data.chunks }, (_, index) => chunkInputKey(batchId, index));
  for (let i = 0; i < inputs.length; i += 500) await connection.del(...inputs.slice(i, i + 500));
  return {
    scored: values.reduce((sum, v) => sum + v.rows, 0),
    invalid: values.reduce((sum, v) => sum + v.invalid, 0),
  };
}
