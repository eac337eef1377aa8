/**
 * The bodies the risk desk reads: a completed batch's summary and ranked rows, and the model
 * view (the live model's inputs, the versions held, a version's card, drift windows).
 */
import {
  ApprovalRecordSchema,
  AwaitingApprovalAnswerSchema,
  BatchAnswerSchema,
  BatchSummarySchema,
  DriftSchema,
  FEATURE_NAMES,
  GroupSummarySchema,
  jsonSchema,
  RankedPageSchema,
} from '@peerloan/contracts';
import { type Schema } from './building-blocks.js';

const share = { type: 'number', minimum: 0, maximum: 1 };
const cell = { type: ['number', 'string', 'null'] };
const interval = {
  type: 'object',
  required: ['value', 'low', 'high'],
  additionalProperties: false,
  properties: { value: share, low: share, high: share },
};

const heldVersion: Schema = {
  type: 'object',
  required: ['version', 'role', 'trafficPercent', 'loaded'],
  additionalProperties: false,
  properties: {
    version: { type: 'string' },
    role: { type: 'string', enum: ['live', 'candidate', 'shadow'] },
    trafficPercent: { type: 'integer', minimum: 0, maximum: 100, description: 'Whole percent of live answers.' },
    loaded: { type: 'boolean' },
    created: { type: 'string', format: 'date-time' },
    threshold: {
      type: 'object',
      required: ['value', 'policy', 'target'],
      additionalProperties: false,
      properties: {
        value: share,
        policy: { type: 'string', enum: ['fixed', 'target-recall', 'max-flag-rate'] },
        target: { type: 'number', description: "The policy's own value: a fixed threshold, a recall or a flag rate." },
      },
    },
    metrics: {
      type: 'object',
      required: ['rocAuc', 'prAuc', 'brier'],
      additionalProperties: false,
      description: 'Cross-validated means.',
      properties: { rocAuc: share, prAuc: share, brier: share },
    },
    outOfTime: {
      type: 'object',
      required: ['rocAuc'],
      additionalProperties: false,
      description: 'On the later period (out of time), with its 95 % interval.',
      properties: { rocAuc: interval },
    },
  },
};

const historyItem: Schema = {
  type: 'object',
  required: ['version'],
  additionalProperties: false,
  description:
    "In a cluster, the LoanRiskModel's status.history with each quality gate verdict (published by the workers); elsewhere the versions under the models root.",
  properties: {
    version: { type: 'string' },
    created: { type: 'string', format: 'date-time' },
    rocAuc: share,
    verdict: { type: 'string', enum: ['Accepted', 'Rejected'] },
    at: { type: 'string', format: 'date-time' },
    reason: { type: 'string' },
    message: { type: 'string' },
    approval: {
      ...jsonSchema(ApprovalRecordSchema),
      description: "With spec.rollout.approval required: the reviewer's decision that gave this verdict.",
    },
  },
};

const fieldRule: Schema = {
  type: 'object',
  required: ['name', 'kind', 'nullable', 'description', 'reference'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', enum: [...FEATURE_NAMES] },
    kind: { type: 'string', enum: ['numeric', 'categorical'] },
    nullable: { type: 'boolean' },
    min: { type: 'number' },
    max: { type: 'number' },
    integer: { type: 'boolean' },
    categories: { type: 'array', items: { type: 'string' }, description: 'The categories the model was trained on.' },
    description: { type: 'string' },
    reference: { ...cell, description: 'The typical value of the training data (the reasons compare with it).' },
  },
};

export const deskSchemas: Record<string, Schema> = {
  GroupSummary: jsonSchema(GroupSummarySchema),
  BatchSummary: jsonSchema(BatchSummarySchema),
  BatchAnswer: jsonSchema(BatchAnswerSchema),
  RankedPage: jsonSchema(RankedPageSchema),
  Drift: jsonSchema(DriftSchema),
  Features: {
    type: 'object',
    required: ['modelVersion', 'threshold', 'features'],
    additionalProperties: false,
    properties: {
      modelVersion: { type: 'string' },
      threshold: share,
      features: { type: 'array', items: fieldRule },
    },
  },
  Versions: {
    type: 'object',
    required: ['versions', 'history'],
    additionalProperties: false,
    properties: {
      versions: { type: 'array', items: heldVersion, description: 'Live first, then a candidate or shadow.' },
      history: { type: 'array', items: historyItem },
      awaitingApproval: jsonSchema(AwaitingApprovalAnswerSchema),
    },
  },
  ModelCard: {
    type: 'object',
    required: ['schemaVersion', 'version', 'created', 'intendedUse', 'metrics', 'limitations'],
    description: "The version's model-card.json as the trainer wrote it (its full shape: contracts' ModelCard).",
    properties: {
      schemaVersion: { const: 1 },
      version: { type: 'string' },
      created: { type: 'string', format: 'date-time' },
      intendedUse: { type: 'object' },
      metrics: { type: 'object' },
      limitations: { type: 'array', items: { type: 'string' } },
    },
  },
};
