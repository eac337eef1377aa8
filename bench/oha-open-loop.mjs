// Fixed-rate load for the latency table, with oha (a Rust HTTP load generator; bench/api.sh
// installs it into bench/.out/tools with cargo, or OHA names one). With -q and
// --latency-correction, request i is due at i/rate s and its latency counts from then, so a
// stalled server and a late generator both show (no coordinated omission). Why not
// bench/open-loop.mjs here: at 14,000 req/s that Node generator spends 25-35 µs of CPU per
// request and its own pauses put its sending 2-5 ms behind at p99, as much as the goal being
// measured; oha spends about 17 µs (measured with /usr/bin/time) and runs on its own threads.
// Each line runs 2 s of the same load unrecorded first (a fresh generator's sockets and start-up).
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** oha's path: OHA, set by bench/api.sh. */
function oha() {
  const path = process.env.OHA;
  if (!path) throw new Error('OHA is not set: run the benchmark through bench/api.sh, which installs oha');
  return path;
}

/** POST `body` to `url` at `rate` requests per second for `seconds` (after 2 s unrecorded); latencies in ms. */
export async function ohaOpenLoop(url, body, { rate, seconds, connections, bodyFile }) {
  await writeFile(bodyFile, typeof body === 'string' ? body : JSON.stringify(body));
  const args = (duration) => [
    '--no-tui',
    '--output-format',
    'json',
    '-z',
    duration,
    '-c',
    String(connections),
    '-q',
    String(rate),
    '--latency-correction',
    '-m',
    'POST',
    '-T',
    'application/json',
    '-D',
    bodyFile,
    url,
  ];
  await run(oha(), args('2s'), { maxBuffer: 16 << 20 });
  const { stdout } = await run(oha(), args(`${seconds}s`), { maxBuffer: 16 << 20 });
  const report = JSON.parse(stdout);
  const statuses = Object.entries(report.statusCodeDistribution ?? {});
  const requests = statuses.reduce((sum, [, count]) => sum + count, 0);
  const answered = statuses.filter(([code]) => code.startsWith('2')).reduce((sum, [, count]) => sum + count, 0);
  // Requests still in flight when the line ends are cut by oha ("aborted due to deadline"): not failures.
  const errors = Object.entries(report.errorDistribution ?? {})
    .filter(([error]) => error !== 'aborted due to deadline')
    .reduce((sum, [, count]) => sum + count, 0);
  const ms = (seconds) => Math.round(seconds * 100_000) / 100;
  const { p50, p90, p99 } = report.latencyPercentiles;
  return {
    offered: rate,
    reqPerSec: answered / seconds,
    requests: requests + errors,
    failed: requests + errors - answered,
    p50: ms(p50),
    p90: ms(p90),
    p99: ms(p99),
    max: ms(report.summary.slowest),
  };
}
