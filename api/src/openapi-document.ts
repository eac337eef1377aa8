/**
 * The OpenAPI 3.1 description of the REST API, served at GET /openapi.json. The applicant schema
 * is built from the feature schema in contracts, so the document cannot disagree with it; the
 * README's endpoint table is generated from the operations' summaries and security
 * (scripts/api-docs.mjs), and api/test/openapi.test.ts validates live answers of every
 * documented response against it and checks each operation's security against the server.
 */
import { FEATURES, PROBABILITY_OUTPUT, type Feature, type Scope } from '@peerloan/contracts';
import { REQUEST_ID } from './request-log.js';

type Schema = Record<string, unknown>;
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema) => ({ 'application/json': { schema } });

function featureSchema(feature: Feature): Schema {
  const base: Schema =
    feature.kind === 'categorical'
      ? { type: 'string', enum: [...feature.categories] }
      : { type: feature.integer ? 'integer' : 'number', minimum: feature.min, maximum: feature.max };
  if (!feature.nullable) return { ...base, description: feature.description };
  const types = [base.type, 'null'];
  const values = base.enum ? { enum: [...(base.enum as string[]), null] } : {};
  return { ...base, ...values, type: types, description: feature.description };
}

const applicant: Schema = {
  type: 'object',
  description:
    'One loan applicant: the ten features. Categories must be ones the served model was trained on (its manifest); nullable features may be null or left out.',
  required: FEATURES.filter((f) => !f.nullable).map((f) => f.name),
  properties: {
    ...Object.fromEntries(FEATURES.map((f) => [f.name, featureSchema(f)])),
    id: {
      type: ['string', 'number'],
      description: 'Optional applicant id: never scored; routes a canary (sticky per applicant).',
    },
  },
  additionalProperties: false,
};

