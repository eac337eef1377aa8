/**
 * Every k6 script loads (k6 inspect runs its init code: config, payloads, options) and carries its
 * verdict at the top: scenarios, and thresholds on failed requests and on p95 and p99 latency.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { REPO_ROOT, toolsBin } from './repo.js';

const SCRIPTS = ['smoke.js', 'load.js', 'stress.js', 'spike.js', 'soak.js', 'rollout.js'];
const dir = mkdtempSync(join(tmpdir(), 'peerloan-k6-'));
const payloads = join(dir, 'loans.json');
spawnSync(process.execPath, [join(REPO_ROOT, 'load-tests/payloads.mjs'), '--rows', '50', '--out', payloads], { encoding: 'utf8' });
after(() => rmSync(dir, { recursive: true, force: true }));

function inspect(script: string, env: Record<string, string>) {
  // k6 inspect does not pass the shell's environment to __ENV (k6 run does): hand it over with -e.
  const vars = Object.entries({ PAYLOADS: payloads, ...env }).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  return spawnSync(join(toolsBin(), 'k6'), ['inspect', '--execution-requirements', ...vars, script], { cwd: join(REPO_ROOT, 'load-tests'), encoding: 'utf8' });
}

for (const script of SCRIPTS) {
  test(`${script}: scenarios and thresholds on failures, p95 and p99`, () => {
    const res = inspect(script, { BASE_URL: 'http://127.0.0.1:9' });
    assert.equal(res.status, 0, res.stderr);
    const options = JSON.parse(res.stdout);
    assert.ok(Object.keys(options.scenarios ?? {}).length > 0, 'a scenario');
    const thresholds = options.thresholds as Record<string, string[]>;
    assert.ok(thresholds.http_req_failed?.length, 'a threshold on http_req_failed');
    const latency = Object.entries(thresholds).filter(([metric]) => metric.startsWith('http_req_duration')).flatMap(([, t]) => t);
    assert.ok(latency.some((t) => t.startsWith('p(95)')) && latency.some((t) => t.startsWith('p(99)')), 'p95 and p99 thresholds');
  });
}

test('rollout.js allows no failed request at all', () => {
  const options = JSON.parse(inspect('rollout.js', { BASE_URL: 'http://127.0.0.1:9' }).stdout);
  assert.deepEqual(options.thresholds.http_req_failed, ['rate==0']);
});

test('a script without BASE_URL refuses to start and says why', () => {
  const res = inspect('smoke.js', { BASE_URL: '' });
  assert.notEqual(res.status, 0);
  assert.match(res.stderr + res.stdout, /set BASE_URL/);
});
