/**
 * spec.rollout.approval required: a gated candidate waits (AwaitingApproval, serving nobody) until a
 * LoanRiskModelApproval decides on it. Pure like the state machine: the reconciler lists the
 * approvals and passes them in with the time.
 *
 *   accepted --approval required, no decision--> AwaitingApproval
 *   AwaitingApproval --approve--> history Accepted (Approved) --> begin (shadow, canary or live)
 *   AwaitingApproval --reject--> history Rejected (ApprovalRejected), live unchanged
 *
 * The admission policies make spec.approver the authenticated user and refuse the spec's last
 * author; the operator checks the author again, so a cluster without the policies still has four
 * eyes over the annotation (though not over who typed it).
 */
import {
  HISTORY_LIMIT,
  LAST_CHANGED_BY_ANNOTATION,
  type ApprovalRecord,
  type HistoryEntry,
  type LoanRiskModel,
  type LoanRiskModelApproval,
  type ModelRecord,
} from '@peerloan/contracts';
import type { RolloutSettings } from './settings.js';
import type { RolloutRecord, Transition } from './state-machine.js';

/** The newest approval decision the history holds for a version. */
export function recordedApproval(history: HistoryEntry[], version: string): ApprovalRecord | undefined {
  return history.find((h) => h.version === version && h.approval)?.approval;
}

/** The first decision on this candidate by someone other than the spec's last author. */
export function decisionFor(
  model: LoanRiskModel,
  candidate: ModelRecord,
  approvals: LoanRiskModelApproval[],
): LoanRiskModelApproval | undefined {
  const author = model.metadata.annotations?.[LAST_CHANGED_BY_ANNOTATION];
  const time = (a: LoanRiskModelApproval) => Date.parse(String(a.metadata.creationTimestamp ?? ''));
  return approvals
    .filter((a) => a.spec.model === model.metadata.name && a.spec.version === candidate.version)
    .filter((a) => author !== undefined && a.spec.approver !== author)
    .sort((a, b) => time(a) - time(b))
    .at(0);
}

const fixed = (n: number) => n.toFixed(4);

/** What the reviewer decided on, from the status (never from the approval object). */
export function evidenceOf(candidate: ModelRecord, gate: HistoryEntry | undefined): string {
  const parts = [`cross-validated ROC AUC ${fixed(candidate.metrics.rocAuc)}`];
  const oot = candidate.outOfTime;
  if (oot)
    parts.push(
      `out-of-time ROC AUC ${fixed(oot.rocAuc.value)} [${fixed(oot.rocAuc.low)}, ${fixed(oot.rocAuc.high)}] on ${oot.rows} rows`,
    );
  const cmp = candidate.comparison;
  if (cmp)
    parts.push(
      `paired difference vs ${cmp.baselineVersion} ${fixed(cmp.difference.value)} [${fixed(cmp.difference.low)}, ${fixed(cmp.difference.high)}]`,
    );
  if (gate?.message) parts.push(`gate: ${gate.message}`);
  return parts.join('; ');
}

/** The candidate waits; the Event only when it starts waiting. */
export function awaitApproval(
  record: RolloutRecord,
  candidate: ModelRecord,
  settings: RolloutSettings,
  now: Date,
): Transition {
  const waiting = record.rollout?.phase === 'AwaitingApproval' && record.rollout.version === candidate.version;
  if (waiting) return { record: { ...record, candidate } };
  const message = `waiting for a LoanRiskModelApproval of ${candidate.version} (npx loanrisk-models approve|reject)`;
  return {
    record: {
      ...record,
      candidate,
      rollout: {
        version: candidate.version,
        strategy: settings.strategy,
        phase: 'AwaitingApproval',
        stepStartTime: now.toISOString(),
        message,
      },
    },
    event: {
      type: 'Normal',
      reason: 'AwaitingApproval',
      message: `candidate ${candidate.version} passed the quality gate and serves nobody until approved: ${message}`,
    },
  };
}

/** The reviewer's decision goes into the history; a rejection ends the candidate like a failed gate. */
export function applyApproval(
  record: RolloutRecord,
  candidate: ModelRecord,
  approval: LoanRiskModelApproval,
  evidence: string,
): Transition {
  const { decision, approver } = approval.spec;
  const time = new Date(approval.metadata.creationTimestamp ?? 0).toISOString();
  const approve = decision === 'approve';
  const message = `${approve ? 'approved' : 'rejected'} by ${approver} at ${time}: ${evidence}`;
  const entry: HistoryEntry = {
    version: candidate.version,
    rocAuc: candidate.metrics.rocAuc,
    outcome: approve ? 'Accepted' : 'Rejected',
    time,
    reason: approve ? 'Approved' : 'ApprovalRejected',
    message,
    approval: {
      decision,
      user: approver,
      time,
      object: approval.metadata.name ?? '',
      ...(approval.spec.evidence && { note: approval.spec.evidence }),
      evidence,
    },
  };
  const history = [entry, ...record.history].slice(0, HISTORY_LIMIT);
  const event = {
    type: approve ? ('Normal' as const) : ('Warning' as const),
    reason: approve ? 'Approved' : 'ApprovalRejected',
    message: `candidate ${candidate.version} ${message}`,
  };
  if (approve) return { record: { ...record, candidate: undefined, rollout: undefined, history }, event };
  const rollout = record.rollout && { ...record.rollout, phase: 'Rejected' as const, message };
  return { record: { ...record, candidate: undefined, rollout, history }, event };
}
