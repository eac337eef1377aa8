/** spec.dataset and spec.training: where the data is and how the training Job runs. */
import { Type, type Static } from 'typebox';
import { DATASET_DEFAULTS, TRAINING_BOUNDS, TRAINING_DEFAULTS } from '../crd-defaults.js';
import { DURATION_PATTERN } from '../duration.js';
import { MONOTONE_FEATURES } from '../features.js';
import { IMBALANCE_STRATEGIES } from '../manifest.js';
import { celRules, DNS_LABEL, int32, number, oneOf, resources, text } from '../schema/fields.js';
import { placementFields } from './spec-placement.js';

const claimPath = (field: string, description: string) =>
  text(description, {
    minLength: 1,
    maxLength: 1024,
    ...celRules([
      "!self.startsWith('/') && !self.contains('..')",
      `${field} must be relative to the claim root and must not contain ..`,
    ]),
  });

export const DatasetSpecSchema = Type.Object(
  {
    claimName: text(
      'Name of the PersistentVolumeClaim (same namespace) holding the CSV and the artifacts. Use ReadWriteMany when the Job and the API pods may land on different nodes.',
      { pattern: DNS_LABEL, maxLength: 253 },
    ),
    path: claimPath(
      'path',
      'Path of the training CSV inside the claim, e.g. loans/2026q3.csv; or of a folder of period files (2026Q1.csv, 2026Q2.csv.gz, ... oldest first by name): the model is searched on every period but the newest, scored on the newest out of time (as validationPath would be; leave that unset) and published refitted on all of them.',
    ),
    validationPath: Type.Optional(
      claimPath(
        'validationPath',
        "Path of a later period's labelled CSV inside the claim (same columns), e.g. loans/2026q4.csv. The model is still chosen by cross-validation on path, then scored on this file (loanrisk-train --validation-data): out-of-time ROC AUC with its 95% bootstrap interval, calibration and feature PSI in the manifest, report and model card. qualityGate.minOutOfTimeRocAuc and maxCalibrationError need it.",
      ),
    ),
    modelsSubPath: Type.Optional(
      text('Folder inside the claim where the trainer writes <version>/ and the API reads it.', {
        default: DATASET_DEFAULTS.modelsSubPath,
        pattern: '^[A-Za-z0-9._-]+$',
        maxLength: 253,
      }),
    ),
  },
  { description: 'Training data on a PersistentVolumeClaim; the same claim stores the model artifacts.' },
);
export type DatasetSpec = Static<typeof DatasetSpecSchema>;

/** A monotone direction: 1 the late probability never falls as the value rises, -1 never rises, 0 free. */
export const MONOTONE_DIRECTIONS = [-1, 0, 1] as const;
export type MonotoneDirection = (typeof MONOTONE_DIRECTIONS)[number];

const MonotoneSpecSchema = Type.Object(
  Object.fromEntries(
    MONOTONE_FEATURES.map((name) => [
      name,
      Type.Optional(oneOf(MONOTONE_DIRECTIONS, `Direction for ${name}: 1, -1 or 0.`)),
    ]),
  ),
  {
    description:
      'Monotone constraints (XGBoost monotone_constraints), default none: per feature 1 (the late probability never falls as the value rises), -1 (never rises) or 0 (free). The report shows the observed late rate by decile per feature to choose them; on PeerLoan data int_rate, grade, delinq_2yrs rising and annual_inc, emp_length falling cost nothing, while dti and revol_util are best left free.',
  },
);
/** The features a direction can be given to (numbers, and grade and emp_length by rank). */
export type MonotoneSpec = Static<typeof MonotoneSpecSchema>;

const bounded = (description: string, key: 'maxRounds' | 'earlyStoppingRounds' | 'stabilitySeeds') =>
  Type.Optional(int32(description, TRAINING_BOUNDS[key].minimum, TRAINING_BOUNDS[key].maximum));

/** A list of one grid setting's values, within TRAINING_BOUNDS.grid. */
const gridList = (description: string, key: keyof typeof TRAINING_BOUNDS.grid, integer = false) => {
  const { minimum, maximum } = TRAINING_BOUNDS.grid[key];
  return Type.Optional(
    Type.Array(integer ? Type.Integer({ minimum, maximum }) : Type.Number({ minimum, maximum }), {
      description,
      minItems: 1,
      maxItems: 10,
    }),
  );
};

