/**
 * The artifact contract: `<out>/<version>/{model.onnx, manifest.json, report.html}`.
 * The trainer writes these types; the API, the drift worker and the operator read them.
 */

export const ARTIFACT_FILES = {
  model: 'model.onnx',
  manifest: 'manifest.json',
  report: 'report.html',
} as const;

/**
 * Beside the contract's three files: the trees in XGBoost's own JSON format, for Python peers
 * (MLServer's XGBoost runtime, xgboost.Booster().load_model) to serve the same model.
 */
export const XGBOOST_MODEL_FILE = 'xgboost-model.json';

/** Beside the contract's three files in every version folder: the model card (`ModelCard`). */
export const MODEL_CARD_FILE = 'model-card.json';

/** File in a models root naming the version folder to serve (written last, by rename). */
export const CURRENT_POINTER = 'current';

/** Name of the calibrated output of model.onnx: P(is_late = 1). */
export const PROBABILITY_OUTPUT = 'probability';
/** XGBoost's own (uncalibrated) probability, kept for the parity check and diagnostics. */
export const RAW_PROBABILITY_OUTPUT = 'raw_probability';

/**
 * How the decision threshold is chosen: fixed (value is the threshold), target-recall (catch value
 * of the late loans) or max-flag-rate (flag at most value of all loans).
 */
export const THRESHOLD_POLICIES = ['fixed', 'target-recall', 'max-flag-rate'] as const;
export type ThresholdPolicyName = (typeof THRESHOLD_POLICIES)[number];
export interface ThresholdPolicy {
  readonly policy: ThresholdPolicyName;
  readonly value: number;
}

/** Class-imbalance strategies the model search tries (SMOTE on the training folds only). */
export const IMBALANCE_STRATEGIES = ['none', 'scale_pos_weight', 'smote'] as const;
export type ImbalanceStrategy = (typeof IMBALANCE_STRATEGIES)[number];

export type MetricName = 'rocAuc' | 'prAuc' | 'brier' | 'logLoss';

