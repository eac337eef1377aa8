import type { FieldProblem } from '@peerloan/contracts';

export type { FieldProblem };

/** A client mistake: answered with its status and a JSON body, never logged as a server fault. */
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
