/** LoanRiskModel spec: the quality gate, decision policy and drift here, the rest by section beside it. */
import { Type, type Static } from 'typebox';
import { DECISION_POLICY_DEFAULTS, DRIFT_DEFAULTS, QUALITY_GATE_DEFAULTS } from '../crd-defaults.js';
import { DURATION_PATTERN } from '../duration.js';
import { THRESHOLD_POLICIES } from '../manifest.js';
import { flag, number, oneOf, openUnit, text, VERSION_PATTERN } from '../schema/fields.js';
import { RolloutSpecSchema } from './spec-rollout.js';
import { ServingSpecSchema } from './spec-serving.js';
import { DatasetSpecSchema, TrainingSpecSchema } from './spec-training.js';

export const QualityGateSpecSchema = Type.Object(
  {
    minRocAuc: Type.Optional(
      number('Lowest acceptable cross-validated ROC AUC.', 0.5, 1, { default: QUALITY_GATE_DEFAULTS.minRocAuc }),
    ),
    maxRegression: Type.Optional(
      number(
        "Largest ROC AUC drop allowed against the live model. Paired when there is a later period (dataset.validationPath, or the newest file of a folder of periods as dataset.path) and the live version's folder is there: the training Job scores both on that period's rows (status.candidate.comparison) and the candidate is refused when its AUC minus the live one is below -maxRegression. Without that comparison, the two cross-validated AUCs are compared.",
        0,
        1,
        { default: QUALITY_GATE_DEFAULTS.maxRegression },
      ),
    ),
    minOutOfTimeRocAuc: Type.Optional(
      number(
        'Lowest acceptable ROC AUC on the later period, dataset.validationPath or the newest file of a folder of periods (the point estimate; the status shows its interval). Off unless set; when set, a candidate trained without a later period is refused.',
        0.5,
        1,
      ),
    ),
    maxCalibrationError: Type.Optional(
      number(
        "Largest acceptable expected calibration error on the later period (dataset.validationPath or a folder of periods' newest file): mean |predicted - observed late rate| over 10 equal-count score bins, e.g. 0.01. Off unless set; when set, a candidate trained without a later period is refused.",
        0,
        1,
      ),
    ),
  },
  { description: 'When a newly trained candidate replaces the live model.', default: {} },
);
export type QualityGateSpec = Static<typeof QualityGateSpecSchema>;

export const DecisionPolicySpecSchema = Type.Object(
  {
    policy: Type.Optional(
      oneOf(
        THRESHOLD_POLICIES,
        'fixed: use value as the threshold; target-recall: catch value of the late loans; max-flag-rate: flag at most value of all loans.',
        { default: DECISION_POLICY_DEFAULTS.policy },
      ),
    ),
    value: Type.Optional(
      openUnit('Threshold, recall or flag rate, depending on policy; strictly between 0 and 1.', {
        default: DECISION_POLICY_DEFAULTS.value,
      }),
    ),
  },
  { description: 'How the trainer picks the decision threshold.', default: {} },
);
/** Both fields are defaulted by the API server; the code fills them from DECISION_POLICY_DEFAULTS otherwise. */
export type DecisionPolicySpec = Static<typeof DecisionPolicySpecSchema>;

/** What a drift breach does: alert (a condition and an Event), or retrain as well. */
export const DRIFT_ACTIONS = ['alert', 'retrain'] as const;

export const DriftSpecSchema = Type.Object(
  {
    threshold: Type.Optional(
      number('PSI above which the model counts as drifted.', 0, 10, { default: DRIFT_DEFAULTS.threshold }),
    ),
    window: Type.Optional(
      text('Aggregation window of logged predictions, e.g. 1h.', {
        default: DRIFT_DEFAULTS.window,
        pattern: DURATION_PATTERN,
      }),
    ),
    action: Type.Optional(
      oneOf(DRIFT_ACTIONS, 'alert: set the Drifted condition and an Event; retrain: also start a new training run.', {
        default: DRIFT_DEFAULTS.action,
      }),
    ),
    cooldown: Type.Optional(
      text('Shortest time between drift-triggered retrains, e.g. 6h.', {
        default: DRIFT_DEFAULTS.cooldown,
        pattern: DURATION_PATTERN,
      }),
    ),
  },
  {
    description: 'Drift monitoring of the live model (PSI per feature and of the score against the training baseline).',
    default: {},
  },
);
export type DriftSpec = Static<typeof DriftSpecSchema>;

export const LoanRiskModelSpecSchema = Type.Object(
  {
    dataset: DatasetSpecSchema,
    training: TrainingSpecSchema,
    qualityGate: Type.Optional(QualityGateSpecSchema),
    decisionPolicy: Type.Optional(DecisionPolicySpecSchema),
    serving: ServingSpecSchema,
    drift: Type.Optional(DriftSpecSchema),
    rollout: Type.Optional(RolloutSpecSchema),
    pinnedVersion: Type.Optional(
      text(
        'Serve this version instead of the live one (a manual rollback); a rollout in progress is withdrawn. It must have passed the quality gate once (the live or previous version, or an Accepted entry in status.history); another version is refused (condition Pinned False) and nothing changes.',
        { pattern: VERSION_PATTERN, maxLength: 63 },
      ),
    ),
    paused: Type.Optional(
      flag('Stop acting on this resource: no training, no rollout, status says Paused.', { default: false }),
    ),
  },
  {
    description: 'Desired state: where the data is, how to train, when to accept a model and how to serve it.',
  },
);
export type LoanRiskModelSpec = Static<typeof LoanRiskModelSpecSchema>;
