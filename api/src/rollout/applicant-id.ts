/**
 * The applicant a request is about, for sticky canary routing: the `x-applicant-id` header, else
 * the `id` field of the applicant object (validation lets it through and scoring ignores it).
 * Without either a request is split at random.
 */
import type { Request } from 'express';
import { APPLICANT_ID_FIELD, APPLICANT_ID_HEADER } from '@peerloan/contracts';

/** The header's id, trimmed; undefined when absent or blank. */
export function headerApplicantId(req: Request): string | undefined {
  const value = req.get(APPLICANT_ID_HEADER)?.trim();
  return value ? value : undefined;
}

/** The `id` field of a validated applicant object (a string or a number); undefined when absent, null or blank. */
export function fieldApplicantId(applicant: unknown): string | undefined {
  const value = (applicant as Record<string, unknown>)[APPLICANT_ID_FIELD];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}
