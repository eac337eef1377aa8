/** LoanRiskModel status: what the operator observed, and the models it tried. */
import { Type, type Static } from 'typebox';
import { ConditionSchema } from '../conditions.js';
import { ROLLOUT_STRATEGIES } from '../rollout.js';
import { SHA256_HEX_PATTERN } from '../period-listing.js';
import { int32, int64, interval, number, oneOf, text, time } from '../schema/fields.js';
import { APPROVAL_DECISIONS, HISTORY_LIMIT, PHASES, ROLLOUT_PHASES } from './names.js';
import { ROLLOUT_CHECK_NAMES } from './spec-rollout.js';

const INT32_MAX = 2147483647;

export const ModelMetricsSchema = Type.Object(
  {
    rocAuc: number('Mean ROC AUC over the folds.', 0, 1),
    prAuc: Type.Optional(number('Mean precision-recall AUC over the folds.', 0, 1)),
    brier: Type.Optional(number('Mean Brier score (lower is better).', 0, 1)),
  },
  { description: 'Cross-validated metrics reported by the trainer.' },
);
export type ModelMetrics = Static<typeof ModelMetricsSchema>;

/** What the trainer measured on dataset.validationPath (the summary's outOfTime). */
export const OutOfTimeRecordSchema = Type.Object(
  {
    rows: int32('Rows of the later period scored.', 0, INT32_MAX),
    rocAuc: interval('ROC AUC on the later period with its 95% bootstrap interval.', 'ROC AUC', 0, 1),
    expectedCalibrationError: number('Mean |predicted - observed late rate| over 10 equal-count score bins.', 0, 1),
  },
  { description: 'Measured on dataset.validationPath, a later period (absent without one).' },
);
export type OutOfTimeRecord = Static<typeof OutOfTimeRecordSchema>;

/** The candidate against the live model on the later period's rows (the summary's comparison). */
export const ComparisonRecordSchema = Type.Object(
  {
    baselineVersion: text('Live version compared with.'),
    rows: int32('Later-period rows both models scored.', 0, INT32_MAX),
    difference: interval('Candidate minus live ROC AUC with its paired 95% bootstrap interval.', 'Difference', -1, 1),
  },
  {
    description:
      'Against the live model on the same rows of the later period (dataset.validationPath, or the newest file of a folder of periods): the training Job scored both (--baseline-model). qualityGate.maxRegression reads its difference.',
  },
);
export type ComparisonRecord = Static<typeof ComparisonRecordSchema>;

/** A trained model as the status records it; the trainer's summary carries all of it but the Job. */
export const modelRecordFields = {
  version: text('Content-derived model version (the artifact folder name).'),
  metrics: ModelMetricsSchema,
  outOfTime: Type.Optional(OutOfTimeRecordSchema),
  /** Present when the training Job was given the live version (--baseline-model). */
  comparison: Type.Optional(ComparisonRecordSchema),
  threshold: Type.Optional(number('Decision threshold chosen by the decision policy.', 0, 1)),
  rows: Type.Optional(int32('Training rows used.', 0, INT32_MAX)),
};

const modelRecord = (description: string) =>
  Type.Object(
    { ...modelRecordFields, job: Type.Optional(text('Training Job that produced this model.')) },
    { description },
  );
export type ModelRecord = Static<ReturnType<typeof modelRecord>>;

/** A reviewer's decision on a candidate (spec.rollout.approval required), as the operator recorded it. */
export const ApprovalRecordSchema = Type.Object(
  {
    decision: oneOf(APPROVAL_DECISIONS, 'approve or reject.'),
    user: text('The approver as the API server authenticated them (admission checked spec.approver against it).'),
    time: time('When the API server stored the LoanRiskModelApproval (its creationTimestamp).'),
    object: text('Name of the LoanRiskModelApproval.'),
    note: Type.Optional(text("The reviewer's note (spec.evidence).")),
    evidence: text(
      'What the reviewer was shown, from the status: gate metrics, out-of-time interval, paired difference.',
    ),
  },
  { description: 'A LoanRiskModelApproval the operator acted on.' },
);
export type ApprovalRecord = Static<typeof ApprovalRecordSchema>;

