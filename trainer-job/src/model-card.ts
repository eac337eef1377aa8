/**
 * The model card (model-card.json): written from the manifest the same run produced, so the two
 * cannot disagree. Limitations are stated from what the run measured, not boilerplate alone.
 */
import { FEATURES, type CardMetric, type CardSegments, type ModelCard, type ModelManifest } from '@peerloan/contracts';

export interface CardInput {
  readonly manifest: ModelManifest;
  readonly trainer: string;
  readonly config: unknown;
  readonly confusionMatrix: ModelCard['thresholdPolicy']['confusionMatrix'];
  /** File names of the training and (when given) later-period CSVs. */
  readonly files: { readonly training: string; readonly outOfTime?: string };
  readonly segments: CardSegments;
}

/** Too few late loans to say much: an interval over fewer than this many is wide. */
const FEW_LATE_LOANS = 100;

function thinSegments(segments: CardSegments): string | undefined {
  const thin = Object.entries(segments.crossValidation).flatMap(([feature, rows]) =>
    rows.filter((r) => r.tooFewLate).map((r) => `${feature}=${r.value} (${r.late})`),
  );
  if (thin.length === 0) return undefined;
  return `Segments with fewer than ${segments.minLate} late loans in training, where per-segment numbers say little: ${thin.join(', ')}.`;
}

function limitations(manifest: ModelManifest, segments: CardSegments): string[] {
  const thin = thinSegments(segments);
  const out = [
    `${String(FEATURES.length)} application features only: no repayment history after origination, no bureau data beyond delinq_2yrs and revol_util.`,
    calibrationLimit(manifest),
    'A screening score for review, not an automated credit decision: reasons are one-feature-at-a-time comparisons with a typical applicant, not causes.',
  ];
  if (thin) out.push(thin);
  if (manifest.data.positives < FEW_LATE_LOANS) {
    out.push(
      `Only ${manifest.data.positives} late loans in training: metric intervals are wide and small differences between models are noise.`,
    );
  }
  const oot = manifest.outOfTime;
  if (!oot) {
    out.push(
      'No later-period validation was given (--validation-data): every metric is cross-validated within one period and likely optimistic for the next.',
    );
    return out;
  }
  if (oot.positives < FEW_LATE_LOANS)
    out.push(`Only ${oot.positives} late loans in the later period: its intervals are wide.`);
  const gap = oot.calibration.observedRate - oot.calibration.meanPredicted;
  if (Math.abs(gap) > 0.25 * oot.calibration.observedRate) {
    out.push(
      `Out of time the mean predicted probability (${pct(oot.calibration.meanPredicted)}) differs from the observed late rate (${pct(oot.calibration.observedRate)}) by more than a quarter.`,
    );
  }
  const moved = Object.entries(oot.psi)
    .filter(([, v]) => v > 0.1)
    .map(([k, v]) => `${k} (PSI ${v.toFixed(2)})`);
  if (moved.length > 0) out.push(`Inputs moved between the periods: ${moved.join(', ')}.`);
  return out;
}

