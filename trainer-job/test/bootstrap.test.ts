/**
 * The bootstrap behind every interval: its weighted metrics equal the plain ones on the sample,
 * resamples keep the late count, the interval holds the value, and the same seed gives the same
 * interval. Calibration checks on probabilities with known miscalibration.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bootstrapIntervals,
  pairedDifference,
  precisionAt,
  recallAt,
  ScoredSample,
  weightedBrier,
  weightedLogLoss,
  weightedPrAuc,
  weightedRocAuc,
} from '../src/bootstrap.js';
import { calibrationCheck } from '../src/calibration.js';
import { brier, confusionAt, logLoss, prAuc, rocAuc } from '../src/evaluation.js';
import { mulberry32 } from '../src/random.js';

function scoredLoans(n: number, seed: number) {
  const rng = mulberry32(seed);
  const labels: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i++) {
    const late = rng() < 0.05 ? 1 : 0;
    labels.push(late);
    // Rounded so that ties occur, as they do with tree scores.
    scores.push(
      Math.round(Math.min(0.99, Math.max(0.001, 0.04 + (late ? 0.05 : 0) + 0.05 * (rng() - 0.5))) * 200) / 200,
    );
  }
  return { scores, labels };
}

test('with every weight 1 the weighted metrics are the plain ones, ties included', () => {
  const { scores, labels } = scoredLoans(3000, 1);
  const sample = new ScoredSample(scores, labels);
  const ones = new Float64Array(sample.rows).fill(1);
  assert.ok(Math.abs(weightedRocAuc(sample, ones) - rocAuc(scores, labels)) < 1e-12);
  assert.ok(Math.abs(weightedPrAuc(sample, ones) - prAuc(scores, labels)) < 1e-12);
  assert.ok(Math.abs(weightedBrier(sample, ones) - brier(scores, labels)) < 1e-12);
  assert.ok(Math.abs(weightedLogLoss(sample, ones) - logLoss(scores, labels)) < 1e-12);
  const at = confusionAt(scores, labels, 0.07);
  assert.ok(Math.abs(precisionAt(0.07)(sample, ones) - at.precision) < 1e-12);
  assert.ok(Math.abs(recallAt(0.07)(sample, ones) - at.recall) < 1e-12);
});

test('a weight of 2 counts a row twice', () => {
  const scores = [0.9, 0.8, 0.4, 0.3, 0.2];
  const labels = [1, 0, 1, 0, 0];
  const sample = new ScoredSample(scores, labels);
  const weights = Float64Array.from([1, 1, 2, 1, 1]);
  // Sorted order equals the given order here; the doubled row is the late loan at 0.4.
  assert.ok(
    Math.abs(weightedRocAuc(sample, weights) - rocAuc([0.9, 0.8, 0.4, 0.4, 0.3, 0.2], [1, 0, 1, 1, 0, 0])) < 1e-12,
  );
});

test('the interval holds the value, narrows with more rows, and is the same for the same seed', () => {
  const small = scoredLoans(2000, 2);
  const large = scoredLoans(20000, 3);
  const metrics = { rocAuc: weightedRocAuc, brier: weightedBrier };
  const options = { resamples: 400, seed: 7 };
  const a = bootstrapIntervals(new ScoredSample(small.scores, small.labels), metrics, options);
  const again = bootstrapIntervals(new ScoredSample(small.scores, small.labels), metrics, options);
  const b = bootstrapIntervals(new ScoredSample(large.scores, large.labels), metrics, options);
  assert.deepEqual(again, a);
  for (const i of [a.rocAuc, a.brier, b.rocAuc, b.brier])
    assert.ok(i.low < i.value && i.value < i.high, JSON.stringify(i));
  assert.ok(b.rocAuc.high - b.rocAuc.low < a.rocAuc.high - a.rocAuc.low);
  const other = bootstrapIntervals(new ScoredSample(small.scores, small.labels), metrics, { resamples: 400, seed: 8 });
  assert.notDeepEqual(other.rocAuc, a.rocAuc);
});

test('calibration check: perfect probabilities, and probabilities that are all twice too high', () => {
  const rng = mulberry32(5);
  const p = Array.from({ length: 40000 }, () => 0.01 + 0.08 * rng());
  const y = p.map((q) => (rng() < q ? 1 : 0));
  const good = calibrationCheck(p, y);
  assert.ok(Math.abs(good.slope - 1) < 0.15, `slope ${good.slope}`);
  assert.ok(Math.abs(good.meanPredicted - good.observedRate) < 0.003);
  assert.ok(good.expectedCalibrationError < 0.005);
  const high = calibrationCheck(
    p.map((q) => 2 * q),
    y,
  );
  assert.ok(high.meanPredicted > 1.8 * high.observedRate);
  assert.ok(high.intercept < -0.5, `intercept ${high.intercept}`);
  assert.ok(high.expectedCalibrationError > 0.03);
});

test('paired difference: a model against itself differs by exactly 0; two close models get a narrower interval than either alone', () => {
  const { scores, labels } = scoredLoans(4000, 5);
  const options = { resamples: 300, seed: 9 };
  const self = pairedDifference(labels, scores, scores, weightedRocAuc, options);
  assert.deepEqual(self.difference, { value: 0, low: 0, high: 0 });

  // A weak scorer (AUC about 0.7, like the real one) and a close variant of it.
  const rng = mulberry32(6);
  const weak = labels.map((late) => 0.4 * late + rng());
  const other = weak.map((s) => s + 0.05 * (rng() - 0.5));
  const paired = pairedDifference(labels, other, weak, weightedRocAuc, options);
  assert.ok(Math.abs(paired.difference.value - (rocAuc(other, labels) - rocAuc(weak, labels))) < 1e-12);
  assert.ok(paired.difference.low <= paired.difference.value && paired.difference.value <= paired.difference.high);
  const alone = bootstrapIntervals(new ScoredSample(weak, labels), { rocAuc: weightedRocAuc }, options).rocAuc;
  assert.ok(
    paired.difference.high - paired.difference.low < (alone.high - alone.low) / 2,
    `paired ${JSON.stringify(paired.difference)} vs alone ${JSON.stringify(alone)}`,
  );
});
