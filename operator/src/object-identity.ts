/**
 * The name, namespace and uid of an object read from the API server. Its types mark them optional
 * (a manifest being written has none yet); every object the operator reconciles has them, so a
 * missing one is a programming error, reported as such instead of sending "undefined" to the API.
 */
import { IncompleteObjectError } from './errors/incomplete-object-error.js';

interface Identified {
  kind?: string;
  metadata?: { name?: string; namespace?: string; uid?: string };
}

function field(obj: Identified, key: 'name' | 'namespace' | 'uid'): string {
  const value = obj.metadata?.[key];
  if (value) return value;
  const what = `${obj.kind ?? 'object'} ${obj.metadata?.name ?? '(unnamed)'}`;
  throw new IncompleteObjectError(
    `${what} has no metadata.${key}: only objects read from the API server can be used here`,
  );
}

export function nameOf(obj: Identified): string {
  return field(obj, 'name');
}

export function namespaceOf(obj: Identified): string {
  return field(obj, 'namespace');
}

export function uidOf(obj: Identified): string {
  return field(obj, 'uid');
}
