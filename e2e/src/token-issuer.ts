/**
 * A stand-in for the platform's OIDC issuer (`https://login.peerloan.io/realms/risk` in the prod
 * values): its key set and a client-credentials token endpoint on this machine, reachable by the
 * API pods at the node's address. Tokens are RS256, signed with a key made at start, and carry
 * the issuer and audience the prod values name, so the API checks them as it would prod's.
 */
import { createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const PROD_ISSUER = 'https://login.peerloan.io/realms/risk';
export const PROD_AUDIENCE = 'loan-risk-api';
const CERTS_PATH = '/realms/risk/protocol/openid-connect/certs';
const TOKEN_PATH = '/realms/risk/protocol/openid-connect/token';

const base64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url');

export class TokenIssuer {
  private readonly kid = randomUUID();
  private readonly privateKey: KeyObject;
  private readonly server: Server;
  /** Tokens handed out. */
  issued = 0;

  private constructor(private readonly clientSecret: string) {
    this.privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    this.server = createServer((req, res) => {
      this.answer(req, res).catch((err: unknown) => {
        res.writeHead(500).end((err as Error).message);
      });
    });
  }

  /** Listens on every address: the API pods reach it at the node's. */
  static async start(clientSecret: string): Promise<TokenIssuer> {
    const issuer = new TokenIssuer(clientSecret);
    await new Promise<void>((resolve) => issuer.server.listen(0, '0.0.0.0', resolve));
    return issuer;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** The key set's URL as pods see it, with `host` the node's address. */
  jwksUrl(host: string): string {
    return `http://${host}:${this.port}${CERTS_PATH}`;
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method === 'GET' && req.url === CERTS_PATH) {
      const jwk = createPublicKey(this.privateKey).export({ format: 'jwk' });
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ keys: [{ ...jwk, kid: this.kid, alg: 'RS256', use: 'sig' }] }));
      return;
    }
    if (req.method === 'POST' && req.url === TOKEN_PATH) {
      let body = '';
      for await (const chunk of req) body += String(chunk);
      const form = new URLSearchParams(body);
      if (form.get('grant_type') !== 'client_credentials' || form.get('client_secret') !== this.clientSecret) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"error": "invalid_client"}');
        return;
      }
      const token = this.token(form.get('client_id') ?? 'unknown', form.get('scope') ?? '');
      this.issued++;
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 3600 }));
      return;
    }
    res.writeHead(404).end();
  }

  private token(client: string, scope: string): string {
    const now = Math.floor(Date.now() / 1000);
    const header = base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: this.kid }));
    const payload = base64url(
      JSON.stringify({ iss: PROD_ISSUER, aud: PROD_AUDIENCE, sub: client, scope, iat: now, exp: now + 3600 }),
    );
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), this.privateKey);
    return `${header}.${payload}.${base64url(signature)}`;
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
