// `npm run bench:builds -- <checkout> [<checkout>...]`: the single-row serving paths of several
// builds of the API side by side, to find which commit changed a figure of `npm run bench:api`.
// Each checkout is a built clone or worktree (`npm ci && npm run build` there); this one's own
// build is always the first. Rounds alternate the builds (A B C, A B C, ...), so a slower minute
// of the machine falls on all of them; the table gives each build's median over the rounds.
// Env: ROUNDS (3), BENCH_SECONDS (10 per line), BENCH_CONNECTIONS (32), PATHS (predict,reasons,oip).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { f, load, startApi, stop } from './bench-driver.mjs';
import { applicant, inferBody } from './serving-requests.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 3);
const MODEL_DIR = resolve(process.env.MODEL_DIR ?? 'bench/.out/models');
const PATHS = {
  predict: ['/predict?explain=false', applicant],
  reasons: ['/predict', applicant],
  oip: ['/v2/models/loan-risk/infer', inferBody],
};
const chosen = (process.env.PATHS ?? 'predict,reasons,oip').split(',');
for (const name of chosen) if (!PATHS[name]) throw new Error(`PATHS: unknown path ${name} (predict, reasons, oip)`);

const checkouts = [resolve('.'), ...process.argv.slice(2).map((dir) => resolve(dir))];
const builds = checkouts.map((dir) => {
  const script = join(dir, 'api/dist/src/main.js');
  if (!existsSync(script)) throw new Error(`${dir}: no api/dist/src/main.js; run npm ci && npm run build there`);
  const commit = execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  return { dir, script, commit, lines: Object.fromEntries(chosen.map((name) => [name, []])) };
});
if (!existsSync(join(MODEL_DIR, 'current'))) throw new Error(`no model in ${MODEL_DIR}: run npm run bench:api once`);

/** One round of one build: a fresh server, warmed on every path, then a line per path. */
async function round(build, port) {
  const base = `http://127.0.0.1:${port}`;
  const server = await startApi(build.script, { PORT: String(port), MODEL_DIR }, `${base}/readyz`);
  try {
    for (const name of chosen) await load(server, `${base}${PATHS[name][0]}`, PATHS[name][1], { duration: 2 });
    for (const name of chosen) build.lines[name].push(await load(server, `${base}${PATHS[name][0]}`, PATHS[name][1]));
  } finally {
    await stop(server);
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const loadBefore = loadavg()[0];
for (let r = 0; r < ROUNDS; r++) {
  for (const [i, build] of builds.entries()) {
    console.error(`round ${r + 1}/${ROUNDS}: ${build.commit}`);
    await round(build, 18200 + i);
  }
}

console.log(
  `\n${ROUNDS} rounds, ${process.env.BENCH_SECONDS ?? 10} s a line, model ${MODEL_DIR}; 1-minute load average ${loadBefore.toFixed(2)} before, ${loadavg()[0].toFixed(2)} after\n`,
);
console.log('| build | path | req/s (median; each round) | server CPU µs/request (median) |');
console.log('| --- | --- | ---: | ---: |');
for (const build of builds) {
  for (const name of chosen) {
    const lines = build.lines[name];
    const rates = lines.map((l) => l.reqPerSec);
    console.log(
      `| ${build.commit} | ${PATHS[name][0]} | ${f(median(rates))} (${rates.map((v) => f(v)).join(', ')}) | ${f(median(lines.map((l) => l.cpuUsPerRequest)))} |`,
    );
  }
}
