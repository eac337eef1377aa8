/**
 * The candidate could not score rows it was given: it is not loaded (missing or refused folder),
 * or its validator refuses rows the live model accepted (e.g. a category it never saw). Never an
 * answer to a client: the live model answers instead and the rows count as the candidate's errors.
 */
import type { FieldProblem } from '@peerloan/scoring';

export type CandidateFailure = 'not-loaded' | 'refused-input';

export class CandidateError extends Error {
  override readonly name = 'CandidateError';

  constructor(
    readonly version: string,
    readonly failure: CandidateFailure,
    readonly details: readonly FieldProblem[] = [],
  ) {
    super(
      failure === 'not-loaded'
        ? `candidate ${version} is not loaded`
        : `candidate ${version} refuses rows the live model accepts: ${details
            .slice(0, 3)
            .map((d) => `${d.field} ${d.message}`)
            .join('; ')}`,
    );
  }
}
