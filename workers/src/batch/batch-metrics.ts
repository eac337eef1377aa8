/**
 * What the dashboard and the backlog alert read about portfolio batches: jobs waiting in the
 * BullMQ queues (counted in Redis on each scrape, so every worker replica reports the same
 * backlog and it is measured even while no model serves and no worker takes a job) and rows
 * the batch workers scored.
 */
import { Queue, type Worker } from 'bullmq';
import { Counter, Gauge, type Registry } from 'prom-client';
import { QUEUE_PREFIX, QUEUES, redisConnection, type ChunkResult } from '@peerloan/scoring/queues';

const COUNTED_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed'] as const;

export class BatchMetrics {
  private readonly redis;
  private readonly queues: Queue[];
  private readonly rowsScored: Counter;

  constructor(registry: Registry, redisUrl: string) {
    // A producer connection: a scrape must not hang on an unreachable Redis.
    this.redis = redisConnection(redisUrl, 'producer');
    this.queues = [QUEUES.batchChunks, QUEUES.batches].map(
      (name) => new Queue(name, { connection: this.redis, prefix: QUEUE_PREFIX }),
    );
    this.rowsScored = new Counter({
      name: 'loanrisk_batch_rows_scored_total',
      help: 'Rows of portfolio batches scored by this worker',
      registers: [registry],
    });
    const queues = this.queues;
    new Gauge({
      name: 'loanrisk_batch_queue_jobs',
      help: 'Jobs in the batch queues by state (batch-chunks: chunks of rows; batches: whole uploads), read from Redis on each scrape',
      labelNames: ['queue', 'state'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        // Redis away: no sample rather than a failed scrape; the worker's readiness tells that story.
        const counts = await Promise.all(queues.map((q) => q.getJobCounts(...COUNTED_STATES))).catch(() => undefined);
        counts?.forEach((byState, i) => {
          for (const state of COUNTED_STATES) this.set({ queue: queues[i].name, state }, byState[state] ?? 0);
        });
      },
    });
  }

  /** Counts the rows of every chunk the given batch workers complete. */
  watch(workers: readonly Worker[]): void {
    for (const worker of workers.filter((w) => w.name === QUEUES.batchChunks)) {
      worker.on('completed', (_job, result: ChunkResult) => {
        this.rowsScored.inc(result.rows);
      });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close()));
    this.redis.disconnect();
  }
}
