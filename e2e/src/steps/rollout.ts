/**
 * Changes under load: a retrain rolled out while k6 sends steady traffic through the Ingress
 * (with the operator's Pod deleted mid-training), and an API Pod deleted under load. Zero
 * failed requests is the verdict of both.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { kubectl, kubectlJson } from '../commands.js';
import { viaIngress } from '../ingress.js';
import { condition, describeStatus, getModel, liveVersionOf, patchModel, type Journey } from '../journey-state.js';
import { runK6 } from '../k6.js';
import { waitFor } from '../waiting.js';
import { trainingJobs, waitForNewLiveVersion } from './training.js';

/** The model versions that answered /predict through the Ingress while it ran. */
function watchVersions(journey: Journey, loan: Record<string, unknown>): { stop(): Promise<Set<string>> } {
  const seen = new Set<string>();
  const stopping = new AbortController();
  const loop = (async () => {
    while (!stopping.signal.aborted) {
      const res = await viaIngress(journey.host, 'POST', '/predict', JSON.stringify(loan)).catch(() => undefined);
      if (res?.status === 200) seen.add((JSON.parse(res.body) as { modelVersion: string }).modelVersion);
      await sleep(250);
    }
  })();
  return {
    stop: async () => {
      stopping.abort();
      await loop;
      return seen;
    },
  };
}

export const apiPodSelector = (journey: Journey): string =>
  `risk.peerloan.io/model=${journey.model},app.kubernetes.io/component=api`;

export function assertNoFailedRequest(result: Awaited<ReturnType<typeof runK6>>, what: string): void {
  const failed = result.metrics.http_req_failed;
  assert.ok(failed, `k6 reported no http_req_failed metric for ${what}:\n${result.output.slice(-2000)}`);
  assert.equal(
    failed.value,
    0,
    `failed requests during ${what}: ${JSON.stringify(failed)}\n${result.output.slice(-2000)}`,
  );
  assert.ok((result.metrics.http_reqs?.count ?? 0) > 100, `k6 sent requests during ${what}`);
}

export async function retrainUnderLoad(journey: Journey, loan: Record<string, unknown>): Promise<void> {
  const previous = liveVersionOf(journey);
  const jobsBefore = new Set((await trainingJobs(journey)).map((j) => j.metadata.name));
  const versions = watchVersions(journey, loan);
  const load = runK6('rollout.js', journey.host, { RATE: '20', DURATION: '150s' });
  await patchModel(journey, { spec: { training: { seed: 2 } } });
  const job = await waitFor(
    'a new training Job',
    60,
    async () => (await trainingJobs(journey)).find((j) => !jobsBefore.has(j.metadata.name))?.metadata.name,
  );
  // The operator loses its Pod while the Job runs: its successor must adopt the Job, not add one.
  await kubectl([
    '-n',
    journey.namespace,
    'delete',
    'pod',
    '-l',
    'app.kubernetes.io/component=operator',
    '--wait=false',
  ]);
  journey.liveVersion = await waitForNewLiveVersion(journey, previous, 400);
  const result = await load;
  const seen = await versions.stop();
  assertNoFailedRequest(result, 'the retrain and rolling update');
  assert.ok(seen.has(previous) && seen.has(journey.liveVersion), `both versions answered: saw ${[...seen].join(', ')}`);
  const jobs = (await trainingJobs(journey)).map((j) => j.metadata.name);
  assert.deepEqual(
    jobs.filter((name) => !jobsBefore.has(name)),
    [job],
    'exactly one new training Job',
  );
}

/**
 * A retrain under `spec.rollout.strategy: canary`: the candidate runs in shadow, then answers
 * 50 % and 100 % of requests through the Ingress, and is promoted; k6 sees no failed request,
 * both versions answer during the canary and only the new one after.
 */
