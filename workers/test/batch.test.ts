/**
 * Portfolio batches end to end with a real Redis, the real API and the real worker process:
 * CSV and JSON lines in, per-row errors, results equal to /predict, an upload refused half-way
 * leaving nothing behind, and a worker killed mid-batch losing nothing and scoring nothing twice.
 */
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FEATURE_NAMES, type LoanRecord } from '@peerloan/contracts';
import { required } from '@peerloan/operator/dist/test/required.js';
import {
  AUDIT_STREAM,
  streamEntryRecords,
  QUEUE_PREFIX,
  QUEUES,
  type DecisionAuditRecord,
  type BatchAnswer,
  type BatchTotals,
  type RowProblem,
} from '@peerloan/scoring/queues';
import type { Reason } from '@peerloan/scoring';
import { call, errorOf, eventually, postJson } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { ApiProcess } from '@peerloan/scoring/dist/test/helpers/api-process.js';
import { RedisServer } from '@peerloan/scoring/dist/test/helpers/redis-server.js';
import { applicants, pointCurrentAt, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';
import { WorkerProcess } from '@peerloan/scoring/dist/test/helpers/worker-process.js';

/** The fields of GET /batches/{id}'s answer (the API's BatchStatus) this test reads. */
interface BatchStatus {
  readonly state: 'queued' | 'running' | 'completed' | 'failed';
  readonly progress: number;
  readonly counts: { readonly total: number; readonly scored: number; readonly invalid: number };
  readonly errors: readonly RowProblem[];
}

/** The fields of GET /batches/{id}/summary this test reads. */
interface BatchSummary extends Omit<BatchTotals, 'histogram'> {
  readonly flaggedShare: number;
  readonly histogram: { readonly binWidth: number; readonly counts: readonly number[] };
}

/** GET /batches/{id}/rows. */
interface RankedPage {
  readonly total: number;
  readonly rows: readonly (BatchAnswer & { readonly rank: number; readonly row: number })[];
}

/** The fields of a /predict answer this test reads. */
interface Prediction {
  readonly probability: number;
  readonly decision: 'yes' | 'no';
  readonly modelVersion: string;
  readonly reasons?: readonly Reason[];
}

function csvOf(people: readonly LoanRecord[], ids: readonly string[]): string {
  const lines = [['id', ...FEATURE_NAMES].join(',')];
  people.forEach((p, i) => lines.push([ids[i], ...FEATURE_NAMES.map((f) => p[f] ?? '')].join(',')));
  return `${lines.join('\n')}\n`;
}

/** The audit records of one batch (its id is their request id), from the stream the workers append to. */
async function auditRecordsOf(redisUrl: string, batchId: string): Promise<DecisionAuditRecord[]> {
  const client = new Redis(redisUrl);
  try {
    const entries = await client.xrange(AUDIT_STREAM, '-', '+');
    return entries
      .flatMap(([, fields]) => streamEntryRecords(fields) as DecisionAuditRecord[])
      .filter((record) => record.requestId === batchId);
  } finally {
    client.disconnect();
  }
}

/** The 202 of an upload: the API has only split it, so it knows the number of records. */
interface Accepted {
  readonly id: string;
  readonly counts: { readonly total: number };
}

async function upload(url: string, body: string, type: string) {
  return call<Accepted>(`${url}/batches`, { method: 'POST', headers: { 'content-type': type }, body });
}

async function batchStatus(url: string, id: string): Promise<BatchStatus> {
  return (await call<BatchStatus>(`${url}/batches/${id}`)).body;
}

async function waitForState(url: string, id: string, state: BatchStatus['state']): Promise<BatchStatus> {
  let last: BatchStatus | undefined;
  await eventually(
    `batch ${id} ${state}`,
    async () => {
      last = await batchStatus(url, id);
      return last.state === state;
    },
    3000,
  );
  return required(last, `the status of batch ${id}`);
}

async function results(url: string, id: string): Promise<string[][]> {
  const res = await fetch(`${url}/batches/${id}/results`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
  const [header, ...rows] = (await res.text()).trimEnd().split('\n');
  assert.equal(header, 'id,probability,decision,model_version,reason_1,reason_2,reason_3');
  return rows.map((r) => r.split(','));
}

async function jsonlResults(url: string, id: string): Promise<BatchAnswer[]> {
  const res = await fetch(`${url}/batches/${id}/results?format=jsonl`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /application\/x-ndjson/);
  return (await res.text())
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as BatchAnswer);
}

/** /predict's answers, explained, for any number of applicants (1,000 instances a request). */
async function predicted(url: string, people: readonly LoanRecord[]): Promise<Prediction[]> {
  const answers: Prediction[] = [];
  for (let i = 0; i < people.length; i += 1000) {
    const instances = people.slice(i, i + 1000);
    answers.push(...(await postJson<{ predictions: Prediction[] }>(`${url}/predict`, { instances })).body.predictions);
  }
  return answers;
}

describe('batch scoring', () => {
  let redis: RedisServer;
  let api: ApiProcess;
  let worker: WorkerProcess | undefined;
  let workerEnv: Record<string, string>;

  before(async () => {
    redis = await RedisServer.start();
    const root = await tempDir('api-batch');
    await pointCurrentAt(root, await trainModel(root, 31));
    api = await ApiProcess.start({
      MODEL_DIR: root,
      REDIS_URL: redis.url,
      BATCH_CHUNK_ROWS: '250',
      PREDICTION_LOG_SAMPLE: '0',
    });
    workerEnv = { MODEL_DIR: root, REDIS_URL: redis.url, WORKER_ROLES: 'batch', BATCH_LOCK_MS: '1000' };
    worker = WorkerProcess.start(workerEnv);
  });
  after(async () => {
    await worker?.stop();
    await api.stop();
    await redis.stop();
  });

  test('a CSV batch scores every valid row as /predict does and reports the invalid ones', async () => {
    const people = applicants(1200, 77);
    const ids = people.map((_, i) => `loan-${i}`);
    let csv = csvOf(people, ids);
    csv += `bad-1,abc,0.1,car,A,50000,0.5,1 year,10,0,RENT\nbad-2,5000,0.1,spaceship,A,50000,0.5,1 year,10,0,RENT\n`;
    const submitted = await upload(api.url, csv, 'text/csv');
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    // The API only splits the upload: it counts records; valid and invalid come from the workers.
    assert.deepEqual(submitted.body.counts, { total: 1202 });

    const status = await waitForState(api.url, submitted.body.id, 'completed');
    assert.equal(status.progress, 1);
    assert.deepEqual(status.counts, { total: 1202, scored: 1200, invalid: 2 });
    assert.deepEqual(
      status.errors.map((e) => [e.row, e.id, e.errors[0]?.field]),
      [
        [1201, 'bad-1', 'loan_amnt'],
        [1202, 'bad-2', 'purpose'],
      ],
    );

    const rows = await results(api.url, submitted.body.id);
    assert.deepEqual(
      rows.map((r) => r[0]),
      ids,
    );
    const scored = async (instances: readonly LoanRecord[]) =>
      (await postJson<{ predictions: Prediction[] }>(`${api.url}/predict?explain=false`, { instances })).body
        .predictions;
    const expected = [...(await scored(people.slice(0, 1000))), ...(await scored(people.slice(1000)))];
    rows.forEach(([, probability, decision], i) => {
      assert.equal(Number(probability), expected[i]?.probability, `row ${i}`);
      assert.equal(decision, expected[i]?.decision);
    });

    // Every row carries the version and /predict's reasons, computed the same way: compared row for row.
    const answers = await jsonlResults(api.url, submitted.body.id);
    const explained = await predicted(api.url, people);
    assert.equal(answers.length, 1200);
    answers.forEach((answer, i) => {
      const want = explained[i];
      assert.equal(answer.id, ids[i]);
      assert.equal(answer.probability, want.probability, `row ${i}`);
      assert.equal(answer.decision, want.decision);
      assert.equal(answer.modelVersion, want.modelVersion);
      const reasons = want.reasons ?? [];
      assert.deepEqual(
        answer.reasons.map((r) => [r.feature, r.value, r.reference]),
        reasons.map((r) => [r.feature, r.value, r.reference]),
        `reasons of row ${i}`,
      );
      answer.reasons.forEach((r, k) => {
        assert.ok(Math.abs(r.contribution - (reasons[k]?.contribution ?? Number.NaN)) < 1e-6, `row ${i} reason ${k}`);
      });
      assert.deepEqual(
        [rows[i][3], ...rows[i].slice(4).filter((f) => f !== '')],
        [want.modelVersion, ...reasons.map((r) => r.feature)],
      );
    });
    assert.ok(
      answers.some((a) => a.reasons.length === 3),
      'some rows have three reasons',
    );

    // The summary counts what the rows say.
    const summary = (await call<BatchSummary>(`${api.url}/batches/${submitted.body.id}/summary`)).body;
    const flagged = answers.filter((a) => a.decision === 'yes').length;
    assert.equal(summary.flagged, flagged);
    assert.equal(summary.flaggedShare, flagged / 1200);
    assert.equal(
      summary.histogram.counts.reduce((a, b) => a + b, 0),
      1200,
    );
    const maxBin = Math.floor(Math.max(...answers.map((a) => a.probability)) / 0.005);
    assert.ok(summary.histogram.counts[maxBin] > 0 && summary.histogram.counts.slice(maxBin + 1).every((c) => c === 0));
    for (const [feature, groups] of [
      ['grade', summary.byGrade],
      ['purpose', summary.byPurpose],
    ] as const) {
      for (const group of groups) {
        const members = answers.filter((_, i) => people[i][feature] === group.value);
        assert.equal(group.count, members.length, `${feature} ${group.value}`);
        assert.equal(group.flagged, members.filter((a) => a.decision === 'yes').length);
        const mean = members.reduce((sum, a) => sum + a.probability, 0) / members.length;
        assert.ok(Math.abs(group.meanProbability - mean) < 1e-9);
      }
      assert.equal(
        groups.reduce((sum, g) => sum + g.count, 0),
        1200,
      );
    }

    // The riskiest first, a page at a time, each row as its JSON line with rank and data row.
    const page = async (offset: number, limit: number) =>
      (await call<RankedPage>(`${api.url}/batches/${submitted.body.id}/rows?offset=${offset}&limit=${limit}`)).body;
    const top = await page(0, 50);
    const order = answers
      .map((a, i) => ({ a, row: i + 1 }))
      .sort((x, y) => y.a.probability - x.a.probability || x.row - y.row);
    assert.equal(top.total, 1200);
    assert.deepEqual(
      top.rows.map((r) => [r.rank, r.row, r.id, r.probability]),
      order.slice(0, 50).map((o, k) => [k + 1, o.row, o.a.id, o.a.probability]),
    );
    assert.deepEqual(top.rows[0].reasons, order[0].a.reasons);
    const last = await page(1190, 50);
    assert.deepEqual(
      last.rows.map((r) => r.rank),
      [1191, 1192, 1193, 1194, 1195, 1196, 1197, 1198, 1199, 1200],
    );
    assert.equal((await call(`${api.url}/batches/${submitted.body.id}/rows?limit=201`)).status, 400);
  });

  test('a gzip-compressed upload is inflated as it streams; a corrupt one is refused and queues nothing', async () => {
    const people = applicants(300, 83);
    const csv = csvOf(
      people,
      people.map((_, i) => `z-${i}`),
    );
    const send = (body: Uint8Array) =>
      call<Accepted>(`${api.url}/batches`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv', 'content-encoding': 'gzip' },
        body: new Blob([new Uint8Array(body)]),
      });
    const submitted = await send(gzipSync(csv));
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    const status = await waitForState(api.url, submitted.body.id, 'completed');
    assert.deepEqual(status.counts, { total: 300, scored: 300, invalid: 0 });
    const plain = await upload(api.url, csv, 'text/csv');
    await waitForState(api.url, plain.body.id, 'completed');
    assert.deepEqual(await jsonlResults(api.url, submitted.body.id), await jsonlResults(api.url, plain.body.id));

    const corrupt = gzipSync(csv);
    corrupt.fill(7, 40, 80);
    const refused = await send(corrupt);
    assert.equal(refused.status, 400);
    assert.match(errorOf(refused), /not valid gzip/);
    const brotli = await call(`${api.url}/batches`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', 'content-encoding': 'br' },
      body: csv,
    });
    assert.equal(brotli.status, 415);
  });

  test('JSON lines without ids are numbered by row', async () => {
    const people = applicants(30, 78);
    const body = people.map((p) => JSON.stringify(p)).join('\n');
    const submitted = await upload(api.url, `${body}\n{"loan_amnt": "lots"}\nnot json\n`, 'application/x-ndjson');
    assert.equal(submitted.status, 202);
    const status = await waitForState(api.url, submitted.body.id, 'completed');
    assert.deepEqual(status.counts, { total: 32, scored: 30, invalid: 2 });
    assert.equal(status.errors[1]?.errors[0]?.message, 'is not valid JSON');
    assert.deepEqual(
      (await results(api.url, submitted.body.id)).map((r) => r[0]),
      people.map((_, i) => String(i + 1)),
    );
  });

  test('rows are read by the workers: quoted line breaks, errors in several chunks reported in row order with their row numbers', async () => {
    const people = applicants(600, 81);
    const ids = people.map((_, i) => (i === 3 ? '"id with\nline break, comma and ""quote"""' : `q-${i}`));
    const lines = csvOf(people, ids)
      .trimEnd()
      .split(/\n(?=q-|")/);
    // Data rows 100 (chunk 1) and 400 (chunk 2, 250 rows per chunk) made invalid, in that order.
    lines[100] = lines[100].replace(/^([^,]*),[^,]*/, '$1,not-a-number');
    lines[400] = `${lines[400]},one cell too many`;
    const submitted = await upload(api.url, `${lines.join('\r\n')}\r\n`, 'text/csv');
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    assert.deepEqual(submitted.body.counts, { total: 600 });
    const status = await waitForState(api.url, submitted.body.id, 'completed');
    assert.deepEqual(status.counts, { total: 600, scored: 598, invalid: 2 });
    assert.deepEqual(
      status.errors.map((e) => [e.row, e.id, e.errors[0]?.field]),
      [
        [100, 'q-99', 'loan_amnt'],
        [400, 'q-399', '(row)'],
      ],
    );
    const text = await (await fetch(`${api.url}/batches/${submitted.body.id}/results`)).text();
    assert.ok(
      text.startsWith(`id,probability,decision,model_version,reason_1,reason_2,reason_3\nq-0,`),
      text.slice(0, 100),
    );
    assert.ok(text.includes(`\n${ids[3]},`), 'the quoted id with its line break comes back quoted');
  });

  test('an upload refused half-way leaves no staged chunk and no batch; a finished batch drops its raw chunks', async () => {
    const client = new Redis(redis.url);
    const batches = new Queue(QUEUES.batches, {
      connection: { host: '127.0.0.1', port: redis.port },
      prefix: QUEUE_PREFIX,
    });
    try {
      const jobsBefore = Object.values(await batches.getJobCounts()).reduce((a, b) => a + b, 0);
      const people = applicants(1000, 82);
      const good = csvOf(
        people,
        people.map((_, i) => `h-${i}`),
      );
      // Four chunks of 250 rows are staged before the API meets the 100 KB record.
      const refused = await upload(api.url, `${good}${'7'.repeat(100_000)}\n`, 'text/csv');
      assert.equal(refused.status, 400);
      assert.match(errorOf(refused), /longer than 65536 bytes/);
      assert.deepEqual(await client.keys('loanrisk:batch-input:*'), []);
      assert.equal(
        Object.values(await batches.getJobCounts()).reduce((a, b) => a + b, 0),
        jobsBefore,
      );

      const accepted = await upload(api.url, good, 'text/csv');
      assert.equal(accepted.status, 202);
      await waitForState(api.url, accepted.body.id, 'completed');
      await eventually(
        'raw chunks dropped',
        async () => (await client.keys(`loanrisk:batch-input:${accepted.body.id}:*`)).length === 0,
        3000,
      );
    } finally {
      await batches.close();
      client.disconnect();
    }
  });

  test('bad requests get clear errors', async () => {
    const wrongType = await upload(api.url, 'x', 'application/pdf');
    assert.equal(wrongType.status, 415);
    assert.match(errorOf(wrongType), /text\/csv or application\/x-ndjson/);
    assert.equal((await upload(api.url, '', 'text/csv')).status, 400);
    const unknown = await call(`${api.url}/batches/no-such-batch`);
    assert.equal(unknown.status, 404);
    assert.equal((await call(`${api.url}/batches/no-such-batch/results`)).status, 404);
    assert.equal((await call(`${api.url}/batches/no-such-batch/summary`)).status, 404);
    assert.equal((await call(`${api.url}/batches/no-such-batch/rows`)).status, 404);
  });

  test('a worker killed mid-batch loses nothing and scores nothing twice', async () => {
    await worker?.stop();
    worker = undefined;
    const people = applicants(30_000, 79);
    const ids = people.map((_, i) => `k${i}`);
    const submitted = await upload(api.url, csvOf(people, ids), 'text/csv');
    assert.equal(submitted.status, 202);
    const queued = await batchStatus(api.url, submitted.body.id);
    assert.equal(queued.state, 'queued');
    assert.equal((await call(`${api.url}/batches/${submitted.body.id}/results`)).status, 409);
    assert.equal((await call(`${api.url}/batches/${submitted.body.id}/rows`)).status, 409);

    const doomed = WorkerProcess.start(workerEnv);
    await eventually(
      'some chunks scored',
      async () => (await batchStatus(api.url, submitted.body.id)).counts.scored > 0,
      3000,
    );
    await doomed.kill();
    const atKill = await batchStatus(api.url, submitted.body.id);
    assert.notEqual(atKill.state, 'completed', 'the kill must land mid-batch for this test to mean anything');

    worker = WorkerProcess.start(workerEnv);
    const done = await waitForState(api.url, submitted.body.id, 'completed');
    assert.deepEqual(done.counts, { total: 30_000, scored: 30_000, invalid: 0 });
    const rows = await results(api.url, submitted.body.id);
    assert.equal(rows.length, 30_000);
    assert.deepEqual(
      rows.map((r) => r[0]),
      ids,
      'every row exactly once, in order',
    );
    // The audit trail too: a chunk scored again after the kill is keyed by its staged text, stored once.
    let audited: DecisionAuditRecord[] = [];
    await eventually(
      'the batch audited',
      async () => {
        audited = await auditRecordsOf(redis.url, submitted.body.id);
        return audited.length >= 30_000;
      },
      10_000,
    );
    assert.equal(audited.length, 30_000);
    assert.equal(new Set(audited.map((r) => r.id)).size, 30_000);
    const first = people[0];
    assert.deepEqual(
      audited.find((r) => r.probability === Number(rows[0][1]) && r.inputs.loan_amnt === first.loan_amnt)?.inputs,
      Object.fromEntries(FEATURE_NAMES.map((name) => [name, first[name] ?? null])),
    );
  });
});
