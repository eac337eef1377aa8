/**
 * values.schema.json and the chart's own checks refuse bad values before anything reaches the
 * cluster, naming the value and what is wrong with it.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHART_DIR, helm, REPO_ROOT } from './repo.js';

// The last three are the chart's own checks (`fail`), which helm lint reports only as INFO.
const BAD_VALUES: Array<[string, string[], RegExp, boolean?]> = [
  [
    'a replica count below 1',
    ['--set', 'operator.replicas=0'],
    /operator\.replicas: Must be greater than or equal to 1/,
  ],
  ['a misspelt key', ['--set', 'worker.replcas=2'], /worker: Additional property replcas is not allowed/],
  [
    'a string where a number belongs',
    ['--set', 'loanRiskModel.serving.minReplicas=two'],
    /loanRiskModel\.serving\.minReplicas: Invalid type\. Expected: \[integer,null\], given: string/,
  ],
  [
    'a decision policy value outside (0, 1)',
    ['--set-json', 'loanRiskModel.decisionPolicy.value=1.5'],
    /loanRiskModel\.decisionPolicy\.value: Must be less than 1/,
  ],
  [
    'an unknown drift action',
    ['--set', 'loanRiskModel.drift.action=page'],
    /loanRiskModel\.drift\.action: loanRiskModel\.drift\.action must be one of the following: "alert", "retrain"/,
  ],
  [
    'a retraining schedule that is no cron expression',
    ['--set', 'loanRiskModel.schedule=daily'],
    /loanRiskModel\.schedule: Does not match pattern/,
  ],
  [
    'a data watch interval without a unit',
    ['--set-string', 'loanRiskModel.watchInterval=600'],
    /loanRiskModel\.watchInterval: Does not match pattern/,
  ],
  [
    'a dataset path leaving the volume',
    ['--set', 'loanRiskModel.datasetPath=../secrets.csv'],
    /loanRiskModel\.datasetPath: Does not match pattern/,
  ],
  [
    'no Redis at all',
    ['--set', 'redis.enabled=false'],
    /redis\.externalUrl: String length must be greater than or equal to 1/,
  ],
  [
    'an Ingress without a host',
    ['--set', 'loanRiskModel.enabled=true', '--set', 'loanRiskModel.ingress.enabled=true'],
    /loanRiskModel\.ingress\.host: String length must be greater than or equal to 1/,
  ],
  [
    'a toleration operator Kubernetes does not have',
    ['--set-json', 'loanRiskModel.training.tolerations=[{"key":"dedicated","operator":"Is"}]'],
    /loanRiskModel\.training\.tolerations\.0\.operator: loanRiskModel\.training\.tolerations\.0\.operator must be one of the following: "Exists", "Equal"/,
  ],
  [
    'a PriorityClass name that is no DNS name',
    ['--set', 'loanRiskModel.serving.priorityClassName=High_Priority'],
    /loanRiskModel\.serving\.priorityClassName: Does not match pattern/,
  ],
  [
    'a pull secret given as a bare name where the CRD takes {name}',
    ['--set-json', 'loanRiskModel.serving.imagePullSecrets=["regcred"]'],
    /loanRiskModel\.serving\.imagePullSecrets\.0: Invalid type\. Expected: object, given: string/,
  ],
  [
    "podLabels naming the API's selector label",
    ['--set-json', 'loanRiskModel.serving.podLabels={"app.kubernetes.io/component":"x"}'],
    /loanRiskModel\.serving\.podLabels: Property name of "app\.kubernetes\.io\/component" does not match/,
  ],
  [
    'a rollout strategy the CRD does not offer',
    ['--set', 'loanRiskModel.rollout.strategy=blue-green'],
    /loanRiskModel\.rollout\.strategy: loanRiskModel\.rollout\.strategy must be one of the following: "immediate", "shadow", "canary", null/,
  ],
  [
    'a canary step above 100 %',
    ['--set-json', 'loanRiskModel.rollout.steps=[10,150]'],
    /loanRiskModel\.rollout\.steps\.1: Must be less than or equal to 100/,
  ],
  [
    'a NetworkPolicy peer whose CIDR has no prefix length',
    ['--set-json', 'networkPolicy.extraIngressFrom=[{"ipBlock":{"cidr":"10.0.0.1"}}]'],
    /networkPolicy\.extraIngressFrom\.0\.ipBlock\.cidr: Does not match pattern/,
  ],
  [
    'a NetworkPolicy peer with an ipBlock beside a selector',
    ['--set-json', 'networkPolicy.extraIngressFrom=[{"ipBlock":{"cidr":"10.0.0.0/8"},"podSelector":{}}]'],
    /networkPolicy\.extraIngressFrom\.0: Must not validate the schema \(not\)/,
  ],
  [
    'a misspelt NetworkPolicy peer',
    ['--set-json', 'networkPolicy.extraIngressFrom=[{"ipblock":{"cidr":"10.0.0.0/8"}}]'],
    /networkPolicy\.extraIngressFrom\.0: Additional property ipblock is not allowed/,
  ],
  ['a maxmemory Redis cannot read', ['--set', 'redis.maxmemory=lots'], /redis\.maxmemory: Does not match pattern/],
  [
    'HPA bounds the wrong way round',
    ['--set', 'loanRiskModel.serving.minReplicas=5', '--set', 'loanRiskModel.serving.maxReplicas=2'],
    /loanRiskModel\.serving\.maxReplicas \(2\) must be at least loanRiskModel\.serving\.minReplicas \(5\)/,
    false,
  ],
  [
    'a PDB that blocks every drain',
    ['--set', 'operator.podDisruptionBudget.enabled=true'],
    /operator\.podDisruptionBudget\.minAvailable must be below operator\.replicas/,
    false,
  ],
  [
    "Redis' maxmemory as a share of a memory limit that is not set",
    ['--set', 'redis.resources.limits=null'],
    /redis\.maxmemory 80% is a share of redis\.resources\.limits\.memory, which is not set/,
    false,
  ],
];

for (const [what, args, message, linted = true] of BAD_VALUES) {
  test(`helm template and lint refuse ${what}`, () => {
    const template = helm(['template', 'loan-risk', CHART_DIR, ...args]);
    assert.notEqual(template.status, 0, 'helm template accepted it');
    assert.match(template.stderr, message);
    if (!linted) return;
    const lint = helm(['lint', CHART_DIR, ...args]);
    assert.notEqual(lint.status, 0, 'helm lint accepted it');
    assert.match(lint.stdout, message);
  });
}

test('the defaults render on their own', () => {
  const res = helm(['template', 'loan-risk', CHART_DIR]);
  assert.equal(res.status, 0, res.stderr);
});

test("values.schema.json's loanRiskModel part is the one generated from the LoanRiskModel's schemas", () => {
  const res = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/values-schema.mjs'), '--check'], {
    encoding: 'utf8',
  });
  assert.equal(res.status, 0, res.stderr);
});

test('the README values table is the one generated from values.yaml and the schema', () => {
  const res = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts/helm-docs.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(res.status, 0, res.stderr);
});
