#!/usr/bin/env node
// Writes the loans the k6 scripts send, from the project's own seeded generator (the one behind
// `loanrisk-generate`), as a JSON array of request bodies, one loan per line. The labels stay
// out: the API never sees them. Without arguments it rewrites the committed default,
// lib/loans.json (200 loans, seed 7): `npm run payloads -w load-tests`. The same seed and rows
// always give the same bytes, so the committed file is checked against a fresh run.
//   node payloads.mjs [--rows N] [--seed N] [--out file.json]
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateLoans } from '@peerloan/trainer-job/synthetic-data';

export const DEFAULT_PAYLOADS = resolve(dirname(fileURLToPath(import.meta.url)), 'lib', 'loans.json');
export const DEFAULT_ROWS = 200;
export const DEFAULT_SEED = 7;

/** The file's text: a JSON array, one loan per line (readable diffs when it is regenerated). */
export function payloadsJson(loans) {
  return `[\n${loans.map((loan) => JSON.stringify(loan)).join(',\n')}\n]\n`;
}

export function writePayloads({ rows, seed, out }) {
  const loans = Array.from(generateLoans({ rows, seed }), ({ record }) => record);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, payloadsJson(loans));
  return loans.length;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      rows: { type: 'string', default: String(DEFAULT_ROWS) },
      seed: { type: 'string', default: String(DEFAULT_SEED) },
      out: { type: 'string', default: DEFAULT_PAYLOADS },
    },
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
