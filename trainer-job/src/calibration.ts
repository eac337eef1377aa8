/**
 * Platt scaling: P(late) = sigmoid(slope * margin + intercept), fitted on out-of-fold XGBoost
 * margins by Newton's method on the log loss. The exported graph applies the same two numbers,
 * so the served score is a calibrated probability.
 */
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
    let ga = 0, gb = 0, haa = 0, hab = 0, hbb = 0;
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
