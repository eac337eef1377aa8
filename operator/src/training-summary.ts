/**
 * Reads the trainer's TrainingSummary from a finished training Pod: the terminated container's
 * termination message (terminationMessagePath), one JSON object checked against the contract's
 * schema (contracts/src/training-summary.ts).
 */
import type { V1Pod } from '@kubernetes/client-node';
import { payloadCheck, TrainingSummarySchema, type ModelRecord, type TrainingSummary } from '@peerloan/contracts';
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

const checkSummary = payloadCheck(TrainingSummarySchema);

/** The summary as the status records it; a TrainingSummaryError names what the trainer must fix. */
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
  const checked = checkSummary(value);
  if ('problems' in checked)
    throw new TrainingSummaryError(
      `${where}: termination message is not the training summary contract: ${checked.problems.join('; ')}`,
    );
  return modelRecord(checked.value, job);
}

/** The fields the status keeps (the CRD's schema would prune the others). */
function modelRecord(summary: TrainingSummary, job: string): ModelRecord {
  const { version, metrics, outOfTime, comparison, threshold, rows } = summary;
  return {
    version,
    metrics: { rocAuc: metrics.rocAuc, prAuc: metrics.prAuc, brier: metrics.brier },
    ...(outOfTime && {
      outOfTime: {
        rows: outOfTime.rows,
        rocAuc: outOfTime.rocAuc,
        expectedCalibrationError: outOfTime.expectedCalibrationError,
      },
    }),
    ...(comparison && {
      comparison: {
        baselineVersion: comparison.baselineVersion,
        rows: comparison.rows,
        difference: comparison.difference,
      },
    }),
    threshold,
    rows,
    job,
  };
}
