#!/usr/bin/env node
// Generates the values table of charts/loan-risk/README.md from the `# --` comment above each
// value in values.yaml (the helm-docs convention) and the types in values.schema.json, so the
// documentation is written once. Every value must have a comment and a schema type.
//   node scripts/helm-docs.mjs          rewrite the table between the README's markers
//   node scripts/helm-docs.mjs --check  exit 1 when the committed table is stale
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const chartDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'charts', 'loan-risk');
const START = '<!-- values-table:start -->';
const END = '<!-- values-table:end -->';

/** Leaves of values.yaml in file order: {path, value, description}. Nested maps are blocks; every leaf is one line. */
export function documentedValues(valuesYaml) {
  const leaves = [];
  const stack = []; // {indent, key}
  let pending = null;
  valuesYaml.split('\n').forEach((line, index) => {
    const where = `values.yaml:${index + 1}`;
    if (line.trim() === '') {
      pending = null;
      return;
    }
    const comment = line.match(/^(\s*)#\s?(.*)$/);
    if (comment) {
      const text = comment[2];
      if (text.startsWith('-- ')) pending = [text.slice(3).trim()];
      else if (pending) pending.push(text.trim());
      return;
    }
    const entry = line.match(/^(\s*)([A-Za-z0-9_.-]+):(?:\s+(.*))?$/);
    if (!entry) throw new Error(`${where}: cannot read "${line}" (one key per line, flow style for lists and maps)`);
    const indent = entry[1].length;
    while (stack.length && stack[stack.length - 1].indent >= indent) stack.pop();
    const path = [...stack.map((s) => s.key), entry[2]].join('.');
    if (entry[3] === undefined || entry[3] === '') {
      stack.push({ indent, key: entry[2] });
    } else {
      if (!pending) throw new Error(`${where}: ${path} has no "# --" comment above it`);
      leaves.push({ path, value: entry[3].trim(), description: pending.join(' ') });
    }
    pending = null;
  });
  return leaves;
}

const cell = (text) => text.replace(/\|/g, '\\|');

function schemaNode(schema, path) {
  let node = schema;
  for (const key of path.split('.')) {
    node = node?.properties?.[key];
    if (!node) throw new Error(`values.schema.json has no entry for ${path}`);
  }
  if (!node.type) throw new Error(`values.schema.json gives no type for ${path}`);
  return node;
}

const typeOf = (node) => (Array.isArray(node.type) ? node.type.join(' or ') : node.type);

/** A null value leaves the field to the LoanRiskModel's CRD, whose default the generated schema carries. */
const defaultOf = (value, node) =>
  value === 'null' && node.default !== undefined
    ? `\`null\` (CRD default \`${JSON.stringify(node.default)}\`)`
    : `\`${cell(value)}\``;

export function valuesTable(valuesYaml, schema) {
  const rows = documentedValues(valuesYaml).map(({ path, value, description }) => {
    const node = schemaNode(schema, path);
    return `| \`${path}\` | ${typeOf(node)} | ${defaultOf(value, node)} | ${cell(description)} |`;
  });
  return ['| Key | Type | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export function renderReadme(readme, table) {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md needs the markers ${START} and ${END}`);
  return `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`;
}

function main() {
  const valuesYaml = readFileSync(join(chartDir, 'values.yaml'), 'utf8');
  const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8'));
  const readmePath = join(chartDir, 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const wanted = renderReadme(readme, valuesTable(valuesYaml, schema));
  if (process.argv.includes('--check')) {
    if (wanted !== readme) {
      process.stderr.write('charts/loan-risk/README.md: the values table is stale; run `node scripts/helm-docs.mjs`\n');
      process.exit(1);
    }
    return;
  }
  if (wanted !== readme) writeFileSync(readmePath, wanted);
  process.stdout.write(`charts/loan-risk/README.md: ${wanted === readme ? 'up to date' : 'values table written'}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    main();
  } catch (err) {
    process.stderr.write(`helm-docs: ${err.message}\n`);
    process.exit(1);
  }
}
