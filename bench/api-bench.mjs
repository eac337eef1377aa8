// Drives the empty Express handler and the prediction API in one run and prints the measured
// numbers as Markdown tables (and JSON to bench/.out/api-results.json): single-row /predict and
// OIP v2 infer against the ceiling (autocannon, closed loop, the maximum rate), latency by offered
// load for the API and for the empty handler at the same rates (open loop, oha: bench/oha-open-loop.mjs),
// 1000-row `instances` against onnxruntime-node running the same graph in this process.
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';
import { CONNECTIONS, DURATION, f, load, startApi, startNode, stop } from './bench-driver.mjs';
import { inProcessRowsPerSecond } from './in-process-scoring.mjs';
import { ohaOpenLoop } from './oha-open-loop.mjs';
import { applicant, inferBody } from './serving-requests.mjs';

const MODEL_DIR = process.argv[2];
const BATCH = 1000;
const LOAD_SHARES = [0.1, 0.25, 0.5, 0.75, 0.9];
const out = new URL('./.out/', import.meta.url);
const bodyFile = new URL('./.out/open-loop-body.json', import.meta.url).pathname;
const version = readFileSync(join(MODEL_DIR, 'current'), 'utf8').trim();
const manifest = JSON.parse(readFileSync(join(MODEL_DIR, version, 'manifest.json'), 'utf8'));

const batch = [...generateLoans({ rows: BATCH, seed: 8 })].map((l) => l.record);

const results = { loadBefore: loadavg()[0], model: version };
const api = new URL('../api/dist/src/main.js', import.meta.url).pathname;

/** The empty handler's maximum rate, served as Express usually is (`stock`) or as the API is (`app`). */
async function emptyCeiling(classes) {
  const empty = await startEmpty(classes);
  await load(empty, EMPTY_URL, applicant, { duration: 2 }); // warm-up
  const result = await load(empty, EMPTY_URL, applicant);
  await stop(empty);
  return result;
}
const EMPTY_URL = 'http://127.0.0.1:18090/predict';
const startEmpty = (classes) =>
  startNode(
    new URL('./empty-server.mjs', import.meta.url).pathname,
    { PORT: '18090', SERVER_CLASSES: classes },
    'http://127.0.0.1:18090/ready',
  );
results.emptyStock = await emptyCeiling('stock');
results.empty = await emptyCeiling('app');

const base = 'http://127.0.0.1:18091';
const server = await startApi(api, { PORT: '18091', MODEL_DIR }, `${base}/readyz`);
// Warm-up of every path measured below, so no line pays for another's JIT compilation.
for (const [path, body] of [
  ['/predict?explain=false', applicant],
  ['/predict', applicant],
  ['/v2/models/loan-risk/infer', inferBody],
  ['/predict?explain=false', { instances: batch }],
]) {
  await load(server, `${base}${path}`, body, { duration: 2, connections: 4 });
}
results.predict = await load(server, `${base}/predict?explain=false`, applicant);
results.predictExplained = await load(server, `${base}/predict`, applicant);
results.infer = await load(server, `${base}/v2/models/loan-risk/infer`, inferBody);
/** Open-loop lines at fixed shares of /predict's maximum rate, on the server at `url` (the floor: the empty handler). */
async function byLoad(url, body, max) {
  const lines = [];
  for (const share of LOAD_SHARES) {
    const rate = Math.round(max * share);
    lines.push({
      share,
      ...(await ohaOpenLoop(url, body, { rate, seconds: DURATION, connections: CONNECTIONS, bodyFile })),
    });
  }
  return lines;
}
const open = (url, body, rate) =>
  ohaOpenLoop(url, body, { rate: Math.round(rate), seconds: DURATION, connections: CONNECTIONS, bodyFile });
results.halfRate = await open(`${base}/predict?explain=false`, applicant, results.predict.reqPerSec / 2);
results.halfRateExplained = await open(`${base}/predict`, applicant, results.predictExplained.reqPerSec / 2);
results.halfRateInfer = await open(`${base}/v2/models/loan-risk/infer`, inferBody, results.infer.reqPerSec / 2);
results.byLoad = await byLoad(`${base}/predict?explain=false`, applicant, results.predict.reqPerSec);
results.batch = await load(server, `${base}/predict?explain=false`, { instances: batch }, { connections: 4 });
results.batch.rowsPerSec = results.batch.reqPerSec * BATCH;
await stop(server);
results.inProcessRowsPerSec = await inProcessRowsPerSecond({
  modelDir: MODEL_DIR,
  version,
  encodedColumns: manifest.encodedColumns,
  batch,
  threads: 1,
  seconds: 3,
});

const unbatched = await startApi(
  api,
  { PORT: '18092', MODEL_DIR, MAX_BATCH_ROWS: '1' },
  'http://127.0.0.1:18092/readyz',
);
await load(unbatched, 'http://127.0.0.1:18092/predict', applicant, { duration: 2 });
results.predictUnbatched = await load(unbatched, 'http://127.0.0.1:18092/predict?explain=false', applicant);
await stop(unbatched);

