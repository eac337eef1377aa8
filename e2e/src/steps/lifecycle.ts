/** `kubectl delete lrm`: every child goes through garbage collection (ownerReferences). */
import assert from 'node:assert/strict';
import { kubectl } from '../commands.js';
import type { Journey } from '../journey-state.js';
import { waitFor } from '../waiting.js';

const CHILD_KINDS = 'deployment,replicaset,pod,service,hpa,ingress,pdb,job,configmap';

export async function deleteCollectsChildren(journey: Journey): Promise<void> {
  const selector = `risk.peerloan.io/model=${journey.model}`;
  const before = (await kubectl(['-n', journey.namespace, 'get', CHILD_KINDS, '-l', selector, '-o', 'name'])).trim();
  assert.match(before, /deployment/, `the model has children before deletion:\n${before}`);
  await kubectl(['-n', journey.namespace, 'delete', 'loanriskmodel', journey.model, '--wait=true', '--timeout=120s']);
  await waitFor(
    'every child of the model is collected',
    180,
    async () => {
      const left = (await kubectl(['-n', journey.namespace, 'get', CHILD_KINDS, '-l', selector, '-o', 'name'])).trim();
      if (left) throw new Error(`still there: ${left.split('\n').join(', ')}`);
      return true;
    },
    2000,
  );
}
