/**
 * Loans for the journey, made the way a user makes them (`loanrisk-generate`), and read back
 * through the contracts' CSV row parser.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { parseCsvRow, type LoanRecord } from '@peerloan/contracts';
import { run } from './commands.js';

export async function generateCsv(
  dir: string,
  name: string,
  rows: number,
  seed: number,
  extra: readonly string[] = [],
): Promise<string> {
  const out = join(dir, name);
  await run('node', [
    'trainer-job/bin/loanrisk-generate.js',
    '--rows',
    String(rows),
    '--seed',
    String(seed),
    '--out',
    out,
    ...extra,
  ]);
  return out;
}

export function readLoans(csvPath: string, limit: number): LoanRecord[] {
  const rows = parse<Record<string, string>>(readFileSync(csvPath, 'utf8'), { columns: true, to: limit });
  return rows.map((row, i) => {
    const parsed = parseCsvRow(row, false);
    if (!parsed.ok) throw new Error(`row ${i + 1} of ${csvPath} is invalid: ${JSON.stringify(parsed.errors)}`);
    return parsed.record;
  });
}
