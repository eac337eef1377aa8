import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { startControlPlane, type ControlPlane } from './control-plane.js';

let cp: ControlPlane;
before(async () => {
  cp = await startControlPlane();
});
after(async () => {
  await cp.stop();
});

test('the test control plane serves the API with the generated kubeconfig', async () => {
  const core = cp.kubeConfig().makeApiClient(CoreV1Api);
  const ns = await core.readNamespace({ name: 'default' });
  assert.equal(ns.metadata?.name, 'default');
});
