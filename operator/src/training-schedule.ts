/**
 * spec.training.schedule: a training run at each due time of a 5-field cron expression (UTC).
 * The due time is part of the training Job's name, so two passes at the same due time name the
 * same Job and only one is created; status.lastScheduledTime records the last due time run.
 */
import cronParser from 'cron-parser';
import type { LoanRiskModel, LoanRiskModelStatus } from '@peerloan/contracts';
import type { RolloutEvent } from './rollout/state-machine.js';

/** A timer this long still fires (setTimeout's limit is about 24.8 days); the next pass looks again. */
const MAX_WAIT_MS = 6 * 3_600_000;

export interface ScheduleDecision {
  /** The due time of the current run (status.lastScheduledTime): part of the training Job's name. */
  scheduledTime?: string;
  /** True when this pass starts a new run. */
  started: boolean;
  status: Pick<LoanRiskModelStatus, 'lastScheduledTime'>;
  /** Look again at the next due time. */
  requeueAfterMs?: number;
  /** The schedule matched the CRD's pattern but is no cron expression: what to fix. */
  invalid?: string;
}

interface DueTimes {
  /** The latest due time at or before now. */
  latest: Date;
  /** The first due time after now. */
  next: Date;
}

function dueTimes(schedule: string, now: Date): DueTimes {
  const options = { tz: 'UTC', currentDate: new Date(now.getTime() + 1) };
  const latest = cronParser.parseExpression(schedule, options).prev().toDate();
  const next = cronParser
    .parseExpression(schedule, { ...options, currentDate: now })
    .next()
    .toDate();
  return { latest, next };
}

export function scheduleDecision(model: LoanRiskModel, now: Date): ScheduleDecision {
  const last = model.status?.lastScheduledTime;
  const unchanged: ScheduleDecision = {
    ...(last && { scheduledTime: last }),
    started: false,
    status: last ? { lastScheduledTime: last } : {},
  };
  const { schedule } = model.spec.training;
  if (!schedule) return unchanged;
  let due: DueTimes;
  try {
    due = dueTimes(schedule, now);
  } catch (err) {
    return {
      ...unchanged,
      invalid: `spec.training.schedule "${schedule}" is not a cron expression (${(err as Error).message}); write five fields: minute hour day-of-month month day-of-week, e.g. "0 3 1 * *"`,
    };
  }
  const requeueAfterMs = Math.min(due.next.getTime() - now.getTime(), MAX_WAIT_MS);
  // Counted from creation, so adding a schedule does not run the due time just passed.
  const since = new Date(last ?? model.metadata.creationTimestamp ?? now).getTime();
  if (due.latest.getTime() <= since) return { ...unchanged, requeueAfterMs };
  const scheduledTime = due.latest.toISOString();
  return { scheduledTime, started: true, status: { lastScheduledTime: scheduledTime }, requeueAfterMs };
}

export function scheduledEvent(decision: ScheduleDecision): RolloutEvent {
  return {
    type: 'Normal',
    reason: 'TrainingScheduled',
    message: `spec.training.schedule was due at ${decision.scheduledTime ?? ''}: training run started`,
  };
}
