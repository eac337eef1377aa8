/**
 * Placement on a real kube-apiserver: the fields of spec.serving and spec.training reach the pod
 * templates of the API Deployment and of the training Job, the operator's default pull secrets are
 * added to the model's, the API pods spread softly unless the model says otherwise, the Service and
 * the Ingress carry their annotations, and the CRD refuses a malformed placement at apply.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  NetworkingV1Api,
  type KubeConfig,
  type V1PodTemplateSpec,
} from '@kubernetes/client-node';
import pino from 'pino';
import {
  CRD_GROUP,
  CRD_PLURAL,
  CRD_VERSION,
  type LoanRiskModelSpec,
  type PodPlacement,
  type TopologySpreadConstraint,
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
  modelObject,
  patchModelSpec,
  sampleSpec,
  summary,
} from './fixtures.js';
import { required } from './required.js';

const NS = 'placed';
let cp: ControlPlane;
let kc: KubeConfig;
let reconciler: Reconciler;

const placement = (role: string): PodPlacement => ({
  nodeSelector: { 'node.peerloan.io/pool': role },
  tolerations: [{ key: 'dedicated', operator: 'Equal', value: role, effect: 'NoSchedule' }],
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/arch', operator: 'In', values: ['amd64'] }] }],
      },
    },
  },
  priorityClassName: `${role}-priority`,
  podAnnotations: { 'example.com/team': 'risk' },
  podLabels: { 'example.com/cost-centre': role },
  serviceAccountName: `${role}-sa`,
  imagePullSecrets: [{ name: 'regcred' }, { name: `${role}-registry` }],
});

/** The client's model classes as the plain JSON they were read from. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** The placement as the pod template carries it, with the operator's default secret first. */
function assertPlaced(template: V1PodTemplateSpec, role: string): void {
  const spec = required(template.spec, 'template.spec');
  const want = placement(role);
  assert.deepEqual(plain(spec.nodeSelector), want.nodeSelector);
  assert.deepEqual(plain(spec.tolerations), want.tolerations);
  assert.deepEqual(plain(spec.affinity), want.affinity);
  assert.equal(spec.priorityClassName, want.priorityClassName);
  assert.equal(spec.serviceAccountName, want.serviceAccountName);
  assert.deepEqual(
    spec.imagePullSecrets?.map((s) => s.name),
    ['regcred', `${role}-registry`],
    'the default list, then the model additions, each name once',
  );
  const metadata = required(template.metadata, 'template.metadata');
  assert.equal(required(metadata.annotations, 'the pod annotations')['example.com/team'], 'risk');
  assert.equal(required(metadata.labels, 'the pod labels')['example.com/cost-centre'], role);
}

async function trainAndServe(name: string, spec: LoanRiskModelSpec): Promise<void> {
  await createModel(kc, modelObject(NS, name, spec));
  await reconciler.reconcile(NS, name);
  const model = await getModel(kc, NS, name);
  await finishTraining(
    kc,
    NS,
    required(model.status?.trainingJob, 'status.trainingJob'),
    JSON.stringify(summary('v1placed0001', 0.82)),
  );
  await reconciler.reconcile(NS, name);
}

const readDeployment = (name: string) => kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: NS, name });
const spreadOf = async (name: string) =>
  (await readDeployment(name)).spec?.template.spec?.topologySpreadConstraints?.map((c) => [
    c.topologyKey,
    c.whenUnsatisfiable,
    c.maxSkew,
  ]);

