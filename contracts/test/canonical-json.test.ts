import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalJson } from '../src/canonical-json.js';

test('equal values give equal text whatever the key order, at every depth', () => {
  const a = { seed: 42, grid: [{ max_depth: [3, 5], eta: [0.1] }], smote: { targetRatio: 0.2, k: 5 } };
  const b = { smote: { k: 5, targetRatio: 0.2 }, grid: [{ eta: [0.1], max_depth: [3, 5] }], seed: 42 };
  assert.equal(canonicalJson(a), canonicalJson(b));
  assert.equal(
    canonicalJson(a),
    '{"grid":[{"eta":[0.1],"max_depth":[3,5]}],"seed":42,"smote":{"k":5,"targetRatio":0.2}}',
  );
});

test('undefined members are left out, as JSON.stringify does, so the text stays valid JSON', () => {
  const text = canonicalJson({ b: undefined, a: 1, c: { d: undefined } });
  assert.equal(text, '{"a":1,"c":{}}');
  assert.deepEqual(JSON.parse(text), { a: 1, c: {} });
});

test('keys sort by code unit, not by locale: the same order on every machine', () => {
  assert.equal(canonicalJson({ a: 2, B: 1, _z: 3 }), '{"B":1,"_z":3,"a":2}');
});

test('array order is kept: it is part of the value', () => {
  assert.notEqual(canonicalJson([1, 2]), canonicalJson([2, 1]));
});
