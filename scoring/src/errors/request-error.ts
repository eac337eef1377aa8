/** A client mistake: answered with its status and a JSON body, never logged as a server fault. */
export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export class RequestError extends Error {
  override readonly name = 'RequestError';

  constructor(
    readonly status: number,
    message: string,
    readonly details: readonly FieldProblem[] = [],
  ) {
    super(message);
  }
}
