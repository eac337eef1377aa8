/**
 * The `instances` answer is written as text (predictionsJson) rather than JSON.stringify of one
 * object per row: it must be the same bytes as serializing predictions(), across versions
 * interleaved by a canary, with and without reasons, for awkward probabilities and versions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recordRows, type LoadedModel } from '@peerloan/scoring';
import { predictions, predictionsJson } from '../src/prediction.js';
import type { ScoredGroup } from '../src/rollout/serving-versions.js';

// Only a version and a threshold of the model reach the answer.
const model = (version: string, threshold: number) => ({ version, threshold }) as LoadedModel;

test('predictionsJson writes the bytes JSON.stringify writes for predictions()', () => {
  const live = model('a61b810157ae', 0.2);
  const candidate = model('v"2\\é', 1e-7);
  const groups: ScoredGroup[] = [
    {
      model: live,
      rows: [0, 2, 3],
      input: recordRows([]),
      scored: { probabilities: [0.2, 0.19999998807907104, 5e-324] },
    },
    {
      model: candidate,
      rows: [1, 4],
      input: recordRows([]),
      scored: {
        probabilities: [1, 1.2e-8],
        reasons: [[{ feature: 'int_rate', value: 23.5, direction: 'raises', typical: 12 }], []],
      } as unknown as ScoredGroup['scored'],
    },
  ];
  const text = predictionsJson(groups, 5);
  assert.equal(text, JSON.stringify(predictions(groups, 5)));
  assert.deepEqual(
    (JSON.parse(text) as { decision: string }[]).map((p) => p.decision),
    ['yes', 'yes', 'no', 'no', 'no'],
  );
});
