#!/usr/bin/env node
// `npm run e2e [-- --nodes 2]`: the journey under node's test runner, one step at a time. With
// `--nodes 2` (or E2E_NODES=2) it runs on a two-node local cluster (`npm run cluster -- up --nodes 2`)
// and adds the multi-node steps (drain, node loss); without it, the single-node journey CI runs.
// `--only <regex>` runs the steps whose names match and the steps they need.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: process.env.E2E_NODES ?? '1' },
    // Steps whose names match this regular expression, with the steps they need (E2E_ONLY).
    only: { type: 'string', default: process.env.E2E_ONLY ?? '' },
  },
});
if (values.nodes !== '1' && values.nodes !== '2') {
  console.error(`e2e: --nodes takes 1 or 2, not '${values.nodes}'`);
  process.exit(2);
}
try {
  new RegExp(values.only, 'i');
} catch (err) {
  console.error(`e2e: --only takes a regular expression over step names: ${err.message}`);
  process.exit(2);
}
const journeys = readdirSync(new URL('../dist/journey/', import.meta.url))
  .filter((name) => name.endsWith('.e2e.js'))
  .map((name) => `dist/journey/${name}`);
const result = spawnSync(process.execPath, ['--test', '--test-concurrency=1', '--test-timeout=3600000', ...journeys], {
  stdio: 'inherit',
  env: { ...process.env, E2E_NODES: values.nodes, E2E_ONLY: values.only },
});
process.exit(result.status ?? 1);
