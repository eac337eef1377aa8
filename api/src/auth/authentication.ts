/**
 * Who may call what. Scoring (/predict, OIP infer) and the model view (/versions, /drift) need
 * the `predict` scope, batches the `batch` scope; health, readiness, metrics, metadata and the web page itself need nothing.
 * A credential is `Authorization: Bearer <JWT>` or `X-API-Key: <key>`; a missing or refused one
 * is a 401 with WWW-Authenticate, a missing scope a 403, both before the body is read, so a
 * refused request never reaches the model. With authentication off every caller is `anonymous`.
 */
import type { Express, RequestHandler, Request } from 'express';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { Scope } from '@peerloan/contracts';
import { CredentialError } from '../errors/credential-error.js';
import { RequestError } from '@peerloan/scoring';
import { ApiKeyStore } from './api-key-store.js';
import { authEnabled, type AuthSettings } from './auth-settings.js';
import { ANONYMOUS, type ClientIdentity } from './client-identity.js';
import { JwtVerifier } from './jwt-verifier.js';

/** The API key's header (HTTP) and metadata key (gRPC). */
export const API_KEY_HEADER = 'x-api-key';
const REALM = 'loanrisk-api';

/** The routes that need a credential and the scope each needs (Express paths, as mounted in app.ts). */
export const PROTECTED_ROUTES: readonly {
  readonly paths: readonly string[];
  readonly methods: 'all' | 'post';
  readonly scope: Scope;
}[] = [
  { paths: ['/predict'], methods: 'all', scope: 'predict' },
  { paths: ['/v2/models/:name/infer', '/v2/models/:name/versions/:version/infer'], methods: 'post', scope: 'predict' },
  { paths: ['/batches'], methods: 'all', scope: 'batch' },
  // The model view: whoever may score may read how the model was built and how it drifts.
  { paths: ['/versions', '/drift'], methods: 'all', scope: 'predict' },
];

/**
 * The web app's cookie: plain navigations (a report opened in a new tab, a results download) carry
 * no header, so for those GETs alone the credential may come as this SameSite=Strict cookie.
 */
const CREDENTIAL_COOKIE = 'loanrisk_credential';
const COOKIE_ROUTES = /^\/(versions\/[^/]+\/report|batches\/[^/]+\/results)$/;

/** What a caller may prove who it is with; the first present wins, in this order. */
export interface Credentials {
  /** `Bearer <JWT>`, as the Authorization header (or gRPC metadata) carries it. */
  readonly authorization?: string;
  readonly apiKey?: string;
  /** The web app's cookie, on the few GET routes that accept it. */
  readonly cookie?: string;
}

function credentialsOf(req: Request): Credentials {
  const key = req.headers[API_KEY_HEADER];
  return {
    authorization: req.headers.authorization,
    apiKey: typeof key === 'string' ? key : undefined,
    cookie: cookieCredential(req),
  };
}

