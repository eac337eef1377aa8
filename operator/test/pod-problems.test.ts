/**
 * Why a pod cannot start, on a real kube-apiserver: the test stands in for the kubelet and the
 * scheduler (no node runs here) by writing the pods' status and the Warning Events they would
 * write, and the LoanRiskModel's Trained or Ready condition names the problem, with an Event.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type KubeConfig,
  type V1ContainerStatus,
  type V1PodStatus,
} from '@kubernetes/client-node';
import pino from 'pino';
import type { LoanRiskModel } from '@peerloan/contracts';
import { KubeClient } from '../src/kube.js';
import { JOB_NAME_LABEL } from '../src/labels.js';
import { Reconciler } from '../src/reconcile.js';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import {
  createModel,
  createNamespace,
  finishTraining,
  getModel,
  installCrd,
  modelObject,
  sampleSpec,
  summary,
} from './fixtures.js';
import { required } from './required.js';

const NS = 'stuck';
let cp: ControlPlane;
let kc: KubeConfig;
let reconciler: Reconciler;

const core = () => kc.makeApiClient(CoreV1Api);
const condition = (m: LoanRiskModel, type: string) => m.status?.conditions?.find((c) => c.type === type);

const waiting = (reason: string, message: string): V1ContainerStatus => ({
  name: 'main',
  image: 'registry.test/api:missing',
  imageID: '',
  ready: false,
  restartCount: 0,
  state: { waiting: { reason, message } },
});

/** A pod as its controller would make it, with the status the kubelet or the scheduler would write. */
async function stuckPod(name: string, labels: Record<string, string>, status: V1PodStatus): Promise<void> {
  await core().createNamespacedPod({
    namespace: NS,
    body: {
      metadata: { name, labels },
      spec: {
        containers: [{ name: 'main', image: 'registry.test/api:missing' }],
        volumes: [{ name: 'models', persistentVolumeClaim: { claimName: 'loan-data' } }],
      },
    },
  });
  await core().patchNamespacedPodStatus(
    { namespace: NS, name, body: { status } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

async function podWarning(pod: string, reason: string, message: string): Promise<void> {
  const now = new Date();
  await core().createNamespacedEvent({
    namespace: NS,
    body: {
      metadata: { name: `${pod}.${reason.toLowerCase()}` },
      involvedObject: { kind: 'Pod', name: pod, namespace: NS, apiVersion: 'v1' },
      type: 'Warning',
      reason,
      message,
      source: { component: 'kubelet' },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    },
  });
}

async function modelEvents(model: string, reason: string) {
  return (
    await core().listNamespacedEvent({
      namespace: NS,
      fieldSelector: `involvedObject.kind=LoanRiskModel,involvedObject.name=${model},reason=${reason}`,
    })
  ).items;
}

/** The condition after one more pass, and the Warning Event it produced. */
async function reported(model: string, type: 'Trained' | 'Ready', reason: string, message: RegExp) {
  await reconciler.reconcile(NS, model);
  const c = required(condition(await getModel(kc, NS, model), type), `the ${type} condition`);
  assert.deepEqual([c.status, c.reason], ['False', reason]);
  assert.match(c.message, message);
  const events = await modelEvents(model, reason);
  assert.equal(events.length, 1, `one ${reason} Event`);
  assert.equal(events[0].type, 'Warning');
}

describe('why a pod cannot start', () => {
  before(async () => {
    cp = await startControlPlane();
    kc = cp.kubeConfig();
    await installCrd(kc);
    await createNamespace(kc, NS);
    reconciler = new Reconciler(new KubeClient(kc), pino({ level: 'silent' }));
  });
  after(async () => {
    await cp.stop();
  });

  test('a training pod whose claim is unbound: Trained False, ClaimUnbound', async () => {
    await createModel(kc, modelObject(NS, 'train', sampleSpec()));
    await reconciler.reconcile(NS, 'train');
    const job = required((await getModel(kc, NS, 'train')).status?.trainingJob, 'status.trainingJob');
    await stuckPod(
      `${job}-x1`,
      { [JOB_NAME_LABEL]: job },
      {
        phase: 'Pending',
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            message: '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims.',
          },
        ],
      },
    );
    await reported('train', 'Trained', 'ClaimUnbound', /PersistentVolumeClaim loan-data is not bound/);
  });

  describe('API pods', () => {
    let labels: Record<string, string>;
    let pod = 0;
    const next = async (status: V1PodStatus, warning?: [string, string]) => {
      if (pod > 0) await core().deleteNamespacedPod({ namespace: NS, name: `serve-api-${pod}`, gracePeriodSeconds: 0 });
      pod += 1;
      await stuckPod(`serve-api-${pod}`, labels, status);
      if (warning) await podWarning(`serve-api-${pod}`, ...warning);
    };

    before(async () => {
      await createModel(kc, modelObject(NS, 'serve', sampleSpec()));
      await reconciler.reconcile(NS, 'serve');
      const job = required((await getModel(kc, NS, 'serve')).status?.trainingJob, 'status.trainingJob');
      await finishTraining(kc, NS, job, JSON.stringify(summary('v1stuck00001', 0.82)));
      await reconciler.reconcile(NS, 'serve');
      labels = { 'app.kubernetes.io/name': 'loan-risk-api', 'app.kubernetes.io/instance': 'serve' };
    });

    test('an image that cannot be pulled: Ready False, ImagePullFailed', async () => {
      await next({ phase: 'Pending', containerStatuses: [waiting('ImagePullBackOff', 'Back-off pulling image')] });
      await reported(
        'serve',
        'Ready',
        'ImagePullFailed',
        /cannot pull image registry\.test\/api:missing.*imagePullSecrets/,
      );
    });

    test('a missing Secret: Ready False, ContainerConfigInvalid', async () => {
      await next({
        phase: 'Pending',
        containerStatuses: [waiting('CreateContainerConfigError', 'secret "redis-auth" not found')],
      });
      await reported('serve', 'Ready', 'ContainerConfigInvalid', /secret "redis-auth" not found/);
    });

    test('a volume that cannot be mounted: Ready False, VolumeMountFailed', async () => {
      await next({ phase: 'Pending', containerStatuses: [waiting('ContainerCreating', '')] }, [
        'FailedMount',
        'MountVolume.SetUp failed for volume "api-keys" : secret "api-keys" not found',
      ]);
      await reported('serve', 'Ready', 'VolumeMountFailed', /secret "api-keys" not found/);
    });

    test('a ReadWriteOnce claim for pods on two nodes: Ready False, ClaimNotShareable', async () => {
      await next({ phase: 'Pending', containerStatuses: [waiting('ContainerCreating', '')] }, [
        'FailedAttachVolume',
        'Multi-Attach error for volume "pvc-1" Volume is already used by pod(s) serve-api-0',
      ]);
      await reported(
        'serve',
        'Ready',
        'ClaimNotShareable',
        /the claim is ReadWriteOnce and its volume attaches to one node at a time: serve the model from a ReadWriteMany claim \(spec\.dataset\.claimName; with the chart, persistence\.accessModes/,
      );
    });
  });
});
