/** Content hashes: the same content always gives the same hex digest (names, the training Job's spec hash). */
import { createHash } from 'node:crypto';
import { canonicalJson } from '@peerloan/contracts';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** sha256 of a value's canonical JSON: key order and undefined members do not change it. */
export function contentHash(value: unknown): string {
  return sha256(canonicalJson(value));
}
