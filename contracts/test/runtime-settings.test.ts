import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ConfigError,
  readChoice,
  readChoiceList,
  readFlag,
  readInteger,
  readNumber,
  requireText,
} from '../src/runtime/index.js';

describe('settings readers', () => {
  test('unset and empty give the fallback; good values parse', () => {
    assert.equal(readInteger({}, 'PORT', 8080, { min: 0, max: 65535 }), 8080);
    assert.equal(readInteger({ PORT: '' }, 'PORT', 8080, { min: 0, max: 65535 }), 8080);
    assert.equal(readInteger({ PORT: '9000' }, 'PORT', 8080, { min: 0, max: 65535 }), 9000);
    assert.equal(readInteger({ '--seed': '-3' }, '--seed', undefined), -3);
    assert.equal(readInteger({}, '--seed', undefined), undefined);
    assert.equal(readNumber({ SAMPLE: '0.25' }, 'SAMPLE', 0.1, { min: 0, max: 1 }), 0.25);
    assert.equal(readFlag({ ON: 'true' }, 'ON', false), true);
    assert.equal(readFlag({}, 'ON', true), true);
    assert.equal(readChoice({ MODE: 'required' }, 'MODE', ['off', 'required'], 'off'), 'required');
    assert.deepEqual(readChoiceList({ ROLES: ' drift, batch,drift ' }, 'ROLES', ['batch', 'drift', 'audit'], []), [
      'drift',
      'batch',
    ]);
    assert.deepEqual(readChoiceList({}, 'ROLES', ['batch', 'drift'], ['batch']), ['batch']);
  });

  test('a bad value is a ConfigError naming the setting, the value and what is allowed', () => {
    const cases: [() => unknown, string, string | undefined, RegExp][] = [
      [
        () => readInteger({ PORT: '80.5' }, 'PORT', 8080, { min: 0, max: 65535 }),
        'PORT',
        '80.5',
        /^PORT must be a whole number from 0 to 65535, got "80.5"$/,
      ],
      [() => readInteger({ PORT: '70000' }, 'PORT', 8080, { min: 0, max: 65535 }), 'PORT', '70000', /from 0 to 65535/],
      [
        () => readInteger({ '--seed': 'x' }, '--seed', undefined),
        '--seed',
        'x',
        /^--seed must be a whole number, got "x"$/,
      ],
      [() => readInteger({ N: '0' }, 'N', 1, { min: 1 }), 'N', '0', /^N must be a whole number of at least 1/],
      [() => readNumber({ SAMPLE: '1.5' }, 'SAMPLE', 0.1, { min: 0, max: 1 }), 'SAMPLE', '1.5', /a number from 0 to 1/],
      [
        () => readNumber({ T: '0' }, 'T', 0.2, { min: 0, exclusiveMin: true }),
        'T',
        '0',
        /^T must be a number above 0, got "0"$/,
      ],
      [() => readNumber({ T: 'NaN' }, 'T', 0.2, { min: 0 }), 'T', 'NaN', /a number of at least 0/],
      [() => readFlag({ ON: 'yes' }, 'ON', false), 'ON', 'yes', /^ON must be true or false, got "yes"$/],
      [
        () => readChoice({ MODE: 'maybe' }, 'MODE', ['off', 'best-effort', 'required'], 'off'),
        'MODE',
        'maybe',
        /one of off, best-effort or required/,
      ],
      [
        () => readChoiceList({ ROLES: 'batch,cook' }, 'ROLES', ['batch', 'drift'], []),
        'ROLES',
        'batch,cook',
        /a comma-separated list of batch or drift/,
      ],
      [() => readChoiceList({ ROLES: ' , ' }, 'ROLES', ['batch', 'drift'], []), 'ROLES', ' , ', /comma-separated/],
      [
        () => requireText({}, 'REDIS_URL', 'a redis:// URL'),
        'REDIS_URL',
        undefined,
        /^REDIS_URL must be a redis:\/\/ URL$/,
      ],
    ];
    for (const [read, setting, value, message] of cases) {
      assert.throws(read, (err: unknown) => {
        assert.ok(err instanceof ConfigError, String(err));
        assert.equal(err.setting, setting);
        assert.equal(err.value, value);
        assert.match(err.message, message);
        assert.equal(err.name, 'ConfigError');
        return true;
      });
    }
  });
});
