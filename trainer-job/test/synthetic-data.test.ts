import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateLoans } from '../src/synthetic-data.js';

test('lateLogitShift: the same loans, only outcomes move, and only towards late', () => {
  const plain = [...generateLoans({ rows: 20000, seed: 3 })];
  const later = [...generateLoans({ rows: 20000, seed: 3, lateLogitShift: 0.5 })];
  assert.deepEqual(
    later.map((l) => l.record),
    plain.map((l) => l.record),
  );
  assert.ok(
    later.every((l, i) => l.label >= plain[i].label),
    'a loan late at the base rate stays late',
  );
  const rate = (loans: typeof plain) => loans.reduce((a, l) => a + l.label, 0) / loans.length;
  assert.ok(rate(plain) > 0.015 && rate(plain) < 0.03, `base rate ${rate(plain)}`);
  assert.ok(rate(later) > rate(plain) * 1.4, `${rate(later)} vs ${rate(plain)}`);
});
