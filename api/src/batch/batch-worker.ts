/**
 * The batch workers: `batch-chunks` jobs score their rows with the serving model in one
 * onnxruntime run and store the CSV lines under the chunk's result key; `batches` jobs (the
 * parents, run once all chunks completed) sum their chunks' counts.
 */
import { Worker, type Job } from 'bullmq';
import { FEATURE_NAMES, type LoanRecord } from '@peerloan/contracts';
import type { ModelStore } from '../model-store.js';
import { servingModel } from '../prediction.js';
import { chunkResultKey, QUEUES } from '../queueing/queue-names.js';
import { redisConnection } from '../queueing/redis-connection.js';
import type { BatchData, ChunkData, ChunkResult } from './batch-service.js';
import { auditEntry } from '../audit/audit-record.js';
import type { AuditTrail } from '../audit/audit-trail.js';

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

/** The chunk's rows as named records, for the audit trail (scoring reads the rows as they are). */
function toRecords(rows: ChunkData['payload']['rows']): LoanRecord[] {
  return rows.map((values) => Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, values[i]])));
}

/** CSV-safe id: quoted when it holds a comma, quote or line break. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function startBatchWorkers(options: BatchWorkerOptions): Worker[] {
  const settings = { lockDuration: options.lockMs, stalledInterval: options.lockMs, maxStalledCount: 3 };
  const chunkConnection = redisConnection(options.redisUrl, 'worker');
  const chunks = new Worker<ChunkData, ChunkResult>(QUEUES.batchChunks, async (job: Job<ChunkData>) => {
    const model = servingModel(options.store);
    const { ids, rows } = job.data.payload;
    const scores = await model.runRows(rows);
    if (options.audit) {
      const decisions = toRecords(rows).map((inputs, i) => ({ inputs, probability: scores[i], threshold: model.threshold, modelVersion: model.version }));
      await options.audit.record(auditEntry(job.data.batchId, job.data.client ?? 'anonymous', 'batch', decisions, String(job.data.index)));
    }
    let lines = '';
    for (let i = 0; i < ids.length; i++) {
      const p = scores[i];
      lines += `${csvField(ids[i])},${p},${p >= model.threshold ? 'yes' : 'no'}\n`;
    }
    await chunkConnection.set(chunkResultKey(job.data.batchId, job.data.index), lines, 'EX', options.resultTtlSeconds);
    return { rows: ids.length, modelVersion: model.version };
  }, { connection: redisConnection(options.redisUrl, 'worker'), concurrency: options.concurrency, ...settings });

  const parents = new Worker<BatchData>(QUEUES.batches, async (job: Job<BatchData>) => {
    const values = Object.values(await job.getChildrenValues<ChunkResult>());
    return { scored: values.reduce((sum, v) => sum + v.rows, 0), invalid: job.data.invalid };
  }, { connection: redisConnection(options.redisUrl, 'worker'), ...settings });

  for (const worker of [chunks, parents]) worker.on('error', () => undefined);
  chunks.on('closed', () => chunkConnection.disconnect());
  return [chunks, parents];
}
