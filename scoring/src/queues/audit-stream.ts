/**
 * The Redis side of the audit trail: one stream holds records until the archiver has written
 * them to the data volume. Appends are idempotent per request key: a Lua script sets the key
 * (NX, with a TTL) and adds the request's records only when the key was new, atomically, so a
 * retry of a request whose first answer was lost stores nothing twice.
 */
import { redisKey } from '@peerloan/contracts';
import type { Redis } from 'ioredis';
import type { AuditEntry } from './audit-record.js';

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
 * KEYS[1] the stream, KEYS[2..] one seen-key per entry; ARGV[1] the TTL (0: kept for good), then
 * per entry its record count and records.
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
  local n = tonumber(ARGV[a])
  a = a + 1
  if claim(KEYS[k]) then
    for r = 0, n - 1 do
      redis.call('XADD', KEYS[1], '*', 'r', ARGV[a + r])
    end
    written = written + n
  end
  a = a + n
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
    args.push(entry.records.length);
    for (const record of entry.records) args.push(JSON.stringify(record));
  }
  return redis.auditAppend(keys.length, ...keys, ...args);
}
