/**
 * The one feature validator: what a feature's value must be, how that is said, and whether a
 * value is it. The CSV rows of the trainer and of batch uploads (row-validation.ts) and the API's
 * JSON requests (its compiled schema is built from these rules) name a bad value the same way.
 */
import { Type, type Static } from 'typebox';
import { FEATURE_NAMES, type Feature } from './features.js';
import { oneOf } from './schema/fields.js';

/**
 * What a field must be, as told to whoever sent a value that is not that. GET /features answers
 * the served model's rules (api-answers.ts adds each one's reference value), so this one schema
 * is the validator's type, the web app's and the OpenAPI document's.
 */
export const FieldRuleSchema = Type.Object(
  {
    name: oneOf(FEATURE_NAMES, 'The feature (its column name).'),
    kind: oneOf(['numeric', 'categorical']),
    nullable: Type.Boolean({ description: 'Whether null (missing) is allowed.' }),
    min: Type.Optional(Type.Number()),
    max: Type.Optional(Type.Number()),
    integer: Type.Optional(Type.Boolean()),
    categories: Type.Optional(
      Type.Immutable(
        Type.Array(Type.String(), {
          description:
            "The categories allowed (a served model's: those it was trained on); absent: any category name (the trainer learns them from its data).",
        }),
      ),
    ),
    description: Type.String(),
  },
  { additionalProperties: false },
);
export type FieldRule = Readonly<Static<typeof FieldRuleSchema>>;

/**
 * The rule of one feature. `categories` narrows a categorical feature to a model's (its
 * manifest's); `'any'` accepts every non-empty name, as training data may bring new ones.
 */
export function featureRule(feature: Feature, categories?: readonly string[] | 'any'): FieldRule {
  const common = { name: feature.name, nullable: feature.nullable, description: feature.description };
  if (feature.kind === 'numeric')
    return { ...common, kind: 'numeric', min: feature.min, max: feature.max, integer: feature.integer ?? false };
  if (categories === 'any') return { ...common, kind: 'categorical' };
  return { ...common, kind: 'categorical', categories: categories ?? feature.categories };
}

/** "must be ...": the allowed values of a field. */
export function describeRule(rule: FieldRule): string {
  const orNull = rule.nullable ? ' or null' : '';
  if (rule.kind === 'categorical') {
    if (rule.categories === undefined) return `must be a category name${orNull}`;
    return `must be one of ${rule.categories.map((c) => JSON.stringify(c)).join(', ')}${orNull}`;
  }
  const what = rule.integer ? 'a whole number' : 'a number';
  return `must be ${what} from ${rule.min} to ${rule.max}${orNull}`;
}

/** A value as quoted back in a message: JSON, cut at 60 characters. */
export function shownValue(value: unknown): string {
  // JSON.stringify gives undefined (though typed string) for undefined and functions.
  const text = (JSON.stringify(value) as string | undefined) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Whether a present value is allowed (the check behind checkFieldValue, for callers that only need yes or no). */
export function acceptsValue(rule: FieldRule, value: unknown): boolean {
  if (rule.kind === 'categorical')
    return typeof value === 'string' && value !== '' && (rule.categories?.includes(value) ?? true);
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  if (value < (rule.min ?? -Infinity) || value > (rule.max ?? Infinity)) return false;
  return !rule.integer || Number.isInteger(value);
}

/** The problem with one value (null and undefined are missing), or null when it is allowed. */
export function checkFieldValue(rule: FieldRule, value: unknown): string | null {
  if (value === null || value === undefined) return rule.nullable ? null : 'is required';
  return acceptsValue(rule, value) ? null : `${describeRule(rule)}, got ${shownValue(value)}`;
}
