/** The one call per scoring site: the request's decisions, before its answer is sent. */
import type { Response } from 'express';
import type { LoanRecord } from '@peerloan/contracts';
import type { Prediction } from '../prediction.js';
import { auditEntry, type AuditTrail, type DecisionSource } from '@peerloan/scoring/queues';
import { clientId } from './client-id.js';

/** Resolves when the answer may go (required: once durable); a no-op without a trail. */
export function recordDecisions(
  trail: AuditTrail | undefined,
  requestId: string,
  client: string,
  source: DecisionSource,
  records: readonly LoanRecord[],
  answers: readonly Prediction[],
): Promise<void> {
  if (!trail) return Promise.resolve();
  const decisions = answers.map((a, i) => ({
    inputs: records[i],
    probability: a.probability,
    threshold: a.threshold,
    modelVersion: a.modelVersion,
    reasons: a.reasons,
  }));
  return trail.record(auditEntry(requestId, client, source, decisions));
}

/** recordDecisions for an HTTP request: its request id and client as the middleware left them. */
export function auditDecisions(
  trail: AuditTrail | undefined,
  res: Response,
  source: DecisionSource,
  records: readonly LoanRecord[],
  answers: readonly Prediction[],
): Promise<void> {
  return recordDecisions(trail, res.locals.requestId as string, clientId(res), source, records, answers);
}
