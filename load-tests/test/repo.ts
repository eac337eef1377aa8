/**
 * What the packaging tests share: the repository root, the tool binaries built by
 * scripts/install-tools.sh (helm, k6), and the chart rendered for an environment.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  KubernetesObject,
  V1ClusterRole,
  V1CronJob,
  V1Deployment,
  V1NetworkPolicy,
  V1NetworkPolicyIngressRule,
  V1NetworkPolicyPeer,
  V1NetworkPolicySpec,
  V1ObjectMeta,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodDisruptionBudget,
  V1PodSpec,
  V1PodTemplateSpec,
  V1Role,
  V1StatefulSet,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import type { LoanRiskModel } from '@peerloan/contracts';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
export const CHART_DIR = join(REPO_ROOT, 'charts/loan-risk');
export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** A Kubernetes object as rendered: apiVersion, kind and name checked when parsed. */
export interface K8sObject extends KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: V1ObjectMeta & { name: string };
}

/**
 * A NetworkPolicy as YAML spells it: client-node's type names the peers of an ingress rule
 * `_from` (its serializer renames the field), the YAML and the API `from`.
 */
export type NetworkPolicyYaml = Omit<V1NetworkPolicy, 'spec'> & {
  spec?: Omit<V1NetworkPolicySpec, 'ingress'> & {
    ingress?: (Omit<V1NetworkPolicyIngressRule, '_from'> & { from?: V1NetworkPolicyPeer[] })[];
  };
};

/** The kinds the tests read beyond their names, typed as client-node (and contracts) declare them. */
interface Kinds {
  ClusterRole: V1ClusterRole;
  Deployment: V1Deployment;
  HorizontalPodAutoscaler: V2HorizontalPodAutoscaler;
  LoanRiskModel: LoanRiskModel;
  NetworkPolicy: NetworkPolicyYaml;
  PersistentVolumeClaim: V1PersistentVolumeClaim;
  Pod: V1Pod;
  PodDisruptionBudget: V1PodDisruptionBudget;
  Role: V1Role;
  StatefulSet: V1StatefulSet;
}
export type Rendered<K extends string> = (K extends keyof Kinds ? Kinds[K] : unknown) & K8sObject;

/**
 * What a fresh clone holds under `paths`: the files git tracks or would add (ignored ones, such as
 * generated data, left out), copied into a new temporary directory, which is returned.
 */
export function freshClone(...paths: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'peerloan-clone-'));
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z', '--', ...paths], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  for (const file of listed.split('\0').filter((f) => f && existsSync(join(REPO_ROOT, f)))) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    copyFileSync(join(REPO_ROOT, file), join(dir, file));
  }
  return dir;
}

let bin: string | undefined;

/** Directory holding helm, k6, kube-apiserver and etcd (PEERLOAN_TOOLS_BIN, else the setup script's cache). */
export function toolsBin(): string {
  if (process.env.PEERLOAN_TOOLS_BIN) return process.env.PEERLOAN_TOOLS_BIN;
  if (!bin) {
    const out = execFileSync('bash', [join(REPO_ROOT, 'scripts/install-tools.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // The script prints the directory on its last line.
    const dir = out.trim().split('\n').at(-1);
    if (!dir) throw new Error('scripts/install-tools.sh printed no tools directory');
    bin = dir;
  }
  return bin;
}

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

export function helm(args: string[]): Run {
  const res = spawnSync(join(toolsBin(), 'helm'), args, { cwd: REPO_ROOT, encoding: 'utf8' });
  if (res.error) throw res.error;
  return { status: res.status ?? -1, stdout: res.stdout, stderr: res.stderr };
}

export const namespaceOf = (env: Environment) => (env === 'prod' ? 'peerloan' : `peerloan-${env}`);

/** `helm template` arguments that switch on every optional monitoring object (PodMonitor, PrometheusRule, dashboard). */
export const MONITORING_ON = [
  '--set',
  'monitoring.podMonitor.enabled=true',
  '--set',
  'monitoring.prometheusRule.enabled=true',
  '--set',
  'monitoring.grafanaDashboard.enabled=true',
];

/** A value for every field the chart's LoanRiskModel passes through (placement, annotations, rollout), and for the API's extra NetworkPolicy peers. */
export const MODEL_VALUES = (() => {
  const serving = {
    nodeSelector: { 'node.peerloan.io/pool': 'serving' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'serving', effect: 'NoSchedule' }],
    affinity: {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 50, preference: { matchExpressions: [{ key: 'node.peerloan.io/ssd', operator: 'Exists' }] } },
        ],
      },
    },
    topologySpreadConstraints: [
      { maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule' },
    ],
    priorityClassName: 'loan-risk-serving',
    podAnnotations: { 'example.com/team': 'risk' },
    podLabels: { 'example.com/cost-centre': 'risk' },
    serviceAccountName: 'loan-risk-api',
    imagePullSecrets: [{ name: 'regcred' }],
  };
  return {
    serving,
    training: { ...serving, nodeSelector: { 'node.peerloan.io/pool': 'batch' }, serviceAccountName: 'trainer' },
    serviceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-internal': 'true' },
    ingressAnnotations: { 'alb.ingress.kubernetes.io/target-type': 'ip' },
    rollout: {
      strategy: 'canary',
      approval: 'required',
      steps: [10, 50, 100],
      bakeSeconds: 600,
      readyDeadlineSeconds: 300,
      checks: {
        maxErrorRate: 0.01,
        maxP99LatencyRatio: 2,
        maxScorePsi: 0.1,
        minDecisionAgreement: 0.95,
        minSamples: 500,
      },
    },
    lastChangedBy: 'alice@peerloan.io',
    extraIngressFrom: [
      { ipBlock: { cidr: '10.0.0.0/16', except: ['10.0.9.0/24'] } },
      { ipBlock: { cidr: '35.191.0.0/16' } },
    ],
  };
})();

