/**
 * The decision audit trail end to end with a real Redis (AOF, fsync always, as the chart runs it),
 * the real API and the real worker's archiver, read back with the real export CLI: 10,000
 * decisions across /predict, instances and OIP infer with Redis killed and restarted in the
 * middle give exactly 10,000 records in required mode (requests answered 503 during the outage
 * are retried with the same X-Request-Id and stored once); best-effort answers and counts losses.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { Redis } from 'ioredis';
import { after, before, describe, test } from 'node:test';
import { FEATURES, type LoanRecord } from '@peerloan/contracts';
import { required } from '@peerloan/operator/dist/test/required.js';
import {
  AUDIT_GROUP,
  AUDIT_STREAM,
  appendEntries,
  auditEntry,
  withAuditCommands,
  type DecisionAuditRecord,
} from '@peerloan/scoring/queues';
import { eventually, metricValue } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { ApiProcess } from '@peerloan/scoring/dist/test/helpers/api-process.js';
import { RedisServer } from '@peerloan/scoring/dist/test/helpers/redis-server.js';
import { applicants, pointCurrentAt, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';
import { WorkerProcess } from '@peerloan/scoring/dist/test/helpers/worker-process.js';

const CLI = fileURLToPath(new URL('../src/audit-cli.js', import.meta.url));
const TEXT_COLUMNS = new Set(['purpose', 'grade', 'emp_length', 'home_ownership']);

/** The export CLI over every day: its stdout. */
async function exportAll(dir: string, format: 'csv' | 'jsonl'): Promise<string> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [CLI, 'export', '--dir', dir, '--from', '2000-01-01', '--to', '2100-01-01', '--format', format],
    { maxBuffer: 1 << 28 },
  );
  return stdout;
}

interface Call {
  readonly id: string;
  readonly path: string;
  readonly body: unknown;
  readonly rows: number;
}

function inferBody(records: readonly LoanRecord[]) {
  return {
    inputs: FEATURES.map((f) => ({
      name: f.name,
      shape: [records.length, 1],
      datatype: TEXT_COLUMNS.has(f.name) ? 'BYTES' : 'FP32',
      data: records.map((r) => r[f.name]),
    })),
  };
}

/** 1,000 single predictions, 400 instances requests of 20 and 100 OIP requests of 10, interleaved: 10,000 decisions. */
function plannedCalls(people: readonly LoanRecord[]): Call[] {
  let next = 0;
  const take = (n: number) => people.slice(next, (next += n));
  const singles = Array.from({ length: 1000 }, () => ({ path: '/predict', body: take(1)[0], rows: 1 }));
  const oip = Array.from({ length: 100 }, () => ({
    path: '/v2/models/loan-risk/infer',
    body: inferBody(take(10)),
    rows: 10,
  }));
  const instances = Array.from({ length: 400 }, () => ({
    path: '/predict?explain=false',
    body: { instances: take(20) },
    rows: 20,
  }));
  const calls: Call[] = [];
  for (let i = 0; i < 1000; i++) {
    for (const c of [singles.at(i), instances.at(i), oip.at(i)])
      if (c) calls.push({ ...c, id: `audit-${calls.length}` });
  }
  return calls;
}

