// Driver for bench/queues.sh: prints a markdown table of what it measured.
import { spawn } from 'node:child_process';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FEATURE_NAMES } from '@peerloan/contracts';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';
import { QUEUE_PREFIX, QUEUES } from '@peerloan/scoring/queues';
import { cpuSeconds } from './bench-driver.mjs';

const [modelsRoot, portfolio, rowsText] = process.argv.slice(2);
const rows = Number(rowsText);
const procs = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
function start(cmd, args, env = {}) {
  const child = spawn(cmd, args, {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  procs.push(child);
  return child;
}
async function until(check, what) {
  for (let i = 0; i < 6000; i++) {
    if (await check().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`timed out: ${what}`);
}
const usedMemory = async (redis) => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))[1]);

const redisPort = await freePort();
const apiPort = await freePort();
const redisServer = start('redis-server', [
  '--port',
  String(redisPort),
  '--bind',
  '127.0.0.1',
  '--save',
  '',
  '--appendonly',
  'no',
]);
const redisUrl = `redis://127.0.0.1:${redisPort}`;
const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
await until(() => redis.ping().then((r) => r === 'PONG'), 'redis');
const base = `http://127.0.0.1:${apiPort}`;
const api = start('node', ['api/dist/src/main.js'], {
  PORT: String(apiPort),
  MODEL_DIR: modelsRoot,
  REDIS_URL: redisUrl,
  PREDICTION_LOG_SAMPLE: '0',
  BATCH_CHUNK_ROWS: '10000',
});
await until(() => fetch(`${base}/readyz`).then((r) => r.ok), 'api ready');
const workers = Number(process.env.BATCH_WORKERS ?? 2);
const workerProcs = [];
for (let i = 0; i < workers; i++)
  workerProcs.push(
    start('node', ['workers/dist/src/main.js'], {
      MODEL_DIR: modelsRoot,
      REDIS_URL: redisUrl,
      WORKER_ROLES: 'batch',
      METRICS_PORT: '0',
    }),
  );
await sleep(1500);
// CPU seconds of each part during the batch: unlike its duration, barely moved by other work on the machine.
const cpuOf = () => ({
  api: cpuSeconds(api),
  workers: workerProcs.reduce((sum, w) => sum + cpuSeconds(w), 0),
  redis: cpuSeconds(redisServer),
});

