import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DurationError, parseDuration } from '../src/index.js';

test('durations', () => {
  assert.equal(parseDuration('1h30m'), 5_400_000);
  assert.equal(parseDuration('45s'), 45_000);
  assert.equal(parseDuration('2s'), 2000);
  assert.throws(() => parseDuration('1d'), DurationError);
  assert.throws(() => parseDuration('1h 30m'), /not a duration/);
  assert.throws(() => parseDuration(''), /not a duration/);
});
