/** The CLI could not do what was asked and changed nothing; the message says why. */
export class RefusedError extends Error {
  override name = 'RefusedError';
}
