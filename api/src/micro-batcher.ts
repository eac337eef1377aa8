/**
 * Coalesces concurrent scoring requests into one onnxruntime run. When no run is in flight a
 * request starts one at once (an idle server adds no wait); requests that arrive while runs are
 * in flight queue, and when a run ends every queued row goes into the next run, up to
 * `maxBatchRows`. One run per tree ensemble call is much cheaper per row than one per request.
 */
import type { LoanRecord } from '@peerloan/contracts';

export type RunBatch = (records: readonly LoanRecord[]) => Promise<Float32Array>;

export interface MicroBatcherOptions {
  /** A run takes queued requests until their rows would exceed this (one request always fits). */
  readonly maxBatchRows: number;
  /** Runs in flight at once; more requests queue and coalesce meanwhile. */
  readonly maxConcurrentRuns: number;
  /** Called with the row count of every run (for the batch-size histogram). */
  readonly onRun?: (rows: number) => void;
  /** onnxruntime threads per run (default 1: in the API the event loop needs the other core). */
  readonly intraOpThreads?: number;
  /** Runs of at least this many rows go to a scoring thread (scoring-thread.ts); 0 or absent: none. */
  readonly threadMinRows?: number;
}

interface Job {
  readonly records: readonly LoanRecord[];
  readonly resolve: (scores: Float32Array) => void;
  readonly reject: (err: unknown) => void;
}

export class MicroBatcher {
  private queue: Job[] = [];
  private running = 0;
  private flushScheduled = false;

  constructor(
    private readonly runBatch: RunBatch,
    private readonly options: MicroBatcherOptions,
  ) {}

  /** Scores the records; the answer has one probability per record, in order. */
  score(records: readonly LoanRecord[]): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.queue.push({ records, resolve, reject });
      if (this.running < this.options.maxConcurrentRuns && !this.flushScheduled) this.flush();
      else this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.running < this.options.maxConcurrentRuns) {
      this.running += 1;
      void this.execute(this.takeBatch());
    }
  }

  private takeBatch(): Job[] {
    let rows = this.queue[0].records.length;
    let count = 1;
    while (count < this.queue.length && rows + this.queue[count].records.length <= this.options.maxBatchRows) {
      rows += this.queue[count].records.length;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  private async execute(jobs: readonly Job[]): Promise<void> {
    const records = jobs.length === 1 ? jobs[0].records : jobs.flatMap((job) => job.records);
    try {
      this.options.onRun?.(records.length);
      const scores = await this.runBatch(records);
      let offset = 0;
      for (const job of jobs) {
        job.resolve(scores.subarray(offset, offset + job.records.length));
        offset += job.records.length;
      }
    } catch (err) {
      for (const job of jobs) job.reject(err);
    } finally {
      this.running -= 1;
      if (this.queue.length > 0) this.scheduleFlush();
    }
  }
}
