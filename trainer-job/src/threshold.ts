/** Picks the decision threshold on out-of-fold calibrated scores according to a policy. */
import type { ThresholdChoice, ThresholdPolicy } from '@peerloan/contracts';
import { confusionAt, thresholdSweep } from './evaluation.js';

function pickThreshold(scores: ArrayLike<number>, labels: ArrayLike<number>, policy: ThresholdPolicy): number {
  if (policy.policy === 'fixed') return policy.value;
  const { thresholds, tp, fp, positives } = thresholdSweep(scores, labels);
  const total = labels.length;
  // Walk from the highest score down: the first threshold meeting the goal flags the fewest loans.
  for (let k = 0; k < thresholds.length; k++) {
    if (policy.policy === 'target-recall' && tp[k] / positives >= policy.value) return thresholds[k];
    if (policy.policy === 'max-flag-rate' && (tp[k + 1] ?? Infinity) + (fp[k + 1] ?? Infinity) > policy.value * total) {
      return thresholds[k];
    }
  }
  return thresholds[thresholds.length - 1] ?? 0.5;
}

export function chooseThreshold(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  policy: ThresholdPolicy,
): ThresholdChoice {
  const value = pickThreshold(scores, labels, policy);
  return { policy, value, ...confusionAt(scores, labels, value) };
}
