/**
 * A batch worker's reading of one raw chunk: each record parsed (CSV through csv-parse, named by
 * the upload's header; JSON lines through JSON.parse), typed and validated against the serving
 * model as /predict validates, then the valid rows as feature values in schema order. Invalid
 * rows are counted and the first ones kept with their problems and original row numbers.
 * A CSV row whose cells the serving model accepts as they are is typed straight from its cells
 * (csvRowReader); any other row takes the full path, which says what is wrong with it.
 */
import { parse } from 'csv-parse/sync';
import {
  acceptsValue,
  APPLICANT_ID_FIELD,
  FEATURE_NAMES,
  FEATURES,
  parseCsvRow,
  type FieldRule,
  type LoanRecord,
} from '@peerloan/contracts';
import type { FieldProblem } from './errors/request-error.js';
import { ERRORS_KEPT, type RawChunk, type RowProblem, type UploadFormat } from './queues/batch-jobs.js';
import type { RecordValidator } from './request-validation.js';
import { completeRecord } from './request-validation.js';

export interface ChunkRows {
  readonly ids: string[];
  /** Each valid row's 1-based data row number in the upload. */
  readonly rowNumbers: number[];
  /** Feature values in schema order, for the dense tensor. */
  readonly rows: (number | string | null)[][];
  /** The same rows as named records, for the audit trail. */
  readonly records: LoanRecord[];
  readonly invalid: number;
  readonly errors: RowProblem[];
}

type ObjectRow = { value: unknown; problem?: FieldProblem };

const CSV_OPTIONS = { relax_column_count: true, record_delimiter: '\n' } as const;

/**
 * Quoted CSV records as cell arrays, one per record. One csv-parse run over all of them when they
 * read cleanly as exactly these records; otherwise record by record, so one malformed record is
 * that row's problem, not the chunk's.
 */
function quotedCells(records: readonly string[]): (string[] | Error)[] {
  try {
    const all = parse(records.join('\n'), CSV_OPTIONS);
    if (all.length === records.length) return all;
  } catch {
    // fall through to one record at a time
  }
  return records.map((text) => {
    try {
      const rows = parse(text, CSV_OPTIONS);
      return rows.length === 1 ? rows[0] : new Error(`reads as ${rows.length} records`);
    } catch (err) {
      return err as Error;
    }
  });
}

/**
 * The chunk's CSV records as cell arrays. A record without a double quote has no quoting to
 * undo: its cells are exactly its text between commas (what csv-parse gives it, checked by
 * scoring/test/chunk-rows.test.ts), and splitting it is 3-4x cheaper than csv-parse, which was the
 * largest cost of a worker's chunk. Records with quotes go through csv-parse.
 */
export function csvCells(records: readonly string[]): (string[] | Error)[] {
  const cells = new Array<string[] | Error>(records.length);
  const quoted: number[] = [];
  records.forEach((text, i) => {
    if (text.includes('"')) quoted.push(i);
    else cells[i] = text.split(',');
  });
  if (quoted.length > 0) quotedCells(quoted.map((i) => records[i])).forEach((result, k) => (cells[quoted[k]] = result));
  return cells;
}

function objectRows(chunk: RawChunk, format: UploadFormat, header: readonly string[]): ObjectRow[] {
  if (format === 'ndjson') {
    return chunk.records.map((line) => {
      try {
        return { value: JSON.parse(line) as unknown };
      } catch {
        return { value: undefined, problem: { field: '(line)', message: 'is not valid JSON' } };
      }
    });
  }
  return csvCells(chunk.records).map((cells) => csvObjectRow(cells, header));
}

/** A CSV record as the header's column -> cell text, or why it cannot be one. */
function csvObjectRow(cells: string[] | Error, header: readonly string[]): ObjectRow {
  if (cells instanceof Error)
    return { value: undefined, problem: { field: '(row)', message: `is not readable CSV: ${cells.message}` } };
  const record: Record<string, string> = {};
  for (let i = 0; i < header.length; i++) record[header[i]] = cells[i];
  // A row with more or fewer cells than the header has its values in the wrong columns.
  const problem =
    cells.length === header.length
      ? undefined
      : { field: '(row)', message: `has ${cells.length} cells, the header has ${header.length}` };
  return { value: record, problem };
}

function idOf(value: unknown, row: number): string {
  const id = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).id : undefined;
  if (id === undefined || id === null || id === '') return String(row);
  if (typeof id === 'string' || typeof id === 'number' || typeof id === 'boolean') return String(id);
  // An id that is not a scalar is kept as its JSON, not as "[object Object]".
  return JSON.stringify(id);
}

