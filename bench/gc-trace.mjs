// What the garbage collector does per request (`node bench/gc-trace.mjs [models dir]`): each
// server runs under --trace-gc while the open-loop generator offers one-row POSTs at a fixed
// rate (GC_RATE, default 1000 req/s, GC_SECONDS, default 8); the V8 trace lines of the loaded
// part are summed into scavenges and mark-compacts per 1,000 requests, old-generation growth per
// request and the longest pauses. Servers: the empty Express handler as Express is usually
// started and as the API serves it (api/src/express-server.ts), and the API itself.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';
import { API_NODE_FLAGS, f, stop, stopOnExit } from './bench-driver.mjs';
import { openLoop } from './open-loop.mjs';

const MODEL_DIR = process.argv[2] ?? join(import.meta.dirname, '.out', 'models');
const RATE = Number(process.env.GC_RATE ?? 1000);
const SECONDS = Number(process.env.GC_SECONDS ?? 8);
const PORT = 18099;
const applicant = [...generateLoans({ rows: 1, seed: 7 })][0].record;
const empty = new URL('./empty-server.mjs', import.meta.url).pathname;
const api = new URL('../api/dist/src/main.js', import.meta.url).pathname;
const SERVERS = [
  {
    name: 'empty Express handler, stock http.createServer(app)',
    script: empty,
    env: { SERVER_CLASSES: 'stock' },
    ready: '/ready',
  },
  {
    name: 'empty Express handler, served as the API is',
    script: empty,
    env: { SERVER_CLASSES: 'app' },
    ready: '/ready',
  },
  {
    name: 'the API, /predict explain=false',
    script: api,
    env: { MODEL_DIR },
    ready: '/readyz',
    query: '?explain=false',
    nodeFlags: API_NODE_FLAGS,
  },
];

/** `[pid:isolate] 1234 ms: Scavenge 12.3 (17.2) -> 8.9 (17.5) MB, 2.81 / 0.00 ms ...` */
const TRACE =
  /\s(\d+) ms: (Scavenge|Mark-Compact|Mark-sweep)[^\d]*([\d.]+) \(([\d.]+)\) -> ([\d.]+) \(([\d.]+)\) MB, ([\d.]+)/;

async function traced(server) {
  const child = spawn(process.execPath, ['--trace-gc', ...(server.nodeFlags ?? []), server.script], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(PORT), LOG_LEVEL: 'warn', ...server.env },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  stopOnExit(child);
  const events = [];
  let tail = '';
  child.stdout.on('data', (chunk) => {
    const lines = (tail + chunk).split('\n');
    tail = lines.pop();
    for (const line of lines) {
      const m = TRACE.exec(line);
      if (m)
        events.push({ at: Number(m[1]), kind: m[2], before: Number(m[3]), after: Number(m[5]), pause: Number(m[7]) });
    }
  });
  const url = `http://127.0.0.1:${PORT}`;
  while (
    !(await fetch(`${url}${server.ready}`).then(
      (r) => r.ok,
      () => false,
    ))
  )
    await new Promise((r) => setTimeout(r, 100));
  await openLoop(`${url}/predict${server.query ?? ''}`, applicant, { rate: RATE, seconds: 2, connections: 32 }); // warm-up
  const from = events.length;
  const latency = await openLoop(`${url}/predict${server.query ?? ''}`, applicant, {
    rate: RATE,
    seconds: SECONDS,
    connections: 32,
  });
  const loaded = events.slice(from);
  await stop(child);
  const scavenges = loaded.filter((e) => e.kind === 'Scavenge');
  // Old-generation growth: what a scavenge leaves over what the previous one left (promotion).
  let promoted = 0;
  for (let i = 1; i < loaded.length; i++) {
    if (loaded[i].kind === 'Scavenge' && loaded[i - 1].kind === 'Scavenge')
      promoted += Math.max(0, loaded[i].after - loaded[i - 1].after);
  }
  const pauses = scavenges.map((e) => e.pause).sort((a, b) => a - b);
  return {
    requests: latency.requests,
    scavengesPer1000: (scavenges.length * 1000) / latency.requests,
    markCompactsPer1000: ((loaded.length - scavenges.length) * 1000) / latency.requests,
    promotedKbPerRequest: (promoted * 1024) / latency.requests,
    scavengeMedianMs: pauses[Math.floor(pauses.length / 2)] ?? 0,
    scavengeMaxMs: pauses.at(-1) ?? 0,
    p99: latency.p99,
  };
}

const before = loadavg()[0];
const rows = [];
for (const server of SERVERS) rows.push({ name: server.name, ...(await traced(server)) });
console.log(
  [
    `${RATE} req/s offered for ${SECONDS} s per server (open loop, 32 connections), after 2 s of warm-up; 1-minute load average ${f(before, 2)} before, ${f(loadavg()[0], 2)} after.`,
    '',
    '| server | scavenges per 1,000 requests | mark-compacts per 1,000 requests | old generation growth KB per request | scavenge pause median / max ms | p99 ms |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map(
      (r) =>
        `| ${r.name} | ${f(r.scavengesPer1000, 1)} | ${f(r.markCompactsPer1000, 2)} | ${f(r.promotedKbPerRequest, 1)} | ${f(r.scavengeMedianMs, 2)} / ${f(r.scavengeMaxMs, 2)} | ${r.p99} |`,
    ),
  ].join('\n'),
);
