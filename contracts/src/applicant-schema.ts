/**
 * The JSON Schema of one applicant, built from feature rules: the API's request validator
 * compiles it for a served model's rules (its manifest's categories), and the OpenAPI document
 * publishes it for the feature schema's, so what the server accepts and what the document says
 * cannot disagree.
 */
import type { FieldRule } from './feature-rules.js';
import { APPLICANT_ID_FIELD } from './rollout.js';

type JsonSchema = Record<string, unknown>;

function categoricalSchema(rule: FieldRule): JsonSchema {
  // No categories: any non-empty name (training data may bring new ones).
  if (!rule.categories) return { type: rule.nullable ? ['string', 'null'] : 'string', minLength: 1 };
  return rule.nullable
    ? { type: ['string', 'null'], enum: [...rule.categories, null] }
    : { type: 'string', enum: [...rule.categories] };
}

function propertySchema(rule: FieldRule): JsonSchema {
  const type = rule.integer ? 'integer' : 'number';
  const value =
    rule.kind === 'categorical'
      ? categoricalSchema(rule)
      : { type: rule.nullable ? [type, 'null'] : type, minimum: rule.min, maximum: rule.max };
  return { ...value, description: rule.description };
}

/** anyOf rather than a type list: Ajv's strict mode allows a list only as a type or null. */
const APPLICANT_ID_SCHEMA: JsonSchema = {
  anyOf: [{ type: 'string' }, { type: 'number' }, { type: 'null' }],
  description: 'Optional applicant id: never scored; routes a canary (sticky per applicant).',
};

export function applicantSchema(rules: readonly FieldRule[]): JsonSchema {
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      ...Object.fromEntries(rules.map((rule) => [rule.name, propertySchema(rule)])),
      [APPLICANT_ID_FIELD]: APPLICANT_ID_SCHEMA,
    },
    // A nullable feature may be left out: absent and null both mean missing.
    required: rules.filter((rule) => !rule.nullable).map((rule) => rule.name),
  };
}
