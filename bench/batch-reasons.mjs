// What reasons cost a batch chunk: the batch worker's scoring step for the same validated rows
// with and without reasons, alternated in one process (LoadedModel.runRows: scores only, as
// before batch rows carried reasons; LoadedModel.explainRows + packChunk: scores, /predict's
// reasons and the stored form). Parsing and Redis are left out (bench/batch-growth.mjs and
// bench/queues.sh measure them). Prints rows/s of each and their ratio.
// Usage: node bench/batch-reasons.mjs <models root>   (ROWS=200000 CHUNK=5000)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus, loadavg } from 'node:os';
import { FEATURE_NAMES } from '@peerloan/contracts';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';
import { chunkRows } from '../scoring/dist/src/chunk-rows.js';
import { referencesOf } from '../scoring/dist/src/explanations.js';
import { loadModelVersion } from '../scoring/dist/src/model-loader.js';
import { packChunk } from '../scoring/dist/src/queues/batch-results.js';

const root = process.argv[2];
const ROWS = Number(process.env.ROWS ?? 200_000);
const CHUNK = Number(process.env.CHUNK ?? 5000);
const version = readFileSync(join(root, 'current'), 'utf8').trim();
const model = await loadModelVersion(join(root, version), {
  maxBatchRows: 1_000_000,
  maxConcurrentRuns: 1,
  intraOpThreads: 1,
});
const records = [];
for (const { record } of generateLoans({ rows: CHUNK, seed: 5 }))
  records.push([`h${records.length}`, ...FEATURE_NAMES.map((name) => record[name] ?? '')].join(','));
const chunk = chunkRows({ firstRow: 1, records }, 'csv', ['id', ...FEATURE_NAMES], model.validator);
const references = referencesOf(model.manifest);

async function scoresOnly() {
  await model.runRows(chunk.rows);
}
async function withReasons() {
  const { probabilities, reasons } = await model.explainRows(chunk.rows);
  packChunk({
    modelVersion: model.version,
    threshold: model.threshold,
    references,
    ids: chunk.ids,
    rowNumbers: chunk.rowNumbers,
    probabilities,
    reasons,
  });
}
async function rate(step) {
  const start = performance.now();
  for (let done = 0; done < ROWS; done += chunk.rows.length) await step();
  return ROWS / ((performance.now() - start) / 1000);
}

await rate(withReasons); // warm-up
const results = { scores: [], reasons: [] };
for (let round = 0; round < 3; round++) {
  results.scores.push(await rate(scoresOnly));
  results.reasons.push(await rate(withReasons));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[1];
const fmt = (x) => Math.round(x).toLocaleString('en');
console.log(
  `model ${version}, ${chunk.rows.length}-row chunks, ${ROWS} rows a line, ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}`,
);
console.log(
  `scores only:        ${results.scores.map(fmt).join(' / ')} rows/s (median ${fmt(median(results.scores))})`,
);
console.log(
  `scores + reasons:   ${results.reasons.map(fmt).join(' / ')} rows/s (median ${fmt(median(results.reasons))})`,
);
console.log(`reasons cost: ${(median(results.scores) / median(results.reasons)).toFixed(1)}x the scoring time`);
