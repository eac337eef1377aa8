/** POST /predict and the Open Inference Protocol v2 (KServe/Triton) paths. */
import {
  auditedRequestIdParameter,
  capitalized,
  error,
  json,
  JWKS_UNAVAILABLE,
  AUDIT_UNAVAILABLE,
  modelParameters,
  oipError,
  oipPredictScope,
  operation,
  predictScope,
  ref,
  ROW_BUDGET,
  versionParameters,
} from './building-blocks.js';

function oipModelPaths(base: string, parameters: unknown[], suffix: string): Record<string, unknown> {
  return {
    [base]: {
      parameters,
      get: operation(
        `oipModelMetadata${suffix}`,
        'Open Inference Protocol v2',
        'Model metadata: one input per feature (BYTES or FP32, shape [-1, 1]), output probability',
        {
          200: { description: 'The model', content: json(ref('OipModelMetadata')) },
          404: oipError('Another model or version, or none loaded yet'),
        },
      ),
    },
    [`${base}/ready`]: {
      parameters,
      get: operation(`oipModelReady${suffix}`, 'Open Inference Protocol v2', 'Whether the model answers', {
        200: { description: 'Ready', content: json(ref('OipModelReady')) },
        503: { description: 'Not loaded yet, or draining', content: json(ref('OipModelReady')) },
        404: oipError('Another model or version'),
      }),
    },
    [`${base}/infer`]: {
      parameters,
      post: operation(
        `oipInfer${suffix}`,
        'Open Inference Protocol v2',
        'Scores the rows of one named input per feature; probability per row, equal to /predict',
        {
          200: {
            description: 'The probabilities (application/octet-stream with the binary tensor extension when asked for)',
            content: {
              ...json(ref('OipInferResponse')),
              'application/octet-stream': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } },
            },
          },
          400: oipError('Bad tensors or values: each named'),
          404: oipError('Another model or version, or none loaded yet'),
          413: oipError(`Body above BODY_LIMIT, or ${ROW_BUDGET}`),
          ...oipPredictScope.refusals,
          503: oipError(`${capitalized(JWKS_UNAVAILABLE)}, or ${AUDIT_UNAVAILABLE}`),
        },
        {
          security: oipPredictScope.security,
          parameters: [
            auditedRequestIdParameter,
            {
              name: 'x-applicant-id',
              in: 'header',
              required: false,
              schema: { type: 'string' },
              description: 'Routes the whole request during a canary.',
            },
          ],
          requestBody: {
            required: true,
            content: {
              ...json(ref('OipInferRequest')),
              'application/octet-stream': {
                schema: { type: 'string', contentMediaType: 'application/octet-stream' },
                description:
                  'Binary tensor extension: JSON header (length in Inference-Header-Content-Length), then the tensors.',
              },
            },
          },
        },
      ),
    },
  };
}

export function predictPaths(): Record<string, unknown> {
  return {
    '/predict': {
      post: operation(
        'predict',
        'Predictions',
        'One applicant -> one prediction; {"instances": [...]} -> {"predictions": [...]} in order',
        {
          200: {
            description: 'The prediction(s)',
            content: json({ oneOf: [ref('Prediction'), ref('Predictions')] }),
          },
          400: error('Invalid input: every bad field is named'),
          413: error(`Body above BODY_LIMIT, or ${ROW_BUDGET}`),
          415: error('Not application/json'),
          ...predictScope.refusals,
          503: error(`No model loaded yet, ${JWKS_UNAVAILABLE}, or ${AUDIT_UNAVAILABLE}`),
        },
        {
          security: predictScope.security,
          parameters: [
            auditedRequestIdParameter,
            {
              name: 'explain',
              in: 'query',
              required: false,
              schema: { type: 'string', enum: ['true', 'false', '1', '0'], default: 'true' },
              description: 'false leaves out reasons.',
            },
            {
              name: 'x-applicant-id',
              in: 'header',
              required: false,
              schema: { type: 'string' },
              description: 'Routes a canary for one applicant (else its id field).',
            },
          ],
          requestBody: { required: true, content: json({ oneOf: [ref('Applicant'), ref('Instances')] }) },
        },
      ),
    },
  };
}

export function oipPaths(): Record<string, unknown> {
  return {
    '/v2': {
      get: operation('oipServerMetadata', 'Open Inference Protocol v2', 'Server metadata', {
        200: { description: 'The server', content: json(ref('OipServerMetadata')) },
      }),
    },
    '/v2/health/live': {
      get: operation('oipLive', 'Open Inference Protocol v2', 'Server liveness', {
        200: { description: 'Live', content: json(ref('OipLive')) },
      }),
    },
    '/v2/health/ready': {
      get: operation('oipReady', 'Open Inference Protocol v2', 'Server readiness', {
        200: { description: 'Ready', content: json(ref('OipReady')) },
        503: { description: 'No model yet, or draining', content: json(ref('OipReady')) },
      }),
    },
    ...oipModelPaths('/v2/models/{name}', modelParameters, ''),
    ...oipModelPaths('/v2/models/{name}/versions/{version}', versionParameters, 'Version'),
  };
}