function cookieCredential(req: Request): string | undefined {
  // Mounted with app.use(path), so req.path is below the mount point: the full path is both.
  if (req.method !== 'GET' || !COOKIE_ROUTES.test(`${req.baseUrl}${req.path}`)) return undefined;
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name !== CREDENTIAL_COOKIE) continue;
    try {
      return decodeURIComponent(value.join('=')).trim() || undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export class Authentication {
  private constructor(
    private readonly jwt: JwtVerifier | undefined,
    private readonly apiKeys: ApiKeyStore | undefined,
    private readonly refusals: Counter<'reason'>,
  ) {}

  static async open(settings: AuthSettings, logger: Logger, registry: Registry): Promise<Authentication> {
    if (!authEnabled(settings)) {
      logger.warn(
        'authentication is off: set AUTH_JWKS_URL/AUTH_ISSUER/AUTH_AUDIENCE or AUTH_API_KEYS_FILE outside local development',
      );
    }
    const refusals = new Counter({
      name: 'loanrisk_auth_refusals_total',
      help: 'Requests refused by authentication, by reason (missing, invalid, scope, unavailable)',
      labelNames: ['reason'] as const,
      registers: [registry],
    });
    const jwt = settings.jwt ? new JwtVerifier(settings.jwt) : undefined;
    const apiKeys = settings.apiKeys ? await ApiKeyStore.open(settings.apiKeys, logger, registry) : undefined;
    return new Authentication(jwt, apiKeys, refusals);
  }

  get enabled(): boolean {
    return this.jwt !== undefined || this.apiKeys !== undefined;
  }

  close(): void {
    this.apiKeys?.close();
  }

  /** Mounts `require(scope)` (and whatever must follow it, e.g. rate limits) in front of each protected route. */
  protect(app: Express, after: readonly RequestHandler[] = []): void {
    for (const { paths, methods, scope } of PROTECTED_ROUTES) {
      const handlers = [this.require(scope), ...after];
      if (methods === 'post') app.post([...paths], ...handlers);
      else app.use([...paths], ...handlers);
    }
  }

  /** Sets `res.locals.client`, or answers 401/403/503 through the error handler. */
  require(scope: Scope): RequestHandler {
    return (req, res, next) => {
      if (!this.enabled) {
        res.locals.client = ANONYMOUS;
        next();
        return;
      }
      this.authorize(credentialsOf(req), scope).then(
        (client) => {
          res.locals.client = client;
          next();
        },
        (err: unknown) => {
          if (err instanceof CredentialError && err.status !== 503)
            res.setHeader('www-authenticate', this.challenge(err, scope));
          next(err instanceof CredentialError ? new RequestError(err.status, err.message) : err);
        },
      );
    };
  }

  /**
   * The caller these credentials name, if it holds `scope` (anyone with authentication off); a
   * refusal is a CredentialError (401, 403 or 503), counted by reason. The HTTP routes and the
   * gRPC service both admit their callers here.
   */
  async authorize(credentials: Credentials, scope: Scope): Promise<ClientIdentity> {
    if (!this.enabled) return ANONYMOUS;
    try {
      const client = await this.identify(credentials);
      if (!client.scopes.includes(scope))
        throw new CredentialError(
          'scope',
          `client ${client.id} lacks the ${scope} scope this route needs`,
          'insufficient_scope',
        );
      return client;
    } catch (err) {
      if (err instanceof CredentialError) this.refusals.inc({ reason: err.reason });
      throw err;
    }
  }

  private async identify({ authorization, apiKey, cookie }: Credentials): Promise<ClientIdentity> {
    if (authorization !== undefined) return this.bearer(authorization);
    if (apiKey !== undefined && apiKey !== '') return this.apiKey(apiKey);
    // The page's rule: a value shaped like a JWT is a bearer token, anything else an API key.
    if (cookie) return /^[\w-]+\.[\w-]+\.[\w-]*$/.test(cookie) ? this.bearer(`Bearer ${cookie}`) : this.apiKey(cookie);
    throw new CredentialError('missing', `a credential is required: send ${this.accepted()}`);
  }

  private async bearer(authorization: string): Promise<ClientIdentity> {
    const match = /^Bearer +([^\s]+) *$/i.exec(authorization);
    if (!match)
      throw new CredentialError('invalid', 'the Authorization header must be "Bearer <token>"', 'invalid_request');
    if (!this.jwt)
      throw new CredentialError(
        'invalid',
        `bearer tokens are not accepted by this server: send ${this.accepted()}`,
        'invalid_token',
      );
    return this.jwt.verify(match[1]);
  }

  private apiKey(key: string): ClientIdentity {
    if (!this.apiKeys)
      throw new CredentialError('invalid', `API keys are not accepted by this server: send ${this.accepted()}`);
    const client = this.apiKeys.lookup(key);
    if (!client)
      throw new CredentialError('invalid', 'the API key is not known (revoked, mistyped or for another environment)');
    return client;
  }

  private accepted(): string {
    return [this.jwt ? 'Authorization: Bearer <token>' : undefined, this.apiKeys ? 'X-API-Key: <key>' : undefined]
      .filter(Boolean)
      .join(' or ');
  }

  /** RFC 6750 for bearer tokens; an API-key challenge beside it when keys are accepted. */
  private challenge(err: CredentialError, scope: Scope): string {
    const challenges: string[] = [];
    if (this.jwt) {
      const params = [`realm="${REALM}"`];
      if (err.oauthError)
        params.push(`error="${err.oauthError}"`, `error_description="${err.message.replaceAll('"', "'")}"`);
      if (err.oauthError === 'insufficient_scope') params.push(`scope="${scope}"`);
      challenges.push(`Bearer ${params.join(', ')}`);
    }
    if (this.apiKeys) challenges.push(`ApiKey realm="${REALM}", header="X-API-Key"`);
    return challenges.join(', ');
  }
}
