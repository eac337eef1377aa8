/**
 * The audit trail's records. One per decision served: what was asked, by whom, what the model said
 * and why; and one per reviewer's decision on a candidate (spec.rollout.approval required), as the
 * workers find it in the LoanRiskModel's status.history. The stream entry and the archived JSON
 * line are the same object. A decision's id is derived from its request (request id, client,
 * model version, inputs) and its row, so a retried request (same X-Request-Id, same body) yields
 * the same ids and is stored once; an approval's from its model, version and decision.
 */
import { createHash } from 'node:crypto';
import type { ApprovalRecord, LoanRecord } from '@peerloan/contracts';
import type { Reason } from '../explanations.js';

/** Where a decision was served. */
export type DecisionSource = 'predict' | 'instances' | 'oip' | 'batch';

/** A decision served. */
export interface DecisionAuditRecord {
  /** Absent: decisions were the trail's only kind when the archive began, and their lines keep that shape. */
  readonly kind?: undefined;
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

/** A reviewer's decision on a candidate: the history entry's approval (user, time, evidence) and whose candidate. */
export interface ApprovalAuditRecord extends Readonly<ApprovalRecord> {
  readonly kind: 'approval';
  /** The entry's key: `approval:<namespace>/<model>/<version>/<decision>`. */
  readonly id: string;
  readonly namespace: string;
  /** The LoanRiskModel's name. */
  readonly model: string;
  readonly version: string;
}

export type AuditRecord = DecisionAuditRecord | ApprovalAuditRecord;

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
  const records = decisions.map((d, row): DecisionAuditRecord => ({
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

/**
 * The entry of a reviewer's decision, keyed by what makes it one decision: every watcher (each
 * replica, each restart) that finds it in status.history writes the same key, so it is stored once.
 */
export function approvalEntry(namespace: string, model: string, version: string, approval: ApprovalRecord): AuditEntry {
  const key = `approval:${namespace}/${model}/${version}/${approval.decision}`;
  return { key, records: [{ ...approval, kind: 'approval', id: key, namespace, model, version }] };
}
