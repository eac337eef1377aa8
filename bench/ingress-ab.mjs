// `npm run bench:ingress`: what an ingress controller's proxy costs in front of the API, side by
// side on 127.0.0.1 (no cluster): the same Traefik binary the cluster's image is built from, with
// the settings the local cluster could run, and Debian's HAProxy and nginx, the proxies inside
// the HAProxy-based controllers and ingress-nginx (plain configurations: the controllers add
// their own parts, such as ingress-nginx's Lua balancer, so these are lower bounds for them).
// Each round starts every variant's proxy in turn (A B C, A B C, ...) and sends the same one-row
// POST /predict through it; the table gives each variant's medians: req/s, and the CPU per request
// of the proxy (its whole process tree) and of the API, both read from /proc. A direct line (no
// proxy) gives the API's own cost on the same requests. A proxy whose binary is missing is left
// out, and the output says so.
// Then the case the cluster's old entry-point buffering was for (golang/go#40747): a backend that
// answers 100 KB before it reads a 20 KB POST body. Each variant's failed requests are counted.
// Env: TRAEFIK (default ~/.cache/peerloan-tools/bin/traefik, built by scripts/install-tools.sh),
// HAPROXY (default haproxy on PATH: apt-get install haproxy), NGINX (default nginx on PATH),
// ROUNDS (3), BENCH_SECONDS (10 per line), BENCH_CONNECTIONS (16, as bench:cluster), MODEL_DIR,
// EARLY_SECONDS (15; 0 skips the early-answer lines), ONLY (a pattern: only the proxies whose names match).
import { createServer } from 'node:http';
import { rmSync, writeFileSync, existsSync } from 'node:fs';
import { homedir, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { f, load, start, startApi, stop, watchPeakRss } from './bench-driver.mjs';
import { haproxyMissing, nginxMissing, proxyWorkDir, startHaproxy, startNginx } from './proxies.mjs';
import { applicant } from './serving-requests.mjs';

const TRAEFIK = process.env.TRAEFIK ?? join(homedir(), '.cache/peerloan-tools/bin/traefik');
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const EARLY_SECONDS = Number(process.env.EARLY_SECONDS ?? 15);
const MODEL_DIR = resolve(process.env.MODEL_DIR ?? 'bench/.out/models');
const API_PORT = 18290;
const PROXY_PORT = 18291;
const EARLY_PORT = 18293;

if (!existsSync(join(MODEL_DIR, 'current'))) throw new Error(`no model in ${MODEL_DIR}: run npm run bench:api once`);

const dir = proxyWorkDir('ingress-ab-');

/** Traefik's dynamic configuration: every path to `backend`, through the buffering middleware or not. */
function traefikRoutes(backend, buffering) {
  const middlewares = buffering
    ? `  middlewares:
    whole-request-body:
      buffering: { maxRequestBodyBytes: 268435456, memRequestBodyBytes: 2097152 }
`
    : '';
  return `http:
${middlewares}  routers:
    all:
      rule: PathPrefix(\`/\`)
      entryPoints: [web]
      service: backend${buffering ? '\n      middlewares: [whole-request-body]' : ''}
  services:
    backend:
      loadBalancer:
        servers: [{ url: "${backend}" }]
`;
}

/** A Traefik variant: the cluster's settings before (standard proxy, every body buffered) and after. */
function traefik(name, { buffering = false, args = [], env = {} } = {}) {
  return {
    name,
    missing: existsSync(TRAEFIK) ? undefined : `no Traefik at ${TRAEFIK}: run scripts/install-tools.sh, or set TRAEFIK`,
    start(backend, readyUrl, key) {
      const file = join(dir, `traefik-${key}.yaml`);
      writeFileSync(file, traefikRoutes(backend, buffering));
      const flags = [
        `--entryPoints.web.address=127.0.0.1:${PROXY_PORT}`,
        `--providers.file.filename=${file}`,
        '--log.level=ERROR',
        '--global.checkNewVersion=false',
        '--global.sendAnonymousUsage=false',
        ...args,
      ];
      return start(TRAEFIK, flags, env, readyUrl, { quiet: true });
    },
  };
}

/** A plain Debian proxy (bench/proxies.mjs) in front of the backend on PROXY_PORT. */
function plainProxy(name, missing, startProxy) {
  return {
    name,
    missing,
    start: (backend, readyUrl) => startProxy({ listen: `127.0.0.1:${PROXY_PORT}`, backend, readyUrl, dir }),
  };
}

const ALL_VARIANTS = [
  traefik('Traefik: standard proxy, request bodies buffered (the cluster before)', { buffering: true }),
  traefik('Traefik: standard proxy'),
  traefik('Traefik: fast proxy (the cluster now)', { args: ['--experimental.fastProxy=true'] }),
  plainProxy('HAProxy (Debian), plain configuration', haproxyMissing, startHaproxy),
  plainProxy('nginx (Debian), plain configuration', nginxMissing, startNginx),
];
for (const v of ALL_VARIANTS) if (v.missing) console.error(`left out: ${v.name}: ${v.missing}`);
const ONLY = process.env.ONLY ? new RegExp(process.env.ONLY, 'i') : undefined;
const VARIANTS = ALL_VARIANTS.filter((v) => !v.missing && (!ONLY || ONLY.test(v.name)));

/** Starts `variant`'s proxy in front of `backend`; ready once `readyPath` answers through it. */
function startProxy(variant, backend, readyPath) {
  const key = `${VARIANTS.indexOf(variant)}-${new URL(backend).port}`;
  return variant.start(backend, `http://127.0.0.1:${PROXY_PORT}${readyPath}`, key);
}

/** One closed-loop line of one-row POST /predict; `micros`: `server`'s CPU per request, then `api`'s if given. */
async function line(url, server, api) {
  const peakRss = watchPeakRss(server);
  const result = await load(server, url, applicant, { connections: CONNECTIONS, duration: SECONDS }, api ? [api] : []);
  return { ...result, micros: [result.cpuUsPerRequest, ...result.alsoCpuUsPerRequest], rssMiB: peakRss() / 2 ** 20 };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const predictUrl = `http://127.0.0.1:${PROXY_PORT}/predict`;
const results = VARIANTS.map(() => []);
const direct = [];
const loadBefore = loadavg()[0];

const api = await startApi(
  'api/dist/src/main.js',
  { PORT: String(API_PORT), MODEL_DIR },
  `http://127.0.0.1:${API_PORT}/readyz`,
);
try {
  for (let r = 0; r < ROUNDS; r++) {
    console.error(`round ${r + 1}/${ROUNDS}: direct`);
    await load(api, `http://127.0.0.1:${API_PORT}/predict`, applicant, { connections: CONNECTIONS, duration: 2 });
    direct.push(await line(`http://127.0.0.1:${API_PORT}/predict`, api));
    for (const [i, variant] of VARIANTS.entries()) {
      console.error(`round ${r + 1}/${ROUNDS}: ${variant.name}`);
      const proxy = await startProxy(variant, `http://127.0.0.1:${API_PORT}`, '/readyz');
      try {
        await load(proxy, predictUrl, applicant, { connections: CONNECTIONS, duration: 2 });
        results[i].push(await line(predictUrl, proxy, api));
      } finally {
        await stop(proxy);
      }
    }
  }
} finally {
  await stop(api);
}

// The early answer: 100 KB before the body is read, as a backend refusing an upload might.
const early = [];
if (EARLY_SECONDS > 0) {
  const answer = Buffer.alloc(100_000, 'x');
  const backend = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': answer.length }).end(answer);
  });
  await new Promise((resolve) => backend.listen(EARLY_PORT, '127.0.0.1', resolve));
  try {
    for (const variant of VARIANTS) {
      console.error(`early answers: ${variant.name}`);
      const proxy = await startProxy(variant, `http://127.0.0.1:${EARLY_PORT}`, '/');
      try {
        const result = await autocannon({
          url: `http://127.0.0.1:${PROXY_PORT}/`,
          method: 'POST',
          body: 'a'.repeat(20_000),
          connections: CONNECTIONS,
          duration: EARLY_SECONDS,
        });
        early.push({ total: result.requests.total, failed: result.non2xx + result.errors + result.timeouts });
      } finally {
        await stop(proxy);
      }
    }
  } finally {
    backend.close();
  }
}
rmSync(dir, { recursive: true, force: true });

