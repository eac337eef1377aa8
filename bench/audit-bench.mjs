// Drives /predict (one row, explain=false) with autocannon under each AUDIT_MODE against a real
// redis-server (AOF, appendfsync always) and prints a Markdown table: req/s, latency, the API's
// and Redis' CPU per request (from /proc), and the records the archive stream received.
import { execSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Redis } from 'ioredis';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';

const MODEL_DIR = process.argv[2];
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const REDIS_PORT = 18379;
const API_PORT = 18091;
const applicant = [...generateLoans({ rows: 1, seed: 7 })][0].record;
const TICKS_PER_SECOND = Number(execSync('getconf CLK_TCK'));

function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

async function waitFor(check) {
  for (let i = 0; i < 600; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('did not start');
}

const redisDir = mkdtempSync(join(tmpdir(), 'audit-bench-redis-'));
const redisServer = spawn(
  'redis-server',
  [
    '--port',
    String(REDIS_PORT),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--dir',
    redisDir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
  ],
  { stdio: 'ignore' },
);
// ioredis reconnects on its own until redis-server listens.
const redis = new Redis({ port: REDIS_PORT });
redis.on('error', () => undefined);
await waitFor(async () => (await redis.ping()) === 'PONG');

const rows = [];
for (const mode of ['off', 'best-effort', 'required']) {
  await redis.del('loanrisk:audit');
  const api = spawn(process.execPath, [new URL('../api/dist/src/main.js', import.meta.url).pathname], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(API_PORT),
      LOG_LEVEL: 'warn',
      MODEL_DIR,
      REDIS_URL: `redis://127.0.0.1:${REDIS_PORT}`,
      PREDICTION_LOG_SAMPLE: '0',
      AUDIT_MODE: mode,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${API_PORT}/readyz`)).ok);
  const url = `http://127.0.0.1:${API_PORT}/predict?explain=false`;
  const options = {
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(applicant),
    connections: CONNECTIONS,
  };
  await autocannon({ ...options, duration: 2 }); // warm-up
  await redis.del('loanrisk:audit');
  const apiCpu = cpuSeconds(api.pid);
  const redisCpu = cpuSeconds(redisServer.pid);
  const result = await autocannon({ ...options, duration: DURATION });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${mode}: ${bad} failed requests`);
  const total = result.requests.total;
  // Best-effort writes of the last answers may still be on their way.
  await new Promise((r) => setTimeout(r, 1000));
  const recorded = await redis.xlen('loanrisk:audit');
  const metrics = await (await fetch(`http://127.0.0.1:${API_PORT}/metrics`)).text();
  const lost = Number(/^loanrisk_audit_records_total\{outcome="(?:lost|refused)"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
  rows.push({
    mode,
    reqPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    apiCpu: Math.round(((cpuSeconds(api.pid) - apiCpu) * 1e6) / total),
    redisCpu: Math.round(((cpuSeconds(redisServer.pid) - redisCpu) * 1e6) / total),
    requests: total,
    recorded,
    lost,
  });
  api.kill('SIGTERM');
  await once(api, 'exit');
}
redis.disconnect();
redisServer.kill('SIGTERM');
await once(redisServer, 'exit');

console.log(
  `Machine load average (1 min) at the end: ${loadavg()[0].toFixed(2)}; ${CONNECTIONS} connections, ${DURATION} s per line.\n`,
);
console.log(
  '| AUDIT_MODE | req/s | p50 ms | p99 ms | API CPU µs/request | Redis CPU µs/request | requests | records in the stream | lost or refused (whole run) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows)
  console.log(
    `| ${r.mode} | ${r.reqPerSec.toLocaleString('en')} | ${r.p50} | ${r.p99} | ${r.apiCpu} | ${r.redisCpu} | ${r.requests.toLocaleString('en')} | ${r.recorded.toLocaleString('en')} | ${r.lost} |`,
  );
