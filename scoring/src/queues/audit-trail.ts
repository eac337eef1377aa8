/**
 * The scoring sites' one call: `record(entry)`. Entries arriving in the same tick go to Redis in
 * one round trip. AUDIT_MODE decides what a failure means:
 * - required: record() rejects with AuditUnavailableError and the caller answers 503, so no
 *   decision is served without a durable record (the chart's Redis fsyncs its AOF before it
 *   replies: appendfsync always);
 * - best-effort: record() returns at once; a failed write is counted in
 *   loanrisk_audit_records_total{outcome="lost"} and logged at most once a minute.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import { AuditUnavailableError } from '../errors/audit-unavailable-error.js';
import { redisConnection } from './redis-connection.js';
import type { AuditEntry } from './audit-record.js';
import { appendEntries, withAuditCommands } from './audit-stream.js';

export type AuditMode = 'off' | 'best-effort' | 'required';

export interface AuditTrailOptions {
  readonly mode: Exclude<AuditMode, 'off'>;
  readonly redisUrl: string;
  /** How long a request's key is remembered, so a retry within it is stored once. */
  readonly dedupSeconds: number;
  readonly logger: Logger;
  readonly registry: Registry;
  /** An existing connection to use (the batch worker's); else the trail opens its own. */
  readonly redis?: Redis;
}

interface Pending {
  readonly entry: AuditEntry;
  readonly done: (err?: Error) => void;
}

const ERROR_LOG_INTERVAL_MS = 60_000;

export class AuditTrail {
  private pending: Pending[] = [];
  private scheduled = false;
  private lastErrorLog = 0;
  private readonly redis: ReturnType<typeof withAuditCommands>;
  private readonly ownsConnection: boolean;
  private readonly records: Counter<'outcome'>;

  constructor(private readonly options: AuditTrailOptions) {
    this.ownsConnection = options.redis === undefined;
    this.redis = withAuditCommands(options.redis ?? redisConnection(options.redisUrl, 'producer'));
    this.records = new Counter({
      name: 'loanrisk_audit_records_total',
      help: 'Audit records by outcome: written, duplicate (a retried request already stored), lost (best-effort write failed), refused (required: answered 503)',
      labelNames: ['outcome'],
      registers: [options.registry],
    });
  }

  get mode(): AuditMode {
    return this.options.mode;
  }

  /** Resolves once durable (required) or at once (best-effort); rejects only in required mode. */
  record(entry: AuditEntry): Promise<void> {
    const written = this.write(entry);
    if (this.options.mode === 'required') return written;
    written.catch(() => undefined);
    return Promise.resolve();
  }

  /**
   * Resolves once the write is done or given up; rejects only in required mode. For work off the
   * request path (batch chunks): waiting costs no answer time there, and a chunk that completes
   * after it cannot lose its records to a crash of the worker.
   */
  recordAndWait(entry: AuditEntry): Promise<void> {
    const written = this.write(entry);
    return this.options.mode === 'required' ? written : written.catch(() => undefined);
  }

  private write(entry: AuditEntry): Promise<void> {
    if (entry.records.length === 0) return Promise.resolve();
    const written = new Promise<void>((resolve, reject) => {
      this.pending.push({
        entry,
        done: (err) => {
          if (err) reject(err);
          else resolve();
        },
      });
    });
    this.schedule();
    return written;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    const total = batch.reduce((sum, p) => sum + p.entry.records.length, 0);
    try {
      const written = await appendEntries(
        this.redis,
        batch.map((p) => p.entry),
        this.options.dedupSeconds,
      );
      this.records.inc({ outcome: 'written' }, written);
      if (total > written) this.records.inc({ outcome: 'duplicate' }, total - written);
      for (const p of batch) p.done();
    } catch (err) {
      const cause = (err as Error).message;
      this.records.inc({ outcome: this.options.mode === 'required' ? 'refused' : 'lost' }, total);
      this.logFailure(cause, total);
      const failure = new AuditUnavailableError(`audit store unavailable: ${cause}`);
      for (const p of batch) p.done(failure);
    }
  }

  private logFailure(cause: string, records: number): void {
    const now = Date.now();
    if (now - this.lastErrorLog < ERROR_LOG_INTERVAL_MS) return;
    this.lastErrorLog = now;
    this.options.logger.warn({ err: cause, records, mode: this.options.mode }, 'audit records not written');
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.ownsConnection) this.redis.disconnect();
  }
}
