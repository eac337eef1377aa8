/**
 * Settings of the API and the workers: read through the shared readers, a bad one stops the real
 * entrypoint with exit 2 and one line naming the variable, before anything starts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { ConfigError } from '@peerloan/contracts/runtime';
import { readConfig, readWorkerConfig } from '../src/config.js';

const API = fileURLToPath(new URL('../src/main.js', import.meta.url));
const WORKER = fileURLToPath(new URL('../src/worker-main.js', import.meta.url));
const REDIS = { REDIS_URL: 'redis://127.0.0.1:1' };

/** Runs an entrypoint with only these variables (and PATH); it must stop on its own. */
function exitOf(entrypoint: string, env: Record<string, string>) {
  return spawnSync(process.execPath, [entrypoint], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('API and worker settings', () => {
  test('a bad value names its variable, the value and what is allowed', () => {
    const cases: [() => unknown, string, string | undefined][] = [
      [() => readConfig({ PORT: 'http' }), 'PORT', 'http'],
      [() => readConfig({ PREDICTION_LOG_SAMPLE: '2' }), 'PREDICTION_LOG_SAMPLE', '2'],
      [() => readConfig({ AUDIT_MODE: 'always', ...REDIS }), 'AUDIT_MODE', 'always'],
      [() => readConfig({ AUDIT_MODE: 'required' }), 'AUDIT_MODE', 'required'],
      [() => readConfig({ REDIS_URL: 'http://x' }), 'REDIS_URL', 'http://x'],
      [() => readConfig({ METRICS_GC_DURATION: 'sometimes' }), 'METRICS_GC_DURATION', 'sometimes'],
      [() => readConfig({ RATE_LIMIT_REQUESTS: '-1', ...REDIS }), 'RATE_LIMIT_REQUESTS', '-1'],
      [
        () =>
          readConfig({
            AUTH_CLOCK_TOLERANCE_SECONDS: '9999',
            AUTH_JWKS_URL: 'https://i/jwks',
            AUTH_ISSUER: 'i',
            AUTH_AUDIENCE: 'a',
          }),
        'AUTH_CLOCK_TOLERANCE_SECONDS',
        '9999',
      ],
      [() => readWorkerConfig({}), 'REDIS_URL', undefined],
      [() => readWorkerConfig({ WORKER_ROLES: 'batch,cook', ...REDIS }), 'WORKER_ROLES', 'batch,cook'],
      [() => readWorkerConfig({ DRIFT_THRESHOLD: '0', ...REDIS }), 'DRIFT_THRESHOLD', '0'],
      [() => readWorkerConfig({ LRM_REQUIRED: 'yes', ...REDIS }), 'LRM_REQUIRED', 'yes'],
    ];
    for (const [read, setting, value] of cases) {
      assert.throws(read, (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.setting, setting, err.message);
        assert.equal(err.value, value, err.message);
        assert.ok(err.message.startsWith(`${setting} must be `), err.message);
        return true;
      });
    }
  });

  test('the API entrypoint exits 2 with one line naming the variable', () => {
    const { status, stderr } = exitOf(API, { PORT: 'eighty' });
    assert.equal(status, 2);
    assert.equal(stderr, 'loanrisk-api: PORT must be a whole number from 0 to 65535, got "eighty"\n');
  });

  test('the worker entrypoint exits 2 with one line naming the variable', () => {
    const { status, stderr } = exitOf(WORKER, { ...REDIS, WORKER_ROLES: 'cook' });
    assert.equal(status, 2);
    assert.equal(
      stderr,
      'loanrisk-worker: WORKER_ROLES must be a comma-separated list of batch, drift or audit, got "cook"\n',
    );
  });
});
