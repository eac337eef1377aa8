/**
 * A real control plane for tests, the way envtest provides one: etcd + kube-apiserver on
 * 127.0.0.1 (free ports, temp dirs, generated service-account keys and an admin token), a
 * kubeconfig for them, and a clean stop. There is no controller-manager and no kubelet: tests
 * stand in for them by patching Job, Pod and Deployment status.
 *
 * The binaries come from scripts/install-tools.sh (cached, built once); PEERLOAN_TOOLS_BIN
 * points at another directory holding kube-apiserver and etcd.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { withKeepAlive } from '../src/kube-config.js';

const REPO_ROOT = resolve(fileURLToPath(new URL('../../../', import.meta.url)));

/** The part of a meta.k8s.io/v1 Table the tests read. */
export interface MetaTable {
  columnDefinitions: { name: string }[];
  rows: { cells: unknown[] }[];
}

/** Users besides admin the token file authenticates (no groups, so no permissions until bound). */
export const TEST_USERS = ['alice', 'bob', 'carol'] as const;
export type TestUser = (typeof TEST_USERS)[number];

export interface ControlPlane {
  readonly kubeconfigPath: string;
  /** A kubeconfig per test user: their own token, so the API server authenticates them by name. */
  readonly userKubeconfigPaths: Record<TestUser, string>;
  readonly server: string;
  readonly token: string;
  kubeConfig(): KubeConfig;
  /** GET as a meta.k8s.io Table, the way kubectl get prints printer columns. */
  getTable(path: string): Promise<MetaTable>;
  getJson(path: string): Promise<unknown>;
  stop(): Promise<void>;
}

/** Directory holding kube-apiserver, etcd and helm: PEERLOAN_TOOLS_BIN, else the setup script's cache. */
export function toolsBin(): string {
  if (process.env.PEERLOAN_TOOLS_BIN) return process.env.PEERLOAN_TOOLS_BIN;
  const out = execFileSync('bash', [join(REPO_ROOT, 'scripts/install-tools.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = out.trim().split('\n');
  return lines[lines.length - 1];
}

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => {
        ok(port);
      });
    });
  });
}

function launch(bin: string, args: string[], logTail: string[]): ChildProcess {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => {
    logTail.push(chunk.toString());
    if (logTail.length > 50) logTail.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  return child;
}

async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  timeoutMs: number,
  logTail: string[],
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`control plane: ${what} not ready after ${timeoutMs} ms\n${logTail.join('').slice(-4000)}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) =>
    child.once('exit', () => {
      r();
    }),
  );
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export async function startControlPlane(): Promise<ControlPlane> {
  const bin = toolsBin();
  const dir = await mkdtemp(join(tmpdir(), 'peerloan-cp-'));
  const [etcdPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  const logTail: string[] = [];
  const token = randomBytes(24).toString('hex');

  const etcd = launch(
    join(bin, 'etcd'),
    [
      '--data-dir',
      join(dir, 'etcd'),
      '--listen-client-urls',
      `http://127.0.0.1:${etcdPort}`,
      '--advertise-client-urls',
      `http://127.0.0.1:${etcdPort}`,
      '--listen-peer-urls',
      `http://127.0.0.1:${peerPort}`,
      '--initial-advertise-peer-urls',
      `http://127.0.0.1:${peerPort}`,
      '--initial-cluster',
      `default=http://127.0.0.1:${peerPort}`,
      '--unsafe-no-fsync',
      '--log-level',
      'error',
    ],
    logTail,
  );

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await writeFile(join(dir, 'sa.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }));
  await writeFile(join(dir, 'sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));
  const userTokens = Object.fromEntries(TEST_USERS.map((u) => [u, randomBytes(24).toString('hex')])) as Record<
    TestUser,
    string
  >;
  await writeFile(
    join(dir, 'tokens.csv'),
    [`${token},admin,admin-uid,"system:masters"`, ...TEST_USERS.map((u) => `${userTokens[u]},${u},${u}-uid`)].join(
      '\n',
    ) + '\n',
  );

  const apiserver = launch(
    join(bin, 'kube-apiserver'),
    [
      '--etcd-servers',
      `http://127.0.0.1:${etcdPort}`,
      '--bind-address',
      '127.0.0.1',
      '--secure-port',
      String(apiPort),
      '--cert-dir',
      join(dir, 'certs'),
      '--token-auth-file',
      join(dir, 'tokens.csv'),
      '--authorization-mode',
      'RBAC',
      '--disable-admission-plugins',
      'ServiceAccount',
      '--service-account-issuer',
      'https://kubernetes.default.svc',
      '--service-account-key-file',
      join(dir, 'sa.pub'),
      '--service-account-signing-key-file',
      join(dir, 'sa.key'),
      '--service-cluster-ip-range',
      '10.0.0.0/24',
      '--allow-privileged=true',
      '--v',
      '0',
    ],
    logTail,
  );

  const server = `https://127.0.0.1:${apiPort}`;
  const stop = async () => {
    await stopProcess(apiserver);
    await stopProcess(etcd);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'kube-apiserver /readyz',
      async () => {
        if (apiserver.exitCode !== null) throw new Error('kube-apiserver exited');
        return (await httpsStatus(`${server}/readyz`, token)) === 200;
      },
      60_000,
      logTail,
    );
  } catch (err) {
    await stop();
    throw err;
  }

  const kubeconfigPath = join(dir, 'kubeconfig');
  await writeFile(kubeconfigPath, kubeconfigYaml(server, token));
  const userKubeconfigPaths = {} as Record<TestUser, string>;
  for (const u of TEST_USERS) {
    userKubeconfigPaths[u] = join(dir, `kubeconfig-${u}`);
    await writeFile(userKubeconfigPaths[u], kubeconfigYaml(server, userTokens[u], u));
  }
  return {
    kubeconfigPath,
    userKubeconfigPaths,
    server,
    token,
    kubeConfig() {
      const kc = new KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      return withKeepAlive(kc);
    },
    getJson: (path) => httpsJson(`${server}${path}`, token, 'application/json'),
    // Asked for as=Table, the API server answers with one.
    getTable: async (path) =>
      (await httpsJson(`${server}${path}`, token, 'application/json;as=Table;g=meta.k8s.io;v=v1')) as MetaTable,
    stop,
  };
}

function kubeconfigYaml(server: string, token: string, user = 'admin'): string {
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'test', cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name: user, user: { token } }],
      contexts: [{ name: 'test', context: { cluster: 'test', user, namespace: 'default' } }],
      'current-context': 'test',
    },
    null,
    2,
  );
}

function httpsJson(url: string, token: string, accept: string): Promise<unknown> {
  return new Promise((ok, fail) => {
    const req = httpsGet(
      url,
      { headers: { authorization: `Bearer ${token}`, accept }, rejectUnauthorized: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => {
          if (res.statusCode === 200) ok(JSON.parse(body));
          else fail(new Error(`GET ${url}: ${res.statusCode} ${body}`));
        });
      },
    );
    req.on('error', fail);
  });
}

function httpsStatus(url: string, token: string): Promise<number> {
  return new Promise((ok, fail) => {
    const req = httpsGet(url, { headers: { authorization: `Bearer ${token}` }, rejectUnauthorized: false }, (res) => {
      res.resume();
      ok(res.statusCode ?? 0);
    });
    req.on('error', fail);
  });
}
