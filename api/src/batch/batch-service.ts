/**
 * Portfolio batches on BullMQ. A batch is one parent job (queue `batches`) whose children are
 * its chunks (queue `batch-chunks`): BullMQ moves the parent on only when every chunk has
 * completed, and a chunk's completion (with its row counts and first problems) is recorded
 * atomically with it, so progress and counts come from BullMQ's own job state. A chunk writes
 * its CSV lines under a key derived from its position before completing: a retry after a crash
 * rewrites the same key.
 *
 * The upload's raw chunks are staged in Redis while the body streams in; the batch and its jobs
 * are added in one step only once the whole upload was read, so an upload refused half-way
 * queues nothing (its staged chunks are deleted).
 */
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { FlowProducer, Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BatchState, BatchStatus, BatchSummary } from '@peerloan/contracts';
import { RequestError } from '@peerloan/scoring';
import {
  chunkInputKey,
  chunkResultKey,
  chunkScoresKey,
  csvLines,
  ERRORS_KEPT,
  HISTOGRAM_BIN_WIDTH,
  jsonLines,
  QUEUE_PREFIX,
  QUEUES,
  redisConnection,
  sumChunks,
  unpackChunk,
  unpackScores,
  type BatchData,
  type ChunkData,
  type ChunkResult,
  type ScoredChunk,
  type UploadFormat,
} from '@peerloan/scoring/queues';
import { splitUpload, StagingError, type UploadSplit } from './batch-upload.js';

export interface UploadLimits {
  readonly maxBytes: number;
  readonly chunkRows: number;
}

/** How results are answered: CSV (the default) or JSON lines. */
export type ResultsFormat = 'csv' | 'jsonl';

export class ResultsExpiredError extends Error {
  constructor(id: string, index: number) {
    super(`results of batch ${id} chunk ${index} have expired; submit the portfolio again`);
    this.name = 'ResultsExpiredError';
  }
}

export const CHUNK_ATTEMPTS = 5;

/** A child's key in getChildrenValues is `loanrisk:<queue>:<batch id>-<index>` (QUEUE_PREFIX). */
function chunkIndex(key: string): number {
  return Number(key.slice(key.lastIndexOf('-') + 1));
}

export class BatchService {
  private readonly redis: Redis;
  private readonly flows: FlowProducer;
  private readonly batches: Queue<BatchData>;

  constructor(
    redisUrl: string,
    private readonly resultTtlSeconds: number,
  ) {
    this.redis = redisConnection(redisUrl, 'producer');
    this.flows = new FlowProducer({ connection: this.redis, prefix: QUEUE_PREFIX });
    this.flows.on('error', () => undefined);
    this.batches = new Queue<BatchData>(QUEUES.batches, { connection: this.redis, prefix: QUEUE_PREFIX });
    this.batches.on('error', () => undefined);
  }

  /**
   * Streams the upload into staged raw chunks, lets `accept` see the record count (the rate
   * limit charges it, and may refuse), then queues the batch. Any failure deletes what was staged.
   */
  async submit(
    input: Readable,
    format: UploadFormat,
    limits: UploadLimits,
    client: string,
    accept: (split: UploadSplit) => Promise<void>,
  ): Promise<{ id: string; split: UploadSplit }> {
    const id = randomUUID();
    await this.connected();
    let staged = 0;
    try {
      const split = await splitUpload(input, format, limits, async (chunk, index) => {
        staged = index + 1;
        await this.redis.set(chunkInputKey(id, index), JSON.stringify(chunk), 'EX', this.resultTtlSeconds);
      });
      await accept(split);
      await this.queue(id, split, format, client);
      return { id, split };
    } catch (err) {
      await this.discard(id, staged).catch(() => undefined);
      if (err instanceof StagingError) throw new RequestError(503, err.message);
      throw err;
    }
  }

