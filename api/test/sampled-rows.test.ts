import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FEATURE_NAMES, type LoanRecord } from '@peerloan/contracts';
import { SampledRows } from '../src/queueing/sampled-rows.js';
import { applicants } from '@peerloan/scoring/dist/test/helpers/trained-model.js';

/** The event a row makes, written out as the prediction log built it from objects before. */
function event(version: string, record: LoanRecord, probability: number, scoredAt: number) {
  return { modelVersion: version, scoredAt, features: FEATURE_NAMES.map((name) => record[name] ?? null), probability };
}

test('the rows come back as the events they were, in order, missing values null, across growth', () => {
  const records = applicants(3000, 7);
  // Some missing values of each kind, and two versions interleaved.
  records[5] = { ...records[5], emp_length: null, annual_inc: null };
  records[2500] = { ...records[2500], home_ownership: null, dti: null };
  const buffer = new SampledRows(5000);
  const expected = records.map((record, i) => {
    const version = i % 3 === 0 ? 'v2' : 'v1';
    const probability = (i % 997) / 997 + 1e-9;
    assert.equal(buffer.push(version, record, probability, 1_700_000_000_000 + i), true);
    return event(version, record, probability, 1_700_000_000_000 + i);
  });
  assert.equal(buffer.length, 3000);
  const events = buffer.drain();
  assert.deepEqual(events, expected);
  assert.ok(events[5].features.includes(null));
  assert.equal(buffer.length, 0);
  assert.deepEqual(buffer.drain(), []);
});

test('a full buffer refuses a row and keeps what it has; after a drain it takes rows again', () => {
  const [a, b, c] = applicants(3, 11);
  const buffer = new SampledRows(2);
  assert.equal(buffer.push('v1', a, 0.1, 1), true);
  assert.equal(buffer.push('v1', b, 0.2, 2), true);
  assert.equal(buffer.push('v1', c, 0.3, 3), false);
  assert.deepEqual(buffer.drain(), [event('v1', a, 0.1, 1), event('v1', b, 0.2, 2)]);
  assert.equal(buffer.push('v3', c, 0.3, 3), true);
  assert.deepEqual(buffer.drain(), [event('v3', c, 0.3, 3)]);
});
