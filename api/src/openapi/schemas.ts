/**
 * The document's component schemas. The applicant is built from the feature schema in contracts,
 * and the answers other programs read (predictions, rollout stats, the desk's bodies) are the
 * TypeBox schemas of contracts, so the document cannot disagree with the types; the bodies only
 * this server writes are stated here. api/test/openapi.test.ts checks live answers against all.
 */
import {
  applicantSchema,
  BatchAcceptedSchema,
  BatchStatusSchema,
  ErrorBodySchema,
  FEATURES,
  featureRule,
  FieldProblemSchema,
  jsonSchema,
  PredictionSchema,
  PredictionsSchema,
  PROBABILITY_OUTPUT,
  ReasonSchema,
  RolloutStatsSchema,
  RowProblemSchema,
  VersionStatsSchema,
} from '@peerloan/contracts';
import { ref, type Schema } from './building-blocks.js';
import { deskSchemas } from './desk-schemas.js';

/** What the server's request validator compiles, for the feature schema's categories. */
const applicant: Schema = {
  ...applicantSchema(FEATURES.map((f) => featureRule(f))),
  description: `One loan applicant: the ${String(FEATURES.length)} features. Categories must be ones the served model was trained on (its manifest); nullable features may be null or left out.`,
};

export const schemas: Record<string, Schema> = {
  ...deskSchemas,
  Reason: jsonSchema(ReasonSchema),
  Prediction: jsonSchema(PredictionSchema),
  Predictions: jsonSchema(PredictionsSchema),
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
  FieldProblem: jsonSchema(FieldProblemSchema),
  Error: jsonSchema(ErrorBodySchema),
  OipError: {
    type: 'object',
    required: ['error'],
    additionalProperties: false,
    description: "The Open Inference Protocol's error body: every failed answer under /v2, refusals included.",
    properties: { error: { type: 'string' } },
  },
  BatchAccepted: jsonSchema(BatchAcceptedSchema),
  RowProblem: jsonSchema(RowProblemSchema),
  BatchStatus: jsonSchema(BatchStatusSchema),
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
  VersionStats: jsonSchema(VersionStatsSchema),
  RolloutStats: jsonSchema(RolloutStatsSchema),
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
