// The same applicants in each peer's own request format, and the probabilities read back from
// each peer's answer. Every format carries the applicants' fields except MLServer's, whose
// XGBoost runtime takes the trees' encoded columns as one FP32 [N, C] tensor (encoded here as
// the API encodes them) and answers XGBoost's uncalibrated probability, which is calibrated here
// with the manifest's Platt parameters before it is compared.
import { DenseEncoder } from '@peerloan/contracts';
import { inferRequest, probabilitiesOf, restInferBody } from '../../api/dist/test/helpers/grpc-client.js';

/** One applicant's fields as the body (POST /predict, Flask); many as {"instances": [...]}. */
export const applicantBody = (rows) => (rows.length === 1 ? rows[0] : { instances: rows });

/** {"instances": [...]} (this API's /predict, KServe V1 predict, BentoML, Ray Serve). */
export const instancesBody = (rows) => ({ instances: rows });

/** OIP v2 infer as JSON, one tensor per feature, shape [N, 1] (this API, KServe V2). */
export const featureTensorsBody = (rows) => restInferBody(rows);

/** OIP v2 ModelInferRequest, one typed tensor per feature (this API, KServe). */
export const featureTensorsGrpc = (rows) => inferRequest(rows, 'typed');

/** Probabilities of a /predict-style answer: one prediction, or {"predictions": [...]}. */
export const predictionsOf = (answer) =>
  answer.predictions ? answer.predictions.map((p) => p.probability) : [answer.probability];

/** Probabilities of an OIP v2 JSON answer. */
export const tensorOf = (answer) => answer.outputs[0].data;

/** Probabilities of an OIP v2 gRPC answer. */
export const grpcTensorOf = (answer) => probabilitiesOf(answer);

/** MLServer's formats for `manifest`'s trees: the encoded rows as one FP32 tensor, and its answers calibrated. */
export function encodedTensors(manifest, modelName) {
  const encoder = new DenseEncoder(manifest.encodedColumns);
  const encode = (rows) => Array.from(encoder.encode(rows));
  const { slope, intercept } = manifest.calibration;
  const calibrated = (raw) => raw.map((p) => 1 / (1 + Math.exp(-(slope * Math.log(p / (1 - p)) + intercept))));
  return {
    body: (rows) => ({
      inputs: [
        {
          name: 'input-0',
          shape: [rows.length, encoder.width],
          datatype: 'FP32',
          data: encode(rows).map((v) => (Number.isNaN(v) ? null : v)),
        },
      ],
    }),
    grpc: (rows) => ({
      model_name: modelName,
      inputs: [
        {
          name: 'input-0',
          datatype: 'FP32',
          shape: [rows.length, encoder.width],
          contents: { fp32_contents: encode(rows) },
        },
      ],
    }),
    fromJson: (answer) => calibrated(tensorOf(answer)),
    fromGrpc: (answer) => calibrated(grpcTensorOf(answer)),
  };
}
