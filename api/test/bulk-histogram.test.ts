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

/** The same labelled observations through prom-client's labels().observe() and through seriesOf(), after `change`. */
async function bothWaysLabelled(change: (h: { plain: Histogram<'route'>; bulk: BulkHistogram<'route'> }) => void) {
  const plainRegistry = new Registry();
  const bulkRegistry = new Registry();
  const config = { name: 'took', help: 'h', buckets: BUCKETS, labelNames: ['route'] as const };
  const plain = new Histogram({ ...config, labelNames: [...config.labelNames], registers: [plainRegistry] });
  const bulk = new BulkHistogram({ ...config, labelNames: [...config.labelNames], registers: [bulkRegistry] });
  const observed = { '/a': runs[0], '/b': runs[1], '/c': runs[2] };
  for (const [route, values] of Object.entries(observed)) {
    const plainChild = plain.labels({ route });
    const bulkSeries = bulk.seriesOf({ route });
    values.forEach((value, i) => {
      plainChild.observe(value);
      if (i % 2 === 0) bulkSeries.observe(value);
      else bulkSeries.observeAll([value]);
    });
  }
  change({ plain, bulk });
  assert.deepEqual(await bulkRegistry.getMetricsAsJSON(), await plainRegistry.getMetricsAsJSON());
  const text = await bulkRegistry.metrics();
  assert.equal(text, await plainRegistry.metrics());
  return text;
}

test('a labelled series exports what labels().observe() does, each label set on its own', async () => {
  const text = await bothWaysLabelled(() => undefined);
  assert.match(text, /took_count\{route="\/a"\} 5/);
  assert.match(text, /took_bucket\{le="0.1",route="\/b"\} 2/);
});

test('reset() and remove() forget a labelled series, and it counts from zero when observed again', async () => {
  const text = await bothWaysLabelled(({ plain, bulk }) => {
    plain.remove({ route: '/a' });
    bulk.remove({ route: '/a' });
    plain.remove('/b');
    bulk.remove('/b');
    plain.labels({ route: '/b' }).observe(0.2);
    bulk.seriesOf({ route: '/b' }).observe(0.2);
  });
  assert.doesNotMatch(text, /route="\/a"/);
  assert.match(text, /took_count\{route="\/b"\} 1/);
  await bothWaysLabelled(({ plain, bulk }) => {
    plain.reset();
    bulk.reset();
    plain.labels({ route: '/c' }).observe(0.02);
    bulk.seriesOf({ route: '/c' }).observe(0.02);
  });
});

test('a series of a label the histogram does not have is refused', () => {
  const bulk = new BulkHistogram({ name: 'took', help: 'h', buckets: BUCKETS, labelNames: ['route'], registers: [] });
  assert.throws(() => bulk.seriesOf({ path: '/a' } as never), /took: no label named path/);
});
