// `npm run bench:cluster`: the numbers only a cluster has, on the local one (`npm run cluster -- up`):
//   1. kubectl apply of a LoanRiskModel to its first answer through the Ingress, split into the
//      operator's reaction, the training Job and what follows it (gate, rollout, Ingress);
//   2. one API replica at a fixed CPU limit through the Ingress vs the same pod's port directly:
//      req/s, p50/p99 at a fixed rate, and CPU per request of the API pod and of the ingress
//      controller (from their cgroups), so the ingress's cost is a share of the server's; then
//      the same pod through Debian's HAProxy on the host (when installed: apt-get install haproxy);
//   3. a step of load to a second replica serving (HPA), and back to one after the load stops;
//   4. a promoted version to every API pod answering with it;
//   5. a 1M-row portfolio through the Ingress (POST /batches to completed) with 1 and 2 workers.
// Installs the chart with the dev values into its own namespace, as the journey does, and removes
// it after. Prints a markdown table and writes bench/.out/cluster-bench.json.
// Env: PORTFOLIO_ROWS (1000000), API_CPU (the fixed limit, "1"), LINE_SECONDS (15), CONNECTIONS (16),
// HPA_BACK_SECONDS (how long to wait for the scale-down, 600), KEEP_NAMESPACE=true to keep it,
// STAGES (a comma-separated subset of ingress,hpa,promotion,portfolio; the apply always runs).
import { execFileSync } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import { useCluster, loadImages } from '../e2e/dist/src/cluster.js';
import { helm, kubectl, kubectlJson } from '../e2e/dist/src/commands.js';
import { INGRESS_URL, viaIngress } from '../e2e/dist/src/ingress.js';
import { patchModel, waitRolledOut } from '../e2e/dist/src/journey-state.js';
import { runK6 } from '../e2e/dist/src/k6.js';
import { generateCsv, readLoans } from '../e2e/dist/src/loans.js';
import { installDev } from '../e2e/dist/src/steps/install.js';
import { readyApiPods } from '../e2e/dist/src/steps/nodes.js';
import { apiCpuReported } from '../e2e/dist/src/steps/scaling.js';
import { apiPodSelector } from '../e2e/dist/src/steps/rollout.js';
import { applySample, trainingJobs, uploadTrainingData } from '../e2e/dist/src/steps/training.js';
import { waitFor } from '../e2e/dist/src/waiting.js';
import { cpuSeconds, stop } from './bench-driver.mjs';
import { ohaOpenLoop } from './oha-open-loop.mjs';
import { haproxyMissing, proxyWorkDir, startHaproxy } from './proxies.mjs';

const PORTFOLIO_ROWS = Number(process.env.PORTFOLIO_ROWS ?? 1_000_000);
const API_CPU = process.env.API_CPU ?? '1';
const LINE_SECONDS = Number(process.env.LINE_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.CONNECTIONS ?? 16);
const HPA_BACK_SECONDS = Number(process.env.HPA_BACK_SECONDS ?? 600);
// HAProxy's line binds beside Traefik's entry points (18080, 18081, 18443).
const HAPROXY_ADDRESS = '127.0.0.1:18082';
const HAPROXY_URL = `http://${HAPROXY_ADDRESS}`;
// Which measurements after the first to run (ingress,hpa,promotion,portfolio); all when unset.
const STAGES = process.env.STAGES?.split(',');
const out = resolve('bench/.out');
mkdirSync(out, { recursive: true });

const namespace = `lr-bench-${Date.now().toString(36)}`;
const journey = {
  namespace,
  release: 'loan-risk',
  model: 'loan-risk-dev',
  host: `${namespace}.risk.local`,
  imageTag: process.env.IMAGE_TAG ?? 'dev',
  nodes: 1,
  failed: new Set(),
  timings: new Map(),
};
const results = {};
const seconds = (from, to) => Math.round((to - from) / 100) / 10;
const log = (line) => console.log(`bench:cluster: ${line}`);

