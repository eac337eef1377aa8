/** spec.rollout with every default filled in from ROLLOUT_DEFAULTS (the CRD schema declares the same ones). */
import {
  ROLLOUT_DEFAULTS,
  type ApprovalMode,
  type RolloutChecks,
  type RolloutSpec,
  type RolloutStrategy,
} from '@peerloan/contracts';

export interface RolloutSettings {
  strategy: RolloutStrategy;
  approval: ApprovalMode;
  steps: readonly number[];
  bakeMs: number;
  readyDeadlineMs: number;
  checks: Required<RolloutChecks>;
}

/**
 * The API server fills the defaults in; the code reads the same constant for objects stored
 * before spec.rollout existed, which the API server does not default again until they are written.
 */
export function rolloutSettings(spec: RolloutSpec = {}): RolloutSettings {
  return {
    strategy: spec.strategy ?? ROLLOUT_DEFAULTS.strategy,
    approval: spec.approval ?? ROLLOUT_DEFAULTS.approval,
    steps: spec.steps?.length ? spec.steps : ROLLOUT_DEFAULTS.steps,
    bakeMs: (spec.bakeSeconds ?? ROLLOUT_DEFAULTS.bakeSeconds) * 1000,
    readyDeadlineMs: (spec.readyDeadlineSeconds ?? ROLLOUT_DEFAULTS.readyDeadlineSeconds) * 1000,
    checks: { ...ROLLOUT_DEFAULTS.checks, ...spec.checks },
  };
}

/** The traffic share of canary step `step`; a step beyond a since shortened list is the last one. */
export function stepPercent(settings: RolloutSettings, step: number): number {
  return settings.steps[Math.min(step, settings.steps.length - 1)];
}
