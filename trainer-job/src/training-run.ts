/**
 * One training run, start to finish: read and validate the CSV, search models with
 * cross-validation, calibrate, pick the threshold, refit, export to ONNX, check parity,
 * and publish the artifacts.
 */
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  ARTIFACT_FILES,
  LABEL,
  PROBABILITY_OUTPUT,
  RAW_PROBABILITY_OUTPUT,
  type MetricName,
  type MetricSummary,
  type CardSegments,
  type ModelCard,
  type ModelManifest,
  type OutOfTimeMetrics,
  type TrainingSummary,
} from '@peerloan/contracts';
import { compareWithBaseline } from './baseline-comparison.js';
import { deriveVersion, publishArtifacts, writeTerminationMessage } from './artifacts.js';
import { describeFeatures, featureBaselines, numericHistogram } from './baseline.js';
import {
  bootstrapIntervals,
  ScoredSample,
  weightedBrier,
  weightedLogLoss,
  weightedPrAuc,
  weightedRocAuc,
  type BootstrapOptions,
} from './bootstrap.js';
import { applyPlatt, calibrate, calibrationCheck, type Platt } from './calibration.js';
import { readTrainingCsv, type ReadResult } from './csv-reader.js';
import { encodeTable, planEncoding, type EncodingPlan } from './encoding.js';
import type { Booster } from './xgboost/booster.js';
import { DMatrix } from './xgboost/dmatrix.js';
import { DataError } from './errors/data-error.js';
import { gainImportance } from './feature-importance.js';
import { lateRatesByBin } from './late-rates.js';
import type { LoanTable } from './loan-table.js';
import { brier, logLoss, meanAndStd, prAuc, rocAuc } from './evaluation.js';
import { baseScore, gridPoints, refit, searchModels, type CandidateResult } from './model-search.js';
import { buildModelCard } from './model-card.js';
import { buildDenseOnnxModel, checkDenseParity } from './dense-onnx-export.js';
import { buildOnnxModel } from './onnx-export.js';
import { outOfTimeMetrics } from './out-of-time.js';
import { checkParity } from './parity-check.js';
import type { ProgressReporter } from './progress-reporter.js';
import { renderReport } from './report.js';
import { reseedingStability } from './reseeding.js';
import { MIN_SEGMENT_LATE, segmentPerformance } from './segment-performance.js';
import { chooseThreshold } from './threshold.js';
import { modelAffectingConfig, type TrainingConfig } from './training-config.js';
import { xgboostVersion } from './xgboost/library.js';
import { stratifiedFolds } from './folds.js';

/** Bump when a change to the trainer changes the model for the same data and settings. */
const TRAINER_REVISION = 'trainer-3';

export interface RunOptions {
  readonly dataPath: string;
  /** A later labelled period: the chosen model is scored on it (selection stays by CV). */
  readonly validationPath?: string;
  /** The live model's version folder: scored beside the candidate on the validation rows (manifest.comparison). */
  readonly baselineDir?: string;
  readonly outRoot: string;
  readonly config: TrainingConfig;
  readonly terminationLog: string;
}

export interface RunResult {
  readonly summary: TrainingSummary;
  readonly manifest: ModelManifest;
}

function checkClasses(table: LoanTable, folds: number, path: string): void {
  const positives = table.positives;
  const negatives = table.rows - positives;
  if (positives === 0 || negatives === 0) {
    throw new DataError(
      `${path}: every valid row has ${LABEL}=${positives === 0 ? 0 : 1}; training needs both late and on-time loans`,
    );
  }
  if (Math.min(positives, negatives) < folds * 2) {
    throw new DataError(
      `${path}: only ${Math.min(positives, negatives)} rows of the rarer class; ${folds}-fold cross-validation needs at least ${folds * 2} (lower --folds or add data)`,
    );
  }
}

