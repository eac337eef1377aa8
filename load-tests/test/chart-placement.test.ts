/**
 * Placement of the release's pods: the global imagePullSecrets reach every pod `helm template`
 * renders and, through the operator's DEFAULT_IMAGE_PULL_SECRETS, the pods the operator makes;
 * the operator's, the workers' and Redis' placement values reach their pod templates.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { required } from '@peerloan/operator/dist/test/required.js';
import { ENVIRONMENTS, helm, CHART_DIR, only, podSpec, podTemplate, renderChart, type K8sObject } from './repo.js';

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
