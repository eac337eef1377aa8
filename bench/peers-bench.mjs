// Every peer on the same trees, one after the other in one run (`npm run bench:peers`): this
// API, MLServer's XGBoost runtime, Flask + gunicorn, KServe's ModelServer, BentoML and Ray Serve
// (bench/peers/servers.mjs says how each runs). For each line, a server's transport and request
// format with one row and with 1000 rows: its answers checked against this API's probabilities
// for the same rows (within 1e-4), then the closed-loop rate (autocannon for REST, the gRPC
// client of bench/grpc-load.mjs; the same connections or calls in flight for every server), the
// server's CPU per request from /proc (its whole process tree), the latency at one fixed rate
// for every server (open loop: bench/open-loop.mjs in a fresh process, grpcFixedRate), and the
// peak resident memory of its process tree. Prints Markdown tables; JSON to
// bench/.out/peers-results.json.
//
// Environment: BENCH_SECONDS (each measured part of a line, default 10), PEERS (a comma list of
// server keys, default all; this API always runs), PEERS_RATE and PEERS_BATCH_RATE (the fixed
// rates of the one-row and 1000-row lines, requests per second), ROUNDS (default 1: with more, the
// servers run in turn round after round, A B C, A B C, so a slower minute of the machine falls on
// each of them, and each line is its median round by closed-loop req/s).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';
import { CONNECTIONS, DURATION, f, load, stop, watchPeakRss } from './bench-driver.mjs';
import { grpcFixedRate, grpcInferClient, grpcLoad } from './grpc-load.mjs';
import { openLoopInChild } from './open-loop.mjs';
import { SERVERS } from './peers/servers.mjs';

const MODELS = process.argv[2];
const VENVS = process.env.PEERS_VENVS;
const ONLY = process.env.PEERS ? new Set(['api', ...process.env.PEERS.split(',')]) : undefined;
const BATCH = 1000;
/** Requests in flight for 1000-row lines, as bench:api's and bench:grpc's. */
const BATCH_CONNECTIONS = 4;
const RATES = { 1: Number(process.env.PEERS_RATE ?? 100), [BATCH]: Number(process.env.PEERS_BATCH_RATE ?? 10) };
const WARM_UP = Math.min(2, DURATION);
const TOLERANCE = 1e-4;
const ROUNDS = Number(process.env.ROUNDS ?? 1);
const TRITON =
  'not run: the PyPI package tritonserver (0.0.1.dev0) is a placeholder whose install fails with "RuntimeError: ' +
  'Currently, the correct way to install Triton Server In-Process Python API is using the wheels shipped in the NGC ' +
  'nightly containers"; those containers, and the onnxruntime backend shared library, cannot be fetched here';

/** 1. The model and the rows: the same applicants for every server. */
async function setUp() {
  const version = (await readFile(join(MODELS, 'current'), 'utf8')).trim();
  const versionDir = join(MODELS, version);
  const manifest = JSON.parse(await readFile(join(versionDir, 'manifest.json'), 'utf8'));
  const sizes = {
    1: [...generateLoans({ rows: 1, seed: 7 })].map((l) => l.record),
    [BATCH]: [...generateLoans({ rows: BATCH, seed: 8 })].map((l) => l.record),
  };
  return { context: { venvs: VENVS, modelsRoot: MODELS, versionDir, manifest }, version, sizes };
}

/** One answer to a line's request, as probabilities. */
async function probabilitiesOf(line, rows, grpcClient) {
  if (line.transport === 'gRPC') return line.probabilities(await grpcClient.modelInfer(line.request(rows)));
  const res = await fetch(line.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(line.body(rows)),
  });
  if (!res.ok) throw new Error(`${line.url}: ${res.status} ${await res.text()}`);
  return line.probabilities(await res.json());
}