/**
 * `helm template` arguments setting every value of MODEL_VALUES, one field at a time: `--set-json`
 * of a whole map replaces the values file's map (prod's serving.minReplicas would be lost).
 */
export const MODEL_VALUE_ARGS = (
  [
    ['loanRiskModel.serving', MODEL_VALUES.serving],
    ['loanRiskModel.training', MODEL_VALUES.training],
    ['loanRiskModel.rollout', MODEL_VALUES.rollout],
  ] as const
)
  .flatMap(([key, fields]): [string, unknown][] =>
    Object.entries(fields).map(([field, value]) => [`${key}.${field}`, value]),
  )
  .concat([
    ['loanRiskModel.service.annotations', MODEL_VALUES.serviceAnnotations],
    ['loanRiskModel.ingress.annotations', MODEL_VALUES.ingressAnnotations],
    ['loanRiskModel.lastChangedBy', MODEL_VALUES.lastChangedBy],
    ['networkPolicy.extraIngressFrom', MODEL_VALUES.extraIngressFrom],
  ] satisfies [string, unknown][])
  .flatMap(([key, value]) => ['--set-json', `${key}=${JSON.stringify(value)}`]);

export function valuesArgs(env: Environment): string[] {
  return ['-f', join(CHART_DIR, `values-${env}.yaml`)];
}

/** `helm template` of the chart for one environment, as objects (hooks included). */
export function renderChart(env: Environment, extra: string[] = []): K8sObject[] {
  const res = helm(['template', 'loan-risk', CHART_DIR, '-n', namespaceOf(env), ...valuesArgs(env), ...extra]);
  if (res.status !== 0) throw new Error(`helm template (${env}) failed:\n${res.stderr}`);
  return parseYamlObjects(res.stdout);
}

function isK8sObject(value: unknown): value is K8sObject {
  if (typeof value !== 'object' || value === null) return false;
  const { apiVersion, kind, metadata } = value as Partial<Record<string, unknown>>;
  return (
    typeof apiVersion === 'string' &&
    typeof kind === 'string' &&
    typeof metadata === 'object' &&
    metadata !== null &&
    typeof (metadata as { name?: unknown }).name === 'string'
  );
}

/** The YAML documents of `text` (empty ones skipped); one without apiVersion, kind or name is an error. */
export function parseYamlObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as unknown)
    .filter((o) => o !== null)
    .map((o, i) => {
      if (!isK8sObject(o)) throw new Error(`document ${i + 1} is not a named Kubernetes object: ${JSON.stringify(o)}`);
      return o;
    });
}

export function find<K extends string>(objects: K8sObject[], kind: K, name?: string): Rendered<K>[] {
  // The kind says which type the object has.
  return objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name)) as Rendered<K>[];
}

export function only<K extends string>(objects: K8sObject[], kind: K, name?: string): Rendered<K> {
  const found = find(objects, kind, name);
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0];
}

/** An RBAC rule with its lists spelled out (a missing list grants nothing). */
export interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

export function rulesOf(role: V1Role | V1ClusterRole): Rule[] {
  return (role.rules ?? []).map((r) => ({
    apiGroups: r.apiGroups ?? [],
    resources: r.resources ?? [],
    verbs: r.verbs,
    ...(r.resourceNames && { resourceNames: r.resourceNames }),
  }));
}

/** The pod template of a workload (undefined for a bare Pod, which is its own). */
export function podTemplate(o: K8sObject): V1PodTemplateSpec | undefined {
  if (o.kind === 'Pod') return undefined;
  return o.kind === 'CronJob' ? (o as V1CronJob).spec?.jobTemplate.spec?.template : (o as V1Deployment).spec?.template;
}

/** The pod spec of a workload or a bare Pod; the test fails naming the object when it has none. */
export function podSpec(o: K8sObject): V1PodSpec {
  const spec = o.kind === 'Pod' ? (o as V1Pod).spec : podTemplate(o)?.spec;
  if (!spec) throw new Error(`${o.kind}/${o.metadata.name} has no pod spec`);
  return spec;
}
