/**
 * The bodies the risk desk reads: a completed batch's summary and ranked rows, and the model
 * view (the live model's inputs, the versions held, a version's card, drift windows).
 */
import {
  BatchAnswerSchema,
  BatchSummarySchema,
  DriftSchema,
  FeaturesAnswerSchema,
  GroupSummarySchema,
  jsonSchema,
  RankedPageSchema,
  VersionsAnswerSchema,
} from '@peerloan/contracts';
import { type Schema } from './building-blocks.js';

export const deskSchemas: Record<string, Schema> = {
  GroupSummary: jsonSchema(GroupSummarySchema),
  BatchSummary: jsonSchema(BatchSummarySchema),
  BatchAnswer: jsonSchema(BatchAnswerSchema),
  RankedPage: jsonSchema(RankedPageSchema),
  Drift: jsonSchema(DriftSchema),
  Features: jsonSchema(FeaturesAnswerSchema),
  Versions: jsonSchema(VersionsAnswerSchema),
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