export async function canaryUnderLoad(journey: Journey, loan: Record<string, unknown>): Promise<void> {
  const previous = liveVersionOf(journey);
  const load = runK6('rollout.js', journey.host, { RATE: '20', DURATION: '240s' });
  const versions = watchVersions(journey, loan);
  await patchModel(journey, {
    spec: {
      training: { seed: 3 },
      qualityGate: { maxRegression: 0.05 },
      rollout: {
        strategy: 'canary',
        steps: [50, 100],
        bakeSeconds: 15,
        readyDeadlineSeconds: 180,
        checks: { minSamples: 400 },
      },
    },
  });
  const shares = new Set<number>();
  const candidate = await waitFor(
    'the candidate in canary',
    300,
    async () => {
      const model = await getModel(journey);
      if (model.status?.candidateVersion) shares.add(model.status.candidateTrafficPercent ?? 0);
      const candidate = model.status?.candidateVersion;
      if (candidate && model.status?.candidateTrafficPercent === 50) return candidate;
      if (model.status?.liveVersion !== previous)
        throw new Error(`promoted before the 50 % step was seen: ${describeStatus(model)}`);
      return undefined;
    },
    1000,
  );
  assert.ok(shares.has(0), `the candidate ran in shadow (0 %) first: saw ${[...shares].join(', ')} %`);
  journey.liveVersion = await waitForNewLiveVersion(journey, previous, 300);
  assert.equal(journey.liveVersion, candidate, 'the canary is what was promoted');
  const seen = await versions.stop();
  assertNoFailedRequest(await load, 'the shadow and canary steps');
  assert.ok(
    seen.has(previous) && seen.has(candidate),
    `both versions answered during the canary: saw ${[...seen].join(', ')}`,
  );
  for (let i = 0; i < 20; i++) {
    const answer = await viaIngress(
      journey.host,
      'POST',
      '/predict',
      JSON.stringify({ ...loan, id: `applicant-${i}` }),
    );
    assert.equal(
      (JSON.parse(answer.body) as { modelVersion: string }).modelVersion,
      candidate,
      'only the new version after promotion',
    );
  }
}

/**
 * A candidate whose scores cannot pass the rollout's PSI check (a limit no retrain can meet) is
 * rolled back on its own under k6 load: live unchanged, Degraded with the reason, no failed request.
 */
export async function canaryRollbackUnderLoad(journey: Journey): Promise<void> {
  const live = liveVersionOf(journey);
  const load = runK6('rollout.js', journey.host, { RATE: '20', DURATION: '150s' });
  await patchModel(journey, {
    spec: { training: { seed: 4 }, rollout: { checks: { maxScorePsi: 0.000001 } } },
  });
  const degraded = await waitFor(
    'the canary rolled back',
    300,
    async () => {
      const model = await getModel(journey);
      const c = condition(model, 'Degraded');
      return c?.status === 'True' && !model.status?.candidateVersion ? { model, c } : undefined;
    },
    1000,
  );
  assert.equal(degraded.model.status?.liveVersion, live, 'the live version is unchanged');
  assert.match(`${degraded.c.reason} ${degraded.c.message}`, /psi/i, JSON.stringify(degraded.c));
  const rejected = degraded.model.status.history?.find((h) => h.outcome === 'Rejected');
  assert.ok(rejected, 'the rejected version is in the history');
  assertNoFailedRequest(await load, 'the canary and its rollback');
}

export async function apiPodDeletedUnderLoad(journey: Journey): Promise<void> {
  await waitFor('two API replicas ready', 180, async () => {
    const d = await kubectlJson<{ status: { readyReplicas?: number } }>([
      '-n',
      journey.namespace,
      'get',
      'deploy',
      `${journey.model}-api`,
    ]);
    return (d.status.readyReplicas ?? 0) >= 2 ? true : undefined;
  });
  const load = runK6('rollout.js', journey.host, { RATE: '30', DURATION: '40s' });
  await sleep(10_000);
  const pods = (await kubectl(['-n', journey.namespace, 'get', 'pods', '-l', apiPodSelector(journey), '-o', 'name']))
    .trim()
    .split('\n');
  assert.ok(pods.length >= 2, `two API pods: ${pods.join(', ')}`);
  await kubectl(['-n', journey.namespace, 'delete', pods[0], '--wait=false']);
  assertNoFailedRequest(await load, 'the deletion of an API pod');
}
