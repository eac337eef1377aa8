/**
 * The operator's settings: read through the shared readers; a bad one (or no cluster to talk to)
 * stops the real entrypoint with exit 2 and one line naming the variable.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, test } from 'node:test';
import { ConfigError } from '@peerloan/contracts/runtime';
import { configFromEnv } from '../src/config.js';

const run = promisify(execFile);
const OPERATOR = fileURLToPath(new URL('../src/main.js', import.meta.url));

async function exitOf(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  try {
    await run(process.execPath, [OPERATOR], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 30_000 });
    return { code: 0, stderr: '' };
  } catch (err) {
    const { code, stderr } = err as { code: number; stderr: string };
    return { code, stderr };
  }
}

describe('operator settings', () => {
  test('defaults, and a bad value named with what is allowed', () => {
    const config = configFromEnv({ WATCH_NAMESPACE: '', LEASE_NAME: 'lease' });
    assert.equal(config.watchNamespace, undefined);
    assert.equal(config.leaseName, 'lease');
    assert.equal(config.leaderElection, true);
    assert.equal(configFromEnv({ LEADER_ELECTION: 'false' }).leaderElection, false);
    assert.throws(
      () => configFromEnv({ LEADER_ELECTION: 'off' }),
      (err: unknown) => err instanceof ConfigError && err.setting === 'LEADER_ELECTION' && err.value === 'off',
    );
    assert.throws(
      () => configFromEnv({ WORKERS: '0' }),
      /^ConfigError: WORKERS must be a whole number from 1 to 64, got "0"$/,
    );
  });

  test('the entrypoint exits 2 on a bad setting, and outside a Pod without KUBECONFIG', async () => {
    const bad = await exitOf({ RESYNC_SECONDS: 'often' });
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, 'loanrisk-operator: RESYNC_SECONDS must be a whole number from 5 to 86400, got "often"\n');
    const noCluster = await exitOf({});
    assert.equal(noCluster.code, 2);
    assert.match(
      noCluster.stderr,
      /^loanrisk-operator: KUBECONFIG must be the cluster's kubeconfig file outside a Pod/,
    );
  });
});