// The API process's resident memory (Linux /proc), sampled every 50 ms while the upload streams in.
const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${api.pid}/status`, 'utf8'))[1]) * 1024;
const rssBefore = rss();
let rssPeak = rssBefore;
const sampler = setInterval(() => {
  rssPeak = Math.max(rssPeak, rss());
}, 50);

// 1. Batch: upload, then poll until completed.
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const loadBefore = load();
const cpuBefore = cpuOf();
const t0 = performance.now();
const submitted = await fetch(`${base}/batches`, {
  method: 'POST',
  headers: { 'content-type': 'text/csv' },
  body: createReadStream(portfolio),
  duplex: 'half',
}).then((r) => r.json());
const tUploaded = performance.now();
clearInterval(sampler);
let status;
await until(async () => {
  status = await fetch(`${base}/batches/${submitted.id}`).then((r) => r.json());
  return status.state === 'completed';
}, 'batch completed');
const tDone = performance.now();
const cpuAfter = cpuOf();
const loadAfter = load();
const res = await fetch(`${base}/batches/${submitted.id}/results`);
let bytes = 0;
for await (const chunk of res.body) bytes += chunk.length;
const tDownloaded = performance.now();

const f = (n) => Math.round(n).toLocaleString('en-US');
console.log(
  `Machine: ${cpus().length} cores (${cpus()[0].model}); ${workers} batch worker processes; API, workers and Redis on the same machine.\n`,
);
console.log(`Load average (1, 5, 15 min) before the batch: ${loadBefore}; when it completed: ${loadAfter}.\n`);
console.log('| what | result |\n| --- | --- |');
console.log(
  `| batch: ${f(rows)} rows (${(statSync(portfolio).size / 2 ** 20).toFixed(0)} MiB CSV) upload, split into raw chunks, staged + queued (202) | ${((tUploaded - t0) / 1000).toFixed(1)} s (${f(rows / ((tUploaded - t0) / 1000))} rows/s) |`,
);
console.log(
  `| API process RSS during the upload (sampled every 50 ms) | ${(rssBefore / 2 ** 20).toFixed(0)} MiB before, ${(rssPeak / 2 ** 20).toFixed(0)} MiB peak |`,
);
console.log(
  `| batch: parsing, validation and scoring after the upload (${workers} workers, 10,000-row chunks) | ${((tDone - tUploaded) / 1000).toFixed(1)} s (${f(rows / ((tDone - tUploaded) / 1000))} rows/s) |`,
);
console.log(
  `| batch: end to end, POST to completed | ${((tDone - t0) / 1000).toFixed(1)} s = **${f(rows / ((tDone - t0) / 1000))} rows/s** (scored ${f(status.counts.scored)}, invalid ${status.counts.invalid}) |`,
);
const cpuUs = (part) =>
  `${(cpuAfter[part] - cpuBefore[part]).toFixed(1)} s (${(((cpuAfter[part] - cpuBefore[part]) * 1e6) / rows).toFixed(1)} µs/row)`;
console.log(`| CPU during the batch: API process | ${cpuUs('api')} |`);
console.log(`| CPU during the batch: batch worker processes | ${cpuUs('workers')} |`);
console.log(`| CPU during the batch: redis-server | ${cpuUs('redis')} |`);
console.log(
  `| batch: results download | ${((tDownloaded - tDone) / 1000).toFixed(1)} s, ${(bytes / 2 ** 20).toFixed(1)} MiB |`,
);

// BATCH_ONLY=1: only the batch (the drift and Redis memory parts below take another minute).
if (process.env.BATCH_ONLY !== '1') {
  // 2. Redis memory per million logged predictions: 100k events as the API flushes them (jobs of 1,000).
  await redis.flushall();
  const before = await usedMemory(redis);
  const queue = new Queue(QUEUES.predictionLog, { connection: redis, prefix: QUEUE_PREFIX });
  const events = [...generateLoans({ rows: 100_000, seed: 3 })].map((l) => ({
    modelVersion: 'bench',
    scoredAt: Date.now(),
    features: FEATURE_NAMES.map((n) => l.record[n] ?? null),
    probability: 0.02,
  }));
  for (let i = 0; i < events.length; i += 1000)
    await queue.add('events', { events: events.slice(i, i + 1000) }, { removeOnComplete: true, removeOnFail: 1000 });
  const perMillion = ((await usedMemory(redis)) - before) * 10;

  // 3. Drift worker: drain those 100k events (with the served model's version so all are counted).
  await redis.flushall();
  const version = (await import('node:fs')).readFileSync(`${modelsRoot}/current`, 'utf8').trim();
  for (const e of events) e.modelVersion = version;
  for (let i = 0; i < events.length; i += 1000)
    await queue.add('events', { events: events.slice(i, i + 1000) }, { removeOnComplete: true });
  const td0 = performance.now();
  start('node', ['workers/dist/src/main.js'], {
    MODEL_DIR: modelsRoot,
    REDIS_URL: redisUrl,
    WORKER_ROLES: 'drift',
    METRICS_PORT: '0',
    DRIFT_WINDOW_EVENTS: '10000',
  });
  await until(async () => {
    const c = await queue.getJobCounts('wait', 'active');
    return c.wait + c.active === 0;
  }, 'drift drained');
  const td1 = performance.now();
  await queue.close();

  console.log(
    `| drift worker: 100,000 logged predictions in jobs of 1,000 | ${((td1 - td0) / 1000).toFixed(1)} s incl. process start = ${f(100_000 / ((td1 - td0) / 1000))} events/s |`,
  );
  console.log(
    `| Redis memory per million logged predictions waiting in the queue | ${(perMillion / 2 ** 20).toFixed(0)} MiB |`,
  );
}
redis.disconnect();
for (const p of procs) p.kill('SIGTERM');
process.exit(0);
