/**
 * Malformed batch uploads and OIP binary tensors, judged only by what HTTP shows (the batch
 * parsing may move into workers): a CSV the API cannot read as a portfolio gets a 4xx with a JSON
 * error and creates no batch; a CSV it can read (BOM, CRLF, quoted line breaks, rows of the wrong
 * width) is scored with each bad row reported, and never ends `failed`. Binary infer bodies whose
 * sizes lie get a 4xx and score nothing. No case may get a 5xx; the figures go to the test's
 * diagnostics (docs/BENCHMARKS.md records them).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Queue } from 'bullmq';
import { FEATURE_NAMES, FEATURES, type BatchStatus, type LoanRecord } from '@peerloan/contracts';
import { required } from '@peerloan/operator/dist/test/required.js';
import type { RunningServer } from '../src/server.js';
import { QUEUE_PREFIX, QUEUES } from '@peerloan/scoring/queues';
import { call, eventually, metricValue } from '@peerloan/scoring/dist/test/helpers/http-calls.js';
import { startApi } from './helpers/api-server.js';
import { RedisServer } from '@peerloan/scoring/dist/test/helpers/redis-server.js';
import { applicants, pointCurrentAt, tempDir, trainModel } from '@peerloan/scoring/dist/test/helpers/trained-model.js';
import { WorkerProcess } from '@peerloan/scoring/dist/test/helpers/worker-process.js';

/** mulberry32, seeded, so a failing case can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rnd: () => number, items: readonly T[]): T {
  return items[Math.floor(rnd() * items.length)];
}

const TEXT = new Set(['purpose', 'grade', 'emp_length', 'home_ownership']);
const HEADER = ['id', ...FEATURE_NAMES].join(',');

function csvLines(people: readonly LoanRecord[], ids: readonly string[]): string[] {
  return people.map((p, i) => [ids[i], ...FEATURE_NAMES.map((f) => p[f] ?? '')].join(','));
}

interface Expect {
  /** Refused whole: a 4xx and no batch. */
  readonly refused?: number;
  /** Accepted: the counts the finished batch must report. */
  readonly counts?: { total: number; scored: number; invalid: number };
}

interface UploadCase {
  readonly what: string;
  readonly body: Buffer;
  readonly contentType?: string;
  /** Absent for the seeded mutations: any 4xx, or a batch that completes, is right for them. */
  readonly expect?: Expect;
}

function namedCases(people: readonly LoanRecord[]): UploadCase[] {
  const ids = people.map((_, i) => `loan-${i}`);
  const lines = csvLines(people, ids);
  const n = people.length;
  const ok = { counts: { total: n, scored: n, invalid: 0 } };
  const quotedIds = people.map((p, i) =>
    [`"loan ${i}\nline two, with ""quotes"""`, ...FEATURE_NAMES.map((f) => `"${p[f] ?? ''}"`)].join(','),
  );
  const wrongWidth = [...lines];
  wrongWidth[1] = wrongWidth[1].slice(0, wrongWidth[1].lastIndexOf(','));
  wrongWidth[2] = `${wrongWidth[2]},extra`;
  const latin1 = Buffer.from(
    `${HEADER}\n${lines[0].replace(/,(car|credit_card|debt_consolidation|[a-z_]+),/, ',caf\u00e9,')}\n`,
    'latin1',
  );
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\n${lines.join('\n')}\n`, 'utf16le')]);
  const missingColumn = [
    HEADER.replace(',revol_util', ''),
    ...people.map((p, i) =>
      [ids[i], ...FEATURE_NAMES.filter((f) => f !== 'revol_util').map((f) => p[f] ?? '')].join(','),
    ),
  ].join('\n');
  return [
    {
      // Over BATCH_MAX_BYTES (32 MiB below) by its Content-Length: refused before anything is staged, answered, not reset.
      what: 'larger than the limit',
      body: Buffer.concat([Buffer.from(`${HEADER}\n`), Buffer.alloc(33 * 1024 * 1024, 'x')]),
      expect: { refused: 413 },
    },
    { what: 'BOM', body: Buffer.from(`\uFEFF${HEADER}\n${lines.join('\n')}\n`), expect: ok },
    { what: 'CRLF', body: Buffer.from(`${HEADER}\r\n${lines.join('\r\n')}\r\n`), expect: ok },
    {
      what: 'BOM, CRLF, no final line break',
      body: Buffer.from(`\uFEFF${HEADER}\r\n${lines.join('\r\n')}`),
      expect: ok,
    },
    {
      what: 'quoted fields with line breaks, commas and quotes',
      body: Buffer.from(`${HEADER}\n${quotedIds.join('\n')}\n`),
      expect: ok,
    },
    {
      what: 'rows with a cell too few and a cell too many',
      body: Buffer.from(`${HEADER}\n${wrongWidth.join('\n')}\n`),
      expect: { counts: { total: n, scored: n - 2, invalid: 2 } },
    },
    { what: 'header only', body: Buffer.from(`${HEADER}\n`), expect: { refused: 400 } },
    {
      what: 'header only, CRLF, no rows but blank lines',
      body: Buffer.from(`${HEADER}\r\n\r\n\r\n`),
      expect: { refused: 400 },
    },
    { what: 'empty body', body: Buffer.alloc(0), expect: { refused: 400 } },
    { what: '10 MB single line', body: Buffer.alloc(10 * 1024 * 1024, 'a'), expect: { refused: 400 } },
    {
      what: 'header and a 10 MB data line',
      body: Buffer.concat([Buffer.from(`${HEADER}\n`), Buffer.alloc(10 * 1024 * 1024, '7')]),
      expect: { refused: 400 },
    },
    { what: 'Latin-1 byte (not UTF-8)', body: latin1, expect: { refused: 400 } },
    { what: 'UTF-16 with BOM', body: utf16, expect: { refused: 400 } },
    { what: 'header without revol_util', body: Buffer.from(`${missingColumn}\n`), expect: { refused: 400 } },
    {
      what: 'header naming grade twice',
      body: Buffer.from(`${HEADER},grade\n${lines.map((l) => `${l},A`).join('\n')}\n`),
      expect: { refused: 400 },
    },
    { what: 'unterminated quote', body: Buffer.from(`${HEADER}\n"${lines.join('\n')}\n`), expect: { refused: 400 } },
    {
      what: 'random bytes',
      body: Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)),
      expect: { refused: 400 },
    },
    {
      what: 'text/plain',
      body: Buffer.from(`${HEADER}\n${lines.join('\n')}\n`),
      contentType: 'text/plain',
      expect: { refused: 415 },
    },
  ];
}

