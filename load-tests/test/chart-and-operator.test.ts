/**
 * The chart agrees with the code it deploys: it ships the very CRD of manifests/, grants the
 * operator exactly the rules its tests prove sufficient (manifests/operator/rbac.yaml), its
 * NetworkPolicies and `helm test` address the API objects under the names and labels the
 * operator gives them, and the worker's environment is one the worker accepts: it serves its
 * LoanRiskModel's version from the models root, never the root's `current`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readWorkerConfig } from '@peerloan/workers/dist/src/worker-config.js';
import { DRIFT_DEFAULTS, type LoanRiskModel } from '@peerloan/contracts';
import { desiredDeployment } from '@peerloan/operator/dist/src/children/deployment.js';
import { desiredService } from '@peerloan/operator/dist/src/children/service.js';
import { required } from '@peerloan/operator/dist/test/required.js';
import {
  CHART_DIR,
  ENVIRONMENTS,
  helm,
  namespaceOf,
  only,
  parseYamlObjects,
  podSpec,
  renderChart,
  REPO_ROOT,
  rulesOf,
  type Rule,
} from './repo.js';

const permissions = (rules: Rule[]) =>
  [
    ...new Set(
      rules.flatMap((r) =>
        r.apiGroups.flatMap((g) => r.resources.flatMap((res) => r.verbs.map((v) => `${g}/${res}:${v}`))),
      ),
    ),
  ].sort();

test('charts/loan-risk/crds/ holds the CRD of manifests/crd/, byte for byte', () => {
  const chart = readFileSync(join(CHART_DIR, 'crds/loanriskmodels.yaml'), 'utf8');
  const manifests = readFileSync(join(REPO_ROOT, 'manifests/crd/loanriskmodels.yaml'), 'utf8');
  assert.equal(chart, manifests, 'run `cp manifests/crd/loanriskmodels.yaml charts/loan-risk/crds/`');
});

test('the chart grants the operator exactly the rules of manifests/operator/rbac.yaml', () => {
  const objects = renderChart('prod');
  const chartRules = [
    ...rulesOf(only(objects, 'ClusterRole', 'peerloan-loan-risk-operator')),
    ...rulesOf(only(objects, 'Role', 'loan-risk-operator-leader-election')),
  ];
  const reference = only(
    parseYamlObjects(readFileSync(join(REPO_ROOT, 'manifests/operator/rbac.yaml'), 'utf8')),
    'ClusterRole',
  );
  assert.deepEqual(permissions(chartRules), permissions(rulesOf(reference)));
});

test('NetworkPolicies and helm test match the API objects the operator makes', () => {
  const objects = renderChart('prod');
  const rendered = only(objects, 'LoanRiskModel');
  // As the API server returns it: with a uid.
  const { name, namespace, labels, annotations } = rendered.metadata;
  const model: LoanRiskModel = { ...rendered, metadata: { name, namespace, labels, annotations, uid: 'uid-1' } };
  const deployment = desiredDeployment(model, { live: 'v1' });
  const service = desiredService(model);
  const podLabels = required(deployment.spec?.template.metadata?.labels, 'the API pod labels');
  const apiPolicy = only(objects, 'NetworkPolicy', 'loan-risk-api');
  for (const [key, value] of Object.entries(
    required(apiPolicy.spec?.podSelector?.matchLabels, 'the API policy selector labels'),
  ))
    assert.equal(podLabels[key], value, `API pods carry ${key}=${value}`);
  // REST and OIP over gRPC: every port the policy admits is one the API container names.
  const policyPorts = (apiPolicy.spec?.ingress?.[0].ports ?? []).map((p) => p.port);
  assert.deepEqual(policyPorts, ['http', 'grpc']);
  for (const policyPort of policyPorts)
    assert.ok(
      deployment.spec?.template.spec?.containers[0].ports?.some((p) => p.name === policyPort),
      `the API container names its port ${policyPort}`,
    );
  // Redis admits the platform's pods: the API pods log predictions to it.
  const redisPeer = only(objects, 'NetworkPolicy', 'loan-risk-redis').spec?.ingress?.[0].from?.[0].podSelector
    ?.matchLabels;
  for (const [key, value] of Object.entries(required(redisPeer, 'the Redis policy peer labels')))
    assert.equal(podLabels[key], value, `API pods reach Redis through ${key}=${value}`);
  const url = only(objects, 'Pod').spec?.containers[0].env?.find(
    (e: { name: string }) => e.name === 'READYZ_URL',
  )?.value;
  assert.equal(url, `http://${service.metadata?.name}.${model.metadata.namespace}.svc/readyz`);
  assert.equal(service.spec?.ports?.[0].port, 80, 'the test URL uses the default port');
});

test("without a LoanRiskModel named, the chart's workers wait for one rather than follow the models root's `current`", () => {
  const res = helm([
    'template',
    'loan-risk',
    CHART_DIR,
    '-n',
    'peerloan',
    '--show-only',
    'templates/worker-deployment.yaml',
  ]);
  assert.equal(res.status, 0, res.stderr);
  const container = podSpec(only(parseYamlObjects(res.stdout), 'Deployment', 'loan-risk-worker')).containers[0];
  const vars = Object.fromEntries((container.env ?? []).map((e) => [e.name, e.valueFrom ? 'peerloan' : e.value]));
  const config = readWorkerConfig(vars);
  assert.equal(config.modelResource, undefined);
  assert.equal(config.modelResourceRequired, true);
});

for (const env of ENVIRONMENTS) {
  test(`${env}: the worker reads its settings from the chart's environment and reports drift on the release's model`, () => {
    const objects = renderChart(env);
    const container = podSpec(only(objects, 'Deployment', 'loan-risk-worker')).containers[0];
    const vars = Object.fromEntries(
      (container.env ?? []).map((e) => [e.name, e.valueFrom ? namespaceOf(env) : e.value]),
    );
    const config = readWorkerConfig(vars);
    const model = only(objects, 'LoanRiskModel');
    assert.deepEqual(config.modelResource, { name: model.metadata.name, namespace: namespaceOf(env) });
    assert.equal(config.modelResourceRequired, true, "the workers never fall back to the models root's `current`");
    assert.equal(config.modelDir, '/models', "the models root, in which the LoanRiskModel's version is a folder");
    const role = only(objects, 'Role', 'loan-risk-worker');
    assert.equal(role.metadata.namespace, config.modelResource.namespace);
    assert.ok(
      permissions(rulesOf(role)).includes('risk.peerloan.io/loanriskmodels:watch') &&
        permissions(rulesOf(role)).includes('risk.peerloan.io/loanriskmodels:list'),
      'the workers watch their LoanRiskModel',
    );
    assert.equal(config.metricsHost, '0.0.0.0');
    assert.equal(config.metricsPort, container.ports?.[0].containerPort);
    assert.equal(config.driftThreshold, model.spec.drift?.threshold ?? DRIFT_DEFAULTS.threshold);
    const apiEnv = new Map((model.spec.serving.env ?? []).map((e) => [e.name, e]));
    const workerEnv = new Map((container.env ?? []).map((e) => [e.name, e]));
    assert.deepEqual(
      apiEnv.get('REDIS_URL'),
      workerEnv.get('REDIS_URL'),
      'the API logs predictions and audit records to the same Redis',
    );
    // One Secret: the one Redis requires (requirepass) and the API and the workers present.
    const redisContainer = podSpec(only(objects, 'StatefulSet', 'loan-risk-redis')).containers[0];
    const redisSecret = redisContainer.env?.find((e: { name: string }) => e.name === 'REDISCLI_AUTH')?.valueFrom;
    assert.ok(redisContainer.args?.includes('--requirepass'), 'Redis requires the password');
    assert.deepEqual(
      workerEnv.get('REDIS_PASSWORD')?.valueFrom,
      redisSecret,
      'the workers use the password Redis requires',
    );
    assert.deepEqual(apiEnv.get('REDIS_PASSWORD')?.valueFrom, redisSecret, 'the API uses the password Redis requires');
    assert.equal(apiEnv.get('AUDIT_MODE')?.value, config.auditMode, 'the API and the batch workers audit alike');
  });
}
