/**
 * A training run that cannot succeed (its data path is wrong) leaves the model Degraded with a
 * reason a user can act on, and the live version keeps serving.
 */
import assert from 'node:assert/strict';
import { kubectl } from '../commands.js';
import { jsonViaIngress } from '../ingress.js';
import { condition, getModel, type Journey } from '../journey-state.js';
import { waitFor } from '../waiting.js';

export async function badDataPathDegrades(journey: Journey, loan: Record<string, unknown>): Promise<void> {
  const live = (await getModel(journey)).status?.liveVersion;
  await kubectl(['-n', journey.namespace, 'patch', 'loanriskmodel', journey.model, '--type', 'merge', '-p', '{"spec":{"dataset":{"path":"loans/no-such-file.csv"}}}']);
  const degraded = await waitFor(`${journey.model} Degraded`, 240, async () => {
    const c = condition(await getModel(journey), 'Degraded');
    return c?.status === 'True' ? c : undefined;
  }, 2000);
  assert.match(`${degraded.reason} ${degraded.message}`, /no-such-file|not found|ENOENT|Train/i, JSON.stringify(degraded));
  const model = await getModel(journey);
  assert.equal(model.status?.liveVersion, live, 'the live version is unchanged');
  const answer = await jsonViaIngress<{ modelVersion: string }>(journey.host, 'POST', '/predict', loan);
  assert.equal(answer.modelVersion, live, 'and keeps answering');
}
