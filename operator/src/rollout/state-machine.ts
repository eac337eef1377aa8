/**
 * The rollout of a gated candidate as a state machine over the part of the status it owns, all
 * pure: each transition takes the record and the time and gives the next record and its Event.
 *
 *   accepted --immediate, or nothing live yet--> live
 *   accepted --shadow|canary--> Shadow --checks held for bakeSeconds--> (canary: step 1 .. step n) --> Promoted
 *   any step --check failed, or pods not ready within readyDeadlineSeconds--> RolledBack
 *   any step --valid pin, or a newer accepted candidate--> Withdrawn
 */
import {
  HISTORY_LIMIT,
  servedVersion,
  type CandidateMode,
  type HistoryEntry,
  type LoanRiskModelStatus,
  type ModelRecord,
  type RolloutCheckResult,
  type RolloutStatus,
} from '@peerloan/contracts';
import { candidateRows, evaluateChecks } from './checks.js';
import type { Serving } from './serving.js';
import { stepPercent, type RolloutSettings } from './settings.js';
import type { StepSignals } from './signals.js';

/** What serves and what was decided: the status fields the rollout owns. */
export interface RolloutRecord {
  live?: ModelRecord;
  previousVersion?: string;
  candidate?: ModelRecord;
  rollout?: RolloutStatus;
  history: HistoryEntry[];
}

/** A record with a candidate being tried. */
export type Trial = RolloutRecord & { candidate: ModelRecord; rollout: RolloutStatus };

export interface RolloutEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface Transition {
  record: RolloutRecord;
  event?: RolloutEvent;
}

export interface StepObservation {
  /** The Deployment runs the step's template on all its replicas. */
  ready: boolean;
  message: string;
  /** Read only once the step's pods are ready. */
  signals?: StepSignals;
}

export type StepDecision =
  | { action: 'hold'; message: string; checks?: RolloutCheckResult[]; requeueAfterMs: number }
  | { action: 'startBake'; requeueAfterMs: number }
  | { action: 'advance'; checks: RolloutCheckResult[]; requeueAfterMs: number }
  | {
      action: 'rollBack';
      reason: 'RolloutCheckFailed' | 'RolloutPodsNotReady';
      message: string;
      checks?: RolloutCheckResult[];
    };

export function recordFrom(status: LoanRiskModelStatus | undefined, history: HistoryEntry[]): RolloutRecord {
  const s = status ?? {};
  return { live: s.live, previousVersion: s.previousVersion, candidate: s.candidate, rollout: s.rollout, history };
}

export function inTrial(record: RolloutRecord): record is Trial {
  return !!record.candidate && (record.rollout?.phase === 'Shadow' || record.rollout?.phase === 'Canary');
}

const modeOf = (rollout: RolloutStatus): CandidateMode => (rollout.phase === 'Shadow' ? 'shadow' : 'canary');

/** What the API pods serve: the pin or the live version, and the candidate of a trial with its share. */
export function servingOf(
  record: RolloutRecord,
  settings: RolloutSettings,
  pinned: string | undefined,
): Serving | undefined {
  // One rule with the workers, which read it from the status this pass writes.
  const live = servedVersion({ pinnedVersion: pinned, liveVersion: record.live?.version });
  if (!live) return undefined;
  if (pinned || !inTrial(record)) return { live };
  const mode = modeOf(record.rollout);
  return {
    live,
    candidate: {
      version: record.candidate.version,
      mode,
      trafficPercent: mode === 'shadow' ? 0 : stepPercent(settings, record.rollout.step ?? 0),
    },
  };
}

function stepName(rollout: RolloutStatus, settings: RolloutSettings): string {
  if (rollout.phase === 'Shadow') return 'the shadow phase';
  const step = rollout.step ?? 0;
  return `canary step ${step + 1} of ${settings.steps.length} (${stepPercent(settings, step)}%)`;
}

/** A candidate that is neither live nor being tried (one awaiting approval is not tried yet). */
export function isNewCandidate(record: RolloutRecord, candidate: ModelRecord): boolean {
  return (
    candidate.version !== record.live?.version && !(inTrial(record) && candidate.version === record.candidate.version)
  );
}

