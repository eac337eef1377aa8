// How batch scoring's cost grows: the batch worker's own path for 10k, 100k, 1M and 5M generated
// rows, in this process without Redis: each 10,000-row chunk as the API stages it (raw CSV
// records in JSON) is parsed and validated (chunkRows), then scored (LoadedModel.runRows, the
// dense tensor and one onnxruntime run) and turned into the result CSV lines. Prints rows/s of
// the scoring alone and of parse + scoring, and the process's peak RSS after each size. The
// audit trail and Redis round trips are left out (bash bench/queues.sh measures them end to end).
// Usage: node bench/batch-growth.mjs <models root>
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { FEATURE_NAMES } from '@peerloan/contracts';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';
import { chunkRows } from '../scoring/dist/src/chunk-rows.js';
import { loadModelVersion } from '../scoring/dist/src/model-loader.js';
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
const header = ['id', ...FEATURE_NAMES];

/** The records of one chunk of generated rows, as the API stages them (CSV text per record). */
function chunkRecords(size, seed) {
  const records = [];
  for (const { record } of generateLoans({ rows: size, seed }))
    records.push([`loan-${seed}-${records.length}`, ...FEATURE_NAMES.map((name) => record[name] ?? '')].join(','));
  return records;
}

const records = chunkRecords(CHUNK, 1);
const loadBefore = loadavg()[0];
const lines = [];
for (const size of SIZES) {
  let parseMs = 0;
  let scoringMs = 0;
  let bytes = 0;
  for (let done = 0; done < size; done += CHUNK) {
    const n = Math.min(CHUNK, size - done);
    // The JSON text a worker reads from Redis; building it is not timed.
    const text = JSON.stringify({ firstRow: done + 1, records: n === CHUNK ? records : records.slice(0, n) });
    let started = performance.now();
    const { ids, rows } = chunkRows(JSON.parse(text), 'csv', header, model.validator);
    parseMs += performance.now() - started;
    started = performance.now();
    const scores = await model.runRows(rows);
    let out = '';
    for (let i = 0; i < ids.length; i++)
      out += `${ids[i]},${scores[i]},${scores[i] >= model.threshold ? 'yes' : 'no'}\n`;
    scoringMs += performance.now() - started;
    bytes += out.length;
  }
  lines.push(
    `| ${f(size)} | ${f(size / (scoringMs / 1000))} | ${f(size / ((parseMs + scoringMs) / 1000))} | ${f((parseMs + scoringMs) / 1000, 2)} | ${f(bytes / 2 ** 20, 1)} | ${f(process.resourceUsage().maxRSS / 1024)} |`,
  );
}
console.log(
  `Machine: ${cpus().length} cores; chunks of ${f(CHUNK)} rows; onnxruntime ${THREADS} thread(s); model ${version}; 1-minute load average ${f(loadBefore, 2)} before, ${f(loadavg()[0], 2)} after.\n`,
);
console.log(
  '| rows | rows/s scoring (encode + run + CSV lines) | rows/s parse + scoring (JSON, cells, validation, then scoring) | parse + scoring s | result CSV MiB | peak RSS MiB |',
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: |');
console.log(lines.join('\n'));
process.exit(0);
