/**
 * End to end through the real CLI: generate data, train, load model.onnx with onnxruntime-node,
 * score, and check the manifest, the report, determinism and the error paths.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { before, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import {
  DENSE_INPUT,
  DENSE_MODEL_FILE,
  DenseEncoder,
  FEATURE_NAMES,
  recordsToColumns,
  type Interval,
  type ModelCard,
  type ModelManifest,
  type PeriodListing,
  type TrainingSummary,
} from '@peerloan/contracts';
import { rocAuc } from '../src/evaluation.js';
import { generateLoans } from '../src/synthetic-data.js';

const run = promisify(execFile);
const BIN = fileURLToPath(new URL('../../bin/', import.meta.url));
const HEADER = [...FEATURE_NAMES, 'is_late'];

// A small search so the test stays quick; the default search is exercised by the benchmark.
const SMALL_CONFIG = {
  folds: 3,
  grid: [
    { max_depth: [3], eta: [0.2], min_child_weight: [1], subsample: [1], colsample_bytree: [1] },
    { max_depth: [2], eta: [0.3], min_child_weight: [1], subsample: [1], colsample_bytree: [1] },
  ],
  imbalance: ['none', 'smote'],
  maxRounds: 60,
  earlyStoppingRounds: 10,
  threshold: { policy: 'max-flag-rate', value: 0.1 },
  stabilitySeeds: 2,
};

async function writeCsv(
  path: string,
  rows: number,
  seed: number,
  shift?: Record<string, number>,
  lateLogitShift?: number,
): Promise<void> {
  const lines = [HEADER.join(',')];
  for (const { record, label } of generateLoans({
    rows,
    seed,
    ...(shift && { shift }),
    ...(lateLogitShift && { lateLogitShift }),
  })) {
    lines.push([...FEATURE_NAMES.map((f) => record[f] ?? ''), label].join(','));
  }
  await writeFile(path, `${lines.join('\n')}\n`);
}

async function train(args: string[]) {
  try {
    const { stdout, stderr } = await run('node', [join(BIN, 'loanrisk-train.js'), ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** What a successful run printed and wrote. */
interface TrainedRun {
  readonly summary: TrainingSummary;
  /** `<out>/<version>`: model.onnx, manifest.json, model-card.json, report.html. */
  readonly folder: string;
  readonly termination: string;
  readonly manifest: ModelManifest;
}

