/**
 * Redis lost in the middle of a batch and back from its append-only file (as the chart runs it
 * with redis.persistence): the batch completes, every row once, and the audit trail holds each of
 * its decisions once, with AUDIT_MODE best-effort, the chart's default. A chunk scored while Redis
 * was away waits for it to write its decisions rather than completing without them.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import { Redis } from 'ioredis';
import { FEATURE_NAMES, type LoanRecord } from '@peerloan/contracts';
import { AUDIT_STREAM, streamEntryRecords, type DecisionAuditRecord } from '@peerloan/scoring/queues';
import { call, eventually } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { ApiProcess } from '@peerloan/scoring/dist/test/helpers/api-process.js';
import { RedisServer } from '@peerloan/scoring/dist/test/helpers/redis-server.js';
import { applicants, pointCurrentAt, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';
import { WorkerProcess } from '@peerloan/scoring/dist/test/helpers/worker-process.js';

interface BatchStatus {
  readonly state: string;
  readonly progress: number;
  readonly counts: { readonly total: number; readonly scored: number; readonly invalid: number };
}

const ROWS = 60_000;
let redis: RedisServer;
let api: ApiProcess;
let worker: WorkerProcess;

before(async () => {
  redis = await RedisServer.start({ dataDir: await tempDir('redis-aof') });
  const root = await tempDir('batch-redis-restart');
  await pointCurrentAt(root, await trainModel(root, 31));
  api = await ApiProcess.start({
    MODEL_DIR: root,
    REDIS_URL: redis.url,
    BATCH_CHUNK_ROWS: '5000',
    PREDICTION_LOG_SAMPLE: '0',
    AUDIT_MODE: 'off',
  });
  worker = WorkerProcess.start({
    MODEL_DIR: root,
    REDIS_URL: redis.url,
    WORKER_ROLES: 'batch',
    AUDIT_MODE: 'best-effort',
    BATCH_LOCK_MS: '5000',
  });
});

after(async () => {
  await worker.stop();
  await api.stop();
  await redis.stop();
});

function csvOf(people: readonly LoanRecord[]): string {
  const lines = [['id', ...FEATURE_NAMES].join(',')];
  people.forEach((p, i) => lines.push([`r${i}`, ...FEATURE_NAMES.map((f) => p[f] ?? '')].join(',')));
  return `${lines.join('\n')}\n`;
}

async function statusOf(id: string): Promise<BatchStatus | undefined> {
  const res = await call<BatchStatus>(`${api.url}/batches/${id}`).catch(() => undefined);
  return res?.status === 200 ? res.body : undefined;
}

async function auditedIds(batchId: string): Promise<string[]> {
  const client = new Redis(redis.url);
  try {
    const entries = await client.xrange(AUDIT_STREAM, '-', '+');
    return entries
      .flatMap(([, fields]) => streamEntryRecords(fields) as DecisionAuditRecord[])
      .filter((r) => r.requestId === batchId)
      .map((r) => r.id);
  } finally {
    client.disconnect();
  }
}

test('Redis killed mid-batch and restarted from its append-only file: every row once, every decision audited once (best-effort)', async () => {
  const submitted = await call<{ id: string }>(`${api.url}/batches`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: csvOf(applicants(ROWS, 83)),
  });
  assert.equal(submitted.status, 202);
  const { id } = submitted.body;
  await eventually('a tenth of the batch scored', async () => ((await statusOf(id))?.progress ?? 0) >= 0.1, 20_000);
  await redis.stop();
  // Longer than a fail-fast connection's command timeout (2 s): a write on one fails meanwhile.
  await sleep(3000);
  await redis.resume();
  let done: BatchStatus | undefined;
  await eventually(
    'the batch completed',
    async () => {
      done = await statusOf(id);
      return done?.state === 'completed';
    },
    60_000,
  );
  assert.deepEqual(done?.counts, { total: ROWS, scored: ROWS, invalid: 0 });
  const res = await fetch(`${api.url}/batches/${id}/results`);
  const ids = (await res.text())
    .trimEnd()
    .split('\n')
    .slice(1)
    .map((line) => line.slice(0, line.indexOf(',')));
  assert.equal(ids.length, ROWS);
  assert.equal(new Set(ids).size, ROWS, 'each row once in the results');
  const audited = await auditedIds(id);
  assert.equal(new Set(audited).size, ROWS, 'every decision of the batch in the audit trail');
  assert.equal(audited.length, ROWS, 'each decision once');
});
