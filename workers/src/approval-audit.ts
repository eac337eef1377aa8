/**
 * Appends each reviewer's decision that the LoanRiskModel's status.history holds (spec.rollout.approval
 * required) to the decision audit trail, so the archive keeps the approval (user, time, version, the
 * evidence it saw) beside the decisions it allowed. From the workers, not the operator: they write
 * the audit stream's archive (the audit role) and already watch the resource.
 *
 * Exactly once: an approval's entry is keyed by namespace, model, version and decision, and the
 * trail's append keeps that key for good, so a repeated watch event, a second replica or a restarted
 * worker stores nothing twice. A failed write is tried again (RetryUntilWritten: the entry stays in
 * the history meanwhile, but no later watch event may come).
 */
import type { Logger } from 'pino';
import {
  APPROVAL_DEDUP_SECONDS,
  appendEntries,
  approvalEntry,
  redisConnection,
  withAuditCommands,
  type AuditEntry,
} from '@peerloan/scoring/queues';
import type { LiveVersionWatch, ModelResource } from './live-version-watch.js';
import { RETRY_MS, RetryUntilWritten } from './retry-until-written.js';

export class ApprovalAudit {
  private readonly redis;
  private readonly writes: RetryUntilWritten;
  /** Keys this process wrote or found written: a later watch event needs no round trip for them. */
  private readonly stored = new Set<string>();

  constructor(
    redisUrl: string,
    private readonly watch: LiveVersionWatch,
    private readonly resource: ModelResource,
    private readonly logger: Logger,
  ) {
    this.redis = withAuditCommands(redisConnection(redisUrl, 'producer'));
    this.writes = new RetryUntilWritten(
      () => this.appendNew(),
      (err) => {
        const approvals = this.unstored().map((e) => e.key);
        logger.warn({ err: err.message, approvals, retryMs: RETRY_MS }, 'approvals not audited');
      },
    );
    watch.onChange(() => {
      void this.record();
    });
  }

  /** Appends the approvals of the history as last seen that this process has not stored yet. */
  record(): Promise<void> {
    return this.writes.next();
  }

  private async appendNew(): Promise<void> {
    const entries = this.unstored();
    if (entries.length === 0) return;
    const keys = entries.map((e) => e.key);
    const written = await appendEntries(this.redis, entries, APPROVAL_DEDUP_SECONDS);
    for (const key of keys) this.stored.add(key);
    // written < keys.length: another replica or an earlier run stored the rest.
    this.logger.info({ approvals: keys, written }, 'approvals audited');
  }

  /** The history's approval decisions not stored yet, oldest first (the history is newest first). */
  private unstored(): AuditEntry[] {
    const { namespace, name } = this.resource;
    const history = this.watch.model?.status?.history ?? [];
    return history
      .flatMap((h) => (h.approval ? [approvalEntry(namespace, name, h.version, h.approval)] : []))
      .reverse()
      .filter((e) => !this.stored.has(e.key));
  }

  close(): void {
    this.writes.close();
    this.redis.disconnect();
  }
}
