/**
 * One training run, start to finish, read top-down the way the operator's reconcile() is:
 *
 *   1. read and check the training CSV (and the later labelled period, when given); or a folder
 *      of period files: every period but the newest is training data, the newest the later period
 *   2. search the grid with cross-validation
 *   3. calibrate the winner's out-of-fold scores, choose the threshold on them, measure them
 *      (and, with stabilitySeeds > 1, how much a reseeded search changes)
 *   4. refit the winner on all training rows; with a folder of periods once more on every period,
 *      the newest included: that fit is the one published
 *   5. export both ONNX graphs under the run's version and check each against the booster
 *   6. score the drift baseline, the later period and the live model beside the candidate
 *   7. describe the model: manifest, then card
 *   8. publish the artifacts and write the termination message for the operator
 *
 * Each step's detail lives in a small function below or in its own module.
 */
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  ARTIFACT_FILES,
  LABEL,
  PROBABILITY_OUTPUT,
  RAW_PROBABILITY_OUTPUT,
  type BaselineComparison,
  type MetricName,
  type MetricSummary,
  type CardSegments,
  type DataPeriod,
  type ModelCard,
  type ModelManifest,
  type OutOfTimeMetrics,
  type PriorShift,
  type ReseedingStability,
  type ThresholdChoice,
  type TrainingSummary,
} from '@peerloan/contracts';
import { compareWithBaseline, liveFittedOn } from './baseline-comparison.js';
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
import { baseScore, gridPoints, refit, searchModels, type CandidateResult, type SearchResult } from './model-search.js';
import { buildModelCard } from './model-card.js';
import { buildDenseOnnxModel, checkDenseParity } from './dense-onnx-export.js';
import { buildOnnxModel, type ExportInput } from './onnx-export.js';
import { outOfTimeMetrics } from './out-of-time.js';
import { describePeriod, isFolder, listPeriods, mergePeriods, readPeriods } from './period-folder.js';
import { checkParity } from './parity-check.js';
import type { ProgressReporter } from './progress-reporter.js';
import { renderReport } from './report.js';
import { reseedingStability, type DefaultRun } from './reseeding.js';
import { MIN_SEGMENT_LATE, segmentPerformance } from './segment-performance.js';
import { chooseThreshold } from './threshold.js';
import { modelAffectingConfig, type TrainingConfig } from './training-config.js';
import { xgboostVersion } from './xgboost/library.js';
import { stratifiedFolds } from './folds.js';

/** Bump when a change to the trainer changes the model for the same data and settings. */
const TRAINER_REVISION = 'trainer-3';