/** Seeded damage to a good CSV: stray quotes, line breaks, bytes, cells and BOMs where they do not belong. */
function mutatedCases(count: number, seed: number, people: readonly LoanRecord[]): UploadCase[] {
  const rnd = random(seed);
  const base = `${HEADER}\n${csvLines(
    people,
    people.map((_, i) => `loan-${i}`),
  ).join('\n')}\n`;
  const cases: UploadCase[] = [];
  for (let i = 0; i < count; i++) {
    let bytes = Buffer.from(base);
    const edits = 1 + Math.floor(rnd() * 4);
    const kinds: string[] = [];
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(rnd() * bytes.length);
      const kind = pick(rnd, ['quote', 'cr', 'lf', 'comma', 'delete', 'byte', 'bom', 'nul', 'truncate']);
      kinds.push(kind);
      const insert = (b: Buffer) => Buffer.concat([bytes.subarray(0, at), b, bytes.subarray(at)]);
      if (kind === 'quote') bytes = insert(Buffer.from('"'));
      if (kind === 'cr') bytes = insert(Buffer.from('\r'));
      if (kind === 'lf') bytes = insert(Buffer.from('\n'));
      if (kind === 'comma') bytes = insert(Buffer.from(','));
      if (kind === 'delete')
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + Math.floor(rnd() * 20))]);
      if (kind === 'byte') bytes = insert(Buffer.from([0x80 + Math.floor(rnd() * 0x80)]));
      if (kind === 'bom') bytes = insert(Buffer.from('\uFEFF'));
      if (kind === 'nul') bytes = insert(Buffer.from([0]));
      if (kind === 'truncate') bytes = bytes.subarray(0, at);
    }
    cases.push({ what: `mutation ${i}: ${kinds.join('+')}`, body: bytes });
  }
  return cases;
}

/** One input of a binary infer header; the cases below put values of any type in it. */
interface BinaryInput {
  readonly name: string;
  shape: unknown;
  readonly datatype: string;
  readonly parameters: { binary_data_size: unknown };
}

/** A binary infer body for these records, as Triton's client builds it. */
function binaryInfer(records: readonly LoanRecord[]): { header: { inputs: BinaryInput[] }; blobs: Buffer[] } {
  const blobs: Buffer[] = [];
  const inputs = FEATURES.map((f): BinaryInput => {
    const values = records.map((r) => r[f.name]);
    const blob = TEXT.has(f.name)
      ? Buffer.concat(
          values.map((v) => {
            const text = Buffer.from(String(v ?? ''));
            const length = Buffer.alloc(4);
            length.writeUInt32LE(text.length);
            return Buffer.concat([length, text]);
          }),
        )
      : Buffer.from(new Float32Array(values.map((v) => (v === null ? Number.NaN : Number(v)))).buffer);
    blobs.push(blob);
    return {
      name: f.name,
      shape: [records.length, 1],
      datatype: TEXT.has(f.name) ? 'BYTES' : 'FP32',
      parameters: { binary_data_size: blob.length },
    };
  });
  return { header: { inputs }, blobs };
}