export const TrainingOverridesSchema = Type.Object(
  {
    monotone: Type.Optional(MonotoneSpecSchema),
    maxRounds: bounded('Most boosting rounds per candidate.', 'maxRounds'),
    earlyStoppingRounds: bounded('Rounds without validation AUC gain before stopping.', 'earlyStoppingRounds'),
    imbalance: Type.Optional(
      Type.Array(oneOf(IMBALANCE_STRATEGIES), {
        description: 'Class-imbalance strategies searched.',
        minItems: 1,
        maxItems: IMBALANCE_STRATEGIES.length,
        'x-kubernetes-list-type': 'set',
      }),
    ),
    maxBadRowShare: Type.Optional(
      number(
        'Largest share of invalid CSV rows tolerated before the run fails.',
        TRAINING_BOUNDS.maxBadRowShare.minimum,
        TRAINING_BOUNDS.maxBadRowShare.maximum,
      ),
    ),
    expectedLateRate: Type.Optional(
      Type.Number({
        description:
          'Prior-shift correction, off unless set: the late rate expected where the model will score (e.g. 0.03 for a quarter running later than the training one). The calibration intercept moves so the mean predicted probability equals it; ranking and AUC are unchanged. Recorded in manifest.calibration.priorShift and the model card.',
        exclusiveMinimum: 0,
        exclusiveMaximum: 1,
      }),
    ),
    stabilitySeeds: bounded(
      'Seeds the chosen settings are cross-validated under to measure stability (CV AUC spread, share of decisions that flip); 1 turns it off.',
      'stabilitySeeds',
    ),
    grid: Type.Optional(
      Type.Object(
        {
          max_depth: gridList('Tree depths.', 'max_depth', true),
          eta: gridList('Learning rates.', 'eta'),
          min_child_weight: gridList('Minimum child weights.', 'min_child_weight'),
          subsample: gridList('Row subsampling ratios.', 'subsample'),
          colsample_bytree: gridList('Column subsampling ratios.', 'colsample_bytree'),
        },
        {
          description:
            "Hyper-parameter grid searched (every combination); replaces the default search (the base grid plus max_depth 2, eta 0.05), keys left out take the base grid's values.",
        },
      ),
    ),
  },
  { description: 'Overrides of the trainer defaults (trainer-job/src/training-config.ts).' },
);
export type TrainingOverrides = Static<typeof TrainingOverridesSchema>;

/** The shortest spec.training.watchInterval: each interval starts a pod. */
export const MIN_WATCH_INTERVAL = '30s';

/** Five cron fields (minute hour day-of-month month day-of-week); the operator's parser checks the values. */
export const CRON_PATTERN = '^[0-9A-Za-z*/,?-]+( +[0-9A-Za-z*/,?-]+){4}$';

export const TrainingSpecSchema = Type.Object(
  {
    image: text('Trainer container image, e.g. ghcr.io/peerloan/trainer-job:<release tag>.', { minLength: 1 }),
    schedule: Type.Optional(
      text(
        'Retrain on a calendar: a standard 5-field cron expression in UTC (minute hour day-of-month month day-of-week), e.g. "0 3 1 1,4,7,10 *" for 03:00 on the first day of each quarter. Each due time starts one training run of the same spec (a dataset folder is read again, new period files included); status.lastScheduledTime records the last. Setting or changing it starts no run by itself.',
        { pattern: CRON_PATTERN, maxLength: 100 },
      ),
    ),
    watchInterval: Type.Optional(
      text(
        `Retrain when the data changes: this often (e.g. 10m, at least ${MIN_WATCH_INTERVAL}) a small listing Job (the trainer image, loanrisk-train --list-periods, the claim mounted read-only) lists dataset.path's period files (names, sizes, modification times); when they differ from the last listing (a new quarter copied in, a file replaced) one training run of the same spec starts. status.dataWatch records the last listing and counts the runs. Setting it starts no run by itself: the first listing is the baseline.`,
        {
          pattern: DURATION_PATTERN,
          maxLength: 32,
          ...celRules([
            `duration(self) >= duration('${MIN_WATCH_INTERVAL}')`,
            `watchInterval must be at least ${MIN_WATCH_INTERVAL}: each interval starts a listing pod`,
          ]),
        },
      ),
    ),
    resources: Type.Optional(resources('the training container')),
    folds: Type.Optional(
      int32('Stratified cross-validation folds.', TRAINING_BOUNDS.folds.minimum, TRAINING_BOUNDS.folds.maximum, {
        default: TRAINING_DEFAULTS.folds,
      }),
    ),
    seed: Type.Optional(
      int32(
        'Random seed; the same data, settings and seed give the same model version.',
        TRAINING_BOUNDS.seed.minimum,
        TRAINING_BOUNDS.seed.maximum,
        { default: TRAINING_DEFAULTS.seed },
      ),
    ),
    config: Type.Optional(TrainingOverridesSchema),
    backoffLimit: Type.Optional(
      int32('Retries of a failed training Pod before the Job fails.', 0, 10, {
        default: TRAINING_DEFAULTS.backoffLimit,
      }),
    ),
    activeDeadlineSeconds: Type.Optional(
      int32(
        'Longest a training run may take, in seconds; a stuck run is stopped instead of holding the rollout forever.',
        60,
        86400,
        { default: TRAINING_DEFAULTS.activeDeadlineSeconds },
      ),
    ),
    ...placementFields('the training pod'),
  },
  {
    description:
      'The training Job (trainer-job image, loanrisk-train). Changing any of it, the dataset or the decision policy starts a new training run.',
  },
);
export type TrainingSpec = Static<typeof TrainingSpecSchema>;
