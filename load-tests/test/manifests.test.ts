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
  const res = helm(['template', 'loan-risk', CHART_DIR, '--namespace', 'peerloan', '--skip-tests']);
  assert.equal(res.status, 0, res.stderr);
  const committed = readFileSync(INSTALL, 'utf8').split('\n').filter((l) => !l.startsWith('# Generated') && !l.startsWith('# scripts/render')).join('\n');
  assert.equal(committed, res.stdout, 'run `bash scripts/render-install-manifests.sh`');
});

test('the no-Helm install puts everything in the peerloan namespace it creates', () => {
  const [namespace] = parseYamlObjects(readFileSync(join(REPO_ROOT, 'manifests/install/00-namespace.yaml'), 'utf8'));
  assert.equal(namespace.kind, 'Namespace');
  for (const o of parseYamlObjects(readFileSync(INSTALL, 'utf8'))) {
    if (!['ClusterRole', 'ClusterRoleBinding'].includes(o.kind)) assert.equal(o.metadata.namespace, namespace.metadata.name, `${o.kind}/${o.metadata.name}`);
  }
});
