/**
 * spec.rollout.approval required against a real kube-apiserver with RBAC, the admission policies
 * of manifests/approval/ and three token users: alice edits the model, bob reviews, carol has no
 * approver role. The loanrisk-models CLI runs as a process with each user's kubeconfig; the
 * reconciler's clock is the test's, except in the running operator's test (its watch of approvals).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  loadAllYaml,
  RbacAuthorizationV1Api,
  type KubernetesObject,
} from '@kubernetes/client-node';
import pino from 'pino';
import {
  APPROVAL_PLURAL,
  APPROVER_CLUSTER_ROLE,
  CRD_GROUP,
  CRD_PLURAL,
  CRD_VERSION,
  LAST_CHANGED_BY_ANNOTATION,
  type LoanRiskModel,
} from '@peerloan/contracts';
import { APPROVAL_CRD_MANIFEST_PATH, APPROVAL_POLICIES_MANIFEST_PATH } from '../src/crd-manifest.js';
import { withKeepAlive } from '../src/kube-config.js';
import { configFromEnv } from '../src/config.js';
import { KubeClient } from '../src/kube.js';
import { Operator } from '../src/operator.js';
import { Reconciler } from '../src/reconcile.js';
import { startControlPlane, type ControlPlane, type TestUser } from './control-plane.js';
import {
  createModel,
  createNamespace,
  finishTraining,
  getModel,
  installCrd,
  makeDeploymentAvailable,
  modelObject,
  patchModelSpec,
  REPO_ROOT,
  sampleSpec,
  summary,
  waitFor,
  waitUntilServed,
} from './fixtures.js';
import { required } from './required.js';

const NS = 'reviews';
const CLI = join(REPO_ROOT, 'operator/bin/loanrisk-models.js');
let cp: ControlPlane;
let kc: KubeConfig;
let reconciler: Reconciler;
let clock = new Date('2026-12-01T09:00:00Z');

const asUser = (user: TestUser) => {
  const k = new KubeConfig();
  k.loadFromFile(cp.userKubeconfigPaths[user]);
  return withKeepAlive(k);
};
const authoredBy = (user: string) => ({ [LAST_CHANGED_BY_ANNOTATION]: user });

async function cli(user: TestUser, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const out = await promisify(execFile)(process.execPath, [CLI, ...args], {
      env: { ...process.env, KUBECONFIG: cp.userKubeconfigPaths[user] },
    });
    return { code: 0, ...out };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** The API server's answer to a dry-run create: '' when it would accept it. */
async function refusal(user: KubeConfig, plural: string, body: object): Promise<string> {
  try {
    await user.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: CRD_GROUP,
      version: CRD_VERSION,
      plural,
      namespace: NS,
      body,
      dryRun: 'All',
    });
    return '';
  } catch (err) {
    return String((err as { body?: unknown }).body);
  }
}

async function applyAll(path: string): Promise<void> {
  const objects = loadAllYaml(await readFile(join(REPO_ROOT, path), 'utf8')) as KubernetesObject[];
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const obj of objects) await api.create(obj);
}

/** Alice may edit models in NS; alice and bob hold the approver role there; carol nothing. */
async function grantRoles(): Promise<void> {
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({
    namespace: NS,
    body: {
      metadata: { name: 'model-editor' },
      rules: [{ apiGroups: [CRD_GROUP], resources: [CRD_PLURAL], verbs: ['get', 'list', 'create', 'update', 'patch'] }],
    },
  });
  const bind = async (name: string, kind: 'Role' | 'ClusterRole', role: string, users: string[]) =>
    await rbac.createNamespacedRoleBinding({
      namespace: NS,
      body: {
        metadata: { name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: role },
        subjects: users.map((u) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: u })),
      },
    });
  await bind('model-editors', 'Role', 'model-editor', ['alice']);
  await bind('approvers', 'ClusterRole', APPROVER_CLUSTER_ROLE, ['alice', 'bob']);
}

/** A finished training run of the current spec whose candidate the gate judges. */
async function trainCandidate(name: string, version: string, rocAuc: number): Promise<LoanRiskModel> {
  await reconciler.reconcile(NS, name);
  const job = required((await getModel(kc, NS, name)).status?.trainingJob, 'status.trainingJob');
  await finishTraining(kc, NS, job, JSON.stringify(summary(version, rocAuc)));
  await reconciler.reconcile(NS, name);
  return await getModel(kc, NS, name);
}

const approvals = async () =>
  (
    (await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({
      group: CRD_GROUP,
      version: CRD_VERSION,
      plural: APPROVAL_PLURAL,
      namespace: NS,
    })) as {
      items: unknown[];
    }
  ).items;

const liveEnv = async () => {
  const dep = await kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: NS, name: 'scorer-api' });
  const env = required(dep.spec?.template.spec?.containers[0].env, 'container env');
  return Object.fromEntries(env.filter((e) => /VERSION|CANDIDATE/.test(e.name)).map((e) => [e.name, e.value]));
};