// --- the pods' CPU, from their cgroups (the kubelet here uses the cgroupfs driver) -------------

/** Nanoseconds of CPU the pod's containers have used: cgroup v1's cpuacct.usage, else v2's usage_usec. */
function podCpuNanos(uid) {
  const found = findPodCgroup('/sys/fs/cgroup/cpuacct/kubepods', uid) ?? findPodCgroup('/sys/fs/cgroup/kubepods', uid);
  if (!found) throw new Error(`no cgroup for pod ${uid} under /sys/fs/cgroup: is the cluster on this machine?`);
  if (existsSync(join(found, 'cpuacct.usage'))) return Number(readFileSync(join(found, 'cpuacct.usage'), 'utf8'));
  const usec = /usage_usec (\d+)/.exec(readFileSync(join(found, 'cpu.stat'), 'utf8'))?.[1];
  return Number(usec) * 1000;
}

function findPodCgroup(root, uid, depth = 0) {
  if (!existsSync(root) || depth > 2) return undefined;
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    if (entry.name === `pod${uid}`) return join(root, entry.name);
    const deeper = findPodCgroup(join(root, entry.name), uid, depth + 1);
    if (deeper) return deeper;
  }
  return undefined;
}

/** The uid of the one Running pod the selector names, waiting out any old pod still terminating after a rollout. */
async function podUid(ns, selector) {
  let found = 0;
  const uid = await waitFor(
    `one Running pod for ${selector} in ${ns}`,
    120,
    async () => {
      const pods = await kubectlJson([
        '-n',
        ns,
        'get',
        'pods',
        '-l',
        selector,
        '--field-selector=status.phase=Running',
      ]);
      const live = pods.items.filter((p) => !p.metadata.deletionTimestamp);
      found = live.length;
      return live.length === 1 && pods.items.length === 1 ? live[0].metadata.uid : undefined;
    },
    1000,
  ).catch(() => undefined);
  if (uid === undefined) throw new Error(`expected one Running pod for ${selector} in ${ns}, found ${found}`);
  return uid;
}

// --- load lines ---------------------------------------------------------------------------------

