// How steady the latency tail is at half the maximum rate (issue 12's p99 goal): one API
// process, each path's maximum with autocannon, then TAIL_LINES fixed-rate oha lines at half of
// it (bench/oha-open-loop.mjs: 10 s after 2 s in one generator process), back to back. A single
// line can land on a stall of the machine (docs/BENCHMARKS.md, run J); many lines show how often.
// Each line also records where a slow one came from, when Linux says: the machine's steal time
// (the host ran something else on the vCPUs: /proc/stat) and how long the API's event-loop thread
// waited runnable for a CPU (/proc/PID/schedstat).
// Usage: bash bench/tail.sh (builds, trains once, provides oha). TAIL_LINES, TAIL_PATHS
// (comma-separated: explain-false,reasons,oip) and TAIL_RATE (one offered rate for every path,
// instead of half each path's measured maximum) change the run.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { CONNECTIONS, DURATION, f, load, startApi, stop } from './bench-driver.mjs';
import { ohaOpenLoop } from './oha-open-loop.mjs';
import { applicant, inferBody } from './serving-requests.mjs';

const MODEL_DIR = process.argv[2];
if (!MODEL_DIR) throw new Error('usage: node bench/tail-lines.mjs <models root> (or bash bench/tail.sh)');
const LINES = Number(process.env.TAIL_LINES ?? 10);
const PATHS = (process.env.TAIL_PATHS ?? 'explain-false,reasons,oip').split(',');
const FIXED_RATE = process.env.TAIL_RATE ? Number(process.env.TAIL_RATE) : undefined;
const GOAL_MS = 5;
/** /proc/stat counts in USER_HZ ticks, 100 a second on Linux. */
const MS_PER_TICK = 10;

/** The machine's steal time and the event-loop thread's run-queue wait so far, in ms (undefined off Linux). */
function schedulingNow(pid) {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
    const [, waitedNs] = readFileSync(`/proc/${pid}/schedstat`, 'utf8').trim().split(' ').map(Number);
    return { steal: Number(cpu[8]) * MS_PER_TICK, waited: waitedNs / 1e6 };
  } catch {
    return undefined;
  }
}

function schedulingSince(before, pid) {
  const now = schedulingNow(pid);
  if (!before || !now) return { steal: undefined, waited: undefined };
  return { steal: now.steal - before.steal, waited: Math.round(now.waited - before.waited) };
}

const ROUTES = {
  'explain-false': { what: '/predict one row, explain=false', path: '/predict?explain=false', body: applicant },
  reasons: { what: '/predict one row, with reasons', path: '/predict', body: applicant },
  oip: { what: 'OIP v2 infer, one row', path: '/v2/models/loan-risk/infer', body: inferBody },
};
for (const name of PATHS)
  if (!ROUTES[name]) throw new Error(`TAIL_PATHS: unknown path ${name}; known: ${Object.keys(ROUTES)}`);

const version = readFileSync(join(MODEL_DIR, 'current'), 'utf8').trim();
const bodyFile = new URL('./.out/tail-body.json', import.meta.url).pathname;
const base = 'http://127.0.0.1:18092';
const loadBefore = loadavg()[0];
const server = await startApi(
  new URL('../api/dist/src/main.js', import.meta.url).pathname,
  { PORT: '18092', MODEL_DIR },
  `${base}/readyz`,
);

const rows = [];
const lines = [];
for (const name of PATHS) {
  const { what, path, body } = ROUTES[name];
  await load(server, `${base}${path}`, body, { duration: 2 }); // warm-up
  const max = FIXED_RATE === undefined ? (await load(server, `${base}${path}`, body)).reqPerSec : undefined;
  const rate = Math.round(FIXED_RATE ?? max / 2);
  const p99s = [];
  for (let i = 0; i < LINES; i++) {
    const before = schedulingNow(server.pid);
    const line = await ohaOpenLoop(`${base}${path}`, body, {
      rate,
      seconds: DURATION,
      connections: CONNECTIONS,
      bodyFile,
    });
    const { steal, waited } = schedulingSince(before, server.pid);
    p99s.push(line.p99);
    lines.push({ what, line: i + 1, p99: line.p99, max: line.max, steal, waited });
    console.error(`${what}: line ${i + 1}/${LINES} at ${f(rate)} req/s: p99 ${line.p99} ms`);
  }
  const sorted = [...p99s].sort((a, b) => a - b);
  rows.push({
    what,
    max,
    rate,
    p99s,
    within: p99s.filter((p) => p <= GOAL_MS).length,
    median: sorted[(sorted.length - 1) >> 1],
  });
}
await stop(server);

console.log(
  `Machine: ${cpus().length} cores, oha on the same machine, ${CONNECTIONS} connections, ${DURATION} s per line after 2 s in the same oha process; model ${version}; 1-minute load average ${f(loadBefore, 2)} before, ${f(loadavg()[0], 2)} after.`,
);
console.log('');
console.log(
  `| what | maximum req/s | offered req/s | p99 ms of each line | lines at or under ${GOAL_MS} ms | median p99 ms |`,
);
console.log('| --- | ---: | ---: | --- | ---: | ---: |');
for (const r of rows) {
  const max = r.max === undefined ? 'not measured (TAIL_RATE)' : f(r.max);
  console.log(
    `| ${r.what} | ${max} | ${f(r.rate)} | ${r.p99s.join(', ')} | ${r.within} of ${r.p99s.length} | ${r.median} |`,
  );
}
console.log('');
console.log(
  "Each line (13 s of oha each): steal is CPU time the host took from this machine's vCPUs (/proc/stat, both vCPUs); waited is how long the API's event-loop thread was runnable without a CPU (/proc/PID/schedstat).",
);
console.log('');
console.log('| what | line | p99 ms | max ms | steal ms | event loop waited for a CPU, ms |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
const shown = (value) => (value === undefined ? 'n/a' : f(value));
for (const l of lines) {
  const p99 = l.p99 > GOAL_MS ? `**${l.p99}**` : String(l.p99);
  console.log(`| ${l.what} | ${l.line} | ${p99} | ${l.max} | ${shown(l.steal)} | ${shown(l.waited)} |`);
}
