/**
 * Redis lost in the middle of a portfolio run: the Redis pod deleted while the workers are part
 * way through a 500,000-row batch. Redis holds the batch (its BullMQ jobs, the staged rows, the
 * scored chunks) and the audit records not yet archived, so this needs Redis on its claim with the
 * append-only file (the prod-like values; the dev values keep Redis on an emptyDir, and a new pod
 * starts empty). The batch must complete with every row scored once, and the audit trail, as
 * `loanrisk-audit export` reads it, must hold each of its decisions once.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { kubectl } from '../commands.js';
import { viaIngress } from '../ingress.js';
import type { Journey } from '../journey-state.js';
import { waitFor } from '../waiting.js';

interface BatchStatus {
  state: string;
  progress: number;
  counts: { total: number; scored: number; invalid: number };
  failedReason?: string;
}

/** What the audit trail holds for one batch: its decision records, and how they group into chunks. */
interface AuditCount {
  /** Records of the batch in the export (which gives each record id once). */
  readonly records: number;
  readonly distinctIds: number;
  /** Chunk entries (the part of a record id before `:row`) and their record counts. */
  readonly chunks: number;
  readonly rowsPerChunk: readonly number[];
}

/** Status through the Ingress; undefined while the API cannot answer (its Redis is away). */
async function batchStatus(journey: Journey, id: string): Promise<BatchStatus | undefined> {
  const res = await viaIngress(journey.host, 'GET', `/batches/${id}`).catch(() => undefined);
  if (res === undefined || res.status >= 500) return undefined;
  if (res.status === 404) throw new Error(`batch ${id} is unknown to the API: Redis came back without it`);
  assert.equal(res.status, 200, res.body);
  return JSON.parse(res.body) as BatchStatus;
}

function redisPod(journey: Journey): string {
  return `${journey.release}-redis-0`;
}

/** A redis-cli command in the Redis pod (the container's REDISCLI_AUTH holds the password). */
function redisCli(journey: Journey, args: readonly string[]): Promise<string> {
  return kubectl(['-n', journey.namespace, 'exec', redisPod(journey), '-c', 'redis', '--', 'redis-cli', ...args]);
}

