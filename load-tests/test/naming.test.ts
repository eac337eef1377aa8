/**
 * The naming rule for Kubernetes (docs/ARCHITECTURE.md, "Names"), checked on every object the
 * chart renders for each environment and on the plain manifests:
 * - objects are named `<fullname>-<part>` (fullname `<release>-loan-risk`, or the release when it
 *   already holds `loan-risk`); cluster-scoped ones (and the Role a namespace-bound operator gets
 *   in the watched namespace) `<namespace>-<fullname>-<part>`, so one release per environment
 *   does not collide with another; the LoanRiskModel and the manifests' objects `loan-risk-*`;
 * - exceptions: the data claim, named by `persistence.claimName` (`loan-data`, which users'
 *   LoanRiskModels name as their `dataset.claimName`), and the CRD, named by its group and plural;
 * - labels and annotations of our own are under `risk.peerloan.io/`, the others are Kubernetes',
 *   Helm's or Grafana's sidecar label; `app.kubernetes.io/part-of` is `loan-risk`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { CRD_GROUP, KUBERNETES_NAME } from '@peerloan/contracts';
import { parse } from 'yaml';
import {
  CHART_DIR,
  ENVIRONMENTS,
  helm,
  MONITORING_ON,
  only,
  parseYamlObjects,
  podTemplate,
  REPO_ROOT,
  valuesArgs,
  type Environment,
  type K8sObject,
} from './repo.js';

const CLUSTER_SCOPED = new Set(['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Namespace']);
const FOREIGN_KEY_DOMAINS = ['app.kubernetes.io/', 'helm.sh/', 'kubernetes.io/', 'batch.kubernetes.io/'];
/** Grafana's sidecar finds dashboards by this label, a name it fixes. */
const GRAFANA_SIDECAR_LABEL = 'grafana_dashboard';
/** Every optional object on, so that each is named by the rule too. */
const EVERYTHING_ON = [...MONITORING_ON, '--set', 'loanRiskModel.enabled=true'];

function render(env: Environment, release: string, namespace: string): K8sObject[] {
  const res = helm(['template', release, CHART_DIR, '-n', namespace, ...valuesArgs(env), ...EVERYTHING_ON]);
  assert.equal(res.status, 0, res.stderr);
  return parseYamlObjects(res.stdout);
}

function claimName(env: Environment): string {
  const defaults = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as {
    persistence: { claimName: string };
  };
  const overrides = parse(readFileSync(join(CHART_DIR, `values-${env}.yaml`), 'utf8')) as {
    persistence?: { claimName?: string };
  };
  return overrides.persistence?.claimName ?? defaults.persistence.claimName;
}

/** Why an object the chart renders breaks the rule, or undefined when it keeps it. */
function chartNameProblem(o: K8sObject, fullname: string, namespace: string, claim: string): string | undefined {
  const { name } = o.metadata;
  if (o.kind === 'PersistentVolumeClaim' && name === claim) return undefined;
  if (o.kind === 'LoanRiskModel') return name.startsWith(KUBERNETES_NAME) ? undefined : `not ${KUBERNETES_NAME}*`;
  const clusterName = `${namespace}-${fullname}`;
  if (CLUSTER_SCOPED.has(o.kind) || name.startsWith(clusterName))
    return name.startsWith(`${clusterName}-`) ? undefined : `not ${clusterName}-*`;
  return name === fullname || name.startsWith(`${fullname}-`) ? undefined : `not ${fullname}-*`;
}

/** Label and annotation keys of an object and of its pod template, with their values. */
function metadataEntries(o: K8sObject): [string, string][] {
  const template = podTemplate(o)?.metadata;
  return [o.metadata.labels, o.metadata.annotations, template?.labels, template?.annotations].flatMap((m) =>
    Object.entries(m ?? {}),
  );
}

function keyProblems(o: K8sObject): string[] {
  return metadataEntries(o).flatMap(([key, value]) => {
    const where = `${o.kind}/${o.metadata.name} ${key}`;
    if (key === 'app.kubernetes.io/part-of' && value !== KUBERNETES_NAME) return [`${where}=${value}`];
    if (key === GRAFANA_SIDECAR_LABEL || key.startsWith(`${CRD_GROUP}/`)) return [];
    return FOREIGN_KEY_DOMAINS.some((domain) => key.startsWith(domain)) ? [] : [where];
  });
}

describe('Kubernetes names', () => {
  for (const env of ENVIRONMENTS) {
    for (const release of ['team', KUBERNETES_NAME]) {
      test(`helm template ${release} (${env}): every object name and label key follows the rule`, () => {
        const namespace = `peerloan-${env}`;
        const fullname = release.includes(KUBERNETES_NAME) ? release : `${release}-${KUBERNETES_NAME}`;
        const objects = render(env, release, namespace);
        assert.ok(objects.length > 15, `${objects.length} objects`);
        const names = objects.flatMap((o) => {
          const problem = chartNameProblem(o, fullname, namespace, claimName(env));
          return problem ? [`${o.kind}/${o.metadata.name}: ${problem}`] : [];
        });
        assert.deepEqual(names, []);
        assert.deepEqual(objects.flatMap(keyProblems), []);
      });
    }
  }

  test('manifests/: the operator RBAC and the samples are loan-risk-*, the CRD is <plural>.<group>', () => {
    const file = (path: string) => parseYamlObjects(readFileSync(join(REPO_ROOT, 'manifests', path), 'utf8'));
    const objects = [
      ...file('operator/rbac.yaml'),
      ...['canary', 'dev', 'prod'].flatMap((sample) => file(`samples/loanriskmodel-${sample}.yaml`)),
    ];
    assert.deepEqual(
      objects.filter((o) => !o.metadata.name.startsWith(KUBERNETES_NAME)).map((o) => `${o.kind}/${o.metadata.name}`),
      [],
    );
    assert.deepEqual(objects.flatMap(keyProblems), []);
    const crd = only(file('crd/loanriskmodels.yaml'), 'CustomResourceDefinition');
    assert.equal(crd.metadata.name, `loanriskmodels.${CRD_GROUP}`);
  });

  test('the Lease the operator elects its leader with is loan-risk-operator', () => {
    const values = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as {
      operator: { leaderElection: { leaseName: string } };
    };
    assert.equal(values.operator.leaderElection.leaseName, `${KUBERNETES_NAME}-operator`);
  });
});
