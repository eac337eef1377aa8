/**
 * Authentication on the running model, as a platform team turns it on: an API keys Secret
 * (hashes only) created here, the LoanRiskModel's spec.serving.auth naming it. Through the
 * Ingress a request without a key, or with a wrong one, is a JSON 401 and one with the key is
 * answered; a key rotated in the Secret reaches the running pods without a restart (the kubelet
 * updates the mounted file, the API re-reads it). Authentication is removed again afterwards, so
 * the later steps call the API as before.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { API_KEYS_FILE_NAME, AUTH_ENV } from '@peerloan/contracts';
import { kubectl, kubectlJson } from '../commands.js';
import { viaIngress, type IngressResponse } from '../ingress.js';
import { patchModel, waitRolledOut, type Journey } from '../journey-state.js';
import { waitFor } from '../waiting.js';
import { apiPodSelector } from './rollout.js';

interface ApiPod {
  metadata: { name: string; deletionTimestamp?: string };
  status: { containerStatuses?: Array<{ restartCount: number }> };
}
interface Deployment {
  spec: { template: { spec: { containers: Array<{ env?: Array<{ name: string }> }> } } };
}

function newKey(): string {
  return `plk_${randomBytes(24).toString('base64url')}`;
}

function keysFile(keys: readonly string[]): string {
  return JSON.stringify({
    keys: keys.map((key) => ({
      client: 'e2e-journey',
      sha256: createHash('sha256').update(key).digest('hex'),
      scopes: ['predict', 'batch'],
    })),
  });
}

async function applyKeysSecret(journey: Journey, name: string, keys: readonly string[]): Promise<void> {
  const manifest = await kubectl([
    '-n',
    journey.namespace,
    'create',
    'secret',
    'generic',
    name,
    `--from-literal=${API_KEYS_FILE_NAME}=${keysFile(keys)}`,
    '--dry-run=client',
    '-o',
    'yaml',
  ]);
  await kubectl(['-n', journey.namespace, 'apply', '-f', '-'], { input: manifest });
}

function predict(journey: Journey, loan: Record<string, unknown>, key?: string): Promise<IngressResponse> {
  return viaIngress(
    journey.host,
    'POST',
    '/predict',
    JSON.stringify(loan),
    'application/json',
    key ? { 'x-api-key': key } : {},
  );
}

/** The operator has rolled the API Deployment to a template with (or without) the keys file, and the rollout is done. */
async function rolledOut(journey: Journey, withAuth: boolean): Promise<void> {
  const name = `${journey.model}-api`;
  await waitFor(`${name}'s pod template ${withAuth ? 'reads' : 'no longer reads'} the API keys file`, 120, async () => {
    const deployment = await kubectlJson<Deployment>(['-n', journey.namespace, 'get', 'deployment', name]);
    const has = deployment.spec.template.spec.containers[0].env?.some((e) => e.name === AUTH_ENV.apiKeysFile) ?? false;
    return has === withAuth ? true : undefined;
  });
  await waitRolledOut(journey);
}

/** The serving API pods (not the ones a finished rollout is still terminating) and their restart counts. */
async function apiPods(journey: Journey): Promise<Map<string, number>> {
  const pods = await kubectlJson<{ items: ApiPod[] }>([
    '-n',
    journey.namespace,
    'get',
    'pods',
    '-l',
    apiPodSelector(journey),
    '--field-selector=status.phase=Running',
  ]);
  return new Map(
    pods.items
      .filter((p) => !p.metadata.deletionTimestamp)
      .map((p) => [p.metadata.name, p.status.containerStatuses?.[0]?.restartCount ?? 0]),
  );
}

export async function apiKeysThroughIngress(journey: Journey, loan: Record<string, unknown>): Promise<void> {
  const secret = `${journey.model}-api-keys`;
  const [first, second] = [newKey(), newKey()];
  await applyKeysSecret(journey, secret, [first]);
  await patchModel(journey, { spec: { serving: { auth: { apiKeysSecret: { name: secret } } } } });
  try {
    await rolledOut(journey, true);
    // Pods of the old template leave the Ingress's endpoints a moment after the rollout reports done.
    await waitFor(
      'every answer through the Ingress comes from a pod that needs a key',
      60,
      async () => {
        const answers = await Promise.all(Array.from({ length: 6 }, () => predict(journey, loan)));
        return answers.every((a) => a.status === 401) ? true : undefined;
      },
      1000,
    );
    const refused = await predict(journey, loan);
    assert.equal(refused.status, 401, refused.body);
    assert.match((JSON.parse(refused.body) as { error: string }).error, /credential is required/);
    assert.match(String(refused.headers['www-authenticate']), /X-API-Key/);
    assert.equal((await predict(journey, loan, 'plk_wrong')).status, 401);
    const answered = await predict(journey, loan, first);
    assert.equal(answered.status, 200, answered.body);
    assert.ok((JSON.parse(answered.body) as { probability: number }).probability > 0);

    const before = await apiPods(journey);
    await applyKeysSecret(journey, secret, [second]);
    // The kubelet refreshes Secret volumes on its sync period (about a minute), then the API's poll sees it.
    await waitFor(
      'the rotated key is accepted by the running pods',
      240,
      async () => ((await predict(journey, loan, second)).status === 200 ? true : undefined),
      2000,
    );
    await waitFor(
      'the old key is refused by every pod',
      120,
      async () => {
        const answers = await Promise.all(Array.from({ length: 6 }, () => predict(journey, loan, first)));
        return answers.every((a) => a.status === 401) ? true : undefined;
      },
      2000,
    );
    const after = await apiPods(journey);
    for (const [pod, restarts] of before) assert.equal(after.get(pod), restarts, `${pod} still serves, not restarted`);
  } finally {
    await patchModel(journey, [{ op: 'remove', path: '/spec/serving/auth' }]);
    await rolledOut(journey, false);
    await kubectl(['-n', journey.namespace, 'delete', 'secret', secret, '--ignore-not-found']);
  }
  await waitFor(
    'without serving.auth the API answers anyone again',
    60,
    async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => predict(journey, loan)));
      return answers.every((a) => a.status === 200) ? true : undefined;
    },
    1000,
  );
}
