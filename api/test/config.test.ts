/**
 * Settings of the API: read through the shared readers, a bad one stops the real entrypoint with
 * exit 2 and one line naming the variable, before anything starts (the workers': workers/test/config.test.ts).
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { assertBadSettings, exitOf, type BadSetting } from '@peerloan/scoring/dist/test/helpers/settings-checks.js';
import { readConfig } from '../src/config.js';

const API = fileURLToPath(new URL('../src/main.js', import.meta.url));
const REDIS = { REDIS_URL: 'redis://127.0.0.1:1' };

describe('API settings', () => {
  test('a bad value names its variable, the value and what is allowed', () => {
    const cases: BadSetting[] = [
      [() => readConfig({ PORT: 'http' }), 'PORT', 'http'],
      [() => readConfig({ GRPC_PORT: 'h2c' }), 'GRPC_PORT', 'h2c'],
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
    ];
    assertBadSettings(cases);
  });

  test('the API entrypoint exits 2 with one line naming the variable', () => {
    const { status, stderr } = exitOf(API, { PORT: 'eighty' });
    assert.equal(status, 2);
    assert.equal(stderr, 'loanrisk-api: PORT must be a whole number from 0 to 65535, got "eighty"\n');
  });
});
