/**
 * The second graph, for the API's hot path: model-dense.onnx takes one float32 tensor of the
 * encoded columns (DENSE_INPUT, [N, C]) and runs the same trees and calibration as model.onnx,
 * without its per-feature string encoders. Its parity check encodes sample rows with the
 * contract's DenseEncoder (what the API runs) and compares with XGBoost plus the calibration,
 * so a disagreement between the JavaScript encoding and the trainer's stops the run too.
 */
import * as ort from 'onnxruntime-node';
import type { onnx as OnnxTypes } from 'onnx-proto';
import onnxProto from 'onnx-proto';
import { DENSE_INPUT, DenseEncoder, PROBABILITY_OUTPUT } from '@peerloan/contracts';
import { applyPlatt, type Platt } from './calibration.js';
import { encodeTable, type EncodingPlan } from './encoding.js';
import { ExportError } from './errors/export-error.js';
import type { LoanTable } from './loan-table.js';
import {
  IR_VERSION,
  ML_DOMAIN,
  ML_OPSET,
  OPSET,
  node,
  scalar,
  treeEnsembleAttributes,
  valueInfo,
  type ExportInput,
} from './onnx-export.js';
import type { Booster } from './xgboost/booster.js';
import { DMatrix } from './xgboost/dmatrix.js';

const { onnx } = onnxProto;
const FLOAT = onnx.TensorProto.DataType.FLOAT;

export function buildDenseOnnxModel(input: ExportInput): Uint8Array {
  const width = input.plan.columns.length;
  const model: OnnxTypes.IModelProto = {
    irVersion: IR_VERSION,
    producerName: 'loanrisk-train',
    producerVersion: '1',
    domain: 'io.peerloan.risk',
    modelVersion: 1,
    docString: `PeerLoan late-payment model ${input.version}, encoded-column input: calibrated P(is_late = 1)`,
    opsetImport: [
      { domain: '', version: OPSET },
      { domain: ML_DOMAIN, version: ML_OPSET },
    ],
    metadataProps: [{ key: 'version', value: input.version }],
    graph: {
      name: 'loan_risk_dense',
      node: [
        node(
          'TreeEnsembleRegressor',
          [DENSE_INPUT],
          ['margin'],
          treeEnsembleAttributes(input.trees, Math.log(input.baseScore / (1 - input.baseScore))),
          ML_DOMAIN,
        ),
        node('Mul', ['margin', 'platt_slope'], ['calibrated_margin_scaled']),
        node('Add', ['calibrated_margin_scaled', 'platt_intercept'], ['calibrated_margin']),
        node('Sigmoid', ['calibrated_margin'], [PROBABILITY_OUTPUT]),
      ],
      input: [valueInfo(DENSE_INPUT, FLOAT, ['N', width])],
      output: [valueInfo(PROBABILITY_OUTPUT, FLOAT, ['N', 1])],
      initializer: [
        scalar('platt_slope', input.calibration.slope),
        scalar('platt_intercept', input.calibration.intercept),
      ],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

export interface DenseParityResult {
  readonly rows: number;
  readonly maxDiff: number;
}

/** Scores a sample through DenseEncoder + the dense graph and compares with XGBoost + Platt. */
export async function checkDenseParity(
  model: Uint8Array,
  booster: Booster,
  table: LoanTable,
  plan: EncodingPlan,
  calibration: Platt,
  tolerance: number,
  sampleSize = 2000,
): Promise<DenseParityResult> {
  const step = Math.max(1, Math.floor(table.rows / sampleSize));
  const rows = Uint32Array.from({ length: Math.min(sampleSize, table.rows) }, (_, i) => i * step);
  const matrix = new DMatrix(encodeTable(table, plan, rows), rows.length, plan.columns.length);
  let margins: Float32Array;
  try {
    margins = booster.predict(matrix, { margin: true });
  } finally {
    matrix.dispose();
  }
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
  const expected = applyPlatt(calibration, margins);
  let maxDiff = 0;
  for (let i = 0; i < rows.length; i++) maxDiff = Math.max(maxDiff, Math.abs(scores[i] - expected[i]));
  if (!(maxDiff <= tolerance)) {
    throw new ExportError(
      `the dense ONNX graph does not match XGBoost on ${rows.length} rows: max difference ${maxDiff.toExponential(2)} > tolerance ${tolerance}`,
    );
  }
  return { rows: rows.length, maxDiff };
}
