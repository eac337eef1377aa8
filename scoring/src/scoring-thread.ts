/**
 * A worker thread that runs model-dense.onnx for large runs (1000-row `instances` requests,
 * batch chunks). onnxruntime-node runs a session synchronously on the calling thread, so in
 * the API a 1000-row run (about 1.5 ms) would stop the event loop from reading, validating and
 * answering the next requests meanwhile. In a thread the two overlap on the machine's cores.
 * The encoded matrix is transferred, not copied; the thread answers with the probabilities.
 */
import { Worker } from 'node:worker_threads';
import { ScoringThreadError } from './errors/scoring-thread-error.js';

/** What the thread is started with. */
export interface ThreadSetup {
  readonly bytes: Uint8Array;
  readonly intraOpThreads: number;
  readonly input: string;
  readonly output: string;
}

export interface RunRequest {
  readonly id: number;
  readonly matrix: Float32Array;
  readonly rows: number;
  readonly width: number;
}

export type RunReply =
  { readonly id: number; readonly scores: Float32Array } | { readonly id: number; readonly error: string };

interface Waiting {
  readonly id: number;
  readonly resolve: (scores: Float32Array) => void;
  readonly reject: (err: Error) => void;
}

export class ScoringThread {
  /**
   * Runs sent and not yet answered, oldest first (the thread answers in order). An array, not a
   * Map: a Map with one entry added and deleted per run is rehashed every few dozen runs, and an
   * obsolete table left in the old generation keeps the requests it held alive through scavenges
   * (see in-flight-responses.ts).
   */
  private waiting: Waiting[] = [];
  private nextId = 0;
  private failure: ScoringThreadError | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: RunReply) => {
      this.answer(reply);
    });
    worker.on('error', (err) => {
      this.fail(`stopped: ${err.message}`);
    });
    worker.on('exit', (code) => {
      this.fail(`exited with code ${code}`);
    });
    // An idle thread must not keep a stopping process alive.
    worker.unref();
  }

  /** Starts the thread and waits until its session is open. */
  static async start(setup: ThreadSetup): Promise<ScoringThread> {
    const worker = new Worker(new URL('./scoring-thread-entry.js', import.meta.url), { workerData: setup });
    await new Promise<void>((resolve, reject) => {
      const failed = (err: Error) => {
        reject(new ScoringThreadError(`did not start: ${err.message}`));
      };
      worker.once('error', failed);
      worker.once('message', () => {
        worker.off('error', failed);
        resolve();
      });
    });
    return new ScoringThread(worker);
  }

  /** False once the thread died: the caller runs on its own session instead. */
  get alive(): boolean {
    return this.failure === undefined;
  }

  /** The probabilities of a row-major [rows, width] matrix; the matrix is handed over. */
  run(matrix: Float32Array, rows: number, width: number): Promise<Float32Array> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.push({ id, resolve, reject });
      if (this.waiting.length === 1) this.worker.ref();
      this.worker.postMessage({ id, matrix, rows, width } satisfies RunRequest, [matrix.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.failure ??= new ScoringThreadError('was closed');
    await this.worker.terminate();
  }

  private answer(reply: RunReply): void {
    const at = this.waiting.findIndex((run) => run.id === reply.id);
    if (at < 0) return;
    const [waiting] = this.waiting.splice(at, 1);
    if (this.waiting.length === 0) this.worker.unref();
    if ('error' in reply) waiting.reject(new ScoringThreadError(`run failed: ${reply.error}`));
    else waiting.resolve(reply.scores);
  }

  private fail(reason: string): void {
    this.failure ??= new ScoringThreadError(reason);
    for (const waiting of this.waiting) waiting.reject(this.failure);
    this.waiting = [];
  }
}