/** A measured value with its 95% interval (stratified, seeded bootstrap: percentiles 2.5 and 97.5). */
export interface Interval {
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

/**
 * The candidate against the live model on the later period's rows (loanrisk-train
 * --baseline-model with --validation-data, or with a folder of periods: its newest file): both
 * scored on loans neither trained on, the ROC AUC difference (candidate - live) with a paired,
 * stratified bootstrap interval.
 */
export interface BaselineComparison {
  readonly baselineVersion: string;
  /** The file whose rows both were scored on: the --validation-data CSV or the folder's newest period. */
  readonly file?: string;
  readonly rows: number;
  readonly candidateRocAuc: number;
  readonly liveRocAuc: number;
  readonly difference: Interval;
}

/** A prior-shift correction (training config expectedLateRate). */
export interface PriorShift {
  /** The late rate the mean predicted probability was moved to. */
  readonly expectedLateRate: number;
  /** The training period's observed late rate, the mean before the move. */
  readonly trainingLateRate: number;
  /** Added to the fitted Platt intercept (log-odds). */
  readonly interceptShift: number;
}

/**
 * The chosen candidate cross-validated again under other seeds (training config stabilitySeeds;
 * the first seed is the run's own). Decisions are out-of-fold scores against each run's own
 * threshold by the same policy.
 */
export interface ReseedingStability {
  readonly seeds: readonly number[];
  /** CV ROC AUC (fold mean) per seed, in the order of `seeds`. */
  readonly rocAuc: readonly number[];
  readonly rocAucSpread: { readonly mean: number; readonly std: number; readonly min: number; readonly max: number };
  /** Per seed: share of the training loans whose decision differs from the first seed's (0 for the first). */
  readonly flipShare: readonly number[];
  /** Share of loans whose decision differs from the first seed's under at least one other seed. */
  readonly anyFlipShare: number;
  /** Share the first seed flags, for scale. */
  readonly flaggedByDefaultShare: number;
}

export interface MetricSummary {
  /** Mean over the folds, and their spread. */
  readonly mean: number;
  readonly std: number;
  readonly folds: readonly number[];
  /** The metric on all out-of-fold scores pooled, with its bootstrap interval. */
  readonly pooled?: Interval;
}

/** How far scores are from observed late rates on a set of loans. */
export interface CalibrationCheck {
  /** Mean predicted probability and observed late share. */
  readonly meanPredicted: number;
  readonly observedRate: number;
  /** Logistic recalibration on the model's log-odds: slope 1 and intercept 0 are perfect. */
  readonly slope: number;
  readonly intercept: number;
  /** Expected calibration error: mean |predicted - observed| over 10 equal-count score bins, weighted by size. */
  readonly expectedCalibrationError: number;
}

/** The chosen model scored on a later, labelled period (loanrisk-train --validation-data). */
export interface OutOfTimeMetrics {
  readonly rows: number;
  readonly positives: number;
  readonly sha256: string;
  readonly rocAuc: Interval;
  readonly prAuc: Interval;
  readonly brier: Interval;
  readonly calibration: CalibrationCheck;
  /** At the manifest's threshold. */
  readonly atThreshold: { readonly precision: Interval; readonly recall: Interval; readonly flagRate: number };
  /** Population stability index of each feature (and `score`) between the training rows and the later period. */
  readonly psi: Readonly<Record<string, number>>;
  readonly bootstrap: { readonly resamples: number; readonly seed: number };
}

/** Share of rows per bin; drift monitoring compares a live window against these. */
export type Histogram =
  | {
      readonly kind: 'numeric';
      /** Inner bin edges; bin i holds edges[i-1] <= x < edges[i], open at both ends. */
      readonly edges: readonly number[];
      readonly shares: readonly number[];
      readonly missingShare: number;
    }
  | {
      readonly kind: 'categorical';
      readonly categories: readonly string[];
      readonly shares: readonly number[];
      /** Share of values outside `categories`. */
      readonly otherShare: number;
      readonly missingShare: number;
    };

export interface ManifestFeature {
  readonly name: string;
  readonly kind: 'numeric' | 'categorical';
  readonly nullable: boolean;
  /** Numeric: range seen in training. */
  readonly min?: number;
  readonly max?: number;
  /** Categorical: the categories seen in training, in one-hot order. */
  readonly categories?: readonly string[];
  /** Typical value (median or most frequent): the reference for "why" explanations. */
  readonly reference: number | string | null;
  readonly missingShare: number;
}

export interface ThresholdChoice {
  readonly policy: ThresholdPolicy;
  readonly value: number;
  /** Measured on out-of-fold calibrated scores. */
  readonly precision: number;
  readonly recall: number;
  readonly flagRate: number;
}

export interface SearchCandidate {
  readonly strategy: ImbalanceStrategy;
  readonly params: Readonly<Record<string, number>>;
  readonly rocAuc: MetricSummary;
  readonly bestRounds: number;
}

/** One file of a folder of periods (loanrisk-train --data <folder>) and what the run used it for. */
export interface DataPeriod {
  readonly file: string;
  readonly rows: number;
  readonly positives: number;
  readonly sha256: string;
  /** train: searched, calibrated and cross-validated on; validation: the newest, scored out of time. */
  readonly role: 'train' | 'validation';
}

export interface ModelManifest {
  readonly schemaVersion: 1;
  readonly version: string;
  readonly created: string;
  readonly files: typeof ARTIFACT_FILES;
  readonly label: string;
  readonly features: readonly ManifestFeature[];
  /** Columns the graph feeds the tree ensemble, in order (one-hot and ordinal columns expanded). */
  readonly encodedColumns: readonly string[];
  readonly outputs: { readonly probability: string; readonly rawProbability: string };
  readonly threshold: ThresholdChoice;
  /** The calibration the graph applies (after the prior shift, when one was asked for). */
  readonly calibration: {
    readonly method: 'platt';
    readonly slope: number;
    readonly intercept: number;
    /** Present when the config set expectedLateRate: the intercept was moved by `interceptShift` so the mean predicted probability is it. */
    readonly priorShift?: PriorShift;
  };
  readonly metrics: {
    readonly cv: Readonly<Record<MetricName, MetricSummary>>;
    /** Out-of-fold, calibrated, at the chosen threshold. */
    readonly atThreshold: { readonly precision: number; readonly recall: number; readonly flagRate: number };
    /** Out-of-fold, calibrated (optimistic: Platt was fitted on the same scores). */
    readonly calibration?: CalibrationCheck;
  };
  /** Present when the run was given --validation-data. */
  readonly outOfTime?: OutOfTimeMetrics;
  /** Present when stabilitySeeds > 1. */
  readonly stability?: ReseedingStability;
  /** Present when the run was given --baseline-model, had later rows (--validation-data or a folder of two or more periods) and the folder held a model. */
  readonly comparison?: BaselineComparison;
  readonly model: {
    readonly engine: string;
    readonly strategy: ImbalanceStrategy;
    readonly params: Readonly<Record<string, number>>;
    readonly rounds: number;
    readonly folds: number;
    readonly seed: number;
    readonly candidates: readonly SearchCandidate[];
    readonly importance: Readonly<Record<string, number>>;
    /** Monotone constraints the trees obey, by feature: 1 risk never falls as the value rises, -1 never rises. */
    readonly monotone?: Readonly<Record<string, 1 | -1>>;
  };
  /** The rows the published model was fitted on (with a folder of periods: every period). */
  readonly data: {
    readonly rows: number;
    readonly positives: number;
    readonly sha256: string;
    readonly badRows: number;
    readonly badRowReasons: Readonly<Record<string, number>>;
    /** Present when --data named a folder of periods: each file, oldest first, and its role. */
    readonly periods?: readonly DataPeriod[];
    /** Present with periods: the files of the published fit (all of them, the validation period included). */
    readonly finalFit?: { readonly files: readonly string[]; readonly rows: number };
  };
  readonly trainingSeconds: number;
  readonly baseline: {
    readonly features: Readonly<Record<string, Histogram>>;
    readonly score: Histogram;
  };
}
