/** Reading optional fields of Kubernetes objects in tests: a missing one fails the test by name. */
import assert from 'node:assert/strict';

/** `value`, which the test needs; an AssertionError naming `what` when it is missing. */
export function required<T>(value: T | null | undefined, what: string): T {
  assert.ok(value !== undefined && value !== null, `expected ${what} to be set`);
  return value;
}
