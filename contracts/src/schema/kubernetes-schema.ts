/**
 * A TypeBox schema as the two dialects outside TypeScript read it: a CRD's structural
 * openAPIV3Schema (OpenAPI v3.0) and a Helm chart's values.schema.json (JSON Schema draft-07).
 * Both drop TypeBox's own non-enumerable `~kind` markers (a JSON copy leaves them behind) and say a
 * map as `additionalProperties` (TypeBox's Record is `patternProperties`, which a structural schema
 * forbids); the CRD also spells exclusive bounds OpenAPI v3.0's way (a boolean beside minimum), and
 * the chart's schema leaves out the x-kubernetes-* keywords only the API server reads.
 */
import type { TSchema } from 'typebox';

type Json = Record<string, unknown>;

/** First, in this order, so a reader of the YAML sees what a field is and an object's fields before the rest. */
const LEADING_KEYS = ['type', 'format', 'description', 'x-kubernetes-int-or-string', 'properties', 'required'];
/** Last: what a list or a map holds after the list's or the map's own keywords. */
const TRAILING_KEYS = ['items', 'additionalProperties'];

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function mapValue(schema: Json): Json {
  const { patternProperties, ...rest } = schema;
  if (!isObject(patternProperties)) return rest;
  const values = Object.values(patternProperties);
  if (values.length !== 1) throw new Error('only a Record of string keys has an additionalProperties form');
  return { ...rest, additionalProperties: values[0] };
}

function ordered(schema: Json): Json {
  const keys = Object.keys(schema);
  const middle = keys.filter((k) => !LEADING_KEYS.includes(k) && !TRAILING_KEYS.includes(k));
  return Object.fromEntries(
    [...LEADING_KEYS, ...middle, ...TRAILING_KEYS].filter((k) => k in schema).map((k) => [k, schema[k]]),
  );
}

/** OpenAPI v3.0: `exclusiveMinimum: 0` is `exclusiveMinimum: true, minimum: 0` (and the same for the maximum). */
function openApiBounds(schema: Json): Json {
  return Object.fromEntries(
    Object.entries(schema).flatMap(([key, value]) => {
      if (key === 'exclusiveMinimum')
        return [
          [key, true],
          ['minimum', value],
        ];
      if (key === 'exclusiveMaximum')
        return [
          [key, true],
          ['maximum', value],
        ];
      return [[key, value]];
    }),
  );
}

function convert(node: unknown, dialect: 'openapi' | 'json-schema'): unknown {
  if (Array.isArray(node)) return node.map((n) => convert(n, dialect));
  if (!isObject(node)) return node;
  let schema = mapValue(node);
  if (isObject(schema.properties) && Object.keys(schema.properties).length === 0) delete schema.properties;
  if (dialect === 'openapi') schema = openApiBounds(schema);
  else schema = Object.fromEntries(Object.entries(schema).filter(([key]) => !key.startsWith('x-kubernetes-')));
  const children = Object.entries(ordered(schema)).map(([key, value]) => [
    key,
    // default and example values are data, not schemas.
    key === 'default' || key === 'enum' || key === 'x-kubernetes-validations'
      ? value
      : key === 'properties' && isObject(value)
        ? Object.fromEntries(Object.entries(value).map(([name, s]) => [name, convert(s, dialect)]))
        : convert(value, dialect),
  ]);
  return Object.fromEntries(children);
}

/** The schema as a CRD's openAPIV3Schema (structural: no $ref, maps as additionalProperties). */
export function openApiV3Schema(schema: TSchema): Json {
  return convert(JSON.parse(JSON.stringify(schema)), 'openapi') as Json;
}

/** The schema as JSON Schema draft-07 (what `helm lint` and `helm install` check values with). */
export function jsonSchema(schema: TSchema): Json {
  return convert(JSON.parse(JSON.stringify(schema)), 'json-schema') as Json;
}
