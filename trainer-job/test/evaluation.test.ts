import assert from 'node:assert/strict';
import { test } from 'node:test';
import { brier, confusionAt, logLoss, prAuc, rocAuc } from '../src/evaluation.js';

// Hand-computed: positives score 0.9 and 0.4, negatives 0.8, 0.3, 0.2.
// Pairs (pos > neg): 0.9 beats all 3, 0.4 beats 0.3 and 0.2 -> 5 of 6.
const scores = [0.9, 0.8, 0.4, 0.3, 0.2];
const labels = [1, 0, 1, 0, 0];

test('ROC AUC counts correctly ordered pairs', () => {
  assert.equal(rocAuc(scores, labels), 5 / 6);
});

test('ROC AUC gives half credit to ties', () => {
  assert.equal(rocAuc([0.5, 0.5], [1, 0]), 0.5);
  assert.ok(Number.isNaN(rocAuc([0.1, 0.2], [0, 0])));
});

test('average precision sums precision at each recall step', () => {
  // Recall 0.5 at precision 1/1, recall 1.0 at precision 2/3.
  assert.ok(Math.abs(prAuc(scores, labels) - (0.5 * 1 + 0.5 * (2 / 3))) < 1e-12);
});

test('Brier score and log loss', () => {
  assert.ok(Math.abs(brier([0.8, 0.1], [1, 0]) - (0.04 + 0.01) / 2) < 1e-12);
  assert.ok(Math.abs(logLoss([0.8, 0.1], [1, 0]) - -(Math.log(0.8) + Math.log(0.9)) / 2) < 1e-12);
});

test('precision, recall and flag rate at a threshold', () => {
  assert.deepEqual(confusionAt(scores, labels, 0.4), { precision: 2 / 3, recall: 1, flagRate: 3 / 5 });
});
