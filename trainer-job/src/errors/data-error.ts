/** The training data cannot be used as it is; the message says what to fix. */
export class DataError extends Error {
  override readonly name = 'DataError';
}
