/**
 * The audit stream's entries on a real Redis: a request's records go in stream entries of at most
 * RECORDS_PER_STREAM_ENTRY JSON lines, read back whole and in order, and a retried request (the
 * same key) adds nothing.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import {
  AUDIT_STREAM,
  RECORDS_PER_STREAM_ENTRY,
  appendEntries,
  auditEntry,
  streamEntryLines,
  streamEntryRecords,
  withAuditCommands,
  type Decision,
} from '../src/queues/index.js';
import { RedisServer } from './helpers/redis-server.js';

let redis: RedisServer;
let client: Redis;

before(async () => {
  redis = await RedisServer.start();
  client = new Redis(redis.url);
});

after(async () => {
  client.disconnect();
  await redis.stop();
});

/** Decisions whose inputs carry text a line split could trip on: quotes, a backslash, an escaped newline. */
function decisions(count: number): Decision[] {
  return Array.from({ length: count }, (_, i) => ({
    inputs: { loan_amnt: 1000 + i, purpose: `line one\nline "two" \\ ${i}` },
    probability: i / count,
    threshold: 0.5,
    modelVersion: 'v1',
    reasons: [{ feature: 'loan_amnt', value: 1000 + i, reference: 9000, contribution: 0.01 }],
  }));
}

test('a request of 2.25 entries of records is split in order and read back whole; its retry adds nothing', async () => {
  const count = RECORDS_PER_STREAM_ENTRY * 2 + RECORDS_PER_STREAM_ENTRY / 4;
  const entry = auditEntry('req-1', 'risk-team', 'batch', decisions(count), 'chunk-0');
  const audited = withAuditCommands(client);
  assert.equal(await appendEntries(audited, [entry], 60), count);

  const stream = await client.xrange(AUDIT_STREAM, '-', '+');
  assert.deepEqual(
    stream.map(([, fields]) => streamEntryLines(fields).length),
    [RECORDS_PER_STREAM_ENTRY, RECORDS_PER_STREAM_ENTRY, RECORDS_PER_STREAM_ENTRY / 4],
  );
  assert.deepEqual(
    stream.flatMap(([, fields]) => streamEntryRecords(fields)),
    entry.records,
  );

  assert.equal(await appendEntries(audited, [entry], 60), 0, 'the same request key again writes nothing');
  assert.equal(await client.xlen(AUDIT_STREAM), 3);
});

test('several requests in one append keep their own entries; a single record is one line', async () => {
  await client.del(AUDIT_STREAM);
  const one = auditEntry('req-2', 'risk-team', 'predict', decisions(1));
  const three = auditEntry('req-3', 'risk-team', 'instances', decisions(3));
  assert.equal(await appendEntries(withAuditCommands(client), [one, three], 60), 4);
  const stream = await client.xrange(AUDIT_STREAM, '-', '+');
  assert.deepEqual(
    stream.map(([, fields]) => streamEntryRecords(fields).map((r) => r.id)),
    [one.records.map((r) => r.id), three.records.map((r) => r.id)],
  );
});
