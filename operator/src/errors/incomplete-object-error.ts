/**
 * A Kubernetes object lacks metadata the API server always sets (name, namespace, uid): it was
 * built by hand rather than read back, so nothing can be named or owned after it.
 */
export class IncompleteObjectError extends Error {
  override readonly name = 'IncompleteObjectError';
}
