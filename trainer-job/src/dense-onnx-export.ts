/**
 * The second graph, for the API's hot path: model-dense.onnx takes one float32 tensor of the
 * encoded columns (DENSE_INPUT, [N, C]) and runs the same trees and calibration as model.onnx,
 * without its per-feature string encoders. Its parity check encodes sample rows with the
 * contract's DenseEncoder (what the API runs) and compares with XGBoost plus the calibration,
 * so a disagreement between the JavaScript encoding and the trainer's stops the run too.
 */
import * as ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { DENSE_INPUT, DenseEncoder, PROBABILITY_OUTPUT } from '@peerloan/contracts';
import { applyPlatt } from './calibration.js';
import { ExportError } from './errors/export-error.js';
import {
  calibrationInitializers,
  calibrationNodes,
  encodeModel,
  treesNode,
  valueInfo,
  type ExportInput,
} from './onnx-export.js';
import { maxAbsDiff, predictSample, type ParityReference } from './parity-check.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

export function buildDenseOnnxModel(input: ExportInput): Uint8Array {
  const width = input.plan.columns.length;
  const docString = `PeerLoan late-payment model ${input.version}, encoded-column input: calibrated P(is_late = 1)`;
  return encodeModel(input.version, docString, {
    name: 'loan_risk_dense',
    node: [treesNode(input, DENSE_INPUT), ...calibrationNodes()],
    input: [valueInfo(DENSE_INPUT, FLOAT, ['N', width])],
    output: [valueInfo(PROBABILITY_OUTPUT, FLOAT, ['N', 1])],
    initializer: calibrationInitializers(input.calibration),
  });
}

export interface DenseParityResult {
  readonly rows: number;
  readonly maxDiff: number;
}

/** Scores a sample through DenseEncoder + the dense graph and compares with XGBoost + Platt. */
export async function checkDenseParity(model: Uint8Array, reference: ParityReference): Promise<DenseParityResult> {
  const { booster, table, plan, calibration, tolerance, sampleSize = 2000 } = reference;
  const { rows, predicted: margins } = predictSample(table, plan, sampleSize, (matrix) =>
    booster.predict(matrix, { margin: true }),
  );
  const encoder = new DenseEncoder(plan.columns.map((c) => c.name));
  const features = encoder.encode(Array.from(rows, (r) => table.record(r)));
  const session = await ort.InferenceSession.create(model);
  let scores: Float32Array;
  try {
    const out = await session.run({ [DENSE_INPUT]: new ort.Tensor('float32', features, [rows.length, encoder.width]) });
    scores = out[PROBABILITY_OUTPUT].data as Float32Array;
  } finally {
    await session.release();
  }
  const maxDiff = maxAbsDiff(scores, applyPlatt(calibration, margins));
  if (!(maxDiff <= tolerance)) {
    throw new ExportError(
      `the dense ONNX graph does not match XGBoost on ${rows.length} rows: max difference ${maxDiff.toExponential(2)} > tolerance ${tolerance}`,
    );
  }
  return { rows: rows.length, maxDiff };
}