export const HistoryEntrySchema = Type.Object(
  {
    version: text('Candidate version.'),
    rocAuc: number('Its ROC AUC.', 0, 1),
    outcome: oneOf(
      ['Accepted', 'Rejected'],
      'Accepted or Rejected (by the quality gate, or by a rollout that rolled it back).',
    ),
    time: time('When it was decided.'),
    reason: Type.Optional(
      text('Why, e.g. QualityGateRejected, Approved, ApprovalRejected, RolloutCheckFailed, RolloutPodsNotReady.'),
    ),
    message: Type.Optional(text('Human-readable explanation.')),
    approval: Type.Optional(ApprovalRecordSchema),
  },
  { description: 'One gate decision.' },
);
export type HistoryEntry = Static<typeof HistoryEntrySchema>;

export const RolloutCheckResultSchema = Type.Object(
  {
    name: oneOf(ROLLOUT_CHECK_NAMES, 'The spec.rollout.checks field.'),
    value: Type.Optional(Type.Number({ description: 'Measured over the step; absent when it cannot be.' })),
    limit: Type.Number({ description: 'The limit from spec.rollout.checks.' }),
    result: oneOf(
      ['Pass', 'Fail', 'Waiting', 'NotApplicable'],
      'Pass, Fail, Waiting (fewer than minSamples candidate rows) or NotApplicable.',
    ),
  },
  { description: 'One check.' },
);
export type RolloutCheckResult = Static<typeof RolloutCheckResultSchema>;

export const RolloutStatusSchema = Type.Object(
  {
    version: text('Candidate version this rollout tries (or tried).'),
    strategy: oneOf(ROLLOUT_STRATEGIES, "Strategy it runs with (the spec's when it began)."),
    phase: oneOf(
      ROLLOUT_PHASES,
      'AwaitingApproval (serving nobody), Shadow or Canary while in progress; Promoted, RolledBack, Withdrawn (a pin, or a newer candidate) or Rejected (by a reviewer) once over.',
    ),
    step: Type.Optional(int32('Canary: index into spec.rollout.steps of the step being held.', 0, 9)),
    stepStartTime: time("When the step's pod template was applied."),
    bakeStartTime: Type.Optional(
      time("When the step's pods were ready and their counters first read: the bake counts from here."),
    ),
    message: Type.Optional(text('What the step waits for, or how the rollout ended.')),
    checks: Type.Optional(
      Type.Array(RolloutCheckResultSchema, {
        description: 'Last evaluation of spec.rollout.checks over the step.',
        maxItems: ROLLOUT_CHECK_NAMES.length,
      }),
    ),
  },
  { description: 'The last progressive rollout (spec.rollout): where it is, or how it ended.' },
);
export type RolloutStatus = Static<typeof RolloutStatusSchema>;

/** spec.training.watchInterval: the dataset as the newest listing Job saw it, and the runs its changes started. */
export const DataWatchStatusSchema = Type.Object(
  {
    dataset: text('spec.dataset claimName/path the listing is of; a new one starts a new baseline.'),
    fingerprint: Type.Optional(
      text("sha256 of the period files' names, sizes and modification times at the last successful listing.", {
        pattern: SHA256_HEX_PATTERN,
      }),
    ),
    files: Type.Optional(int32('Period files at the last successful listing.', 0, INT32_MAX)),
    newest: Type.Optional(text('The newest period file by name at the last successful listing.')),
    listedTime: time('The interval (its start) of the newest finished listing Job.'),
    changes: int32(
      'Data changes that started a training run: part of the training Job name, like retrains.',
      0,
      INT32_MAX,
    ),
    lastChangeTime: Type.Optional(time('When the last data change started a training run.')),
    message: Type.Optional(text('Why the newest listing Job failed; absent after a successful one.')),
  },
  {
    description:
      'spec.training.watchInterval: the dataset as the newest listing Job saw it, and the training runs its changes started.',
  },
);
export type DataWatchStatus = Static<typeof DataWatchStatusSchema>;

