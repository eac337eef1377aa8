import assert from 'node:assert/strict';
import { test } from 'node:test';
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

test('out-of-time limits are off unless set, need out-of-time metrics when set, and judge them', () => {
  const oot = (rocAuc: number, expectedCalibrationError: number) => ({
    ...model('b', 0.8),
    outOfTime: {
      rows: 20000,
      rocAuc: { value: rocAuc, low: rocAuc - 0.03, high: rocAuc + 0.03 },
      expectedCalibrationError,
    },
  });
  assert.equal(applyQualityGate(model('b', 0.8), undefined, {}).accepted, true);
  const missing = applyQualityGate(model('b', 0.8), model('a', 0.8), { minOutOfTimeRocAuc: 0.65 });
  assert.equal(missing.accepted, false);
  assert.match(
    missing.message,
    /no out-of-time metrics, which qualityGate.minOutOfTimeRocAuc needs: set spec.dataset.validationPath/,
  );
  assert.match(
    applyQualityGate(model('b', 0.8), undefined, { maxCalibrationError: 0.01 }).message,
    /qualityGate.maxCalibrationError needs/,
  );
  const gate = { minOutOfTimeRocAuc: 0.65, maxCalibrationError: 0.01 };
  const passed = applyQualityGate(oot(0.65, 0.01), undefined, gate);
  assert.equal(passed.accepted, true);
  assert.match(passed.message, /out of time 0\.6500 \(95% 0\.6200-0\.6800\)/);
  const low = applyQualityGate(oot(0.6499, 0.005), model('a', 0.8), gate);
  assert.equal(low.accepted, false);
  assert.match(
    low.message,
    /out-of-time ROC AUC 0\.6499 \(95% 0\.6199-0\.6799 on 20000 rows\), below qualityGate.minOutOfTimeRocAuc 0\.6500; keeping live version a/,
  );
  const uncalibrated = applyQualityGate(oot(0.7, 0.0101), undefined, gate);
  assert.equal(uncalibrated.accepted, false);
  assert.match(uncalibrated.message, /calibration error 0\.0101, above qualityGate.maxCalibrationError 0\.0100/);
});

test('maxRegression is paired when the trainer compared the candidate with this live version on the later period, else compares the CV AUCs', () => {
  const gate = { minRocAuc: 0.7, maxRegression: 0.01 };
  const compared = (candidate: number, baselineVersion: string, value: number) => ({
    ...model('b', candidate),
    comparison: { baselineVersion, rows: 20000, difference: { value, low: value - 0.008, high: value + 0.008 } },
  });
  // The CV AUCs alone would refuse (0.75 against 0.8), the same rows say the candidate is as good.
  const paired = applyQualityGate(compared(0.75, 'a', -0.002), model('a', 0.8), gate);
  assert.equal(paired.accepted, true, paired.message);
  assert.match(
    paired.message,
    /-0\.0020 against live on the same 20000 later-period rows \(paired 95% -0\.0100 to 0\.0060\)/,
  );
  // The CV AUCs alone would accept, the same rows show a drop past the limit.
  const refused = applyQualityGate(compared(0.8, 'a', -0.0101), model('a', 0.79), gate);
  assert.equal(refused.accepted, false);
  assert.match(
    refused.message,
    /scores ROC AUC 0\.0101 below live version a on the same 20000 later-period rows \(difference -0\.0101, paired 95% -0\.0181 to -0\.0021\), more than qualityGate.maxRegression 0\.0100; keeping a$/,
  );
  assert.equal(applyQualityGate(compared(0.8, 'a', -0.01), model('a', 0.79), gate).accepted, true, 'at the limit');
  // A comparison with another version than the one live now is not used: back to the CV AUCs.
  const stale = applyQualityGate(compared(0.75, 'old', 0.02), model('a', 0.8), gate);
  assert.equal(stale.accepted, false);
  assert.match(
    stale.message,
    /has ROC AUC 0\.7500, more than qualityGate.maxRegression 0\.0100 below live version a \(0\.8000\)/,
  );
});

