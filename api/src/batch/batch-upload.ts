/**
 * Splits a portfolio upload as it streams in into raw chunks of records, without parsing or
 * validating the rows (the batch workers do that). What the API still checks here is cheap and
 * decides whether the upload can be read at all: its size, that it is UTF-8, that the CSV header
 * names every feature once, that no record runs past 64 KiB and that no quoted field is left open.
 * Only the chunk being filled is held in memory.
 */
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { FEATURE_NAMES } from '@peerloan/contracts';
import { RequestError, type FieldProblem } from '@peerloan/scoring';
import type { RawChunk, UploadFormat } from '@peerloan/scoring/queues';

export interface UploadSplit {
  /** The CSV header's cells (empty for JSON lines). */
  readonly header: readonly string[];
  readonly chunks: number;
  readonly total: number;
}

/** Storing a chunk failed (Redis away): the upload was fine, the service was not. */
export class StagingError extends Error {
  constructor(readonly reason: Error) {
    super(`the batch queue's Redis did not take the upload (${reason.message}); try again shortly`);
    this.name = 'StagingError';
  }
}

/** Longest record: a loan row is well under 1 KiB; a runaway quote or a line without breaks stops here, not in memory. */
export const MAX_RECORD_BYTES = 64 * 1024;
const NEWLINE = 0x0a;
const QUOTE = 0x22;

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

function headerCells(text: string): string[] {
  let rows: string[][];
  try {
    rows = parse(text.replace(/^\uFEFF/, ''), { relax_column_count: true });
  } catch (err) {
    throw new RequestError(400, `cannot read the upload as CSV: the header ${(err as Error).message}`);
  }
  const header = (rows[0] ?? []).map((c) => c.trim());
  checkHeader(header);
  return header;
}

/**
 * Record boundaries in a byte stream: every line break for JSON lines; for CSV only line breaks
 * outside double quotes (a doubled quote inside a quoted field toggles twice, so it stays inside).
 * Found with Buffer.indexOf, so the bytes between quotes and line breaks are not visited in JS.
 */
class RecordScanner {
  private parts: Buffer[] = [];
  private length = 0;
  private inQuotes = false;

  constructor(private readonly quoteAware: boolean) {}

  /** The complete records in this piece of the body, as UTF-8 text. */
  *records(piece: Buffer): Generator<string> {
    let start = 0;
    let at = 0;
    while (at < piece.length) {
      const newline = piece.indexOf(NEWLINE, at);
      if (this.quoteAware) {
        const quote = piece.indexOf(QUOTE, at);
        if (quote !== -1 && (this.inQuotes || newline === -1 || quote < newline)) {
          this.inQuotes = !this.inQuotes;
          at = quote + 1;
          continue;
        }
      }
      if (newline === -1) break;
      if (this.inQuotes) {
        at = newline + 1;
        continue;
      }
      yield this.take(piece.subarray(start, newline));
      start = at = newline + 1;
    }
    this.keep(piece.subarray(start));
  }

  /** The last record, when the body does not end with a line break. */
  rest(): string | undefined {
    if (this.inQuotes)
      throw new RequestError(
        400,
        'cannot read the upload as CSV: it ends inside a quoted field (a double quote is not closed)',
      );
    return this.length > 0 ? this.take(Buffer.alloc(0)) : undefined;
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.parts.push(bytes);
    this.length += bytes.length;
    if (this.length > MAX_RECORD_BYTES) this.tooLong();
  }

  private take(tail: Buffer): string {
    if (this.length + tail.length > MAX_RECORD_BYTES) this.tooLong();
    const bytes = this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail]);
    this.parts = [];
    this.length = 0;
    const text = bytes.toString('utf8');
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  }

  private tooLong(): never {
    throw new RequestError(
      400,
      `a record of the upload is longer than ${MAX_RECORD_BYTES} bytes (a quote left open, or a missing line break); check the file`,
    );
  }
}

/**
 * Streams the body once: checks size and UTF-8 as it goes, takes the CSV header from the first
 * record, and hands each full chunk of records to `stage` (awaited, so a slow Redis slows the
 * read rather than filling memory). Throws a RequestError for an upload that cannot be read.
 */
export async function splitUpload(
  input: Readable,
  format: UploadFormat,
  options: { maxBytes: number; chunkRows: number },
  stage: (chunk: RawChunk, index: number) => Promise<void>,
): Promise<UploadSplit> {
  const scanner = new RecordScanner(format === 'csv');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let header: string[] | undefined = format === 'csv' ? undefined : [];
  let records: string[] = [];
  let firstRow = 1;
  let total = 0;
  let chunks = 0;
  let seen = 0;

  const flush = async (): Promise<void> => {
    if (records.length === 0) return;
    const chunk = { firstRow, records };
    records = [];
    firstRow = total + 1;
    try {
      await stage(chunk, chunks++);
    } catch (err) {
      throw new StagingError(err as Error);
    }
  };
  const add = async (record: string): Promise<void> => {
    if (header === undefined) {
      if (record.replace(/^\uFEFF/, '') === '') return;
      header = headerCells(record);
      return;
    }
    if (format === 'csv' ? record === '' : record.trim() === '') return;
    records.push(record);
    total += 1;
    if (records.length === options.chunkRows) await flush();
  };

  try {
    for await (const piece of input as AsyncIterable<Buffer>) {
      seen += piece.length;
      if (seen > options.maxBytes)
        throw new RequestError(413, `the upload is larger than ${options.maxBytes} bytes; split the portfolio`);
      try {
        utf8.decode(piece, { stream: true });
      } catch {
        throw new RequestError(
          400,
          `the upload is not UTF-8 text (invalid bytes in bytes ${seen - piece.length} to ${seen}); save it as UTF-8`,
        );
      }
      for (const record of scanner.records(piece)) await add(record);
    }
    try {
      utf8.decode();
    } catch {
      throw new RequestError(400, 'the upload ends inside a UTF-8 character; save it as UTF-8');
    }
    const last = scanner.rest();
    if (last !== undefined) await add(last);
    await flush();
  } catch (err) {
    // The rest of the body is read and dropped, so the client gets the 4xx answer rather than a reset connection.
    input.resume();
    if (err instanceof RequestError || err instanceof StagingError) throw err;
    // zlib's errors carry codes such as Z_DATA_ERROR: a .gz upload that does not inflate.
    const code = (err as { code?: unknown } | null)?.code;
    if (typeof code === 'string' && code.startsWith('Z_'))
      throw new RequestError(
        400,
        `the upload is not valid gzip (${(err as Error).message}); check the file and send it again`,
      );
    throw new RequestError(400, `cannot read the upload: ${(err as Error).message}`);
  }
  if (header === undefined || total === 0) throw new RequestError(400, 'the upload has no rows');
  return { header, chunks, total };
}
