/**
 * The hot-path graph beside model.onnx: `model-dense.onnx` takes one float32 tensor `features`
 * of shape [N, C], the columns the trees see (manifest.encodedColumns), encoded here in
 * JavaScript instead of by string encoders inside the graph. model.onnx stays the contract for
 * any ONNX runtime; this file is an optimisation the API uses when present. The trainer checks
 * this encoder and the dense graph together against XGBoost before publishing.
 */
import { FEATURES, type LoanRecord } from './features.js';

/** File name of the dense graph in a version folder. */
export const DENSE_MODEL_FILE = 'model-dense.onnx';
/** Name of the dense graph's one input, float32 [N, encodedColumns.length]. */
export const DENSE_INPUT = 'features';

/** How one feature lands in the encoded row (encodedColumns names: `x`, `x#rank`, `x=category`). */
type FeatureSlot = { readonly name: string; readonly position: number } & (
  | { readonly kind: 'numeric'; readonly column: number }
  | { readonly kind: 'ordinal'; readonly column: number; readonly rank: ReadonlyMap<string, number> }
  | { readonly kind: 'onehot'; readonly columns: ReadonlyMap<string, number> }
);

/** A feature value as records and schema-ordered rows carry it. */
type Cell = number | string | null | undefined;

/**
 * One feature's values down the rows, as a tensor brings them (OIP infer: one [N, 1] input per
 * feature). Any value that is not a number (numeric feature) or a known category (categorical)
 * encodes as missing, as a null does in a record: "" and NaN, how tensors say missing, included.
 */
export type FeatureValues = ArrayLike<unknown>;

export class DenseEncodingError extends Error {
  constructor(message: string) {
    super(`the model's encoded columns cannot be built in JavaScript: ${message}`);
    this.name = 'DenseEncodingError';
  }
}

function slotsOf(encodedColumns: readonly string[]): FeatureSlot[] {
  const index = new Map(encodedColumns.map((name, i) => [name, i]));
  const slots: FeatureSlot[] = [];
  let claimed = 0;
  for (const [position, feature] of FEATURES.entries()) {
    if (feature.kind === 'numeric') {
      const column = index.get(feature.name);
      if (column === undefined) continue;
      slots.push({ name: feature.name, position, kind: 'numeric', column });
      claimed += 1;
    } else if (feature.ordinal) {
      const column = index.get(`${feature.name}#rank`);
      if (column === undefined) continue;
      slots.push({
        name: feature.name,
        position,
        kind: 'ordinal',
        column,
        rank: new Map(feature.ordinal.map((c, i) => [c, i])),
      });
      claimed += 1;
    } else {
      const prefix = `${feature.name}=`;
      const columns = new Map(
        encodedColumns.flatMap((name, i) => (name.startsWith(prefix) ? [[name.slice(prefix.length), i] as const] : [])),
      );
      slots.push({ name: feature.name, position, kind: 'onehot', columns });
      claimed += columns.size;
    }
  }
  if (claimed !== encodedColumns.length)
    throw new DenseEncodingError(
      `${encodedColumns.length - claimed} of ${encodedColumns.length} columns name no feature`,
    );
  return slots;
}

/** Writes one record's cells into a row starting at `base`; one-hot cells it does not set stay as they are. */
type RowWriter = (record: LoanRecord, out: Float32Array, base: number) => void;

/**
 * The row writer of `slots`, generated as code that names each feature (`r["loan_amnt"]`) instead
 * of a loop reading `record[slot.name]`. Request records share one shape, so V8 reads each named
 * field through its own inline cache, while the loop reads every field through one site that sees
 * ten names and falls back to a generic lookup: on 1,000 JSON-parsed rows 159 µs -> 69 µs, about
 * a tenth of the API's event-loop time for an `instances` request. Only feature names from the
 * schema (FEATURES) and column numbers go into the code, each written by JSON.stringify.
 */
function rowWriter(slots: readonly FeatureSlot[]): RowWriter {
  const lookups: ReadonlyMap<string, number>[] = [];
  const statements = slots.map((slot) => {
    const read = `v = r[${JSON.stringify(slot.name)}];`;
    if (slot.kind === 'numeric') return `${read} out[b + ${slot.column}] = typeof v === 'number' ? v : NaN;`;
    const map = `maps[${lookups.push(slot.kind === 'ordinal' ? slot.rank : slot.columns) - 1}]`;
    if (slot.kind === 'ordinal')
      return `${read} out[b + ${slot.column}] = (typeof v === 'string' ? ${map}.get(v) : undefined) ?? NaN;`;
    return `${read} if (typeof v === 'string') { c = ${map}.get(v); if (c !== undefined) out[b + c] = 1; }`;
  });
  const source = `return function writeRow(r, out, b) { let v, c; ${statements.join(' ')} };`;
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- generated from the schema's names, see above
  return (new Function('maps', source) as (maps: readonly ReadonlyMap<string, number>[]) => RowWriter)(lookups);
}

