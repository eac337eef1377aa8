/**
 * manifests/install/ (the no-Helm install) is the chart rendered with its defaults: a stale copy
 * fails here, so the chart stays the one source of truth.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { CHART_DIR, helm, parseYamlObjects, REPO_ROOT } from './repo.js';

const INSTALL = join(REPO_ROOT, 'manifests/install/10-loan-risk.yaml');

test('manifests/install/10-loan-risk.yaml is the chart rendered with its defaults', () => {
  // A Secret the installer creates, so no password is committed (the chart would generate one).
  const res = helm([
    'template',
    'loan-risk',
    CHART_DIR,
    '--namespace',
    'peerloan',
    '--skip-tests',
    '--set',
    'redis.auth.existingSecret=loan-risk-redis-auth',
  ]);
  assert.equal(res.status, 0, res.stderr);
  // The file's own header comment (above the first document marker) is not helm's.
  const lines = readFileSync(INSTALL, 'utf8').split('\n');
  const committed = lines.slice(lines.indexOf('---')).join('\n');
  assert.equal(committed, res.stdout, 'run `bash scripts/render-install-manifests.sh`');
});

test('the no-Helm install puts everything in the peerloan namespace it creates', () => {
  const [namespace] = parseYamlObjects(readFileSync(join(REPO_ROOT, 'manifests/install/00-namespace.yaml'), 'utf8'));
  assert.equal(namespace.kind, 'Namespace');
  for (const o of parseYamlObjects(readFileSync(INSTALL, 'utf8'))) {
    if (!['ClusterRole', 'ClusterRoleBinding'].includes(o.kind))
      assert.equal(o.metadata.namespace, namespace.metadata.name, `${o.kind}/${o.metadata.name}`);
  }
});
