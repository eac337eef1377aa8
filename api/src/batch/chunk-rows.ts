/**
 * A batch worker's reading of one raw chunk: each record parsed (CSV through csv-parse, named by
 * the upload's header; JSON lines through JSON.parse), typed and validated against the serving
 * model as /predict validates, then the valid rows as feature values in schema order. Invalid
 * rows are counted and the first ones kept with their problems and original row numbers.
 */
import { parse } from 'csv-parse/sync';
import { FEATURE_NAMES, parseCsvRow, type LoanRecord } from '@peerloan/contracts';
import type { FieldProblem } from '../errors/request-error.js';
import type { RecordValidator } from '../request-validation.js';
import { completeRecord } from '../request-validation.js';
import type { RawChunk, UploadFormat } from './batch-upload.js';

export interface RowProblem {
  /** 1-based data row number (header excluded). */
  readonly row: number;
  readonly id: string;
  readonly errors: readonly FieldProblem[];
}

export interface ChunkRows {
  readonly ids: string[];
  /** Feature values in schema order, for the dense tensor. */
  readonly rows: (number | string | null)[][];
  /** The same rows as named records, for the audit trail. */
  readonly records: LoanRecord[];
  readonly invalid: number;
  readonly errors: RowProblem[];
}

/** Invalid rows kept with their problems, per chunk and per batch. */
export const ERRORS_KEPT = 100;

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
 * api/test/chunk-rows.test.ts), and splitting it is 3-4x cheaper than csv-parse, which was the
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
  return csvCells(chunk.records).map((cells) => {
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
  });
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

export function chunkRows(
  chunk: RawChunk,
  format: UploadFormat,
  header: readonly string[],
  validator: RecordValidator,
): ChunkRows {
  const out: ChunkRows = { ids: [], rows: [], records: [], invalid: 0, errors: [] };
  let invalid = 0;
  objectRows(chunk, format, header).forEach((objectRow, i) => {
    const row = chunk.firstRow + i;
    const id = idOf(objectRow.value, row);
    const result = validateRow(objectRow, format, validator);
    if ('errors' in result) {
      invalid += 1;
      if (out.errors.length < ERRORS_KEPT) out.errors.push({ row, id, errors: result.errors });
      return;
    }
    out.ids.push(id);
    out.records.push(result.record);
    out.rows.push(FEATURE_NAMES.map((name) => result.record[name] ?? null));
  });
  return { ...out, invalid };
}
