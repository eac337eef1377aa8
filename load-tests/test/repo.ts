/**
 * What the packaging tests share: the repository root, the tool binaries built by
 * scripts/install-tools.sh (helm, k6), and the chart rendered for an environment.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
export const CHART_DIR = join(REPO_ROOT, 'charts/loan-risk');
export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** A Kubernetes object as rendered; the tests read it field by field. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: any };
  [k: string]: any;
};

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

export function valuesArgs(env: Environment): string[] {
  return ['-f', join(CHART_DIR, `values-${env}.yaml`)];
}

/** `helm template` of the chart for one environment, as objects (hooks included). */
export function renderChart(env: Environment, extra: string[] = []): K8sObject[] {
  const res = helm(['template', 'loan-risk', CHART_DIR, '-n', namespaceOf(env), ...valuesArgs(env), ...extra]);
  if (res.status !== 0) throw new Error(`helm template (${env}) failed:\n${res.stderr}`);
  return parseYamlObjects(res.stdout);
}

export function parseYamlObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null);
}

export function find(objects: K8sObject[], kind: string, name?: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
}

export function only(objects: K8sObject[], kind: string, name?: string): K8sObject {
  const found = find(objects, kind, name);
  if (found.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length}`);
  return found[0];
}

/** The pod spec of a workload or a bare Pod. */
export function podSpec(o: K8sObject) {
  return o.kind === 'Pod' ? o.spec : (o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec);
}
