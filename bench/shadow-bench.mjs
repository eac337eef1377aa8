// The cost of shadow scoring, measured side by side in one run: the same live model served with
// no candidate and with a candidate in shadow mode (CANDIDATE_MODE=shadow), one server at a time.
// For each: the most requests/s 32 connections get (autocannon) with the server's CPU per request,
// then an open-loop fixed rate that both can sustain, timed per request in microseconds (the
// intended send time is the start, so a stalled server cannot hide its queue), in alternating
// rounds. The candidate's own
// run (its scoring per request, off the response path) comes from the server's rollout metrics.
// Prints a Markdown table; JSON goes to bench/.out/shadow-results.json.
import { execSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { cpus, loadavg } from 'node:os';
import autocannon from 'autocannon';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';

const [MODELS_ROOT, LIVE, CANDIDATE] = process.argv.slice(2);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
/** Requests per second of the fixed-rate lines: well below what either server can do with reasons. */
const RATE = Number(process.env.BENCH_RATE ?? 400);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const out = new URL('./.out/', import.meta.url);
const api = new URL('../api/dist/src/main.js', import.meta.url).pathname;
const TICKS_PER_SECOND = Number(execSync('getconf CLK_TCK'));

const loans = [...generateLoans({ rows: 200, seed: 9 })].map((l) => l.record);
const bodies = loans.map((loan) => JSON.stringify(loan));

async function start(port, env) {
  const child = spawn(process.execPath, [api], {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      // Two servers run at once: neither may hold the default gRPC port.
      GRPC_PORT: '0',
      LOG_LEVEL: 'warn',
      MODELS_ROOT,
      LIVE_VERSION: LIVE,
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}`);
    if (
      await fetch(`http://127.0.0.1:${port}/readyz`).then(
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

/** CPU seconds (user + system) the process has used so far, from /proc. */
function cpuSeconds(child) {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

async function saturate(server, url) {
  const cpuBefore = cpuSeconds(server);
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: bodies[0],
    connections: CONNECTIONS,
    duration: DURATION,
  });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${url}: ${bad} failed requests`);
  return {
    reqPerSec: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    cpuUsPerRequest: ((cpuSeconds(server) - cpuBefore) * 1e6) / result.requests.total,
  };
}

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Open loop: one request every 1/rate s whatever the answers do; latency from the intended send time. */
async function fixedRate(server, url, rate) {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const latencies = [];
  let failed = 0;
  const send = (body, intended) =>
    new Promise((resolve) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) latencies.push((performance.now() - intended) * 1000);
            else failed += 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        failed += 1;
        resolve();
      });
      req.end(body);
    });
  const total = Math.round(rate * DURATION);
  const cpuBefore = cpuSeconds(server);
  const begin = performance.now();
  const pending = [];
  for (let i = 0; i < total; i++) {
    const intended = begin + (i * 1000) / rate;
    const wait = intended - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(send(bodies[i % bodies.length], intended));
  }
  await Promise.all(pending);
  const cpuUsPerRequest = ((cpuSeconds(server) - cpuBefore) * 1e6) / total;
  agent.destroy();
  if (failed > 0) throw new Error(`${url}: ${failed} failed requests`);
  latencies.sort((a, b) => a - b);
  return { rate, p50Us: quantile(latencies, 0.5), p99Us: quantile(latencies, 0.99), cpuUsPerRequest };
}

/** Mean and p99 bucket (upper bound) of a version's scoring run, from its rollout metrics. */
async function runLatency(port, version, role) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const series = `loanrisk_rollout_run_duration_seconds`;
  const labels = `version="${version}",role="${role}"`;
  const value = (line) => Number(line.slice(line.lastIndexOf(' ') + 1));
  const lines = text.split('\n').filter((l) => l.includes(labels));
  const count = value(lines.find((l) => l.startsWith(`${series}_count{`)));
  const sum = value(lines.find((l) => l.startsWith(`${series}_sum{`)));
  const p99Bucket = lines
    .filter((l) => l.startsWith(`${series}_bucket{`))
    .map((l) => ({ le: l.match(/le="([^"]+)"/)[1], n: value(l) }))
    .find((b) => b.n >= 0.99 * count);
  return {
    runs: count,
    meanUs: (sum / count) * 1e6,
    p99BucketMs: p99Bucket.le === '+Inf' ? Infinity : Number(p99Bucket.le) * 1000,
  };
}

/** Rows the shadow scorer skipped because too many waited (0 when shadow is off). */
async function skippedRows(port) {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('loanrisk_rollout_shadow_skipped_rows_total '));
  return line ? Number(line.split(' ')[1]) : 0;
}

async function measureSaturated(port, env) {
  const server = await start(port, env);
  const url = `http://127.0.0.1:${port}/predict?explain=false`;
  await saturate(server, url); // warm-up
  const saturated = await saturate(server, url);
  saturated.shadowSkippedRows = await skippedRows(port);
  await stop(server);
  return { saturated };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** The median over rounds of each number of a fixed-rate result. */
function medians(runs) {
  return Object.fromEntries(Object.keys(runs[0]).map((key) => [key, median(runs.map((r) => r[key]))]));
}

const results = {
  machine: `${cpus().length} cores (${cpus()[0].model})`,
  loadBefore: loadavg()[0],
  live: LIVE,
  candidate: CANDIDATE,
  rate: RATE,
  rounds: ROUNDS,
};
const shadowEnv = { CANDIDATE_VERSION: CANDIDATE, CANDIDATE_MODE: 'shadow' };
results.off = await measureSaturated(18093, {});
results.on = await measureSaturated(18094, shadowEnv);

// Fixed rate: both servers up and measured in turn, round after round, so whatever else the
// machine does falls on both alike.
const servers = { off: { port: 18093, env: {} }, on: { port: 18094, env: shadowEnv } };
for (const s of Object.values(servers)) {
  s.process = await start(s.port, s.env);
  await fixedRate(s.process, `http://127.0.0.1:${s.port}/predict`, RATE); // warm-up
  s.plain = [];
  s.explained = [];
}
for (let round = 0; round < ROUNDS; round++) {
  for (const s of Object.values(servers)) {
    s.plain.push(await fixedRate(s.process, `http://127.0.0.1:${s.port}/predict?explain=false`, RATE));
    s.explained.push(await fixedRate(s.process, `http://127.0.0.1:${s.port}/predict`, RATE));
  }
}
for (const [key, s] of Object.entries(servers)) {
  results[key].atRate = { plain: medians(s.plain), explained: medians(s.explained) };
  results[key].rounds = { plain: s.plain, explained: s.explained };
  results[key].liveRun = await runLatency(s.port, LIVE, 'live');
}
results.on.shadowRun = await runLatency(servers.on.port, CANDIDATE, 'shadow');
results.on.stats = await (await fetch(`http://127.0.0.1:${servers.on.port}/rollout/stats`)).json();
for (const s of Object.values(servers)) await stop(s.process);
results.loadAfter = loadavg()[0];

const f = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const diff = (a, b) => `${b >= a ? '+' : ''}${f(b - a)}`;
const { off, on } = results;
const line = (what, pick) => `| ${what} | ${f(pick(off))} | ${f(pick(on))} | ${diff(pick(off), pick(on))} |`;
/** A fixed-rate number: the median, and in brackets the lowest and highest round (how noisy it was). */
const spread = (r, kind, key) =>
  `${f(r.atRate[kind][key])} (${f(Math.min(...r.rounds[kind].map((x) => x[key])))}-${f(Math.max(...r.rounds[kind].map((x) => x[key])))})`;
const rateLine = (what, kind, key) =>
  `| ${RATE} req/s, ${what} | ${spread(off, kind, key)} | ${spread(on, kind, key)} | ${diff(off.atRate[kind][key], on.atRate[kind][key])} |`;
const table = [
  `Machine: ${results.machine}; load generator on the same machine; live ${LIVE}, candidate ${CANDIDATE}; ${DURATION} s per line, fixed-rate lines the median of ${ROUNDS} alternating rounds (lowest-highest round in brackets); 1-minute load average ${f(results.loadBefore, 2)} before, ${f(results.loadAfter, 2)} after.`,
  '',
  '| /predict, one row | shadow off | shadow on | on - off |',
  '| --- | ---: | ---: | ---: |',
  line(`saturated (${CONNECTIONS} connections, explain=false): req/s`, (r) => r.saturated.reqPerSec),
  line('saturated: server CPU µs/request', (r) => r.saturated.cpuUsPerRequest),
  line('saturated: p99 ms', (r) => r.saturated.p99Ms),
  `| saturated: rows the shadow skipped (candidate behind) | | ${f(on.saturated.shadowSkippedRows)} | |`,
  rateLine('explain=false: p50 µs', 'plain', 'p50Us'),
  rateLine('explain=false: p99 µs', 'plain', 'p99Us'),
  rateLine('explain=false: server CPU µs/request', 'plain', 'cpuUsPerRequest'),
  rateLine('with reasons: p50 µs', 'explained', 'p50Us'),
  rateLine('with reasons: p99 µs', 'explained', 'p99Us'),
  rateLine('with reasons: server CPU µs/request', 'explained', 'cpuUsPerRequest'),
  '',
  `- the candidate's own run in shadow (scoring one request's row after the answer, queueing included), over all fixed-rate runs: mean ${f(on.shadowRun.meanUs)} µs, p99 at most ${on.shadowRun.p99BucketMs} ms (histogram bucket; ${f(on.shadowRun.runs)} runs); the live run: mean ${f(on.liveRun.meanUs)} µs with shadow on, ${f(off.liveRun.meanUs)} µs off`,
  `- shadow stats of that server: ${f(on.stats.candidate.rows)} rows shadow-scored, ${f(on.stats.candidate.errors)} errors, decisions agreeing on ${f((100 * on.stats.candidate.agreements) / Math.max(1, on.stats.candidate.rows), 1)}%`,
].join('\n');
await mkdir(out, { recursive: true });
await writeFile(new URL('shadow-results.json', out), `${JSON.stringify(results, null, 2)}\n`);
console.log(table);
