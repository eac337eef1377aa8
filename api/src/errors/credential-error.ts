/**
 * A request refused by authentication: no credential (401), one that cannot be accepted (401),
 * one that lacks a scope (403), or an issuer whose keys cannot be fetched (503). `oauthError` is
 * the RFC 6750 error code a bearer token's WWW-Authenticate challenge carries.
 */
export type OAuthError = 'invalid_request' | 'invalid_token' | 'insufficient_scope';

export type RefusalReason = 'missing' | 'invalid' | 'scope' | 'unavailable';

const STATUS: Readonly<Record<RefusalReason, 401 | 403 | 503>> = {
  missing: 401,
  invalid: 401,
  scope: 403,
  unavailable: 503,
};

export class CredentialError extends Error {
  override readonly name = 'CredentialError';
  readonly status: 401 | 403 | 503;

  constructor(
    readonly reason: RefusalReason,
    message: string,
    readonly oauthError?: OAuthError,
  ) {
    super(message);
    this.status = STATUS[reason];
  }
}