  /** The producer connection has no offline queue: the first upload after start waits for it rather than failing. */
  private async connected(): Promise<void> {
    if (this.redis.status === 'ready') return;
    const ready = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        resolve(false);
      }, 2000);
      this.redis.once('ready', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!(await ready)) throw new RequestError(503, 'batch scoring cannot reach its Redis; try again shortly');
  }

  private async discard(id: string, chunks: number): Promise<void> {
    for (let index = 0; index < chunks; index += 500) {
      const keys = Array.from({ length: Math.min(500, chunks - index) }, (_, i) => chunkInputKey(id, index + i));
      await this.redis.del(...keys);
    }
  }

  private async queue(id: string, split: UploadSplit, format: UploadFormat, client: string): Promise<void> {
    const keep = { age: this.resultTtlSeconds };
    await this.flows.add({
      name: 'batch',
      queueName: QUEUES.batches,
      data: { total: split.total, chunks: split.chunks, createdAt: new Date().toISOString() } satisfies BatchData,
      opts: { jobId: id, removeOnComplete: keep, removeOnFail: keep },
      children: Array.from({ length: split.chunks }, (_, index) => ({
        name: 'chunk',
        queueName: QUEUES.batchChunks,
        data: { batchId: id, index, format, header: split.header, client } satisfies ChunkData,
        opts: {
          jobId: `${id}-${index}`,
          attempts: CHUNK_ATTEMPTS,
          backoff: { type: 'exponential', delay: 500 },
          failParentOnFailure: true,
          removeOnComplete: true,
          removeOnFail: keep,
        },
      })),
    });
  }

  async status(id: string): Promise<BatchStatus | undefined> {
    const job = await Job.fromId<BatchData>(this.batches, id);
    if (!job) return undefined;
    const [state, values] = await Promise.all([job.getState(), job.getChildrenValues<ChunkResult>()]);
    // Keyed by the chunk job's key, which ends in its index: the first problems in row order.
    const results = Object.entries(values)
      .sort(([a], [b]) => chunkIndex(a) - chunkIndex(b))
      .map(([, r]) => r);
    const scored = results.reduce((sum, r) => sum + r.rows, 0);
    const invalid = results.reduce((sum, r) => sum + r.invalid, 0);
    const { data } = job;
    const done = state === 'completed';
    const mapped: BatchState = done
      ? 'completed'
      : state === 'failed'
        ? 'failed'
        : results.length > 0 || state !== 'waiting-children'
          ? 'running'
          : 'queued';
    return {
      id,
      state: mapped,
      progress: done ? 1 : data.chunks === 0 ? 0 : results.length / data.chunks,
      counts: { total: data.total, scored, invalid },
      modelVersions: [...new Set(results.map((r) => r.modelVersion))],
      errors: results.flatMap((r) => r.errors).slice(0, ERRORS_KEPT),
      createdAt: data.createdAt,
      ...(job.failedReason ? { failedReason: job.failedReason } : {}),
    };
  }

  /** The summary of a batch whose chunks have all completed (undefined for an unknown batch). */
  async summary(id: string): Promise<BatchSummary | undefined> {
    const [status, job] = await Promise.all([this.status(id), Job.fromId<BatchData>(this.batches, id)]);
    if (!status || !job) return undefined;
    const results = Object.values(await job.getChildrenValues<ChunkResult>());
    const totals = sumChunks(results.map((r) => r.summary));
    return {
      id,
      threshold: results[0]?.threshold ?? 0,
      modelVersions: [...status.modelVersions],
      counts: status.counts,
      ...totals,
      histogram: { binWidth: HISTOGRAM_BIN_WIDTH, counts: [...totals.histogram] },
      flaggedShare: status.counts.scored === 0 ? 0 : totals.flagged / status.counts.scored,
    };
  }

  /** How many chunks the batch was split into (0 for an unknown batch). */
  async chunkCount(id: string): Promise<number> {
    const job = await Job.fromId<BatchData>(this.batches, id);
    return job?.data.chunks ?? 0;
  }

  /** One scored chunk. */
  async chunk(id: string, index: number): Promise<ScoredChunk> {
    const stored = await this.redis.getBuffer(chunkResultKey(id, index));
    if (stored === null) throw new ResultsExpiredError(id, index);
    return unpackChunk(stored);
  }

  /** Every chunk's probabilities in row order: what ranking the batch needs, 4 bytes a row. */
  async scores(id: string): Promise<Float32Array[]> {
    const chunks = await this.chunkCount(id);
    const all: Float32Array[] = [];
    for (let start = 0; start < chunks; start += 500) {
      const keys = Array.from({ length: Math.min(500, chunks - start) }, (_, i) => chunkScoresKey(id, start + i));
      const stored = await this.redis.mgetBuffer(...keys);
      stored.forEach((bytes, i) => {
        if (bytes === null) throw new ResultsExpiredError(id, start + i);
        all.push(unpackScores(bytes));
      });
    }
    return all;
  }

  /** The results in row order, one chunk's lines at a time. */
  async *resultLines(id: string, format: ResultsFormat): AsyncGenerator<string> {
    const chunks = await this.chunkCount(id);
    for (let index = 0; index < chunks; index++) {
      const chunk = await this.chunk(id, index);
      yield format === 'jsonl' ? jsonLines(chunk) : csvLines(chunk);
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.flows.close(), this.batches.close()]);
    this.redis.disconnect();
  }
}
