/**
 * The batch worker's reading of raw CSV records: records without quotes are split on commas
 * rather than run through csv-parse, so their cells must be exactly what csv-parse gives; quoted
 * and malformed records still go through csv-parse, a malformed one failing alone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { csvCells } from '../src/batch/chunk-rows.js';

/** mulberry32, seeded, so a failing record can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('records without quotes read as csv-parse reads them', () => {
  const rnd = random(1126);
  const alphabet = ['a', '7', '.', '-', ' ', ',', ',', '\r', '\t', '\uFEFF', 'é', ''];
  // The API never hands on an empty record (blank lines are skipped there).
  const records = Array.from({ length: 5000 }, () =>
    Array.from({ length: Math.floor(rnd() * 40) + 1 }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join(''),
  ).filter((text) => text !== '');
  const ours = csvCells(records);
  records.forEach((text, i) => {
    const theirs = parse(text, { relax_column_count: true, record_delimiter: '\n' });
    assert.equal(theirs.length, 1, JSON.stringify(text));
    assert.deepEqual(ours[i], theirs[0], JSON.stringify(text));
  });
});

test('quoted records go through csv-parse; a malformed one is an error of its own row only', () => {
  const cells = csvCells(['a,"b,c",d', '"line\nbreak",""""', 'x"y,z', 'plain,row']);
  assert.deepEqual(cells[0], ['a', 'b,c', 'd']);
  assert.deepEqual(cells[1], ['line\nbreak', '"']);
  assert.ok(cells[2] instanceof Error);
  assert.deepEqual(cells[3], ['plain', 'row']);
});
