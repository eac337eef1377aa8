#!/usr/bin/env node
// Writes the loans the k6 scripts send, from the project's own seeded generator (the same one
// the trainer's tests use), as a JSON array of request bodies: node payloads.mjs [--rows N]
// [--seed N] [--out file]. The labels stay out: the API never sees them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';

export const DEFAULT_PAYLOADS = resolve(dirname(fileURLToPath(import.meta.url)), 'data', 'loans.json');

export function writePayloads({ rows, seed, out }) {
  const loans = Array.from(generateLoans({ rows, seed }), ({ record }) => record);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(loans)}\n`);
  return loans.length;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: { rows: { type: 'string', default: '2000' }, seed: { type: 'string', default: '7' }, out: { type: 'string', default: DEFAULT_PAYLOADS } },
  });
  const rows = Number(values.rows);
  const seed = Number(values.seed);
  if (!Number.isInteger(rows) || rows < 1 || !Number.isInteger(seed)) {
    process.stderr.write('usage: node payloads.mjs [--rows N] [--seed N] [--out file.json]\n');
    process.exit(2);
  }
  const count = writePayloads({ rows, seed, out: resolve(values.out) });
  process.stdout.write(`${count} loans -> ${values.out}\n`);
}
