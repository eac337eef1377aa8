/**
 * The k6 suite against the local stack of run-local.sh (two API replicas behind Traefik, 127.0.0.1
 * only): smoke passes, rollout passes with zero failed requests while the model version is
 * swapped and a replica restarts, and a broken threshold fails the run.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './repo.js';

const RUNNER = join(REPO_ROOT, 'load-tests/run-local.sh');
const apiMissing =
  !existsSync(join(REPO_ROOT, 'api/dist/src/main.js')) && 'the api workspace is not built on this branch';

function runLocal(script: string, args: string[] = [], env: Record<string, string> = {}) {
  const res = spawnSync('bash', [RUNNER, script, ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 150_000,
  });
  return { status: res.status, output: `${res.stdout}\n${res.stderr}` };
}

test('smoke.js passes against two replicas behind Traefik', { skip: apiMissing, timeout: 120_000 }, () => {
  const { status, output } = runLocal('smoke.js');
  assert.equal(status, 0, output);
  assert.match(output, /http_req_failed\.*: 0\.00%/);
});

test(
  'rollout.js: no failed request while the model is swapped and a replica restarts',
  { skip: apiMissing, timeout: 150_000 },
  () => {
    const { status, output } = runLocal('rollout.js');
    assert.equal(status, 0, output);
    const next = output.match(/publishing model (\w+) under load/)?.[1];
    assert.ok(next, output);
    assert.match(output, new RegExp(`both replicas serve ${next}`));
    assert.match(output, new RegExp(`api-0 is back with ${next}`));
    assert.match(output, /http_req_failed\.*: 0\.00%/);
  },
);

test('a broken threshold fails the run', { timeout: 60_000 }, async () => {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => {
        resolve(port);
      });
    });
  });
  const { status, output } = runLocal('smoke.js', ['-e', 'DURATION=2s'], { BASE_URL: `http://127.0.0.1:${port}` });
  assert.notEqual(status, 0, output);
  assert.match(output, /thresholds on metrics 'checks, http_req_failed'|some thresholds have failed/);
});
