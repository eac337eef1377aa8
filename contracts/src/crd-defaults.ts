/**
 * Defaults and bounds of the LoanRiskModel spec, declared once: the CRD schema writes them into
 * the generated manifest (so the API server fills them in), and the operator, the drift worker and
 * the trainer read the same constants for a field that is not set (an object the API server did
 * not default, a trainer run outside the cluster).
 */

/** spec.dataset: where the trainer writes `<version>/` and the API reads it. */
export const DATASET_DEFAULTS = { modelsSubPath: 'models' } as const;

/** spec.training: the cross-validation and the training Job. */
export const TRAINING_DEFAULTS = {
  folds: 5,
  seed: 42,
  backoffLimit: 1,
  // A stuck run would otherwise hold the model at Training forever.
  activeDeadlineSeconds: 3600,
} as const;

/** Ranges of the training settings: the CRD schema and the trainer's --config schema both check them. */
export const TRAINING_BOUNDS = {
  folds: { minimum: 2, maximum: 20 },
  seed: { minimum: 0, maximum: 2147483647 },
  maxRounds: { minimum: 1, maximum: 10000 },
  earlyStoppingRounds: { minimum: 1, maximum: 1000 },
  maxBadRowShare: { minimum: 0, maximum: 1 },
  stabilitySeeds: { minimum: 1, maximum: 20 },
  grid: {
    max_depth: { minimum: 1, maximum: 16 },
    eta: { minimum: 0.001, maximum: 1 },
    min_child_weight: { minimum: 0, maximum: 1000 },
    subsample: { minimum: 0.1, maximum: 1 },
    colsample_bytree: { minimum: 0.1, maximum: 1 },
  },
} as const;

/** spec.qualityGate: the out-of-time limits have no default (off unless set). */
export const QUALITY_GATE_DEFAULTS = { minRocAuc: 0.7, maxRegression: 0.01 } as const;

/** spec.decisionPolicy: also the trainer's threshold policy when its config names none. */
export const DECISION_POLICY_DEFAULTS = { policy: 'target-recall', value: 0.5 } as const;

/** API container resources when `spec.serving.resources` is absent (the HPA needs a CPU request). */
export const DEFAULT_API_RESOURCES = {
  requests: { cpu: '250m', memory: '256Mi' },
  limits: { memory: '512Mi' },
} as const;

/** spec.serving: the HPA's bounds and target, and the API container's resources. */
export const SERVING_DEFAULTS = {
  minReplicas: 2,
  maxReplicas: 5,
  targetCPUUtilization: 70,
  resources: DEFAULT_API_RESOURCES,
} as const;

/** spec.serving.rateLimit: the budgets' window when the spec names none. */
export const RATE_LIMIT_DEFAULTS = { windowSeconds: 60 } as const;

/** spec.serving.ingress. */
export const INGRESS_DEFAULTS = { enabled: false, path: '/' } as const;

/** spec.drift's defaults: the schema's, and what its readers assume for a field not set. */
export const DRIFT_DEFAULTS = {
  threshold: 0.2,
  window: '1h',
  action: 'alert',
  cooldown: '6h',
} as const;