// The floor of the latency table: the empty handler at the very rates the API was offered.
for (const [key, classes] of [
  ['emptyByLoad', 'app'],
  ['emptyStockByLoad', 'stock'],
]) {
  const empty = await startEmpty(classes);
  await load(empty, EMPTY_URL, applicant, { duration: 2 });
  results[key] = await byLoad(EMPTY_URL, applicant, results.predict.reqPerSec);
  await stop(empty);
}

results.loadAfter = loadavg()[0];
const row = (name, r) => `| ${name} | ${f(r.reqPerSec)} | ${r.p50} | ${r.p99} | ${f(r.cpuUsPerRequest)} |`;
const openRow = (name, r) =>
  `| ${name} | ${f(r.offered)} | ${f(r.reqPerSec)} | ${r.p50} | ${r.p90} | ${r.p99} | ${r.max} |`;
const table = [
  `Machine: ${cpus().length} cores (${cpus()[0].model}), load generators on the same machine (autocannon in this process for the maximum rates; oha for fixed rates), ${CONNECTIONS} connections, ${DURATION} s per line; model ${version}; 1-minute load average ${f(results.loadBefore, 2)} before, ${f(results.loadAfter, 2)} after (above ~1 means other work shared the cores).`,
  '',
  '| what | req/s | p50 ms | p99 ms | server CPU µs/request |',
  '| --- | ---: | ---: | ---: | ---: |',
  row('empty Express 5 handler, served as the API is (express-server.ts): the ceiling', results.empty),
  row('empty Express 5 handler, stock http.createServer(app)', results.emptyStock),
  row('/predict one row, explain=false', results.predict),
  row('/predict one row, with reasons (the default)', results.predictExplained),
  row('OIP v2 infer, one row', results.infer),
  row('/predict one row, explain=false, micro-batching off (MAX_BATCH_ROWS=1)', results.predictUnbatched),
  row(`/predict ${BATCH} instances, explain=false, 4 connections`, results.batch),
  '',
  `- /predict vs the empty handler served as the API is: ${f(results.predict.reqPerSec / results.empty.reqPerSec, 2)} in req/s (with reasons ${f(results.predictExplained.reqPerSec / results.empty.reqPerSec, 2)}), ${f(results.empty.cpuUsPerRequest / results.predict.cpuUsPerRequest, 2)} in server CPU per request`,
  `- OIP v2 infer vs the empty handler served as the API is: ${f(results.infer.reqPerSec / results.empty.reqPerSec, 2)} in req/s, ${f(results.empty.cpuUsPerRequest / results.infer.cpuUsPerRequest, 2)} in server CPU per request`,
  `- the same against stock Express: /predict ${f(results.predict.reqPerSec / results.emptyStock.reqPerSec, 2)} (with reasons ${f(results.predictExplained.reqPerSec / results.emptyStock.reqPerSec, 2)}), OIP v2 infer ${f(results.infer.reqPerSec / results.emptyStock.reqPerSec, 2)} in req/s`,
  `- micro-batching on vs off: ${f(results.predict.reqPerSec / results.predictUnbatched.reqPerSec, 2)}x`,
  `- batch scoring through the API: ${f(results.batch.rowsPerSec)} rows/s; onnxruntime-node in process on the same 1000-row tensors (model-dense.onnx, 1 thread): ${f(results.inProcessRowsPerSec)} rows/s; ratio ${f(results.batch.rowsPerSec / results.inProcessRowsPerSec, 2)}`,
  '',
  `Latency at a fixed offered rate (open loop, oha -q with --latency-correction: request i is released at i/rate s and its latency counts from then, waiting for a busy connection included; ${CONNECTIONS} keep-alive connections; ${DURATION} s per line, the requests due after the first 2 s of one oha process):`,
  '',
  '| what | offered req/s | achieved req/s | p50 ms | p90 ms | p99 ms | max ms |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  openRow('/predict one row, explain=false, half its maximum rate', results.halfRate),
  openRow('/predict one row, with reasons, half its maximum rate', results.halfRateExplained),
  openRow('OIP v2 infer one row, half its maximum rate', results.halfRateInfer),
  ...LOAD_SHARES.flatMap((share, i) => [
    openRow(`/predict one row, explain=false, ${f(share * 100)} % of its maximum`, results.byLoad[i]),
    openRow(`empty handler at the same rate, served as the API is (the floor)`, results.emptyByLoad[i]),
    openRow(`empty handler at the same rate, stock http.createServer(app)`, results.emptyStockByLoad[i]),
  ]),
].join('\n');
await mkdir(out, { recursive: true });
await writeFile(new URL('api-results.json', out), `${JSON.stringify(results, null, 2)}\n`);
console.log(table);
