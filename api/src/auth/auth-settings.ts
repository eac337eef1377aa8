/**
 * Authentication settings from the environment (the contract in docs/ARCHITECTURE.md): bearer
 * JWTs verified against an issuer's JWKS, and/or static API keys from a file of hashes. With
 * none of the variables set authentication is off; half a JWT setting is refused, not guessed.
 */
import { AUTH_ENV } from '@peerloan/contracts';
import { ConfigError, readInteger, readText, type Settings } from '@peerloan/contracts/runtime';

export interface JwtSettings {
  readonly jwksUrl: URL;
  readonly issuer: string;
  readonly audience: string;
  /** Leeway for exp/nbf/iat between the issuer's clock and ours. */
  readonly clockToleranceSeconds: number;
  /** Least time between two JWKS fetches for an unknown `kid` (protects the issuer from junk tokens). */
  readonly jwksCooldownMs: number;
}

export interface ApiKeySettings {
  readonly file: string;
  /** How often the file is checked for a new version (a Secret volume update is a symlink swap). */
  readonly pollMs: number;
}

export interface AuthSettings {
  readonly jwt: JwtSettings | undefined;
  readonly apiKeys: ApiKeySettings | undefined;
}

function jwtSettings(env: Settings): JwtSettings | undefined {
  const { [AUTH_ENV.jwksUrl]: url, [AUTH_ENV.issuer]: issuer, [AUTH_ENV.audience]: audience } = env;
  if (!url && !issuer && !audience) return undefined;
  // Verifying without an issuer or audience would accept any token the key signs for anyone.
  if (!url || !issuer || !audience)
    throw new ConfigError(
      AUTH_ENV.jwksUrl,
      `set together with ${AUTH_ENV.issuer} and ${AUTH_ENV.audience} (all three or none)`,
      url,
    );
  let jwksUrl: URL;
  try {
    jwksUrl = new URL(url);
  } catch {
    throw new ConfigError(AUTH_ENV.jwksUrl, 'an http(s) URL', url);
  }
  if (jwksUrl.protocol !== 'https:' && jwksUrl.protocol !== 'http:')
    throw new ConfigError(AUTH_ENV.jwksUrl, 'an http(s) URL', url);
  return {
    jwksUrl,
    issuer,
    audience,
    clockToleranceSeconds: readInteger(env, 'AUTH_CLOCK_TOLERANCE_SECONDS', 30, { min: 0, max: 600 }),
    jwksCooldownMs: readInteger(env, 'AUTH_JWKS_COOLDOWN_MS', 30_000, { min: 0, max: 3_600_000 }),
  };
}

export function readAuthSettings(env: Settings): AuthSettings {
  const file = readText(env, AUTH_ENV.apiKeysFile);
  return {
    jwt: jwtSettings(env),
    apiKeys: file
      ? { file, pollMs: Math.max(10, readInteger(env, 'AUTH_API_KEYS_POLL_MS', 5000, { min: 0, max: 3_600_000 })) }
      : undefined,
  };
}

export function authEnabled(settings: AuthSettings): boolean {
  return settings.jwt !== undefined || settings.apiKeys !== undefined;
}
