/**
 * Authentication settings from the environment (the contract in docs/ARCHITECTURE.md): bearer
 * JWTs verified against an issuer's JWKS, and/or static API keys from a file of hashes. With
 * none of the variables set authentication is off; half a JWT setting is refused, not guessed.
 */
import { AUTH_ENV } from '@peerloan/contracts';
import { ConfigError } from '../errors/config-error.js';

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

type Env = Readonly<Record<string, string | undefined>>;

function wholeNumber(env: Env, name: string, fallback: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > max)
    throw new ConfigError(`${name} must be a whole number from 0 to ${max}, got "${text}"`);
  return value;
}

function jwtSettings(env: Env): JwtSettings | undefined {
  const { [AUTH_ENV.jwksUrl]: url, [AUTH_ENV.issuer]: issuer, [AUTH_ENV.audience]: audience } = env;
  if (!url && !issuer && !audience) return undefined;
  // Verifying without an issuer or audience would accept any token the key signs for anyone.
  if (!url || !issuer || !audience)
    throw new ConfigError(`${AUTH_ENV.jwksUrl}, ${AUTH_ENV.issuer} and ${AUTH_ENV.audience} must be set together`);
  let jwksUrl: URL;
  try {
    jwksUrl = new URL(url);
  } catch {
    throw new ConfigError(`${AUTH_ENV.jwksUrl} must be an http(s) URL, got "${url}"`);
  }
  if (jwksUrl.protocol !== 'https:' && jwksUrl.protocol !== 'http:')
    throw new ConfigError(`${AUTH_ENV.jwksUrl} must be an http(s) URL, got "${url}"`);
  return {
    jwksUrl,
    issuer,
    audience,
    clockToleranceSeconds: wholeNumber(env, 'AUTH_CLOCK_TOLERANCE_SECONDS', 30, 600),
    jwksCooldownMs: wholeNumber(env, 'AUTH_JWKS_COOLDOWN_MS', 30_000, 3_600_000),
  };
}

export function readAuthSettings(env: Env): AuthSettings {
  const file = env[AUTH_ENV.apiKeysFile] || undefined;
  return {
    jwt: jwtSettings(env),
    apiKeys: file
      ? { file, pollMs: Math.max(10, wholeNumber(env, 'AUTH_API_KEYS_POLL_MS', 5000, 3_600_000)) }
      : undefined,
  };
}

export function authEnabled(settings: AuthSettings): boolean {
  return settings.jwt !== undefined || settings.apiKeys !== undefined;
}