describe('approval before traffic', () => {
  before(async () => {
    cp = await startControlPlane();
    kc = cp.kubeConfig();
    await installCrd(kc);
    await applyAll(APPROVAL_CRD_MANIFEST_PATH);
    await waitUntilServed(kc, APPROVAL_PLURAL);
    await applyAll(APPROVAL_POLICIES_MANIFEST_PATH);
    await createNamespace(kc, NS);
    await grantRoles();
    reconciler = new Reconciler(new KubeClient(kc), pino({ level: 'silent' }), () => clock);
  });
  after(async () => {
    await cp.stop();
  });

  test('a spec change with approval required records its author as the API server knows them', async () => {
    const spec = sampleSpec({ rollout: { approval: 'required', strategy: 'immediate' } });
    const unsigned = modelObject(NS, 'scorer', spec);
    // The policies take effect a moment after they are created: wait until one refuses (dry runs write nothing).
    await waitFor(
      'the author policy refuses a model without its author',
      async () =>
        /last-changed-by/.test(
          await refusal(asUser('alice'), CRD_PLURAL, {
            ...unsigned,
            metadata: { ...unsigned.metadata, annotations: authoredBy('bob') },
          }),
        ),
      20_000,
      250,
    );
    await createModel(asUser('alice'), {
      ...unsigned,
      metadata: { ...unsigned.metadata, annotations: authoredBy('alice') },
    });
  });

  test('the candidate waits in AwaitingApproval and serves nobody; kubectl get lrm shows it', async () => {
    const model = await trainCandidate('scorer', 'v1appr000001', 0.8);
    assert.equal(model.status?.phase, 'AwaitingApproval');
    assert.equal(model.status.candidateVersion, 'v1appr000001');
    assert.equal(model.status.liveVersion, undefined);
    assert.equal(model.status.candidateTrafficPercent, 0);
    assert.equal(model.status.rollout?.phase, 'AwaitingApproval');
    assert.equal(await new KubeClient(kc).getDeployment(NS, 'scorer-api'), undefined, 'no Deployment serves it');
    const table = await cp.getTable(`/apis/${CRD_GROUP}/${CRD_VERSION}/namespaces/${NS}/${CRD_PLURAL}`);
    const cells = Object.fromEntries(table.columnDefinitions.map((c, i) => [c.name, table.rows[0].cells[i]]));
    assert.equal(cells.PHASE, 'AwaitingApproval');
    assert.equal(cells.CANDIDATE, 'v1appr000001');
  });

  test("the spec's author cannot approve its candidate (four eyes), nor a user without the approver role", async () => {
    const approval = {
      apiVersion: `${CRD_GROUP}/${CRD_VERSION}`,
      kind: 'LoanRiskModelApproval',
      metadata: { name: 'probe', namespace: NS },
      spec: { model: 'scorer', version: 'v1appr000001', decision: 'approve', approver: 'alice' },
    };
    await waitFor(
      'the four-eyes policy sees the model',
      async () => /four eyes/.test(await refusal(asUser('alice'), APPROVAL_PLURAL, approval)),
      20_000,
      250,
    );
    const typed = await refusal(asUser('bob'), APPROVAL_PLURAL, approval);
    assert.match(typed, /spec.approver must be the user the API server authenticated \(bob\), not alice/);
    const byAuthor = await cli('alice', 'approve', '-n', NS, 'scorer', 'v1appr000001');
    assert.equal(byAuthor.code, 1);
    assert.match(byAuthor.stderr, /refused.*four eyes: alice last changed the spec of scorer/);
    const byCarol = await cli('carol', 'approve', '-n', NS, 'scorer', 'v1appr000001');
    assert.equal(byCarol.code, 1);
    assert.match(byCarol.stderr, /refused.*(403|forbidden)/i);
    assert.deepEqual(await approvals(), [], 'nothing was written');
    await reconciler.reconcile(NS, 'scorer');
    assert.equal((await getModel(kc, NS, 'scorer')).status?.phase, 'AwaitingApproval');
  });

  test("the reviewer's approval is recorded with the API server's user name and the candidate goes live", async () => {
    const byBob = await cli('bob', 'approve', '-n', NS, 'scorer', 'v1appr000001', '--evidence', 'AUC fine');
    assert.equal(byBob.code, 0, byBob.stderr);
    assert.match(byBob.stdout, /recorded: bob approved reviews\/scorer version v1appr000001/);
    await reconciler.reconcile(NS, 'scorer');
    const model = await getModel(kc, NS, 'scorer');
    assert.equal(model.status?.liveVersion, 'v1appr000001');
    const entry = required(model.status.history, 'history')[0];
    assert.deepEqual(
      [entry.outcome, entry.reason, entry.approval?.user, entry.approval?.decision, entry.approval?.note],
      ['Accepted', 'Approved', 'bob', 'approve', 'AUC fine'],
    );
    assert.match(required(entry.approval?.evidence, 'evidence'), /cross-validated ROC AUC 0\.8000/);
    const events = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: NS });
    assert.ok(events.items.some((e) => e.reason === 'Approved' && /approved by bob/.test(e.message ?? '')));
    const again = await cli('bob', 'approve', '-n', NS, 'scorer', 'v1appr000001');
    assert.equal(again.code, 1, 'a live version is not awaiting approval');
    assert.match(again.stderr, /not awaiting approval/);
  });

  test('a newer candidate gets no traffic while it waits; a rejection ends it and keeps the live version', async () => {
    await makeDeploymentAvailable(kc, NS, 'scorer-api');
    await patchModelSpec(
      asUser('alice'),
      NS,
      'scorer',
      { training: { image: 'trainer:test', folds: 4 } },
      authoredBy('alice'),
    );
    clock = new Date(clock.getTime() + 60_000);
    let model = await trainCandidate('scorer', 'v2appr000002', 0.82);
    assert.equal(model.status?.phase, 'AwaitingApproval');
    assert.equal(model.status.liveVersion, 'v1appr000001');
    assert.equal(model.status.candidateTrafficPercent, 0);
    assert.deepEqual(await liveEnv(), { LIVE_VERSION: 'v1appr000001' }, 'the pods serve the live version only');

    const rejected = await cli('bob', 'reject', '-n', NS, 'scorer', 'v2appr000002');
    assert.equal(rejected.code, 0, rejected.stderr);
    await reconciler.reconcile(NS, 'scorer');
    model = await getModel(kc, NS, 'scorer');
    assert.equal(model.status?.liveVersion, 'v1appr000001');
    assert.equal(model.status.candidateVersion, undefined);
    assert.equal(model.status.rollout?.phase, 'Rejected');
    const entry = required(model.status.history, 'history')[0];
    assert.deepEqual(
      [entry.version, entry.outcome, entry.reason, entry.approval?.user],
      ['v2appr000002', 'Rejected', 'ApprovalRejected', 'bob'],
    );
    assert.equal(model.status.conditions?.find((c) => c.type === 'Degraded')?.status, 'True');
    assert.deepEqual(await liveEnv(), { LIVE_VERSION: 'v1appr000001' });
  });

  test('the running operator acts on an approval through its watch: no poll, the resync an hour away', async () => {
    const unsigned = modelObject(
      NS,
      'watched',
      sampleSpec({ rollout: { approval: 'required', strategy: 'immediate' } }),
    );
    await createModel(asUser('alice'), {
      ...unsigned,
      metadata: { ...unsigned.metadata, annotations: authoredBy('alice') },
    });
    const op = new Operator(
      kc,
      { ...configFromEnv({}), watchNamespace: NS, leaderElection: false, metricsPort: 0, resyncMs: 3_600_000 },
      pino({ level: 'silent' }),
    );
    await op.start();
    try {
      const job = await waitFor('training job', async () => (await getModel(kc, NS, 'watched')).status?.trainingJob);
      await finishTraining(kc, NS, job, JSON.stringify(summary('v1watch00001', 0.8)));
      await waitFor(
        'awaiting approval',
        async () => (await getModel(kc, NS, 'watched')).status?.phase === 'AwaitingApproval',
      );
      const pass = await new Reconciler(new KubeClient(kc), pino({ level: 'silent' })).reconcile(NS, 'watched');
      assert.equal(pass.requeueAfterMs, undefined, 'a waiting candidate asks for no poll');
      const byBob = await cli('bob', 'approve', '-n', NS, 'watched', 'v1watch00001');
      assert.equal(byBob.code, 0, byBob.stderr);
      const model = await waitFor('the approved candidate live', async () => {
        const m = await getModel(kc, NS, 'watched');
        return m.status?.liveVersion === 'v1watch00001' ? m : undefined;
      });
      assert.equal(required(model.status?.history, 'history')[0].approval?.user, 'bob');
    } finally {
      await op.stop();
    }
  });

  test('inventory lists every version with its gate verdict and approval', async () => {
    const out = await cli('bob', 'inventory', '-n', NS, '--format', 'json');
    assert.equal(out.code, 0, out.stderr);
    const rows = JSON.parse(out.stdout) as Array<Record<string, string>>;
    const byVersion = Object.fromEntries(rows.map((r) => [r.version, r]));
    assert.match(byVersion.v1appr000001.approval, /^approve by bob at /);
    assert.equal(byVersion.v1appr000001.serving, 'live');
    assert.match(byVersion.v2appr000002.approval, /^reject by bob at /);
    assert.match(byVersion.v2appr000002.gate, /^Accepted /);
  });
});
