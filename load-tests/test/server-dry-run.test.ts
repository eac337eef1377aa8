/**
 * Every object the chart renders for each environment, and the no-Helm install, is accepted by a
 * real kube-apiserver (the operator tests' control plane): the CRD applied first, then each object
 * with a server-side-apply dry run, so the API server's own validation and admission judge it.
 * The namespaces enforce the restricted Pod Security profile and every workload's pod template is
 * also dry-run as a Pod there, so a pod that breaks the profile fails here, not at rollout.
 * Finally a real `helm install` of the prod values creates them all and prints its NOTES.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ApiextensionsV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from '@peerloan/operator/dist/test/control-plane.js';
import {
  CHART_DIR,
  ENVIRONMENTS,
  helm,
  MODEL_VALUE_ARGS,
  namespaceOf,
  parseYamlObjects,
  podTemplate,
  renderChart,
  REPO_ROOT,
  valuesArgs,
  type K8sObject,
} from './repo.js';

const FIELD_MANAGER = 'loan-risk-chart-test';
let cp: ControlPlane;
let kc: KubeConfig;

async function applyCrd(): Promise<void> {
  const [crd] = parseYamlObjects(readFileSync(join(CHART_DIR, 'crds/loanriskmodels.yaml'), 'utf8'));
  await KubernetesObjectApi.makeApiClient(kc).patch(
    crd,
    undefined,
    undefined,
    FIELD_MANAGER,
    true,
    PatchStrategy.ServerSideApply,
  );
  const ext = kc.makeApiClient(ApiextensionsV1Api);
  for (let i = 0; i < 100; i++) {
    const { status } = await ext.readCustomResourceDefinition({ name: crd.metadata.name });
    if (status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True')) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('the CRD never became Established');
}

async function createRestrictedNamespace(name: string): Promise<void> {
  await kc
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name, labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } } } });
}

function reason(err: unknown): string {
  const e = err as { body?: string | { message?: string }; message?: string };
  if (typeof e.body === 'string') return (JSON.parse(e.body) as { message?: string }).message ?? e.body;
  return e.body?.message ?? e.message ?? String(err);
}

/** Dry-runs each object (server-side apply) and each workload's pod; returns what was refused and why. */
async function dryRun(objects: K8sObject[], namespace: string): Promise<string[]> {
  // A fresh client: its discovery cache must know the CRD applied a moment ago.
  const client = KubernetesObjectApi.makeApiClient(kc);
  const core = kc.makeApiClient(CoreV1Api);
  const refused: string[] = [];
  for (const o of objects) {
    await client
      .patch(o as KubernetesObject, undefined, 'All', FIELD_MANAGER, true, PatchStrategy.ServerSideApply)
      .catch((err: unknown) => refused.push(`${o.kind}/${o.metadata.name}: ${reason(err)}`));
    const template = podTemplate(o);
    if (!template) continue;
    await core
      .createNamespacedPod({
        namespace,
        dryRun: 'All',
        body: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `${o.metadata.name}-pod`, labels: template.metadata?.labels },
          spec: template.spec,
        },
      })
      .catch((err: unknown) => refused.push(`pod of ${o.kind}/${o.metadata.name}: ${reason(err)}`));
  }
  return refused;
}

before(async () => {
  cp = await startControlPlane();
  kc = cp.kubeConfig();
  await applyCrd();
});
after(async () => {
  await cp.stop();
});

describe('server-side dry run against a real kube-apiserver', () => {
  for (const env of ENVIRONMENTS) {
    test(`helm template with values-${env}.yaml: every object accepted`, async () => {
      await createRestrictedNamespace(namespaceOf(env));
      const objects = renderChart(env);
      assert.ok(
        objects.some((o) => o.kind === 'LoanRiskModel'),
        'the custom resource is among them',
      );
      assert.deepEqual(await dryRun(objects, namespaceOf(env)), []);
    });
  }

  test('the LoanRiskModel and the NetworkPolicy with every pass-through value set: accepted', async () => {
    // The prod namespace exists: the test of values-prod.yaml above made it.
    const objects = renderChart('prod', MODEL_VALUE_ARGS).filter((o) =>
      ['LoanRiskModel', 'NetworkPolicy'].includes(o.kind),
    );
    assert.ok(objects.some((o) => o.kind === 'LoanRiskModel'));
    assert.deepEqual(await dryRun(objects, namespaceOf('prod')), []);
  });

  test('helm install with values-prod.yaml creates every object and prints the next steps', () => {
    const res = helm([
      'install',
      'loan-risk',
      CHART_DIR,
      '--namespace',
      'peerloan-install',
      '--create-namespace',
      ...valuesArgs('prod'),
      '--kubeconfig',
      cp.kubeconfigPath,
    ]);
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /STATUS: deployed/);
    assert.match(res.stdout, /kubectl -n peerloan-install get lrm loan-risk -w/);
    assert.match(res.stdout, /curl -s https:\/\/risk\.peerloan\.io\/predict/);
    assert.match(res.stdout, /helm test loan-risk -n peerloan-install/);
  });

  test('manifests/install: every object accepted', async () => {
    const [namespace] = parseYamlObjects(readFileSync(join(REPO_ROOT, 'manifests/install/00-namespace.yaml'), 'utf8'));
    await KubernetesObjectApi.makeApiClient(kc).patch(
      namespace,
      undefined,
      undefined,
      FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    );
    const objects = parseYamlObjects(readFileSync(join(REPO_ROOT, 'manifests/install/10-loan-risk.yaml'), 'utf8'));
    assert.deepEqual(await dryRun(objects, namespace.metadata.name), []);
  });
});
