/**
 * `k6 run load-tests/smoke.js` in a fresh clone (no generated data) with only BASE_URL set passes
 * against the real API serving a model the trainer CLI made, and the API accepts every committed
 * loan. Against the same model with authentication on (API keys and JWTs, as prod's values turn
 * it on), the credential in LOANRISK_API_KEY or LOANRISK_TOKEN reaches every request.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { keysFileText, newKey } from '@peerloan/api/dist/test/helpers/api-keys.js';
import { startApi } from '@peerloan/api/dist/test/helpers/api-server.js';
import { JwksServer, jwtEnv, signingKey, token } from '@peerloan/api/dist/test/helpers/jwks-server.js';
import { postJson } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';
import type { RunningServer } from '@peerloan/api/dist/src/server.js';
import { freshClone, REPO_ROOT, toolsBin } from './repo.js';

const KEY = newKey('k6', ['predict', 'batch']);

// Unset when before() failed part way; after() cleans up what exists.
let api: RunningServer | undefined;
/** The same model behind authentication: the keys file lists KEY, the issuer signs `jwt`. */
let securedApi: RunningServer | undefined;
let jwks: JwksServer | undefined;
let jwt = '';
let clone: string | undefined;

before(async () => {
  clone = freshClone('load-tests');
  const models = await tempDir('k6-fresh-clone');
  await trainModel(models, 41);
  api = await startApi({ MODEL_DIR: models });
  const key = await signingKey('k6');
  jwks = await JwksServer.start([key]);
  jwt = await token(key, { sub: 'k6-token', scope: 'predict' });
  const keysFile = join(models, 'api-keys.json');
  writeFileSync(keysFile, keysFileText([KEY]));
  securedApi = await startApi({ MODEL_DIR: models, AUTH_API_KEYS_FILE: keysFile, ...jwtEnv(jwks) });
});
after(async () => {
  await api?.shutdown();
  await securedApi?.shutdown();
  await jwks?.close();
  if (clone) rmSync(clone, { recursive: true, force: true });
});

/** The API before() started; a test after a failed before() fails naming it. */
function runningApi(which: RunningServer | undefined = api): RunningServer {
  assert.ok(which, 'the API server started in before()');
  return which;
}

/** k6 run, asynchronously: the API answering it lives in this process. */
function k6Run(args: string[], env: NodeJS.ProcessEnv): Promise<{ status: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(toolsBin(), 'k6'), ['run', ...args], { cwd: clone, env });
    let output = '';
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.on('close', (status) => {
      resolve({ status, output });
    });
  });
}

/** This process's environment without the variables the k6 scripts read, plus `vars`: a user's shell. */
function shellEnv(vars: Record<string, string>): NodeJS.ProcessEnv {
  const scriptVars = new Set(['PAYLOADS', 'LOANRISK_API_KEY', 'LOANRISK_TOKEN', 'HOST_HEADER']);
  return { ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !scriptVars.has(name))), ...vars };
}

test('the API accepts every committed loan', async () => {
  const loans = JSON.parse(readFileSync(join(REPO_ROOT, 'load-tests/lib/loans.json'), 'utf8')) as unknown[];
  const res = await postJson(`${runningApi().url}/predict?explain=false`, { instances: loans });
  assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
  assert.equal((res.body as { predictions: unknown[] }).predictions.length, loans.length);
});

test('k6 run load-tests/smoke.js from a fresh clone with only BASE_URL set passes', { timeout: 60_000 }, async () => {
  const { status, output } = await k6Run(['--quiet', 'load-tests/smoke.js'], shellEnv({ BASE_URL: runningApi().url }));
  assert.equal(status, 0, output);
  assert.match(output, /http_req_failed\.*: 0\.00%/);
  assert.match(output, /checks\.*: 100\.00%/);
});

/** loanrisk_auth_refusals_total by reason, from the secured API's /metrics. */
async function refusals(): Promise<Record<string, number>> {
  const text = await (await fetch(`${runningApi(securedApi).url}/metrics`)).text();
  return Object.fromEntries(
    [...text.matchAll(/^loanrisk_auth_refusals_total\{reason="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
  );
}

/** One iteration of smoke.js (setup's health checks, then each scoring route once) against the secured API. */
async function securedSmoke(
  vars: Record<string, string>,
): Promise<{ status: number | null; output: string; refused: Record<string, number> }> {
  const before = await refusals();
  const run = await k6Run(
    ['--quiet', '--iterations', '1', 'load-tests/smoke.js'],
    shellEnv({ BASE_URL: runningApi(securedApi).url, ...vars }),
  );
  const after = await refusals();
  const counted = Object.fromEntries(
    Object.entries(after)
      .map(([reason, n]): [string, number] => [reason, n - (before[reason] ?? 0)])
      .filter(([, n]) => n !== 0),
  );
  return { ...run, refused: counted };
}

test(
  'with authentication on and no credential in the environment, smoke.js is refused: 401s fail its thresholds',
  { timeout: 60_000 },
  async () => {
    const { status, output, refused } = await securedSmoke({});
    assert.notEqual(status, 0, output);
    assert.match(output, /✗ predict: 200/);
    // /predict, /predict with instances and OIP infer: each refused for want of a credential.
    assert.deepEqual(refused, { missing: 3 });
  },
);

test(
  'LOANRISK_API_KEY in the environment reaches every request as X-API-Key: smoke.js passes',
  { timeout: 60_000 },
  async () => {
    const { status, output, refused } = await securedSmoke({ LOANRISK_API_KEY: KEY.key });
    assert.equal(status, 0, output);
    assert.match(output, /checks\.*: 100\.00%/);
    assert.deepEqual(refused, {});
  },
);

test(
  'LOANRISK_TOKEN in the environment reaches every request as Authorization: Bearer: smoke.js passes',
  { timeout: 60_000 },
  async () => {
    const { status, output, refused } = await securedSmoke({ LOANRISK_TOKEN: jwt });
    assert.equal(status, 0, output);
    assert.match(output, /checks\.*: 100\.00%/);
    assert.deepEqual(refused, {});
  },
);