/** Per-fold metrics of the calibrated out-of-fold scores, and each on all of them pooled with its bootstrap interval. */
function cvMetrics(
  best: CandidateResult,
  calibrated: Float64Array,
  table: LoanTable,
  config: TrainingConfig,
): Record<MetricName, MetricSummary> {
  const folds = stratifiedFolds(table.labels, config.folds, config.seed);
  const per: Record<MetricName, number[]> = { rocAuc: [], prAuc: [], brier: [], logLoss: [] };
  for (const fold of folds) {
    const scores = Array.from(fold.valid, (r) => calibrated[r]);
    const labels = Array.from(fold.valid, (r) => table.labels[r]);
    per.rocAuc.push(rocAuc(scores, labels));
    per.prAuc.push(prAuc(scores, labels));
    per.brier.push(brier(scores, labels));
    per.logLoss.push(logLoss(scores, labels));
  }
  const pooled = bootstrapIntervals(
    new ScoredSample(calibrated, table.labels),
    { rocAuc: weightedRocAuc, prAuc: weightedPrAuc, brier: weightedBrier, logLoss: weightedLogLoss },
    bootstrapOptions(config),
  );
  const summarise = (values: number[], name: MetricName): MetricSummary => ({
    ...meanAndStd(values),
    folds: values,
    pooled: pooled[name],
  });
  return {
    rocAuc: { ...best.rocAuc, pooled: pooled.rocAuc },
    prAuc: summarise(per.prAuc, 'prAuc'),
    brier: summarise(per.brier, 'brier'),
    logLoss: summarise(per.logLoss, 'logLoss'),
  };
}