const schemas: Record<string, Schema> = {
  Applicant: applicant,
  Instances: {
    type: 'object',
    required: ['instances'],
    additionalProperties: false,
    properties: {
      instances: {
        type: 'array',
        minItems: 1,
        items: ref('Applicant'),
        description: 'At most MAX_INSTANCES applicants (default 1000).',
      },
    },
  },
  Reason: {
    type: 'object',
    required: ['feature', 'value', 'reference', 'contribution'],
    additionalProperties: false,
    properties: {
      feature: { type: 'string', enum: FEATURES.map((f) => f.name) },
      value: { type: ['number', 'string', 'null'], description: "The applicant's value." },
      reference: { type: ['number', 'string', 'null'], description: 'The typical value of the training data.' },
      contribution: {
        type: 'number',
        description: "Probability with the applicant's value minus probability with the reference value.",
      },
    },
  },
  Prediction: {
    type: 'object',
    required: ['probability', 'decision', 'threshold', 'modelVersion'],
    additionalProperties: false,
    properties: {
      probability: {
        type: 'number',
        minimum: 0,
        maximum: 1,
        description: 'Calibrated probability of being 16-120 days late next quarter.',
      },
      decision: {
        type: 'string',
        enum: ['yes', 'no'],
        description: '"yes" when probability >= threshold: likely to be late.',
      },
      threshold: { type: 'number', minimum: 0, maximum: 1 },
      modelVersion: { type: 'string', description: 'The version that answered (the candidate during a canary).' },
      reasons: {
        type: 'array',
        maxItems: 3,
        items: ref('Reason'),
        description: 'Up to three features raising the probability most; absent with ?explain=false.',
      },
    },
  },
  Predictions: {
    type: 'object',
    required: ['predictions'],
    additionalProperties: false,
    properties: { predictions: { type: 'array', items: ref('Prediction'), description: 'In the order of instances.' } },
  },
  FieldProblem: {
    type: 'object',
    required: ['field', 'message'],
    additionalProperties: false,
    properties: { field: { type: 'string' }, message: { type: 'string' } },
  },
  Error: {
    type: 'object',
    required: ['error', 'details'],
    additionalProperties: false,
    description:
      'Every failed answer outside /v2, refusals by authentication and budgets included: what was wrong and, for bad input, each bad field.',
    properties: { error: { type: 'string' }, details: { type: 'array', items: ref('FieldProblem') } },
  },
  OipError: {
    type: 'object',
    required: ['error'],
    additionalProperties: false,
    description: "The Open Inference Protocol's error body: every failed answer under /v2, refusals included.",
    properties: { error: { type: 'string' } },
  },
  BatchAccepted: {
    type: 'object',
    required: ['id', 'counts'],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      counts: {
        type: 'object',
        required: ['total'],
        additionalProperties: false,
        description:
          'The records the upload was split into; the workers validate them, so valid and invalid rows are in GET /batches/{id}.',
        properties: {
          total: { type: 'integer', minimum: 0 },
        },
      },
    },
  },
  RowProblem: {
    type: 'object',
    required: ['row', 'id', 'errors'],
    additionalProperties: false,
    properties: {
      row: { type: 'integer', minimum: 1, description: '1-based data row (header excluded).' },
      id: { type: 'string' },
      errors: { type: 'array', items: ref('FieldProblem') },
    },
  },
  BatchStatus: {
    type: 'object',
    required: ['id', 'state', 'progress', 'counts', 'modelVersions', 'errors', 'createdAt'],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      state: { type: 'string', enum: ['queued', 'running', 'completed', 'failed'] },
      progress: { type: 'number', minimum: 0, maximum: 1 },
      counts: {
        type: 'object',
        required: ['total', 'scored', 'invalid'],
        additionalProperties: false,
        description: 'scored and invalid grow as the workers read the chunks; scored + invalid = total once completed.',
        properties: {
          total: { type: 'integer', minimum: 0 },
          scored: { type: 'integer', minimum: 0 },
          invalid: { type: 'integer', minimum: 0 },
        },
      },
      modelVersions: { type: 'array', items: { type: 'string' }, description: 'The versions that scored its chunks.' },
      errors: {
        type: 'array',
        maxItems: 100,
        items: ref('RowProblem'),
        description: 'The first invalid rows found so far, in row order.',
      },
      createdAt: { type: 'string', format: 'date-time' },
      failedReason: { type: 'string' },
    },
  },
  Health: {
    type: 'object',
    required: ['status'],
    additionalProperties: false,
    properties: { status: { const: 'ok' } },
  },
  Readiness: {
    type: 'object',
    required: ['ready', 'modelVersion', 'accepting'],
    additionalProperties: false,
    properties: {
      ready: { type: 'boolean' },
      modelVersion: { type: ['string', 'null'] },
      accepting: { type: 'boolean', description: 'False once SIGTERM started the drain.' },
    },
  },
  VersionStats: {
    type: 'object',
    required: ['version', 'rows', 'errors', 'latencyBuckets', 'scoreBins'],
    properties: {
      version: { type: 'string' },
      rows: { type: 'integer', minimum: 0 },
      errors: { type: 'integer', minimum: 0 },
      latencyBuckets: { type: 'array', items: { type: 'integer', minimum: 0 } },
      scoreBins: { type: 'array', items: { type: 'integer', minimum: 0 } },
    },
  },
  RolloutStats: {
    type: 'object',
    required: ['since', 'live'],
    additionalProperties: false,
    description: 'RolloutStats of contracts/src/rollout.ts: counters per serving version since the process started.',
    properties: {
      since: { type: 'string', format: 'date-time' },
      live: ref('VersionStats'),
      candidate: {
        type: 'object',
        allOf: [ref('VersionStats')],
        required: ['mode', 'agreements'],
        properties: {
          mode: { type: 'string', enum: ['shadow', 'canary'] },
          agreements: { type: 'integer', minimum: 0 },
        },
      },
    },
  },
  OipServerMetadata: {
    type: 'object',
    required: ['name', 'version', 'extensions'],
    additionalProperties: false,
    properties: {
      name: { type: 'string' },
      version: { type: 'string' },
      extensions: { type: 'array', items: { type: 'string' } },
    },
  },
  OipLive: {
    type: 'object',
    required: ['live'],
    additionalProperties: false,
    properties: { live: { type: 'boolean' } },
  },
  OipReady: {
    type: 'object',
    required: ['ready'],
    additionalProperties: false,
    properties: { ready: { type: 'boolean' } },
  },
  OipModelReady: {
    type: 'object',
    required: ['name', 'ready'],
    additionalProperties: false,
    properties: { name: { type: 'string' }, ready: { type: 'boolean' } },
  },
  OipTensorMetadata: {
    type: 'object',
    required: ['name', 'datatype', 'shape'],
    additionalProperties: false,
    properties: {
      name: { type: 'string' },
      datatype: { type: 'string', enum: ['BYTES', 'FP32'] },
      shape: { type: 'array', items: { type: 'integer' } },
    },
  },
  OipModelMetadata: {
    type: 'object',
    required: ['name', 'versions', 'platform', 'inputs', 'outputs'],
    additionalProperties: false,
    properties: {
      name: { type: 'string' },
      versions: { type: 'array', items: { type: 'string' } },
      platform: { type: 'string' },
      inputs: {
        type: 'array',
        items: ref('OipTensorMetadata'),
        description: 'One per feature, named as the CSV column: BYTES for the text columns, FP32 for the others.',
      },
      outputs: { type: 'array', items: ref('OipTensorMetadata') },
    },
  },
  OipInferInput: {
    type: 'object',
    required: ['name', 'shape', 'datatype'],
    properties: {
      name: { type: 'string', enum: FEATURES.map((f) => f.name) },
      shape: { type: 'array', items: { type: 'integer', minimum: 0 } },
      datatype: { type: 'string' },
      data: { type: 'array' },
      parameters: {
        type: 'object',
        description: 'binary_data_size when the tensor travels in binary after the JSON header.',
      },
    },
  },
  OipInferRequest: {
    type: 'object',
    required: ['inputs'],
    properties: {
      id: { type: 'string', description: "The request's id, echoed in the answer." },
      inputs: {
        type: 'array',
        items: ref('OipInferInput'),
        description: 'One per feature, all with the same row count.',
      },
      outputs: {
        type: 'array',
        items: {
          type: 'object',
          required: ['name'],
          properties: { name: { const: PROBABILITY_OUTPUT }, parameters: { type: 'object' } },
        },
      },
      parameters: { type: 'object' },
    },
  },
  OipInferResponse: {
    type: 'object',
    required: ['model_name', 'model_version', 'outputs'],
    additionalProperties: false,
    properties: {
      model_name: { type: 'string' },
      model_version: { type: 'string' },
      id: { type: 'string' },
      outputs: {
        type: 'array',
        minItems: 1,
        maxItems: 1,
        items: {
          type: 'object',
          required: ['name', 'datatype', 'shape', 'data'],
          additionalProperties: false,
          properties: {
            name: { const: PROBABILITY_OUTPUT },
            datatype: { const: 'FP32' },
            shape: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 2, maxItems: 2 },
            data: {
              type: 'array',
              items: { type: 'number', minimum: 0, maximum: 1 },
              description: 'The probability of each row, in order; equal to /predict.',
            },
          },
        },
      },
    },
  },
};