/** Whether `begin` would try the candidate rather than make it live at once. */
export function needsTrial(
  record: RolloutRecord,
  settings: RolloutSettings,
): record is RolloutRecord & { live: ModelRecord } {
  return !!record.live && settings.strategy !== 'immediate';
}

/** A gated candidate: live at once (immediate, or nothing to compare it with), else into shadow. */
export function begin(record: RolloutRecord, candidate: ModelRecord, settings: RolloutSettings, now: Date): Transition {
  if (!needsTrial(record, settings)) {
    return { record: { ...record, live: candidate, ...(record.live && { previousVersion: record.live.version }) } };
  }
  const rollout: RolloutStatus = {
    version: candidate.version,
    strategy: settings.strategy,
    phase: 'Shadow',
    stepStartTime: now.toISOString(),
    message: 'waiting for the API pods of the shadow phase',
  };
  return {
    record: { ...record, candidate, rollout },
    event: {
      type: 'Normal',
      reason: 'ShadowStarted',
      message: `candidate ${candidate.version} scores live traffic in shadow beside live version ${record.live.version} (${settings.strategy} rollout)`,
    },
  };
}

export function promote(trial: Trial, settings: RolloutSettings): Transition {
  const { candidate, live, rollout } = trial;
  return {
    record: {
      ...trial,
      live: candidate,
      previousVersion: live?.version,
      candidate: undefined,
      rollout: { ...rollout, phase: 'Promoted', message: `promoted after ${stepName(rollout, settings)}` },
    },
    event: {
      type: 'Normal',
      reason: 'Promoted',
      message: `candidate ${candidate.version} promoted: live version ${live?.version ?? '(none)'} -> ${candidate.version}`,
    },
  };
}

/** The previous state comes back (live unchanged, no candidate), and the candidate is recorded as rejected. */
export function rollBack(trial: Trial, reason: string, message: string, now: Date): Transition {
  const { candidate, live, rollout } = trial;
  const entry: HistoryEntry = {
    version: candidate.version,
    rocAuc: candidate.metrics.rocAuc,
    outcome: 'Rejected',
    time: now.toISOString(),
    reason,
    message,
  };
  return {
    record: {
      ...trial,
      candidate: undefined,
      rollout: { ...rollout, phase: 'RolledBack', message },
      history: [entry, ...trial.history].slice(0, HISTORY_LIMIT),
    },
    event: {
      type: 'Warning',
      reason: 'RolledBack',
      message: `candidate ${candidate.version} rolled back, live version ${live?.version} kept: ${message}`,
    },
  };
}

/** The trial ends without a verdict on the candidate (a pin, a newer candidate): it may be tried again. */
export function withdraw(trial: Trial, reason: string, message: string): Transition {
  return {
    record: { ...trial, candidate: undefined, rollout: { ...trial.rollout, phase: 'Withdrawn', message } },
    event: { type: 'Normal', reason, message: `candidate ${trial.candidate.version} withdrawn: ${message}` },
  };
}

/** The step held: shadow -> first canary step -> ... -> promoted. */
export function nextStep(trial: Trial, settings: RolloutSettings, now: Date): Transition {
  const { rollout } = trial;
  const last =
    rollout.phase === 'Shadow' ? rollout.strategy === 'shadow' : (rollout.step ?? 0) >= settings.steps.length - 1;
  if (last) return promote(trial, settings);
  const step = rollout.phase === 'Shadow' ? 0 : (rollout.step ?? 0) + 1;
  const next: RolloutStatus = {
    version: rollout.version,
    strategy: rollout.strategy,
    phase: 'Canary',
    step,
    stepStartTime: now.toISOString(),
    message: `waiting for the API pods of canary step ${step + 1}`,
  };
  return {
    record: { ...trial, rollout: next },
    event: {
      type: 'Normal',
      reason: 'CanaryStep',
      message: `candidate ${trial.candidate.version}: ${stepName(next, settings)} after ${stepName(rollout, settings)} held`,
    },
  };
}

const POLL_MIN_MS = 2_000;
const POLL_MAX_MS = 300_000;

/** How soon to look again: a sixth of the bake, growing with how long the step has waited. */
function pollMs(settings: RolloutSettings, waitedMs: number): number {
  return Math.min(POLL_MAX_MS, Math.max(POLL_MIN_MS, settings.bakeMs / 6, waitedMs / 4));
}

