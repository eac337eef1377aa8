/**
 * Settings of the workers: read through the shared readers, a bad one stops the real entrypoint
 * with exit 2 and one line naming the variable, before anything starts (the API's: api/test/config.test.ts).
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { assertBadSettings, exitOf, type BadSetting } from '@peerloan/scoring/dist/test/helpers/settings-checks.js';
import { readWorkerConfig } from '../src/worker-config.js';

const WORKER = fileURLToPath(new URL('../src/main.js', import.meta.url));
const REDIS = { REDIS_URL: 'redis://127.0.0.1:1' };

describe('worker settings', () => {
  test('a bad value names its variable, the value and what is allowed', () => {
    const cases: BadSetting[] = [
      [() => readWorkerConfig({}), 'REDIS_URL', undefined],
      [() => readWorkerConfig({ WORKER_ROLES: 'batch,cook', ...REDIS }), 'WORKER_ROLES', 'batch,cook'],
      [() => readWorkerConfig({ DRIFT_THRESHOLD: '0', ...REDIS }), 'DRIFT_THRESHOLD', '0'],
      [() => readWorkerConfig({ LRM_REQUIRED: 'yes', ...REDIS }), 'LRM_REQUIRED', 'yes'],
    ];
    assertBadSettings(cases);
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
