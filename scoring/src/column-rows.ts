/**
 * Rows that came as one column per feature (OIP infer: a named [N, 1] tensor per feature), scored
 * without an object per row. The columns are checked a column at a time against the model's field
 * rules with the predicate the JSON validator's schema is built from (acceptsValue); a request
 * with any value they refuse takes the record path instead, whose validator names every problem in
 * the words /predict uses. Accepted columns are encoded straight into the dense matrix, a column
 * at a time.
 */
import {
  acceptsValue,
  FEATURE_NAMES,
  type DenseEncoder,
  type FeatureValues,
  type FieldRule,
  type LoanRecord,
} from '@peerloan/contracts';
import { RequestError } from './errors/request-error.js';
import { completeRecord, type RecordValidator } from './request-validation.js';
import { recordRows, type RowBatch } from './row-batch.js';

/** One input tensor's values, by the feature it names. */
export interface FeatureColumn {
  readonly name: string;
  readonly values: FeatureValues;
}

const POSITION = new Map(FEATURE_NAMES.map((name, i) => [name, i]));

/** Tensors cannot hold null: a missing value arrives as "" (BYTES) or NaN (binary FP32). */
export function missingAsNull(value: unknown): unknown {
  return value === '' || Number.isNaN(value) ? null : value;
}

/** The rows as objects, a field per column in the columns' order, missing values null: not yet validated. */
export function columnObjects(columns: readonly FeatureColumn[], rows: number): Record<string, unknown>[] {
  return Array.from({ length: rows }, (_, row) => rowObject(columns, row));
}

function rowObject(columns: readonly FeatureColumn[], row: number): Record<string, unknown> {
  return Object.fromEntries(columns.map(({ name, values }) => [name, missingAsNull(values[row])]));
}

/** Loops rather than find(closure): these run on every infer request. */
function columnNamed(columns: readonly FeatureColumn[], name: string): FeatureColumn | undefined {
  for (const column of columns) if (column.name === name) return column;
  return undefined;
}

function hasRule(rules: readonly FieldRule[], name: string): boolean {
  for (const rule of rules) if (rule.name === name) return true;
  return false;
}

/** Whether each value is one `rule` allows: what the validator says of the same values in objects. */
function columnAccepted(rule: FieldRule, values: FeatureValues, rows: number): boolean {
  for (let i = 0; i < rows; i++) {
    const value = missingAsNull(values[i]);
    if (value === null || value === undefined ? !rule.nullable : !acceptsValue(rule, value)) return false;
  }
  return true;
}

/**
 * Whether the model's validator would accept every row of columnObjects(columns): each column a
 * feature of the model, each value allowed, each feature left out nullable. Asked without
 * building the rows.
 */
export function acceptsColumns(rules: readonly FieldRule[], columns: readonly FeatureColumn[], rows: number): boolean {
  for (const column of columns) if (!hasRule(rules, column.name)) return false;
  for (const rule of rules) {
    const column = columnNamed(columns, rule.name);
    if (column ? !columnAccepted(rule, column.values, rows) : !rule.nullable) return false;
  }
  return true;
}

/** Accepted columns as a batch: encoded a column at a time; records made only when asked for. */
export class ColumnRows implements RowBatch {
  private made: LoanRecord[] | undefined;
  /** The columns by the feature's position in the schema, undefined where left out. */
  private readonly byPosition: (FeatureValues | undefined)[];

  constructor(
    private readonly columns: readonly FeatureColumn[],
    readonly length: number,
    private readonly rules: readonly FieldRule[],
  ) {
    this.byPosition = new Array<FeatureValues | undefined>(FEATURE_NAMES.length);
    for (const { name, values } of columns) {
      const position = POSITION.get(name);
      if (position !== undefined) this.byPosition[position] = values;
    }
  }

  encodeInto(encoder: DenseEncoder, out: Float32Array, first: number): void {
    encoder.encodeColumnsInto(this.byPosition, this.length, out, first);
  }

  records(): readonly LoanRecord[] {
    this.made ??= columnObjects(this.columns, this.length).map((value) => completeRecord(value, this.rules));
    return this.made;
  }

  recordAt(row: number): LoanRecord {
    return this.made?.[row] ?? completeRecord(rowObject(this.columns, row), this.rules);
  }
}

/**
 * The rows of the columns, validated against the model: ColumnRows when every value is allowed;
 * otherwise the rows as records, checked one by one as /predict checks them, and a 400 listing
 * every problem with its row (`row 3: dti ...`).
 */
export function validColumnRows(columns: readonly FeatureColumn[], rows: number, validator: RecordValidator): RowBatch {
  if (acceptsColumns(validator.rules, columns, rows)) return new ColumnRows(columns, rows, validator.rules);
  const objects = columnObjects(columns, rows);
  const problems = objects.flatMap((value, i) => validator.check(value, `row ${i}: `));
  if (problems.length > 0) throw new RequestError(400, 'invalid input', problems);
  return recordRows(objects.map((value) => completeRecord(value, validator.rules)));
}
