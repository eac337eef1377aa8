/** No model is loaded yet (or every version so far was refused): 503, the client may retry. */
export class NoModelError extends Error {
  override readonly name = 'NoModelError';

  constructor() {
    super('no model is loaded yet; see /readyz');
  }
}
