/**
 * The worker's audit consumer: reads the audit stream in the `archive` consumer group, writes the
 * records to the day-partitioned files and only then acknowledges and deletes the entries, so a
 * crash between the two writes the batch again (the same file name: replaced) but never loses
 * one. A read that found fewer than READ_COUNT entries is followed by a pause of
 * AUDIT_ARCHIVE_INTERVAL_MS, so a quiet stream gives a few files a minute, not one per
 * decision; meanwhile the records wait in Redis, durably. The pause ends early once READ_COUNT
 * entries wait: a batch adds that many in a second or two, and a 10 s pause at its start left
 * 400k records (400 MB of Redis) waiting in bench:desk. Entries a dead consumer (an old pod)
 * left pending are claimed after CLAIM_IDLE_MS. Retention runs at start and hourly.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import {
  AUDIT_GROUP,
  AUDIT_STREAM,
  redisConnection,
  streamEntryLines,
  type AuditRecord,
} from '@peerloan/scoring/queues';
import { settledWithin } from '@peerloan/contracts/runtime';
import { dayOf, removeDaysBefore, writeBatch } from './audit-files.js';

export interface AuditArchiverOptions {
  readonly redisUrl: string;
  readonly dir: string;
  readonly retentionDays: number;
  /** Unique per process (hostname and pid): names its part files and its consumer. */
  readonly consumer: string;
  /** Pause after a read that did not fill a batch. */
  readonly intervalMs: number;
  readonly logger: Logger;
  readonly registry: Registry;
}

// An entry deleted (trimmed) while pending comes back with null fields.
type StreamEntry = [id: string, fields: string[] | null];
type LiveEntry = [id: string, fields: string[]];

const READ_COUNT = 1000;
const BLOCK_MS = 1000;
const CLAIM_IDLE_MS = 60_000;
const RETENTION_EVERY_MS = 3_600_000;
const RETRY_MS = 1000;
/** How often a pause looks at the stream's length. */
const BACKLOG_CHECK_MS = 1000;

export class AuditArchiver {
  private stopping = false;
  /** The consumer group is known to exist (see ensureGroup). */
  private groupReady = false;
  private readonly redis: Redis;
  private readonly archived: Counter;
  private loop: Promise<void> | undefined;
  private lastClaim = 0;
  private lastRetention = 0;
  private wake: () => void = () => undefined;

  constructor(private readonly options: AuditArchiverOptions) {
    this.redis = redisConnection(options.redisUrl, 'worker');
    this.archived = new Counter({
      name: 'loanrisk_audit_archived_total',
      help: 'Audit records written to the data volume',
      registers: [options.registry],
    });
  }

  start(): void {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    // isStopping(), not the field: close() sets it during the awaits below.
    while (!this.isStopping()) {
      try {
        await this.ensureGroup();
        await this.applyRetention();
        // Our own pending entries first (a previous failed write), then new ones.
        let entries = await this.read('0');
        if (entries.length === 0) entries = await this.claimAbandoned();
        if (entries.length === 0) entries = await this.read('>');
        if (entries.length > 0) await this.archive(entries);
        if (entries.length < READ_COUNT && !this.isStopping()) await this.pauseUnlessBacklog(this.options.intervalMs);
      } catch (err) {
        if (this.isStopping()) break;
        // The stream or its group was removed (e.g. Redis lost its data): create it again.
        if ((err as Error).message.includes('NOGROUP')) this.groupReady = false;
        this.options.logger.warn({ err: (err as Error).message }, 'audit archiving failed, retrying');
        await this.pause(RETRY_MS);
      }
    }
  }

  private isStopping(): boolean {
    return this.stopping;
  }

  /** A wait that close() ends early. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** A pause of `ms` that ends once READ_COUNT entries wait (or close() is called). */
  private async pauseUnlessBacklog(ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (!this.isStopping() && Date.now() < until) {
      await this.pause(Math.min(BACKLOG_CHECK_MS, until - Date.now()));
      if (!this.isStopping() && (await this.redis.xlen(AUDIT_STREAM)) >= READ_COUNT) return;
    }
  }

  /**
   * Creates the consumer group once. XGROUP CREATE is a write Redis refuses when full
   * (maxmemory, noeviction) even where the group exists; reading, acknowledging and deleting are
   * not refused, and they are what frees the memory: so a group that exists is looked up
   * (XINFO GROUPS, a read) rather than created, and once known it is not created again.
   */
  private async ensureGroup(): Promise<void> {
    if (this.groupReady) return;
    try {
      await this.redis.xgroup('CREATE', AUDIT_STREAM, AUDIT_GROUP, '0', 'MKSTREAM');
    } catch (err) {
      const busy = err instanceof Error && err.message.includes('BUSYGROUP');
      if (!busy && !(await this.groupExists())) throw err;
    }
    this.groupReady = true;
  }

