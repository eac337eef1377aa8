/** A duration field (e.g. spec.drift.window) does not read as one; the message quotes it. */
export class DurationError extends Error {
  override readonly name = 'DurationError';
}
