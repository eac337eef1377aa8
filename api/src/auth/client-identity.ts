/**
 * Who is calling: what authentication found, kept in `res.locals.client` for the routes after it
 * (the audit trail records it, the rate limits key their budgets by it).
 */
import type { Response } from 'express';
import { SCOPES } from '@peerloan/contracts';

export interface ClientIdentity {
  /** The token's `sub`, the API key's client name, or `anonymous` with authentication off. */
  readonly id: string;
  readonly kind: 'jwt' | 'api-key' | 'anonymous';
  readonly scopes: readonly string[];
}

/** Every caller while authentication is off (local development). */
export const ANONYMOUS: ClientIdentity = Object.freeze({
  id: 'anonymous',
  kind: 'anonymous',
  scopes: Object.freeze([...SCOPES]),
});

/** The caller of a request that went through authentication. */
export function clientOf(res: Response): ClientIdentity {
  return (res.locals as { client?: ClientIdentity }).client ?? ANONYMOUS;
}
