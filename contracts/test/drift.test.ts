import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyCounts, psi, slotOf, type Histogram } from '../src/index.js';

const numeric: Histogram = { kind: 'numeric', edges: [10, 20], shares: [0.25, 0.5, 0.2], missingShare: 0.05 };
const categorical: Histogram = {
  kind: 'categorical',
  categories: ['A', 'B'],
  shares: [0.6, 0.4],
  otherShare: 0,
  missingShare: 0,
};

test('values land in the baseline slots, with other and missing at the end', () => {
  assert.deepEqual(
    [5, 10, 19.9, 20, 99].map((v) => slotOf(numeric, v)),
    [0, 1, 1, 2, 2],
  );
  assert.equal(slotOf(numeric, null), 4);
  assert.equal(slotOf(numeric, Number.NaN), 4);
  assert.equal(slotOf(categorical, 'B'), 1);
  assert.equal(slotOf(categorical, 'Z'), 2);
  assert.equal(emptyCounts(numeric).length, 5);
});

test('PSI is zero for the baseline itself and matches a hand computation for a shift', () => {
  assert.ok(Math.abs(psi(numeric, [25, 50, 20, 0, 5])) < 1e-12);
  // A->0.3, B->0.7: (0.3-0.6)ln(0.5) + (0.7-0.4)ln(1.75); empty "other"/"missing" slots match the floor.
  const expected = -0.3 * Math.log(0.5) + 0.3 * Math.log(1.75);
  assert.ok(Math.abs(psi(categorical, [30, 70, 0, 0]) - expected) < 1e-12);
});
