/**
 * Reads the trainer's TrainingSummary from a finished training Pod: the terminated container's
 * termination message (terminationMessagePath), one JSON object.
 */
import type { V1Pod } from '@kubernetes/client-node';
import type { ComparisonRecord, ModelRecord, OutOfTimeRecord } from '@peerloan/contracts';
import { TrainingSummaryError } from './errors/training-summary-error.js';

/** The terminated trainer's message, preferring a succeeded container; undefined if none has terminated yet. */
export function terminationMessage(pods: readonly V1Pod[]): { pod: string; message: string } | undefined {
  const terminated = pods.flatMap((pod) =>
    (pod.status?.containerStatuses ?? []).flatMap((c) => {
      const state = c.state?.terminated;
      return state ? [{ pod: pod.metadata?.name ?? '?', exitCode: state.exitCode, message: state.message ?? '' }] : [];
    }),
  );
  const best = terminated.find((t) => t.exitCode === 0) ?? terminated.at(0);
  return best && { pod: best.pod, message: best.message };
}

export function parseTrainingSummary(pod: string, message: string, job: string): ModelRecord {
  const where = `pod ${pod} of job ${job}`;
  if (!message.trim())
    throw new TrainingSummaryError(
      `${where}: empty termination message; the trainer must write its summary to /dev/termination-log`,
    );
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    throw new TrainingSummaryError(
      `${where}: termination message is not JSON: ${JSON.stringify(message.slice(0, 200))}`,
    );
  }
  if (typeof value !== 'object' || value === null)
    throw new TrainingSummaryError(`${where}: termination message is not a JSON object`);
  const s = value as {
    version?: unknown;
    metrics?: { rocAuc?: unknown; prAuc?: unknown; brier?: unknown };
    threshold?: unknown;
    rows?: unknown;
    outOfTime?: unknown;
    comparison?: unknown;
  };
  if (typeof s.version !== 'string' || !/^[a-z0-9]([-a-z0-9._]*[a-z0-9])?$/.test(s.version)) {
    throw new TrainingSummaryError(
      `${where}: termination message needs "version" (a lower-case name such as 3f2a9c81b7de), got ${JSON.stringify(s.version)}`,
    );
  }
  const rocAuc = s.metrics?.rocAuc;
  if (typeof rocAuc !== 'number' || !(rocAuc >= 0 && rocAuc <= 1)) {
    throw new TrainingSummaryError(
      `${where}: termination message needs "metrics.rocAuc" between 0 and 1, got ${JSON.stringify(rocAuc)}`,
    );
  }
  const optional = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const outOfTime = s.outOfTime === undefined ? undefined : parseOutOfTime(s.outOfTime, where);
  const comparison = s.comparison === undefined ? undefined : parseComparison(s.comparison, where);
  return {
    version: s.version,
    metrics: { rocAuc, prAuc: optional(s.metrics?.prAuc), brier: optional(s.metrics?.brier) },
    ...(outOfTime && { outOfTime }),
    ...(comparison && { comparison }),
    threshold: optional(s.threshold),
    rows: optional(s.rows),
    job,
  };
}

const unit = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v <= 1;

/** The optional out-of-time part (the trainer was given --validation-data): all of it or an error, never half. */
function parseOutOfTime(value: unknown, where: string): OutOfTimeRecord {
  const o = value as {
    rows?: unknown;
    rocAuc?: { value?: unknown; low?: unknown; high?: unknown };
    expectedCalibrationError?: unknown;
  } | null;
  const rocAuc = o?.rocAuc;
  if (
    typeof o !== 'object' ||
    o === null ||
    !Number.isInteger(o.rows) ||
    !rocAuc ||
    !unit(rocAuc.value) ||
    !unit(rocAuc.low) ||
    !unit(rocAuc.high) ||
    !unit(o.expectedCalibrationError)
  ) {
    throw new TrainingSummaryError(
      `${where}: termination message "outOfTime" needs rows, rocAuc {value, low, high} and expectedCalibrationError, got ${JSON.stringify(value).slice(0, 300)}`,
    );
  }
  return {
    rows: o.rows as number,
    rocAuc: { value: rocAuc.value, low: rocAuc.low, high: rocAuc.high },
    expectedCalibrationError: o.expectedCalibrationError,
  };
}

const difference = (v: unknown): v is number => typeof v === 'number' && v >= -1 && v <= 1;

/** The optional paired comparison with the live model (--baseline-model): all of it or an error. */
function parseComparison(value: unknown, where: string): ComparisonRecord {
  const c = value as {
    baselineVersion?: unknown;
    rows?: unknown;
    difference?: { value?: unknown; low?: unknown; high?: unknown };
  } | null;
  const d = c?.difference;
  if (
    typeof c !== 'object' ||
    c === null ||
    typeof c.baselineVersion !== 'string' ||
    !Number.isInteger(c.rows) ||
    !d ||
    !difference(d.value) ||
    !difference(d.low) ||
    !difference(d.high)
  ) {
    throw new TrainingSummaryError(
      `${where}: termination message "comparison" needs baselineVersion, rows and difference {value, low, high}, got ${JSON.stringify(value).slice(0, 300)}`,
    );
  }
  return {
    baselineVersion: c.baselineVersion,
    rows: c.rows as number,
    difference: { value: d.value, low: d.low, high: d.high },
  };
}
