/**
 * The operator runs with only the rules of manifests/operator/rbac.yaml: its ServiceAccount's
 * token against an API server with RBAC on. A missing verb shows up as a 403 and a stuck model.
 * Also: readiness follows the watches (the first test runs before the CRD exists).
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  CoreV1Api,
  KubeConfig,
  RbacAuthorizationV1Api,
  loadAllYaml,
  type V1ClusterRoleBinding,
} from '@kubernetes/client-node';
import pino from 'pino';
import { configFromEnv } from '../src/config.js';
import { withKeepAlive } from '../src/kube-config.js';
import { Operator } from '../src/operator.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import {
  createModel,
  createNamespace,
  finishTraining,
  getModel,
  installCrd,
  makeDeploymentAvailable,
  modelObject,
  REPO_ROOT,
  sampleSpec,
  summary,
  waitFor,
} from './fixtures.js';

let cp: ControlPlane;
before(async () => {
  cp = await startControlPlane();
});
after(async () => {
  await cp.stop();
});

test('a leader is not ready until its watches list: here until the CRD is installed', async () => {
  const admin = cp.kubeConfig();
  const op = new Operator(
    admin,
    { ...configFromEnv({}), metricsPort: 0, leaderElection: false },
    pino({ level: 'silent' }),
  );
  await op.start();
  try {
    const readyz = async () => (await fetch(`http://127.0.0.1:${op.healthPort}/readyz`)).status;
    assert.equal(await readyz(), 503);
    await installCrd(admin);
    await waitFor('ready once the CRD is served', async () => (await readyz()) === 200, 20_000);
  } finally {
    await op.stop();
  }
});

test('the operator works with exactly the permissions in manifests/operator/rbac.yaml', async () => {
  const admin = cp.kubeConfig();
  await createNamespace(admin, 'peerloan-system');
  await createNamespace(admin, 'team');
  const objects = loadAllYaml(await readFile(join(REPO_ROOT, 'manifests/operator/rbac.yaml'), 'utf8')) as Array<{
    kind: string;
  }>;
  const core = admin.makeApiClient(CoreV1Api);
  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  for (const obj of objects) {
    if (obj.kind === 'ServiceAccount')
      await core.createNamespacedServiceAccount({ namespace: 'peerloan-system', body: obj });
    if (obj.kind === 'ClusterRole') await rbac.createClusterRole({ body: obj });
    if (obj.kind === 'ClusterRoleBinding') await rbac.createClusterRoleBinding({ body: obj as V1ClusterRoleBinding });
  }
  const token = await core.createNamespacedServiceAccountToken({
    namespace: 'peerloan-system',
    name: 'loan-risk-operator',
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'test', server: cp.server, skipTLSVerify: true }],
    users: [{ name: 'operator', token: token.status?.token }],
    contexts: [{ name: 'test', cluster: 'test', user: 'operator' }],
    currentContext: 'test',
  });

  const op = new Operator(
    withKeepAlive(kc),
    {
      ...configFromEnv({}),
      metricsPort: 0,
      leaseNamespace: 'peerloan-system',
      leaseDurationSeconds: 2,
      retryPeriodMs: 200,
    },
    pino({ level: 'silent' }),
  );
  await op.start();
  try {
    await createModel(admin, modelObject('team', 'scoped', sampleSpec()));
    const job = await waitFor(
      'training job',
      async () => (await getModel(admin, 'team', 'scoped')).status?.trainingJob,
    );
    await finishTraining(admin, 'team', job, JSON.stringify(summary('v1scopedabcd', 0.8)));
    await waitFor('rolled out', async () => (await getModel(admin, 'team', 'scoped')).status?.phase === 'RollingOut');
    await makeDeploymentAvailable(admin, 'team', 'scoped-api');
    await waitFor('Ready', async () => (await getModel(admin, 'team', 'scoped')).status?.phase === 'Ready');
    const events = await core.listNamespacedEvent({ namespace: 'team' });
    assert.ok(events.items.some((e) => e.reason === 'TrainingStarted'));
    const errors = await op.metrics.registry.getSingleMetricAsString('loanrisk_operator_reconcile_errors_total');
    assert.match(errors, /loanrisk_operator_reconcile_errors_total 0/);
  } finally {
    await op.stop();
  }
});
