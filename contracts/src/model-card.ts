/**
 * model-card.json, beside manifest.json in every version folder: what the model is for, what
 * it was trained and checked on, how well it does (with intervals), how it decides and where
 * it should not be trusted. Written by the trainer from the same numbers as the manifest.
 */
import type {
  BaselineComparison,
  CalibrationCheck,
  ImbalanceStrategy,
  Interval,
  ModelManifest,
  ReseedingStability,
  ThresholdPolicy,
} from './manifest.js';

export interface CardMetric {
  /** Cross-validation: mean over the folds and their spread. */
  readonly foldMean: number;
  readonly foldStd: number;
  /** On all out-of-fold scores pooled, with the bootstrap 95% interval. */
  readonly pooled?: Interval;
}

export interface CardDataset {
  /** The CSV's file name: the period it holds is named there (e.g. 2026q3.csv); the rows carry no dates. */
  readonly file: string;
  readonly rows: number;
  readonly positives: number;
  readonly lateRate: number;
  readonly sha256: string;
}

/** The model on the loans of one value of a feature (e.g. grade C). */
export interface SegmentPerformance {
  readonly value: string;
  readonly rows: number;
  readonly late: number;
  readonly lateRate: number;
  readonly meanPredicted: number;
  /** null when the segment holds only one class. */
  readonly rocAuc: number | null;
  /** Of the segment's late loans, the share flagged at the threshold; null without late loans. */
  readonly recall: number | null;
  readonly flagRate: number;
  /** Fewer late loans than the card's minimum (segments.minLate): its AUC and recall say little. */
  readonly tooFewLate: boolean;
}

export interface CardSegments {
  /** Late loans a segment needs before its numbers are read as more than noise. */
  readonly minLate: number;
  /** Out-of-fold scores on the training period, per feature (grade, purpose, home_ownership). */
  readonly crossValidation: Readonly<Record<string, readonly SegmentPerformance[]>>;
  /** The served model on the later period, when the run was given one. */
  readonly outOfTime?: Readonly<Record<string, readonly SegmentPerformance[]>>;
}

export interface ModelCard {
  readonly schemaVersion: 1;
  readonly version: string;
  readonly created: string;
  readonly intendedUse: {
    readonly purpose: string;
    readonly users: readonly string[];
    readonly outOfScope: readonly string[];
  };
  readonly trainedBy: {
    readonly trainer: string;
    readonly engine: string;
    readonly seed: number;
    /** The settings that shaped the model (the version's input). */
    readonly config: unknown;
  };
  readonly model: {
    readonly kind: string;
    readonly strategy: ImbalanceStrategy;
    readonly params: Readonly<Record<string, number>>;
    readonly rounds: number;
    /** What the graph applies to the trees' log-odds, with the prior shift when there was one. */
    readonly calibration: ModelManifest['calibration'];
  };
  readonly data: {
    readonly training: CardDataset & { readonly badRows: number };
    readonly outOfTime?: CardDataset;
    /** With a folder of periods: the published model was refitted on every file, the out-of-time one included. */
    readonly publishedFit?: { readonly files: readonly string[]; readonly rows: number; readonly note: string };
  };
  readonly features: readonly {
    readonly name: string;
    readonly description: string;
    /** The constraint the trees obey: risk rises, falls, or is left free with the value. */
    readonly direction: 'rising' | 'falling' | 'free';
  }[];
  readonly metrics: {
    readonly crossValidation: Readonly<Record<string, CardMetric>>;
    /** Of the out-of-fold scores (optimistic: the calibration was fitted on them). */
    readonly crossValidationCalibration?: CalibrationCheck;
    readonly outOfTime?: {
      readonly rocAuc: Interval;
      readonly prAuc: Interval;
      readonly brier: Interval;
      readonly calibration: CalibrationCheck;
    };
    /** The chosen settings cross-validated under other seeds: CV AUC spread and decisions that flip. */
    readonly stability?: ReseedingStability;
    /** Against the live version (--baseline-model) on the same out-of-time rows: `file` names them. */
    readonly comparison?: BaselineComparison;
  };
  readonly thresholdPolicy: {
    readonly policy: ThresholdPolicy;
    readonly threshold: number;
    /** Out-of-fold, calibrated scores at the threshold. */
    readonly confusionMatrix: {
      readonly truePositives: number;
      readonly falsePositives: number;
      readonly trueNegatives: number;
      readonly falseNegatives: number;
    };
    readonly precision: number;
    readonly recall: number;
    readonly flagRate: number;
  };
  readonly segments: CardSegments;
  readonly limitations: readonly string[];
}
