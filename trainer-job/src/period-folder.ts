/**
 * A folder of period files (2026Q1.csv, 2026Q2.csv.gz, ...) as --data: ordered by name, the
 * newest is the out-of-time check and every older one is training data. Each file is read and
 * checked on its own (its bad-row share, its header), so an error names the file to fix.
 */
import { createHash } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { DataPeriod } from '@peerloan/contracts';
import { readTrainingCsv, type ReadOptions, type ReadResult } from './csv-reader.js';
import { DataError } from './errors/data-error.js';
import { LoanTable } from './loan-table.js';

/** A period file's name: one CSV, plain or gzip-compressed. */
export const PERIOD_FILE = /\.csv(\.gz)?$/i;

export interface PeriodFile {
  readonly file: string;
  readonly data: ReadResult;
}

export async function isFolder(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isDirectory(),
    () => false,
  );
}

/** The folder's period files by name, oldest first. */
export async function listPeriods(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile() && PERIOD_FILE.test(e.name))
    .map((e) => e.name)
    .sort();
  if (files.length === 0) {
    throw new DataError(
      `${dir}: no period files (*.csv or *.csv.gz) in the folder; put one CSV per period there, named so they sort oldest first (e.g. 2026Q1.csv)`,
    );
  }
  return files;
}

/** Reads every period file; all must share the first file's header. */
export async function readPeriods(dir: string, files: readonly string[], options: ReadOptions): Promise<PeriodFile[]> {
  const periods: PeriodFile[] = [];
  for (const file of files) {
    const data = await readTrainingCsv(join(dir, file), options);
    const first = periods.at(0);
    if (first && data.header.join(',') !== first.data.header.join(',')) {
      throw new DataError(
        `${join(dir, file)}: its header differs from ${first.file}'s (${data.header.join(', ')} vs ${first.data.header.join(', ')}); every period file needs the same columns in the same order`,
      );
    }
    periods.push({ file, data });
  }
  return periods;
}

/** The periods' rows as one read: one part stays as it is (the same fingerprint as the file alone). */
export function mergePeriods(parts: readonly PeriodFile[]): ReadResult {
  if (parts.length === 1) return parts[0].data;
  const reasons: Record<string, number> = {};
  for (const { data } of parts)
    for (const [reason, n] of Object.entries(data.bad.reasons)) reasons[reason] = (reasons[reason] ?? 0) + n;
  const hash = createHash('sha256');
  for (const { file, data } of parts) hash.update(`${file} ${data.sha256}\n`);
  return {
    table: LoanTable.concat(parts.map((p) => p.data.table)),
    header: parts[0].data.header,
    sha256: hash.digest('hex'),
    totalRows: parts.reduce((n, p) => n + p.data.totalRows, 0),
    bad: {
      count: parts.reduce((n, p) => n + p.data.bad.count, 0),
      reasons,
      firstLines: parts.find((p) => p.data.bad.count > 0)?.data.bad.firstLines ?? [],
    },
  };
}

export function describePeriod(period: PeriodFile, role: DataPeriod['role']): DataPeriod {
  const { table, sha256 } = period.data;
  return { file: period.file, rows: table.rows, positives: table.positives, sha256, role };
}
