/**
 * The LoanRiskModel custom resource as TypeScript sees it: names, the spec and status types, and
 * the constants both the schema (crd-schema.ts) and the code read. A test walks these types
 * against the schema, so the two cannot drift apart.
 */
import type { Condition } from './conditions.js';
import type { Interval, ThresholdPolicy } from './manifest.js';
import { AUTH_ENV, RATE_LIMIT_ENV } from './api-security.js';
import { ROLLOUT_ENV, type RolloutChecks, type RolloutSpec, type RolloutStrategy } from './rollout.js';

export const CRD_GROUP = 'risk.peerloan.io';
export const CRD_VERSION = 'v1alpha1';
export const CRD_KIND = 'LoanRiskModel';
export const CRD_PLURAL = 'loanriskmodels';
export const CRD_SINGULAR = 'loanriskmodel';
export const CRD_SHORT_NAMES = ['lrm'] as const;
export const CRD_CATEGORIES = ['peerloan', 'ml'] as const;
export const CRD_API_VERSION = `${CRD_GROUP}/${CRD_VERSION}`;
/** Pod-template annotation on the served Deployment naming the live model version. */
export const MODEL_VERSION_ANNOTATION = `${CRD_GROUP}/model-version`;

export const PHASES = [
  'Pending',
  'Training',
  'Gating',
  'Shadow',
  'Canary',
  'RollingOut',
  'Ready',
  'Failed',
  'Paused',
] as const;
export type Phase = (typeof PHASES)[number];
/** Shadow and Canary: a candidate is being tried; Promoted, RolledBack and Withdrawn: how the last try ended. */
export const ROLLOUT_PHASES = ['Shadow', 'Canary', 'Promoted', 'RolledBack', 'Withdrawn'] as const;
export type RolloutPhase = (typeof ROLLOUT_PHASES)[number];
/** The checks of spec.rollout.checks, by name, as the status reports them. */
export const ROLLOUT_CHECK_NAMES = [
  'minSamples',
  'maxErrorRate',
  'maxP99LatencyRatio',
  'maxScorePsi',
  'minDecisionAgreement',
] as const satisfies ReadonlyArray<keyof RolloutChecks>;
export type RolloutCheckName = (typeof ROLLOUT_CHECK_NAMES)[number];
/** Environment names of the API container that only the operator sets. */
export const OPERATOR_ENV_NAMES = [
  'MODEL_DIR',
  'PORT',
  ...Object.values(ROLLOUT_ENV),
  ...Object.values(AUTH_ENV),
  ...Object.values(RATE_LIMIT_ENV),
] as const;

export type Quantity = string | number;
export interface ResourceRequirements {
  requests?: Record<string, Quantity>;
  limits?: Record<string, Quantity>;
}

export interface DatasetSpec {
  /** PersistentVolumeClaim holding the training CSV and the model artifacts. */
  claimName: string;
  /** CSV path inside the claim. */
  path: string;
  /** A later period's labelled CSV inside the claim: the trained model is scored on it (out-of-time validation). */
  validationPath?: string;
  /** Folder inside the claim where the trainer writes `<version>/` and the API reads it. */
  modelsSubPath?: string;
}

/** A monotone direction: 1 the late probability never falls as the value rises, -1 never rises, 0 free. */
export type MonotoneDirection = -1 | 0 | 1;

/** The features a direction can be given to (numbers, and grade and emp_length by rank). */
export interface MonotoneSpec {
  loan_amnt?: MonotoneDirection;
  int_rate?: MonotoneDirection;
  grade?: MonotoneDirection;
  annual_inc?: MonotoneDirection;
  revol_util?: MonotoneDirection;
  emp_length?: MonotoneDirection;
  dti?: MonotoneDirection;
  delinq_2yrs?: MonotoneDirection;
}

export interface TrainingOverrides {
  monotone?: MonotoneSpec;
  maxRounds?: number;
  earlyStoppingRounds?: number;
  imbalance?: Array<'none' | 'scale_pos_weight' | 'smote'>;
  maxBadRowShare?: number;
  /** Prior-shift correction: the late rate the mean predicted probability is moved to. */
  expectedLateRate?: number;
  /** Seeds the chosen settings are cross-validated under for the stability measure (1 = off). */
  stabilitySeeds?: number;
  grid?: {
    max_depth?: number[];
    eta?: number[];
    min_child_weight?: number[];
    subsample?: number[];
    colsample_bytree?: number[];
  };
}

export interface TrainingSpec {
  image: string;
  resources?: ResourceRequirements;
  folds?: number;
  seed?: number;
  config?: TrainingOverrides;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
}

export interface QualityGateSpec {
  minRocAuc?: number;
  maxRegression?: number;
  /** Off unless set; needs dataset.validationPath. */
  minOutOfTimeRocAuc?: number;
  /** Off unless set; needs dataset.validationPath. */
  maxCalibrationError?: number;
}

export type DecisionPolicySpec = { -readonly [K in keyof ThresholdPolicy]: ThresholdPolicy[K] };

export interface IngressSpec {
  enabled?: boolean;
  host?: string;
  path?: string;
  className?: string;
  tls?: { secretName: string };
}

