// Open-loop load at a constant arrival rate, for latency by offered load. autocannon's
// overallRate lets every connection send its share of a second back to back at the start of
// that second and then wait, so each second opens with a burst at full concurrency: the p99 it
// reports is the saturated server's whatever the rate. Here request i is due at i/rate seconds
// and sent then (on a keep-alive pool of `connections` sockets; a request finding every socket
// busy waits in the pool), and its latency counts from when it was sent, pool wait included, so
// a stalled server shows in the percentiles instead of delaying the schedule (no coordinated
// omission). The schedule is kept by a 1 ms tick; how late the generator itself sent (its own
// pauses, the tick) is reported apart, so its lateness is not charged to the server. The first
// `warmup` seconds run the same schedule unrecorded: a fresh generator process opens its sockets
// and compiles its own code then, and measured from the first request that start-up alone put
// more than 1 % of a 10 s line behind by up to 150 ms (against an empty handler).
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { createHistogram } from 'node:perf_hooks';
import { text } from 'node:stream/consumers';

/** Sends POST `body` to `url` at `rate` requests per second for `warmup` + `seconds`; latencies in ms of the last `seconds`. */
export async function openLoop(url, body, { rate, seconds, connections, warmup = 2 }) {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const payload = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const target = new URL(url);
  const options = {
    agent,
    method: 'POST',
    host: target.hostname,
    port: target.port,
    path: `${target.pathname}${target.search}`,
    headers: { 'content-type': 'application/json', 'content-length': payload.length },
  };
  const latencyUs = createHistogram();
  const lateUs = createHistogram();
  const unrecorded = Math.round(rate * warmup);
  const total = unrecorded + Math.round(rate * seconds);
  let sent = 0;
  let answered = 0;
  let failed = 0;
  let cpuBefore;
  let measureStart;
  const started = performance.now();

  const done = new Promise((resolve) => {
    let settled = 0;
    function finish(sentAt, recorded, ok) {
      if (recorded) {
        if (ok) latencyUs.record(Math.max(1, Math.round((performance.now() - sentAt) * 1000)));
        else failed += 1;
        answered += 1;
      }
      settled += 1;
      if (settled === total) resolve();
    }
    function send(index, due) {
      const sentAt = performance.now();
      const recorded = index >= unrecorded;
      if (index === unrecorded) {
        cpuBefore = process.cpuUsage();
        measureStart = sentAt;
      }
      if (recorded) lateUs.record(Math.max(1, Math.round((sentAt - due) * 1000)));
      const req = request(options, (res) => {
        res.on('data', () => {});
        res.on('end', () => finish(sentAt, recorded, res.statusCode >= 200 && res.statusCode < 300));
      });
      req.on('error', () => finish(sentAt, recorded, false));
      req.end(payload);
    }
    // A 1 ms tick sends whatever the schedule says is due by now.
    const ticker = setInterval(() => {
      const dueNow = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000));
      for (; sent < dueNow; sent++) send(sent, started + (sent * 1000) / rate);
      if (sent === total) clearInterval(ticker);
    }, 1);
  });
  await done;
  const elapsed = (performance.now() - measureStart) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  agent.destroy();
  const ms = (p, histogram = latencyUs) => Math.round(histogram.percentile(p) / 10) / 100;
  return {
    offered: rate,
    reqPerSec: (answered - failed) / elapsed,
    requests: answered,
    failed,
    p50: ms(50),
    p90: ms(90),
    p99: ms(99),
    max: ms(100),
    sentLateP99: ms(99, lateUs),
    generatorCpuUsPerRequest: ((cpu.user + cpu.system) / answered) | 0,
  };
}

/**
 * The same load from a fresh Node process: a generator sharing its process with earlier
 * autocannon runs pays for their garbage in its own pauses, which then show as server latency.
 * The input goes through the child's stdin: a 1000-row body is more than one argument may hold.
 */
export async function openLoopInChild(url, body, { rate, seconds, connections, warmup }) {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [import.meta.filename], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin.end(JSON.stringify({ url, body, rate, seconds, connections, warmup }));
  const [stdout, [code]] = await Promise.all([text(child.stdout), once(child, 'close')]);
  if (code !== 0) throw new Error(`the open-loop generator exited with ${code}`);
  return JSON.parse(stdout);
}

if (process.argv[1] === import.meta.filename) {
  const { url, body, ...options } = JSON.parse(await text(process.stdin));
  process.stdout.write(JSON.stringify(await openLoop(url, body, options)));
}
