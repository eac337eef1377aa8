/**
 * The pieces every part of the OpenAPI document is built from: references, JSON bodies, the
 * refusals of a protected operation (authentication and budgets) and an operation with the
 * X-Request-Id every answer carries.
 */
import type { Scope } from '@peerloan/contracts';
import { REQUEST_ID } from '../request-log.js';

export type Schema = Record<string, unknown>;
export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
export const json = (schema: Schema) => ({ 'application/json': { schema } });

export type Responses = Record<
  string,
  { description: string; content?: Record<string, unknown>; headers?: Record<string, unknown> }
>;

type ErrorBody = 'Error' | 'OipError';
export const headerRef = (name: string) => ({ $ref: `#/components/headers/${name}` });
const answer = (body: ErrorBody) => (description: string, headers?: Record<string, unknown>) => ({
  description,
  content: json(ref(body)),
  ...(headers && { headers }),
});
export const error = answer('Error');
export const oipError = answer('OipError');

export const JWKS_UNAVAILABLE = "the token issuer's keys (AUTH_JWKS_URL) cannot be fetched";
export const AUDIT_UNAVAILABLE =
  'AUDIT_MODE=required and the decision cannot be recorded in the audit trail: retry with the same X-Request-Id';
export const capitalized = (text: string) => `${text[0].toUpperCase()}${text.slice(1)}`;
export const ROW_BUDGET = 'more rows than a whole row budget (RATE_LIMIT_ROWS): split it';

/**
 * What a protected operation needs (the scope as the role of either scheme: OpenAPI 3.1 allows
 * roles for non-OAuth2 schemes) and the refusals authentication and budgets answer before the
 * route runs. The routes and scopes are Authentication's PROTECTED_ROUTES; the test checks them live.
 */
export function protectedBy(
  scope: Scope,
  body: ErrorBody,
  scores: boolean,
): { security: Record<string, string[]>[]; refusals: Responses } {
  const refuse = answer(body);
  const budgets = scores
    ? 'request or row budget (RATE_LIMIT_REQUESTS, RATE_LIMIT_ROWS)'
    : 'request budget (RATE_LIMIT_REQUESTS)';
  return {
    security: [{ bearerAuth: [scope] }, { apiKey: [scope] }],
    refusals: {
      401: refuse('No credential, or a refused one (bad signature, expired, wrong issuer or audience, unknown key)', {
        'WWW-Authenticate': headerRef('WwwAuthenticate'),
      }),
      403: refuse(`The credential lacks the ${scope} scope`, { 'WWW-Authenticate': headerRef('WwwAuthenticate') }),
      429: refuse(`The client's ${budgets} is spent for now`, {
        'Retry-After': headerRef('RetryAfter'),
      }),
    },
  };
}
export const predictScope = protectedBy('predict', 'Error', true);
export const oipPredictScope = protectedBy('predict', 'OipError', true);
export const submitScope = protectedBy('batch', 'Error', true);
export const batchScope = protectedBy('batch', 'Error', false);

export const modelParameters = [
  {
    name: 'name',
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: 'The model name (MODEL_NAME, default loan-risk).',
  },
];
export const versionParameters = [
  ...modelParameters,
  {
    name: 'version',
    in: 'path',
    required: true,
    schema: { type: 'string' },
    description: 'The served version; another is a 404.',
  },
];
export const batchId = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
export const requestIdParameter = { $ref: '#/components/parameters/RequestId' };
export const auditedRequestIdParameter = { $ref: '#/components/parameters/AuditedRequestId' };

/** Every answer carries X-Request-Id (request-log.ts sets it before any route runs). */
function withRequestId(responses: Responses): Responses {
  return Object.fromEntries(
    Object.entries(responses).map(([status, response]) => [
      status,
      { ...response, headers: { ...response.headers, 'X-Request-Id': headerRef('RequestId') } },
    ]),
  );
}

export function operation(operationId: string, tag: string, summary: string, responses: Responses, extra: Schema = {}) {
  const parameters = (extra.parameters as unknown[] | undefined) ?? [requestIdParameter];
  return { operationId, tags: [tag], summary, ...extra, parameters, responses: withRequestId(responses) };
}

export function requestIdHeader(description: string) {
  return {
    name: 'X-Request-Id',
    in: 'header',
    required: false,
    schema: { type: 'string', pattern: REQUEST_ID.source },
    description,
  };
}

/** The model view: whoever may score may read how the model was built and how it drifts. */
export const viewScope = protectedBy('predict', 'Error', false);

/** The web app's cookie, for the GETs a plain navigation makes (a report tab, a download). */
export const CREDENTIAL_COOKIE_NOTE =
  'A browser may send the credential as the loanrisk_credential cookie (SameSite=Strict) instead of a header, which the web app sets for this plain navigation.';