/** A saturated autocannon line; CPU per request of each meter (a pod's cgroup, a host process) over the line. */
async function saturatedLine(url, headers, body, meters) {
  const before = Object.fromEntries(Object.entries(meters).map(([k, nanos]) => [k, nanos()]));
  const result = await autocannon({
    url: `${url}/predict`,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    connections: CONNECTIONS,
    duration: LINE_SECONDS,
  });
  const requests = result.requests.total;
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx and ${result.errors} errors of ${requests} requests`);
  const cpuMicrosPerRequest = Object.fromEntries(
    Object.entries(meters).map(([k, nanos]) => [k, Math.round((nanos() - before[k]) / 1000 / requests)]),
  );
  return {
    reqPerSec: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    cpuMicrosPerRequest,
  };
}

async function fixedRateLine(url, headers, body, rate) {
  const line = await ohaOpenLoop(`${url}/predict`, body, {
    rate,
    seconds: LINE_SECONDS,
    connections: CONNECTIONS,
    bodyFile: join(tmpdir(), 'cluster-bench-body.json'),
    headers,
  });
  if (line.failed > 0) throw new Error(`${url} at ${rate}/s: ${line.failed} of ${line.requests} failed`);
  return { offered: rate, p50: line.p50, p99: line.p99 };
}

// --- 1. apply to first answer --------------------------------------------------------------------

async function applyToFirstAnswer(loan) {
  const applied = await applySample(journey);
  const answered = await waitFor(
    'the first answer through the Ingress',
    900,
    async () => {
      const res = await viaIngress(journey.host, 'POST', '/predict', JSON.stringify(loan));
      return res.status === 200 ? Date.now() : undefined;
    },
    250,
  );
  const [job] = await trainingJobs(journey);
  const full = await kubectlJson(['-n', namespace, 'get', 'job', job.metadata.name]);
  const created = Date.parse(full.metadata.creationTimestamp);
  const started = Date.parse(full.status.startTime);
  const completed = Date.parse(full.status.completionTime);
  return {
    applyToFirstAnswerSeconds: seconds(applied, answered),
    applyToJobCreatedSeconds: seconds(applied, created),
    jobSeconds: seconds(started, completed),
    jobCompletedToFirstAnswerSeconds: seconds(completed, answered),
    trainingExcludedSeconds: seconds(applied, answered) - seconds(started, completed),
    note: 'Job times are the API server\'s (1 s resolution); "training excluded" is the whole less the Job\'s start-to-completion',
  };
}

// --- 2. the ingress's cost -----------------------------------------------------------------------

async function oneReplicaAtCpuLimit() {
  await patchModel(journey, {
    spec: {
      serving: {
        minReplicas: 1,
        maxReplicas: 1,
        resources: { requests: { cpu: API_CPU, memory: '256Mi' }, limits: { cpu: API_CPU, memory: '512Mi' } },
      },
    },
  });
  await waitRolledOut(journey);
  return waitFor('one Ready API pod', 120, async () => {
    const pods = await readyApiPods(journey);
    return pods.length === 1 ? pods[0] : undefined;
  });
}

async function ingressCost(loan) {
  const pod = await oneReplicaAtCpuLimit();
  const apiUid = await podUid(namespace, apiPodSelector(journey));
  const traefikUid = await podUid('traefik', 'app.kubernetes.io/name=traefik');
  const meters = { api: () => podCpuNanos(apiUid), ingress: () => podCpuNanos(traefikUid) };
  const body = JSON.stringify(loan);
  const viaHost = { host: journey.host };
  // Warm both paths (JIT, connections) before the recorded lines.
  await saturatedLine(pod.url, {}, body, meters);
  const direct = await saturatedLine(pod.url, {}, body, meters);
  const ingress = await saturatedLine(INGRESS_URL, viaHost, body, meters);
  const rate = Math.round(Math.min(direct.reqPerSec, ingress.reqPerSec) / 2);
  const directFixed = await fixedRateLine(pod.url, {}, body, rate);
  const ingressFixed = await fixedRateLine(INGRESS_URL, viaHost, body, rate);
  return {
    apiCpuLimit: API_CPU,
    direct: { ...direct, atHalf: directFixed },
    ingress: { ...ingress, atHalf: ingressFixed },
    ingressCpuShareOfServer: share(ingress.cpuMicrosPerRequest.ingress, ingress.cpuMicrosPerRequest.api),
    addedP50Ms: Math.round((ingressFixed.p50 - directFixed.p50) * 100) / 100,
    haproxy: await haproxyLine(pod, meters.api, body, rate),
  };
}

const share = (part, whole) => Math.round((part / whole) * 100) / 100;

/**
 * The same pod through Debian's HAProxy on the host (bench/proxies.mjs), beside the Traefik pod
 * and on the same host network: what an HAProxy-based ingress controller's proxy would cost here.
 * No such controller builds on this machine (the Go module proxy refuses them), so this is the
 * proxy alone, pointed at the pod as a controller points at its endpoints.
 */
async function haproxyLine(pod, apiNanos, body, rate) {
  if (haproxyMissing) {
    log(`no HAProxy line: ${haproxyMissing}`);
    return undefined;
  }
  const dir = proxyWorkDir('cluster-bench-haproxy-');
  const proxy = await startHaproxy({
    listen: HAPROXY_ADDRESS,
    backend: pod.url,
    readyUrl: `${HAPROXY_URL}/readyz`,
    dir,
  });
  try {
    const meters = { api: apiNanos, proxy: () => cpuSeconds(proxy) * 1e9 };
    await saturatedLine(HAPROXY_URL, {}, body, meters);
    const line = await saturatedLine(HAPROXY_URL, {}, body, meters);
    const atHalf = await fixedRateLine(HAPROXY_URL, {}, body, rate);
    return { ...line, atHalf, cpuShareOfServer: share(line.cpuMicrosPerRequest.proxy, line.cpuMicrosPerRequest.api) };
  } finally {
    await stop(proxy);
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- 3. the HPA under a step of load -------------------------------------------------------------

async function hpaStep() {
  await patchModel(journey, {
    spec: {
      serving: {
        minReplicas: 1,
        maxReplicas: 2,
        resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { memory: '512Mi' } },
      },
    },
  });
  await waitRolledOut(journey);
  const hpa = () => kubectlJson(['-n', namespace, 'get', 'hpa', `${journey.model}-api`]);
  await apiCpuReported(journey, 180);
  const step = Date.now();
  // One request in ten carries 500 loans: a step well past the HPA's target on one replica.
  const load = runK6('load.js', journey.host, { RATE: '200', BATCH_SIZE: '500', DURATION: '120s' });
  const desired = await waitFor(
    'the HPA asks for a second replica',
    150,
    async () => (((await hpa()).status.desiredReplicas ?? 0) >= 2 ? Date.now() : undefined),
    500,
  );
  const serving = await waitFor(
    'a second API replica serving',
    150,
    async () => ((await readyApiPods(journey)).length >= 2 ? Date.now() : undefined),
    500,
  );
  const k6 = await load;
  const loadEnded = Date.now();
  const back = await waitFor(
    'the HPA back to one replica',
    HPA_BACK_SECONDS,
    async () =>
      (await readyApiPods(journey)).length === 1 && ((await hpa()).status.currentReplicas ?? 0) === 1
        ? Date.now()
        : undefined,
    2000,
  ).catch(() => undefined);
  return {
    stepToDesiredSeconds: seconds(step, desired),
    stepToSecondServingSeconds: seconds(step, serving),
    loadEndToOneReplicaSeconds: back === undefined ? `not within ${HPA_BACK_SECONDS} s` : seconds(loadEnded, back),
    failedRequests: k6.metrics.http_req_failed?.passes ?? 'unknown',
  };
}

// --- 4. a promotion reaching every pod -----------------------------------------------------------

async function servedVersions(pods, loan) {
  return Promise.all(
    pods.map(async (pod) => {
      const res = await fetch(`${pod.url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(loan),
      });
      return (await res.json()).modelVersion;
    }),
  );
}

