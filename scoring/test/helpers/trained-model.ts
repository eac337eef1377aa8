/**
 * Trains real models for the API tests: generated loans, the trainer's own CLI, a small search
 * (a few seconds). Each seed gives different data and so a different version.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CURRENT_POINTER, FEATURE_NAMES, LABEL, type LoanRecord, type TrainingSummary } from '@peerloan/contracts';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';

const run = promisify(execFile);
const TRAINER = fileURLToPath(new URL('../../../../trainer-job/bin/loanrisk-train.js', import.meta.url));

const SMALL_CONFIG = {
  folds: 3,
  grid: { max_depth: [3], eta: [0.2], min_child_weight: [1], subsample: [1], colsample_bytree: [1] },
  imbalance: ['none'],
  maxRounds: 40,
  earlyStoppingRounds: 10,
  threshold: { policy: 'max-flag-rate', value: 0.1 },
};

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `${prefix}-`));
}

/** Trains on `rows` loans generated with `seed` into the models root; returns the version. */
export async function trainModel(modelsRoot: string, seed: number, rows = 4000): Promise<string> {
  const work = await tempDir('api-train');
  const csv = join(work, 'loans.csv');
  const lines = [[...FEATURE_NAMES, LABEL].join(',')];
  for (const { record, label } of generateLoans({ rows, seed })) {
    lines.push([...FEATURE_NAMES.map((f) => record[f] ?? ''), label].join(','));
  }
  await writeFile(csv, `${lines.join('\n')}\n`);
  await writeFile(join(work, 'config.json'), JSON.stringify(SMALL_CONFIG));
  const { stdout } = await run('node', [
    TRAINER,
    '--data',
    csv,
    '--out',
    modelsRoot,
    '--config',
    join(work, 'config.json'),
    '--termination-log',
    join(work, 'termination.json'),
    '--quiet',
  ]);
  return (JSON.parse(stdout) as TrainingSummary).version;
}

/** Points the models root at a version the way the trainer does: a new file renamed over the old. */
export async function pointCurrentAt(modelsRoot: string, version: string): Promise<void> {
  const tmp = join(modelsRoot, `.pointer-${process.pid}`);
  await writeFile(tmp, `${version}\n`);
  await rename(tmp, join(modelsRoot, CURRENT_POINTER));
}

export async function currentVersion(modelsRoot: string): Promise<string> {
  return (await readFile(join(modelsRoot, CURRENT_POINTER), 'utf8')).trim();
}

/** Applicants from the generator (a different seed from training), as /predict takes them. */
export function applicants(count: number, seed = 12345): LoanRecord[] {
  return [...generateLoans({ rows: count, seed })].map((loan) => loan.record);
}
