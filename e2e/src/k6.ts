/**
 * Runs one of load-tests/ as an SRE would (`k6 run <script>` with BASE_URL), against the
 * ingress controller with the Ingress's Host header, and returns k6's verdict and summary.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type RunResult } from './commands.js';
import { INGRESS_URL } from './ingress.js';

export interface K6Run {
  readonly passed: boolean;
  readonly output: string;
  /** `metrics` of k6's --summary-export. */
  readonly metrics: Partial<Record<string, Record<string, number>>>;
}

export async function runK6(
  script: string,
  host: string,
  env: Record<string, string> = {},
  timeoutMs = 600_000,
): Promise<K6Run> {
  const summary = join(mkdtempSync(join(tmpdir(), 'k6-')), 'summary.json');
  const envArgs = Object.entries({ BASE_URL: INGRESS_URL, HOST_HEADER: host, ...env }).flatMap(([k, v]) => [
    '-e',
    `${k}=${v}`,
  ]);
  const result: RunResult = await run(
    'k6',
    ['run', '--quiet', '--no-color', '--summary-export', summary, ...envArgs, `load-tests/${script}`],
    { allowFailure: true, timeoutMs, env: { K6_NO_USAGE_REPORT: 'true' } },
  );
  let metrics: K6Run['metrics'] = {};
  try {
    metrics = (JSON.parse(readFileSync(summary, 'utf8')) as { metrics: K6Run['metrics'] }).metrics;
  } catch {
    /* k6 stopped before its summary */
  }
  return { passed: result.code === 0, output: `${result.stdout}\n${result.stderr}`, metrics };
}