/** A literal value, or a key of a Secret in the model's namespace (e.g. the Redis password). */
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef: { name: string; key: string } };
}

/** Bearer JWTs from an OIDC issuer (the API's AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE). */
export interface JwtAuthSpec {
  jwksUrl: string;
  issuer: string;
  audience: string;
}

/** Who may call the scoring and batch routes; absent (or empty): anyone who reaches the API. */
export interface ServingAuthSpec {
  jwt?: JwtAuthSpec;
  /** A Secret in the model's namespace whose `key` holds the API keys file (hashes, clients, scopes). */
  apiKeysSecret?: { name: string; key?: string };
}

/** Per-client budgets, counted in the REDIS_URL of serving.env; absent: no limits. */
export interface RateLimitSpec {
  requests?: number;
  rows?: number;
  windowSeconds?: number;
}

export interface ServingSpec {
  image: string;
  /** Extra environment of the API container, e.g. REDIS_URL; OPERATOR_ENV_NAMES and HOST are the operator's. */
  env?: EnvVar[];
  minReplicas?: number;
  maxReplicas?: number;
  targetCPUUtilization?: number;
  resources?: ResourceRequirements;
  ingress?: IngressSpec;
  auth?: ServingAuthSpec;
  rateLimit?: RateLimitSpec;
}

export interface DriftSpec {
  threshold?: number;
  window?: string;
  action?: 'alert' | 'retrain';
  cooldown?: string;
}

export interface LoanRiskModelSpec {
  dataset: DatasetSpec;
  training: TrainingSpec;
  qualityGate?: QualityGateSpec;
  decisionPolicy?: DecisionPolicySpec;
  serving: ServingSpec;
  drift?: DriftSpec;
  rollout?: RolloutSpec;
  pinnedVersion?: string;
  paused?: boolean;
}

export interface ModelMetrics {
  rocAuc: number;
  prAuc?: number;
  brier?: number;
}

/** What the trainer measured on dataset.validationPath (the summary's outOfTime). */
export interface OutOfTimeRecord {
  rows: number;
  rocAuc: Interval;
  /** Expected calibration error of the served probabilities on the later period. */
  expectedCalibrationError: number;
}

/** The candidate against the live model on the later period's rows (the summary's comparison). */
export interface ComparisonRecord {
  baselineVersion: string;
  rows: number;
  /** Candidate minus live ROC AUC, with its paired 95% bootstrap interval. */
  difference: Interval;
}

export interface ModelRecord {
  version: string;
  metrics: ModelMetrics;
  outOfTime?: OutOfTimeRecord;
  /** Present when the training Job was given the live version (--baseline-model). */
  comparison?: ComparisonRecord;
  threshold?: number;
  rows?: number;
  /** Training Job that produced it. */
  job?: string;
}

export interface HistoryEntry {
  version: string;
  rocAuc: number;
  outcome: 'Accepted' | 'Rejected';
  time: string;
  /** Why (CamelCase), e.g. QualityGateRejected or RolloutCheckFailed. */
  reason?: string;
  message?: string;
}

export interface RolloutCheckResult {
  name: RolloutCheckName;
  /** What was measured over the step; absent when it cannot be (e.g. no live answers at 100 %). */
  value?: number;
  limit: number;
  result: 'Pass' | 'Fail' | 'Waiting' | 'NotApplicable';
}

export interface RolloutStatus {
  /** The candidate this rollout tries (or tried). */
  version: string;
  strategy: RolloutStrategy;
  phase: RolloutPhase;
  /** Canary: index into spec.rollout.steps of the step being held. */
  step?: number;
  /** When the step's pod template was applied; its pods must be ready within readyDeadlineSeconds. */
  stepStartTime: string;
  /** When the step's counters were first read with its pods ready: the bake counts from here. */
  bakeStartTime?: string;
  /** What the step waits for, or how the rollout ended. */
  message?: string;
  checks?: RolloutCheckResult[];
}

export interface LoanRiskModelStatus {
  phase?: Phase;
  observedGeneration?: number;
  liveVersion?: string;
  /** The live version before the last promotion: the last good one. */
  previousVersion?: string;
  /** A valid spec.pinnedVersion, served instead of the live version. */
  pinnedVersion?: string;
  /** The version being tried (shadow or canary); absent when none is. */
  candidateVersion?: string;
  /** The candidate's share of live answers, percent (0 in shadow and without a candidate). */
  candidateTrafficPercent?: number;
  live?: ModelRecord;
  candidate?: ModelRecord;
  rollout?: RolloutStatus;
  trainingJob?: string;
  readyReplicas?: number;
  /** Training runs started because the model drifted (drift.action retrain); part of the Job name. */
  retrains?: number;
  lastRetrainTime?: string;
  history?: HistoryEntry[];
  conditions?: Condition[];
}

export interface LoanRiskModel {
  apiVersion: typeof CRD_API_VERSION;
  kind: typeof CRD_KIND;
  metadata: {
    name?: string;
    namespace?: string;
    uid?: string;
    generation?: number;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string | Date;
  };
  spec: LoanRiskModelSpec;
  status?: LoanRiskModelStatus;
}

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

export const HISTORY_LIMIT = 10;
