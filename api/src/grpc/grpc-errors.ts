/**
 * A failed call's gRPC status: the HTTP status REST would answer, mapped to the code gRPC's own
 * HTTP mapping pairs with it, and the same words as REST's OIP `{error}`. Client mistakes are
 * never logged as faults; anything else is INTERNAL with no detail, logged with its stack.
 */
import { status as Status, type StatusObject } from '@grpc/grpc-js';
import { RequestError } from '@peerloan/scoring';
import { CredentialError } from '../errors/credential-error.js';
import { asRequestError, oipErrorText } from '../http-errors.js';

const CODES: Readonly<Record<number, Status>> = {
  400: Status.INVALID_ARGUMENT,
  401: Status.UNAUTHENTICATED,
  403: Status.PERMISSION_DENIED,
  404: Status.NOT_FOUND,
  // A request larger than a whole row budget: no wait would let it through, it must be split.
  413: Status.RESOURCE_EXHAUSTED,
  429: Status.RESOURCE_EXHAUSTED,
  503: Status.UNAVAILABLE,
};

/** The status of a failed call; `fault` when it is the server's (the caller logs it). */
export function failedStatus(err: unknown): { status: Pick<StatusObject, 'code' | 'details'>; fault: boolean } {
  const known = err instanceof CredentialError ? new RequestError(err.status, err.message) : asRequestError(err);
  const code = known ? CODES[known.status] : undefined;
  if (!known || code === undefined)
    return { status: { code: Status.INTERNAL, details: 'internal error' }, fault: true };
  return { status: { code, details: oipErrorText(known) }, fault: false };
}
