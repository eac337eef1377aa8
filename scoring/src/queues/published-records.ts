/**
 * What the workers publish in Redis for the API's model view to read: the drift monitor's closed
 * windows (a capped list, newest first) and the LoanRiskModel's version history with the candidate
 * awaiting approval, as the workers' watch last saw them (the API pods hold no Kubernetes
 * credentials). Both are written by one process and read by any; the API answers without them when
 * Redis or the workers are away.
 */
import { redisKey, type AwaitingApproval, type DriftWindow, type HistoryEntry } from '@peerloan/contracts';

/** One closed drift window as the drift worker publishes it (GET /drift's shape, declared in contracts). */
export type DriftWindowRecord = DriftWindow;

/** The drift windows, newest first (LPUSH, LTRIM to DRIFT_HISTORY_LENGTH). */
export const DRIFT_HISTORY_KEY = redisKey('drift-history');
export const DRIFT_HISTORY_LENGTH = 500;

/** The LoanRiskModel's status.history and waiting candidate as one JSON record (PublishedHistory). */
export const MODEL_HISTORY_KEY = redisKey('model-history');

export interface PublishedHistory {
  readonly model: { readonly namespace: string; readonly name: string };
  readonly entries: readonly HistoryEntry[];
  /** The candidate waiting for a reviewer's decision; absent when none waits. */
  readonly awaitingApproval?: AwaitingApproval;
}
