/**
 * One audit record per decision served: what was asked, by whom, what the model said and why.
 * The stream entry and the archived JSON line are the same object. A record's id is derived from
 * its request (request id, client, model version, inputs) and its row, so a retried request
 * (same X-Request-Id, same body) yields the same ids and is stored once.
 */
import { createHash } from 'node:crypto';
import type { LoanRecord } from '@peerloan/contracts';
import type { Reason } from '../explanations.js';

/** Where a decision was served. */
export type DecisionSource = 'predict' | 'instances' | 'oip' | 'batch';

export interface AuditRecord {
  /** `<request key>:<row>`: unique per decision, equal for a retry of the same request. */
  readonly id: string;
  /** ISO 8601, UTC: when the decision was made. */
  readonly time: string;
  readonly requestId: string;
  /** The authenticated client's id, or `anonymous` with auth off. */
  readonly client: string;
  readonly source: DecisionSource;
  readonly modelVersion: string;
  readonly threshold: number;
  readonly inputs: LoanRecord;
  readonly probability: number;
  readonly decision: 'yes' | 'no';
  readonly reasons?: readonly Reason[];
}

/** One decision as a scoring site hands it over. */
export interface Decision {
  readonly inputs: LoanRecord;
  readonly probability: number;
  readonly threshold: number;
  readonly modelVersion: string;
  readonly reasons?: readonly Reason[];
}

/** The records of one request (or one batch chunk) and the key that makes its write idempotent. */
export interface AuditEntry {
  readonly key: string;
  readonly records: readonly AuditRecord[];
}

/**
 * Hash of what makes a request the same request: a retry repeats all of it. With `inputsText`
 * (the inputs as the request sent them) that text is hashed with the model versions instead of
 * each decision's inputs as JSON, which was the larger part of auditing a batch chunk.
 */
function requestKey(
  requestId: string,
  client: string,
  source: DecisionSource,
  part: string,
  decisions: readonly Decision[],
  inputsText: string | undefined,
): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify([requestId, client, source, part]));
  if (inputsText === undefined) {
    for (const d of decisions) hash.update(JSON.stringify([d.modelVersion, d.inputs]));
  } else {
    hash.update(JSON.stringify([...new Set(decisions.map((d) => d.modelVersion))]));
    hash.update(inputsText);
  }
  return hash.digest('base64url').slice(0, 32);
}

/**
 * `part` tells apart pieces of one request stored separately (a batch's chunks); `inputsText`,
 * when the caller has the inputs as sent (a chunk's staged records), keys the entry by that text.
 */
export function auditEntry(
  requestId: string,
  client: string,
  source: DecisionSource,
  decisions: readonly Decision[],
  part = '',
  inputsText?: string,
): AuditEntry {
  const key = requestKey(requestId, client, source, part, decisions, inputsText);
  const now = new Date();
  const time = now.toISOString();
  const records = decisions.map((d, row): AuditRecord => ({
    id: `${key}:${row}`,
    time,
    requestId,
    client,
    source,
    modelVersion: d.modelVersion,
    threshold: d.threshold,
    inputs: d.inputs,
    probability: d.probability,
    decision: d.probability >= d.threshold ? 'yes' : 'no',
    ...(d.reasons ? { reasons: d.reasons } : {}),
  }));
  return { key, records };
}
