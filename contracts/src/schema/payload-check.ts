/**
 * Reading a payload another process wrote (the trainer's summary, an API pod's rollout stats):
 * Ajv checks it against the same TypeBox schema that types it, and each problem names the field,
 * what it must be and what it was, so the message says what to fix on the writing side.
 */
import { Ajv, type ErrorObject } from 'ajv';
import type { Static, TSchema } from 'typebox';
import { jsonSchema } from './kubernetes-schema.js';

const ajv = new Ajv({
  allErrors: true,
  strict: true,
  verbose: true,
  formats: {
    int32: { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) <= 2 ** 31 },
    int64: { type: 'number', validate: Number.isInteger },
    'date-time': (s: string) => !Number.isNaN(Date.parse(s)),
  },
});

const shown = (value: unknown) => (value === undefined ? 'nothing' : JSON.stringify(value).slice(0, 100));

function problem({ instancePath, keyword, message, params, data }: ErrorObject): string {
  const at = instancePath.slice(1).replaceAll('/', '.');
  if (keyword === 'required') {
    return `${[at, (params as { missingProperty: string }).missingProperty].filter(Boolean).join('.')} is missing`;
  }
  if (keyword === 'enum') {
    const allowed = (params as { allowedValues: unknown[] }).allowedValues;
    return `${at} must be one of ${allowed.map(shown).join(', ')}, got ${shown(data)}`;
  }
  return `${at || 'the payload'} ${message ?? 'is invalid'}, got ${shown(data)}`;
}

export type PayloadCheckResult<T> = { readonly value: T } | { readonly problems: readonly string[] };

/** A checker of values against `schema`: the value typed as the schema's type, or the problems found. */
export function payloadCheck<T extends TSchema>(schema: T): (value: unknown) => PayloadCheckResult<Static<T>> {
  const validate = ajv.compile<Static<T>>(jsonSchema(schema));
  return (value) => (validate(value) ? { value } : { problems: (validate.errors ?? []).map(problem) });
}
