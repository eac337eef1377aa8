/**
 * Progressive delivery against a real kube-apiserver: each transition of the rollout state
 * machine, asserting the status, the conditions, the Events and what the Deployment's pod template
 * now says. The test plays the Job controller, the Deployment controller and the kubelet, and runs
 * real HTTP servers as the API pods' GET /rollout/stats; the reconciler's clock is the test's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  setHeaderOptions,
  type KubeConfig,
  type V1Deployment,
} from '@kubernetes/client-node';
import pino from 'pino';
import {
  CRD_GROUP,
  CRD_PLURAL,
  CRD_VERSION,
  MODEL_VERSION_ANNOTATION,
  servedVersion,
  type LoanRiskModel,
  type RolloutSpec,
} from '@peerloan/contracts';
import { KubeClient } from '../src/kube.js';
import { Reconciler } from '../src/reconcile.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import {
  createModel,
  createNamespace,
  finishTraining,
  getModel,
  installCrd,
  makeDeploymentAvailable,
  modelObject,
  patchModelSpec,
  sampleSpec,
  summary,
} from './fixtures.js';
import { FakeApiPod, HIGH_SCORES, rollPods } from './rollout-pods.js';
import { required } from './required.js';

const NS = 'rollouts';
let cp: ControlPlane;
let kc: KubeConfig;
let reconciler: Reconciler;
let clock = new Date('2026-12-01T09:00:00Z');
const tick = (seconds: number) => {
  clock = new Date(clock.getTime() + seconds * 1000);
};

const condition = (m: LoanRiskModel, type: string) => m.status?.conditions?.find((c) => c.type === type);
const deployment = async (name: string) =>
  await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: NS, name: `${name}-api` });
const envOf = (dep: V1Deployment) =>
  Object.fromEntries(
    required(dep.spec?.template.spec?.containers[0].env, 'dep.spec.template.spec.containers[0].env').map((e) => [
      e.name,
      e.value,
    ]),
  );
const rolloutEnv = (dep: V1Deployment) => {
  const env = envOf(dep);
  return {
    annotation: required(dep.spec?.template.metadata?.annotations, 'dep.spec.template.metadata.annotations')[
      MODEL_VERSION_ANNOTATION
    ],
    ...Object.fromEntries(
      ['MODELS_ROOT', 'LIVE_VERSION', 'CANDIDATE_VERSION', 'CANDIDATE_MODE', 'CANDIDATE_TRAFFIC_PERCENT', 'MODEL_DIR']
        .filter((k) => k in env)
        .map((k) => [k, env[k]]),
    ),
  };
};
const served = (live: string) => ({
  annotation: live,
  MODELS_ROOT: '/models',
  LIVE_VERSION: live,
  MODEL_DIR: `/models/${live}`,
});
const trying = (live: string, candidate: string, mode: string, percent: number) => ({
  ...served(live),
  CANDIDATE_VERSION: candidate,
  CANDIDATE_MODE: mode,
  CANDIDATE_TRAFFIC_PERCENT: String(percent),
});

async function events(name: string) {
  const list = await kc
    .makeApiClient(CoreV1Api)
    .listNamespacedEvent({ namespace: NS, fieldSelector: `involvedObject.name=${name}` });
  return list.items;
}

/** A finished training run of the current spec whose candidate the gate will judge. */
async function trainCandidate(name: string, version: string, rocAuc: number): Promise<LoanRiskModel> {
  await reconciler.reconcile(NS, name);
  const job = required(
    (await getModel(kc, NS, name)).status?.trainingJob,
    '(await getModel(kc, NS, name)).status.trainingJob',
  );
  await finishTraining(kc, NS, job, JSON.stringify(summary(version, rocAuc)));
  await reconciler.reconcile(NS, name);
  return await getModel(kc, NS, name);
}

/** A model serving v1 (its first candidate goes live at once, nothing to compare it with), then v2 passing the gate. */
async function liveThenCandidate(name: string, rollout: RolloutSpec, v1: string, v2: string): Promise<LoanRiskModel> {
  await createModel(kc, modelObject(NS, name, sampleSpec({ rollout })));
  const first = await trainCandidate(name, v1, 0.8);
  assert.equal(first.status?.liveVersion, v1);
  assert.equal(first.status.rollout, undefined);
  await makeDeploymentAvailable(kc, NS, `${name}-api`);
  await patchModelSpec(kc, NS, name, { training: { image: 'trainer:test', folds: 4 } });
  return await trainCandidate(name, v2, 0.83);
}

