// Fixed-rate load for the latency tables, with oha (a Rust HTTP load generator;
// bench/serving-setup.sh installs it into bench/.out/tools with cargo, or OHA names one). With -q and
// --latency-correction, oha's timer releases request i at i/rate s and its latency counts from
// that moment, including any wait for a free connection, so a stalled server shows in full (no
// coordinated omission); only a late timer (oha's own thread descheduled) is not counted. Why not
// bench/open-loop.mjs here: at 14,000 req/s that Node generator spends 25-35 µs of CPU per
// request and its own pauses put its sending 2-5 ms behind at p99, as much as the goal being
// measured; oha spends about 17 µs (measured with /usr/bin/time) and runs on its own threads.
//
// One oha process per line, whose first WARM_UP_SECONDS are not recorded: oha writes every
// answered request (release time, latency, status) as CSV and the line is computed here from
// the requests released after the warm-up. A separate warm-up process did not work: each new process
// opens its connections and starts its threads inside the recorded window, and that start put
// up to 0.3 % of a line 7-20 ms behind, enough to move p99. The line runs TAIL_SECONDS past
// the window so that every request released in it has time to be answered before oha's deadline.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';

const run = promisify(execFile);
const WARM_UP_SECONDS = 2;
const TAIL_SECONDS = 1;

/** oha's path: OHA, set by bench/serving-setup.sh. */
function oha() {
  const path = process.env.OHA;
  if (!path)
    throw new Error('OHA is not set: run the benchmark through bench/api.sh or bench/tail.sh, which install oha');
  return path;
}

/** Nearest-rank percentile of ascending `sorted`, in ms rounded to 0.01. */
function percentile(sorted, p) {
  const seconds = sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  return Math.round(seconds * 100_000) / 100;
}

/**
 * POST `body` to `url` at `rate` requests per second for `seconds` (after the warm-up); latencies in ms.
 * `headers`, e.g. a Host header naming an Ingress.
 */
export async function ohaOpenLoop(url, body, { rate, seconds, connections, bodyFile, headers = {} }) {
  await writeFile(bodyFile, typeof body === 'string' ? body : JSON.stringify(body));
  const total = WARM_UP_SECONDS + seconds + TAIL_SECONDS;
  const args = ['--no-tui', '--output-format', 'csv', '-z', `${total}s`, '-c', String(connections), '-q', String(rate)];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push('--latency-correction', '-m', 'POST', '-T', 'application/json', '-D', bodyFile, url);
  const { stdout } = await run(oha(), args, { maxBuffer: 256 << 20 });
  const rows = parse(stdout, { columns: true, cast: true });
  const end = WARM_UP_SECONDS + seconds;
  const window = rows.filter((row) => row['request-start'] >= WARM_UP_SECONDS && row['request-start'] < end);
  const answered = window.filter((row) => row.status >= 200 && row.status < 300).length;
  const latencies = Float64Array.from(window, (row) => row['request-duration']).sort();
  // oha's CSV lists the requests that got an answer; one lost to a transport error is missing
  // from it and shows as an achieved rate below the offered one.
  return {
    offered: rate,
    reqPerSec: answered / seconds,
    requests: window.length,
    failed: window.length - answered,
    p50: percentile(latencies, 0.5),
    p90: percentile(latencies, 0.9),
    p99: percentile(latencies, 0.99),
    max: percentile(latencies, 1),
  };
}
