/**
 * A release's life on a real kube-apiserver (the operator tests' control plane; no kubelet and
 * no controllers): `helm install` with a global pull secret; scripts/upload-data.sh makes its
 * helper pod with the release's worker image and pull secrets (or the --pull-secret ones), and
 * the restricted Pod Security profile admits it; `helm uninstall` keeps the data claim and, by
 * default, Redis' claim, and an install of the same release takes them back; with
 * redis.persistence.keepOnUninstall=false the uninstall deletes Redis' claim.
 *
 * With no kubelet the upload itself cannot run here: the test stands in for the kubelet by
 * marking the helper pod Ready, the script's `kubectl exec` then fails, and its cleanup deletes
 * the pod. The journey (e2e/) runs the whole upload on a real node.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1Pod,
} from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '@peerloan/operator/dist/test/control-plane.js';
import { required } from '@peerloan/operator/dist/test/required.js';
import { CHART_DIR, helm, REPO_ROOT, toolsBin, type Run } from './repo.js';

const NAMESPACE = 'peerloan-lifecycle';
const UPLOAD_LABEL = 'app.kubernetes.io/component=data-upload';
let cp: ControlPlane;
let kc: KubeConfig;
let core: CoreV1Api;

const helmHere = (args: string[]) => helm([...args, '-n', NAMESPACE, '--kubeconfig', cp.kubeconfigPath]);

function ok(res: Run, what: string): void {
  assert.equal(res.status, 0, `${what}: ${res.stderr}`);
}

async function poll<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not seen within 30 s`);
}

/**
 * Runs upload-data.sh with `args` against the control plane; returns the helper pod as the API
 * server stored it, once the script has finished (its exit status is not 0: nothing can exec).
 */
async function uploadPod(args: string[]): Promise<{ pod: V1Pod; stderr: string; status: number | null }> {
  const file = join(mkdtempSync(join(tmpdir(), 'peerloan-upload-')), 'loans.csv');
  writeFileSync(file, 'loan_amnt,late\n1000,0\n');
  const script = spawn(
    'bash',
    [join(REPO_ROOT, 'scripts/upload-data.sh'), '-n', NAMESPACE, ...args, file, 'loans/x.csv'],
    {
      env: { ...process.env, KUBECONFIG: cp.kubeconfigPath, PATH: `${toolsBin()}:${process.env.PATH ?? ''}` },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  script.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => script.on('exit', resolve));
  let pod: V1Pod;
  try {
    pod = await poll('the helper pod', async () => {
      if (script.exitCode !== null) throw new Error(`upload-data.sh exited ${script.exitCode} first: ${stderr}`);
      const { items } = await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: UPLOAD_LABEL });
      return items[0];
    });
    // The kubelet's part: the pod runs, so `kubectl wait` returns and the script goes on.
    await core.patchNamespacedPodStatus(
      {
        name: pod.metadata?.name ?? '',
        namespace: NAMESPACE,
        body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  } catch (err) {
    script.kill();
    throw err;
  }
  const status = await exited;
  await poll('the helper pod deleted by the script', async () => {
    const { items } = await core.listNamespacedPod({ namespace: NAMESPACE, labelSelector: UPLOAD_LABEL });
    return items.length === 0 ? true : undefined;
  });
  return { pod, stderr, status };
}

/** The claims of the namespace that are not being deleted. */
async function liveClaims(): Promise<string[]> {
  const { items } = await core.listNamespacedPersistentVolumeClaim({ namespace: NAMESPACE });
  return items
    .filter((c) => !c.metadata?.deletionTimestamp)
    .map((c) => c.metadata?.name ?? '')
    .sort();
}

before(async () => {
  cp = await startControlPlane();
  kc = cp.kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({
    body: { metadata: { name: NAMESPACE, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } },
  });
  ok(helmHere(['install', 'loan-risk', CHART_DIR, '--set', 'imagePullSecrets[0]=regcred']), 'helm install');
});
after(async () => {
  await cp.stop();
});

describe('scripts/upload-data.sh', () => {
  test("runs its helper pod with the release's worker image and pull secrets, under the restricted profile", async () => {
    const { pod, status } = await uploadPod([]);
    const spec = required(pod.spec, 'the helper pod spec');
    const worker = await kc
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ name: 'loan-risk-worker', namespace: NAMESPACE });
    assert.equal(spec.containers[0].image, worker.spec?.template.spec?.containers[0].image);
    assert.deepEqual(
      spec.imagePullSecrets?.map((s) => s.name),
      ['regcred'],
    );
    assert.deepEqual(
      spec.volumes?.map((v) => v.persistentVolumeClaim?.claimName),
      ['loan-data'],
    );
    assert.notEqual(status, 0, 'no kubelet: the copy cannot run here');
  });

  test('--pull-secret names the secrets instead', async () => {
    const { pod } = await uploadPod(['--pull-secret', 'mirror', '--pull-secret', 'other']);
    assert.deepEqual(
      pod.spec?.imagePullSecrets?.map((s) => s.name),
      ['mirror', 'other'],
    );
  });
});

describe('helm uninstall', () => {
  test("keeps the data claim and Redis' claim; an install of the same release takes them back", async () => {
    assert.deepEqual(await liveClaims(), ['loan-data', 'loan-risk-redis-data']);
    ok(helmHere(['uninstall', 'loan-risk']), 'helm uninstall');
    assert.deepEqual(await liveClaims(), ['loan-data', 'loan-risk-redis-data']);
    ok(helmHere(['install', 'loan-risk', CHART_DIR]), 'helm install over the kept claims');
    assert.deepEqual(await liveClaims(), ['loan-data', 'loan-risk-redis-data']);
  });

  test("with redis.persistence.keepOnUninstall=false deletes Redis' claim", async () => {
    ok(
      helmHere(['upgrade', 'loan-risk', CHART_DIR, '--set', 'redis.persistence.keepOnUninstall=false']),
      'helm upgrade',
    );
    ok(helmHere(['uninstall', 'loan-risk']), 'helm uninstall');
    assert.deepEqual(await liveClaims(), ['loan-data']);
  });
});