/** Runs loanrisk-train into `out` (quiet, with a termination log beside it); fails the test unless it succeeds. */
async function trainInto(out: string, args: readonly string[]): Promise<TrainedRun> {
  const termination = `${out}.termination.json`;
  const r = await train([...args, '--out', out, '--termination-log', termination, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout) as TrainingSummary;
  const folder = join(out, summary.version);
  return { summary, folder, termination, manifest: await readJson<ModelManifest>(join(folder, 'manifest.json')) };
}

describe('loanrisk-train', () => {
  let dir: string;
  let csv: string;
  let config: string;
  /** A run on the test's data and small search, into `<dir>/<name>`. */
  const trained = (name: string, args: readonly string[] = []) =>
    trainInto(join(dir, name), ['--data', csv, '--config', config, ...args]);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'train-'));
    csv = join(dir, 'loans.csv');
    config = join(dir, 'config.json');
    await writeCsv(csv, 6000, 11);
    await writeFile(config, JSON.stringify(SMALL_CONFIG));
  });

  test('trains, exports a calibrated ONNX model that matches the manifest, and is reproducible', async () => {
    const { summary, termination, manifest, folder } = await trained('models');
    assert.deepEqual(await readJson(termination), summary);
    assert.equal((await readFile(join(dir, 'models', 'current'), 'utf8')).trim(), summary.version);

    assert.equal(manifest.version, summary.version);
    assert.equal(manifest.data.rows, 6000);
    assert.ok(
      manifest.metrics.cv.rocAuc.mean > 0.6,
      `AUC ${manifest.metrics.cv.rocAuc.mean} should beat chance clearly`,
    );
    assert.equal(manifest.metrics.cv.rocAuc.folds.length, 3);
    assert.equal(manifest.model.candidates.length, 4, 'two grids x two imbalance strategies');
    const bestMean = Math.max(...manifest.model.candidates.map((c) => c.rocAuc.mean));
    const chosen = manifest.model.candidates.find(
      (c) =>
        c.strategy === manifest.model.strategy && JSON.stringify(c.params) === JSON.stringify(manifest.model.params),
    );
    assert.equal(chosen?.rocAuc.mean, bestMean, 'selection is by the CV mean');
    assert.ok(manifest.threshold.flagRate <= 0.1);
    assert.deepEqual(
      manifest.features.map((f) => f.name),
      FEATURE_NAMES,
    );
    assert.ok(manifest.baseline.score.kind === 'numeric' && manifest.baseline.score.shares.length > 1);

    const loans = [...generateLoans({ rows: 500, seed: 99 })];
    const session = await ort.InferenceSession.create(join(folder, 'model.onnx'));
    assert.deepEqual([...session.inputNames].sort(), [...FEATURE_NAMES].sort());
    const columns = recordsToColumns(loans.map((l) => l.record));
    const feeds = Object.fromEntries(
      Object.entries(columns).map(([name, values]) => [
        name,
        new ort.Tensor(values instanceof Float32Array ? 'float32' : 'string', values, [loans.length, 1]),
      ]),
    );
    const result = await session.run(feeds);
    const probability = result.probability.data as Float32Array;
    assert.equal(probability.length, 500);
    assert.ok(probability.every((p) => p > 0 && p < 1));
    const mean = probability.reduce((a, b) => a + b, 0) / probability.length;
    assert.ok(mean > 0.005 && mean < 0.06, `calibrated mean ${mean} should be near the late rate`);

    // The hot-path graph, fed by the contract's JavaScript encoder, gives model.onnx's answers.
    const dense = await ort.InferenceSession.create(join(folder, DENSE_MODEL_FILE));
    const encoder = new DenseEncoder(manifest.encodedColumns);
    const denseResult = await dense.run({
      [DENSE_INPUT]: new ort.Tensor('float32', encoder.encode(loans.map((l) => l.record)), [
        loans.length,
        encoder.width,
      ]),
    });
    const denseProbability = denseResult.probability.data as Float32Array;
    assert.equal(denseProbability.length, 500);
    for (let i = 0; i < 500; i++)
      assert.ok(
        Math.abs(denseProbability[i] - probability[i]) <= 1e-6,
        `row ${i}: dense ${denseProbability[i]} vs ${probability[i]}`,
      );

    // Only the field this test reads of XGBoost's own model format.
    const xgboostModel = await readJson<{
      learner: { gradient_booster: { model: { gbtree_model_param: { num_trees: string } } } };
    }>(join(folder, 'xgboost-model.json'));
    assert.equal(
      Number(xgboostModel.learner.gradient_booster.model.gbtree_model_param.num_trees),
      manifest.model.rounds,
    );

    const card = await readJson<ModelCard>(join(folder, 'model-card.json'));
    assert.equal(card.version, summary.version);
    assert.equal(card.data.training.sha256, manifest.data.sha256);
    assert.equal(card.data.outOfTime, undefined);
    assert.ok(card.limitations.some((l) => l.includes('--validation-data')));
    const cm = card.thresholdPolicy.confusionMatrix;
    assert.equal(cm.truePositives + cm.falsePositives + cm.trueNegatives + cm.falseNegatives, 6000);
    assert.equal(card.data.training.file, 'loans.csv');
    assert.deepEqual(Object.keys(card.segments.crossValidation), ['grade', 'purpose', 'home_ownership']);
    const csvRows = (await readFile(csv, 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const gradeColumn = FEATURE_NAMES.indexOf('grade');
    for (const segment of card.segments.crossValidation.grade) {
      const rows = csvRows.filter((cells) => cells[gradeColumn] === segment.value);
      assert.equal(segment.rows, rows.length, `grade ${segment.value}`);
      assert.equal(segment.late, rows.filter((cells) => cells.at(-1) === '1').length, `grade ${segment.value}`);
      assert.equal(segment.tooFewLate, segment.late < card.segments.minLate);
    }
    for (const segments of Object.values(card.segments.crossValidation))
      assert.equal(
        segments.reduce((a, r) => a + r.rows, 0),
        6000,
      );
    const thin = card.segments.crossValidation.purpose.filter((r) => r.tooFewLate);
    assert.ok(thin.length > 0, 'rare purposes have too few late loans');
    assert.ok(card.limitations.some((l) => l.includes(`purpose=${thin[0].value}`)));
    assert.equal(manifest.outOfTime, undefined);
    assert.equal(summary.outOfTime, undefined);
    for (const metric of Object.values(manifest.metrics.cv)) {
      assert.ok(
        metric.pooled && metric.pooled.low <= metric.pooled.value && metric.pooled.value <= metric.pooled.high,
        JSON.stringify(metric.pooled),
      );
    }

    const report = await readFile(join(folder, 'report.html'), 'utf8');
    assert.match(report, /<svg/);
    assert.match(report, /fold range/);
    assert.match(report, /<h2>Model card<\/h2>/);
    assert.match(report, /Performance by segment/);
    assert.doesNotMatch(report, /<script|https?:\/\//);

    const stability = manifest.stability;
    assert.ok(stability, 'the manifest has the reseeding stability');
    assert.deepEqual(stability.seeds, [42, 43]);
    assert.equal(stability.rocAuc[0], manifest.metrics.cv.rocAuc.mean);
    assert.equal(stability.flipShare[0], 0);
    assert.ok(stability.flipShare[1] > 0 && stability.flipShare[1] < 0.2, `flip share ${stability.flipShare[1]}`);
    assert.equal(stability.anyFlipShare, stability.flipShare[1]);
    assert.deepEqual(card.metrics.stability, stability);
    assert.match(report, /Stability under reseeding/);
    // The second seed's number is what a whole run with that seed measures for the same settings.
    const seed43 = (await trained('seed43', ['--seed', '43'])).manifest;
    const same = seed43.model.candidates.find(
      (c) =>
        c.strategy === manifest.model.strategy && JSON.stringify(c.params) === JSON.stringify(manifest.model.params),
    );
    assert.equal(same?.rocAuc.mean, stability.rocAuc[1]);

    const second = await trained('again');
    assert.equal(second.summary.version, summary.version);
    assert.deepEqual(await readFile(join(second.folder, 'model.onnx')), await readFile(join(folder, 'model.onnx')));
  });

  test('--validation-data: chosen by CV as without it, scored on the later period with 95% intervals', async () => {
    const later = join(dir, 'later.csv');
    // A later period: rates and debt ratios up, a tenth of purposes redrawn.
    await writeCsv(later, 4000, 12, { int_rate: 0.3, dti: 0.5, purpose: 0.1 });
    const { summary, termination, manifest, folder } = await trained('oot', ['--validation-data', later]);
    assert.deepEqual(await readJson(termination), summary);
    const plainManifest = (await trained('plain')).manifest;
    assert.notEqual(manifest.version, plainManifest.version, 'the validation data is part of what the version names');
    assert.deepEqual(
      manifest.model.candidates,
      plainManifest.model.candidates,
      'selection does not look at the later period',
    );
    assert.deepEqual(manifest.calibration, plainManifest.calibration);

    const oot = manifest.outOfTime;
    assert.ok(oot, 'the manifest has the out-of-time evaluation');
    assert.equal(oot.rows, 4000);
    const inside = (i: Interval) => i.low <= i.value && i.value <= i.high && i.high - i.low > 0;
    for (const i of [oot.rocAuc, oot.prAuc, oot.brier, oot.atThreshold.precision, oot.atThreshold.recall])
      assert.ok(inside(i), JSON.stringify(i));
    assert.deepEqual(Object.keys(oot.rocAuc).sort(), ['high', 'low', 'value']);
    assert.ok(oot.rocAuc.value > 0.6, `out-of-time AUC ${oot.rocAuc.value}`);
    assert.ok(oot.psi.int_rate > oot.psi.loan_amnt && oot.psi.int_rate > 0.05, JSON.stringify(oot.psi));
    assert.ok(oot.calibration.expectedCalibrationError >= 0);
    assert.deepEqual(summary.outOfTime, {
      rows: 4000,
      rocAuc: oot.rocAuc,
      prAuc: oot.prAuc,
      brier: oot.brier,
      expectedCalibrationError: oot.calibration.expectedCalibrationError,
    });

    // The AUC is the served model's: score the later period through model.onnx and compare.
    const text = (await readFile(later, 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const records = text.map((cells) =>
      Object.fromEntries(
        FEATURE_NAMES.map((f, i) => [
          f,
          cells[i] === '' ? null : Number.isNaN(Number(cells[i])) ? cells[i] : Number(cells[i]),
        ]),
      ),
    );
    const labels = text.map((cells) => Number(cells[FEATURE_NAMES.length]));
    const session = await ort.InferenceSession.create(join(folder, 'model.onnx'));
    const columns = recordsToColumns(records);
    const feeds = Object.fromEntries(
      Object.entries(columns).map(([name, values]) => [
        name,
        new ort.Tensor(values instanceof Float32Array ? 'float32' : 'string', values, [records.length, 1]),
      ]),
    );
    const onnxAuc = rocAuc((await session.run(feeds)).probability.data as Float32Array, labels);
    assert.ok(Math.abs(onnxAuc - oot.rocAuc.value) < 1e-3, `ONNX ${onnxAuc} vs manifest ${oot.rocAuc.value}`);

    const card = await readJson<ModelCard>(join(folder, 'model-card.json'));
    assert.deepEqual(card.metrics.outOfTime?.rocAuc, oot.rocAuc);
    assert.equal(card.data.outOfTime?.rows, 4000);
    assert.equal(card.data.outOfTime.file, 'later.csv');
    assert.equal(
      card.segments.outOfTime?.home_ownership.reduce((a, r) => a + r.rows, 0),
      4000,
    );
    const report = await readFile(join(folder, 'report.html'), 'utf8');
    assert.match(report, /Out-of-time validation/);
    assert.match(report, /Population stability between the periods/);
  });

  test('expectedLateRate: a later period that runs later is scored at its rate, in the exported graph, ranking unchanged', async () => {
    const later = join(dir, 'later-prior.csv');
    await writeCsv(later, 4000, 13, { int_rate: 0.2 }, 0.6);
    const labels = (await readFile(later, 'utf8'))
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',').at(-1)));
    const observed = labels.reduce((a, b) => a + b, 0) / labels.length;
    const shiftedConfig = join(dir, 'config-prior.json');
    await writeFile(shiftedConfig, JSON.stringify({ ...SMALL_CONFIG, expectedLateRate: Number(observed.toFixed(4)) }));
    const runWith = async (name: string, configPath: string) => {
      const { manifest, folder } = await trainInto(join(dir, name), [
        '--data',
        csv,
        '--validation-data',
        later,
        '--config',
        configPath,
      ]);
      return {
        manifest,
        card: await readJson<ModelCard>(join(folder, 'model-card.json')),
        report: await readFile(join(folder, 'report.html'), 'utf8'),
      };
    };
    const plain = await runWith('prior-plain', config);
    const shifted = await runWith('prior-shifted', shiftedConfig);

    const shift = shifted.manifest.calibration.priorShift;
    assert.ok(shift, 'the shifted run has a prior shift');
    assert.equal(shift.expectedLateRate, Number(observed.toFixed(4)));
    assert.ok(
      observed > shift.trainingLateRate * 1.3,
      `the later period runs later: ${observed} vs ${shift.trainingLateRate}`,
    );
    assert.ok(shift.interceptShift > 0);
    assert.equal(plain.manifest.calibration.priorShift, undefined);
    assert.deepEqual(shifted.card.model.calibration, shifted.manifest.calibration);
    assert.ok(shifted.card.limitations.some((l) => l.startsWith('Prior-shift corrected')));
    assert.match(shifted.report, /Prior-shift correction: the Platt intercept was moved/);
    assert.match(shifted.report, /calibration-in-the-large/);
    // The manifest's out-of-time numbers are the served graph's (the parity check and the
    // ONNX-scored test above): moving the intercept moves the mean to the later rate, not the order.
    const gap = (m: ModelManifest) => {
      const { calibration } = outOfTimeOf(m);
      return Math.abs(calibration.observedRate - calibration.meanPredicted);
    };
    assert.ok(
      gap(shifted.manifest) < gap(plain.manifest) / 2,
      `calibration-in-the-large ${gap(shifted.manifest)} vs ${gap(plain.manifest)} without the shift`,
    );
    assert.ok(Math.abs(outOfTimeOf(shifted.manifest).rocAuc.value - outOfTimeOf(plain.manifest).rocAuc.value) < 1e-9);
  });

  test('--baseline-model: candidate and live model on the same later rows, the AUC difference with a paired interval', async () => {
    const later = join(dir, 'later-baseline.csv');
    await writeCsv(later, 4000, 14, { int_rate: 0.3 });
    const runWith = (name: string, extra: string[]) => trained(name, ['--validation-data', later, ...extra]);
    // No live folder yet (a first model): trained as without the option.
    const live = await runWith('live', ['--baseline-model', join(dir, 'live', 'no-such-version')]);
    assert.equal(live.manifest.comparison, undefined);
    const candidate = await runWith('candidate', ['--seed', '43', '--baseline-model', live.folder]);
    const comparison = candidate.manifest.comparison;
    assert.ok(comparison, 'the candidate was compared with the live model');
    const liveOutOfTime = outOfTimeOf(live.manifest);
    const candidateOutOfTime = outOfTimeOf(candidate.manifest);
    assert.equal(comparison.baselineVersion, live.summary.version);
    assert.equal(comparison.rows, 4000);
    assert.ok(
      Math.abs(comparison.liveRocAuc - liveOutOfTime.rocAuc.value) < 1e-3,
      `live ${comparison.liveRocAuc} vs its own run ${liveOutOfTime.rocAuc.value}`,
    );
    assert.ok(Math.abs(comparison.candidateRocAuc - candidateOutOfTime.rocAuc.value) < 1e-9);
    const d = comparison.difference;
    assert.ok(Math.abs(d.value - (comparison.candidateRocAuc - comparison.liveRocAuc)) < 1e-12);
    assert.ok(d.low <= d.value && d.value <= d.high && d.high - d.low > 0, JSON.stringify(d));
    assert.ok(
      d.high - d.low < candidateOutOfTime.rocAuc.high - candidateOutOfTime.rocAuc.low,
      'pairing narrows the interval',
    );
    const { file, ...record } = comparison;
    assert.equal(file, 'later-baseline.csv', 'the manifest names the file the comparison was made on');
    assert.deepEqual(candidate.summary.comparison, record);
    assert.match(await readFile(join(candidate.folder, 'report.html'), 'utf8'), /Against the live model/);
  });

  test('--baseline-model without later rows (one CSV, no --validation-data) is ignored with a logged note', async () => {
    const live = await trained('unpaired-live');
    // Not --quiet: the note is a log line (JSON on stdout when not on a terminal), the summary the last line.
    const out = join(dir, 'unpaired');
    const r = await train(['--data', csv, '--config', config, '--out', out, '--baseline-model', live.folder]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    const notes = lines.map((l) => JSON.parse(l) as { msg?: string; dir?: string }).filter((l) => l.msg);
    const note = notes.find((l) => l.msg?.startsWith('--baseline-model ignored'));
    assert.ok(note, `a note says the option was ignored: ${notes.map((l) => l.msg).join(' | ')}`);
    assert.match(
      note.msg ?? '',
      /no later rows to compare on \(give --validation-data or a folder of two or more periods\)/,
    );
    assert.equal(note.dir, live.folder);
    const summary = JSON.parse(lines.at(-1) ?? '') as TrainingSummary;
    assert.equal(summary.comparison, undefined);
    assert.equal(
      summary.warnings,
      undefined,
      'nothing asked of the run went undone: the operator passes it whenever a version is live',
    );
    const manifest = await readJson<ModelManifest>(join(out, summary.version, 'manifest.json'));
    assert.equal(manifest.comparison, undefined);
  });

  test('a missing validation file is one clear error line', async () => {
    const r = await train([
      '--data',
      csv,
      '--validation-data',
      join(dir, 'later-nope.csv'),
      '--out',
      join(dir, 'x'),
      '--config',
      config,
      '--quiet',
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr.trim(), /^loanrisk-train: .*later-nope\.csv: no such file/);
  });

  test('a missing file is one clear error line', async () => {
    const r = await train(['--data', join(dir, 'nope.csv'), '--out', join(dir, 'x'), '--quiet']);
    assert.equal(r.code, 1);
    assert.match(r.stderr.trim(), /^loanrisk-train: .*nope\.csv: no such file/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  test('a wrong header names the missing columns', async () => {
    const path = join(dir, 'header.csv');
    await writeFile(path, 'a,b,c\n1,2,3\n');
    const r = await train(['--data', path, '--out', join(dir, 'x'), '--quiet']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /columns missing: loan_amnt, int_rate/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  test('all-bad rows abort', async () => {
    const path = join(dir, 'bad.csv');
    await writeFile(path, `${HEADER.join(',')}\n${'x,y,z,D,1,1,1,1,1,RENT,0\n'.repeat(20)}`);
    const r = await train(['--data', path, '--out', join(dir, 'x'), '--quiet']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /20 of 20 rows are invalid/);
  });

  test('one class only is refused', async () => {
    const path = join(dir, 'oneclass.csv');
    const text = await readFile(csv, 'utf8');
    await writeFile(path, text.replace(/,1\n/g, ',0\n'));
    const r = await train(['--data', path, '--out', join(dir, 'x'), '--quiet']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /every valid row has is_late=0/);
  });

  test('an invalid config names the setting', async () => {
    const path = join(dir, 'badconfig.json');
    await writeFile(path, JSON.stringify({ folds: 1, gird: {} }));
    const r = await train(['--data', csv, '--out', join(dir, 'x'), '--config', path, '--quiet']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /\/folds must be >= 2/);
    assert.match(r.stderr, /additional properties "gird"/);
  });
});

/** The manifest's out-of-time evaluation; fails the test when the run had no later period. */
function outOfTimeOf(manifest: ModelManifest): NonNullable<ModelManifest['outOfTime']> {
  assert.ok(manifest.outOfTime, `model ${manifest.version} has an out-of-time evaluation`);
  return manifest.outOfTime;
}

describe('loanrisk-train --data <folder of periods>', () => {
  let dir: string;
  let config: string;
  const QUARTER_ROWS = 2000;
  /** A folder under the test's temporary folder holding the given files (written by `write`). */
  const folder = async (name: string, write: (folder: string) => Promise<void>) => {
    const path = join(dir, name);
    await mkdir(path);
    await write(path);
    return path;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'train-periods-'));
    config = join(dir, 'config.json');
    await writeFile(config, JSON.stringify({ ...SMALL_CONFIG, imbalance: ['none'], stabilitySeeds: 1 }));
  });

  test('three quarters: searched on the older two, the newest scored out of time, all three published', async () => {
    const periods = await folder('quarters', async (path) => {
      await writeCsv(join(path, '2026Q1.csv'), QUARTER_ROWS, 21);
      await writeCsv(join(path, 'q2.tmp'), QUARTER_ROWS, 22);
      await writeFile(join(path, '2026Q2.csv.gz'), gzipSync(await readFile(join(path, 'q2.tmp'))));
      await rm(join(path, 'q2.tmp'));
      await writeCsv(join(path, '2026Q3.csv'), QUARTER_ROWS, 23, { dti: 1 }, 0.3);
    });
    const {
      summary,
      manifest,
      folder: versionFolder,
    } = await trainInto(join(dir, 'models'), ['--data', periods, '--config', config]);
    const { data, outOfTime } = manifest;
    assert.deepEqual(
      data.periods?.map((p) => [p.file, p.rows, p.role]),
      [
        ['2026Q1.csv', QUARTER_ROWS, 'train'],
        ['2026Q2.csv.gz', QUARTER_ROWS, 'train'],
        ['2026Q3.csv', QUARTER_ROWS, 'validation'],
      ],
    );
    assert.ok(outOfTime, 'the newest quarter is the out-of-time check');
    assert.equal(outOfTime.rows, QUARTER_ROWS);
    assert.equal(outOfTime.sha256, data.periods.at(-1)?.sha256);
    assert.ok(outOfTime.psi.dti > 0.1, `the shifted quarter's dti moved (PSI ${outOfTime.psi.dti})`);
    assert.equal(summary.outOfTime?.rows, QUARTER_ROWS);
    assert.equal(data.rows, 3 * QUARTER_ROWS, 'the published fit includes the validation quarter');
    assert.deepEqual(data.finalFit, { files: ['2026Q1.csv', '2026Q2.csv.gz', '2026Q3.csv'], rows: 3 * QUARTER_ROWS });
    assert.equal(summary.rows, 3 * QUARTER_ROWS);
    assert.equal(summary.warnings, undefined);
    const card = await readJson<ModelCard>(join(versionFolder, 'model-card.json'));
    assert.equal(card.data.outOfTime?.file, '2026Q3.csv');
    assert.match(card.data.publishedFit?.note ?? '', /every period file, the out-of-time one included/);
  });

  test('--baseline-model with a folder: the live version, fitted before the newest quarter came, paired on that quarter', async () => {
    const q1 = (path: string) => writeCsv(join(path, '2026Q1.csv'), QUARTER_ROWS, 61);
    const q2 = (path: string) => writeCsv(join(path, '2026Q2.csv'), QUARTER_ROWS, 62);
    // The live version: trained when the folder held two quarters (its own check on 2026Q2).
    const before = await folder('paired-before', async (path) => {
      await q1(path);
      await q2(path);
    });
    const models = join(dir, 'paired-models');
    const live = await trainInto(models, ['--data', before, '--config', config]);
    // 2026Q3 arrives, shifted: the candidate is searched on Q1-Q2 and both are scored on Q3's rows.
    const after = await folder('paired-after', async (path) => {
      await q1(path);
      await q2(path);
      await writeCsv(join(path, '2026Q3.csv'), QUARTER_ROWS, 63, { dti: 1 }, 0.3);
    });
    const candidate = await trainInto(models, ['--data', after, '--config', config, '--baseline-model', live.folder]);
    const { comparison, outOfTime, data } = candidate.manifest;
    assert.ok(comparison, 'the candidate was compared with the live version');
    assert.ok(outOfTime);
    assert.equal(comparison.baselineVersion, live.summary.version);
    assert.equal(comparison.file, '2026Q3.csv', 'the manifest names the file the comparison was made on');
    assert.equal(comparison.rows, QUARTER_ROWS);
    assert.deepEqual(
      data.periods?.map((p) => [p.file, p.role]),
      [
        ['2026Q1.csv', 'train'],
        ['2026Q2.csv', 'train'],
        ['2026Q3.csv', 'validation'],
      ],
    );
    assert.ok(
      Math.abs(comparison.candidateRocAuc - outOfTime.rocAuc.value) < 1e-9,
      'the candidate is the fit without Q3',
    );
    const d = comparison.difference;
    assert.ok(Math.abs(d.value - (comparison.candidateRocAuc - comparison.liveRocAuc)) < 1e-12);
    assert.ok(d.low <= d.value && d.value <= d.high && d.high - d.low > 0, JSON.stringify(d));
    const { file: _file, ...record } = comparison;
    assert.deepEqual(candidate.summary.comparison, record, "the summary carries the status record's fields");
    const card = await readJson<ModelCard>(join(candidate.folder, 'model-card.json'));
    assert.deepEqual(card.metrics.comparison, comparison);
    assert.equal(card.data.outOfTime?.file, '2026Q3.csv');
    // Trained again on the same folder (a drift retrain) against that candidate, whose published fit
    // holds 2026Q3: no comparison on rows the live model was fitted on.
    const again = await trainInto(models, ['--data', after, '--config', config, '--baseline-model', candidate.folder]);
    assert.equal(again.manifest.comparison, undefined, 'the live fit holds 2026Q3: nothing to compare on fairly');
    assert.equal(again.summary.comparison, undefined);
  });

  test('one period file: trained on it, no out-of-time check, a warning in the summary', async () => {
    const periods = await folder('one', (path) => writeCsv(join(path, '2026Q1.csv'), QUARTER_ROWS, 31));
    const { summary, manifest } = await trainInto(join(dir, 'one-models'), ['--data', periods, '--config', config]);
    assert.equal(manifest.outOfTime, undefined);
    assert.equal(manifest.data.rows, QUARTER_ROWS);
    assert.deepEqual(
      manifest.data.periods?.map((p) => p.role),
      ['train'],
    );
    assert.match(summary.warnings?.[0] ?? '', /one period file \(2026Q1\.csv\).*without an out-of-time check/);
  });

  test('--list-periods: names, sizes and a fingerprint that changes with a new quarter, nothing trained', async () => {
    const quarters = await folder('listed', async (path) => {
      await writeCsv(join(path, '2026Q1.csv'), 300, 51);
      await writeFile(join(path, '2026Q2.csv.gz'), gzipSync(await readFile(join(path, '2026Q1.csv'))));
      await writeFile(join(path, 'README.txt'), 'not a period\n');
    });
    const list = async (path: string) => {
      const log = join(dir, 'listing-log');
      const r = await train(['--list-periods', path, '--termination-log', log]);
      assert.equal(r.code, 0, r.stderr);
      const printed = JSON.parse(r.stdout) as PeriodListing & { entries: Array<{ file: string; bytes: number }> };
      const message = await readJson<PeriodListing>(log);
      const { entries: _entries, ...summary } = printed;
      assert.deepEqual(message, summary, 'the termination message is the listing without its entries');
      return printed;
    };
    const first = await list(quarters);
    assert.match(first.fingerprint, /^[0-9a-f]{64}$/);
    assert.deepEqual(
      first.entries.map((e) => e.file),
      ['2026Q1.csv', '2026Q2.csv.gz'],
    );
    assert.equal(first.entries[0].bytes, (await readFile(join(quarters, '2026Q1.csv'))).length);
    assert.equal(first.newest, '2026Q2.csv.gz');
    assert.equal((await list(quarters)).fingerprint, first.fingerprint, 'the same files, the same fingerprint');
    await writeCsv(join(quarters, '2026Q3.csv'), 300, 52);
    const next = await list(quarters);
    assert.notEqual(next.fingerprint, first.fingerprint);
    assert.deepEqual([next.files, next.newest], [3, '2026Q3.csv']);
    assert.deepEqual(await readdir(join(dir, 'listed')), ['2026Q1.csv', '2026Q2.csv.gz', '2026Q3.csv', 'README.txt']);

    const empty = await list(await folder('listed-empty', async () => {}));
    assert.deepEqual([empty.files, empty.newest], [0, undefined], 'an empty folder waits for its first quarter');
    const missing = await train(['--list-periods', join(dir, 'no-such-folder')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no-such-folder: no such file or folder/);
  });

  test('an empty folder, differing headers and --validation-data beside a folder are refused', async () => {
    const empty = await folder('empty', async (path) => {
      await writeFile(join(path, 'README.txt'), 'not a period\n');
    });
    const mixed = await folder('mixed', async (path) => {
      await writeCsv(join(path, '2026Q1.csv'), 300, 41);
      const lines = (await readFile(join(path, '2026Q1.csv'), 'utf8')).split('\n');
      await writeFile(
        join(path, '2026Q2.csv'),
        [`${lines[0]},branch`, ...lines.slice(1, 10).map((l) => `${l},x`)].join('\n'),
      );
    });
    const refused = async (args: string[], message: RegExp) => {
      const r = await train([...args, '--out', join(dir, 'refused'), '--config', config, '--quiet']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, message);
    };
    await refused(['--data', empty], /empty: no period files \(\*\.csv or \*\.csv\.gz\)/);
    await refused(['--data', mixed], /2026Q2\.csv: its header differs from 2026Q1\.csv's/);
    await refused(
      ['--data', mixed, '--validation-data', join(mixed, '2026Q1.csv')],
      /a folder of periods holds its own later period/,
    );
  });
});