console.log(
  `\n${ROUNDS} rounds, ${SECONDS} s a line, ${CONNECTIONS} connections, one-row POST /predict with reasons; model ${MODEL_DIR}; 1-minute load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after\n`,
);
console.log(
  '| path | req/s (median) | p99 ms (median) | proxy CPU µs/request | API CPU µs/request | proxy / API | proxy peak RSS MiB (largest) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
console.log(
  `| direct to the API | ${f(median(direct.map((l) => l.reqPerSec)))} | ${f(median(direct.map((l) => l.p99)))} | | ${f(median(direct.map((l) => l.micros[0])))} | | |`,
);
for (const [i, variant] of VARIANTS.entries()) {
  const lines = results[i];
  const proxyMicros = median(lines.map((l) => l.micros[0]));
  const apiMicros = median(lines.map((l) => l.micros[1]));
  console.log(
    `| ${variant.name} | ${f(median(lines.map((l) => l.reqPerSec)))} | ${f(median(lines.map((l) => l.p99)))} | ${f(proxyMicros)} (${lines.map((l) => f(l.micros[0])).join(', ')}) | ${f(apiMicros)} | ${f(proxyMicros / apiMicros, 2)} | ${f(Math.max(...lines.map((l) => l.rssMiB)))} |`,
  );
}
if (early.length > 0) {
  console.log(`\nA backend answering 100 KB before it reads the 20 KB body, ${EARLY_SECONDS} s a variant:\n`);
  console.log('| path | requests | failed (errors, timeouts, non-2xx) |');
  console.log('| --- | ---: | ---: |');
  for (const [i, variant] of VARIANTS.entries()) {
    console.log(`| ${variant.name} | ${f(early[i].total)} | ${f(early[i].failed)} |`);
  }
}
