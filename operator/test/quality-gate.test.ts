import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDuration } from '../src/duration.js';
import { TrainingSummaryError } from '../src/errors/training-summary-error.js';
import { applyQualityGate } from '../src/quality-gate.js';
import { parseTrainingSummary, terminationMessage } from '../src/training-summary.js';

const model = (version: string, rocAuc: number) => ({ version, metrics: { rocAuc } });

test('the gate accepts at the minimum and within the allowed regression, and refuses past either', () => {
  const gate = { minRocAuc: 0.7, maxRegression: 0.01 };
  assert.equal(applyQualityGate(model('a', 0.7), undefined, gate).accepted, true);
  assert.equal(applyQualityGate(model('a', 0.6999), undefined, gate).accepted, false);
  assert.equal(applyQualityGate(model('b', 0.79), model('a', 0.8), gate).accepted, true);
  const refused = applyQualityGate(model('b', 0.789), model('a', 0.8), gate);
  assert.equal(refused.accepted, false);
  assert.match(refused.message, /keeping a$/);
});

test('the summary needs a version and metrics.rocAuc; the message names what is wrong', () => {
  const ok = parseTrainingSummary('p', JSON.stringify({ version: 'abc123', path: '/models/abc123', metrics: { rocAuc: 0.81, prAuc: 0.2, brier: 0.02 }, threshold: 0.1, rows: 10 }), 'j');
  assert.deepEqual(ok, { version: 'abc123', metrics: { rocAuc: 0.81, prAuc: 0.2, brier: 0.02 }, threshold: 0.1, rows: 10, job: 'j' });
  assert.throws(() => parseTrainingSummary('p', '', 'j'), /empty termination message/);
  assert.throws(() => parseTrainingSummary('p', 'Traceback...', 'j'), TrainingSummaryError);
  assert.throws(() => parseTrainingSummary('p', '{"version":"a"}', 'j'), /metrics.rocAuc/);
  assert.throws(() => parseTrainingSummary('p', '{"version":"A B","metrics":{"rocAuc":0.8}}', 'j'), /"version"/);
});

test('the succeeded container\'s message wins over a failed retry', () => {
  const pod = (name: string, exitCode: number, message: string) => ({ metadata: { name }, status: { containerStatuses: [{ name: 'trainer', image: '', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, message } } }] } });
  assert.deepEqual(terminationMessage([pod('a', 1, 'oom'), pod('b', 0, '{}')]), { pod: 'b', message: '{}' });
  assert.equal(terminationMessage([{ metadata: { name: 'c' }, status: {} }]), undefined);
});

test('durations', () => {
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('45s'), 45_000);
  assert.throws(() => parseDuration('1d'), /not a duration/);
});