interface BinaryCase {
  readonly what: string;
  readonly body: Buffer;
  readonly headerLength: string | undefined;
}

/** Seeded lies about sizes: header length, binary_data_size, BYTES element lengths, shapes, trailing bytes. */
function binaryCases(count: number, seed: number, people: readonly LoanRecord[]): BinaryCase[] {
  const rnd = random(seed);
  const cases: BinaryCase[] = [];
  for (let i = 0; i < count; i++) {
    const records = people.slice(0, 1 + Math.floor(rnd() * 5));
    const { header, blobs } = binaryInfer(records);
    const target = Math.floor(rnd() * header.inputs.length);
    const input = header.inputs[target];
    let headerLength: string | undefined;
    let tail = Buffer.alloc(0);
    const kind = pick(rnd, [
      'header-length',
      'size-larger',
      'size-smaller',
      'size-odd',
      'size-type',
      'bytes-length',
      'shape',
      'trailing',
      'missing-blob',
    ]);
    // The sizes start as the blob lengths (binaryInfer), so the lies are told relative to those.
    if (kind === 'size-larger') input.parameters.binary_data_size = blobs[target].length + 1 + Math.floor(rnd() * 1e9);
    if (kind === 'size-smaller')
      input.parameters.binary_data_size = Math.max(0, blobs[target].length - 1 - Math.floor(rnd() * 8));
    if (kind === 'size-odd') input.parameters.binary_data_size = pick(rnd, [-4, 0.5, 1e308, -0]);
    if (kind === 'size-type') input.parameters.binary_data_size = pick(rnd, ['4', null, {}, [4], true]);
    if (kind === 'shape')
      input.shape = pick(rnd, [[records.length + 1, 1], [records.length, 2], [0, 1], [-1], [1e12, 1]]);
    if (kind === 'trailing') tail = Buffer.from([1, 2, 3].slice(0, 1 + Math.floor(rnd() * 3)));
    if (kind === 'missing-blob') blobs[target] = Buffer.alloc(0);
    if (kind === 'bytes-length') {
      // Make a BYTES element claim more (or fewer) bytes than the tensor holds.
      const text = header.inputs.findIndex((x) => x.datatype === 'BYTES');
      const lying = Buffer.from(blobs[text]);
      lying.writeUInt32LE(pick(rnd, [0xffffffff, lying.readUInt32LE(0) + 1, 2 ** 31]), 0);
      blobs[text] = lying;
    }
    const json = Buffer.from(JSON.stringify(header));
    headerLength = String(json.length);
    if (kind === 'header-length')
      headerLength = pick(rnd, [
        String(json.length + 1 + Math.floor(rnd() * 1e6)),
        String(json.length - 1 - Math.floor(rnd() * 10)),
        '-1',
        '1.5',
        'abc',
        '',
        '1e400',
        String(2 ** 53),
      ]);
    cases.push({
      what: `binary ${i}: ${kind} on ${input.name}`,
      body: Buffer.concat([json, ...blobs, tail]),
      headerLength,
    });
  }
  return cases;
}

