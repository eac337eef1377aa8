// A portfolio through the desk's own upload path, timed as the risk analyst waits for it: the
// real Chromium chooses a generated CSV on the page, which streams it to POST /batches; the
// worker scores it with reasons; the page shows the summary and the first page of the riskiest
// holders. The API and the workers run as separate processes beside one Redis, as `npm start` runs them.
// Prints the seconds to each milestone, the page's longest main-thread task (a frozen tab shows
// as a long one) and the page's JS heap at the end; then the seconds until the workers have
// archived the batch's audit records (the audit stream empty again), the CPU seconds each
// process used until then and Redis's peak memory.
// Usage: node bench/desk-portfolio.mjs <models root>   (ROWS=1000000, GZIP=1 for a .csv.gz,
// WORKERS=2: worker processes, one a core as the chart runs them; `npm start` runs one)
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { cpuSeconds } from './bench-driver.mjs';
import { chromium } from 'playwright-core';

/* global window */
import { freePort } from '../scoring/dist/test/helpers/free-port.js';
import { RedisServer } from '../scoring/dist/test/helpers/redis-server.js';

const root = resolve(process.argv[2] ?? 'models');
const ROWS = Number(process.env.ROWS ?? 1_000_000);
const GZIP = process.env.GZIP === '1';
const WORKERS = Number(process.env.WORKERS ?? 2);
const out = resolve('bench/.out');
mkdirSync(out, { recursive: true });
if (!existsSync(join(root, 'current'))) {
  console.error(`no model under ${root}: run \`npm start\` once (it trains one into models/), or name a models root`);
  process.exit(2);
}

const csv = join(out, `desk-portfolio-${ROWS}.csv`);
if (!existsSync(csv)) {
  console.log(`generating ${ROWS.toLocaleString('en')} holders into ${csv}`);
  execFileSync(process.execPath, [
    'trainer-job/bin/loanrisk-generate.js',
    '--rows',
    String(ROWS),
    '--seed',
    '21',
    '--with-id',
    '--no-label',
    '--out',
    csv,
  ]);
}
const file = GZIP ? `${csv}.gz` : csv;
if (GZIP && !existsSync(file)) execFileSync('gzip', ['-k', '-6', csv]);

const redis = await RedisServer.start();
const port = await freePort();
const env = { ...process.env, REDIS_URL: redis.url, MODEL_DIR: root, LOG_LEVEL: 'warn', METRICS_PORT: '0' };
const workers = Array.from({ length: WORKERS }, (_, i) =>
  // One process runs the drift and audit roles too, as `npm start`'s does; the others score batches only.
  spawn(process.execPath, ['workers/dist/src/main.js'], {
    env: i === 0 ? env : { ...env, WORKER_ROLES: 'batch' },
    stdio: 'inherit',
  }),
);
const api = spawn(process.execPath, ['--no-memory-reducer', 'api/dist/src/main.js'], {
  env: { ...env, PORT: String(port), HOST: '127.0.0.1', PREDICTION_LOG_SAMPLE: '0' },
  stdio: 'inherit',
});
const url = `http://127.0.0.1:${port}`;
for (let i = 0; i < 100; i++) {
  const ready = await fetch(`${url}/readyz`)
    .then((r) => r.ok)
    .catch(() => false);
  if (ready) break;
  await new Promise((r) => setTimeout(r, 200));
}

/**
 * Waits until the audit stream is empty (the archiver has written every record of the batch);
 * the seconds then, the CPU seconds the workers, the API and Redis (its INFO) used so far, and
 * Redis's peak memory (used_memory_peak).
 */
async function auditArchived(seconds) {
  const client = new Redis(redis.url);
  try {
    while ((await client.xlen('loanrisk:audit')) > 0) await new Promise((r) => setTimeout(r, 200));
    const at = seconds();
    const info = await client.info();
    const field = (name) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1]);
    const cpu = {
      workers: workers.reduce((sum, w) => sum + cpuSeconds(w), 0),
      api: cpuSeconds(api),
      redis: field('used_cpu_sys') + field('used_cpu_user'),
    };
    return {
      seconds: at,
      cpu: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, Number(v.toFixed(1))])),
      redisPeakMB: Number((field('used_memory_peak') / 1e6).toFixed(1)),
    };
  } finally {
    client.disconnect();
  }
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Long tasks (over 50 ms on the main thread) are what a frozen tab is made of.
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(`${url}/#/portfolio`);
  const began = performance.now();
  const seconds = () => (performance.now() - began) / 1000;
  await page.locator('#portfolio-file').setInputFiles(file);
  await page.waitForURL(/#\/portfolio\/[^/]+$/, { timeout: 600_000 });
  const accepted = seconds();
  await page.locator('#flagged-count').waitFor({ timeout: 1_800_000 });
  const scored = seconds();
  await page.locator('#riskiest tbody tr').nth(24).waitFor();
  const firstPage = seconds();
  const archived = await auditArchived(seconds);
  const longTasks = await page.evaluate(() => window.__longTasks);
  const heap = await page.evaluate(() => performance.memory?.usedJSHeapSize ?? 0);
  const megabytes = (statSync(file).size / 1e6).toFixed(1);
  console.log(
    JSON.stringify(
      {
        rows: ROWS,
        workers: WORKERS,
        file: `${megabytes} MB${GZIP ? ' gzip' : ''}`,
        model: readFileSync(join(root, 'current'), 'utf8').trim(),
        uploadedAndAcceptedSeconds: Number(accepted.toFixed(1)),
        scoredSeconds: Number(scored.toFixed(1)),
        firstResultPageSeconds: Number(firstPage.toFixed(1)),
        rowsPerSecondEndToEnd: Math.round(ROWS / firstPage),
        auditArchivedSeconds: Number(archived.seconds.toFixed(1)),
        cpuSecondsUntilArchived: archived.cpu,
        redisPeakMB: archived.redisPeakMB,
        longestMainThreadTaskMs: Math.round(Math.max(0, ...longTasks)),
        longTasksOver50Ms: longTasks.length,
        pageHeapMB: Number((heap / 1e6).toFixed(1)),
        cores: cpus().length,
        loadAverage1m: Number(loadavg()[0].toFixed(2)),
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
  api.kill('SIGTERM');
  for (const worker of workers) worker.kill('SIGTERM');
  await Promise.all([api, ...workers].map((p) => new Promise((r) => (p.exitCode === null ? p.once('exit', r) : r()))));
  await redis.stop();
}
