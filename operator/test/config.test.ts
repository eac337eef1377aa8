/**
 * The operator's settings: read through the shared readers; a bad one (or no cluster to talk to)
 * stops the real entrypoint with exit 2 and one line naming the variable.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'node:test';
import { ConfigError } from '@peerloan/contracts/runtime';
import { configFromEnv } from '../src/config.js';

const OPERATOR = fileURLToPath(new URL('../src/main.js', import.meta.url));

/** Runs the entrypoint with only these variables (and PATH); it must stop on its own. */
function exitOf(env: Record<string, string>) {
  return spawnSync(process.execPath, [OPERATOR], { env: { PATH: process.env.PATH ?? '', ...env }, encoding: 'utf8' });
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

  test('the entrypoint exits 2 on a bad setting, and outside a Pod without KUBECONFIG', () => {
    const bad = exitOf({ RESYNC_SECONDS: 'often' });
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, 'loanrisk-operator: RESYNC_SECONDS must be a whole number from 5 to 86400, got "often"\n');
    const noCluster = exitOf({});
    assert.equal(noCluster.status, 2);
    assert.match(
      noCluster.stderr,
      /^loanrisk-operator: KUBECONFIG must be the cluster's kubeconfig file outside a Pod/,
    );
  });
});
