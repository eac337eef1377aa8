/**
 * `k6 run load-tests/smoke.js` in a fresh clone (no generated data) with only BASE_URL set passes
 * against the real API serving a model the trainer CLI made, and the API accepts every committed
 * loan.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startApi } from '@peerloan/api/dist/test/helpers/api-server.js';
import { postJson } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';
import type { RunningServer } from '@peerloan/api/dist/src/server.js';
import { freshClone, REPO_ROOT, toolsBin } from './repo.js';

// Unset when before() failed part way; after() cleans up what exists.
let api: RunningServer | undefined;
let clone: string | undefined;

before(async () => {
  clone = freshClone('load-tests');
  const models = await tempDir('k6-fresh-clone');
  await trainModel(models, 41);
  api = await startApi({ MODEL_DIR: models });
});
after(async () => {
  await api?.shutdown();
  if (clone) rmSync(clone, { recursive: true, force: true });
});

/** The API before() started; a test after a failed before() fails naming it. */
function runningApi(): RunningServer {
  assert.ok(api, 'the API server started in before()');
  return api;
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

test('the API accepts every committed loan', async () => {
  const loans = JSON.parse(readFileSync(join(REPO_ROOT, 'load-tests/lib/loans.json'), 'utf8')) as unknown[];
  const res = await postJson(`${runningApi().url}/predict?explain=false`, { instances: loans });
  assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 500));
  assert.equal((res.body as { predictions: unknown[] }).predictions.length, loans.length);
});

test('k6 run load-tests/smoke.js from a fresh clone with only BASE_URL set passes', { timeout: 60_000 }, async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, BASE_URL: runningApi().url };
  delete env.PAYLOADS;
  const { status, output } = await k6Run(['--quiet', 'load-tests/smoke.js'], env);
  assert.equal(status, 0, output);
  assert.match(output, /http_req_failed\.*: 0\.00%/);
  assert.match(output, /checks\.*: 100\.00%/);
});
