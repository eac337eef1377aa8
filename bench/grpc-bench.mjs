// OIP v2 infer over gRPC against REST OIP infer on one API process, in the same run
// (`npm run bench:grpc`): 1 row and 1000 rows, REST as JSON tensors (autocannon, closed loop) and
// gRPC as typed contents and as raw_input_contents (a @grpc/grpc-js client in this process, closed
// loop, the same number of calls in flight over one channel). Each line gives the rate, latency and
// the server's CPU per request, which does not depend on what the load generator costs the machine.
// Prints a Markdown table; JSON to bench/.out/grpc-results.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';
import { inferRequest, probabilitiesOf, restInferBody } from '../api/dist/test/helpers/grpc-client.js';
import { CONNECTIONS, DURATION, f, load, startApi, stop } from './bench-driver.mjs';
import { grpcInferClient, grpcLoad } from './grpc-load.mjs';

const MODEL_DIR = process.argv[2];
const PORT = 18106;
const GRPC_PORT = 18107;
const BATCH = 1000;
/** Calls in flight for 1000-row requests, as bench:api's `instances` line. */
const BATCH_CONNECTIONS = 4;
const out = new URL('./.out/', import.meta.url);

const sizes = {
  1: [...generateLoans({ rows: 1, seed: 7 })].map((l) => l.record),
  [BATCH]: [...generateLoans({ rows: BATCH, seed: 8 })].map((l) => l.record),
};

const { modelInfer, close } = grpcInferClient(`127.0.0.1:${GRPC_PORT}`);

const results = { machine: `${cpus().length} cores (${cpus()[0].model})`, loadBefore: loadavg()[0], lines: [] };
const base = `http://127.0.0.1:${PORT}`;
const server = await startApi(
  new URL('../api/dist/src/main.js', import.meta.url).pathname,
  { PORT: String(PORT), GRPC_PORT: String(GRPC_PORT), MODEL_DIR },
  `${base}/readyz`,
);
const inferUrl = `${base}/v2/models/loan-risk/infer`;
for (const [rows, applicants] of Object.entries(sizes)) {
  const connections = Number(rows) === 1 ? CONNECTIONS : BATCH_CONNECTIONS;
  const body = restInferBody(applicants);
  const typed = inferRequest(applicants, 'typed');
  const raw = inferRequest(applicants, 'raw');
  // Same answers on both transports, then a warm-up of each line so none pays another's JIT compilation.
  const rest = await (
    await fetch(inferUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  ).json();
  for (const request of [typed, raw]) {
    if (JSON.stringify(probabilitiesOf(await modelInfer(request))) !== JSON.stringify(rest.outputs[0].data))
      throw new Error(`${rows} rows: gRPC and REST answers differ`);
  }
  await load(server, inferUrl, body, { duration: 2, connections });
  await grpcLoad(server, modelInfer, typed, { inFlight: connections, seconds: 2 });
  await grpcLoad(server, modelInfer, raw, { inFlight: connections, seconds: 2 });
  results.lines.push({ rows, transport: 'REST JSON', ...(await load(server, inferUrl, body, { connections })) });
  results.lines.push({
    rows,
    transport: 'gRPC typed',
    ...(await grpcLoad(server, modelInfer, typed, { inFlight: connections })),
  });
  results.lines.push({
    rows,
    transport: 'gRPC raw',
    ...(await grpcLoad(server, modelInfer, raw, { inFlight: connections })),
  });
}
close();
await stop(server);
results.loadAfter = loadavg()[0];

const header = `| rows | transport | req/s | rows/s | p50 ms | p99 ms | server CPU µs/req |\n| --- | --- | --- | --- | --- | --- | --- |`;
const table = [
  header,
  ...results.lines.map(
    (l) =>
      `| ${l.rows} | ${l.transport} | ${f(l.reqPerSec)} | ${f(l.reqPerSec * Number(l.rows))} | ${f(l.p50, 2)} | ${f(l.p99, 2)} | ${f(l.cpuUsPerRequest)} |`,
  ),
].join('\n');
await mkdir(out, { recursive: true });
await writeFile(new URL('grpc-results.json', out), `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `${results.machine}; ${DURATION} s a line; load average ${results.loadBefore} before, ${results.loadAfter} after\n`,
);
console.log(table);