test('the summary needs a version and metrics.rocAuc; the message names what is wrong', () => {
  const ok = parseTrainingSummary(
    'p',
    JSON.stringify({
      version: 'abc123',
      path: '/models/abc123',
      metrics: { rocAuc: 0.81, prAuc: 0.2, brier: 0.02 },
      threshold: 0.1,
      rows: 10,
    }),
    'j',
  );
  assert.deepEqual(ok, {
    version: 'abc123',
    metrics: { rocAuc: 0.81, prAuc: 0.2, brier: 0.02 },
    threshold: 0.1,
    rows: 10,
    job: 'j',
  });
  const outOfTime = {
    rows: 200,
    rocAuc: { value: 0.7, low: 0.65, high: 0.75 },
    prAuc: { value: 0.05, low: 0.04, high: 0.07 },
    expectedCalibrationError: 0.004,
  };
  const withOot = parseTrainingSummary(
    'p',
    JSON.stringify({ version: 'abc123', metrics: { rocAuc: 0.81 }, outOfTime }),
    'j',
  );
  assert.deepEqual(withOot.outOfTime, {
    rows: 200,
    rocAuc: { value: 0.7, low: 0.65, high: 0.75 },
    expectedCalibrationError: 0.004,
  });
  assert.throws(
    () =>
      parseTrainingSummary(
        'p',
        JSON.stringify({ version: 'abc123', metrics: { rocAuc: 0.81 }, outOfTime: { rows: 200, rocAuc: 0.7 } }),
        'j',
      ),
    /outOfTime\.rocAuc must be object, got 0\.7/,
  );
  const comparison = {
    baselineVersion: 'live1',
    rows: 200,
    candidateRocAuc: 0.7,
    liveRocAuc: 0.71,
    difference: { value: -0.01, low: -0.03, high: 0.01 },
  };
  const withComparison = parseTrainingSummary(
    'p',
    JSON.stringify({ version: 'abc123', metrics: { rocAuc: 0.81 }, comparison }),
    'j',
  );
  assert.deepEqual(withComparison.comparison, {
    baselineVersion: 'live1',
    rows: 200,
    difference: { value: -0.01, low: -0.03, high: 0.01 },
  });
  assert.throws(
    () =>
      parseTrainingSummary(
        'p',
        JSON.stringify({ version: 'abc123', metrics: { rocAuc: 0.81 }, comparison: { ...comparison, rows: 'many' } }),
        'j',
      ),
    /not the training summary contract: comparison\.rows must be integer, got "many"/,
  );
  assert.throws(() => parseTrainingSummary('p', '', 'j'), /empty termination message/);
  assert.throws(() => parseTrainingSummary('p', 'Traceback...', 'j'), TrainingSummaryError);
  assert.throws(() => parseTrainingSummary('p', '{"version":"a"}', 'j'), /metrics is missing/);
  assert.throws(
    () => parseTrainingSummary('p', '{"version":"a","metrics":{"rocAuc":1.5}}', 'j'),
    /metrics\.rocAuc must be <= 1, got 1\.5/,
  );
  assert.throws(
    () => parseTrainingSummary('p', '{"version":"A B","metrics":{"rocAuc":0.8}}', 'j'),
    /version must match pattern .*, got "A B"/,
  );
});

test("the succeeded container's message wins over a failed retry", () => {
  const pod = (name: string, exitCode: number, message: string) => ({
    metadata: { name },
    status: {
      containerStatuses: [
        {
          name: 'trainer',
          image: '',
          imageID: '',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode, message } },
        },
      ],
    },
  });
  assert.deepEqual(terminationMessage([pod('a', 1, 'oom'), pod('b', 0, '{}')]), { pod: 'b', message: '{}' });
  assert.equal(terminationMessage([{ metadata: { name: 'c' }, status: {} }]), undefined);
});
