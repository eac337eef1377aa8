/**
 * The prediction log's buffer: sampled rows held until the next flush, in typed arrays rather
 * than an object per row. Why: a row waits up to PREDICTION_LOG_FLUSH_MS (1 s) by design, so as
 * objects the rows outlived two scavenges and V8 promoted them: 0.26 MB/s of old-generation
 * garbage at 8,200 req/s with 10 % sampled (docs/BENCHMARKS.md, run K), and a mark-compact every
 * minute or two. Here a row is numbers: each numeric feature as it is (NaN for null), each
 * category name as its index in a list of the names seen (requests are validated against the
 * model's categories, so the lists stay small), the version as an index too. The arrays grow by
 * doubling up to the buffer's bound and are kept; the events are built at flush, when BullMQ
 * serializes them at once.
 */
import { FEATURES, type LoanRecord } from '@peerloan/contracts';
import type { LoggedPrediction } from '@peerloan/scoring/queues';

const WIDTH = FEATURES.length;
const NO_CATEGORY = -1;
/** Rows the arrays hold before their first growth. */
const INITIAL_ROWS = 1024;

/** The names of one categorical feature seen so far, and their indexes. */
class CategoryNames {
  readonly names: string[] = [];
  private readonly codes = new Map<string, number>();

  codeOf(value: unknown): number {
    if (typeof value !== 'string') return NO_CATEGORY;
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.names.push(value) - 1;
      this.codes.set(value, code);
    }
    return code;
  }
}

export class SampledRows {
  private cells = new Float64Array(0);
  private probabilities = new Float64Array(0);
  private scoredAt = new Float64Array(0);
  private versionCodes = new Int32Array(0);
  private versions: string[] = [];
  /** Per feature: the names of a categorical one, undefined for a numeric one. */
  private readonly categories = FEATURES.map((f) => (f.kind === 'categorical' ? new CategoryNames() : undefined));
  private rows = 0;

  /** @param capacity most rows held; push() refuses more. */
  constructor(readonly capacity: number) {}

  get length(): number {
    return this.rows;
  }

  /** Adds one scored row; false (and nothing kept) when the buffer holds `capacity` rows already. */
  push(version: string, record: LoanRecord, probability: number, scoredAt: number): boolean {
    if (this.rows >= this.capacity) return false;
    if (this.rows === this.probabilities.length) this.grow();
    const row = this.rows;
    const base = row * WIDTH;
    for (let f = 0; f < WIDTH; f++) {
      const value = record[FEATURES[f].name];
      const names = this.categories[f];
      this.cells[base + f] = names ? names.codeOf(value) : typeof value === 'number' ? value : Number.NaN;
    }
    let versionCode = this.versions.indexOf(version);
    if (versionCode === -1) versionCode = this.versions.push(version) - 1;
    this.versionCodes[row] = versionCode;
    this.probabilities[row] = probability;
    this.scoredAt[row] = scoredAt;
    this.rows += 1;
    return true;
  }

  /** The rows held, in order, as the prediction log's events; the buffer is empty after. */
  drain(): LoggedPrediction[] {
    const events = new Array<LoggedPrediction>(this.rows);
    for (let row = 0; row < this.rows; row++) {
      const base = row * WIDTH;
      const features = new Array<number | string | null>(WIDTH);
      for (let f = 0; f < WIDTH; f++) {
        const cell = this.cells[base + f];
        const names = this.categories[f];
        features[f] = names ? (cell === NO_CATEGORY ? null : names.names[cell]) : Number.isNaN(cell) ? null : cell;
      }
      events[row] = {
        modelVersion: this.versions[this.versionCodes[row]],
        scoredAt: this.scoredAt[row],
        features,
        probability: this.probabilities[row],
      };
    }
    this.rows = 0;
    this.versions = [];
    return events;
  }

  private grow(): void {
    const rows = Math.min(this.capacity, Math.max(INITIAL_ROWS, this.probabilities.length * 2));
    const grown = (old: Float64Array, width: number) => {
      const next = new Float64Array(rows * width);
      next.set(old);
      return next;
    };
    this.cells = grown(this.cells, WIDTH);
    this.probabilities = grown(this.probabilities, 1);
    this.scoredAt = grown(this.scoredAt, 1);
    const versionCodes = new Int32Array(rows);
    versionCodes.set(this.versionCodes);
    this.versionCodes = versionCodes;
  }
}
