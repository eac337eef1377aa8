/**
 * Platt scaling: P(late) = sigmoid(slope * margin + intercept), fitted on out-of-fold XGBoost
 * margins by Newton's method on the log loss. The exported graph applies the same two numbers,
 * so the served score is a calibrated probability.
 */
import type { CalibrationCheck, PriorShift } from '@peerloan/contracts';

export interface Platt {
  readonly slope: number;
  readonly intercept: number;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export function fitPlatt(margins: ArrayLike<number>, labels: ArrayLike<number>, iterations = 100): Platt {
  let a = 1;
  let b = 0;
  for (let it = 0; it < iterations; it++) {
    let ga = 0,
      gb = 0,
      haa = 0,
      hab = 0,
      hbb = 0;
    for (let i = 0; i < labels.length; i++) {
      const m = margins[i];
      const p = sigmoid(a * m + b);
      const r = p - labels[i];
      const w = Math.max(p * (1 - p), 1e-12);
      ga += r * m;
      gb += r;
      haa += w * m * m;
      hab += w * m;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (Math.abs(det) < 1e-18) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a -= da;
    b -= db;
    if (Math.abs(da) < 1e-10 && Math.abs(db) < 1e-10) break;
  }
  return { slope: a, intercept: b };
}

export function applyPlatt(platt: Platt, margins: ArrayLike<number>): Float64Array {
  const out = new Float64Array(margins.length);
  for (let i = 0; i < margins.length; i++) out[i] = sigmoid(platt.slope * margins[i] + platt.intercept);
  return out;
}

/** Mean of sigmoid(slope * margin + intercept) over the margins. */
function meanProbability(platt: Platt, margins: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < margins.length; i++) sum += sigmoid(platt.slope * margins[i] + platt.intercept);
  return sum / margins.length;
}

/**
 * Prior-shift correction: the same slope, the intercept moved so the mean probability over the
 * margins equals `lateRate` (the rate expected where the model will score). The mean rises
 * strictly with the intercept, so bisection on the shift finds it.
 */
export function shiftToLateRate(platt: Platt, margins: ArrayLike<number>, lateRate: number): Platt {
  let low = -20;
  let high = 20;
  for (let it = 0; it < 100 && high - low > 1e-12; it++) {
    const mid = (low + high) / 2;
    if (meanProbability({ slope: platt.slope, intercept: platt.intercept + mid }, margins) < lateRate) low = mid;
    else high = mid;
  }
  return { slope: platt.slope, intercept: platt.intercept + (low + high) / 2 };
}

/** Platt on out-of-fold margins; given an expected late rate, its intercept moved to that mean. */
export function calibrate(
  margins: ArrayLike<number>,
  labels: ArrayLike<number>,
  expectedLateRate?: number,
): { calibration: Platt; priorShift?: PriorShift } {
  const fitted = fitPlatt(margins, labels);
  if (expectedLateRate === undefined) return { calibration: fitted };
  const calibration = shiftToLateRate(fitted, margins, expectedLateRate);
  let late = 0;
  for (let i = 0; i < labels.length; i++) late += labels[i];
  return {
    calibration,
    priorShift: {
      expectedLateRate,
      trainingLateRate: late / labels.length,
      interceptShift: calibration.intercept - fitted.intercept,
    },
  };
}

/** Calibration of probabilities against outcomes: in the large, logistic slope/intercept, and binned error. */
export function calibrationCheck(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = 10,
): CalibrationCheck {
  const n = labels.length;
  let predicted = 0;
  let observed = 0;
  const logits = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const p = Math.min(1 - 1e-12, Math.max(1e-12, probabilities[i]));
    predicted += p;
    observed += labels[i];
    logits[i] = Math.log(p / (1 - p));
  }
  const recalibration = fitPlatt(logits, labels);
  return {
    meanPredicted: predicted / n,
    observedRate: observed / n,
    slope: recalibration.slope,
    intercept: recalibration.intercept,
    expectedCalibrationError: expectedCalibrationError(probabilities, labels, bins),
  };
}

/** Mean |mean predicted - observed rate| over equal-count score bins, weighted by bin size. */
export function expectedCalibrationError(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = 10,
): number {
  const n = labels.length;
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => probabilities[a] - probabilities[b]);
  let error = 0;
  for (let b = 0; b < bins; b++) {
    const from = Math.floor((b * n) / bins);
    const to = Math.floor(((b + 1) * n) / bins);
    let p = 0;
    let y = 0;
    for (let k = from; k < to; k++) {
      p += probabilities[order[k]];
      y += labels[order[k]];
    }
    error += Math.abs(p - y);
  }
  return error / n;
}