/** One look at a step: what its pods and counters say it should do next. */
export function decideStep(trial: Trial, settings: RolloutSettings, seen: StepObservation, now: Date): StepDecision {
  const { rollout } = trial;
  const t = now.getTime();
  const stepAge = t - Date.parse(rollout.stepStartTime);
  if (!seen.ready || !seen.signals) {
    // The deadline is for a step's pods to come up; once baking, a pod that drops out only pauses the step.
    const left = settings.readyDeadlineMs - stepAge;
    if (!rollout.bakeStartTime && left <= 0) {
      return {
        action: 'rollBack',
        reason: 'RolloutPodsNotReady',
        message: `the API pods of ${stepName(rollout, settings)} were not ready within readyDeadlineSeconds (${settings.readyDeadlineMs / 1000}): ${seen.message}`,
      };
    }
    const poll = pollMs(settings, stepAge);
    return {
      action: 'hold',
      message: seen.message,
      requeueAfterMs: rollout.bakeStartTime ? poll : Math.min(poll, left + POLL_MIN_MS),
    };
  }
  const signals = seen.signals;
  if (!rollout.bakeStartTime || signals.fresh) return { action: 'startBake', requeueAfterMs: pollMs(settings, 0) };

  const baked = t - Date.parse(rollout.bakeStartTime);
  const evaluation = evaluateChecks(settings.checks, modeOf(rollout), signals.counts);
  const checks = evaluation.checks;
  const rows = candidateRows(signals.counts);
  // A failure among the pods that could be read is a failure; a pod that could not be read only
  // keeps the step from passing (it never promotes on missing evidence).
  if (evaluation.verdict === 'Fail') {
    return {
      action: 'rollBack',
      reason: 'RolloutCheckFailed',
      message: `${stepName(rollout, settings)} failed its checks over ${rows} candidate rows: ${evaluation.failures.join('; ')}`,
      checks,
    };
  }
  if (signals.problems.length > 0)
    return {
      action: 'hold',
      message: `not every pod could be counted: ${signals.problems.join('; ')}`,
      checks,
      requeueAfterMs: pollMs(settings, baked),
    };
  if (evaluation.verdict === 'Waiting') {
    return {
      action: 'hold',
      message: `waiting for ${settings.checks.minSamples} candidate rows (checks.minSamples): ${rows} so far from ${signals.pods} pods`,
      checks,
      requeueAfterMs: pollMs(settings, baked),
    };
  }
  const left = settings.bakeMs - baked;
  if (left > 0) {
    const until = new Date(Date.parse(rollout.bakeStartTime) + settings.bakeMs).toISOString();
    return {
      action: 'hold',
      message: `checks hold; baking until ${until}`,
      checks,
      requeueAfterMs: Math.min(left, pollMs(settings, 0)),
    };
  }
  return { action: 'advance', checks, requeueAfterMs: POLL_MIN_MS };
}

export function applyDecision(trial: Trial, decision: StepDecision, settings: RolloutSettings, now: Date): Transition {
  const rollout = trial.rollout;
  switch (decision.action) {
    case 'hold':
      return {
        record: {
          ...trial,
          rollout: { ...rollout, message: decision.message, ...(decision.checks && { checks: decision.checks }) },
        },
      };
    case 'startBake':
      return {
        record: {
          ...trial,
          rollout: {
            ...rollout,
            bakeStartTime: now.toISOString(),
            message: 'pods ready; counting from here',
            checks: undefined,
          },
        },
        event: {
          type: 'Normal',
          reason: 'BakeStarted',
          message: `candidate ${trial.candidate.version}: pods of ${stepName(rollout, settings)} ready; its checks must hold for ${settings.bakeMs / 1000} s`,
        },
      };
    case 'rollBack':
      return rollBack(
        { ...trial, rollout: { ...rollout, ...(decision.checks && { checks: decision.checks }) } },
        decision.reason,
        decision.message,
        now,
      );
    case 'advance':
      return nextStep({ ...trial, rollout: { ...rollout, checks: decision.checks } }, settings, now);
  }
}