/** The largest difference from the reference probabilities; fails past TOLERANCE. */
function agreement(name, line, rows, got, expected) {
  if (got.length !== expected.length) throw new Error(`${name}, ${line.label}: ${got.length} answers for ${rows} rows`);
  const maxDiff = Math.max(...got.map((p, i) => Math.abs(p - expected[i])));
  if (!(maxDiff <= TOLERANCE))
    throw new Error(`${name}, ${line.label}, ${rows} rows: answers differ from this API's by ${maxDiff}`);
  return maxDiff;
}

/** Closed loop after a warm-up, then the fixed rate, with the tree's peak RSS over both. */
async function measure(server, line, applicants, grpcClient) {
  const rows = applicants.length;
  const connections = rows === 1 ? CONNECTIONS : BATCH_CONNECTIONS;
  const rate = RATES[rows];
  const peak = watchPeakRss(server);
  let closed;
  let fixed;
  if (line.transport === 'gRPC') {
    const request = line.request(applicants);
    await grpcLoad(server, grpcClient.modelInfer, request, { inFlight: connections, seconds: WARM_UP });
    closed = await grpcLoad(server, grpcClient.modelInfer, request, { inFlight: connections });
    fixed = await grpcFixedRate(server, grpcClient.modelInfer, request, { rate, warmup: WARM_UP });
  } else {
    const body = JSON.stringify(line.body(applicants));
    await load(server, line.url, body, { duration: WARM_UP, connections });
    closed = await load(server, line.url, body, { connections });
    fixed = await openLoopInChild(line.url, body, { rate, seconds: DURATION, connections, warmup: WARM_UP });
    if (fixed.failed > 0) throw new Error(`${line.url}: ${fixed.failed} failed requests at ${rate} req/s`);
  }
  return { closed, fixed, peakRssBytes: peak() };
}

/** 2. One server: started, each line's answers checked and measured, stopped. */
async function runServer(spec, context, sizes, reference) {
  const server = await spec.start(context);
  const lines = [];
  try {
    for (const line of spec.lines(context)) {
      const grpcClient = line.transport === 'gRPC' ? grpcInferClient(line.address) : undefined;
      for (const [rowsKey, applicants] of Object.entries(sizes)) {
        const rows = Number(rowsKey);
        if (line.oneRowOnly && rows !== 1) continue;
        const got = await probabilitiesOf(line, applicants, grpcClient);
        const maxDiff = agreement(spec.name, line, rows, got, reference[rows]);
        const measured = await measure(server, line, applicants, grpcClient);
        lines.push({ transport: line.transport, label: line.label, rows, maxDiff, ...measured });
        console.error(`${spec.key}, ${line.label}, ${rows} rows: ${f(measured.closed.reqPerSec)} req/s`);
      }
      grpcClient?.close();
    }
  } finally {
    await stop(server);
  }
  return { key: spec.key, name: spec.name, lines };
}

/** This API's probabilities for the rows: the reference every peer is checked against. */
async function referenceOf(sizes, context) {
  const [api] = SERVERS;
  const server = await api.start(context);
  try {
    const [predict] = api.lines(context);
    const reference = {};
    for (const [rows, applicants] of Object.entries(sizes))
      reference[rows] = await probabilitiesOf(predict, applicants);
    return reference;
  } finally {
    await stop(server);
  }
}

/** Runs `task` on each item, one after the other. */
async function sequential(items, task) {
  const out = [];
  for (const item of items) out.push(await task(item));
  return out;
}

/** One server's lines over the rounds: each its median round by closed-loop req/s, with every round's rate. */
function medianRound(perRound) {
  const [first] = perRound;
  const lines = first.lines.map((_, i) => {
    const runs = perRound.map((server) => server.lines[i]);
    const sorted = [...runs].sort((a, b) => a.closed.reqPerSec - b.closed.reqPerSec);
    const median = sorted[Math.floor((sorted.length - 1) / 2)];
    return { ...median, roundsReqPerSec: runs.map((run) => run.closed.reqPerSec) };
  });
  return { ...first, lines };
}

const mib = (bytes) => f(bytes / 2 ** 20);