describe('fuzzing batch uploads and binary tensors', () => {
  let redis: RedisServer;
  let api: RunningServer | undefined;
  let worker: WorkerProcess | undefined;
  let batches: Queue | undefined;
  const people = applicants(12, 808);

  before(async () => {
    redis = await RedisServer.start();
    const root = await tempDir('api-fuzz-uploads');
    await pointCurrentAt(root, await trainModel(root, 9));
    api = await startApi({
      MODEL_DIR: root,
      REDIS_URL: redis.url,
      PREDICTION_LOG_SAMPLE: '0',
      AUDIT_MODE: 'off',
      BATCH_MAX_BYTES: String(32 * 1024 * 1024),
    });
    worker = WorkerProcess.start({ MODEL_DIR: root, REDIS_URL: redis.url, WORKER_ROLES: 'batch', AUDIT_MODE: 'off' });
    batches = new Queue(QUEUES.batches, { connection: { host: '127.0.0.1', port: redis.port }, prefix: QUEUE_PREFIX });
  });
  after(async () => {
    await batches?.close();
    await worker?.stop();
    await api?.shutdown();
    await redis.stop();
  });

  const batchCount = async () =>
    Object.values(await required(batches, 'the batches queue').getJobCounts()).reduce((a, b) => a + b, 0);

  test('CSV uploads: unreadable ones get a 4xx and create no batch, readable ones finish with each bad row reported', async (t) => {
    const cases = [...namedCases(people), ...mutatedCases(150, 20261126, people)];
    let fiveHundreds = 0;
    let refused = 0;
    let accepted = 0;
    const { url } = required(api, 'the API server');
    for (const c of cases) {
      const before = await batchCount();
      const res = await fetch(`${url}/batches`, {
        method: 'POST',
        headers: { 'content-type': c.contentType ?? 'text/csv' },
        body: new Uint8Array(c.body),
      }).catch((err: unknown) => {
        // undici's "fetch failed" names the socket error only in its cause.
        const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : 'no cause';
        assert.fail(`${c.what}: no answer (${String(err)}: ${cause})`);
      });
      const body = (await res.json()) as { id?: unknown; error?: unknown };
      if (res.status >= 500) fiveHundreds += 1;
      const label = `${c.what}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`;
      assert.ok(res.status === 202 || (res.status >= 400 && res.status < 500), label);
      if (c.expect?.refused) assert.equal(res.status, c.expect.refused, label);
      if (c.expect?.counts) assert.equal(res.status, 202, label);
      if (res.status !== 202) {
        refused += 1;
        assert.equal(typeof body.error, 'string', label);
        assert.equal(await batchCount(), before, `${label}: a refused upload created a batch`);
        continue;
      }
      accepted += 1;
      assert.equal(typeof body.id, 'string', label);
      let status: BatchStatus | undefined;
      await eventually(
        `${c.what} finishes`,
        async () => {
          status = (await call<BatchStatus>(`${url}/batches/${String(body.id)}`)).body;
          return status.state === 'completed' || status.state === 'failed';
        },
        3000,
      );
      const done = required(status, `${c.what}: the batch status`);
      assert.equal(done.state, 'completed', `${label}: ${JSON.stringify(done).slice(0, 300)}`);
      assert.equal(done.counts.scored + done.counts.invalid, done.counts.total, label);
      if (c.expect?.counts) assert.deepEqual(done.counts, c.expect.counts, label);
      for (const e of done.errors) assert.ok(typeof e.errors[0]?.message === 'string', label);
    }
    t.diagnostic(
      `CSV uploads tried: ${cases.length} (${refused} refused with a 4xx, ${accepted} scored); 5xx seen: ${fiveHundreds}`,
    );
    assert.equal(fiveHundreds, 0);
  });

  test('binary infer bodies with lying sizes get a 4xx and score nothing', async (t) => {
    const cases = binaryCases(200, 424242, people);
    const { url } = required(api, 'the API server');
    const scoredBefore =
      (await metricValue(url, 'loanrisk_predictions_total{decision="yes"}')) +
      (await metricValue(url, 'loanrisk_predictions_total{decision="no"}'));
    let fiveHundreds = 0;
    const statuses = new Map<number, number>();
    for (const c of cases) {
      const res = await fetch(`${url}/v2/models/loan-risk/infer`, {
        method: 'POST',
        headers: c.headerLength === undefined ? {} : { 'inference-header-content-length': c.headerLength },
        body: new Uint8Array(c.body),
      });
      const text = await res.text();
      if (res.status >= 500) fiveHundreds += 1;
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const label = `${c.what}: ${res.status} ${text.slice(0, 300)}`;
      assert.ok(res.status >= 400 && res.status < 500, label);
      assert.equal(typeof (JSON.parse(text) as { error?: unknown }).error, 'string', label);
    }
    const scoredAfter =
      (await metricValue(url, 'loanrisk_predictions_total{decision="yes"}')) +
      (await metricValue(url, 'loanrisk_predictions_total{decision="no"}'));
    assert.equal(scoredAfter, scoredBefore, 'a refused request scored rows');
    t.diagnostic(
      `binary infer bodies tried: ${cases.length}; statuses ${JSON.stringify([...statuses])}; 5xx seen: ${fiveHundreds}`,
    );
    assert.equal(fiveHundreds, 0);
    const { header, blobs } = binaryInfer(people.slice(0, 3));
    const json = Buffer.from(JSON.stringify(header));
    const good = await fetch(`${url}/v2/models/loan-risk/infer`, {
      method: 'POST',
      headers: { 'inference-header-content-length': String(json.length) },
      body: new Uint8Array(Buffer.concat([json, ...blobs])),
    });
    assert.equal(good.status, 200, await good.text());
  });
});