type Responses = Record<
  string,
  { description: string; content?: Record<string, unknown>; headers?: Record<string, unknown> }
>;

type ErrorBody = 'Error' | 'OipError';
const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });
const answer = (body: ErrorBody) => (description: string, headers?: Record<string, unknown>) => ({
  description,
  content: json(ref(body)),
  ...(headers && { headers }),
});
const error = answer('Error');
const oipError = answer('OipError');

const JWKS_UNAVAILABLE = "the token issuer's keys (AUTH_JWKS_URL) cannot be fetched";
const AUDIT_UNAVAILABLE =
  'AUDIT_MODE=required and the decision cannot be recorded in the audit trail: retry with the same X-Request-Id';
const capitalized = (text: string) => `${text[0].toUpperCase()}${text.slice(1)}`;
const ROW_BUDGET = 'more rows than a whole row budget (RATE_LIMIT_ROWS): split it';

/**
 * What a protected operation needs (the scope as the role of either scheme: OpenAPI 3.1 allows
 * roles for non-OAuth2 schemes) and the refusals authentication and budgets answer before the
 * route runs. The routes and scopes are Authentication's PROTECTED_ROUTES; the test checks them live.
 */
function protectedBy(
  scope: Scope,
  body: ErrorBody,
  scores: boolean,
): { security: Record<string, string[]>[]; refusals: Responses } {
  const refuse = answer(body);
  const budgets = scores
    ? 'request or row budget (RATE_LIMIT_REQUESTS, RATE_LIMIT_ROWS)'
    : 'request budget (RATE_LIMIT_REQUESTS)';
  return {
    security: [{ bearerAuth: [scope] }, { apiKey: [scope] }],
    refusals: {
      401: refuse('No credential, or a refused one (bad signature, expired, wrong issuer or audience, unknown key)', {
        'WWW-Authenticate': headerRef('WwwAuthenticate'),
      }),
      403: refuse(`The credential lacks the ${scope} scope`, { 'WWW-Authenticate': headerRef('WwwAuthenticate') }),
      429: refuse(`The client's ${budgets} is spent for now`, {
        'Retry-After': headerRef('RetryAfter'),
      }),
    },
  };
}
const predictScope = protectedBy('predict', 'Error', true);
const oipPredictScope = protectedBy('predict', 'OipError', true);
const submitScope = protectedBy('batch', 'Error', true);
const batchScope = protectedBy('batch', 'Error', false);

