// OIP v2 infer over gRPC against REST OIP infer on one API process, in the same run
// (`npm run bench:grpc`): 1 row and 1000 rows, REST as JSON tensors (autocannon, closed loop) and
// gRPC as typed contents and as raw_input_contents (a @grpc/grpc-js client in this process, closed
// loop, the same number of calls in flight over one channel). Each line gives the rate, latency,
// the server's CPU per request, which does not depend on what the load generator costs the
// machine, and the JavaScript heap the server allocated per request (V8's --trace-gc-nvp).
//
// Before and after: BEFORE_MAIN names another build's api/dist/src/main.js (a copy of the tree at
// an earlier commit, built; docs/BENCHMARKS.md shows how). Both servers run side by side and take
// turns line by line (which one goes first alternates), BENCH_ROUNDS times (default 3 with a
// before build, else 1), so a change in the machine's load shows as a spread, not as a difference;
// the table gives each line's median over the rounds. Both builds must answer the same
// probabilities, to the bit, or the benchmark stops.
// Prints Markdown tables; JSON to bench/.out/grpc-results.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';
import { inferRequest, probabilitiesOf, restInferBody } from '../api/dist/test/helpers/grpc-client.js';
import { allocationTrace, CONNECTIONS, DURATION, f, load, startApi, stop } from './bench-driver.mjs';
import { grpcInferClient, grpcLoad } from './grpc-load.mjs';

const MODEL_DIR = process.argv[2];
const BATCH = 1000;
/** Calls in flight for 1000-row requests, as bench:api's `instances` line. */
const BATCH_CONNECTIONS = 4;
const BEFORE_MAIN = process.env.BEFORE_MAIN;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (BEFORE_MAIN ? 3 : 1));
const out = new URL('./.out/', import.meta.url);

const sizes = {
  1: [...generateLoans({ rows: 1, seed: 7 })].map((l) => l.record),
  [BATCH]: [...generateLoans({ rows: BATCH, seed: 8 })].map((l) => l.record),
};
const TRANSPORTS = ['REST JSON', 'gRPC typed', 'gRPC raw'];

/** One API process of `main` under the allocation trace, with its gRPC client. */
async function startBuild(name, main, port) {
  const trace = allocationTrace();
  const base = `http://127.0.0.1:${port}`;
  const server = await startApi(
    main,
    { PORT: String(port), GRPC_PORT: String(port + 1), MODEL_DIR },
    `${base}/readyz`,
    trace,
  );
  return {
    name,
    server,
    trace,
    inferUrl: `${base}/v2/models/loan-risk/infer`,
    ...grpcInferClient(`127.0.0.1:${port + 1}`),
  };
}

const builds = [await startBuild('this build', new URL('../api/dist/src/main.js', import.meta.url).pathname, 18106)];
if (BEFORE_MAIN) builds.push(await startBuild('before', BEFORE_MAIN, 18108));

const requests = Object.fromEntries(
  Object.entries(sizes).map(([rows, applicants]) => [
    rows,
    {
      'REST JSON': restInferBody(applicants),
      'gRPC typed': inferRequest(applicants, 'typed'),
      'gRPC raw': inferRequest(applicants, 'raw'),
    },
  ]),
);

/** One measured line (or a warm-up of `seconds`) of `transport` with `rows`-row requests on `build`. */
async function line(build, rows, transport, seconds) {
  const connections = Number(rows) === 1 ? CONNECTIONS : BATCH_CONNECTIONS;
  const request = requests[rows][transport];
  if (transport === 'REST JSON')
    return load(build.server, build.inferUrl, request, { connections, ...(seconds ? { duration: seconds } : {}) });
  return grpcLoad(build.server, build.modelInfer, request, { inFlight: connections, ...(seconds ? { seconds } : {}) });
}

/** Same answers on every transport of every build, to the bit; then a warm-up of each line so none pays another's JIT compilation. */
async function checkAndWarm() {
  for (const rows of Object.keys(sizes)) {
    let expected;
    for (const build of builds) {
      const rest = await (
        await fetch(build.inferUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(requests[rows]['REST JSON']),
        })
      ).json();
      const answers = [rest.outputs[0].data];
      for (const transport of ['gRPC typed', 'gRPC raw'])
        answers.push(probabilitiesOf(await build.modelInfer(requests[rows][transport])));
      expected ??= JSON.stringify(answers[0]);
      for (const [i, answer] of answers.entries())
        if (JSON.stringify(answer) !== expected)
          throw new Error(
            `${rows} rows: ${build.name}'s ${TRANSPORTS[i]} answer differs from ${builds[0].name}'s REST answer`,
          );
      for (const transport of TRANSPORTS) await line(build, rows, transport, 2);
    }
  }
}

const results = {
  machine: `${cpus().length} cores (${cpus()[0].model})`,
  loadBefore: loadavg()[0],
  builds: builds.map((b) => b.name),
  lines: [],
};
await checkAndWarm();
for (let round = 1; round <= ROUNDS; round++) {
  for (const rows of Object.keys(sizes)) {
    for (const transport of TRANSPORTS) {
      for (const build of round % 2 === 1 ? builds : [...builds].reverse()) {
        const allocatedBefore = build.trace.allocatedBytes();
        const result = await line(build, rows, transport);
        const allocKbPerRequest = (build.trace.allocatedBytes() - allocatedBefore) / 1024 / result.requests;
        results.lines.push({ round, build: build.name, rows, transport, ...result, allocKbPerRequest });
      }
    }
  }
}
for (const build of builds) {
  build.close();
  await stop(build.server);
}
results.loadAfter = loadavg()[0];

const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
/** The median of each measure over the rounds, per build, size and transport. */
function medians(build, rows, transport) {
  const picked = results.lines.filter((l) => l.build === build && l.rows === rows && l.transport === transport);
  const of = (key) => median(picked.map((l) => l[key]));
  return {
    reqPerSec: of('reqPerSec'),
    p50: of('p50'),
    p99: of('p99'),
    cpuUsPerRequest: of('cpuUsPerRequest'),
    allocKbPerRequest: of('allocKbPerRequest'),
    spread: `${f(Math.min(...picked.map((l) => l.reqPerSec)))}-${f(Math.max(...picked.map((l) => l.reqPerSec)))}`,
  };
}

const table = [
  `| rows | transport | build | req/s (median; range of ${ROUNDS}) | rows/s | p50 ms | p99 ms | server CPU µs/req | heap allocated KB/req |`,
  '| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
];
for (const rows of Object.keys(sizes)) {
  for (const transport of TRANSPORTS) {
    for (const build of results.builds) {
      const m = medians(build, rows, transport);
      table.push(
        `| ${rows} | ${transport} | ${build} | ${f(m.reqPerSec)} (${m.spread}) | ${f(m.reqPerSec * Number(rows))} | ${f(m.p50, 2)} | ${f(m.p99, 2)} | ${f(m.cpuUsPerRequest)} | ${f(m.allocKbPerRequest, 1)} |`,
      );
    }
  }
}
await mkdir(out, { recursive: true });
await writeFile(new URL('grpc-results.json', out), `${JSON.stringify(results, null, 2)}\n`);
console.log(
  `${results.machine}; ${DURATION} s a line, ${ROUNDS} round(s); 1-minute load average ${f(results.loadBefore, 2)} before, ${f(results.loadAfter, 2)} after\n`,
);
console.log(table.join('\n'));
