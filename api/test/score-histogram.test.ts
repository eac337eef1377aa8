/**
 * The score histogram counts a request's scores itself (score-histogram.ts): its scrape must read
 * exactly as prom-client's own Histogram fed the same scores one by one, in the text format and
 * as JSON, and a reset must empty it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Histogram, Registry } from 'prom-client';
import { ScoreHistogram } from '../src/score-histogram.js';

const BUCKETS = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 0.75];
const NAME = 'loanrisk_prediction_probability';
const HELP = 'Predicted probability of being late';
// On bounds, between them, below the first and above the last.
const SCORES = [0, 0.005, 0.0051, 0.2, 0.19999998807907104, 0.75, 0.7500001, 1, 0.03, 0.03];

/** The JSON's series without prom-client's empty exemplar slots. */
function series(metrics: Awaited<ReturnType<Registry['getMetricsAsJSON']>>) {
  return metrics.map(({ name, help, type, values }) => ({
    name,
    help,
    type,
    values: values.map(({ labels, value, metricName }: { labels: object; value: number; metricName?: string }) => ({
      labels,
      value,
      metricName,
    })),
  }));
}

test('ScoreHistogram scrapes as prom-client Histogram does for the same scores', async () => {
  const ours = new Registry();
  const theirs = new Registry();
  const counted = new ScoreHistogram({ name: NAME, help: HELP, buckets: BUCKETS, registry: ours });
  const reference = new Histogram({ name: NAME, help: HELP, buckets: BUCKETS, registers: [theirs] });
  counted.observeAll(SCORES.slice(0, 4));
  counted.observeAll(SCORES.slice(4));
  for (const score of SCORES) reference.observe(score);
  assert.equal(await ours.metrics(), await theirs.metrics());
  assert.deepEqual(series(await ours.getMetricsAsJSON()), series(await theirs.getMetricsAsJSON()));
  assert.match(await ours.metrics(), /loanrisk_prediction_probability_count 10/);

  assert.throws(() => {
    counted.observeAll([0.1, Number.NaN]);
  }, /not a valid number/);
  assert.equal(await ours.metrics(), await theirs.metrics(), 'a refused batch counts nothing');

  ours.resetMetrics();
  theirs.resetMetrics();
  counted.observeAll([0.3]);
  reference.observe(0.3);
  assert.equal(await ours.metrics(), await theirs.metrics());
});
