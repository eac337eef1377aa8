/**
 * A training run that cannot succeed (its data path is wrong) leaves the model Degraded with a
 * reason a user can act on, and the live version keeps serving.
 */
import assert from 'node:assert/strict';
import { jsonViaIngress } from '../ingress.js';
import { condition, getModel, patchModel, type Journey } from '../journey-state.js';
import { waitFor } from '../waiting.js';

export async function badDataPathDegrades(journey: Journey, loan: Record<string, unknown>): Promise<void> {
  const live = (await getModel(journey)).status?.liveVersion;
  await patchModel(journey, { spec: { dataset: { path: 'loans/no-such-file.csv' } } });
  // Degraded may already be True from an earlier rolled-back canary: wait for this run's reason.
  await waitFor(
    `${journey.model} Degraded by the failed training run`,
    240,
    async () => {
      const c = condition(await getModel(journey), 'Degraded');
      const aboutTraining =
        c?.reason !== 'RolloutCheckFailed' && /no-such-file|not found|ENOENT|Train/i.test(`${c?.reason} ${c?.message}`);
      return c?.status === 'True' && aboutTraining ? c : undefined;
    },
    2000,
  );
  const model = await getModel(journey);
  assert.equal(model.status?.liveVersion, live, 'the live version is unchanged');
  const answer = await jsonViaIngress<{ modelVersion: string }>(journey.host, 'POST', '/predict', loan);
  assert.equal(answer.modelVersion, live, 'and keeps answering');
}
