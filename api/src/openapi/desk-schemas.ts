/**
 * The bodies the risk desk reads: a completed batch's summary and ranked rows, and the model
 * view (the live model's inputs, the versions held, a version's card, drift windows).
 */
import { FEATURE_NAMES } from '@peerloan/contracts';
import { ref, type Schema } from './building-blocks.js';

const count = { type: 'integer', minimum: 0 };
const share = { type: 'number', minimum: 0, maximum: 1 };
const cell = { type: ['number', 'string', 'null'] };
const interval = {
  type: 'object',
  required: ['value', 'low', 'high'],
  additionalProperties: false,
  properties: { value: share, low: share, high: share },
};

const groupSummary: Schema = {
  type: 'object',
  required: ['value', 'count', 'flagged', 'meanProbability'],
  additionalProperties: false,
  properties: { value: { type: 'string' }, count, flagged: count, meanProbability: share },
};

const batchAnswer: Schema = {
  type: 'object',
  required: ['id', 'probability', 'decision', 'modelVersion', 'reasons'],
  properties: {
    id: { type: 'string' },
    probability: share,
    decision: { type: 'string', enum: ['yes', 'no'] },
    modelVersion: { type: 'string' },
    reasons: { type: 'array', maxItems: 3, items: ref('Reason'), description: "/predict's reasons, largest first." },
  },
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

const driftWindow: Schema = {
  type: 'object',
  required: ['at', 'modelVersion', 'events', 'threshold', 'psi', 'scorePsi'],
  additionalProperties: false,
  properties: {
    at: { type: 'string', format: 'date-time', description: 'When the window closed.' },
    modelVersion: { type: 'string' },
    events: { ...count, description: 'Logged predictions in the window.' },
    threshold: { type: 'number', description: 'The PSI above which a feature counts as drifted.' },
    psi: { type: 'object', additionalProperties: { type: 'number' }, description: 'PSI per feature.' },
    scorePsi: { type: 'number', description: "PSI of the model's probabilities." },
  },
};

export const deskSchemas: Record<string, Schema> = {
  GroupSummary: groupSummary,
  BatchSummary: {
    type: 'object',
    required: [
      'id',
      'threshold',
      'modelVersions',
      'counts',
      'flagged',
      'flaggedShare',
      'histogram',
      'byGrade',
      'byPurpose',
    ],
    additionalProperties: false,
    properties: {
      id: { type: 'string' },
      threshold: share,
      modelVersions: { type: 'array', items: { type: 'string' } },
      counts: {
        type: 'object',
        required: ['total', 'scored', 'invalid'],
        additionalProperties: false,
        properties: { total: count, scored: count, invalid: count },
      },
      flagged: { ...count, description: 'Scored rows at or above the threshold.' },
      flaggedShare: { ...share, description: 'flagged / scored.' },
      histogram: {
        type: 'object',
        required: ['binWidth', 'counts'],
        additionalProperties: false,
        description: 'Scored rows per probability bin, from 0.',
        properties: { binWidth: { type: 'number', exclusiveMinimum: 0 }, counts: { type: 'array', items: count } },
      },
      byGrade: { type: 'array', items: ref('GroupSummary') },
      byPurpose: { type: 'array', items: ref('GroupSummary') },
    },
  },
  BatchAnswer: batchAnswer,
  RankedPage: {
    type: 'object',
    required: ['total', 'offset', 'limit', 'rows'],
    additionalProperties: false,
    properties: {
      total: { ...count, description: 'Scored rows in the batch.' },
      offset: count,
      limit: count,
      rows: {
        type: 'array',
        items: {
          allOf: [ref('BatchAnswer')],
          type: 'object',
          required: ['rank', 'row'],
          properties: {
            rank: { type: 'integer', minimum: 1, description: '1 is the highest probability.' },
            row: { type: 'integer', minimum: 1, description: "The row's number in the upload (data rows from 1)." },
          },
        },
      },
    },
  },
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
  Drift: {
    type: 'object',
    required: ['threshold', 'windows'],
    additionalProperties: false,
    properties: {
      threshold: { type: ['number', 'null'], description: "The newest window's PSI threshold; null before any." },
      windows: { type: 'array', items: driftWindow, description: "The drift monitor's windows, oldest first." },
    },
  },
};