describe('pod placement', () => {
  before(async () => {
    cp = await startControlPlane();
    kc = cp.kubeConfig();
    await installCrd(kc);
    await createNamespace(kc, NS);
    reconciler = new Reconciler(new KubeClient(kc), pino({ level: 'silent' }), undefined, undefined, {
      imagePullSecrets: ['regcred'],
    });
  });
  after(async () => {
    await cp.stop();
  });

  test('every placement field reaches the training Job and the API Deployment', async () => {
    const base = sampleSpec();
    const spec = sampleSpec({
      training: { ...base.training, ...placement('training') },
      serving: { ...base.serving, ...placement('serving') },
    });
    await trainAndServe('placed', spec);
    const jobs = await kc
      .makeApiClient(BatchV1Api)
      .listNamespacedJob({ namespace: NS, labelSelector: `${CRD_GROUP}/model=placed` });
    assertPlaced(required(jobs.items[0]?.spec?.template, 'the Job pod template'), 'training');
    const template = required((await readDeployment('placed-api')).spec?.template, 'the Deployment pod template');
    assertPlaced(template, 'serving');
    assert.equal(template.metadata?.labels?.['app.kubernetes.io/name'], 'loan-risk-api', 'the selector label stays');
  });

  test('API pods spread softly over nodes and zones by default; a spread of the model replaces it', async () => {
    await trainAndServe('spread', sampleSpec());
    assert.deepEqual(await spreadOf('spread-api'), [
      ['kubernetes.io/hostname', 'ScheduleAnyway', 1],
      ['topology.kubernetes.io/zone', 'ScheduleAnyway', 1],
    ]);
    const own: TopologySpreadConstraint[] = [
      {
        maxSkew: 2,
        topologyKey: 'topology.kubernetes.io/zone',
        whenUnsatisfiable: 'DoNotSchedule',
        labelSelector: { matchLabels: { 'app.kubernetes.io/instance': 'spread' } },
      },
    ];
    await patchModelSpec(kc, NS, 'spread', { serving: { ...sampleSpec().serving, topologySpreadConstraints: own } });
    await reconciler.reconcile(NS, 'spread');
    assert.deepEqual(await spreadOf('spread-api'), [['topology.kubernetes.io/zone', 'DoNotSchedule', 2]]);
  });

  test('the Service and the Ingress carry the annotations of spec.serving', async () => {
    const base = sampleSpec();
    const ingress = {
      ...required(base.serving.ingress, 'sample ingress'),
      annotations: { 'example.com/ingress': 'yes' },
    };
    await trainAndServe(
      'noted',
      sampleSpec({
        serving: { ...base.serving, service: { annotations: { 'example.com/lb': 'internal' } }, ingress },
      }),
    );
    const service = await kc.makeApiClient(CoreV1Api).readNamespacedService({ namespace: NS, name: 'noted-api' });
    assert.equal(service.metadata?.annotations?.['example.com/lb'], 'internal');
    const ing = await kc.makeApiClient(NetworkingV1Api).readNamespacedIngress({ namespace: NS, name: 'noted-api' });
    assert.equal(ing.metadata?.annotations?.['example.com/ingress'], 'yes');
  });

  const invalid: Array<[string, Record<string, unknown>, RegExp]> = [
    ['tolerations not a list', { tolerations: { key: 'dedicated' } }, /tolerations: Invalid value: "object"/],
    [
      "a toleration with operator 'Sometimes'",
      { tolerations: [{ key: 'dedicated', operator: 'Sometimes' }] },
      /tolerations\[0\]\.operator: Unsupported value: "Sometimes"/,
    ],
    ['priorityClassName a number', { priorityClassName: 7 }, /priorityClassName: Invalid value: "integer"/],
    [
      'a spread with an unknown whenUnsatisfiable',
      { topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'Maybe' }] },
      /whenUnsatisfiable: Unsupported value: "Maybe"/,
    ],
    ['a pull secret without a name', { imagePullSecrets: [{}] }, /imagePullSecrets\[0\]\.name: Required value/],
    [
      'podLabels naming a selector label',
      { podLabels: { 'app.kubernetes.io/name': 'other' } },
      /podLabels must not set app\.kubernetes\.io\/name/,
    ],
  ];
  for (const [what, fields, message] of invalid) {
    for (const section of ['serving', 'training'] as const) {
      test(`refused at apply: ${what} (spec.${section})`, async () => {
        const spec = sampleSpec() as unknown as Record<string, Record<string, unknown>>;
        spec[section] = { ...spec[section], ...fields };
        await assert.rejects(
          kc.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
            group: CRD_GROUP,
            version: CRD_VERSION,
            plural: CRD_PLURAL,
            namespace: NS,
            body: modelObject(NS, 'bad', spec as unknown as LoanRiskModelSpec),
          }),
          (err: unknown) => {
            const { code, body } = err as { code?: number; body?: unknown };
            assert.equal(code, 422);
            const status = JSON.parse(String(body)) as { message: string };
            assert.match(status.message, message);
            assert.match(status.message, new RegExp(`spec\\.${section}\\.`));
            return true;
          },
        );
      });
    }
  }
});