async function promotionToEveryPod(loan) {
  await patchModel(journey, { spec: { serving: { minReplicas: 2, maxReplicas: 2 } } });
  await waitRolledOut(journey);
  const live = () => kubectl(['-n', namespace, 'get', 'lrm', journey.model, '-o', 'jsonpath={.status.liveVersion}']);
  const previous = await live();
  await patchModel(journey, { spec: { training: { seed: 2 } } });
  let promoted = 0;
  const version = await waitFor(
    'a new live version',
    900,
    async () => {
      const v = await live();
      promoted = Date.now();
      return v && v !== previous ? v : undefined;
    },
    250,
  );
  const everyPod = await waitFor(
    'every API pod answering the new version',
    300,
    async () => {
      const pods = await readyApiPods(journey);
      if (pods.length < 2) return undefined;
      const versions = await servedVersions(pods, loan);
      return versions.every((v) => v === version) ? Date.now() : undefined;
    },
    250,
  );
  return { promotedToEveryPodSeconds: seconds(promoted, everyPod), replicas: 2 };
}

// --- 5. a portfolio through the Ingress ----------------------------------------------------------

function postFile(file) {
  return new Promise((resolvePost, reject) => {
    const req = request(
      `${INGRESS_URL}/batches`,
      {
        method: 'POST',
        headers: { host: journey.host, 'content-type': 'text/csv', 'content-length': statSync(file).size },
        timeout: 600_000,
      },
      (res) => {
        let text = '';
        res
          .setEncoding('utf8')
          .on('data', (c) => (text += c))
          .on('end', () => resolvePost({ status: res.statusCode, body: text }));
      },
    );
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
}

async function portfolio(csv, workers) {
  await kubectl(['-n', namespace, 'scale', `deployment/${journey.release}-worker`, `--replicas=${workers}`]);
  await kubectl(['-n', namespace, 'rollout', 'status', `deployment/${journey.release}-worker`, '--timeout=180s']);
  const began = Date.now();
  const posted = await postFile(csv);
  if (posted.status !== 202) throw new Error(`POST /batches answered ${posted.status}: ${posted.body.slice(0, 300)}`);
  const accepted = Date.now();
  const { id } = JSON.parse(posted.body);
  const status = await waitFor(
    `batch ${id} completed`,
    1800,
    async () => {
      const res = await viaIngress(journey.host, 'GET', `/batches/${id}`);
      const s = JSON.parse(res.body);
      if (s.state === 'failed') throw new Error(`batch failed: ${res.body}`);
      return s.state === 'completed' ? s : undefined;
    },
    1000,
  );
  const completed = Date.now();
  if (status.counts.scored !== PORTFOLIO_ROWS) throw new Error(`scored ${status.counts.scored} of ${PORTFOLIO_ROWS}`);
  return {
    workers,
    uploadSeconds: seconds(began, accepted),
    postToCompletedSeconds: seconds(began, completed),
    rowsPerSecond: Math.round(PORTFOLIO_ROWS / ((completed - began) / 1000)),
  };
}

// --- the run -------------------------------------------------------------------------------------

const tableRows = {
  apply: (r) => [
    ['apply -> first answer through the Ingress (training included)', `${r.applyToFirstAnswerSeconds} s`],
    ['  of which the training Job (start to completion)', `${r.jobSeconds} s`],
    ['apply -> first answer, training excluded', `${r.trainingExcludedSeconds.toFixed(1)} s`],
  ],
  ingress: (r) => [
    [`one replica at ${API_CPU} CPU, direct: req/s, p99 saturated`, `${r.direct.reqPerSec}, ${r.direct.p99} ms`],
    [`one replica at ${API_CPU} CPU, via Ingress: req/s, p99 saturated`, `${r.ingress.reqPerSec}, ${r.ingress.p99} ms`],
    [
      `p50/p99 at ${r.direct.atHalf.offered}/s: direct, via Ingress`,
      `${r.direct.atHalf.p50}/${r.direct.atHalf.p99} ms, ${r.ingress.atHalf.p50}/${r.ingress.atHalf.p99} ms`,
    ],
    [
      'CPU per request: API pod, ingress controller (via Ingress)',
      `${r.ingress.cpuMicrosPerRequest.api} µs, ${r.ingress.cpuMicrosPerRequest.ingress} µs (${r.ingressCpuShareOfServer} of the server's)`,
    ],
    ...(r.haproxy
      ? [
          [
            `one replica at ${API_CPU} CPU, via HAProxy: req/s, p99 saturated`,
            `${r.haproxy.reqPerSec}, ${r.haproxy.p99} ms`,
          ],
          [
            `p50/p99 at ${r.haproxy.atHalf.offered}/s via HAProxy`,
            `${r.haproxy.atHalf.p50}/${r.haproxy.atHalf.p99} ms`,
          ],
          [
            'CPU per request: API pod, HAProxy (via HAProxy)',
            `${r.haproxy.cpuMicrosPerRequest.api} µs, ${r.haproxy.cpuMicrosPerRequest.proxy} µs (${r.haproxy.cpuShareOfServer} of the server's)`,
          ],
        ]
      : []),
  ],
  hpa: (r) => [
    [
      'load step -> HPA desires 2, -> second replica serving',
      `${r.stepToDesiredSeconds} s, ${r.stepToSecondServingSeconds} s`,
    ],
    [
      'load end -> back to one replica',
      typeof r.loadEndToOneReplicaSeconds === 'number'
        ? `${r.loadEndToOneReplicaSeconds} s`
        : r.loadEndToOneReplicaSeconds,
    ],
  ],
  promotion: (r) => [['promoted version -> every pod serving it (2 replicas)', `${r.promotedToEveryPodSeconds} s`]],
  portfolio: (r) =>
    r.map((p) => [
      `${PORTFOLIO_ROWS}-row portfolio via Ingress, ${p.workers} worker(s)`,
      `${p.postToCompletedSeconds} s (${p.rowsPerSecond} rows/s; upload ${p.uploadSeconds} s)`,
    ]),
};

function printTable() {
  console.log('\n| measurement | result |\n| --- | --- |');
  for (const [name, rows] of Object.entries(tableRows)) {
    const r = results[name];
    const lines = r === undefined ? [[name, 'not run']] : r.error ? [[name, `failed: ${r.error}`]] : rows(r);
    for (const [k, v] of lines) console.log(`| ${k} | ${v} |`);
  }
}

/** Runs one measurement; a failure is recorded and the rest still run (each is minutes of cluster time). */
async function stage(name, label, measure) {
  if (STAGES && !STAGES.includes(name)) return;
  log(label);
  try {
    results[name] = await measure();
  } catch (error) {
    results[name] = { error: String(error?.message ?? error) };
    log(`${name} failed: ${results[name].error}`);
  }
  writeRecord();
}

let record;
function writeRecord() {
  record = { ...record, results, loadavg: loadavg(), cores: cpus().length };
  writeFileSync(join(out, 'cluster-bench.json'), `${JSON.stringify(record, null, 2)}\n`);
}

async function main() {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  record = { date: new Date().toISOString(), commit };
  const cluster = await useCluster(log);
  try {
    await loadImages(journey.imageTag);
    log(`installing the chart (dev values, prod's Redis memory) into ${namespace}`);
    // The 1M-row portfolio with reasons, after the HPA step's audit records, filled the dev
    // values' Redis (256Mi, maxmemory 205 MB): it refused writes. Prod's 1Gi here.
    await installDev(journey, ['--set', 'redis.resources.limits.memory=1Gi']);
    const work = join(out, 'cluster');
    mkdirSync(work, { recursive: true });
    const training = await generateCsv(work, 'synthetic-50k.csv', 50_000, 1);
    const [loan] = readLoans(training, 1);
    await uploadTrainingData(journey, training, 'loans/synthetic-50k.csv');
    // The first stage trains the model every other stage serves: without it nothing else can run.
    log('1/5 kubectl apply -> first answer');
    results.apply = await applyToFirstAnswer(loan);
    writeRecord();
    await stage('ingress', '2/5 the ingress against the pod port', () => ingressCost(loan));
    await stage('hpa', '3/5 the HPA under a step of load', () => hpaStep());
    await stage('promotion', '4/5 a promotion reaching every pod', () => promotionToEveryPod(loan));
    await stage('portfolio', `5/5 a ${PORTFOLIO_ROWS}-row portfolio with 1 and 2 workers`, async () => {
      const portfolioCsv = existsSync(join(work, `portfolio-${PORTFOLIO_ROWS}.csv`))
        ? join(work, `portfolio-${PORTFOLIO_ROWS}.csv`)
        : await generateCsv(work, `portfolio-${PORTFOLIO_ROWS}.csv`, PORTFOLIO_ROWS, 7, ['--no-label', '--with-id']);
      return [await portfolio(portfolioCsv, 1), await portfolio(portfolioCsv, 2)];
    });
  } finally {
    if (process.env.KEEP_NAMESPACE !== 'true') {
      await helm(['uninstall', journey.release, '-n', namespace, '--timeout', '2m'], { allowFailure: true }).catch(
        () => {},
      );
      await kubectl(['delete', 'namespace', namespace, '--wait=false'], { allowFailure: true }).catch(() => {});
    }
    await cluster.release();
  }
  writeRecord();
  printTable();
  console.log(
    `\ncommit ${commit}, ${record.date}, load average at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  const failed = Object.entries(results).filter(([, r]) => r?.error);
  if (failed.length > 0) {
    console.error(`bench:cluster: ${failed.map(([k]) => k).join(', ')} failed (see above)`);
    process.exitCode = 1;
  }
}

await main();
