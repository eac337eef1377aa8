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
  readonly resolve: (scores: Float32Array) => void;
  readonly reject: (err: Error) => void;
}

export class ScoringThread {
  private readonly waiting = new Map<number, Waiting>();
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
      this.waiting.set(id, { resolve, reject });
      if (this.waiting.size === 1) this.worker.ref();
      this.worker.postMessage({ id, matrix, rows, width } satisfies RunRequest, [matrix.buffer as ArrayBuffer]);
    });
  }

  async close(): Promise<void> {
    this.failure ??= new ScoringThreadError('was closed');
    await this.worker.terminate();
  }

  private answer(reply: RunReply): void {
    const waiting = this.waiting.get(reply.id);
    if (!waiting) return;
    this.waiting.delete(reply.id);
    if (this.waiting.size === 0) this.worker.unref();
    if ('error' in reply) waiting.reject(new ScoringThreadError(`run failed: ${reply.error}`));
    else waiting.resolve(reply.scores);
  }

  private fail(reason: string): void {
    this.failure ??= new ScoringThreadError(reason);
    for (const waiting of this.waiting.values()) waiting.reject(this.failure);
    this.waiting.clear();
  }
}
