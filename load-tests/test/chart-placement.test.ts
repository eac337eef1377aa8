/**
 * Placement of the release's pods: the global imagePullSecrets reach every pod `helm template`
 * renders and, through the operator's DEFAULT_IMAGE_PULL_SECRETS, the pods the operator makes;
 * the operator's, the workers' and Redis' placement values reach their pod templates; the chart's
 * LoanRiskModel passes its placement, Service and Ingress annotations and rollout values to the
 * CRD's fields and renders none of them unless set.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LAST_CHANGED_BY_ANNOTATION } from '@peerloan/contracts';
import { required } from '@peerloan/operator/dist/test/required.js';
import {
  ENVIRONMENTS,
  helm,
  CHART_DIR,
  MODEL_VALUE_ARGS,
  MODEL_VALUES,
  only,
  podSpec,
  podTemplate,
  renderChart,
  type K8sObject,
} from './repo.js';

const POD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'Pod']);
const pods = (objects: K8sObject[]) => objects.filter((o) => POD_KINDS.has(o.kind));
const ofComponent = (objects: K8sObject[], component: string) =>
  pods(objects).filter((o) => o.metadata.labels?.['app.kubernetes.io/component'] === component);

for (const env of ENVIRONMENTS) {
  describe(`global imagePullSecrets, ${env}`, () => {
    const objects = renderChart(env, ['--set', 'imagePullSecrets[0]=regcred', '--set', 'imagePullSecrets[1]=mirror']);

    test('reach every pod of the release', () => {
      assert.ok(pods(objects).length >= 3, 'the operator, the workers and Redis at least');
      for (const o of pods(objects)) {
        assert.deepEqual(
          podSpec(o).imagePullSecrets?.map((s) => s.name),
          ['regcred', 'mirror'],
          `${o.kind}/${o.metadata.name}`,
        );
      }
    });

    test("reach the operator's pods through DEFAULT_IMAGE_PULL_SECRETS", () => {
      const operator = only(ofComponent(objects, 'operator'), 'Deployment');
      const variables = podSpec(operator).containers[0].env ?? [];
      assert.equal(variables.find((e) => e.name === 'DEFAULT_IMAGE_PULL_SECRETS')?.value, 'regcred,mirror');
    });
  });
}

describe("the chart's own pods take placement values", () => {
  const placement = {
    nodeSelector: { pool: 'platform' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'platform', effect: 'NoSchedule' }],
    affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [] } },
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' },
    ],
    priorityClassName: 'platform-high',
    podAnnotations: { 'example.com/team': 'risk' },
    podLabels: { 'example.com/cost-centre': 'risk' },
  };
  const components = ['operator', 'worker', 'redis'] as const;
  const objects = renderChart(
    'prod',
    components.flatMap((c) => ['--set-json', `${c}=${JSON.stringify(placement)}`]),
  );

  for (const component of components) {
    test(component, () => {
      const workload = only(ofComponent(objects, component), component === 'redis' ? 'StatefulSet' : 'Deployment');
      const metadata = required(podTemplate(workload)?.metadata, `${component}: the pod template's metadata`);
      const spec = podSpec(workload);
      assert.deepEqual(spec.nodeSelector, placement.nodeSelector);
      assert.deepEqual(spec.tolerations, placement.tolerations);
      assert.deepEqual(spec.affinity, placement.affinity);
      assert.deepEqual(spec.topologySpreadConstraints, placement.topologySpreadConstraints);
      assert.equal(spec.priorityClassName, placement.priorityClassName);
      assert.equal(required(metadata.annotations, 'pod annotations')['example.com/team'], 'risk');
      const labels = required(metadata.labels, 'pod labels');
      assert.equal(labels['example.com/cost-centre'], 'risk');
      assert.equal(labels['app.kubernetes.io/component'], component);
    });
  }

  test('podLabels may not name a selector label', () => {
    const res = helm([
      'template',
      'loan-risk',
      CHART_DIR,
      '--set-json',
      'worker.podLabels={"app.kubernetes.io/name":"x"}',
    ]);
    assert.notEqual(res.status, 0);
    assert.match(res.stderr, /worker\.podLabels: Property name of "app\.kubernetes\.io\/name" does not match/);
  });
});

describe("the chart's LoanRiskModel passes placement, annotations and rollout through to the CRD's fields", () => {
  const { serving, training, rollout } = MODEL_VALUES;
  const model = (extra: string[]) => only(renderChart('prod', extra), 'LoanRiskModel');
  const set = model(MODEL_VALUE_ARGS);

  test('spec.serving and spec.training get every placement field, as given', () => {
    for (const [section, given] of [
      [set.spec.serving, serving],
      [set.spec.training, training],
    ] as const) {
      for (const [field, value] of Object.entries(given))
        assert.deepEqual(section[field as keyof typeof given], value, field);
    }
    // prod's own serving values stay beside them.
    assert.equal(set.spec.serving.minReplicas, 3);
  });

  test('the Service and the Ingress get their annotations; spec.rollout its fields; the author its annotation', () => {
    assert.deepEqual(set.spec.serving.service?.annotations, MODEL_VALUES.serviceAnnotations);
    assert.deepEqual(set.spec.serving.ingress?.annotations, MODEL_VALUES.ingressAnnotations);
    assert.equal(set.spec.serving.ingress.host, 'risk.peerloan.io');
    assert.deepEqual(set.spec.rollout, rollout);
    assert.equal(set.metadata.annotations?.[LAST_CHANGED_BY_ANNOTATION], MODEL_VALUES.lastChangedBy);
  });

  test('a rollout value left null is left out, so the CRD defaults it', () => {
    const partial = model([
      '--set',
      'loanRiskModel.rollout.strategy=shadow',
      '--set-json',
      'loanRiskModel.rollout.checks.minSamples=50',
    ]);
    assert.deepEqual(partial.spec.rollout, { strategy: 'shadow', checks: { minSamples: 50 } });
  });

  for (const env of ENVIRONMENTS) {
    test(`${env}: none of them is rendered unless set (the operator's and the CRD's defaults apply)`, () => {
      const plain = only(renderChart(env), 'LoanRiskModel');
      const fields = Object.keys(serving);
      for (const section of [plain.spec.serving, plain.spec.training])
        assert.deepEqual(
          Object.keys(section).filter((k) => fields.includes(k)),
          [],
        );
      assert.equal(plain.spec.serving.service, undefined);
      assert.equal(plain.spec.serving.ingress?.annotations, undefined);
      assert.equal(plain.spec.rollout, undefined);
      assert.equal(plain.metadata.annotations?.[LAST_CHANGED_BY_ANNOTATION], undefined);
    });
  }
});
