/**
 * The quarterly portfolio run: a CSV through `POST /batches` on the Ingress, scored by the
 * worker in chunks, results downloaded.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { jsonViaIngress, viaIngress } from '../ingress.js';
import type { Journey } from '../journey-state.js';
import { waitFor } from '../waiting.js';

interface BatchStatus {
  state: string;
  progress: number;
  counts: { total: number; scored: number; invalid: number };
}

export async function portfolioBatch(journey: Journey, csvPath: string, rows: number): Promise<void> {
  const submitted = await viaIngress(journey.host, 'POST', '/batches', readFileSync(csvPath, 'utf8'), 'text/csv');
  assert.equal(submitted.status, 202, submitted.body);
  const { id } = JSON.parse(submitted.body) as { id: string };
  const status = await waitFor(`batch ${id} completed`, 180, async () => {
    const s = await jsonViaIngress<BatchStatus>(journey.host, 'GET', `/batches/${id}`);
    if (s.state === 'failed') throw new Error(`batch failed: ${JSON.stringify(s)}`);
    return s.state === 'completed' ? s : undefined;
  });
  assert.deepEqual(status.counts, { total: rows, scored: rows, invalid: 0 });
  const results = await viaIngress(journey.host, 'GET', `/batches/${id}/results`);
  assert.equal(results.status, 200);
  const lines = results.body.trim().split('\n');
  assert.equal(lines[0], 'id,probability,decision,model_version,reason_1,reason_2,reason_3');
  assert.equal(lines.length, rows + 1);
}
