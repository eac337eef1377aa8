/**
 * One servable model version: its manifest, its onnxruntime sessions (model.onnx, and the
 * hot-path graph model-dense.onnx when the version has one), the request validator and the
 * micro-batcher compiled for it. Requests take the current LoadedModel once and finish on
 * it, so a swap never mixes versions within a request; a retired version releases its session
 * when its last request is done.
 */
import * as ort from 'onnxruntime-node';
import {
  DENSE_INPUT,
  FEATURE_NAMES,
  recordsToColumns,
  type DenseEncoder,
  type LoanRecord,
  type ModelManifest,
} from '@peerloan/contracts';
import {
  planExplanations,
  reasonsFrom,
  reasonsOfVariants,
  referencesOf,
  type Reason,
  type Variant,
} from './explanations.js';
import { MicroBatcher, type MicroBatcherOptions } from './micro-batcher.js';
import { compileRecordValidator, type RecordValidator } from './request-validation.js';
import { recordRows, type RowBatch } from './row-batch.js';
import type { ScoringThread } from './scoring-thread.js';

/** A row of feature values in the schema's order (FEATURE_NAMES), as batch chunks carry them. */
type Row = readonly (number | string | null)[];

/** Scores of schema-ordered rows with their reasons, computed as /predict computes them. */
export interface ExplainedRows {
  readonly probabilities: Float32Array;
  readonly reasons: readonly Reason[][];
}

export interface Scored {
  readonly probabilities: readonly number[];
  /** Present when explanations were asked for: one list per record. */
  readonly reasons?: readonly Reason[][];
}

/** model-dense.onnx and the encoder that builds its one float tensor from records. */
export interface DenseGraph {
  readonly session: ort.InferenceSession;
  readonly encoder: DenseEncoder;
  /** Runs of at least `threadMinRows` rows go to this thread, off the event loop (absent: all run here). */
  readonly thread?: ScoringThread;
  readonly threadMinRows?: number;
}

export class LoadedModel {
  readonly version: string;
  readonly threshold: number;
  readonly validator: RecordValidator;
  private readonly batcher: MicroBatcher;
  private pending = 0;
  private retired = false;
  private released = false;
  private markReleased: () => void = () => undefined;
  private readonly whenReleased = new Promise<void>((resolve) => {
    this.markReleased = resolve;
  });

  constructor(
    readonly dir: string,
    readonly manifest: ModelManifest,
    private readonly session: ort.InferenceSession,
    batching: MicroBatcherOptions,
    private readonly dense?: DenseGraph,
  ) {
    this.version = manifest.version;
    this.threshold = manifest.threshold.value;
    this.validator = compileRecordValidator(manifest);
    this.batcher = new MicroBatcher((parts, rows) => this.runParts(parts, rows), batching);
  }

  /** One onnxruntime run over the records, bypassing the batcher (the smoke test and batch worker use it). */
  async run(records: readonly LoanRecord[]): Promise<Float32Array> {
    if (!this.dense) return this.runContractGraph(records);
    return this.runDense(this.dense, this.dense.encoder.encode(records), records.length);
  }

  /**
   * One run over the rows of several requests (a micro-batch), each part writing its rows into
   * the dense tensor: records and tensor columns alike, without joining them into one list first.
   */
  async runParts(parts: readonly RowBatch[], rows: number): Promise<Float32Array> {
    if (!this.dense)
      return this.runContractGraph(parts.length === 1 ? parts[0].records() : parts.flatMap((part) => part.records()));
    const { encoder } = this.dense;
    const matrix = new Float32Array(rows * encoder.width);
    let first = 0;
    for (const part of parts) {
      part.encodeInto(encoder, matrix, first);
      first += part.length;
    }
    return this.runDense(this.dense, matrix, rows);
  }

  /**
   * One run over rows of values in the feature schema's order (FEATURE_NAMES), as batch chunks
   * carry them: encoded straight into the dense tensor, without an object per row.
   */
  async runRows(rows: readonly (readonly (number | string | null)[])[]): Promise<Float32Array> {
    if (!this.dense)
      return this.runContractGraph(
        rows.map((values) => Object.fromEntries(FEATURE_NAMES.map((name, i) => [name, values[i]]))),
      );
    const { encoder } = this.dense;
    const matrix = new Float32Array(rows.length * encoder.width);
    for (let i = 0; i < rows.length; i++) encoder.encodeValuesInto(rows[i], matrix, i);
    return this.runDense(this.dense, matrix, rows.length);
  }

