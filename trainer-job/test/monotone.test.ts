/**
 * Monotone constraints, end to end through the CLI: a model trained with directions for int_rate,
 * grade, delinq_2yrs (rising), annual_inc and emp_length (falling) scores a grid of generated
 * applicants, each with one constrained feature swept over its range, through model.onnx, and
 * the served probability never moves against the direction. The same sweep on a model trained
 * without constraints does find reversals, so the sweep can tell the difference.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { before, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import {
  FEATURE_NAMES,
  featureByName,
  recordsToColumns,
  type LoanRecord,
  type ModelCard,
  type ModelManifest,
  type TrainingSummary,
} from '@peerloan/contracts';
import { generateLoans } from '../src/synthetic-data.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/', import.meta.url));
const DIRECTIONS = { int_rate: 1, grade: 1, delinq_2yrs: 1, annual_inc: -1, emp_length: -1 } as const;
const CONFIG = {
  folds: 3,
  grid: { max_depth: [4], eta: [0.3], min_child_weight: [1], subsample: [1], colsample_bytree: [1] },
  imbalance: ['none', 'smote'],
  maxRounds: 80,
  earlyStoppingRounds: 15,
  bootstrapResamples: 200,
  stabilitySeeds: 1,
};
const STEPS = 30;

async function trainWith(
  dir: string,
  name: string,
  extra: object,
): Promise<{ manifest: ModelManifest; model: string }> {
  const config = join(dir, `${name}.json`);
  await writeFile(config, JSON.stringify({ ...CONFIG, ...extra }));
  const out = join(dir, name);
  const { stdout } = await run('node', [
    join(BIN, 'loanrisk-train.js'),
    '--data',
    join(dir, 'loans.csv'),
    '--out',
    out,
    '--config',
    config,
    '--termination-log',
    join(dir, `${name}.term`),
    '--quiet',
  ]);
  const { version } = JSON.parse(stdout) as TrainingSummary;
  return {
    manifest: JSON.parse(await readFile(join(out, version, 'manifest.json'), 'utf8')) as ModelManifest,
    model: join(out, version, 'model.onnx'),
  };
}

/** The values a feature is swept over, in increasing order: ranks for ordered categories, a grid for numbers. */
function sweep(manifest: ModelManifest, name: string): (number | string)[] {
  const feature = manifest.features.find((f) => f.name === name);
  const schema = featureByName(name);
  assert.ok(feature && schema, `${name} is in the manifest and the feature schema`);
  if (schema.kind === 'categorical') {
    const { categories } = feature;
    assert.ok(schema.ordinal && categories, `${name} is an ordered category with categories in the manifest`);
    return schema.ordinal.filter((c) => categories.includes(c));
  }
  const { min, max } = feature;
  assert.ok(min !== undefined && max !== undefined, `${name} has a range in the manifest`);
  return Array.from({ length: STEPS }, (_, i) => min + ((max - min) * i) / (STEPS - 1));
}

/** Per constrained feature: how many adjacent steps of the sweep go against its direction, over all applicants. */
async function reversals(
  manifest: ModelManifest,
  modelPath: string,
  applicants: readonly LoanRecord[],
): Promise<Record<string, number>> {
  const session = await ort.InferenceSession.create(modelPath);
  const out: Record<string, number> = {};
  for (const [name, direction] of Object.entries(DIRECTIONS)) {
    const values = sweep(manifest, name);
    const rows = applicants.flatMap((a) => values.map((v) => ({ ...a, [name]: v })));
    const columns = recordsToColumns(rows);
    const feeds = Object.fromEntries(
      Object.entries(columns).map(([n, v]) => [
        n,
        new ort.Tensor(v instanceof Float32Array ? 'float32' : 'string', v, [rows.length, 1]),
      ]),
    );
    const p = (await session.run(feeds)).probability.data as Float32Array;
    let count = 0;
    for (let a = 0; a < applicants.length; a++) {
      for (let k = 1; k < values.length; k++) {
        const step = p[a * values.length + k] - p[a * values.length + k - 1];
        if (direction * step < 0) count += 1;
      }
    }
    out[name] = count;
  }
  return out;
}

describe('monotone constraints', () => {
  let dir: string;
  const applicants = [...generateLoans({ rows: 200, seed: 99 })].map((l) => l.record);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'monotone-'));
    const lines = [[...FEATURE_NAMES, 'is_late'].join(',')];
    for (const { record, label } of generateLoans({ rows: 8000, seed: 21 }))
      lines.push([...FEATURE_NAMES.map((f) => record[f] ?? ''), label].join(','));
    await writeFile(join(dir, 'loans.csv'), `${lines.join('\n')}\n`);
  });

  test('the served probability never moves against a constrained direction (ONNX parity checked by the run)', async () => {
    const { manifest, model } = await trainWith(dir, 'constrained', { monotone: { ...DIRECTIONS, dti: 0 } });
    assert.deepEqual(manifest.model.monotone, DIRECTIONS);
    assert.ok(manifest.calibration.slope > 0, "a positive Platt slope keeps the trees' direction");
    const found = await reversals(manifest, model, applicants);
    assert.deepEqual(found, { int_rate: 0, grade: 0, delinq_2yrs: 0, annual_inc: 0, emp_length: 0 });
    const card = JSON.parse(await readFile(model.replace('model.onnx', 'model-card.json'), 'utf8')) as ModelCard;
    assert.deepEqual(Object.fromEntries(card.features.map((f) => [f.name, f.direction])), {
      loan_amnt: 'free',
      int_rate: 'rising',
      purpose: 'free',
      grade: 'rising',
      annual_inc: 'falling',
      revol_util: 'free',
      emp_length: 'falling',
      dti: 'free',
      delinq_2yrs: 'rising',
      home_ownership: 'free',
    });
    const report = await readFile(model.replace('model.onnx', 'report.html'), 'utf8');
    assert.match(report, /Observed late rate by feature/);
    assert.match(report, /int_rate <small>\(constrained: risk rises with the value\)/);
    assert.match(report, /dti <small>\(free\)/);
  });

  test('without constraints the same sweep finds reversals', async () => {
    const { manifest, model } = await trainWith(dir, 'free', {});
    assert.equal(manifest.model.monotone, undefined);
    const found = await reversals(manifest, model, applicants);
    assert.ok(Object.values(found).reduce((a, b) => a + b, 0) > 0, JSON.stringify(found));
  });

  test('a direction for a one-hot feature or a value other than -1, 0, 1 is refused', async () => {
    const config = join(dir, 'bad.json');
    await writeFile(config, JSON.stringify({ monotone: { purpose: 1, dti: 2 } }));
    const r = await run('node', [
      join(BIN, 'loanrisk-train.js'),
      '--data',
      join(dir, 'loans.csv'),
      '--out',
      join(dir, 'x'),
      '--config',
      config,
      '--quiet',
    ]).then(
      () => ({ code: 0, stderr: '' }),
      (e: unknown) => e as { code: number; stderr: string },
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\/monotone must NOT have additional properties "purpose"/);
    assert.match(r.stderr, /\/monotone\/dti must be equal to one of the allowed values/);
  });
});
