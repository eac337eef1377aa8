/**
 * A real token issuer for the tests: key pairs made with jose, their public halves served as a
 * JWKS on 127.0.0.1, and tokens signed with any of them. Keys can be published and withdrawn
 * while it runs (rotation by kid); `fetches` counts JWKS downloads.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export const ISSUER = 'https://issuer.test.peerloan.io/';
export const AUDIENCE = 'loan-risk-api';

export interface SigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

export async function signingKey(kid: string, alg: 'RS256' | 'ES256' = 'RS256'): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

export interface TokenOptions {
  readonly sub?: string;
  readonly scope?: string;
  readonly issuer?: string;
  readonly audience?: string;
  /** Seconds from now (negative: in the past). */
  readonly expiresIn?: number;
  readonly notBefore?: number;
  readonly claims?: JWTPayload;
  /** The kid written in the header (defaults to the signing key's). */
  readonly kid?: string;
}

export async function token(key: SigningKey, options: TokenOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwt = new SignJWT({ scope: options.scope ?? 'predict batch', ...options.claims })
    .setProtectedHeader({ alg: key.alg, kid: options.kid ?? key.kid, typ: 'JWT' })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresIn ?? 300));
  if (options.sub !== '') jwt.setSubject(options.sub ?? 'scoring-service');
  if (options.notBefore !== undefined) jwt.setNotBefore(now + options.notBefore);
  return jwt.sign(key.privateKey);
}

export class JwksServer {
  private published: SigningKey[] = [];
  fetches = 0;

  private constructor(private readonly server: Server) {}

  static async start(keys: readonly SigningKey[]): Promise<JwksServer> {
    const server = createServer();
    const jwks = new JwksServer(server);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (req.url !== '/.well-known/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      jwks.fetches += 1;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: jwks.published.map((k) => k.jwk) }));
    });
    jwks.publish(...keys);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return jwks;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/.well-known/jwks.json`;
  }

  publish(...keys: SigningKey[]): void {
    this.published.push(...keys);
  }

  withdraw(kid: string): void {
    this.published = this.published.filter((k) => k.kid !== kid);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}

/** The environment that turns JWT authentication on against this issuer. */
export function jwtEnv(jwks: JwksServer): Record<string, string> {
  return { AUTH_JWKS_URL: jwks.url, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, AUTH_JWKS_COOLDOWN_MS: '0' };
}
