import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { BulkHistogram } from '../src/bulk-histogram.js';

const BUCKETS = [0.01, 0.05, 0.1, 0.5];

/** The same observations through prom-client's observe() and through observeAll(), as exposition text. */
async function bothWays(runs: readonly number[][], { resetAfter }: { resetAfter?: number } = {}) {
  const plainRegistry = new Registry();
  const bulkRegistry = new Registry();
  const plain = new Histogram({ name: 'score', help: 'h', buckets: BUCKETS, registers: [plainRegistry] });
  const bulk = new BulkHistogram({ name: 'score', help: 'h', buckets: BUCKETS, registers: [bulkRegistry] });
  runs.forEach((run, i) => {
    for (const value of run) plain.observe(value);
    // Odd runs through observe() too: both ways into one histogram must add up.
    if (i % 2 === 1) for (const value of run) bulk.observe(value);
    else bulk.observeAll(Float32Array.from(run));
    if (resetAfter === i) {
      plain.reset();
      plain.zero({});
      bulk.reset();
    }
  });
  // The text exposition and the JSON one (what AggregatorRegistry merges) take different paths.
  assert.deepEqual(await bulkRegistry.getMetricsAsJSON(), await plainRegistry.getMetricsAsJSON());
  return { plain: await plainRegistry.metrics(), bulk: await bulkRegistry.metrics() };
}

// Float32 values, so both sides count exactly the same numbers.
const runs = [
  [0.005, 0.01, 0.2, 0.7, 0.049],
  [0.05, 0.0001],
  [0.3, 0.999, 0.02, 0.01],
].map((run) => run.map(Math.fround));

test('observeAll exports what observe() of each value does, with observe() calls mixed in', async () => {
  const { plain, bulk } = await bothWays(runs);
  assert.equal(bulk, plain);
  assert.match(bulk, /score_bucket\{le="\+Inf"\} 11/);
});

test('after reset() the histogram counts from zero again, and exports its buckets at zero', async () => {
  const { plain, bulk } = await bothWays(runs, { resetAfter: 1 });
  assert.equal(bulk, plain);
  assert.match(bulk, /score_count 4/);
  const empty = new BulkHistogram({ name: 'idle', help: 'h', buckets: BUCKETS, registers: [] });
  empty.observeAll([0.2]);
  empty.reset();
  const { values } = await empty.get();
  assert.ok(values.length > 0 && values.every((v) => v.value === 0));
});

test('a value that is not a finite number is refused, and the finite ones of the run still count', async () => {
  const bulk = new BulkHistogram({ name: 'score', help: 'h', buckets: BUCKETS, registers: [] });
  assert.throws(() => {
    bulk.observeAll([0.02, Number.NaN, 0.3]);
  }, /score: value is not a finite number: NaN/);
  const { values } = await bulk.get();
  assert.equal(values.find((v) => v.metricName === 'score_count')?.value, 2);
});
