/**
 * The drift notifier against a real kube-apiserver + etcd (the operator tests' control plane):
 * it sets the LoanRiskModel's Drifted condition without disturbing the operator's conditions,
 * records an Event, and clears the condition when drift ends.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { CRD_GROUP, CRD_PLURAL, CRD_VERSION, type LoanRiskModel } from '@peerloan/contracts';
import { startControlPlane, type ControlPlane } from '@peerloan/operator/dist/test/control-plane.js';
import {
  createModel,
  createNamespace,
  getModel,
  installCrd,
  modelObject,
  sampleSpec,
} from '@peerloan/operator/dist/test/fixtures.js';
import { KubernetesDriftNotifier, type DriftReport } from '../src/drift/drift-notifier.js';

const NS = 'drift';
const NAME = 'portfolio';

function report(drifted: boolean): DriftReport {
  return {
    drifted,
    modelVersion: 'abc123',
    features: drifted ? ['int_rate'] : [],
    psi: { int_rate: drifted ? 0.41 : 0.02 },
    threshold: 0.2,
    windowEvents: 1000,
    windowStart: '2026-11-25T10:00:00.000Z',
    windowEnd: '2026-11-25T10:05:00.000Z',
  };
}

describe('drift notifier on a real API server', () => {
  let plane: ControlPlane;
  let kc: KubeConfig;

  before(async () => {
    plane = await startControlPlane();
    kc = plane.kubeConfig();
    await installCrd(kc);
    await createNamespace(kc, NS);
    await createModel(kc, modelObject(NS, NAME, sampleSpec()));
    // The operator's condition, which the notifier must keep.
    const objects = kc.makeApiClient(CustomObjectsApi);
    const current = (await objects.getNamespacedCustomObjectStatus({
      group: CRD_GROUP,
      version: CRD_VERSION,
      namespace: NS,
      plural: CRD_PLURAL,
      name: NAME,
    })) as LoanRiskModel;
    await objects.replaceNamespacedCustomObjectStatus({
      group: CRD_GROUP,
      version: CRD_VERSION,
      namespace: NS,
      plural: CRD_PLURAL,
      name: NAME,
      body: {
        ...current,
        status: {
          phase: 'Ready',
          conditions: [
            {
              type: 'Trained',
              status: 'True',
              reason: 'JobSucceeded',
              message: 'trained',
              lastTransitionTime: '2026-11-25T09:00:00Z',
            },
          ],
        },
      },
    });
  });
  after(() => plane.stop());

  test('drift sets Drifted=True with the PSI in its message, keeps other conditions, and records an Event', async () => {
    await new KubernetesDriftNotifier(kc, NS, NAME, pino({ level: 'silent' })).notify(report(true));
    const model = await getModel(kc, NS, NAME);
    const conditions = model.status?.conditions ?? [];
    assert.deepEqual(conditions.map((c) => c.type).sort(), ['Drifted', 'Trained']);
    const drifted = conditions.find((c) => c.type === 'Drifted');
    assert.equal(drifted?.status, 'True');
    assert.equal(drifted.reason, 'InputDrift');
    assert.match(drifted.message, /int_rate=0\.410/);
    assert.equal(model.status?.phase, 'Ready');
    const events = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: NS });
    const event = events.items.find((e) => e.reason === 'DriftDetected');
    assert.equal(event?.involvedObject.name, NAME);
    assert.equal(event.type, 'Warning');
  });

  test("a repeated report keeps lastTransitionTime and records no second Event, as the operator's conditions do", async () => {
    const before = await getModel(kc, NS, NAME);
    const first = before.status?.conditions?.find((c) => c.type === 'Drifted');
    await new KubernetesDriftNotifier(kc, NS, NAME, pino({ level: 'silent' })).notify(report(true));
    const drifted = (await getModel(kc, NS, NAME)).status?.conditions?.find((c) => c.type === 'Drifted');
    assert.equal(drifted?.lastTransitionTime, first?.lastTransitionTime);
    assert.equal(drifted?.observedGeneration, before.metadata.generation);
    const events = await kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: NS });
    assert.equal(events.items.filter((e) => e.reason === 'DriftDetected').length, 1);
  });

  test('the end of drift sets Drifted=False', async () => {
    await new KubernetesDriftNotifier(kc, NS, NAME, pino({ level: 'silent' })).notify(report(false));
    const drifted = (await getModel(kc, NS, NAME)).status?.conditions?.find((c) => c.type === 'Drifted');
    assert.equal(drifted?.status, 'False');
    assert.equal(drifted.reason, 'WithinThreshold');
  });
});
