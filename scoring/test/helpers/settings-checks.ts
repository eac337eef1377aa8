/** How the API's and the workers' settings tests check a bad value: the ConfigError, and the real entrypoint's exit. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ConfigError } from '@peerloan/contracts/runtime';

/** A settings read, the variable its error must name and the value it must quote. */
export type BadSetting = [() => unknown, string, string | undefined];

/** Each read throws a ConfigError naming its variable, the value and what is allowed. */
export function assertBadSettings(cases: readonly BadSetting[]): void {
  for (const [read, setting, value] of cases) {
    assert.throws(read, (err: unknown) => {
      assert.ok(err instanceof ConfigError, String(err));
      assert.equal(err.setting, setting, err.message);
      assert.equal(err.value, value, err.message);
      assert.ok(err.message.startsWith(`${setting} must be `), err.message);
      return true;
    });
  }
}

/** Runs an entrypoint with only these variables (and PATH); it must stop on its own. */
export function exitOf(entrypoint: string, env: Record<string, string>) {
  return spawnSync(process.execPath, [entrypoint], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
}
