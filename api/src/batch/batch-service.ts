/**
 * Portfolio batches on BullMQ. A batch is one parent job (queue `batches`) whose children are
 * its chunks (queue `batch-chunks`): BullMQ moves the parent on only when every chunk has
 * completed, and a chunk's completion (with its row count) is recorded atomically with it, so
 * progress and counts come from BullMQ's own job state. A chunk writes its CSV lines under a
 * key derived from its position before completing: a retry after a crash rewrites the same key.
 */
import { randomUUID } from 'node:crypto';
import { FlowProducer, Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { chunkResultKey, QUEUES } from '../queueing/queue-names.js';
import { redisConnection } from '../queueing/redis-connection.js';
import type { ChunkPayload, ParsedUpload, RowProblem } from './batch-upload.js';

export interface BatchData {
  readonly total: number;
  readonly invalid: number;
  readonly chunks: number;
  readonly errors: readonly RowProblem[];
  readonly createdAt: string;
}

export interface ChunkData {
  readonly batchId: string;
  readonly index: number;
  readonly payload: ChunkPayload;
  /** Who submitted the batch: its rows' audit records name them. */
  readonly client?: string;
}

export interface ChunkResult {
  readonly rows: number;
  readonly modelVersion: string;
}

export type BatchState = 'queued' | 'running' | 'completed' | 'failed';

export interface BatchStatus {
  readonly id: string;
  readonly state: BatchState;
  readonly progress: number;
  readonly counts: { readonly total: number; readonly scored: number; readonly invalid: number };
  readonly modelVersions: readonly string[];
  readonly errors: readonly RowProblem[];
  readonly createdAt: string;
  readonly failedReason?: string;
}

export const CHUNK_ATTEMPTS = 5;

export class BatchService {
  private readonly redis: Redis;
  private readonly flows: FlowProducer;
  private readonly batches: Queue<BatchData>;

  constructor(redisUrl: string, private readonly resultTtlSeconds: number) {
    this.redis = redisConnection(redisUrl, 'producer');
    this.flows = new FlowProducer({ connection: this.redis });
    this.flows.on('error', () => undefined);
    this.batches = new Queue<BatchData>(QUEUES.batches, { connection: this.redis });
    this.batches.on('error', () => undefined);
  }

  async submit(upload: ParsedUpload, client = 'anonymous'): Promise<string> {
    const id = randomUUID();
    const keep = { age: this.resultTtlSeconds };
    await this.flows.add({
      name: 'batch',
      queueName: QUEUES.batches,
      data: { total: upload.valid + upload.invalid, invalid: upload.invalid, chunks: upload.chunks.length, errors: upload.errors, createdAt: new Date().toISOString() } satisfies BatchData,
      opts: { jobId: id, removeOnComplete: keep, removeOnFail: keep },
      children: upload.chunks.map((payload, index) => ({
        name: 'chunk',
        queueName: QUEUES.batchChunks,
        data: { batchId: id, index, payload, client } satisfies ChunkData,
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
    return id;
  }

  async status(id: string): Promise<BatchStatus | undefined> {
    const job = await Job.fromId<BatchData>(this.batches, id);
    if (!job) return undefined;
    const [state, values] = await Promise.all([job.getState(), job.getChildrenValues<ChunkResult>()]);
    const results = Object.values(values);
    const scored = results.reduce((sum, r) => sum + r.rows, 0);
    const { data } = job;
    const done = state === 'completed';
    const mapped: BatchState = done ? 'completed' : state === 'failed' ? 'failed' : results.length > 0 || state !== 'waiting-children' ? 'running' : 'queued';
    return {
      id,
      state: mapped,
      progress: done ? 1 : data.chunks === 0 ? 0 : results.length / data.chunks,
      counts: { total: data.total, scored, invalid: data.invalid },
      modelVersions: [...new Set(results.map((r) => r.modelVersion))],
      errors: data.errors,
      createdAt: data.createdAt,
      ...(job.failedReason ? { failedReason: job.failedReason } : {}),
    };
  }

  /** The chunks' CSV lines in row order. */
  async *resultLines(id: string): AsyncGenerator<string> {
    const job = await Job.fromId<BatchData>(this.batches, id);
    for (let index = 0; index < (job?.data.chunks ?? 0); index++) {
      const text = await this.redis.get(chunkResultKey(id, index));
      if (text === null) throw new Error(`results of batch ${id} chunk ${index} have expired`);
      yield text;
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.flows.close(), this.batches.close()]);
    this.redis.disconnect();
  }
}
