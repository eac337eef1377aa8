/**
 * Every k6 script loads from a fresh clone with only BASE_URL set (k6 inspect runs its init code:
 * config, the committed payloads, options) and carries its verdict at the top: scenarios, and
 * thresholds on failed requests and on p95 and p99 latency. The committed payloads are what
 * payloads.mjs generates, and PAYLOADS still replaces them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkFieldValue, featureRule, FEATURES, type LoanRecord } from '@peerloan/contracts';
import { freshClone, REPO_ROOT, toolsBin } from './repo.js';

const SCRIPTS = ['smoke.js', 'load.js', 'stress.js', 'spike.js', 'soak.js', 'rollout.js'];
const COMMITTED_PAYLOADS = join(REPO_ROOT, 'load-tests/lib/loans.json');
const clone = freshClone('load-tests');
const dir = mkdtempSync(join(tmpdir(), 'peerloan-k6-'));
after(() => {
  rmSync(clone, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
});

/** `k6 inspect load-tests/<script>` from the clone's root, as a user would type it there. */
function inspect(script: string, env: Record<string, string>) {
  // k6 inspect does not pass the shell's environment to __ENV (k6 run does): hand it over with -e.
  const vars = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  return spawnSync(join(toolsBin(), 'k6'), ['inspect', '--execution-requirements', ...vars, `load-tests/${script}`], {
    cwd: clone,
    encoding: 'utf8',
  });
}

/** The part of a script's exported k6 `options` these tests read; a script may omit either. */
interface K6Options {
  scenarios?: Record<string, unknown>;
  thresholds?: Partial<Record<string, string[]>>;
}

for (const script of SCRIPTS) {
  test(`${script}: loads from a fresh clone with only BASE_URL; scenarios and thresholds on failures, p95 and p99`, () => {
    const res = inspect(script, { BASE_URL: 'http://127.0.0.1:9' });
    assert.equal(res.status, 0, res.stderr);
    const options = JSON.parse(res.stdout) as K6Options;
    assert.ok(Object.keys(options.scenarios ?? {}).length > 0, 'a scenario');
    const thresholds = options.thresholds ?? {};
    assert.ok(thresholds.http_req_failed?.length, 'a threshold on http_req_failed');
    const latency = Object.entries(thresholds)
      .filter(([metric]) => metric.startsWith('http_req_duration'))
      .flatMap(([, t]) => t ?? []);
    assert.ok(
      latency.some((t) => t.startsWith('p(95)')) && latency.some((t) => t.startsWith('p(99)')),
      'p95 and p99 thresholds',
    );
  });
}

test('rollout.js allows no failed request at all', () => {
  const options = JSON.parse(inspect('rollout.js', { BASE_URL: 'http://127.0.0.1:9' }).stdout) as K6Options;
  assert.deepEqual(options.thresholds?.http_req_failed, ['rate==0']);
});

test('a script without BASE_URL refuses to start and says why', () => {
  const res = inspect('smoke.js', { BASE_URL: '' });
  assert.notEqual(res.status, 0);
  assert.match(res.stderr + res.stdout, /set BASE_URL/);
});

test('PAYLOADS replaces the committed loans', () => {
  const payloads = join(dir, 'loans.json');
  const made = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'load-tests/payloads.mjs'), '--rows', '50', '--out', payloads],
    { encoding: 'utf8' },
  );
  assert.equal(made.status, 0, made.stderr);
  assert.equal(inspect('smoke.js', { BASE_URL: 'http://127.0.0.1:9', PAYLOADS: payloads }).status, 0);
  const missing = inspect('smoke.js', { BASE_URL: 'http://127.0.0.1:9', PAYLOADS: join(dir, 'no-such.json') });
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /no-such\.json/, 'the named file is the one read');
});

test('lib/loans.json is what `npm run payloads -w load-tests` generates: 200 valid loans, byte for byte', () => {
  const out = join(dir, 'regenerated.json');
  const made = spawnSync(process.execPath, [join(REPO_ROOT, 'load-tests/payloads.mjs'), '--out', out], {
    encoding: 'utf8',
  });
  assert.equal(made.status, 0, made.stderr);
  const committed = readFileSync(COMMITTED_PAYLOADS, 'utf8');
  assert.equal(committed, readFileSync(out, 'utf8'), 'run `npm run payloads -w load-tests`');
  const loans = JSON.parse(committed) as LoanRecord[];
  assert.equal(loans.length, 200);
  for (const [i, loan] of loans.entries()) {
    assert.deepEqual(
      Object.keys(loan).sort(),
      FEATURES.map((f) => f.name).sort(),
      `loan ${i}: the ten features, no label`,
    );
    for (const feature of FEATURES)
      assert.equal(checkFieldValue(featureRule(feature), loan[feature.name]), null, `loan ${i}: ${feature.name}`);
  }
});
