// Reading the training quarter plain and gzip-compressed (the trainer's reading stage: parse,
// validate, hash). `npm run build` first; prints a markdown table. Usage:
//   node bench/csv-read-bench.mjs [plain.csv] [compressed.csv.gz] [rounds]
// Without a plain file, the shipped quarter is inflated once into bench/.out/ and read from there.
import { createReadStream, createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { readTrainingCsv } from '../trainer-job/dist/src/csv-reader.js';

const SHIPPED = 'data/peerLoanTraining.csv.gz';
const INFLATED = 'bench/.out/peerLoanTraining.csv';
const [plain = INFLATED, compressed = SHIPPED, roundsText = '3'] = process.argv.slice(2);
if (plain === INFLATED && !existsSync(INFLATED)) {
  mkdirSync('bench/.out', { recursive: true });
  await pipeline(createReadStream(SHIPPED), createGunzip(), createWriteStream(INFLATED));
}
const rounds = Number(roundsText);

console.log('| file | bytes | rows | sha256 (first 12) | seconds per read (each round) |');
console.log('| --- | --- | --- | --- | --- |');
for (const path of [plain, compressed]) {
  const seconds = [];
  let result;
  for (let i = 0; i < rounds; i++) {
    const began = performance.now();
    result = await readTrainingCsv(path, { maxBadShare: 0.05 });
    seconds.push(((performance.now() - began) / 1000).toFixed(2));
  }
  const { size } = await stat(path);
  console.log(`| ${path} | ${size} | ${result.totalRows} | ${result.sha256.slice(0, 12)} | ${seconds.join(', ')} |`);
}
