/**
 * The answers of the HTTP API the page reads, as the server promises them (web/README.md lists
 * the endpoints): the contracts' TypeBox schemas, which the server's types and the OpenAPI
 * document come from too. Values are in data units; the page converts them through feature-display.
 */
import type { Prediction } from '@peerloan/contracts/api-answers';
import type { FeatureReason, FeatureValue } from '@peerloan/contracts/feature-display';

export type { FeatureReason, FeatureValue };

/** GET features: the live model's rules, each with the reference applicant's value. */
export type { FeatureRuleAnswer, FeaturesAnswer } from '@peerloan/contracts/api-answers';

/** POST predict?explain=true: the reasons are always there. */
export type PredictionAnswer = Prediction & Required<Pick<Prediction, 'reasons'>>;

/** Every 4xx/5xx body, with each bad field. */
export type { ErrorBody, FieldProblem } from '@peerloan/contracts/api-answers';

/** POST batches: 202; GET batches/{id}: state, progress, counts and the first refused rows (at most 100). */
export type { BatchAccepted, BatchStatus } from '@peerloan/contracts/api-answers';

/** GET batches/{id}/summary (409 until completed); bin i of the histogram covers [i * binWidth, (i + 1) * binWidth), the last includes 1. */
export type { GroupSummary as SegmentSummary, BatchSummary } from '@peerloan/contracts/api-answers';
/** GET batches/{id}/rows?offset&limit: riskiest first. */
export type { RankedAnswer as RankedRow, RankedPage as RowsPage } from '@peerloan/contracts/api-answers';

/**
 * GET versions: the versions held (a version not loaded yet has no figures), the history with each
 * verdict and reviewer's decision, and a candidate awaiting approval (absent when none waits).
 */
export type {
  AwaitingApprovalAnswer,
  HistoryItem as HistoryEntry,
  VersionEntry,
  VersionsAnswer,
} from '@peerloan/contracts/api-answers';

/** GET drift: oldest window first; the threshold is null before the first window. */
export type { DriftWindow, Drift as DriftAnswer } from '@peerloan/contracts/api-answers';
