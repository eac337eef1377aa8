#!/usr/bin/env node
// Generates the README's endpoint table from the API's OpenAPI document (GET /openapi.json, built
// by api/src/openapi/), so the operations are listed once. Needs `npm run build`.
//   node scripts/api-docs.mjs          rewrite the table between the README's markers
//   node scripts/api-docs.mjs --check  exit 1 when the committed table is stale
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = join(root, 'README.md');
const START = '<!-- api-table:start -->';
const END = '<!-- api-table:end -->';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const { openApiDocument } = await import(join(root, 'api/dist/src/openapi/openapi-document.js'));

/** The scope an operation's security requires (the same for each scheme), or `open`. */
function needs(op) {
  const scopes = [...new Set((op.security ?? []).flatMap((requirement) => Object.values(requirement).flat()))];
  return scopes.length === 0 ? 'open' : scopes.map((scope) => `\`${scope}\``).join(', ');
}

/** One row per operation, in the document's order: method, path, summary, the scope it needs and its documented statuses. */
export function apiTable(document) {
  const rows = ['| method | path | what | needs | answers |', '| --- | --- | --- | --- | --- |'];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS.filter((m) => item[m])) {
      const op = item[method];
      const statuses = Object.keys(op.responses).join(', ');
      rows.push(
        `| \`${method.toUpperCase()}\` | \`${path}\` | ${op.summary.replaceAll('|', '\\|')} | ${needs(op)} | ${statuses} |`,
      );
    }
  }
  return rows.join('\n');
}

const text = readFileSync(readme, 'utf8');
const start = text.indexOf(START);
const end = text.indexOf(END);
if (start < 0 || end < start) {
  console.error(`README.md: markers ${START} ... ${END} not found`);
  process.exit(1);
}
const table = apiTable(openApiDocument({ serverVersion: 'docs' }));
const next = `${text.slice(0, start + START.length)}\n${table}\n${text.slice(end)}`;
if (process.argv.includes('--check')) {
  if (next !== text) {
    console.error('README.md: the endpoint table differs from the OpenAPI document; run `node scripts/api-docs.mjs`');
    process.exit(1);
  }
} else {
  writeFileSync(readme, next);
  console.log('README.md: endpoint table written');
}
