/**
 * Runs the exported model through onnxruntime-node and compares it with XGBoost and the Platt
 * calibration on a sample of training rows. A model that does not reproduce them is not published.
 */
import * as ort from 'onnxruntime-node';
import { PROBABILITY_OUTPUT, RAW_PROBABILITY_OUTPUT, recordsToColumns } from '@peerloan/contracts';
import { applyPlatt, type Platt } from './calibration.js';
import { encodeTable, type EncodingPlan } from './encoding.js';
import { ExportError } from './errors/export-error.js';
import type { LoanTable } from './loan-table.js';
import type { Booster } from './xgboost/booster.js';
import { DMatrix } from './xgboost/dmatrix.js';

export interface ParityResult {
  readonly rows: number;
  readonly maxRawDiff: number;
  readonly maxCalibratedDiff: number;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Evenly spaced rows of the table (at most `sampleSize`) and what `predict` gives for them, encoded as in training. */
export function predictSample<T>(
  table: LoanTable,
  plan: EncodingPlan,
  sampleSize: number,
  predict: (matrix: DMatrix) => T,
): { readonly rows: Uint32Array; readonly predicted: T } {
  const step = Math.max(1, Math.floor(table.rows / sampleSize));
  const rows = Uint32Array.from({ length: Math.min(sampleSize, table.rows) }, (_, i) => i * step);
  const matrix = new DMatrix(encodeTable(table, plan, rows), rows.length, plan.columns.length);
  try {
    return { rows, predicted: predict(matrix) };
  } finally {
    matrix.dispose();
  }
}

export async function scoreWithOnnx(model: Uint8Array, columns: ReturnType<typeof recordsToColumns>, rows: number) {
  const session = await ort.InferenceSession.create(model);
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, values] of Object.entries(columns)) {
      feeds[name] = new ort.Tensor(values instanceof Float32Array ? 'float32' : 'string', values, [rows, 1]);
    }
    const out = await session.run(feeds);
    return {
      probability: out[PROBABILITY_OUTPUT].data as Float32Array,
      raw: out[RAW_PROBABILITY_OUTPUT].data as Float32Array,
    };
  } finally {
    await session.release();
  }
}

/** What an exported graph is checked against: the booster and calibration it was built from, on a sample of `table`. */
export interface ParityReference {
  readonly booster: Booster;
  readonly table: LoanTable;
  readonly plan: EncodingPlan;
  readonly calibration: Platt;
  /** Largest |ONNX - XGBoost| allowed. */
  readonly tolerance: number;
  /** Rows of the sample (default 2000). */
  readonly sampleSize?: number;
}

export async function checkParity(model: Uint8Array, reference: ParityReference): Promise<ParityResult> {
  const { booster, table, plan, calibration, tolerance, sampleSize = 2000 } = reference;
  const { rows, predicted } = predictSample(table, plan, sampleSize, (matrix) => ({
    raw: booster.predict(matrix),
    margins: booster.predict(matrix, { margin: true }),
  }));
  const records = Array.from(rows, (r) => table.record(r));
  const onnxOut = await scoreWithOnnx(model, recordsToColumns(records), rows.length);
  const result = {
    rows: rows.length,
    maxRawDiff: maxAbsDiff(onnxOut.raw, predicted.raw),
    maxCalibratedDiff: maxAbsDiff(onnxOut.probability, applyPlatt(calibration, predicted.margins)),
  };
  if (result.maxRawDiff > tolerance || result.maxCalibratedDiff > tolerance) {
    throw new ExportError(
      `ONNX model does not match XGBoost on ${result.rows} rows: max difference ${result.maxRawDiff.toExponential(2)} ` +
        `(calibrated ${result.maxCalibratedDiff.toExponential(2)}) > tolerance ${tolerance}`,
    );
  }
  return result;
}