/** The step's pods are up and read for the first time: that read is the baseline and the bake starts. */
async function startBake(name: string, previous: FakeApiPod[], count = 2): Promise<FakeApiPod[]> {
  const pods = await rollPods(kc, NS, `${name}-api`, count, previous);
  await reconciler.reconcile(NS, name);
  const model = await getModel(kc, NS, name);
  assert.equal(model.status?.rollout?.bakeStartTime, clock.toISOString());
  return pods;
}

describe('progressive delivery', () => {
  const pods: FakeApiPod[] = [];
  before(async () => {
    cp = await startControlPlane();
    kc = cp.kubeConfig();
    await installCrd(kc);
    await createNamespace(kc, NS);
    reconciler = new Reconciler(new KubeClient(kc), pino({ level: 'silent' }), () => clock);
  });
  after(async () => {
    await Promise.all(pods.map((p) => p.stop().catch(() => undefined)));
    await cp.stop();
  });

  test('canary: shadow -> 10% -> 50% -> 100% -> promoted, each step held for its bake with its checks', async () => {
    const rollout: RolloutSpec = {
      strategy: 'canary',
      steps: [10, 50, 100],
      bakeSeconds: 60,
      readyDeadlineSeconds: 120,
      checks: { minSamples: 100 },
    };
    let model = await liveThenCandidate('canary', rollout, 'v1canary0001', 'v2canary0002');

    // Shadow: the live version answers, the candidate scores the same rows beside it.
    assert.equal(model.status?.phase, 'Shadow');
    assert.equal(model.status.liveVersion, 'v1canary0001');
    assert.equal(model.status.candidateVersion, 'v2canary0002');
    assert.equal(model.status.candidateTrafficPercent, 0);
    assert.deepEqual(
      [model.status.rollout?.phase, model.status.rollout?.strategy, model.status.rollout?.stepStartTime],
      ['Shadow', 'canary', clock.toISOString()],
    );
    assert.equal(required(model.status.history, 'model.status.history')[0].outcome, 'Accepted');
    assert.deepEqual(rolloutEnv(await deployment('canary')), trying('v1canary0001', 'v2canary0002', 'shadow', 0));
    assert.ok(
      (await events('canary')).some(
        (e) =>
          e.reason === 'ShadowStarted' &&
          /v2canary0002 scores live traffic in shadow/.test(required(e.message, 'e.message')),
      ),
    );

    // Not ready yet: the step waits and says why.
    tick(10);
    let result = await reconciler.reconcile(NS, 'canary');
    assert.ok(required(result.requeueAfterMs, 'result.requeueAfterMs') > 0);
    assert.match(
      required(
        (await getModel(kc, NS, 'canary')).status?.rollout?.message,
        "(await getModel(kc, NS, 'canary')).status.rollout.message",
      ),
      /not yet observed|not yet updated/,
    );

    let step = await startBake('canary', []);
    pods.push(...step);
    for (const p of step) p.count({ rows: 300 }, { rows: 300, agreements: 290 });
    tick(30);
    await reconciler.reconcile(NS, 'canary');
    model = await getModel(kc, NS, 'canary');
    assert.equal(model.status?.rollout?.phase, 'Shadow', 'the bake is not over');
    assert.match(required(model.status.rollout.message, 'model.status.rollout.message'), /checks hold; baking until/);
    const checks = Object.fromEntries(
      required(model.status.rollout.checks, 'model.status.rollout.checks').map((c) => [c.name, c]),
    );
    assert.deepEqual(checks.minSamples, { name: 'minSamples', value: 600, limit: 100, result: 'Pass' });
    assert.deepEqual(checks.minDecisionAgreement, {
      name: 'minDecisionAgreement',
      value: 0.9667,
      limit: 0.9,
      result: 'Pass',
    });
    assert.deepEqual([checks.maxErrorRate.value, checks.maxP99LatencyRatio.value, checks.maxScorePsi.value], [0, 1, 0]);

    // Reconciling again while nothing moved changes nothing.
    const rv = async () => [
      (await getModel(kc, NS, 'canary')).metadata.resourceVersion,
      (await deployment('canary')).metadata?.resourceVersion,
    ];
    const before = await rv();
    await reconciler.reconcile(NS, 'canary');
    assert.deepEqual(await rv(), before);

    // Bake over, checks held: the first canary step.
    tick(31);
    await reconciler.reconcile(NS, 'canary');
    model = await getModel(kc, NS, 'canary');
    assert.equal(model.status?.phase, 'Canary');
    assert.deepEqual(
      [model.status.rollout?.phase, model.status.rollout?.step, model.status.candidateTrafficPercent],
      ['Canary', 0, 10],
    );
    assert.deepEqual(rolloutEnv(await deployment('canary')), trying('v1canary0001', 'v2canary0002', 'canary', 10));
    assert.ok(
      (await events('canary')).some(
        (e) =>
          e.reason === 'CanaryStep' &&
          /canary step 1 of 3 \(10%\) after the shadow phase held/.test(required(e.message, 'e.message')),
      ),
    );
    const table = await cp.getTable(`/apis/${CRD_GROUP}/${CRD_VERSION}/namespaces/${NS}/${CRD_PLURAL}/canary`);
    assert.deepEqual(table.rows[0].cells.slice(0, 5), ['canary', 'v1canary0001', 'v2canary0002', 10, 'Canary']);

    // 10 %: the new pods (new counters) bake; then 50 %.
    step = await startBake('canary', step);
    pods.push(...step);
    for (const p of step) p.count({ rows: 450 }, { rows: 50 });
    tick(30);
    await reconciler.reconcile(NS, 'canary');
    model = await getModel(kc, NS, 'canary');
    assert.equal(model.status?.rollout?.step, 0);
    assert.equal(
      model.status.rollout.checks?.find((c) => c.name === 'minDecisionAgreement')?.result,
      'NotApplicable',
      'agreement is a shadow check',
    );
    tick(31);
    await reconciler.reconcile(NS, 'canary');
    model = await getModel(kc, NS, 'canary');
    assert.deepEqual([model.status?.rollout?.step, model.status?.candidateTrafficPercent], [1, 50]);
    assert.deepEqual(rolloutEnv(await deployment('canary')), trying('v1canary0001', 'v2canary0002', 'canary', 50));

    // 50 %: the bake is over but fewer than minSamples candidate rows were seen: the step waits.
    step = await startBake('canary', step);
    pods.push(...step);
    for (const p of step) p.count({ rows: 20 }, { rows: 20 });
    tick(61);
    result = await reconciler.reconcile(NS, 'canary');
    model = await getModel(kc, NS, 'canary');
    assert.equal(model.status?.rollout?.step, 1);
    assert.match(
      required(model.status.rollout.message, 'model.status.rollout.message'),
      /waiting for 100 candidate rows \(checks.minSamples\): 40 so far from 2 pods/,
    );
    assert.equal(model.status.rollout.checks?.find((c) => c.name === 'minSamples')?.result, 'Waiting');
    assert.equal(model.status.rollout.checks.find((c) => c.name === 'maxErrorRate')?.result, 'Waiting');
    assert.ok(
      required(result.requeueAfterMs, 'result.requeueAfterMs') >= 10_000,
      'a step waiting for traffic is looked at again, later as it waits longer',
    );
    for (const p of step) p.count({ rows: 60 }, { rows: 60 });
    await reconciler.reconcile(NS, 'canary');
    model = await getModel(kc, NS, 'canary');
    assert.deepEqual([model.status?.rollout?.step, model.status?.candidateTrafficPercent], [2, 100]);

    // 100 %: no live answers left to compare latency and scores with; the error rate still counts.
    step = await startBake('canary', step, 1);
    pods.push(...step);
    step[0].count({ rows: 0 }, { rows: 200, errors: 1 });
    tick(61);
    await reconciler.reconcile(NS, 'canary');
    model = await getModel(kc, NS, 'canary');

    // Promoted: the candidate is live, the old live version is the previous one, nothing is tried.
    assert.equal(model.status?.liveVersion, 'v2canary0002');
    assert.equal(model.status.live?.metrics.rocAuc, 0.83);
    assert.equal(model.status.previousVersion, 'v1canary0001');
    assert.equal(model.status.candidateVersion, undefined);
    assert.equal(model.status.candidateTrafficPercent, 0);
    assert.equal(model.status.rollout?.phase, 'Promoted');
    assert.equal(model.status.phase, 'RollingOut');
    assert.equal(condition(model, 'Degraded')?.status, 'False');
    const final = Object.fromEntries(
      required(model.status.rollout.checks, 'model.status.rollout.checks').map((c) => [c.name, c.result]),
    );
    assert.deepEqual(final, {
      minSamples: 'Pass',
      maxErrorRate: 'Pass',
      maxP99LatencyRatio: 'NotApplicable',
      maxScorePsi: 'NotApplicable',
      minDecisionAgreement: 'NotApplicable',
    });
    assert.deepEqual(rolloutEnv(await deployment('canary')), served('v2canary0002'));
    const all = await events('canary');
    assert.ok(
      all.some(
        (e) =>
          e.reason === 'Promoted' &&
          e.message === 'candidate v2canary0002 promoted: live version v1canary0001 -> v2canary0002',
      ),
    );
    assert.ok(
      all.some((e) => e.reason === 'LiveVersionChanged' && e.message === 'live version v1canary0001 -> v2canary0002'),
    );

    await makeDeploymentAvailable(kc, NS, 'canary-api');
    await reconciler.reconcile(NS, 'canary');
    model = await getModel(kc, NS, 'canary');
    assert.equal(model.status?.phase, 'Ready');
    assert.equal(condition(model, 'Ready')?.status, 'True');
  });

  test('a failed check rolls back on its own: live unchanged, candidate cleared, Degraded, Event, rejected in the history', async () => {
    let model = await liveThenCandidate(
      'failing',
      { strategy: 'shadow', bakeSeconds: 60, checks: { minSamples: 100, maxErrorRate: 0.05 } },
      'v1failing001',
      'v2failing002',
    );
    assert.equal(model.status?.phase, 'Shadow');
    const step = await startBake('failing', []);
    pods.push(...step);
    for (const p of step) p.count({ rows: 100 }, { rows: 90, errors: 10, agreements: 90 });
    tick(5);
    await reconciler.reconcile(NS, 'failing');
    model = await getModel(kc, NS, 'failing');

    assert.equal(model.status?.liveVersion, 'v1failing001');
    assert.equal(model.status.candidateVersion, undefined);
    assert.equal(model.status.candidateTrafficPercent, 0);
    assert.equal(model.status.rollout?.phase, 'RolledBack');
    assert.equal(model.status.rollout.checks?.find((c) => c.name === 'maxErrorRate')?.result, 'Fail');
    const degraded = required(condition(model, 'Degraded'), "condition(model, 'Degraded')");
    assert.deepEqual([degraded.status, degraded.reason], ['True', 'RolloutCheckFailed']);
    assert.match(
      degraded.message,
      /the shadow phase failed its checks over 200 candidate rows: maxErrorRate 0.1 > 0.05/,
    );
    assert.deepEqual(
      { ...required(model.status.history, 'model.status.history')[0], time: undefined, message: undefined },
      {
        version: 'v2failing002',
        rocAuc: 0.83,
        outcome: 'Rejected',
        time: undefined,
        reason: 'RolloutCheckFailed',
        message: undefined,
      },
    );
    assert.deepEqual(rolloutEnv(await deployment('failing')), served('v1failing001'));
    const rolledBack = (await events('failing')).find((e) => e.reason === 'RolledBack');
    assert.equal(rolledBack?.type, 'Warning');
    assert.match(
      required(rolledBack.message, 'rolledBack.message'),
      /candidate v2failing002 rolled back, live version v1failing001 kept: .*maxErrorRate/,
    );

    // The rejected candidate is not tried again by the next passes.
    tick(120);
    await reconciler.reconcile(NS, 'failing');
    await reconciler.reconcile(NS, 'failing');
    model = await getModel(kc, NS, 'failing');
    assert.equal(model.status?.candidateVersion, undefined);
    assert.equal(model.status?.rollout?.phase, 'RolledBack');
    assert.deepEqual(rolloutEnv(await deployment('failing')), served('v1failing001'));
  });

  test('scores that moved too far (PSI) roll a canary step back too', async () => {
    let model = await liveThenCandidate(
      'shifted',
      { strategy: 'canary', steps: [25, 100], bakeSeconds: 30, checks: { minSamples: 50 } },
      'v1shifted001',
      'v2shifted002',
    );
    let step = await startBake('shifted', []);
    pods.push(...step);
    for (const p of step) p.count({ rows: 100 }, { rows: 100, agreements: 100 });
    tick(31);
    await reconciler.reconcile(NS, 'shifted');
    assert.equal((await getModel(kc, NS, 'shifted')).status?.candidateTrafficPercent, 25);
    step = await startBake('shifted', step);
    pods.push(...step);
    for (const p of step) p.count({ rows: 300 }, { rows: 100, scores: HIGH_SCORES });
    await reconciler.reconcile(NS, 'shifted');
    model = await getModel(kc, NS, 'shifted');
    assert.equal(model.status?.rollout?.phase, 'RolledBack');
    assert.match(
      required(condition(model, 'Degraded')?.message, 'Degraded condition message'),
      /canary step 1 of 2 \(25%\) failed its checks over 200 candidate rows: maxScorePsi \d+(\.\d+)? > 0.25/,
    );
    assert.deepEqual(rolloutEnv(await deployment('shifted')), served('v1shifted001'));
  });

  test('new pods that never become ready roll back after readyDeadlineSeconds', async () => {
    let model = await liveThenCandidate(
      'stuck',
      { strategy: 'canary', readyDeadlineSeconds: 30 },
      'v1stuck00001',
      'v2stuck00002',
    );
    assert.deepEqual(rolloutEnv(await deployment('stuck')), trying('v1stuck00001', 'v2stuck00002', 'shadow', 0));
    tick(20);
    const result = await reconciler.reconcile(NS, 'stuck');
    assert.ok(
      required(result.requeueAfterMs, 'result.requeueAfterMs') <= 12_000,
      'looked at again when the deadline is up',
    );
    assert.equal((await getModel(kc, NS, 'stuck')).status?.phase, 'Shadow');
    tick(11);
    await reconciler.reconcile(NS, 'stuck');
    model = await getModel(kc, NS, 'stuck');

    assert.equal(model.status?.liveVersion, 'v1stuck00001');
    assert.equal(model.status.candidateVersion, undefined);
    assert.equal(model.status.candidateTrafficPercent, 0);
    assert.equal(model.status.rollout?.phase, 'RolledBack');
    const degraded = required(condition(model, 'Degraded'), "condition(model, 'Degraded')");
    assert.deepEqual([degraded.status, degraded.reason], ['True', 'RolloutPodsNotReady']);
    assert.match(
      degraded.message,
      /the API pods of the shadow phase were not ready within readyDeadlineSeconds \(30\)/,
    );
    assert.deepEqual(
      [
        required(model.status.history, 'model.status.history')[0].version,
        required(model.status.history, 'model.status.history')[0].outcome,
        required(model.status.history, 'model.status.history')[0].reason,
      ],
      ['v2stuck00002', 'Rejected', 'RolloutPodsNotReady'],
    );
    assert.deepEqual(rolloutEnv(await deployment('stuck')), served('v1stuck00001'));
    assert.ok((await events('stuck')).some((e) => e.reason === 'RolledBack' && e.type === 'Warning'));
  });

  test('a pin that never passed the gate is refused and nothing changes; a valid pin serves and withdraws a trial', async () => {
    let model = await liveThenCandidate('pinning', { strategy: 'shadow' }, 'v1pinning001', 'v2pinning002');
    assert.equal(model.status?.candidateVersion, 'v2pinning002');
    const rv = async () => [
      (await deployment('pinning')).metadata?.resourceVersion,
      JSON.stringify(rolloutEnv(await deployment('pinning'))),
    ];
    const before = await rv();

    await patchModelSpec(kc, NS, 'pinning', { pinnedVersion: 'v9neverseen9' });
    await reconciler.reconcile(NS, 'pinning');
    model = await getModel(kc, NS, 'pinning');
    const pinned = required(condition(model, 'Pinned'), "condition(model, 'Pinned')");
    assert.deepEqual([pinned.status, pinned.reason], ['False', 'PinRefused']);
    assert.match(
      pinned.message,
      /spec.pinnedVersion v9neverseen9 is refused: it never passed the quality gate here .*; still serving live version v1pinning001/,
    );
    assert.equal(model.status?.pinnedVersion, undefined);
    assert.equal(model.status?.liveVersion, 'v1pinning001');
    assert.equal(model.status.candidateVersion, 'v2pinning002', 'the trial goes on');
    assert.deepEqual(await rv(), before, 'the Deployment is untouched');
    assert.equal(
      servedVersion(model.status),
      'v1pinning001',
      'the status names what the Deployment serves (the workers read it)',
    );
    assert.equal((await events('pinning')).find((e) => e.reason === 'PinRefused')?.type, 'Warning');

    // The candidate passed the gate: it may be pinned. The trial is withdrawn, not rejected.
    await patchModelSpec(kc, NS, 'pinning', { pinnedVersion: 'v2pinning002' });
    await reconciler.reconcile(NS, 'pinning');
    model = await getModel(kc, NS, 'pinning');
    assert.deepEqual([condition(model, 'Pinned')?.status, model.status?.pinnedVersion], ['True', 'v2pinning002']);
    assert.equal(model.status?.liveVersion, 'v1pinning001');
    assert.equal(model.status.candidateVersion, undefined);
    assert.equal(model.status.rollout?.phase, 'Withdrawn');
    assert.equal(condition(model, 'Degraded')?.status, 'False');
    assert.deepEqual(rolloutEnv(await deployment('pinning')), served('v2pinning002'));
    assert.equal(servedVersion(model.status), 'v2pinning002');

    // A refused pin now keeps the valid one it replaces.
    await patchModelSpec(kc, NS, 'pinning', { pinnedVersion: 'v9neverseen9' });
    await reconciler.reconcile(NS, 'pinning');
    model = await getModel(kc, NS, 'pinning');
    assert.match(
      required(condition(model, 'Pinned')?.message, 'Pinned condition message'),
      /still serving pinned version v2pinning002/,
    );
    assert.equal(model.status?.pinnedVersion, 'v2pinning002');
    assert.deepEqual(rolloutEnv(await deployment('pinning')), served('v2pinning002'));

    // Unpinned: the accepted candidate is tried again from the start.
    await kc.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject(
      {
        group: CRD_GROUP,
        version: CRD_VERSION,
        plural: CRD_PLURAL,
        namespace: NS,
        name: 'pinning',
        body: [{ op: 'remove', path: '/spec/pinnedVersion' }],
      },
      setHeaderOptions('Content-Type', 'application/json-patch+json'),
    );
    await reconciler.reconcile(NS, 'pinning');
    model = await getModel(kc, NS, 'pinning');
    assert.deepEqual(
      [model.status?.phase, model.status?.candidateVersion, model.status?.rollout?.phase],
      ['Shadow', 'v2pinning002', 'Shadow'],
    );
    assert.deepEqual(rolloutEnv(await deployment('pinning')), trying('v1pinning001', 'v2pinning002', 'shadow', 0));
  });

  test('a newer accepted candidate supersedes the one being tried', async () => {
    let model = await liveThenCandidate('newer', { strategy: 'canary' }, 'v1newer00001', 'v2newer00002');
    assert.equal(model.status?.candidateVersion, 'v2newer00002');
    await patchModelSpec(kc, NS, 'newer', { training: { image: 'trainer:test', folds: 6 } });
    await reconciler.reconcile(NS, 'newer');
    model = await getModel(kc, NS, 'newer');
    assert.equal(model.status?.phase, 'Training');
    assert.equal(model.status.candidateVersion, 'v2newer00002', 'the trial goes on while the next run trains');
    const jobs = (
      await kc
        .makeApiClient(BatchV1Api)
        .listNamespacedJob({ namespace: NS, labelSelector: 'risk.peerloan.io/model=newer' })
    ).items;
    assert.equal(jobs.length, 3);
    model = await trainCandidate('newer', 'v3newer00003', 0.85);
    assert.deepEqual(
      [model.status?.candidateVersion, model.status?.rollout?.phase, model.status?.liveVersion],
      ['v3newer00003', 'Shadow', 'v1newer00001'],
    );
    assert.ok((await events('newer')).some((e) => e.reason === 'CandidateSuperseded'));
    assert.deepEqual(rolloutEnv(await deployment('newer')), trying('v1newer00001', 'v3newer00003', 'shadow', 0));
  });
});
