/**
 * The answers of the HTTP API the page reads, as the server promises them (web/README.md lists
 * the endpoints). Values are in data units; the page converts them through feature-display.
 */
import type { ApprovalRecord, FieldRule } from '@peerloan/contracts';
import type { AwaitingApprovalAnswer, Prediction } from '@peerloan/contracts/api-answers';
import type { FeatureReason, FeatureValue } from '@peerloan/contracts/feature-display';

export type { FeatureReason, FeatureValue };

/** One feature's rule as the API validates it, with the reference applicant's value. */
export interface FeatureRuleAnswer extends FieldRule {
  readonly reference: FeatureValue;
}

/** GET features: the live model's rules and reference applicant. */
export interface FeaturesAnswer {
  readonly modelVersion: string;
  readonly threshold: number;
  readonly features: readonly FeatureRuleAnswer[];
}

/** POST predict?explain=true: the reasons are always there. */
export type PredictionAnswer = Prediction & Required<Pick<Prediction, 'reasons'>>;

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

/** Every 4xx/5xx body. */
export interface ErrorBody {
  readonly error: string;
  readonly details?: readonly FieldProblem[];
}

export interface BatchCounts {
  readonly total: number;
  readonly scored: number;
  readonly invalid: number;
}

/** POST batches: 202. */
export interface BatchAccepted {
  readonly id: string;
  readonly counts: { readonly total: number };
}

export interface RowProblem {
  /** 1-based data row of the file (header excluded). */
  readonly row: number;
  readonly id: string;
  readonly errors: readonly FieldProblem[];
}

export type BatchState = 'queued' | 'running' | 'completed' | 'failed';

/** GET batches/{id}. */
export interface BatchStatus {
  readonly id: string;
  readonly state: BatchState;
  readonly progress: number;
  readonly counts: BatchCounts;
  readonly modelVersions: readonly string[];
  /** The first refused rows (at most 100). */
  readonly errors: readonly RowProblem[];
  readonly createdAt: string;
  readonly failedReason?: string;
}

/** GET batches/{id}/summary (409 until completed); bin i of the histogram covers [i * binWidth, (i + 1) * binWidth), the last includes 1. */
export type { GroupSummary as SegmentSummary, BatchSummary } from '@peerloan/contracts/api-answers';
/** GET batches/{id}/rows?offset&limit: riskiest first. */
export type { RankedAnswer as RankedRow, RankedPage as RowsPage } from '@peerloan/contracts/api-answers';

export interface IntervalAnswer {
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

export interface VersionEntry {
  readonly version: string;
  readonly role: 'live' | 'candidate' | 'shadow';
  readonly trafficPercent: number;
  /** False while the server has not loaded this version yet: then its figures below are absent. */
  readonly loaded: boolean;
  readonly created?: string;
  readonly threshold?: { readonly value: number; readonly policy: string; readonly target: number };
  readonly metrics?: { readonly rocAuc: number; readonly prAuc: number; readonly brier: number };
  readonly outOfTime?: { readonly rocAuc: IntervalAnswer };
}

export interface HistoryEntry {
  readonly version: string;
  readonly created?: string;
  readonly verdict?: string;
  readonly reason?: string;
  readonly at?: string;
  readonly rocAuc?: number;
  /** The reviewer's decision behind the verdict (spec.rollout.approval required). */
  readonly approval?: ApprovalRecord;
}

export type { AwaitingApprovalAnswer };

/** GET versions. */
export interface VersionsAnswer {
  readonly versions: readonly VersionEntry[];
  readonly history: readonly HistoryEntry[];
  /** A candidate that passed the gate and serves nobody until a reviewer decides; absent when none waits. */
  readonly awaitingApproval?: AwaitingApprovalAnswer;
}

/** GET drift: oldest window first; the threshold is null before the first window. */
export type { DriftWindow, Drift as DriftAnswer } from '@peerloan/contracts/api-answers';