/** One row -> a complete record, or its problems. CSV text is typed by the shared row parser first. */
function validateRow(
  { value, problem }: ObjectRow,
  format: UploadFormat,
  validator: RecordValidator,
): { record: LoanRecord } | { errors: FieldProblem[] } {
  if (problem) return { errors: [problem] };
  let candidate: unknown = value;
  if (format === 'csv') {
    const typed = parseCsvRow(value as Record<string, string>, false);
    if (!typed.ok) return { errors: [...typed.errors] };
    candidate = typed.record;
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { id: _id, ...features } = value as Record<string, unknown>;
    candidate = features;
  }
  const problems = validator.check(candidate);
  if (problems.length > 0) return { errors: problems };
  return { record: completeRecord(candidate as Record<string, unknown>, validator.rules) };
}

/** Where one feature sits in the upload's header (-1: no such column) and what the model accepts in it. */
interface ColumnReader {
  readonly rule: FieldRule;
  readonly position: number;
}

/** A value the model accepts for this cell text (the one feature validator says), or undefined when the full path must judge it. */
function cellValue(reader: ColumnReader, text: string | undefined): number | string | null | undefined {
  const trimmed = (text ?? '').trim();
  const { rule } = reader;
  if (trimmed === '') return rule.nullable ? null : undefined;
  const value = rule.kind === 'categorical' ? trimmed : Number(trimmed);
  return acceptsValue(rule, value) ? value : undefined;
}

/**
 * The shortcut for CSV rows the model accepts as they are: each feature's cell typed as the shared
 * row parser types it and checked against the same rules Ajv compiles (bounds, whole numbers,
 * the model's categories, nullability), without an object per row and cell. It only accepts:
 * a row it does not accept goes through parseCsvRow and Ajv, which word the problems. Undefined
 * when the model's features are not the schema's (then every row takes the full path).
 */
function csvRowReader(header: readonly string[], rules: readonly FieldRule[]): ColumnReader[] | undefined {
  if (rules.length !== FEATURES.length) return undefined;
  const byName = new Map(rules.map((rule) => [rule.name, rule]));
  const readers: ColumnReader[] = [];
  for (const feature of FEATURES) {
    const rule = byName.get(feature.name);
    if (!rule || rule.kind !== feature.kind) return undefined;
    // The last of equal names, as the full path's header -> cell object keeps the last.
    const position = header.lastIndexOf(feature.name);
    readers.push({ rule, position });
  }
  return readers;
}

/** The row's values in schema order, or undefined when the full path must judge the row. */
function acceptedValues(
  cells: readonly string[],
  readers: readonly ColumnReader[],
): (number | string | null)[] | undefined {
  const values = new Array<number | string | null>(readers.length);
  for (let i = 0; i < readers.length; i++) {
    const reader = readers[i];
    const value = cellValue(reader, reader.position < 0 ? undefined : cells[reader.position]);
    if (value === undefined) return undefined;
    values[i] = value;
  }
  return values;
}

/** The values as a named record, in schema order (the audit trail's inputs). */
function recordOf(values: readonly (number | string | null)[]): LoanRecord {
  const record: LoanRecord = {};
  for (let i = 0; i < FEATURE_NAMES.length; i++) record[FEATURE_NAMES[i]] = values[i];
  return record;
}

export function chunkRows(
  chunk: RawChunk,
  format: UploadFormat,
  header: readonly string[],
  validator: RecordValidator,
): ChunkRows {
  const out = {
    ids: [] as string[],
    rowNumbers: [] as number[],
    rows: [] as (number | string | null)[][],
    records: [] as LoanRecord[],
  };
  const errors: RowProblem[] = [];
  let invalid = 0;
  const accept = (id: string, row: number, values: (number | string | null)[], record: LoanRecord) => {
    out.ids.push(id);
    out.rowNumbers.push(row);
    out.rows.push(values);
    out.records.push(record);
  };
  const judge = (objectRow: ObjectRow, row: number) => {
    const id = idOf(objectRow.value, row);
    const result = validateRow(objectRow, format, validator);
    if ('errors' in result) {
      invalid += 1;
      if (errors.length < ERRORS_KEPT) errors.push({ row, id, errors: result.errors });
      return;
    }
    accept(
      id,
      row,
      FEATURE_NAMES.map((name) => result.record[name] ?? null),
      result.record,
    );
  };
  if (format === 'ndjson') {
    objectRows(chunk, format, header).forEach((objectRow, i) => {
      judge(objectRow, chunk.firstRow + i);
    });
    return { ...out, invalid, errors };
  }
  const readers = csvRowReader(header, validator.rules);
  const idPosition = header.lastIndexOf(APPLICANT_ID_FIELD);
  csvCells(chunk.records).forEach((cells, i) => {
    const row = chunk.firstRow + i;
    const values =
      readers && !(cells instanceof Error) && cells.length === header.length
        ? acceptedValues(cells, readers)
        : undefined;
    if (!values || cells instanceof Error) {
      judge(csvObjectRow(cells, header), row);
      return;
    }
    const id = idPosition < 0 || cells[idPosition] === '' ? String(row) : cells[idPosition];
    accept(id, row, values, recordOf(values));
  });
  return { ...out, invalid, errors };
}