/** 3. The tables: one row per line, one table per request size. */
function tables(results) {
  const out = [];
  for (const rows of [1, BATCH]) {
    out.push(
      '',
      `${rows === 1 ? 'One row' : `${BATCH} rows`} per request: req/s closed loop on ${rows === 1 ? CONNECTIONS : BATCH_CONNECTIONS} connections; p50/p99 at ${RATES[rows]} req/s open loop (and the rate achieved); server CPU and peak RSS of its whole process tree`,
      '',
      '| server | transport, request | req/s | rows/s | p50 ms | p99 ms | achieved req/s | server CPU µs/req | peak RSS MiB | max diff from this API |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    );
    for (const server of results.servers)
      for (const l of server.lines.filter((line) => line.rows === rows))
        out.push(
          `| ${server.name} | ${l.transport}: ${l.label} | ${f(l.closed.reqPerSec)} | ${f(l.closed.reqPerSec * rows)} | ${f(l.fixed.p50, 2)} | ${f(l.fixed.p99, 2)} | ${f(l.fixed.reqPerSec)} | ${f(l.closed.cpuUsPerRequest)} | ${mib(l.peakRssBytes)} | ${l.maxDiff.toExponential(1)} |`,
        );
  }
  return out;
}

const eachRound = (line) => (ROUNDS > 1 ? ` (rounds: ${line.roundsReqPerSec.map((v) => f(v)).join(', ')})` : '');

/** 4. Against the goal: this API's one-row /predict against the best Python peer's best one-row line. */
function verdict(results) {
  const oneRow = (key) =>
    results.servers
      .filter((s) => (key ? s.key === key : s.key !== 'api'))
      .flatMap((s) => s.lines.filter((l) => l.rows === 1).map((l) => ({ server: s.name, ...l })))
      .sort((a, b) => b.closed.reqPerSec - a.closed.reqPerSec)[0];
  const ours = oneRow('api');
  const best = oneRow();
  if (!best) return ['', `- Triton: ${TRITON}`];
  const ratio = ours.closed.reqPerSec / best.closed.reqPerSec;
  return [
    '',
    `- one row: this API (${ours.transport}: ${ours.label}) ${f(ours.closed.reqPerSec)} req/s${eachRound(ours)}, the best Python peer (${best.server}, ${best.transport}: ${best.label}) ${f(best.closed.reqPerSec)}${eachRound(best)}: **${f(ratio, 1)}x** (goal >= 10x: ${ratio >= 10 ? 'met' : 'not met'})`,
    `- Triton: ${TRITON}`,
  ];
}

const { context, version, sizes } = await setUp();
const results = {
  machine: `${cpus().length} cores (${cpus()[0].model})`,
  model: version,
  seconds: DURATION,
  rates: RATES,
  loadBefore: loadavg()[0],
  triton: TRITON,
  servers: [],
};
const reference = await referenceOf(sizes, context);
const chosen = SERVERS.filter((s) => !ONLY || ONLY.has(s.key));
const rounds = [];
for (let r = 0; r < ROUNDS; r++) {
  if (ROUNDS > 1) console.error(`round ${r + 1}/${ROUNDS}`);
  rounds.push(await sequential(chosen, (spec) => runServer(spec, context, sizes, reference)));
}
results.rounds = ROUNDS;
results.servers = chosen.map((_, i) => medianRound(rounds.map((round) => round[i])));
results.loadAfter = loadavg()[0];
await mkdir(new URL('./.out/', import.meta.url), { recursive: true });
await writeFile(new URL('./.out/peers-results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
console.log(
  [
    `Machine: ${results.machine}; load generators on the same machine; model ${version}; each line ${WARM_UP} s warm-up, ${DURATION} s closed loop, ${WARM_UP} + ${DURATION} s at the fixed rate${ROUNDS > 1 ? `; ${ROUNDS} rounds, each line its median round` : ''}; 1-minute load average ${f(results.loadBefore, 2)} before, ${f(results.loadAfter, 2)} after.`,
    ...tables(results),
    ...verdict(results),
  ].join('\n'),
);
