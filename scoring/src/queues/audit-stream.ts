/**
 * The Redis side of the audit trail: one stream holds records until the archiver has written
 * them to the data volume. A stream entry's field `r` holds up to RECORDS_PER_STREAM_ENTRY
 * records of one request as JSON lines, so a batch chunk's thousands of decisions are a few
 * hundred stream entries rather than one each. Appends are idempotent per request key: a Lua
 * script sets the key (NX, with a TTL) and adds the request's records only when the key was new,
 * atomically, so a retry of a request whose first answer was lost stores nothing twice.
 */
import { redisKey } from '@peerloan/contracts';
import type { Redis } from 'ioredis';
import type { AuditEntry, AuditRecord } from './audit-record.js';

export const AUDIT_STREAM = redisKey('audit');
export const AUDIT_GROUP = 'archive';
/** Prefix of the keys that remember written requests for AUDIT_DEDUP_SECONDS. */
const SEEN_PREFIX = `${redisKey('audit', 'seen')}:`;
/**
 * An approval's key is kept for good: its history entry stays in status.history for many later
 * decisions, and every watcher that starts meanwhile finds it again. One small key per decision.
 */
export const APPROVAL_DEDUP_SECONDS = 0;

/**
 * Records in one stream entry at most. With one XADD a record, Redis spent 4.5-4.9 CPU seconds on
 * a 1M-row portfolio's audit (2.8 with 20 a stream entry; docs/BENCHMARKS.md); 20 keeps the
 * archiver's read of 1000 entries near 15 MB.
 */
export const RECORDS_PER_STREAM_ENTRY = 20;

/**
 * KEYS[1] the stream, KEYS[2..] one seen-key per audit entry; ARGV[1] the TTL (0: kept for
 * good), then per audit entry its record count, its number of stream values and those values.
 */
const APPEND_SCRIPT = `
local ttl = ARGV[1]
local a = 2
local written = 0
local function claim(key)
  if ttl == '0' then return redis.call('SET', key, '1', 'NX') end
  return redis.call('SET', key, '1', 'NX', 'EX', ttl)
end
for k = 2, #KEYS do
  local records = tonumber(ARGV[a])
  local values = tonumber(ARGV[a + 1])
  a = a + 2
  if claim(KEYS[k]) then
    for v = 0, values - 1 do
      redis.call('XADD', KEYS[1], '*', 'r', ARGV[a + v])
    end
    written = written + records
  end
  a = a + values
end
return written
`;

type AuditRedis = Redis & { auditAppend(numKeys: number, ...args: (string | number)[]): Promise<number> };

export function withAuditCommands(redis: Redis): AuditRedis {
  redis.defineCommand('auditAppend', { lua: APPEND_SCRIPT });
  return redis as AuditRedis;
}

/**
 * Appends entries in one round trip; resolves with the records written (the rest were retries
 * already stored). `dedupSeconds` 0 remembers the keys for good (see APPROVAL_DEDUP_SECONDS).
 */
export async function appendEntries(
  redis: AuditRedis,
  entries: readonly AuditEntry[],
  dedupSeconds: number,
): Promise<number> {
  const keys = [AUDIT_STREAM, ...entries.map((e) => SEEN_PREFIX + e.key)];
  const args: (string | number)[] = [dedupSeconds];
  for (const entry of entries) {
    const values = streamValues(entry.records);
    args.push(entry.records.length, values.length);
    for (const value of values) args.push(value);
  }
  return redis.auditAppend(keys.length, ...keys, ...args);
}

/** An audit entry's records as stream values: JSON lines, RECORDS_PER_STREAM_ENTRY at most in each. */
function streamValues(records: readonly AuditRecord[]): string[] {
  const values: string[] = [];
  for (let first = 0; first < records.length; first += RECORDS_PER_STREAM_ENTRY) {
    let value = JSON.stringify(records[first]);
    const end = Math.min(first + RECORDS_PER_STREAM_ENTRY, records.length);
    for (let i = first + 1; i < end; i++) value += `\n${JSON.stringify(records[i])}`;
    values.push(value);
  }
  return values;
}

/**
 * The JSON lines of one stream entry's fields, as XRANGE or XREADGROUP return them (JSON has no
 * raw newline, so a line is a record). An entry written before entries held several records is one line.
 */
export function streamEntryLines(fields: readonly string[]): string[] {
  return fields[fields.indexOf('r') + 1].split('\n');
}

/** The records of one stream entry's fields. */
export function streamEntryRecords(fields: readonly string[]): AuditRecord[] {
  return streamEntryLines(fields).map((line) => JSON.parse(line) as AuditRecord);
}