export const LoanRiskModelStatusSchema = Type.Object(
  {
    phase: Type.Optional(oneOf(PHASES, `${PHASES.join(', ')}. Shadow and Canary: a candidate is being tried.`)),
    observedGeneration: Type.Optional(int64('metadata.generation the status was computed from.')),
    liveVersion: Type.Optional(
      text(
        'Version that answers live traffic (all of it but the canary share); it changes only when a candidate is promoted. A valid pinnedVersion is served instead.',
      ),
    ),
    previousVersion: Type.Optional(text('The live version before the last promotion: the last good one.')),
    pinnedVersion: Type.Optional(
      text('spec.pinnedVersion once validated: the version served instead of the live one.'),
    ),
    candidateVersion: Type.Optional(text('Version being tried (shadow or canary); absent when none is.')),
    candidateTrafficPercent: Type.Optional(
      int32("The candidate's share of live answers, percent (0 in shadow and without a candidate).", 0, 100),
    ),
    live: Type.Optional(modelRecord('The live model.')),
    candidate: Type.Optional(modelRecord('The candidate being tried.')),
    rollout: Type.Optional(RolloutStatusSchema),
    trainingJob: Type.Optional(text('Name of the current training Job.')),
    readyReplicas: Type.Optional(
      Type.Integer({ format: 'int32', description: 'Available replicas of the API Deployment.' }),
    ),
    retrains: Type.Optional(
      Type.Integer({
        format: 'int32',
        minimum: 0,
        description: 'Training runs started because the model drifted (drift.action retrain).',
      }),
    ),
    lastRetrainTime: Type.Optional(time('When the last drift-triggered training run started.')),
    lastScheduledTime: Type.Optional(
      time('The last due time of spec.training.schedule that started a training run (part of its Job name).'),
    ),
    dataWatch: Type.Optional(DataWatchStatusSchema),
    history: Type.Optional(
      Type.Array(HistoryEntrySchema, {
        description: `Last ${HISTORY_LIMIT} gate decisions, newest first.`,
        maxItems: HISTORY_LIMIT,
      }),
    ),
    conditions: Type.Optional(
      Type.Array(ConditionSchema, {
        description: 'Trained, Ready, Degraded, Drifted and Pinned conditions.',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      }),
    ),
  },
  { description: 'Observed state, rebuilt by the operator from the Job, Pod and Deployment it owns.' },
);
export type LoanRiskModelStatus = Static<typeof LoanRiskModelStatusSchema>;

/**
 * The version a LoanRiskModel's servers run, as its status records it: a pin the operator
 * validated (`status.pinnedVersion`, a rollback) over the live version its quality gate accepted.
 * `spec.pinnedVersion` alone is only a request: a refused pin leaves the status, and so what
 * serves, unchanged. The operator deploys this version and the workers load it; no server
 * follows the models folder's `current` file, which the trainer moves for rejected candidates too.
 */
export function servedVersion(
  status: Pick<LoanRiskModelStatus, 'pinnedVersion' | 'liveVersion'> | undefined,
): string | undefined {
  return status?.pinnedVersion ?? status?.liveVersion;
}

/** A candidate that passed the quality gate and serves nobody until a reviewer decides (spec.rollout.approval required). */
export interface AwaitingApproval {
  readonly version: string;
  /** When it began to wait (status.rollout.stepStartTime). */
  readonly since: string;
}

/**
 * The candidate waiting for a LoanRiskModelApproval, as `npx loanrisk-models approve` finds it:
 * status.rollout in phase AwaitingApproval naming status.candidateVersion. Undefined when none waits.
 */
export function awaitingApproval(
  status: Pick<LoanRiskModelStatus, 'rollout' | 'candidateVersion'> | undefined,
): AwaitingApproval | undefined {
  const rollout = status?.rollout;
  if (rollout?.phase !== 'AwaitingApproval' || status?.candidateVersion !== rollout.version) return undefined;
  return { version: rollout.version, since: rollout.stepStartTime };
}
