/**
 * Streams a training CSV (plain or .gz) through csv-parse, validates every row against the
 * feature schema and reports every skipped row by reason. Nothing is dropped silently.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { parse, type Parser } from 'csv-parse';
import { FEATURE_NAMES, LABEL, parseCsvRow, type LoanRecord } from '@peerloan/contracts';
import { openCsvSource } from './csv-source.js';
import { DataError } from './errors/data-error.js';
import { LoanTable } from './loan-table.js';

export interface BadRowReport {
  readonly count: number;
  /** "field: message" -> rows with that problem (a row can have several). */
  readonly reasons: Readonly<Record<string, number>>;
  /** Line numbers (1-based, header is line 1) of the first bad rows. */
  readonly firstLines: readonly number[];
}

export interface ReadResult {
  readonly table: LoanTable;
  /** The CSV's columns as its header names them, in order. */
  readonly header: readonly string[];
  readonly sha256: string;
  readonly totalRows: number;
  readonly bad: BadRowReport;
}

export interface ReadOptions {
  /** Abort when more than this share of rows is bad (0..1). */
  readonly maxBadShare: number;
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  /** The command-line option that named the file, for the error message (default --data). */
  readonly option?: string;
}

const FIRST_LINES_KEPT = 10;

function checkHeader(header: readonly string[], path: string): void {
  const missing = [...FEATURE_NAMES, LABEL].filter((name) => !header.includes(name));
  if (missing.length === 0) return;
  const what =
    missing.includes(LABEL) && missing.length === 1
      ? `the label column "${LABEL}" is missing`
      : `columns missing: ${missing.join(', ')}`;
  throw new DataError(`${path}: ${what} (header has: ${header.join(', ')})`);
}

export async function readTrainingCsv(path: string, options: ReadOptions): Promise<ReadResult> {
  const totalBytes = await stat(path)
    .then((s) => s.size)
    .catch(() => {
      throw new DataError(
        `${path}: no such file; pass the ${options.option === '--validation-data' ? 'later-period' : 'training'} CSV with ${options.option ?? '--data'} <file>`,
      );
    });
  // The fingerprint is of the CSV's text, so a file and its gzip train the same version.
  const hash = createHash('sha256');
  const source = await openCsvSource(path, (err) => {
    // Called only once the stream runs, after `parser` below exists.
    parser.destroy(
      new DataError(
        `${path}: not a readable gzip file (${err.message}); compress the CSV with gzip again or pass it uncompressed`,
      ),
    );
  });
  let bytesRead = 0;
  source.file.on('data', (chunk: Buffer) => {
    bytesRead += chunk.length;
    options.onProgress?.(bytesRead, totalBytes);
  });
  source.text.on('data', (chunk: Buffer) => hash.update(chunk));
  let header: readonly string[] = [];
  const parser: Parser = source.text.pipe(
    parse({
      columns: (columns: string[]) => {
        checkHeader(columns, path);
        header = columns;
        return columns;
      },
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }),
  );

  const records: LoanRecord[] = [];
  const labels: number[] = [];
  const reasons: Record<string, number> = {};
  const firstLines: number[] = [];
  let badCount = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      const result = parseCsvRow(record, true);
      if (result.ok) {
        records.push(result.record);
        labels.push(result.label ?? 0);
        continue;
      }
      badCount += 1;
      if (firstLines.length < FIRST_LINES_KEPT) firstLines.push(info.lines);
      for (const e of result.errors) {
        const key = `${e.field}: ${e.message.replace(/(: ".*"|, got .*)$/, '')}`;
        reasons[key] = (reasons[key] ?? 0) + 1;
      }
    }
  } catch (err) {
    if (err instanceof DataError) throw err;
    throw new DataError(`${path}: cannot parse CSV: ${(err as Error).message}`);
  }

  const totalRows = records.length + badCount;
  const bad: BadRowReport = { count: badCount, reasons, firstLines };
  checkBadShare(path, totalRows, bad, options.maxBadShare);
  return { table: LoanTable.fromRecords(records, labels), header, sha256: hash.digest('hex'), totalRows, bad };
}

function checkBadShare(path: string, totalRows: number, bad: BadRowReport, maxBadShare: number): void {
  if (totalRows === 0) throw new DataError(`${path}: no data rows after the header`);
  const share = bad.count / totalRows;
  if (share <= maxBadShare) return;
  const top = Object.entries(bad.reasons)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 3)
    .map(([reason, n]) => `${reason} (${n})`)
    .join('; ');
  throw new DataError(
    `${path}: ${bad.count} of ${totalRows} rows are invalid (${(share * 100).toFixed(1)}% > limit ${(maxBadShare * 100).toFixed(1)}%), ` +
      `first at lines ${bad.firstLines.join(', ')}; most common: ${top}`,
  );
}
