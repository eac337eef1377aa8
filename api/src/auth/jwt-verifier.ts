/**
 * Bearer JWTs checked against the issuer's JWKS with jose: signature (RS256 or ES256 only, so
 * `alg: none` and HMAC tricks never verify), issuer, audience, expiry and not-before with a
 * clock tolerance. jose caches the key set and fetches it again when a token names an unknown
 * `kid` (key rotation), at most once per cooldown.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { CredentialError } from '../errors/credential-error.js';
import type { JwtSettings } from './auth-settings.js';
import type { ClientIdentity } from './client-identity.js';

const ALGORITHMS = ['RS256', 'ES256'];

/** jose's error codes and what the caller should do about each. */
const REJECTIONS: Readonly<Record<string, string>> = {
  ERR_JWT_EXPIRED: 'the token has expired; get a new one from the issuer',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'the token signature does not verify',
  ERR_JWKS_NO_MATCHING_KEY: 'the token is signed by a key the issuer does not publish',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'the token names no kid and the issuer publishes several keys',
  ERR_JOSE_ALG_NOT_ALLOWED: `the token algorithm is not accepted; use ${ALGORITHMS.join(' or ')}`,
  ERR_JOSE_NOT_SUPPORTED: `the token algorithm is not accepted; use ${ALGORITHMS.join(' or ')}`,
  ERR_JWS_INVALID: 'the token is not a valid signed JWT',
  ERR_JWT_INVALID: 'the token is not a valid JWT',
};

function identityOf(payload: JWTPayload): ClientIdentity {
  if (typeof payload.sub !== 'string' || payload.sub === '')
    throw new CredentialError('invalid', 'the token has no sub claim naming the client', 'invalid_token');
  const { scope } = payload;
  const scopes = typeof scope === 'string' ? scope.split(' ').filter(Boolean) : [];
  return { id: payload.sub, kind: 'jwt', scopes };
}

function rejection(err: unknown): CredentialError {
  if (err instanceof CredentialError) return err;
  if (err instanceof errors.JWTClaimValidationFailed) {
    return new CredentialError(
      'invalid',
      `the token's ${err.claim} claim is not accepted (${err.reason}): it must be issued by this API's issuer for its audience`,
      'invalid_token',
    );
  }
  if (err instanceof errors.JWKSTimeout || !(err instanceof errors.JOSEError)) {
    // Not the caller's fault: the issuer's key set is out of reach (or not a key set).
    return new CredentialError('unavailable', "cannot fetch the token issuer's keys (AUTH_JWKS_URL); try again later");
  }
  if (err instanceof errors.JWKSInvalid)
    return new CredentialError('unavailable', "the token issuer's key set (AUTH_JWKS_URL) is not a valid JWKS");
  return new CredentialError('invalid', REJECTIONS[err.code] ?? 'the token is not accepted', 'invalid_token');
}

export class JwtVerifier {
  private readonly keys: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly settings: JwtSettings) {
    this.keys = createRemoteJWKSet(settings.jwksUrl, { cooldownDuration: settings.jwksCooldownMs });
  }

  /** The client the token names, or a CredentialError saying why it is refused. */
  async verify(token: string): Promise<ClientIdentity> {
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ALGORITHMS,
        clockTolerance: this.settings.clockToleranceSeconds,
        requiredClaims: ['exp'],
      });
      return identityOf(payload);
    } catch (err) {
      throw rejection(err);
    }
  }
}