export interface RunOptions {
  /** A training CSV, or a folder of period files (oldest first by name; the newest is the later period). */
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

function checkLaterPeriod(table: LoanTable, path: string): void {
  if (table.positives === 0 || table.positives === table.rows) {
    throw new DataError(
      `${path}: every valid row has ${LABEL}=${table.positives === 0 ? 0 : 1}; out-of-time ROC AUC needs both late and on-time loans`,
    );
  }
}

async function readValidation(path: string, config: TrainingConfig, reporter: ProgressReporter): Promise<ReadResult> {
  const data = await readTrainingCsv(path, { maxBadShare: config.maxBadRowShare, option: '--validation-data' });
  const { table } = data;
  checkLaterPeriod(table, path);
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

/** The training rows and, when given, the later labelled period. */
interface RunData {
  /** The rows searched, calibrated and cross-validated on. */
  readonly data: ReadResult;
  readonly validation: ReadResult | undefined;
  /** The rows the published model is fitted on: `data`, or with a folder of periods every period. */
  readonly published: ReadResult;
  /** File names for the model card: the published fit's and the later period's. */
  readonly files: { readonly training: string; readonly outOfTime?: string };
  /** With a folder of periods: each file and its role. */
  readonly periods?: readonly DataPeriod[];
  /** What the run could not do as asked (the summary carries them). */
  readonly warnings: readonly string[];
}

/** The winner refitted: on the training rows (scored out of time) and the published fit (the same booster without periods). */
interface Fits {
  readonly searched: Booster;
  readonly published: Booster;
}

/** The chosen candidate's out-of-fold scores, calibrated, the threshold chosen on them and what was measured there. */
interface OutOfFold {
  readonly calibration: Platt;
  readonly priorShift: PriorShift | undefined;
  readonly scores: Float64Array;
  readonly threshold: ThresholdChoice;
  readonly cv: Record<MetricName, MetricSummary>;
  readonly stability: ReseedingStability | undefined;
}

/** The refitted model's trees and its two ONNX graphs, both checked against the booster. */
interface Exported {
  readonly trees: unknown[];
  readonly model: Uint8Array;
  readonly denseModel: Uint8Array;
}

/** The exported model's scores: the baseline drift is measured against, the later period, the live model beside it. */
interface Evaluation {
  readonly baseline: ModelManifest['baseline'];
  readonly validationScores: Float64Array | undefined;
  readonly outOfTime: OutOfTimeMetrics | undefined;
  readonly comparison: BaselineComparison | undefined;
}

export async function runTraining(options: RunOptions, reporter: ProgressReporter): Promise<RunResult> {
  const started = performance.now();
  const { config } = options;

  // 1. Read the training rows (both classes, enough of each for the folds) and the later period.
  const run = await readData(options, reporter);
  const { table } = run.data;

  // 2. Search the grid by cross-validation; the encoding knows every category the published fit sees.
  const plan = planEncoding(run.published.table);
  const search = searchCandidates(table, plan, config, reporter);
  const { best } = search;

  // 3. Calibrate the winner's out-of-fold scores, choose the threshold on them and measure them.
  const oof = calibrateAndMeasure(best, table, plan, config, reporter);

  // 4. Refit (twice with periods); boosters hold native memory, freed however the run ends.
  const fits = refitWinner(run, plan, config, best, reporter);
  const published = run.published.table;
  try {
    // 5. Export both ONNX graphs under the run's version; each must score as the booster does.
    const version = runVersion(run, config);
    const exportInput = {
      plan,
      calibration: oof.calibration,
      version,
      baseScore: baseScore(config, best.strategy, published),
    };
    const exported = await exportModel(fits.published, published, exportInput, config.parityTolerance, reporter);

    // 6. Score the baseline, the later period and the live model.
    const evaluation = await evaluate(fits, run, plan, oof, options, reporter);

    // 7. Describe the model: its manifest, then its card.
    const manifest = describeModel({
      run,
      plan,
      search,
      oof,
      version,
      exported,
      evaluation,
      config,
      started,
    });
    const card = modelCard(manifest, run, oof, evaluation, options);

    // 8. Publish, then tell the operator what was published.
    const path = await publishArtifacts(options.outRoot, {
      model: exported.model,
      manifest,
      card,
      report: report(manifest, card, run, oof, evaluation),
      xgboostModel: fits.published.saveJson(),
      denseModel: exported.denseModel,
    });
    const summary = trainingSummary(manifest, path, run.warnings);
    await writeTerminationMessage(options.terminationLog, summary);
    reporter.info('model published', { version, path, seconds: manifest.trainingSeconds.toFixed(1) });
    return { summary, manifest };
  } finally {
    fits.searched.dispose();
    if (fits.published !== fits.searched) fits.published.dispose();
  }
}

async function readData(options: RunOptions, reporter: ProgressReporter): Promise<RunData> {
  return (await isFolder(options.dataPath)) ? readPeriodFolder(options, reporter) : readDataFile(options, reporter);
}

async function readDataFile(options: RunOptions, reporter: ProgressReporter): Promise<RunData> {
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
  return {
    data,
    validation,
    published: data,
    files: {
      training: basename(options.dataPath),
      ...(options.validationPath && { outOfTime: basename(options.validationPath) }),
    },
    warnings: [],
  };
}

/** Every period but the newest is searched on, the newest is scored out of time, all of them are published. */
async function readPeriodFolder(options: RunOptions, reporter: ProgressReporter): Promise<RunData> {
  const { config, dataPath: dir } = options;
  if (options.validationPath) {
    throw new DataError(
      `${dir}: a folder of periods holds its own later period (its newest file); drop --validation-data, or pass one CSV as --data`,
    );
  }
  const periods = await readPeriods(dir, await listPeriods(dir), { maxBadShare: config.maxBadRowShare });
  const published = mergePeriods(periods);
  const files = periods.map((p) => p.file);
  if (periods.length === 1) {
    checkClasses(published.table, config.folds, join(dir, files[0]));
    reporter.info('one period file: no out-of-time check', { file: files[0], rows: published.table.rows });
    const warning = `${dir} holds one period file (${files[0]}): trained on it without an out-of-time check; add the next period's file for one`;
    const periodList = [describePeriod(periods[0], 'train')];
    return {
      data: published,
      validation: undefined,
      published,
      files: { training: files[0] },
      periods: periodList,
      warnings: [warning],
    };
  }
  const training = periods.slice(0, -1);
  const newest = periods[periods.length - 1];
  const data = mergePeriods(training);
  checkClasses(data.table, config.folds, `${dir} (${files.slice(0, -1).join(', ')})`);
  checkLaterPeriod(newest.data.table, join(dir, newest.file));
  reporter.info('periods read', {
    training: files.slice(0, -1).join(','),
    validation: newest.file,
    rows: published.table.rows,
  });
  return {
    data,
    validation: newest.data,
    published,
    files: { training: files.join(', '), outOfTime: newest.file },
    periods: [...training.map((p) => describePeriod(p, 'train')), describePeriod(newest, 'validation')],
    warnings: [],
  };
}

function refitWinner(
  run: RunData,
  plan: EncodingPlan,
  config: TrainingConfig,
  best: CandidateResult,
  reporter: ProgressReporter,
): Fits {
  reporter.info('refitting on all training rows', { rounds: best.bestRounds });
  const searched = refit(run.data.table, plan, config, best);
  if (run.published === run.data) return { searched, published: searched };
  try {
    reporter.info('refitting on every period for the published model', { rows: run.published.table.rows });
    return { searched, published: refit(run.published.table, plan, config, best) };
  } catch (err) {
    searched.dispose();
    throw err;
  }
}

function searchCandidates(
  table: LoanTable,
  plan: EncodingPlan,
  config: TrainingConfig,
  reporter: ProgressReporter,
): SearchResult {
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
  return search;
}

function calibrateAndMeasure(
  best: CandidateResult,
  table: LoanTable,
  plan: EncodingPlan,
  config: TrainingConfig,
  reporter: ProgressReporter,
): OutOfFold {
  const { calibration, priorShift } = calibrate(best.oofMargins, table.labels, config.expectedLateRate);
  if (priorShift) reporter.info('prior shift', { ...priorShift });
  const scores = applyPlatt(calibration, best.oofMargins);
  const threshold = chooseThreshold(scores, table.labels, config.threshold);
  const cv = cvMetrics(best, scores, table, config);
  const stability =
    config.stabilitySeeds > 1
      ? stabilityUnderReseeding(
          table,
          plan,
          config,
          { best, flagged: Array.from(scores, (p) => p >= threshold.value) },
          reporter,
        )
      : undefined;
  return { calibration, priorShift, scores, threshold, cv, stability };
}

function stabilityUnderReseeding(
  table: LoanTable,
  plan: EncodingPlan,
  config: TrainingConfig,
  run: DefaultRun,
  reporter: ProgressReporter,
): ReseedingStability {
  const stability = reseedingStability(table, plan, config, run, (seed) => {
    reporter.info('reseeding', { seed });
  });
  reporter.info('stability under reseeding', {
    rocAucMin: stability.rocAucSpread.min.toFixed(4),
    rocAucMax: stability.rocAucSpread.max.toFixed(4),
    anyFlipShare: stability.anyFlipShare.toFixed(4),
  });
  return stability;
}

function runVersion(run: RunData, config: TrainingConfig): string {
  // The validation data changes the manifest and card, not the trees: still part of what the version names.
  const dataIdentity = run.validation ? `${run.data.sha256}\nvalidation ${run.validation.sha256}` : run.data.sha256;
  return deriveVersion(dataIdentity, modelAffectingConfig(config), `${TRAINER_REVISION}/xgboost-${xgboostVersion()}`);
}

async function exportModel(
  booster: Booster,
  table: LoanTable,
  input: Omit<ExportInput, 'trees'>,
  tolerance: number,
  reporter: ProgressReporter,
): Promise<Exported> {
  const trees = booster.dumpTrees();
  const exportInput: ExportInput = { ...input, trees };
  const model = buildOnnxModel(exportInput);
  const reference = { booster, table, plan: input.plan, calibration: input.calibration, tolerance };
  const parity = await checkParity(model, reference);
  reporter.info('parity check passed', { ...parity });
  const denseModel = buildDenseOnnxModel(exportInput);
  const denseParity = await checkDenseParity(denseModel, reference);
  reporter.info('dense graph parity check passed', { ...denseParity });
  return { trees, model, denseModel };
}

function scoreBaseline(
  booster: Booster,
  table: LoanTable,
  plan: EncodingPlan,
  calibration: Platt,
): Evaluation['baseline'] {
  return {
    features: featureBaselines(table, plan),
    score: numericHistogram(servedScores(booster, table, plan, calibration)),
  };
}

async function evaluate(
  fits: Fits,
  run: RunData,
  plan: EncodingPlan,
  oof: OutOfFold,
  options: RunOptions,
  reporter: ProgressReporter,
): Promise<Evaluation> {
  const { validation } = run;
  const baseline = scoreBaseline(fits.published, run.published.table, plan, oof.calibration);
  // The later period is scored by the fit that never saw it and compared with that fit's rows.
  const fitted =
    fits.searched === fits.published ? baseline : scoreBaseline(fits.searched, run.data.table, plan, oof.calibration);
  const validationScores = validation && servedScores(fits.searched, validation.table, plan, oof.calibration);
  const outOfTime: OutOfTimeMetrics | undefined =
    validation &&
    validationScores &&
    outOfTimeMetrics({
      table: validation.table,
      sha256: validation.sha256,
      scores: validationScores,
      threshold: oof.threshold.value,
      baseline: fitted,
      bootstrap: bootstrapOptions(options.config),
    });
  const comparison = await compareWithLive(run, validationScores, options, reporter);
  if (outOfTime)
    reporter.info('out-of-time validation', {
      rows: outOfTime.rows,
      rocAuc: outOfTime.rocAuc.value.toFixed(4),
      low: outOfTime.rocAuc.low.toFixed(4),
      high: outOfTime.rocAuc.high.toFixed(4),
    });
  return { baseline, validationScores, outOfTime, comparison };
}

/**
 * The candidate and the live model (--baseline-model) scored on the same later rows: the
 * --validation-data file's, or a folder of periods' newest. Without later rows the option is
 * ignored with a note rather than refused: the operator passes it whenever there is a live
 * version, and it cannot tell a folder of periods from a single CSV (both are spec.dataset.path
 * on a claim it never mounts), so refusing would fail every single-file retrain.
 */
async function compareWithLive(
  run: RunData,
  validationScores: Float64Array | undefined,
  options: RunOptions,
  reporter: ProgressReporter,
): Promise<BaselineComparison | undefined> {
  const { baselineDir } = options;
  if (baselineDir === undefined) return undefined;
  if (!run.validation || !validationScores) {
    reporter.info(
      '--baseline-model ignored: no later rows to compare on (give --validation-data or a folder of two or more periods)',
      {
        dir: baselineDir,
      },
    );
    return undefined;
  }
  const later = run.files.outOfTime;
  if (later !== undefined && (await liveFittedOn(baselineDir)).includes(later)) {
    // A retrain on the same folder (drift, a spec change): the live fit already holds the newest
    // period, so scoring both on it would favour the live model.
    reporter.info(`--baseline-model not compared: the live version was fitted on ${later}, the rows to compare on`, {
      dir: baselineDir,
    });
    return undefined;
  }
  const compared = await compareWithBaseline({
    dir: baselineDir,
    table: run.validation.table,
    candidateScores: validationScores,
    bootstrap: bootstrapOptions(options.config),
  });
  const comparison = compared && { ...compared, ...(run.files.outOfTime && { file: run.files.outOfTime }) };
  if (!comparison) {
    reporter.info('no baseline model to compare with', { dir: baselineDir });
    return undefined;
  }
  reporter.info('paired comparison with the live model', {
    live: comparison.baselineVersion,
    difference: comparison.difference.value.toFixed(4),
    low: comparison.difference.low.toFixed(4),
    high: comparison.difference.high.toFixed(4),
  });
  return comparison;
}

interface ModelDescription {
  readonly run: RunData;
  readonly plan: EncodingPlan;
  readonly search: SearchResult;
  readonly oof: OutOfFold;
  readonly version: string;
  readonly exported: Exported;
  readonly evaluation: Evaluation;
  readonly config: TrainingConfig;
  /** performance.now() when the run started: the manifest states the run's seconds. */
  readonly started: number;
}

function describeModel(input: ModelDescription): ModelManifest {
  const { run, plan, search, oof, evaluation, config } = input;
  const { table } = run.data;
  const data = run.published;
  const { best } = search;
  const { calibration, priorShift, threshold, stability } = oof;
  const { outOfTime, comparison } = evaluation;
  return {
    schemaVersion: 1,
    version: input.version,
    created: new Date().toISOString(),
    files: ARTIFACT_FILES,
    label: LABEL,
    features: describeFeatures(data.table, plan),
    encodedColumns: plan.columns.map((c) => c.name),
    outputs: { probability: PROBABILITY_OUTPUT, rawProbability: RAW_PROBABILITY_OUTPUT },
    threshold,
    calibration: { method: 'platt', ...calibration, ...(priorShift && { priorShift }) },
    metrics: {
      cv: oof.cv,
      atThreshold: { precision: threshold.precision, recall: threshold.recall, flagRate: threshold.flagRate },
      calibration: calibrationCheck(oof.scores, table.labels),
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
      importance: gainImportance(input.exported.trees, plan),
      ...(constrained(config) && { monotone: constrained(config) }),
    },
    data: {
      rows: data.table.rows,
      positives: data.table.positives,
      sha256: data.sha256,
      badRows: data.bad.count,
      badRowReasons: data.bad.reasons,
      ...(run.periods && { periods: run.periods }),
      ...(run.periods && { finalFit: { files: run.periods.map((p) => p.file), rows: data.table.rows } }),
    },
    trainingSeconds: (performance.now() - input.started) / 1000,
    baseline: evaluation.baseline,
  };
}

function modelCard(
  manifest: ModelManifest,
  run: RunData,
  oof: OutOfFold,
  evaluation: Evaluation,
  options: RunOptions,
): ModelCard {
  const { table } = run.data;
  const { validation } = run;
  const { validationScores } = evaluation;
  const threshold = oof.threshold.value;
  const segments: CardSegments = {
    minLate: MIN_SEGMENT_LATE,
    crossValidation: segmentPerformance(table, oof.scores, threshold),
    ...(validation &&
      validationScores && { outOfTime: segmentPerformance(validation.table, validationScores, threshold) }),
  };
  return buildModelCard({
    manifest,
    trainer: TRAINER_REVISION,
    config: JSON.parse(modelAffectingConfig(options.config)),
    confusionMatrix: confusionMatrix(oof.scores, table.labels, threshold),
    files: run.files,
    segments,
  });
}

function report(
  manifest: ModelManifest,
  card: ModelCard,
  run: RunData,
  oof: OutOfFold,
  evaluation: Evaluation,
): string {
  const { table } = run.data;
  const { validation } = run;
  const { validationScores } = evaluation;
  return renderReport(manifest, card, {
    scores: oof.scores,
    labels: table.labels,
    lateRates: lateRatesByBin(table, evaluation.baseline.features),
    ...(validation && validationScores && { outOfTime: { scores: validationScores, labels: validation.table.labels } }),
  });
}

/** What the operator reads from the termination message: the manifest's headline numbers and where it was published. */
function trainingSummary(manifest: ModelManifest, path: string, warnings: readonly string[]): TrainingSummary {
  const { cv } = manifest.metrics;
  const { outOfTime, comparison } = manifest;
  return {
    version: manifest.version,
    path,
    metrics: { rocAuc: cv.rocAuc.mean, prAuc: cv.prAuc.mean, brier: cv.brier.mean },
    threshold: manifest.threshold.value,
    rows: manifest.data.rows,
    ...(outOfTime && {
      outOfTime: {
        rows: outOfTime.rows,
        rocAuc: outOfTime.rocAuc,
        prAuc: outOfTime.prAuc,
        brier: outOfTime.brier,
        expectedCalibrationError: outOfTime.calibration.expectedCalibrationError,
      },
    }),
    // The summary's comparison is the status record's shape: which file it was made on stays in the manifest and card.
    ...(comparison && { comparison: withoutFile(comparison) }),
    ...(warnings.length > 0 && { warnings: [...warnings] }),
  };
}

function withoutFile({ file: _file, ...comparison }: BaselineComparison): BaselineComparison {
  return comparison;
}
