import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { registerProcessMetrics } from '../src/process-metrics.js';

async function namesOf(registry: Registry): Promise<string[]> {
  return (await registry.getMetricsAsJSON()).map((m) => m.name).sort();
}

test("the API's process metrics are prom-client's defaults without the GC duration histogram, unless asked for", async () => {
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  const all = await namesOf(defaults);
  assert.ok(all.includes('nodejs_gc_duration_seconds'));

  const without = new Registry();
  registerProcessMetrics(without, { gcDuration: false });
  // A prom-client upgrade that adds, renames or drops a default metric fails here.
  assert.deepEqual(
    await namesOf(without),
    all.filter((name) => name !== 'nodejs_gc_duration_seconds'),
  );
  assert.match(await without.metrics(), /nodejs_eventloop_lag_p99_seconds \d/);

  const withGc = new Registry();
  registerProcessMetrics(withGc, { gcDuration: true });
  assert.deepEqual(await namesOf(withGc), all);
});