const modelParameters = [
  {
    name: 'name',
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: 'The model name (MODEL_NAME, default loan-risk).',
  },
];
const versionParameters = [
  ...modelParameters,
  {
    name: 'version',
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: 'The served version; another is a 404.',
  },
];
const batchId = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
const requestIdParameter = { $ref: '#/components/parameters/RequestId' };
const auditedRequestIdParameter = { $ref: '#/components/parameters/AuditedRequestId' };

/** Every answer carries X-Request-Id (request-log.ts sets it before any route runs). */
function withRequestId(responses: Responses): Responses {
  return Object.fromEntries(
    Object.entries(responses).map(([status, response]) => [
      status,
      { ...response, headers: { ...response.headers, 'X-Request-Id': headerRef('RequestId') } },
    ]),
  );
}

function operation(operationId: string, tag: string, summary: string, responses: Responses, extra: Schema = {}) {
  const parameters = (extra.parameters as unknown[] | undefined) ?? [requestIdParameter];
  return { operationId, tags: [tag], summary, ...extra, parameters, responses: withRequestId(responses) };
}

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

function requestIdHeader(description: string) {
  return {
    name: 'X-Request-Id',
    in: 'header',
    required: false,
    schema: { type: 'string', pattern: REQUEST_ID.source },
    description,
  };
}

export interface OpenApiOptions {
  readonly serverVersion: string;
}

