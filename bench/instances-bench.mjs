// Large `instances` requests (issue 12 item 3): 1000-row POST /predict?explain=false through the
// API against onnxruntime-node running the same 1000-row tensors of model-dense.onnx in this
// process, in one run, with the same intra-op thread count on both sides (ORT_INTRA_OP_THREADS,
// default 1). The API runs twice: with large runs on its scoring thread (the default) and with
// ORT_THREAD_MIN_ROWS=0 (every run on the event loop, as before). Prints a Markdown table.
// Usage: [API_MAIN=<path to main.js>] node bench/instances-bench.mjs <models root>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';
import { DURATION, f, load, startApi, stop } from './bench-driver.mjs';
import { inProcessRowsPerSecond } from './in-process-scoring.mjs';

const MODEL_DIR = process.argv[2];
const BATCH = 1000;
const CONNECTIONS = 4;
const THREADS = Number(process.env.ORT_INTRA_OP_THREADS ?? 1);
const version = readFileSync(join(MODEL_DIR, 'current'), 'utf8').trim();
const manifest = JSON.parse(readFileSync(join(MODEL_DIR, version, 'manifest.json'), 'utf8'));
const batch = [...generateLoans({ rows: BATCH, seed: 8 })].map((l) => l.record);
// API_MAIN: another build of the API to measure (e.g. a copy of the previous commit's api/dist), for before/after in one window.
const api = process.env.API_MAIN ?? new URL('../api/dist/src/main.js', import.meta.url).pathname;

/** One API process with `env`, warmed up, then one measured line of 1000-row requests. */
async function throughApi(port, env) {
  const base = `http://127.0.0.1:${port}`;
  const server = await startApi(
    api,
    { PORT: String(port), MODEL_DIR, ORT_INTRA_OP_THREADS: String(THREADS), ...env },
    `${base}/readyz`,
  );
  const url = `${base}/predict?explain=false`;
  await load(server, url, { instances: batch }, { duration: 2, connections: CONNECTIONS });
  const result = await load(server, url, { instances: batch }, { connections: CONNECTIONS });
  await stop(server);
  return { ...result, rowsPerSec: result.reqPerSec * BATCH };
}

const loadBefore = loadavg()[0];
// Alternated, so a change in the machine's load shows as a spread rather than as a difference.
const lines = [];
for (const round of [1, 2]) {
  lines.push({ name: `API, scoring thread (default), round ${round}`, ...(await throughApi(18093, {})) });
  lines.push({
    name: `in process, round ${round}`,
    rowsPerSec: await inProcessRowsPerSecond({
      modelDir: MODEL_DIR,
      version,
      encodedColumns: manifest.encodedColumns,
      batch,
      threads: THREADS,
      seconds: DURATION / 2,
    }),
  });
  lines.push({
    name: `API, ORT_THREAD_MIN_ROWS=0 (runs on the event loop), round ${round}`,
    ...(await throughApi(18094, { ORT_THREAD_MIN_ROWS: '0' })),
  });
}
const loadAfter = loadavg()[0];
const mean = (prefix) => {
  const picked = lines.filter((l) => l.name.startsWith(prefix));
  return picked.reduce((sum, l) => sum + l.rowsPerSec, 0) / picked.length;
};
const inProcess = mean('in process');
console.log(
  `Machine: ${cpus().length} cores (${cpus()[0].model}); load generator (autocannon) on the same machine, ${CONNECTIONS} connections, ${DURATION} s per API line; ${BATCH}-row requests, explain=false; onnxruntime ${THREADS} intra-op thread(s) on both sides; model ${version}; 1-minute load average ${f(loadBefore, 2)} before, ${f(loadAfter, 2)} after.\n`,
);
console.log('| what | rows/s | p50 ms | p99 ms | server CPU µs/request | share of in process |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const l of lines) {
  const http = l.p50 === undefined ? '| | |' : `| ${l.p50} | ${l.p99} | ${f(l.cpuUsPerRequest)} |`;
  console.log(`| ${l.name} | ${f(l.rowsPerSec)} ${http} ${f(l.rowsPerSec / inProcess, 2)} |`);
}
console.log(
  `\n- mean: API with the scoring thread ${f(mean('API, scoring'))} rows/s (${f(mean('API, scoring') / inProcess, 2)} of in process), on the event loop ${f(mean('API, ORT_THREAD'))} (${f(mean('API, ORT_THREAD') / inProcess, 2)}), in process ${f(inProcess)}`,
);
process.exit(0);
