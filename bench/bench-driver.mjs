// What the serving benchmarks share: starting a server and waiting until it answers, stopping
// it, its CPU time and resident memory from /proc (with its child processes: gunicorn's workers,
// MLServer's pool, Ray's actors), and one autocannon line with that CPU per request.
import { execSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { once } from 'node:events';
import autocannon from 'autocannon';

export const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

/** Starts `command args` and waits until GET `ready` answers 2xx; `onStdout` gets its output, else it is inherited. */
export async function start(command, args, env, ready, { timeoutMs = 120_000, quiet = false, onStdout } = {}) {
  // Its own process group, so stop() reaches its workers too; `quiet` drops a peer's access log.
  const child = spawn(command, args, {
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', onStdout ? 'pipe' : quiet ? 'ignore' : 'inherit', 'inherit'],
    detached: true,
  });
  if (onStdout) child.stdout.on('data', onStdout);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} ${args.join(' ')} exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`${command} did not answer ${ready} within ${timeoutMs} ms`);
    if (
      await fetch(ready, { signal: AbortSignal.timeout(2000) }).then(
        (r) => r.ok,
        () => false,
      )
    )
      return stopOnExit(child);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts a Node script with the same Node. */
export function startNode(script, env, ready) {
  return start(process.execPath, [script], env, ready);
}

/**
 * Node's flags for the API, as its image (the Dockerfile's api CMD) and `npm start` run it: V8's
 * memory reducer off. Its watchdog forces a memory-reducing mark-compact whenever none ran for
 * 100 s, so an API that promotes nothing under steady load got one every 100 s, a 5-95 ms stall.
 */
export const API_NODE_FLAGS = ['--no-memory-reducer'];

/**
 * Starts the API's main.js (or another build's, in instances-bench and grpc-bench) as production
 * runs it; `trace` (allocationTrace()) adds its Node flag and reads what it prints.
 */
export function startApi(script, env, ready, trace) {
  return start(process.execPath, [...API_NODE_FLAGS, ...(trace?.nodeFlags ?? []), script], env, ready, {
    onStdout: trace?.onStdout,
  });
}

/**
 * The bytes a process's JavaScript heap allocated, from V8's --trace-gc-nvp: each garbage
 * collection prints `allocated=<bytes>` (allocated since the one before). What the process
 * allocates after its last collection is not counted yet, so read it over a line long enough
 * for many collections. Its other output goes to this process's stderr.
 */
export function allocationTrace() {
  let allocated = 0;
  let tail = '';
  return {
    nodeFlags: ['--trace-gc-nvp'],
    onStdout(chunk) {
      const lines = (tail + chunk).split('\n');
      tail = lines.pop();
      for (const line of lines) {
        const m = / gc=\S+ .*\ballocated=(\d+)/.exec(line);
        if (m) allocated += Number(m[1]);
        else if (line.trim() !== '') process.stderr.write(`${line}\n`);
      }
    },
    allocatedBytes: () => allocated,
  };
}

function signalGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/**
 * SIGTERM to the server's process group (its workers too), SIGKILL if it is not gone in 10 s; then
 * SIGKILL to any of its descendants still alive that left the group (Ray's actors have their own).
 */
export async function stop(child) {
  const kill = exitKillers.get(child);
  if (kill) process.off('exit', kill);
  exitKillers.delete(child);
  if (child.exitCode !== null) return;
  const tree = processTree(child.pid).map((pid) => [pid, statFields(pid)?.[19]]);
  const exited = once(child, 'exit');
  signalGroup(child, 'SIGTERM');
  const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  // Only a process with the same start time is the same process (its pid is not reused).
  for (const [pid, started] of tree) if (statFields(pid)?.[19] === started) process.kill(pid, 'SIGKILL');
}

const exitKillers = new Map();

/** Leaves no server behind when the benchmark fails half-way; stop() takes the hook away again. */
export function stopOnExit(child) {
  const kill = () => signalGroup(child, 'SIGKILL');
  exitKillers.set(child, kill);
  process.on('exit', kill);
  return child;
}

const TICKS_PER_SECOND = Number(execSync('getconf CLK_TCK'));

function statFields(pid) {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  } catch {
    return undefined;
  }
}

/** The live processes, each with its parent, CPU ticks (user + system) and resident pages, from /proc. */
function processTable() {
  const table = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(entry);
    if (fields)
      table.set(Number(entry), {
        ppid: Number(fields[1]),
        ticks: Number(fields[11]) + Number(fields[12]),
        rssPages: Number(fields[21]),
      });
  }
  return table;
}

/** `pid` and every live descendant. */
function processTree(pid, table = processTable()) {
  const tree = [];
  const stack = [pid];
  while (stack.length > 0) {
    const next = stack.pop();
    if (table.has(next)) tree.push(next);
    for (const [p, info] of table) if (info.ppid === next) stack.push(p);
  }
  return tree;
}

/** CPU seconds (user + system) of the process and every live descendant, from /proc. */
export function cpuSeconds(child) {
  const table = processTable();
  return processTree(child.pid, table).reduce((sum, pid) => sum + table.get(pid).ticks, 0) / TICKS_PER_SECOND;
}

const PAGE_BYTES = Number(execSync('getconf PAGESIZE'));

/** Resident bytes of the process and every live descendant (pages shared by forked workers count in each). */
export function rssBytes(child) {
  const table = processTable();
  return processTree(child.pid, table).reduce((sum, pid) => sum + table.get(pid).rssPages, 0) * PAGE_BYTES;
}

/** Samples rssBytes(child) every `everyMs` until the returned stop(), which gives the peak seen. */
export function watchPeakRss(child, everyMs = 250) {
  let peak = rssBytes(child);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(child));
  }, everyMs);
  return () => {
    clearInterval(timer);
    return Math.max(peak, rssBytes(child));
  };
}

/**
 * One autocannon line of POSTs; fails on any non-2xx answer. `alsoMeasured` are more processes
 * whose CPU per request is given too (`alsoCpuUsPerRequest`, in order), e.g. a proxy's backend.
 */
export async function load(server, url, body, extra = {}, alsoMeasured = []) {
  const cpuBefore = cpuSeconds(server);
  const alsoBefore = alsoMeasured.map((child) => cpuSeconds(child));
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    connections: CONNECTIONS,
    duration: DURATION,
    ...extra,
  });
  const bad = result.non2xx + result.errors + result.timeouts;
  if (bad > 0) throw new Error(`${url}: ${bad} failed requests of ${result.requests.total}`);
  // Server CPU per request does not depend on how much of the machine other work took.
  const perRequest = (seconds) => (seconds * 1e6) / result.requests.total;
  return {
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    cpuUsPerRequest: perRequest(cpuSeconds(server) - cpuBefore),
    alsoCpuUsPerRequest: alsoMeasured.map((child, i) => perRequest(cpuSeconds(child) - alsoBefore[i])),
  };
}

export const f = (n, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
