// Drives the empty Express handler and the prediction API with autocannon in one run and prints
// the measured numbers as a Markdown table (and JSON to bench/.out/api-results.json).
import { execSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { cpus, loadavg } from 'node:os';
import autocannon from 'autocannon';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';

const MODEL_DIR = process.argv[2];
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const BATCH = 1000;
const out = new URL('./.out/', import.meta.url);

const applicant = [...generateLoans({ rows: 1, seed: 7 })][0].record;
const batch = [...generateLoans({ rows: BATCH, seed: 8 })].map((l) => l.record);

/** Starts a server and waits until it answers on `ready` (the API: a model is loaded). */
async function start(script, env, ready) {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}`);
    if (
      await fetch(ready).then(
        (r) => r.ok,
        () => false,
      )
    )
      return child;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stop(child) {
  child.kill('SIGTERM');
  await once(child, 'exit');
}

const TICKS_PER_SECOND = Number(execSync('getconf CLK_TCK'));

/** CPU seconds (user + system) the server process has used so far, from /proc. */
function cpuSeconds(child) {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

async function load(server, url, body, extra = {}) {
  const cpuBefore = cpuSeconds(server);
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    connections: CONNECTIONS,
    duration: DURATION,
    ...extra,
  });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${url}: ${bad} failed requests`);
  // Server CPU per request does not depend on how much of the machine other work took.
  const cpuUsPerRequest = ((cpuSeconds(server) - cpuBefore) * 1e6) / result.requests.total;
  return {
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    cpuUsPerRequest,
  };
}

const results = { loadBefore: loadavg()[0] };
const api = new URL('../api/dist/src/main.js', import.meta.url).pathname;

const empty = await start(
  new URL('./empty-server.mjs', import.meta.url).pathname,
  { PORT: '18090' },
  'http://127.0.0.1:18090/ready',
);
await load(empty, 'http://127.0.0.1:18090/predict', applicant, { duration: 2 }); // warm-up
results.empty = await load(empty, 'http://127.0.0.1:18090/predict', applicant);
await stop(empty);

const server = await start(api, { PORT: '18091', MODEL_DIR }, 'http://127.0.0.1:18091/readyz');
await load(server, 'http://127.0.0.1:18091/predict', applicant, { duration: 2 });
results.predict = await load(server, 'http://127.0.0.1:18091/predict?explain=false', applicant);
results.predictExplained = await load(server, 'http://127.0.0.1:18091/predict', applicant);
results.halfRate = await load(server, 'http://127.0.0.1:18091/predict?explain=false', applicant, {
  overallRate: Math.round(results.predict.reqPerSec / 2),
});
results.batch = await load(
  server,
  'http://127.0.0.1:18091/predict?explain=false',
  { instances: batch },
  { connections: 4 },
);
results.batch.rowsPerSec = results.batch.reqPerSec * BATCH;
await stop(server);

const unbatched = await start(api, { PORT: '18092', MODEL_DIR, MAX_BATCH_ROWS: '1' }, 'http://127.0.0.1:18092/readyz');
await load(unbatched, 'http://127.0.0.1:18092/predict', applicant, { duration: 2 });
results.predictUnbatched = await load(unbatched, 'http://127.0.0.1:18092/predict?explain=false', applicant);
await stop(unbatched);

results.loadAfter = loadavg()[0];
const f = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const row = (name, r) => `| ${name} | ${f(r.reqPerSec)} | ${r.p50} | ${r.p99} | ${f(r.cpuUsPerRequest)} |`;
const table = [
  `Machine: ${cpus().length} cores (${cpus()[0].model}), load generator (autocannon) on the same machine, ${CONNECTIONS} connections, ${DURATION} s per line; 1-minute load average ${f(results.loadBefore, 2)} before, ${f(results.loadAfter, 2)} after (above ~1 means other work shared the cores).`,
  '',
  '| what | req/s | p50 ms | p99 ms | server CPU µs/request |',
  '| --- | ---: | ---: | ---: | ---: |',
  row('empty Express 5 handler (ceiling)', results.empty),
  row('/predict one row, explain=false', results.predict),
  row('/predict one row, with reasons', results.predictExplained),
  row('/predict one row, explain=false, micro-batching off (MAX_BATCH_ROWS=1)', results.predictUnbatched),
  row(
    `/predict one row, explain=false, at half that rate (${f(results.predict.reqPerSec / 2)} req/s)`,
    results.halfRate,
  ),
  row(`/predict ${BATCH} instances, explain=false, 4 connections`, results.batch),
  '',
  `- /predict vs the empty handler: ${f(results.predict.reqPerSec / results.empty.reqPerSec, 2)} in req/s, ${f(results.empty.cpuUsPerRequest / results.predict.cpuUsPerRequest, 2)} in server CPU per request`,
  `- micro-batching on vs off: ${f(results.predict.reqPerSec / results.predictUnbatched.reqPerSec, 2)}x`,
  `- batch scoring: ${f(results.batch.rowsPerSec)} rows/s`,
].join('\n');
await mkdir(out, { recursive: true });
await writeFile(new URL('api-results.json', out), `${JSON.stringify(results, null, 2)}\n`);
console.log(table);