function calibrationLimit(manifest: ModelManifest): string {
  const shift = manifest.calibration.priorShift;
  if (!shift)
    return `Calibrated to the training period's late rate (${pct(manifest.data.positives / manifest.data.rows)}); a period whose late rate differs is scored too high or too low on average (expectedLateRate in the training config corrects the mean).`;
  return `Prior-shift corrected: the mean predicted probability was moved from the training period's late rate (${pct(shift.trainingLateRate)}) to the expected ${pct(shift.expectedLateRate)} (intercept ${shift.interceptShift >= 0 ? '+' : ''}${shift.interceptShift.toFixed(3)} log-odds); if the expected rate is wrong, so is the scale.`;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(2)}%`;
}

/** What the model is for and not for: the same for every version, stated in each card. */
const INTENDED_USE: ModelCard['intendedUse'] = {
  purpose:
    'Estimate the probability that a current PeerLoan loan holder is 16-120 days late on payments in the next quarter, to prioritise review and contact.',
  users: [
    'PeerLoan risk team (review queues, portfolio reports)',
    'PeerLoan services calling /predict',
    'ML and platform engineers (monitoring, retraining)',
  ],
  outOfScope: [
    'Approving or declining credit applications on its own',
    'Loans or markets other than PeerLoan peer-to-peer consumer loans',
    'Setting prices or limits',
  ],
};

export function buildModelCard(input: CardInput): ModelCard {
  const { manifest } = input;
  return {
    schemaVersion: 1,
    version: manifest.version,
    created: manifest.created,
    intendedUse: INTENDED_USE,
    trainedBy: {
      trainer: input.trainer,
      engine: manifest.model.engine,
      seed: manifest.model.seed,
      config: input.config,
    },
    model: {
      kind: 'XGBoost gradient-boosted trees, Platt-calibrated, exported to ONNX',
      strategy: manifest.model.strategy,
      params: manifest.model.params,
      rounds: manifest.model.rounds,
      calibration: manifest.calibration,
    },
    data: cardData(manifest, input.files),
    features: FEATURES.map((f) => ({
      name: f.name,
      description: f.description,
      direction: direction(manifest, f.name),
    })),
    metrics: cardMetrics(manifest),
    thresholdPolicy: {
      policy: manifest.threshold.policy,
      threshold: manifest.threshold.value,
      confusionMatrix: input.confusionMatrix,
      precision: manifest.threshold.precision,
      recall: manifest.threshold.recall,
      flagRate: manifest.threshold.flagRate,
    },
    segments: input.segments,
    limitations: limitations(manifest, input.segments),
  };
}

function direction(manifest: ModelManifest, name: string): ModelCard['features'][number]['direction'] {
  const d = manifest.model.monotone?.[name];
  return d === 1 ? 'rising' : d === -1 ? 'falling' : 'free';
}

function cardData(manifest: ModelManifest, files: CardInput['files']): ModelCard['data'] {
  const oot = manifest.outOfTime;
  const { finalFit } = manifest.data;
  return {
    training: {
      file: files.training,
      rows: manifest.data.rows,
      positives: manifest.data.positives,
      lateRate: manifest.data.positives / manifest.data.rows,
      sha256: manifest.data.sha256,
      badRows: manifest.data.badRows,
    },
    ...(oot && {
      outOfTime: {
        file: files.outOfTime ?? '',
        rows: oot.rows,
        positives: oot.positives,
        lateRate: oot.positives / oot.rows,
        sha256: oot.sha256,
      },
    }),
    ...(finalFit && { publishedFit: { ...finalFit, note: publishedFitNote(manifest) } }),
  };
}

function publishedFitNote(manifest: ModelManifest): string {
  if (!manifest.outOfTime) return 'The published model was fitted on the one period file.';
  return (
    'The published model was refitted with the chosen settings on every period file, the out-of-time one included; ' +
    'the cross-validated numbers come from the older periods and the out-of-time numbers from the fit without the newest.'
  );
}

function cardMetrics(manifest: ModelManifest): ModelCard['metrics'] {
  const crossValidation: Record<string, CardMetric> = {};
  for (const [name, m] of Object.entries(manifest.metrics.cv))
    crossValidation[name] = { foldMean: m.mean, foldStd: m.std, ...(m.pooled && { pooled: m.pooled }) };
  const oot = manifest.outOfTime;
  return {
    crossValidation,
    ...(manifest.metrics.calibration && { crossValidationCalibration: manifest.metrics.calibration }),
    ...(oot && {
      outOfTime: { rocAuc: oot.rocAuc, prAuc: oot.prAuc, brier: oot.brier, calibration: oot.calibration },
    }),
    ...(manifest.stability && { stability: manifest.stability }),
    ...(manifest.comparison && { comparison: manifest.comparison }),
  };
}
