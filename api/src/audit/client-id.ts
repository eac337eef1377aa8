/**
 * The client a decision was served to, as authentication leaves it in res.locals.client
 * (ClientIdentity); `anonymous` when auth is off.
 */
import type { Response } from 'express';

export function clientId(res: Response): string {
  return (res.locals.client as { id?: string } | undefined)?.id ?? 'anonymous';
}