  private async groupExists(): Promise<boolean> {
    const groups = (await this.redis.xinfo('GROUPS', AUDIT_STREAM).catch(() => [])) as unknown[][];
    return groups.some((g) => g[g.indexOf('name') + 1] === AUDIT_GROUP);
  }

  private async read(from: '0' | '>'): Promise<LiveEntry[]> {
    const args = [
      'GROUP',
      AUDIT_GROUP,
      this.options.consumer,
      'COUNT',
      READ_COUNT,
      ...(from === '>' ? ['BLOCK', BLOCK_MS] : []),
      'STREAMS',
      AUDIT_STREAM,
      from,
    ] as const;
    const reply = (await this.redis.call('XREADGROUP', ...args)) as [string, StreamEntry[]][] | null;
    return (reply?.[0]?.[1] ?? []).filter(isLive);
  }

  private async claimAbandoned(): Promise<LiveEntry[]> {
    if (Date.now() - this.lastClaim < CLAIM_IDLE_MS / 2) return [];
    this.lastClaim = Date.now();
    const reply = (await this.redis.call(
      'XAUTOCLAIM',
      AUDIT_STREAM,
      AUDIT_GROUP,
      this.options.consumer,
      CLAIM_IDLE_MS,
      '0',
      'COUNT',
      READ_COUNT,
    )) as [string, StreamEntry[]];
    return reply[1].filter(isLive);
  }

  private async archive(entries: readonly LiveEntry[]): Promise<void> {
    const { byDay, records } = linesByDay(entries);
    const ids = entries.map(([id]) => id);
    await writeBatch(this.options.dir, `${ids[0]}_${ids[ids.length - 1]}`, byDay);
    // A pipeline, not MULTI: a full Redis (maxmemory, noeviction) refuses every write queued in a
    // transaction, and these two are what free its memory. Deleted first: an acknowledgement lost
    // after it leaves a pending id with no entry, which XAUTOCLAIM (claimAbandoned) drops.
    const replies = await this.redis
      .pipeline()
      .xdel(AUDIT_STREAM, ...ids)
      .xack(AUDIT_STREAM, AUDIT_GROUP, ...ids)
      .exec();
    const failed = replies?.find(([err]) => err)?.[0];
    if (failed) throw failed;
    this.archived.inc(records);
  }

  private async applyRetention(): Promise<void> {
    if (Date.now() - this.lastRetention < RETENTION_EVERY_MS) return;
    this.lastRetention = Date.now();
    const keepFrom = dayOf(new Date(Date.now() - (this.options.retentionDays - 1) * 86_400_000).toISOString());
    const removed = await removeDaysBefore(this.options.dir, keepFrom);
    if (removed.length > 0)
      this.options.logger.info({ removed, retentionDays: this.options.retentionDays }, 'audit days removed');
  }

  /**
   * Stops after the write in hand, waiting at most `withinMs`: the loop ends after its blocking
   * read (BLOCK_MS) or its write. With Redis gone a command may wait on a reconnect that
   * disconnect() does not cut short, so the loop is not waited for after it; its entries stay
   * pending and are read again (the export drops repeated ids).
   */
  async close(withinMs: number): Promise<void> {
    this.stopping = true;
    this.wake();
    await settledWithin(this.loop ?? Promise.resolve(), Math.min(withinMs, BLOCK_MS * 2));
    this.redis.disconnect();
  }
}

/**
 * The entries' records as JSON lines by UTC day, without parsing every line: the records of one
 * stream entry come from one request and share its time, so its first line gives the day.
 */
function linesByDay(entries: readonly LiveEntry[]): { byDay: Map<string, string[]>; records: number } {
  const byDay = new Map<string, string[]>();
  let records = 0;
  for (const [, fields] of entries) {
    const lines = streamEntryLines(fields);
    const day = dayOf((JSON.parse(lines[0]) as AuditRecord).time);
    let kept = byDay.get(day);
    if (!kept) byDay.set(day, (kept = []));
    for (const line of lines) kept.push(line);
    records += lines.length;
  }
  return { byDay, records };
}

function isLive(entry: StreamEntry): entry is LiveEntry {
  return entry[1] !== null;
}