function infoField(info: string, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

/**
 * Counts the batch's decisions in the audit trail with the reviewer's tool, in a worker pod:
 * `loanrisk-audit export` over the batch's time, its JSON lines counted by a small script there
 * (the export is hundreds of megabytes: it is read where the archive is, not sent back).
 */
async function auditedDecisions(journey: Journey, batchId: string, from: Date, to: Date): Promise<AuditCount> {
  const count = `
    let records = 0; const ids = new Set(); const chunks = new Map(); let rest = '';
    const take = (line) => {
      if (!line.includes(${JSON.stringify(batchId)})) return;
      const r = JSON.parse(line);
      if (r.requestId !== ${JSON.stringify(batchId)} || r.source !== 'batch') return;
      records++; ids.add(r.id);
      const key = r.id.slice(0, r.id.lastIndexOf(':'));
      chunks.set(key, (chunks.get(key) ?? 0) + 1);
    };
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (d) => { const lines = (rest + d).split('\\n'); rest = lines.pop(); lines.forEach(take); });
    process.stdin.on('end', () => { if (rest) take(rest);
      console.log(JSON.stringify({ records, distinctIds: ids.size, chunks: chunks.size, rowsPerChunk: [...chunks.values()] })); });`;
  const script = count.replace(/'/g, `'\\''`);
  const out = await kubectl([
    '-n',
    journey.namespace,
    'exec',
    `deploy/${journey.release}-worker`,
    '--',
    'sh',
    '-c',
    `node workers/dist/src/audit-cli.js export --from ${from.toISOString()} --to ${to.toISOString()} | node -e '${script}'`,
  ]);
  return JSON.parse(out.trim().split('\n').at(-1) ?? '{}') as AuditCount;
}

/** The CSV's ids (its `id` column), in file order. */
function idsOf(csvPath: string): string[] {
  const lines = readFileSync(csvPath, 'utf8').trim().split('\n');
  const column = lines[0].split(',').indexOf('id');
  assert.ok(column >= 0, `${csvPath} has an id column`);
  return lines.slice(1).map((line) => line.split(',')[column]);
}

/** Deletes the Redis pod and waits for its successor to be Ready (the StatefulSet makes it, on the same claim). */
async function deleteRedisPod(journey: Journey): Promise<void> {
  await kubectl(['-n', journey.namespace, 'delete', 'pod', redisPod(journey), '--wait=true', '--timeout=120s']);
  await waitFor(`${redisPod(journey)} Ready again`, 180, async () => {
    const ready = await kubectl([
      '-n',
      journey.namespace,
      'get',
      'pod',
      redisPod(journey),
      '-o',
      'jsonpath={.status.conditions[?(@.type=="Ready")].status}',
    ]);
    return ready === 'True' ? true : undefined;
  });
}

/** The results through the Ingress: one line per row, each id of the portfolio once. */
async function eachIdOnceInResults(journey: Journey, id: string, ids: readonly string[]): Promise<void> {
  const results = await viaIngress(journey.host, 'GET', `/batches/${id}/results`, undefined, undefined, {}, 180_000);
  assert.equal(results.status, 200, results.body.slice(0, 300));
  const lines = results.body.trim().split('\n');
  assert.equal(lines[0], 'id,probability,decision,model_version,reason_1,reason_2,reason_3');
  const resultIds = lines.slice(1).map((line) => line.slice(0, line.indexOf(',')));
  assert.equal(resultIds.length, ids.length, 'one result line per row');
  const distinct = new Set(resultIds);
  assert.equal(distinct.size, ids.length, 'each id once in the results');
  assert.ok(
    ids.every((i) => distinct.has(i)),
    'every id of the portfolio is in the results',
  );
}

export interface RedisLossFigures {
  readonly progressAtDeletion: number;
  readonly secondsRedisDown: number;
  readonly secondsDeletedToCompleted: number;
  readonly secondsPostToCompleted: number;
  readonly rowsPerSecond: number;
}

/**
 * POSTs the portfolio through the Ingress, deletes the Redis pod once the workers have scored
 * 10 % of it, and checks the batch, its results and its audit trail once it completes.
 */
export async function redisDeletedMidBatch(journey: Journey, csvPath: string, rows: number): Promise<RedisLossFigures> {
  const persistence = await redisCli(journey, ['INFO', 'persistence']);
  assert.equal(
    infoField(persistence, 'aof_enabled'),
    '1',
    'Redis keeps an append-only file (redis.persistence.enabled, on its claim): without it a new Redis pod starts empty and the batch is lost',
  );
  const ids = idsOf(csvPath);
  assert.equal(ids.length, rows);
  const posted = new Date();
  const submitted = await viaIngress(
    journey.host,
    'POST',
    '/batches',
    readFileSync(csvPath, 'utf8'),
    'text/csv',
    {},
    180_000,
  );
  assert.equal(submitted.status, 202, submitted.body);
  const { id } = JSON.parse(submitted.body) as { id: string };
  const accepted = (Date.now() - posted.getTime()) / 1000;

  const started = await waitFor(
    `batch ${id} 10 % scored`,
    300,
    async () => {
      const s = await batchStatus(journey, id);
      return s && s.progress >= 0.1 ? s : undefined;
    },
    250,
  );
  assert.notEqual(started.state, 'completed', 'the batch was still running when Redis was deleted');
  const deleted = Date.now();
  await deleteRedisPod(journey);
  const redisBack = Date.now();

  const done = await waitFor(
    `batch ${id} completed after Redis came back`,
    900,
    async () => {
      const s = await batchStatus(journey, id);
      if (s?.state === 'failed') throw new Error(`batch failed: ${JSON.stringify(s)}`);
      return s?.state === 'completed' ? s : undefined;
    },
    500,
  ).catch(async (err: unknown) => {
    const last = await batchStatus(journey, id).catch((e: unknown) => (e as Error).message);
    throw new Error(`${(err as Error).message}; last status ${JSON.stringify(last)}`);
  });
  const completed = Date.now();
  assert.deepEqual(done.counts, { total: rows, scored: rows, invalid: 0 });

  await eachIdOnceInResults(journey, id, ids);

  // The archiver moves the stream to the volume a thousand records at a time; then the export reads it all.
  await waitFor(
    'the audit stream archived',
    300,
    async () => ((await redisCli(journey, ['XLEN', 'loanrisk:audit'])).trim() === '0' ? true : undefined),
    2000,
  );
  const audit = await auditedDecisions(journey, id, new Date(posted.getTime() - 60_000), new Date(Date.now() + 60_000));
  console.log(
    `# Redis deleted at ${(started.progress * 100).toFixed(0)} %: Redis Ready again after ${((redisBack - deleted) / 1000).toFixed(1)} s, batch completed ${((completed - deleted) / 1000).toFixed(1)} s after the deletion; POST answered in ${accepted.toFixed(1)} s, ${rows} rows POST to completed in ${((completed - posted.getTime()) / 1000).toFixed(1)} s; audit: ${JSON.stringify({ ...audit, rowsPerChunk: [...new Set(audit.rowsPerChunk)] })}`,
  );
  assert.equal(audit.records, rows, 'the audit trail holds one decision per row of the batch');
  assert.equal(audit.distinctIds, rows, 'each decision once');
  const secondsPostToCompleted = (completed - posted.getTime()) / 1000;
  return {
    progressAtDeletion: started.progress,
    secondsRedisDown: (redisBack - deleted) / 1000,
    secondsDeletedToCompleted: (completed - deleted) / 1000,
    secondsPostToCompleted,
    rowsPerSecond: rows / secondsPostToCompleted,
  };
}
