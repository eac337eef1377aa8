/**
 * Reads a portfolio upload as it streams in (CSV through csv-parse, or JSON lines), validates
 * each row against the serving model, and packs the valid rows into chunks. Invalid rows are
 * counted and the first ones kept with their problems; the upload's size is capped.
 */
import { createInterface } from 'node:readline';
import { Transform, type Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { FEATURE_NAMES, parseCsvRow, type LoanRecord } from '@peerloan/contracts';
import { RequestError, type FieldProblem } from '../errors/request-error.js';
import type { RecordValidator } from '../request-validation.js';
import { completeRecord } from '../request-validation.js';

export type UploadFormat = 'csv' | 'ndjson';

/** Valid rows of one chunk: ids, and feature values in schema order. */
export interface ChunkPayload {
  readonly ids: readonly string[];
  readonly rows: readonly (readonly (number | string | null)[])[];
}

export interface RowProblem {
  /** 1-based data row number (header excluded). */
  readonly row: number;
  readonly id: string;
  readonly errors: readonly FieldProblem[];
}

export interface ParsedUpload {
  readonly chunks: readonly ChunkPayload[];
  readonly valid: number;
  readonly invalid: number;
  readonly errors: readonly RowProblem[];
}

const ERRORS_KEPT = 100;
/** Longest CSV record: a loan row is well under 1 KiB; a runaway quote or a line without breaks stops here, not in memory. */
const MAX_CSV_RECORD_BYTES = 64 * 1024;

/**
 * Caps the size and refuses bytes that are not UTF-8 (decoded as a stream, so a character split
 * across chunks is fine). The failure goes down the pipe to the parser and the rest of the body is
 * read and dropped, so the client gets the 4xx answer rather than a reset connection.
 */
function checkedInput(input: Readable, maxBytes: number): Readable {
  let seen = 0;
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  const checked = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > maxBytes) return done(new RequestError(413, `the upload is larger than ${maxBytes} bytes; split the portfolio`));
      try {
        utf8.decode(chunk, { stream: true });
      } catch {
        return done(new RequestError(400, `the upload is not UTF-8 text (invalid bytes in bytes ${seen - chunk.length} to ${seen}); save it as UTF-8`));
      }
      done(null, chunk);
    },
    flush(done) {
      try {
        utf8.decode();
      } catch {
        return done(new RequestError(400, 'the upload ends inside a UTF-8 character; save it as UTF-8'));
      }
      done();
    },
  });
  checked.on('error', () => {
    input.unpipe(checked);
    input.resume();
  });
  input.on('error', (err) => checked.destroy(err));
  return input.pipe(checked);
}

/** The header names every feature once; a column left out would score every row as if the value were missing. */
function checkHeader(header: readonly string[]): void {
  const missing = FEATURE_NAMES.filter((name) => !header.includes(name));
  const repeated = header.filter((name, i) => header.indexOf(name) !== i);
  const problems: FieldProblem[] = [
    ...missing.map((field) => ({ field, message: 'is missing from the CSV header' })),
    ...[...new Set(repeated)].map((field) => ({ field, message: 'appears more than once in the CSV header' })),
  ];
  if (problems.length > 0) throw new RequestError(400, 'the CSV header does not name each feature once', problems);
}

type ObjectRow = { value: unknown; raw: 'csv' | 'json'; problem?: FieldProblem };

/** Rows as plain objects, whatever the format; NDJSON lines that are not JSON objects are problems. */
async function* objectRows(input: Readable, format: UploadFormat): AsyncGenerator<ObjectRow> {
  if (format === 'csv') {
    // Rows as arrays, named here by the header: csv-parse's own column objects made 1M rows
    // take 18 s instead of 13 s to parse and validate (bench/queues.sh's 1M-row portfolio, timed in one process).
    const parser = input.pipe(parse({ bom: true, skip_empty_lines: true, relax_column_count: true, max_record_size: MAX_CSV_RECORD_BYTES }));
    input.on('error', (err) => parser.destroy(err));
    let header: string[] | undefined;
    for await (const cells of parser as AsyncIterable<string[]>) {
      if (!header) {
        header = cells.map((c) => c.trim());
        checkHeader(header);
        continue;
      }
      const record: Record<string, string> = {};
      for (let i = 0; i < header.length; i++) record[header[i]] = cells[i];
      // A row with more or fewer cells than the header has its values in the wrong columns.
      const problem = cells.length === header.length ? undefined : { field: '(row)', message: `has ${cells.length} cells, the header has ${header.length}` };
      yield { value: record, raw: 'csv', problem };
    }
    return;
  }
  const lines = createInterface({ input, crlfDelay: Infinity });
  input.on('error', (err) => lines.emit('error', err));
  for await (const line of lines) {
    if (line.trim() === '') continue;
    try {
      yield { value: JSON.parse(line) as unknown, raw: 'json' };
    } catch {
      yield { value: undefined, raw: 'json' };
    }
  }
}

function idOf(value: unknown, row: number): string {
  const id = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).id : undefined;
  return id === undefined || id === null || id === '' ? String(row) : String(id);
}

/** One row -> a complete record, or its problems. CSV text is typed by the shared row parser first. */
function validateRow({ value, raw, problem }: ObjectRow, validator: RecordValidator): { record: LoanRecord } | { errors: FieldProblem[] } {
  if (problem) return { errors: [problem] };
  if (value === undefined) return { errors: [{ field: '(line)', message: 'is not valid JSON' }] };
  let candidate: unknown = value;
  if (raw === 'csv') {
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

export async function parseUpload(input: Readable, format: UploadFormat, validator: RecordValidator, options: { maxBytes: number; chunkRows: number }): Promise<ParsedUpload> {
  const chunks: ChunkPayload[] = [];
  const errors: RowProblem[] = [];
  let ids: string[] = [];
  let rows: (number | string | null)[][] = [];
  let row = 0;
  let valid = 0;
  let invalid = 0;
  try {
    for await (const objectRow of objectRows(checkedInput(input, options.maxBytes), format)) {
      row += 1;
      const id = idOf(objectRow.value, row);
      const result = validateRow(objectRow, validator);
      if ('errors' in result) {
        invalid += 1;
        if (errors.length < ERRORS_KEPT) errors.push({ row, id, errors: result.errors });
        continue;
      }
      valid += 1;
      ids.push(id);
      rows.push(FEATURE_NAMES.map((name) => result.record[name] ?? null));
      if (rows.length === options.chunkRows) {
        chunks.push({ ids, rows });
        ids = [];
        rows = [];
      }
    }
  } catch (err) {
    if (err instanceof RequestError) throw err;
    throw new RequestError(400, `cannot read the upload as ${format === 'csv' ? 'CSV' : 'JSON lines'}: ${(err as Error).message}`);
  }
  if (rows.length > 0) chunks.push({ ids, rows });
  if (row === 0) throw new RequestError(400, 'the upload has no rows');
  return { chunks, valid, invalid, errors };
}