/** The features with a direction (0 is free and left out), or undefined when none has one. */
function constrained(config: TrainingConfig): Record<string, 1 | -1> | undefined {
  const entries = Object.entries(config.monotone).filter((e): e is [string, 1 | -1] => e[1] !== 0);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

function bootstrapOptions(config: TrainingConfig): BootstrapOptions {
  return { resamples: config.bootstrapResamples, seed: config.seed };
}

function confusionMatrix(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
): ModelCard['thresholdPolicy']['confusionMatrix'] {
  let truePositives = 0,
    falsePositives = 0,
    trueNegatives = 0,
    falseNegatives = 0;
  for (let i = 0; i < labels.length; i++) {
    const flagged = scores[i] >= threshold;
    if (labels[i]) {
      if (flagged) truePositives += 1;
      else falseNegatives += 1;
    } else if (flagged) falsePositives += 1;
    else trueNegatives += 1;
  }
  return { truePositives, falsePositives, trueNegatives, falseNegatives };
}

async function readValidation(path: string, config: TrainingConfig, reporter: ProgressReporter): Promise<ReadResult> {
  const data = await readTrainingCsv(path, { maxBadShare: config.maxBadRowShare, option: '--validation-data' });
  const { table } = data;
  if (table.positives === 0 || table.positives === table.rows) {
    throw new DataError(
      `${path}: every valid row has ${LABEL}=${table.positives === 0 ? 0 : 1}; out-of-time ROC AUC needs both late and on-time loans`,
    );
  }
  reporter.info('validation data read', { rows: table.rows, late: table.positives, skipped: data.bad.count });
  return data;
}

/** The exported model's calibrated scores on the training rows: the score baseline drift is measured against. */
function servedScores(booster: Booster, table: LoanTable, plan: EncodingPlan, calibration: Platt): Float64Array {
  const matrix = new DMatrix(encodeTable(table, plan), table.rows, plan.columns.length);
  try {
    return applyPlatt(calibration, booster.predict(matrix, { margin: true }));
  } finally {
    matrix.dispose();
  }
}

export async function runTraining(options: RunOptions, reporter: ProgressReporter): Promise<RunResult> {
  const started = performance.now();
  const { config } = options;

  reporter.startProgress('reading', 100);
  const data = await readTrainingCsv(options.dataPath, {
    maxBadShare: config.maxBadRowShare,
    onProgress: (read, total) => {
      reporter.progress(Math.floor((read / total) * 100));
    },
  });
  reporter.endProgress();
  const { table } = data;
  reporter.info('data read', {
    rows: table.rows,
    late: table.positives,
    skipped: data.bad.count,
    ...(data.bad.count ? { firstSkippedLines: data.bad.firstLines.join(',') } : {}),
  });
  checkClasses(table, config.folds, options.dataPath);
  const validation = options.validationPath
    ? await readValidation(options.validationPath, config, reporter)
    : undefined;

  const plan = planEncoding(table);
  reporter.startProgress('searching', gridPoints(config.grid).length * config.imbalance.length * config.folds);
  const search = searchModels(table, plan, config, (p) => {
    reporter.progress(p.done, {
      strategy: p.strategy,
      depth: p.params.max_depth,
      fold: p.fold + 1,
      auc: p.rocAuc.toFixed(4),
    });
  });
  reporter.endProgress();
  const { best } = search;
  reporter.info('best candidate', {
    strategy: best.strategy,
    ...best.params,
    rocAuc: best.rocAuc.mean,
    rounds: best.bestRounds,
  });

  const { calibration, priorShift } = calibrate(best.oofMargins, table.labels, config.expectedLateRate);
  if (priorShift) reporter.info('prior shift', { ...priorShift });
  const calibrated = applyPlatt(calibration, best.oofMargins);
  const threshold = chooseThreshold(calibrated, table.labels, config.threshold);
  const cv = cvMetrics(best, calibrated, table, config);
  const stability =
    config.stabilitySeeds > 1
      ? reseedingStability(
          table,
          plan,
          config,
          { best, flagged: Array.from(calibrated, (p) => p >= threshold.value) },
          (seed) => {
            reporter.info('reseeding', { seed });
          },
        )
      : undefined;
  if (stability)
    reporter.info('stability under reseeding', {
      rocAucMin: stability.rocAucSpread.min.toFixed(4),
      rocAucMax: stability.rocAucSpread.max.toFixed(4),
      anyFlipShare: stability.anyFlipShare.toFixed(4),
    });

  reporter.info('refitting on all rows', { rounds: best.bestRounds });
  const booster = refit(table, plan, config, best);
  try {
    const trees = booster.dumpTrees();
    // The validation data changes the manifest and card, not the trees: still part of what the version names.
    const dataIdentity = validation ? `${data.sha256}\nvalidation ${validation.sha256}` : data.sha256;
    const version = deriveVersion(
      dataIdentity,
      modelAffectingConfig(config),
      `${TRAINER_REVISION}/xgboost-${xgboostVersion()}`,
    );
    const exportInput = { plan, trees, calibration, version, baseScore: baseScore(config, best.strategy, table) };
    const model = buildOnnxModel(exportInput);
    const parity = await checkParity(model, booster, table, plan, calibration, config.parityTolerance);
    reporter.info('parity check passed', { ...parity });
    const denseModel = buildDenseOnnxModel(exportInput);
    const denseParity = await checkDenseParity(denseModel, booster, table, plan, calibration, config.parityTolerance);
    reporter.info('dense graph parity check passed', { ...denseParity });
    const baseline = {
      features: featureBaselines(table, plan),
      score: numericHistogram(servedScores(booster, table, plan, calibration)),
    };
    const validationScores = validation && servedScores(booster, validation.table, plan, calibration);
    const outOfTime: OutOfTimeMetrics | undefined =
      validation &&
      validationScores &&
      outOfTimeMetrics({
        table: validation.table,
        sha256: validation.sha256,
        scores: validationScores,
        threshold: threshold.value,
        baseline,
        bootstrap: bootstrapOptions(config),
      });
    const comparison =
      options.baselineDir === undefined || !validation || !validationScores
        ? undefined
        : await compareWithBaseline({
            dir: options.baselineDir,
            table: validation.table,
            candidateScores: validationScores,
            bootstrap: bootstrapOptions(config),
          });
    if (options.baselineDir !== undefined && !comparison)
      reporter.info('no baseline model to compare with', { dir: options.baselineDir });
    if (comparison)
      reporter.info('paired comparison with the live model', {
        live: comparison.baselineVersion,
        difference: comparison.difference.value.toFixed(4),
        low: comparison.difference.low.toFixed(4),
        high: comparison.difference.high.toFixed(4),
      });
    if (outOfTime)
      reporter.info('out-of-time validation', {
        rows: outOfTime.rows,
        rocAuc: outOfTime.rocAuc.value.toFixed(4),
        low: outOfTime.rocAuc.low.toFixed(4),
        high: outOfTime.rocAuc.high.toFixed(4),
      });

    const manifest: ModelManifest = {
      schemaVersion: 1,
      version,
      created: new Date().toISOString(),
      files: ARTIFACT_FILES,
      label: LABEL,
      features: describeFeatures(table, plan),
      encodedColumns: plan.columns.map((c) => c.name),
      outputs: { probability: PROBABILITY_OUTPUT, rawProbability: RAW_PROBABILITY_OUTPUT },
      threshold,
      calibration: { method: 'platt', ...calibration, ...(priorShift && { priorShift }) },
      metrics: {
        cv,
        atThreshold: { precision: threshold.precision, recall: threshold.recall, flagRate: threshold.flagRate },
        calibration: calibrationCheck(calibrated, table.labels),
      },
      ...(outOfTime && { outOfTime }),
      ...(stability && { stability }),
      ...(comparison && { comparison }),
      model: {
        engine: `xgboost ${xgboostVersion()}`,
        strategy: best.strategy,
        params: best.params,
        rounds: best.bestRounds,
        folds: config.folds,
        seed: config.seed,
        candidates: search.candidates.map(({ oofMargins: _m, ...c }) => c),
        importance: gainImportance(trees, plan),
        ...(constrained(config) && { monotone: constrained(config) }),
      },
      data: {
        rows: table.rows,
        positives: table.positives,
        sha256: data.sha256,
        badRows: data.bad.count,
        badRowReasons: data.bad.reasons,
      },
      trainingSeconds: (performance.now() - started) / 1000,
      baseline,
    };
    const segments: CardSegments = {
      minLate: MIN_SEGMENT_LATE,
      crossValidation: segmentPerformance(table, calibrated, threshold.value),
      ...(validation &&
        validationScores && { outOfTime: segmentPerformance(validation.table, validationScores, threshold.value) }),
    };
    const card = buildModelCard({
      manifest,
      trainer: TRAINER_REVISION,
      config: JSON.parse(modelAffectingConfig(config)),
      confusionMatrix: confusionMatrix(calibrated, table.labels, threshold.value),
      files: {
        training: basename(options.dataPath),
        ...(options.validationPath && { outOfTime: basename(options.validationPath) }),
      },
      segments,
    });
    const path = await publishArtifacts(options.outRoot, {
      model,
      manifest,
      card,
      report: renderReport(manifest, card, {
        scores: calibrated,
        labels: table.labels,
        lateRates: lateRatesByBin(table, baseline.features),
        ...(validation &&
          validationScores && { outOfTime: { scores: validationScores, labels: validation.table.labels } }),
      }),
      xgboostModel: booster.saveJson(),
      denseModel,
    });
    const summary: TrainingSummary = {
      version,
      path,
      metrics: { rocAuc: cv.rocAuc.mean, prAuc: cv.prAuc.mean, brier: cv.brier.mean },
      threshold: threshold.value,
      rows: table.rows,
      ...(outOfTime && {
        outOfTime: {
          rows: outOfTime.rows,
          rocAuc: outOfTime.rocAuc,
          prAuc: outOfTime.prAuc,
          brier: outOfTime.brier,
          expectedCalibrationError: outOfTime.calibration.expectedCalibrationError,
        },
      }),
      ...(comparison && { comparison }),
    };
    await writeTerminationMessage(options.terminationLog, summary);
    reporter.info('model published', { version, path, seconds: manifest.trainingSeconds.toFixed(1) });
    return { summary, manifest };
  } finally {
    booster.dispose();
  }
}
