/**
 * Drift: shifted applicants through the Ingress make the worker mark the model Drifted; with
 * `drift.action: retrain` the operator then starts a new training Job.
 */
import assert from 'node:assert/strict';
import type { LoanRecord } from '@peerloan/contracts';
import { kubectl } from '../commands.js';
import { jsonViaIngress } from '../ingress.js';
import { condition, getModel, patchModel, type Journey } from '../journey-state.js';
import { waitFor } from '../waiting.js';
import { trainingJobs } from './training.js';

export async function driftMarksAndRetrains(journey: Journey, shifted: LoanRecord[]): Promise<void> {
  const jobsBefore = new Set((await trainingJobs(journey)).map((j) => j.metadata.name));
  // The worker compares each window of logged predictions (spec.drift.window, 1h by default).
  await patchModel(journey, { spec: { drift: { window: '15s' } } });
  // The API logs a sample of its predictions; send until a window closes over them.
  await waitFor(
    `${journey.model} Drifted`,
    240,
    async () => {
      for (let i = 0; i < shifted.length; i += 500) {
        await jsonViaIngress(journey.host, 'POST', '/predict', { instances: shifted.slice(i, i + 500) });
      }
      const drifted = condition(await getModel(journey), 'Drifted');
      return drifted?.status === 'True' ? drifted : undefined;
    },
    2000,
  );
  const events = await kubectl([
    '-n',
    journey.namespace,
    'get',
    'events',
    '--field-selector',
    `involvedObject.name=${journey.model}`,
  ]);
  assert.match(events, /Drift/i, `an Event records the drift:\n${events}`);
  await patchModel(journey, { spec: { drift: { action: 'retrain' } } });
  await waitFor(
    'a drift-triggered training Job',
    120,
    async () => (await trainingJobs(journey)).find((j) => !jobsBefore.has(j.metadata.name))?.metadata.name,
  );
}
