/**
 * Coalesces concurrent scoring requests into one onnxruntime run. When no run is in flight a
 * request starts one at once (an idle server adds no wait); requests that arrive while runs are
 * in flight queue, and when a run ends every queued row goes into the next run, up to
 * `maxBatchRows`. One run per tree ensemble call is much cheaper per row than one per request.
 *
 * A request large enough for the scoring thread is a run of its own, and up to
 * THREAD_RUNS_QUEUED of them are handed to the thread at once: with one at a time the thread sat
 * idle from the end of each run until the event loop, often in the middle of parsing another
 * request's body, took the answer and encoded the next run (about 30 % of its time for 1000-row
 * `instances` requests). With the next run already waiting, the thread goes straight on to it.
 */
import type { RowBatch } from './row-batch.js';

/** One run over the rows of the requests taken together (`parts`, in order): a probability per row. */
export type RunBatch = (parts: readonly RowBatch[], rows: number) => Promise<Float32Array>;

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

/** Thread-bound runs handed over at once: one running, one waiting. */
const THREAD_RUNS_QUEUED = 2;

interface Job {
  readonly rows: RowBatch;
  readonly resolve: (scores: Float32Array) => void;
  readonly reject: (err: unknown) => void;
}

export class MicroBatcher {
  private queue: Job[] = [];
  /** Runs on the event loop's own session. */
  private running = 0;
  /** Runs handed to the scoring thread. */
  private threadRuns = 0;
  private flushScheduled = false;

  constructor(
    private readonly runBatch: RunBatch,
    private readonly options: MicroBatcherOptions,
  ) {}

  /** Scores the rows; the answer has one probability per row, in order. */
  score(rows: RowBatch): Promise<Float32Array> {
    return new Promise((resolve, reject) => {
      this.queue.push({ rows, resolve, reject });
      if (!this.flushScheduled) this.flush();
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
    while (this.queue.length > 0) {
      if (this.forThread(this.queue[0])) {
        if (this.threadRuns >= THREAD_RUNS_QUEUED) return;
        this.threadRuns += 1;
        void this.execute(this.queue.splice(0, 1), 'thread');
      } else {
        if (this.running >= this.options.maxConcurrentRuns) return;
        this.running += 1;
        void this.execute(this.takeBatch(), 'event loop');
      }
    }
  }

  /** Whether a job is a run of its own on the scoring thread (LoadedModel sends runs of threadMinRows rows or more there). */
  private forThread(job: Job): boolean {
    const { threadMinRows = 0 } = this.options;
    return threadMinRows > 0 && job.rows.length >= threadMinRows;
  }

  private takeBatch(): Job[] {
    let rows = this.queue[0].rows.length;
    let count = 1;
    while (
      count < this.queue.length &&
      !this.forThread(this.queue[count]) &&
      rows + this.queue[count].rows.length <= this.options.maxBatchRows
    ) {
      rows += this.queue[count].rows.length;
      count += 1;
    }
    return this.queue.splice(0, count);
  }

  private async execute(jobs: readonly Job[], where: 'thread' | 'event loop'): Promise<void> {
    const parts = jobs.map((job) => job.rows);
    let rows = 0;
    for (const part of parts) rows += part.length;
    try {
      this.options.onRun?.(rows);
      const scores = await this.runBatch(parts, rows);
      let offset = 0;
      for (const job of jobs) {
        job.resolve(scores.subarray(offset, offset + job.rows.length));
        offset += job.rows.length;
      }
    } catch (err) {
      for (const job of jobs) job.reject(err);
    } finally {
      if (where === 'thread') this.threadRuns -= 1;
      else this.running -= 1;
      if (this.queue.length > 0) this.scheduleFlush();
    }
  }
}
