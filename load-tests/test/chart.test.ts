/**
 * The Helm chart, per environment: `helm lint` passes, `helm template` renders, the security
 * defaults hold for every pod, the RBAC stays least-privilege, and what differs between dev,
 * staging and prod is what the environments promise (prod: TLS, 2+ replicas, PDBs, HPA bounds).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { required } from '@peerloan/operator/dist/test/required.js';
import {
  CHART_DIR,
  ENVIRONMENTS,
  find,
  helm,
  namespaceOf,
  only,
  parseYamlObjects,
  podSpec,
  podTemplate,
  renderChart,
  rulesOf,
  valuesArgs,
  type Environment,
  type K8sObject,
} from './repo.js';

const rendered = Object.fromEntries(ENVIRONMENTS.map((env) => [env, renderChart(env)])) as Record<
  Environment,
  K8sObject[]
>;
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'Pod']);
const cpuMillis = (q: string) => (q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000);

test('releases of the same name in two namespaces share no cluster-scoped name', () => {
  const clusterScoped = (namespace: string) => {
    const res = helm(['template', 'loan-risk', CHART_DIR, '-n', namespace]);
    assert.equal(res.status, 0, res.stderr);
    return parseYamlObjects(res.stdout)
      .filter((o) => o.kind.startsWith('Cluster'))
      .map((o) => `${o.kind}/${o.metadata.name}`);
  };
  const dev = clusterScoped('peerloan-dev');
  const staging = clusterScoped('peerloan-staging');
  assert.equal(dev.length, 2, `a ClusterRole and its binding: ${dev.join(', ')}`);
  assert.deepEqual(
    dev.filter((name) => staging.includes(name)),
    [],
  );
});

describe('helm lint', () => {
  for (const env of ENVIRONMENTS) {
    test(`passes with values-${env}.yaml (--strict)`, () => {
      const res = helm(['lint', CHART_DIR, '--strict', ...valuesArgs(env)]);
      assert.equal(res.status, 0, res.stdout + res.stderr);
    });
  }
});

for (const env of ENVIRONMENTS) {
  describe(`helm template, ${env}`, () => {
    const objects = rendered[env];

    test('every pod runs non-root, read-only, without privileges, under RuntimeDefault seccomp, with resources', () => {
      for (const o of objects.filter((x) => WORKLOADS.has(x.kind))) {
        const spec = podSpec(o);
        const where = `${o.kind}/${o.metadata.name}`;
        assert.equal(spec.securityContext?.runAsNonRoot, true, `${where}: pod runAsNonRoot`);
        assert.equal(typeof spec.securityContext.runAsUser, 'number', `${where}: numeric runAsUser`);
        for (const c of spec.containers) {
          const sc = c.securityContext ?? {};
          assert.equal(sc.readOnlyRootFilesystem, true, `${where}/${c.name}: readOnlyRootFilesystem`);
          assert.equal(sc.allowPrivilegeEscalation, false, `${where}/${c.name}: allowPrivilegeEscalation`);
          assert.deepEqual(sc.capabilities?.drop, ['ALL'], `${where}/${c.name}: drop ALL`);
          assert.equal(
            (sc.seccompProfile ?? spec.securityContext.seccompProfile)?.type,
            'RuntimeDefault',
            `${where}/${c.name}: seccomp`,
          );
          assert.ok(
            c.resources?.requests?.memory && c.resources.limits?.memory,
            `${where}/${c.name}: memory request and limit`,
          );
          assert.ok(c.resources.requests.cpu, `${where}/${c.name}: cpu request`);
        }
      }
    });

    test('the operator elects a leader through a Lease it alone may update, and exposes probes', () => {
      const deployment = only(objects, 'Deployment', 'loan-risk-operator');
      const container = podSpec(deployment).containers[0];
      const env = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value]));
      assert.equal(env.LEADER_ELECTION, 'true');
      assert.equal(env.METRICS_HOST, '0.0.0.0');
      assert.ok('WATCH_NAMESPACE' in env);
      assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
      assert.equal(container.livenessProbe?.httpGet?.path, '/healthz');
      const leaseRole = only(objects, 'Role', 'loan-risk-operator-leader-election');
      assert.ok(
        rulesOf(leaseRole).some(
          (r) => r.resources.includes('leases') && r.resourceNames?.includes(required(env.LEASE_NAME, 'LEASE_NAME')),
        ),
      );
    });

    test('RBAC names every resource and verb: no wildcards, no Secrets', () => {
      for (const role of [...find(objects, 'ClusterRole'), ...find(objects, 'Role')]) {
        for (const rule of rulesOf(role)) {
          for (const field of ['apiGroups', 'resources', 'verbs'] as const)
            assert.ok(!rule[field].includes('*'), `${role.metadata.name}: ${field} has *`);
          assert.ok(!rule.resources.includes('secrets'), `${role.metadata.name}: secrets`);
        }
      }
      const rules = only(objects, 'ClusterRole', `${namespaceOf(env)}-loan-risk-operator`).rules as Array<{
        apiGroups: string[];
        resources: string[];
        verbs: string[];
      }>;
      const can = (group: string, resource: string, verb: string) =>
        rules.some((r) => r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb));
      assert.ok(
        can('risk.peerloan.io', 'loanriskmodels', 'watch') && can('risk.peerloan.io', 'loanriskmodels/status', 'patch'),
      );
      assert.ok(
        can('', 'pods', 'list') && !can('', 'pods', 'create') && !can('', 'pods', 'delete'),
        'pods are only read',
      );
      for (const [group, resource] of [
        ['apps', 'deployments'],
        ['', 'services'],
        ['autoscaling', 'horizontalpodautoscalers'],
        ['networking.k8s.io', 'ingresses'],
        ['policy', 'poddisruptionbudgets'],
        ['', 'events'],
      ]) {
        assert.ok(can(group, resource, 'create') && can(group, resource, 'patch'), `${group}/${resource}`);
      }
      assert.ok(
        can('batch', 'jobs', 'create') && !can('batch', 'jobs', 'delete'),
        'training Jobs are created, never deleted',
      );
    });

    test('NetworkPolicies: the API pods from the ingress controller and the platform, Redis only from the platform', () => {
      const api = only(objects, 'NetworkPolicy', 'loan-risk-api');
      assert.deepEqual(api.spec?.podSelector?.matchLabels, { 'app.kubernetes.io/name': 'loan-risk-api' });
      const peers = api.spec.ingress?.[0].from;
      assert.ok(
        peers?.some((p: { namespaceSelector?: unknown }) => p.namespaceSelector),
        'ingress controller namespace',
      );
      assert.ok(
        peers?.some(
          (p: { podSelector?: { matchLabels?: Record<string, string> }; namespaceSelector?: unknown }) =>
            !p.namespaceSelector && p.podSelector?.matchLabels?.['app.kubernetes.io/part-of'] === 'loan-risk',
        ),
      );
      const redis = only(objects, 'NetworkPolicy', 'loan-risk-redis');
      assert.deepEqual(redis.spec?.ingress, [
        {
          from: [{ podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'loan-risk' } } }],
          ports: [{ port: 'redis', protocol: 'TCP' }],
        },
      ]);
      for (const o of objects.filter((x) => WORKLOADS.has(x.kind))) {
        const labels = o.kind === 'Pod' ? o.metadata.labels : podTemplate(o)?.metadata?.labels;
        assert.equal(
          labels?.['app.kubernetes.io/part-of'],
          'loan-risk',
          `${o.kind}/${o.metadata.name} is one of the platform's pods`,
        );
      }
    });

    test("the worker runs its own image's entrypoint with Redis and the models volume", () => {
      const worker = only(objects, 'Deployment', 'loan-risk-worker');
      const c = podSpec(worker).containers[0];
      assert.match(required(c.image, 'the worker image'), /\/workers[:@]/);
      assert.equal(c.command, undefined, "no command: the image's ENTRYPOINT starts the worker");
      const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
      assert.equal(env.REDIS_URL, 'redis://loan-risk-redis:6379/0');
      assert.equal(env.MODEL_DIR, '/models');
      const claim = podSpec(worker).volumes?.find((v: { name: string }) => v.name === 'models')?.persistentVolumeClaim
        ?.claimName;
      assert.equal(claim, only(objects, 'PersistentVolumeClaim', 'loan-data').metadata.name);
    });

    test('the LoanRiskModel trains from the release volume and serves the API image; helm test probes its Service', () => {
      const model = only(objects, 'LoanRiskModel');
      assert.equal(model.spec.dataset.claimName, only(objects, 'PersistentVolumeClaim', 'loan-data').metadata.name);
      assert.match(model.spec.training.image, /trainer-job[:@]/);
      assert.match(model.spec.serving.image, /\/api[:@]/);
      const testPod = only(objects, 'Pod');
      assert.equal(testPod.metadata.annotations?.['helm.sh/hook'], 'test');
      const url = testPod.spec?.containers[0].env?.find((e: { name: string }) => e.name === 'READYZ_URL')?.value;
      assert.equal(url, `http://${model.metadata.name}-api.${model.metadata.namespace}.svc/readyz`);
    });
  });
}

describe('what differs by environment', () => {
  const model = (env: Environment) => only(rendered[env], 'LoanRiskModel').spec;
  const operatorOf = (env: Environment) => only(rendered[env], 'Deployment', 'loan-risk-operator');

  test('prod: TLS Ingress, at least 2 replicas, PodDisruptionBudgets and bounded autoscaling', () => {
    const prod = model('prod');
    const apiMin = required(prod.serving.minReplicas, 'prod serving.minReplicas');
    const operatorReplicas = required(operatorOf('prod').spec?.replicas, 'prod operator replicas');
    assert.equal(prod.serving.ingress?.enabled, true);
    assert.ok(prod.serving.ingress.host);
    assert.ok(prod.serving.ingress.tls?.secretName, 'TLS secret');
    assert.ok(apiMin >= 2, 'API minReplicas >= 2');
    assert.ok(required(prod.serving.maxReplicas, 'prod serving.maxReplicas') > apiMin, 'API HPA has room to scale');
    assert.ok(operatorReplicas >= 2, 'operator replicas >= 2');
    const pdbs = find(rendered.prod, 'PodDisruptionBudget')
      .map((p) => p.metadata.name)
      .sort();
    assert.deepEqual(pdbs, ['loan-risk-operator', 'loan-risk-worker']);
    const minAvailable = only(rendered.prod, 'PodDisruptionBudget', 'loan-risk-operator').spec?.minAvailable;
    assert.equal(typeof minAvailable, 'number', 'the operator PDB counts pods');
    assert.ok((minAvailable as number) < operatorReplicas);
    const hpa = only(rendered.prod, 'HorizontalPodAutoscaler', 'loan-risk-worker').spec;
    const workerMin = required(hpa?.minReplicas, 'worker HPA minReplicas');
    const workerMax = required(hpa?.maxReplicas, 'worker HPA maxReplicas');
    assert.ok(workerMin >= 2 && workerMax > workerMin && workerMax <= 20, 'worker HPA bounds');
    assert.equal(
      only(rendered.prod, 'Deployment', 'loan-risk-worker').spec?.replicas,
      undefined,
      'the HPA owns the worker count',
    );
    assert.deepEqual(only(rendered.prod, 'PersistentVolumeClaim', 'loan-data').spec?.accessModes, ['ReadWriteMany']);
  });

  test('staging: TLS Ingress on its own host, 2+ API replicas', () => {
    const staging = model('staging');
    assert.ok(staging.serving.ingress?.tls?.secretName);
    assert.notEqual(staging.serving.ingress.host, model('prod').serving.ingress?.host);
    assert.ok(required(staging.serving.minReplicas, 'staging serving.minReplicas') >= 2);
  });

  test('dev: smaller, no Ingress, no PDBs or HPAs, Redis without persistence', () => {
    const dev = model('dev');
    assert.equal(dev.serving.ingress, undefined);
    assert.ok(
      required(dev.serving.maxReplicas, 'dev serving.maxReplicas') <=
        required(model('prod').serving.minReplicas, 'prod serving.minReplicas'),
    );
    assert.equal(find(rendered.dev, 'PodDisruptionBudget').length, 0);
    assert.equal(find(rendered.dev, 'HorizontalPodAutoscaler').length, 0);
    const redisVolume = (env: Environment) =>
      podSpec(only(rendered[env], 'StatefulSet')).volumes?.find((v: { name: string }) => v.name === 'data');
    assert.deepEqual(redisVolume('dev')?.emptyDir, {});
    // Persistence is a claim of its own, so an upgrade from dev to prod values may turn it on.
    assert.equal(only(rendered.prod, 'StatefulSet').spec?.volumeClaimTemplates, undefined);
    assert.equal(
      redisVolume('prod')?.persistentVolumeClaim?.claimName,
      only(rendered.prod, 'PersistentVolumeClaim', 'loan-risk-redis-data').metadata.name,
    );
    const cpu = (env: Environment) =>
      cpuMillis(
        required(podSpec(operatorOf(env)).containers[0].resources?.requests?.cpu, `${env} operator cpu request`),
      );
    assert.ok(cpu('dev') < cpu('prod'));
    assert.ok(
      required(dev.training.folds, 'dev training.folds') <
        required(model('prod').training.folds, 'prod training.folds'),
    );
  });
});

test("the LoanRiskModel's retraining schedule and data watch come from the values, and are left out by default", () => {
  const plain = only(renderChart('dev'), 'LoanRiskModel').spec.training;
  assert.equal(plain.schedule, undefined);
  assert.equal(plain.watchInterval, undefined);
  const set = ['--set-json', 'loanRiskModel.schedule="0 3 1 1,4,7,10 *"', '--set', 'loanRiskModel.watchInterval=10m'];
  const training = only(renderChart('dev', set), 'LoanRiskModel').spec.training;
  assert.equal(training.schedule, '0 3 1 1,4,7,10 *');
  assert.equal(training.watchInterval, '10m');
});

test('the LoanRiskModel takes a later period and the out-of-time gate from the values, and leaves them out by default', () => {
  const plain = only(renderChart('dev'), 'LoanRiskModel').spec;
  assert.equal(plain.dataset.validationPath, undefined);
  // dev sets minRocAuc; maxRegression is left to the CRD's default.
  assert.deepEqual(Object.keys(required(plain.qualityGate, 'the dev qualityGate')), ['minRocAuc']);
  const set = [
    '--set-string',
    'loanRiskModel.validationPath=loans/2026q4.csv',
    '--set-json',
    'loanRiskModel.minOutOfTimeRocAuc=0.68',
    '--set-json',
    'loanRiskModel.maxCalibrationError=0.01',
  ];
  const model = only(renderChart('dev', set), 'LoanRiskModel').spec;
  assert.equal(model.dataset.validationPath, 'loans/2026q4.csv');
  assert.equal(model.qualityGate?.minOutOfTimeRocAuc, 0.68);
  assert.equal(model.qualityGate.maxCalibrationError, 0.01);
  const refused = helm([
    'template',
    'loan-risk',
    CHART_DIR,
    ...valuesArgs('dev'),
    '--set-string',
    'loanRiskModel.validationPath=../q4.csv',
  ]);
  assert.notEqual(refused.status, 0);
  assert.match(refused.stderr, /validationPath/);
});
