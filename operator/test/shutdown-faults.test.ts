/**
 * SIGTERM with the API server gone: the real operator entrypoint, leading (it holds a Lease and
 * watches), exits once SHUTDOWN_TIMEOUT_MS has passed even though releasing the Lease and
 * stopping the watches cannot reach kube-apiserver. node:test's timeout, far above the setting,
 * turns a hang into a failure.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startControlPlane, type ControlPlane } from './control-plane.js';
import { createNamespace, installCrd, REPO_ROOT, waitFor } from './fixtures.js';

describe('operator SIGTERM with kube-apiserver gone', () => {
  let cp: ControlPlane;

  before(async () => {
    cp = await startControlPlane();
    await installCrd(cp.kubeConfig());
    await createNamespace(cp.kubeConfig(), 'faults');
  });
  after(async () => {
    await cp.stop();
  });

  test('the leading operator exits within its shutdown timeout', { timeout: 120_000 }, async () => {
    let output = '';
    const child = spawn(process.execPath, [join(REPO_ROOT, 'operator/dist/src/main.js')], {
      env: {
        ...process.env,
        KUBECONFIG: cp.kubeconfigPath,
        LOG_LEVEL: 'info',
        WATCH_NAMESPACE: 'faults',
        LEASE_NAMESPACE: 'faults',
        METRICS_PORT: '0',
        SHUTDOWN_TIMEOUT_MS: '3000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      output += c.toString();
    });
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => {
        resolve(code);
      }),
    );
    await waitFor('the operator leads', () => output.includes('"became leader"'), 30_000);

    await cp.stop();
    child.kill('SIGTERM');
    const code = await exited;
    assert.ok(output.includes('"shutting down"'), output);
    // 0 if everything let go quickly, 1 if the deadline cut the stop short; either way it exited.
    assert.ok(
      code === 0 || (code === 1 && output.includes('"shutdown timed out, exiting"')),
      `exit ${code}: ${output.slice(-2000)}`,
    );
  });
});
