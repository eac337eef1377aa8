/**
 * /predict's reasons never contradict a monotone constraint: with a model trained with directions
 * (rising int_rate, grade, delinq_2yrs; falling annual_inc, emp_length), a reason on a constrained
 * feature always has the applicant on the risky side of the typical value. A model trained on
 * the same loans without constraints does give contradicting reasons, so the check can tell.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, describe, test } from 'node:test';
import { FEATURE_NAMES, featureByName, LABEL, type LoanRecord } from '@peerloan/contracts';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';
import type { RunningServer } from '../src/server.js';
import { postJson } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { startApi } from './helpers/api-server.js';
import { applicants, tempDir } from '@peerloan/scoring/dist/test/helpers/trained-model.js';

const run = promisify(execFile);
const TRAINER = fileURLToPath(new URL('../../../trainer-job/bin/loanrisk-train.js', import.meta.url));
// Only the constrained features have a direction.
const DIRECTIONS: Partial<Record<string, 1 | -1>> = {
  int_rate: 1,
  grade: 1,
  delinq_2yrs: 1,
  annual_inc: -1,
  emp_length: -1,
};
const CONFIG = {
  folds: 3,
  grid: { max_depth: [4], eta: [0.3], min_child_weight: [1], subsample: [1], colsample_bytree: [1] },
  imbalance: ['none'],
  maxRounds: 80,
  earlyStoppingRounds: 15,
  bootstrapResamples: 200,
};

async function trainInto(root: string, extra: object): Promise<void> {
  const work = await tempDir('api-explain');
  const lines = [[...FEATURE_NAMES, LABEL].join(',')];
  for (const { record, label } of generateLoans({ rows: 8000, seed: 21 }))
    lines.push([...FEATURE_NAMES.map((f) => record[f] ?? ''), label].join(','));
  await writeFile(join(work, 'loans.csv'), `${lines.join('\n')}\n`);
  await writeFile(join(work, 'config.json'), JSON.stringify({ ...CONFIG, ...extra }));
  await run('node', [
    TRAINER,
    '--data',
    join(work, 'loans.csv'),
    '--out',
    root,
    '--config',
    join(work, 'config.json'),
    '--termination-log',
    join(work, 'termination.json'),
    '--quiet',
  ]);
}

/** Numbers compare as numbers, ordered categories by rank; a missing value has no side. */
function order(feature: string, value: number | string | null): number | undefined {
  if (value === null) return undefined;
  if (typeof value === 'number') return value;
  const ranks = featureByName(feature);
  return ranks?.kind === 'categorical' && ranks.ordinal ? ranks.ordinal.indexOf(value) : undefined;
}

interface Reason {
  feature: string;
  value: number | string | null;
  reference: number | string | null;
  contribution: number;
}

/** Reasons whose applicant value lies on the safe side of the reference of a constrained feature. */
function contradictions(reasons: readonly Reason[][]): Reason[] {
  return reasons.flat().filter((r) => {
    const direction = DIRECTIONS[r.feature];
    const value = order(r.feature, r.value);
    const reference = order(r.feature, r.reference);
    if (!direction || value === undefined || reference === undefined) return false;
    return direction * (value - reference) <= 0;
  });
}

/** Generated applicants, and the same with each constrained feature moved to its safe extreme. */
function people(): LoanRecord[] {
  const base = applicants(120, 4242);
  const safe: LoanRecord = { int_rate: 0.06, grade: 'A', delinq_2yrs: 0, annual_inc: 250000, emp_length: '10+ years' };
  return [...base, ...base.map((p) => ({ ...p, ...safe, dti: 35, revol_util: 0.95 }))];
}

async function reasonsFor(root: string): Promise<{ api: RunningServer; reasons: Reason[][] }> {
  const api = await startApi({ MODEL_DIR: root, MAX_INSTANCES: '500' });
  const res = await postJson(`${api.url}/predict`, { instances: people() });
  assert.equal(res.status, 200);
  const { predictions } = res.body as { predictions: { reasons: Reason[] }[] };
  return { api, reasons: predictions.map((p) => p.reasons) };
}

describe('reasons and monotone constraints', () => {
  const servers: RunningServer[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => s.shutdown()));
  });

  test('no reason goes against a constrained direction', async () => {
    const root = await tempDir('api-monotone');
    await trainInto(root, { monotone: DIRECTIONS });
    const { api, reasons } = await reasonsFor(root);
    servers.push(api);
    assert.ok(
      reasons.flat().some((r) => r.feature in DIRECTIONS),
      'constrained features appear among the reasons',
    );
    assert.deepEqual(contradictions(reasons), []);
  });

  test('without constraints the same applicants get contradicting reasons', async () => {
    const root = await tempDir('api-free');
    await trainInto(root, {});
    const { api, reasons } = await reasonsFor(root);
    servers.push(api);
    assert.ok(contradictions(reasons).length > 0);
  });
});
