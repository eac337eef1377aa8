import assert from 'node:assert/strict';
import { test } from 'node:test';
import { chooseThreshold } from '../src/threshold.js';

const scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
const labels = [1, 0, 1, 0, 1, 0, 0, 1, 0, 0];

test('fixed policy uses the given value', () => {
  const choice = chooseThreshold(scores, labels, { policy: 'fixed', value: 0.55 });
  assert.equal(choice.value, 0.55);
  assert.equal(choice.flagRate, 0.4);
  assert.equal(choice.recall, 0.5);
});

test('target recall picks the highest threshold reaching it', () => {
  const choice = chooseThreshold(scores, labels, { policy: 'target-recall', value: 0.75 });
  assert.equal(choice.value, 0.5);
  assert.equal(choice.recall, 0.75);
});

test('max flag rate never flags more than the share', () => {
  const choice = chooseThreshold(scores, labels, { policy: 'max-flag-rate', value: 0.35 });
  assert.equal(choice.value, 0.7);
  assert.ok(choice.flagRate <= 0.35);
});