export function openApiDocument(options: OpenApiOptions) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'PeerLoan loan-risk API',
      version: options.serverVersion,
      description:
        "Scores PeerLoan loan applicants: the probability of being 16-120 days late next quarter and a decision by the trained threshold. Also serves the Open Inference Protocol v2 (KServe/Triton) and portfolio batches. Scoring needs the predict scope and batches the batch scope, by a bearer JWT or an API key (each operation's security); health, readiness, metrics, metadata and the web page are open. A server started without any AUTH_* variable (local development) enforces none of it: every caller is anonymous. Budgets per client (RATE_LIMIT_*) apply to the protected operations only.",
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    tags: [
      { name: 'Predictions' },
      { name: 'Batches' },
      { name: 'Open Inference Protocol v2' },
      { name: 'Operations' },
    ],
    paths: {
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
      '/batches': {
        post: operation(
          'submitBatch',
          'Batches',
          'A portfolio as CSV (header row; an id column is used when present) or JSON lines -> 202 with its id and record count; the workers parse, validate and score the rows',
          {
            202: {
              description: 'Queued for the batch workers',
              content: json(ref('BatchAccepted')),
              headers: { Location: { schema: { type: 'string' }, description: '/batches/{id}' } },
            },
            400: error(
              'Unreadable upload (not UTF-8, no header naming each feature once, a record over 64 KiB or an unclosed quote, no rows)',
            ),
            413: error(`Above BATCH_MAX_BYTES, or ${ROW_BUDGET}`),
            415: error('Neither text/csv nor application/x-ndjson'),
            ...submitScope.refusals,
            503: error(`No model loaded, no Redis (REDIS_URL) or Redis unreachable, or ${JWKS_UNAVAILABLE}`),
          },
          {
            security: submitScope.security,
            requestBody: {
              required: true,
              content: {
                'text/csv': { schema: { type: 'string' } },
                'application/x-ndjson': { schema: { type: 'string' }, description: 'One applicant object per line.' },
              },
            },
          },
        ),
      },
      '/batches/{id}': {
        parameters: batchId,
        get: operation(
          'batchStatus',
          'Batches',
          'State, progress, counts and the first invalid rows of a batch',
          {
            200: { description: 'The batch', content: json(ref('BatchStatus')) },
            404: error('Unknown, or its results expired'),
            ...batchScope.refusals,
            503: error(`No Redis (REDIS_URL), or ${JWKS_UNAVAILABLE}`),
          },
          { security: batchScope.security },
        ),
      },
      '/batches/{id}/results': {
        parameters: batchId,
        get: operation(
          'batchResults',
          'Batches',
          "CSV id,probability,decision,model_version,reason_1,reason_2,reason_3 of a completed batch (?format=jsonl: JSON lines in /predict's shape)",
          {
            200: {
              description: 'One line per scored row',
              content: {
                'text/csv': {
                  schema: {
                    type: 'string',
                    pattern: '^id,probability,decision,model_version,reason_1,reason_2,reason_3\\n',
                  },
                },
              },
            },
            404: error('Unknown, or its results expired'),
            409: error('Not completed yet'),
            ...batchScope.refusals,
            503: error(`No Redis (REDIS_URL), or ${JWKS_UNAVAILABLE}`),
          },
          { security: batchScope.security },
        ),
      },
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
      '/': {
        get: operation(
          'webPage',
          'Operations',
          "The risk team's web app: one applicant, a portfolio, the model (bundled, no external assets)",
          {
            200: { description: 'The page', content: { 'text/html': { schema: { type: 'string' } } } },
          },
          {
            description:
              "Open: the page and its bundle need no credential; the calls it makes do. A credential entered on the page (kept in the tab's sessionStorage) goes with each call, as Authorization: Bearer when it looks like a JWT, else as X-API-Key; a 401 or 403 asks for one.",
          },
        ),
      },
      '/healthz': {
        get: operation('liveness', 'Operations', 'Liveness', {
          200: { description: 'Alive', content: json(ref('Health')) },
        }),
      },
      '/readyz': {
        get: operation(
          'readiness',
          'Operations',
          'Readiness: the live model is loaded and the server is not draining',
          {
            200: { description: 'Ready', content: json(ref('Readiness')) },
            503: { description: 'Not ready', content: json(ref('Readiness')) },
          },
        ),
      },
      '/metrics': {
        get: operation('metrics', 'Operations', 'Prometheus metrics', {
          200: { description: 'Text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } },
        }),
      },
      '/rollout/stats': {
        get: operation(
          'rolloutStats',
          'Operations',
          "This process's counters per serving version and role since it started",
          {
            200: { description: 'The counters', content: json(ref('RolloutStats')) },
          },
        ),
      },
      '/openapi.json': {
        get: operation('openApi', 'Operations', 'This document', {
          200: { description: 'OpenAPI 3.1', content: json({ type: 'object' }) },
        }),
      },
    },
    components: {
      schemas,
      parameters: {
        RequestId: requestIdHeader(
          "Names the request in the server's logs; echoed in the answer. A value not matching the pattern is replaced by a new UUID.",
        ),
        AuditedRequestId: requestIdHeader(
          "Names the request in the server's logs and its decisions' audit records; echoed in the answer. A value not matching the pattern is replaced by a new UUID. With the audit trail on (AUDIT_MODE), a retry of the same request (same id, same client, same body, answered by the same model version) within AUDIT_DEDUP_SECONDS (default 3600) is recorded once: after a 503 or a lost answer, retry with the same id.",
        ),
      },
      headers: {
        RequestId: {
          description: "The request's id: the caller's X-Request-Id when it matches the pattern, else a new UUID.",
          required: true,
          schema: { type: 'string', pattern: REQUEST_ID.source },
        },
        WwwAuthenticate: {
          description:
            'The accepted credentials (RFC 9110): `Bearer realm="loanrisk-api"` with RFC 6750 error, error_description and (403) scope when tokens are accepted; `ApiKey realm="loanrisk-api", header="X-API-Key"` when API keys are.',
          required: true,
          schema: { type: 'string', pattern: '^(Bearer|ApiKey) realm="loanrisk-api"' },
        },
        RetryAfter: {
          description: 'Seconds until the spent budget has room again.',
          required: true,
          schema: { type: 'integer', minimum: 1 },
        },
      },
      // Which operations require them, and the scope each needs, is declared per operation.
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A JWT whose scope claim grants predict (POST /predict, OIP infer) or batch (the /batches operations).',
        },
        apiKey: {
          type: 'apiKey',
          in: 'header',
          name: 'X-API-Key',
          description:
            'An API key, for services that cannot obtain a JWT; the keys file (AUTH_API_KEYS_FILE) grants it predict, batch or both.',
        },
      },
    },
  };
}
