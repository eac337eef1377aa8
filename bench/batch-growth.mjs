// How batch scoring's cost grows: the batch worker's own scoring path (LoadedModel.runRows on
// chunks of schema-ordered rows, as BullMQ chunk jobs carry them, and the CSV lines it stores)
// for 10k, 100k, 1M and 5M generated rows, in this process without Redis. Prints rows/s and the
// process's peak RSS after each size. Usage: node bench/batch-growth.mjs <models root>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { FEATURE_NAMES } from '@peerloan/contracts';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';
import { loadModelVersion } from '../api/dist/src/model-loader.js';
import { f } from './bench-driver.mjs';

const root = process.argv[2];
const CHUNK = Number(process.env.BATCH_CHUNK_ROWS ?? 10_000);
const THREADS = Number(process.env.ORT_INTRA_OP_THREADS ?? 1);
const SIZES = (process.env.SIZES ?? '10000,100000,1000000,5000000').split(',').map(Number);
const version = readFileSync(join(root, 'current'), 'utf8').trim();
const model = await loadModelVersion(join(root, version), {
  maxBatchRows: 1_000_000,
  maxConcurrentRuns: 1,
  intraOpThreads: THREADS,
});

/** One chunk of generated rows, ids and schema-ordered values, as the upload step packs them. */
function chunkOf(size, seed) {
  const ids = [];
  const rows = [];
  for (const { record } of generateLoans({ rows: size, seed })) {
    ids.push(`loan-${seed}-${ids.length}`);
    rows.push(FEATURE_NAMES.map((name) => record[name] ?? null));
  }
  return { ids, rows };
}

const chunk = chunkOf(CHUNK, 1);
const loadBefore = loadavg()[0];
const lines = [];
for (const size of SIZES) {
  let scoringMs = 0;
  let bytes = 0;
  for (let done = 0; done < size; done += CHUNK) {
    const n = Math.min(CHUNK, size - done);
    const rows = n === CHUNK ? chunk.rows : chunk.rows.slice(0, n);
    const started = performance.now();
    const scores = await model.runRows(rows);
    let text = '';
    for (let i = 0; i < n; i++) text += `${chunk.ids[i]},${scores[i]},${scores[i] >= model.threshold ? 'yes' : 'no'}\n`;
    scoringMs += performance.now() - started;
    bytes += text.length;
  }
  lines.push(
    `| ${f(size)} | ${f(size / (scoringMs / 1000))} | ${f(scoringMs / 1000, 2)} | ${f(bytes / 2 ** 20, 1)} | ${f(process.resourceUsage().maxRSS / 1024)} |`,
  );
}
console.log(
  `Machine: ${cpus().length} cores; chunks of ${f(CHUNK)} rows; onnxruntime ${THREADS} thread(s); model ${version}; 1-minute load average ${f(loadBefore, 2)} before, ${f(loadavg()[0], 2)} after.\n`,
);
console.log('| rows | rows/s (encode + run + CSV lines) | scoring s | result CSV MiB | peak RSS MiB |');
console.log('| ---: | ---: | ---: | ---: | ---: |');
console.log(lines.join('\n'));
process.exit(0);
