/**
 * The API's security settings as environment variables (the contract in docs/ARCHITECTURE.md):
 * the API reads them, the operator sets them from a LoanRiskModel's `spec.serving.auth` and
 * `spec.serving.rateLimit`. One list, so neither side spells a name of its own.
 */
export const AUTH_ENV = {
  /** The OIDC issuer's key set (RS256/ES256 keys by kid). */
  jwksUrl: 'AUTH_JWKS_URL',
  /** The `iss` every accepted token carries. */
  issuer: 'AUTH_ISSUER',
  /** The `aud` every accepted token carries. */
  audience: 'AUTH_AUDIENCE',
  /** JSON file of SHA-256 hashed API keys with their client and scopes (a mounted Secret). */
  apiKeysFile: 'AUTH_API_KEYS_FILE',
} as const;

export const RATE_LIMIT_ENV = {
  /** Requests per client per window to the scoring and batch routes; unset or 0: no limit. */
  requests: 'RATE_LIMIT_REQUESTS',
  /** Rows scored per client per window; unset or 0: no limit. */
  rows: 'RATE_LIMIT_ROWS',
  windowSeconds: 'RATE_LIMIT_WINDOW_SECONDS',
} as const;

/** What a credential may do: `predict` scores (/predict, OIP infer), `batch` submits and reads batches. */
export const SCOPES = ['predict', 'batch'] as const;
export type Scope = (typeof SCOPES)[number];

/** Where the operator mounts the API keys Secret in the API container, and the file it names. */
export const API_KEYS_MOUNT = '/etc/peerloan/api-keys';
export const API_KEYS_FILE_NAME = 'api-keys.json';