/**
 * Encodes loan records as model-dense.onnx wants them: numbers as float32 (NaN when missing),
 * ordered categories as their rank (unknown or missing: NaN), other categories one-hot over the
 * trained categories (unknown or missing: all zeros), exactly as model.onnx's encoders do.
 */
export class DenseEncoder {
  readonly width: number;
  private readonly slots: readonly FeatureSlot[];
  private readonly writeRow: RowWriter;

  constructor(encodedColumns: readonly string[]) {
    this.width = encodedColumns.length;
    this.slots = slotsOf(encodedColumns);
    this.writeRow = rowWriter(this.slots);
  }

  /** Writes one record's row at `row` of a row-major matrix (the row's cells are all set). */
  encodeInto(record: LoanRecord, out: Float32Array, row: number): void {
    const base = row * this.width;
    out.fill(0, base, base + this.width);
    this.writeRow(record, out, base);
  }

  /** The same for a row of values in the feature schema's order (FEATURE_NAMES), as batch chunks carry them. */
  encodeValuesInto(values: readonly Cell[], out: Float32Array, row: number): void {
    const base = row * this.width;
    out.fill(0, base, base + this.width);
    for (const slot of this.slots) this.put(slot, values[slot.position], out, base);
  }

  /**
   * Sets one feature of an already encoded row to `value` (the feature at `position` in the
   * schema): the row's other features keep their cells. Explanations build their
   * one-feature-at-reference variants this way, from a copy of the encoded row.
   */
  replaceValueInto(position: number, value: Cell, out: Float32Array, row: number): void {
    const base = row * this.width;
    for (const slot of this.slots) {
      if (slot.position !== position) continue;
      if (slot.kind === 'onehot') for (const column of slot.columns.values()) out[base + column] = 0;
      this.put(slot, value, out, base);
    }
  }

  /** The records as one row-major float32 matrix [records.length, width]. */
  encode(records: readonly LoanRecord[]): Float32Array {
    // A new array is all zeros already: no row needs clearing first.
    const out = new Float32Array(records.length * this.width);
    this.encodeRecordsInto(records, out, 0);
    return out;
  }

  /** Writes the records at rows `first`.. of a row-major matrix whose cells there are still zero. */
  encodeRecordsInto(records: readonly LoanRecord[], out: Float32Array, first: number): void {
    for (let i = 0; i < records.length; i++) this.writeRow(records[i], out, (first + i) * this.width);
  }

  /**
   * Writes `rows` rows given as columns at rows `first`.. of a row-major matrix whose cells there
   * are still zero: `columns[p]` holds the values of the feature at position p of the schema
   * (FEATURES), undefined when every row lacks it. The cells are those encodeInto writes for the
   * same values as records, so a request scores the same whichever shape it came in; each feature
   * is one loop down its column, with no object per row.
   */
  encodeColumnsInto(
    columns: readonly (FeatureValues | undefined)[],
    rows: number,
    out: Float32Array,
    first: number,
  ): void {
    const width = this.width;
    for (const slot of this.slots) {
      const values = columns[slot.position];
      const start = first * width;
      if (slot.kind === 'onehot') {
        if (values === undefined) continue;
        for (let i = 0, at = start; i < rows; i++, at += width) {
          const v = values[i];
          const column = typeof v === 'string' ? slot.columns.get(v) : undefined;
          if (column !== undefined) out[at + column] = 1;
        }
      } else if (slot.kind === 'numeric') {
        for (let i = 0, at = start + slot.column; i < rows; i++, at += width) {
          const v = values?.[i];
          out[at] = typeof v === 'number' ? v : Number.NaN;
        }
      } else {
        for (let i = 0, at = start + slot.column; i < rows; i++, at += width) {
          const v = values?.[i];
          out[at] = (typeof v === 'string' ? slot.rank.get(v) : undefined) ?? Number.NaN;
        }
      }
    }
  }

  private put(slot: FeatureSlot, value: Cell, out: Float32Array, base: number): void {
    if (slot.kind === 'numeric') {
      out[base + slot.column] = typeof value === 'number' ? value : Number.NaN;
    } else if (slot.kind === 'ordinal') {
      out[base + slot.column] = (typeof value === 'string' ? slot.rank.get(value) : undefined) ?? Number.NaN;
    } else if (typeof value === 'string') {
      const column = slot.columns.get(value);
      if (column !== undefined) out[base + column] = 1;
    }
  }
}
