/**
 * Puts a sample of the scored rows on the prediction-log queue for the drift worker, off the
 * request path: rows go into a bounded in-memory buffer (sampled-rows.ts: numbers in typed arrays,
 * not an object per row) that a timer flushes as one BullMQ job.
 * When Redis is down, slow or full, a flush fails fast and its rows are dropped with a counter
 * and a log line; the buffer never grows past its bound and predictions never wait for Redis.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { RowBatch } from '@peerloan/scoring';
import { QUEUE_PREFIX, QUEUES, redisConnection, type PredictionLogJob } from '@peerloan/scoring/queues';
import { SampledRows } from './sampled-rows.js';

export interface PredictionLogOptions {
  readonly redisUrl: string;
  /** Share of scored rows logged (0..1). */
  readonly sampleRate: number;
  /** Most rows held while Redis is slow; more are dropped. */
  readonly maxBuffered: number;
  readonly flushMs: number;
  readonly logger: Logger;
  readonly registry: Registry;
}

/** A failed flush is logged at most this often, so an outage is one line a minute, not thousands. */
const ERROR_LOG_INTERVAL_MS = 60_000;

export class PredictionLog {
  private readonly buffer: SampledRows;
  private flushing = false;
  private lastErrorLog = 0;
  private readonly redis: Redis;
  private readonly queue: Queue<PredictionLogJob>;
  private readonly timer: NodeJS.Timeout;
  private readonly logged: Counter;
  private readonly dropped: Counter<'reason'>;

  constructor(private readonly options: PredictionLogOptions) {
    this.buffer = new SampledRows(options.maxBuffered);
    this.redis = redisConnection(options.redisUrl, 'producer');
    this.queue = new Queue<PredictionLogJob>(QUEUES.predictionLog, { connection: this.redis, prefix: QUEUE_PREFIX });
    this.queue.on('error', () => undefined);
    this.logged = new Counter({
      name: 'loanrisk_prediction_log_rows_total',
      help: 'Scored rows put on the prediction-log queue',
      registers: [options.registry],
    });
    this.dropped = new Counter({
      name: 'loanrisk_prediction_log_dropped_total',
      help: 'Sampled rows not logged, by reason (buffer full, Redis unavailable)',
      labelNames: ['reason'],
      registers: [options.registry],
    });
    this.timer = setInterval(() => void this.flush(), options.flushMs);
    this.timer.unref();
  }

  /** Samples scored rows into the buffer; constant time per row, never touches Redis. */
  record(version: string, rows: RowBatch, probabilities: readonly number[]): void {
    const now = Date.now();
    for (let i = 0; i < rows.length; i++) {
      if (Math.random() >= this.options.sampleRate) continue;
      // Only a sampled row is made a record (rows that came as tensor columns have none yet).
      if (!this.buffer.push(version, rows.recordAt(i), probabilities[i], now))
        this.dropped.inc({ reason: 'buffer_full' });
    }
  }

  async flush(): Promise<void> {
    if (this.flushing || this.buffer.length === 0) return;
    this.flushing = true;
    const events = this.buffer.drain();
    try {
      await this.queue.add('events', { events }, { removeOnComplete: true, removeOnFail: 1000 });
      this.logged.inc(events.length);
    } catch (err) {
      this.dropped.inc({ reason: 'redis_unavailable' }, events.length);
      this.logFailure(err, events.length);
    } finally {
      this.flushing = false;
    }
  }

  private logFailure(err: unknown, rows: number): void {
    const now = Date.now();
    if (now - this.lastErrorLog < ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLog = now;
    this.options.logger.warn({ err: (err as Error).message, rows }, 'prediction log unavailable, rows dropped');
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
    await this.queue.close().catch(() => undefined);
    // BullMQ leaves a connection it was given open; this one is ours to end.
    this.redis.disconnect();
  }
}