  /**
   * Scores rows and explains every one of them in the same run, the way score(records, true)
   * does: each row's one-feature-at-reference variants ride beside it. On the dense graph a
   * variant is a copy of the row's encoded cells with one feature re-encoded, so no record or
   * array is built per variant.
   */
  async explainRows(rows: readonly Row[]): Promise<ExplainedRows> {
    const references = referencesOf(this.manifest);
    const referenceRow = FEATURE_NAMES.map((name) => references.get(name) ?? null);
    const variants: Variant[] = [];
    const positions: number[] = [];
    for (let row = 0; row < rows.length; row++) {
      const values = rows[row];
      for (let p = 0; p < referenceRow.length; p++) {
        if (values[p] === referenceRow[p]) continue;
        variants.push({ row, feature: FEATURE_NAMES[p] });
        positions.push(p);
      }
    }
    const scores = await this.runExplained(rows, variants, positions, referenceRow);
    const column = new Map(FEATURE_NAMES.map((name, i) => [name, i]));
    const reasons = reasonsOfVariants(
      variants,
      rows.length,
      scores,
      (row, feature) => rows[row][column.get(feature) ?? -1] ?? null,
      references,
    );
    return { probabilities: scores.slice(0, rows.length), reasons };
  }

  private runExplained(
    rows: readonly Row[],
    variants: readonly Variant[],
    positions: readonly number[],
    referenceRow: Row,
  ): Promise<Float32Array> {
    const dense = this.dense;
    if (!dense) {
      const all = [
        ...rows,
        ...variants.map(({ row }, i) => rows[row].map((v, p) => (p === positions[i] ? referenceRow[p] : v))),
      ];
      return this.runRows(all);
    }
    const { encoder } = dense;
    const width = encoder.width;
    const matrix = new Float32Array((rows.length + variants.length) * width);
    for (let i = 0; i < rows.length; i++) encoder.encodeValuesInto(rows[i], matrix, i);
    for (let i = 0; i < variants.length; i++) {
      const slot = rows.length + i;
      matrix.copyWithin(slot * width, variants[i].row * width, (variants[i].row + 1) * width);
      encoder.replaceValueInto(positions[i], referenceRow[positions[i]], matrix, slot);
    }
    return this.runDense(dense, matrix, rows.length + variants.length);
  }

  /** A large run goes to the scoring thread while it lives; a small one is cheaper here than a message. */
  private runDense(dense: DenseGraph, matrix: Float32Array, rows: number): Promise<Float32Array> {
    const { session, encoder, thread, threadMinRows = 0 } = dense;
    if (thread?.alive && rows >= threadMinRows) return thread.run(matrix, rows, encoder.width);
    return this.probabilities(session, { [DENSE_INPUT]: new ort.Tensor('float32', matrix, [rows, encoder.width]) });
  }

  /** One run of model.onnx itself: one named tensor per feature, strings for the categories. */
  async runContractGraph(records: readonly LoanRecord[]): Promise<Float32Array> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, values] of Object.entries(recordsToColumns(records))) {
      feeds[name] = new ort.Tensor(values instanceof Float32Array ? 'float32' : 'string', values, [records.length, 1]);
    }
    return this.probabilities(this.session, feeds);
  }

  private async probabilities(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Promise<Float32Array> {
    const output = this.manifest.outputs.probability;
    const result = await session.run(feeds, [output]);
    return result[output].data as Float32Array;
  }

  /** Scores the rows through the micro-batcher; with `explain`, each row's reasons too. */
  async score(rows: RowBatch, explain: boolean): Promise<Scored> {
    this.pending += 1;
    try {
      if (!explain) return { probabilities: Array.from(await this.batcher.score(rows)) };
      const records = rows.records();
      const plan = planExplanations(records, this.manifest);
      const scores = await this.batcher.score(recordRows(plan.rows));
      return {
        probabilities: Array.from(scores.subarray(0, records.length)),
        reasons: reasonsFrom(plan, records, scores, this.manifest),
      };
    } finally {
      this.pending -= 1;
      this.releaseIfDone();
    }
  }

  /** Called when a newer version takes over: the session goes once no request needs it. */
  retire(): void {
    this.retired = true;
    this.releaseIfDone();
  }

  /**
   * Shutdown: retires the version and resolves once its sessions and scoring thread are released.
   * A process must not exit while a run is on the thread (onnxruntime aborts the process then),
   * and runs of requests whose clients left go on after the HTTP server closed.
   */
  async close(): Promise<void> {
    this.retire();
    await this.whenReleased;
  }

  private releaseIfDone(): void {
    if (!this.retired || this.pending > 0 || this.released) return;
    this.released = true;
    void Promise.allSettled([this.session.release(), this.dense?.session.release(), this.dense?.thread?.close()]).then(
      () => {
        this.markReleased();
      },
    );
  }
}
