/**
 * Builders for the schemas of the contracts: each field is declared once as a TypeBox schema, which
 * gives its TypeScript type (`Static`), Ajv's validator, the CRD's openAPIV3Schema
 * (kubernetes-schema.ts) and the chart's values.schema.json.
 *
 * Why TypeBox (the `typebox` package, the maintained 1.x line of @sinclair/typebox): its schemas are
 * plain JSON Schema objects, so Ajv (already the validator of the API and the trainer) compiles them
 * as they are and Kubernetes' structural-schema keywords (x-kubernetes-*, int-or-string, defaults)
 * ride along as options. zod (with zod-to-json-schema) keeps its own runtime model and translates it
 * after the fact: the emitted JSON Schema is a conversion, not the source, and extension keywords
 * need workarounds.
 */
import { Type, type Static, type TSchema, type TSchemaOptions, type TUnsafe } from 'typebox';

export type Options = TSchemaOptions;

export const text = (description: string, options: Options = {}) => Type.String({ description, ...options });

export const flag = (description: string, options: Options = {}) => Type.Boolean({ description, ...options });

export const int32 = (description: string, minimum: number, maximum: number, options: Options = {}) =>
  Type.Integer({ format: 'int32', description, minimum, maximum, ...options });

export const int64 = (description: string, options: Options = {}) =>
  Type.Integer({ format: 'int64', description, ...options });

export const number = (description: string, minimum: number, maximum: number, options: Options = {}) =>
  Type.Number({ description, minimum, maximum, ...options });

/** A number strictly between 0 and 1 (a rate, a probability); the CRD spells the bounds OpenAPI v3.0's way. */
export const openUnit = (description: string, options: Options = {}) =>
  Type.Number({ description, exclusiveMinimum: 0, exclusiveMaximum: 1, ...options });

/** One of `values`, typed as their union; the one list also feeds every enum keyword derived from it. */
export const oneOf = <const V extends readonly (string | number)[]>(
  values: V,
  description?: string,
  options: Options = {},
): TUnsafe<V[number]> =>
  Type.Unsafe<V[number]>({
    type: typeof values[0] === 'number' ? 'integer' : 'string',
    ...(description !== undefined && { description }),
    enum: [...values],
    ...options,
  });

/** An RFC 3339 time as the API server and JSON carry it. */
export const time = (description: string) => text(description, { format: 'date-time' });

/** A measured value with its 95% interval (manifest.ts `Interval`), each within [minimum, maximum]. */
export const interval = (description: string, what: string, minimum: number, maximum: number) =>
  Type.Object(
    {
      value: number(`${what}.`, minimum, maximum),
      low: number('Lower end of the 95% interval.', minimum, maximum),
      high: number('Upper end of the 95% interval.', minimum, maximum),
    },
    { description },
  );

const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** A Kubernetes resource.Quantity: an integer or a string such as 500m or 2Gi. */
const quantity = Type.Union([Type.Integer(), Type.String()], {
  'x-kubernetes-int-or-string': true,
  pattern: QUANTITY_PATTERN,
});
export type Quantity = Static<typeof quantity>;

const quantityMap = (description: string) => Type.Record(Type.String(), quantity, { description });

/** core/v1 ResourceRequirements (requests and limits only). */
export const resources = (what: string, options: Options = {}) =>
  Type.Object(
    {
      requests: Type.Optional(quantityMap('Minimum resources, e.g. {cpu: 500m, memory: 1Gi}.')),
      limits: Type.Optional(quantityMap('Maximum resources, e.g. {cpu: "2", memory: 2Gi}.')),
    },
    { description: `Compute resources of ${what} (core/v1 ResourceRequirements: requests and limits).`, ...options },
  );
export type ResourceRequirements = Static<ReturnType<typeof resources>>;

/** A Kubernetes object name (DNS label). */
export const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
/** A content-derived model version (the artifact folder name). */
export const VERSION_PATTERN = '^[a-z0-9]([-a-z0-9._]*[a-z0-9])?$';

/** A CEL rule with the message the API server answers when an object breaks it. */
export const celRules = (...rules: Array<[rule: string, message: string]>) => ({
  'x-kubernetes-validations': rules.map(([rule, message]) => ({ rule, message })),
});

export type { Static, TSchema };