describe('decision audit trail', () => {
  let root: string;
  let auditDir: string;
  let redis: RedisServer;
  let api: ApiProcess | undefined;
  let worker: WorkerProcess | undefined;

  before(async () => {
    root = await tempDir('api-audit');
    auditDir = join(root, 'audit');
    await pointCurrentAt(root, await trainModel(root, 53));
    redis = await RedisServer.start({ dataDir: await tempDir('api-audit-redis') });
  });
  const startApi = (mode: 'required' | 'best-effort') =>
    ApiProcess.start({ MODEL_DIR: root, REDIS_URL: redis.url, AUDIT_MODE: mode, PREDICTION_LOG_SAMPLE: '0' });
  const startArchiver = (intervalMs = 100) =>
    WorkerProcess.start({
      MODEL_DIR: root,
      REDIS_URL: redis.url,
      WORKER_ROLES: 'audit',
      AUDIT_DIR: auditDir,
      AUDIT_RETENTION_DAYS: '30',
      AUDIT_ARCHIVE_INTERVAL_MS: String(intervalMs),
    });
  after(async () => {
    await worker?.stop();
    await api?.stop();
    await redis.stop();
  });

  test('required: 10,000 decisions with a Redis restart in the middle give exactly 10,000 records', async () => {
    // A day far past AUDIT_RETENTION_DAYS, which the archiver removes when it starts.
    await mkdir(join(auditDir, '2001/02/03'), { recursive: true });
    await writeFile(join(auditDir, '2001/02/03/part-old.jsonl.gz'), gzipSync('{"id":"old"}\n'));
    api = await startApi('required');
    worker = startArchiver();
    const people = applicants(10_000, 2024);
    const calls = plannedCalls(people);
    assert.equal(
      calls.reduce((n, c) => n + c.rows, 0),
      10_000,
    );
    const url = api.url;

    let refused = 0;
    let refusal: unknown;
    /** Sends until answered 200, with the same X-Request-Id each time. */
    const send = async (c: Call) => {
      for (;;) {
        const res = await fetch(`${url}${c.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-request-id': c.id },
          body: JSON.stringify(c.body),
        });
        const body: unknown = await res.json();
        if (res.status === 200) return;
        assert.equal(res.status, 503, JSON.stringify(body));
        refused += 1;
        refusal = body;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    let done = 0;
    let restarted: Promise<void> | undefined;
    const queue = [...calls];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let c = queue.shift(); c; c = queue.shift()) {
          await send(c);
          done += 1;
          if (done === 750) {
            restarted = (async () => {
              await redis.stop();
              await eventually('a request is refused', () => refused > 0);
              await redis.resume();
            })();
          }
        }
      }),
    );
    await restarted;
    assert.ok(refused > 0, 'the outage refused some requests');
    assert.match((refusal as { error?: string } | undefined)?.error ?? '', /audit trail/);

    await eventually(
      'the archiver wrote every record',
      async () => {
        return (await exportAll(auditDir, 'jsonl')).trim().split('\n').filter(Boolean).length >= 10_000;
      },
      3000,
    );
    const records = (await exportAll(auditDir, 'jsonl'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as DecisionAuditRecord);
    assert.equal(records.length, 10_000);
    assert.equal(new Set(records.map((r) => r.id)).size, 10_000);
    // Every request once: as many records per request id as its rows, whatever its retries.
    const perRequest = new Map<string, number>();
    for (const r of records) perRequest.set(r.requestId, (perRequest.get(r.requestId) ?? 0) + 1);
    for (const c of calls) assert.equal(perRequest.get(c.id), c.rows, c.id);
    // The archive itself holds no repeat either (no consumer crashed between write and ack).
    let lines = 0;
    const walk = async (dir: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        if (e.isDirectory()) await walk(join(dir, e.name));
        else
          lines += gunzipSync(await readFile(join(dir, e.name)))
            .toString()
            .trim()
            .split('\n').length;
      }
    };
    await walk(auditDir);
    assert.equal(lines, 10_000);
    await assert.rejects(stat(join(auditDir, '2001')), 'the expired year is gone');

    // A consumer that died between its write and its ack leaves records twice in the files: the export keeps each once.
    const parts: string[] = [];
    const collect = async (dir: string): Promise<void> => {
      for (const e of await readdir(dir, { withFileTypes: true })) {
        if (e.isDirectory()) await collect(join(dir, e.name));
        else parts.push(join(dir, e.name));
      }
    };
    await collect(auditDir);
    await copyFile(parts[0], parts[0].replace('part-', 'part-zz-crashed-'));
    assert.equal((await exportAll(auditDir, 'jsonl')).trim().split('\n').length, 10_000);

    const single = records.find((r) => r.source === 'predict');
    assert.ok(single?.reasons, 'a single prediction records its reasons');
    assert.equal(single.client, 'anonymous');
    assert.deepEqual(new Set(records.map((r) => r.source)), new Set(['predict', 'instances', 'oip']));
    for (const r of records.slice(0, 50)) assert.equal(r.decision, r.probability >= r.threshold ? 'yes' : 'no');

    const csvText = await exportAll(auditDir, 'csv');
    assert.match(csvText, /^time,id,requestId,client,source,modelVersion,threshold,probability,decision,loan_amnt,/);
    const csvRows = parse<Record<string, string>>(csvText, { columns: true });
    assert.equal(csvRows.length, 10_000);
    const csvSingle = required(
      csvRows.find((r) => r.id === single.id),
      `the CSV row of ${single.id}`,
    );
    assert.deepEqual(JSON.parse(csvSingle.reasons), single.reasons);
    assert.equal(Number(csvSingle.probability), single.probability);
    await assert.rejects(
      promisify(execFile)(process.execPath, [
        CLI,
        'export',
        '--dir',
        auditDir,
        '--from',
        'yesterday',
        '--to',
        '2100-01-01',
      ]),
      /--from must be a date/,
    );
  });

  test('best-effort: answers while Redis is away and counts the lost records', async () => {
    await api?.stop();
    api = await startApi('best-effort');
    const { url } = api;
    await redis.stop();
    const people = applicants(30, 99);
    const res = await fetch(`${url}/predict?explain=false`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: people }),
    });
    assert.equal(res.status, 200);
    await eventually(
      'the loss is counted',
      async () => (await metricValue(url, 'loanrisk_audit_records_total{outcome="lost"}')) === 30,
    );
    await redis.resume();
  });

  test('a full Redis (maxmemory, noeviction): required answers 503, and a worker started then archives until they are 200 again', async () => {
    await worker?.stop();
    worker = undefined;
    await api?.stop();
    api = await startApi('required');
    const { url } = api;
    const predict = (id: string, body: unknown) =>
      fetch(`${url}/predict?explain=false`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': id },
        body: JSON.stringify(body),
      });
    // 1,000 records wait in the stream (no worker): far more than a worker's own connections take.
    const people = applicants(1001, 7);
    const batch = (i: number) => ({ instances: people.slice(i * 20, i * 20 + 20) });
    // The first retried until Redis, restarted by the test before, has loaded its file (same id: stored once).
    await eventually('Redis takes records', async () => (await predict('full-0', batch(0))).status === 200);
    for (let i = 1; i < 50; i++) assert.equal((await predict(`full-${i}`, batch(i))).status, 200);
    const client = new Redis(redis.url);
    try {
      const used = Number(/used_memory:(\d+)/.exec(await client.info('memory'))?.[1]);
      // Full now; archiving the waiting records frees far more than the 1 KiB below what Redis uses.
      await client.config('SET', 'maxmemory', String(used - 1024));
      const refused = await predict('full-last', people[1000]);
      assert.equal(refused.status, 503);
      assert.match(await refused.text(), /OOM command not allowed/);
      worker = startArchiver();
      await eventually('the stream is archived', async () => (await client.xlen(AUDIT_STREAM)) === 0, 1500);
      assert.equal((await predict('full-last', people[1000])).status, 200);
    } finally {
      await client.config('SET', 'maxmemory', '0');
      client.disconnect();
    }
  });

  test("a backlog ends the archiver's pause: 1,050 entries arriving during a 60 s pause are archived within 5 s", async () => {
    await worker?.stop();
    const client = new Redis(redis.url);
    try {
      // 0 before the first archiver made the stream and its group.
      const consumers = async () =>
        ((await client.xinfo('CONSUMERS', AUDIT_STREAM, AUDIT_GROUP).catch(() => [])) as unknown[]).length;
      const before = await consumers();
      worker = startArchiver(60_000);
      await eventually('the archiver has read once', async () => (await consumers()) > before, 500);
      // Its first read blocks for up to a second on the empty stream; after that it is in its pause.
      await sleep(2000);
      const people = applicants(1050, 11);
      const entries = people.map((person, i) =>
        auditEntry(`backlog-${i}`, 'risk-team', 'predict', [
          { inputs: person, probability: 0.1, threshold: 0.5, modelVersion: 'v-backlog' },
        ]),
      );
      assert.equal(await appendEntries(withAuditCommands(client), entries, 60), 1050);
      // Without the backlog check the archiver would sleep out its 60 s with all 1,050 waiting.
      // About 5 s: eventually() tries every 20 ms.
      await eventually('the backlog is archived', async () => (await client.xlen(AUDIT_STREAM)) === 0, 250);
    } finally {
      client.disconnect();
    }
  });
});
