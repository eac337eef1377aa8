/**
 * Statements of the README and CONTRIBUTING that once contradicted the code or another doc (issue
 * 24): the headline figures against the benchmarks' table of current figures, what `test:all` and
 * CI run, the training config example against the trainer's defaults and the CRD's one grid, and
 * the benchmarks reading nothing outside the clone. docs.test.ts checks settings, scripts, phases
 * and paths.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { TrainingOverridesSchema } from '@peerloan/contracts';
import { DEFAULT_CONFIG, resolveConfig } from '@peerloan/trainer-job';
import { REPO_ROOT } from './repo.js';

const read = (file: string) => readFileSync(join(REPO_ROOT, file), 'utf8');

/** The rows of the markdown table that follows `heading`, as cells (the header and rule rows left out). */
function tableAfter(text: string, heading: string): string[][] {
  const start = text.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `no heading "${heading}"`);
  const lines = text.slice(start).split('\n');
  const first = lines.findIndex((line) => line.startsWith('|'));
  const rows = lines.slice(first).filter((line, i, all) => all.slice(0, i + 1).every((l) => l.startsWith('|')));
  return rows.slice(2).map((row) =>
    row
      .split(/(?<!\\)\|/)
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );
}

/** The figures a cell states: numbers with their thousands separators and decimals (1,282, 2.44, 24.5); "6,3xx" is a rounding, not one. */
const numbersIn = (cell: string) =>
  [...cell.replace(/\d[\d,]*xx\b/g, '').matchAll(/\d[\d,]*(?:\.\d+)?/g)].map((m) => m[0].replace(/,$/, ''));

test("the README's figures are the benchmarks' current figures, with the same verdict", () => {
  const headline = tableAfter(read('README.md'), '## What it does, in numbers');
  const current = tableAfter(read('docs/BENCHMARKS.md'), '## Current figures');
  assert.ok(headline.length >= 5, 'the README has no table of figures');
  const problems: string[] = [];
  for (const [what, figure, goal] of headline) {
    // The benchmarks' row of this figure: the one stating its first number.
    const first = numbersIn(figure)[0];
    const row = current.find(([stated]) => numbersIn(stated).includes(first));
    if (!row) {
      problems.push(`"${what}": no current figure states ${first}`);
      continue;
    }
    const verdict = row[2];
    const stated = numbersIn(row.join(' '));
    const missing = numbersIn(figure).filter((n) => !stated.includes(n));
    if (missing.length > 0) problems.push(`"${what}": ${missing.join(', ')} not in the current figure`);
    if (/not met/.test(goal) !== /not met/.test(verdict))
      problems.push(`"${what}": the README says "${goal}", the benchmarks "${verdict}"`);
  }
  assert.deepEqual(problems, []);
});

test('test:all is npm test then the journey, and CI builds and lints before it, as the docs say', () => {
  const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
  assert.equal(scripts['test:all'], 'npm test && npm run e2e');
  assert.match(read('README.md'), /`npm run test:all` is `npm test` [^`]*followed by `npm run e2e`/);
  const stages = [...read('.ci/run').matchAll(/^stage "[^"]+" (.+)$/gm)].map((m) => m[1]);
  const at = (command: string) => stages.indexOf(command);
  assert.ok(at('npm run build') >= 0 && at('npm run lint') > at('npm run build'), 'CI builds, then lints');
  assert.ok(at('npm run test:all') > at('npm run lint'), 'CI runs test:all after the lint');
  assert.match(
    read('CONTRIBUTING.md'),
    /npm run test:all +# npm test, then npm run e2e; CI \(\.ci\/run\) also builds and lints/,
  );
});

test("the README's training config is the trainer's default search; a LoanRiskModel's grid is one object", () => {
  const readme = read('README.md');
  const example = /A config file overrides any of the defaults[^\n]*\n\n```json\n([\s\S]*?)```/.exec(readme);
  assert.ok(example, "the README's config file example is gone");
  const fromFile = JSON.parse(example[1]) as Record<string, unknown>;
  assert.ok(Array.isArray(fromFile.grid), 'the example shows a list of grids');
  assert.deepEqual(resolveConfig(fromFile, {}), DEFAULT_CONFIG, 'the README calls the example the default');
  assert.match(readme, /`spec\.training\.config\.grid` (?:\([^)]*\) )?is one grid, an\s+object/);
  assert.equal(TrainingOverridesSchema.properties.grid.type, 'object');
});

test('no npm script, benchmark or CI step reads a folder outside the clone', () => {
  const files = execFileSync('git', ['ls-files', 'package.json', '*/package.json', 'bench', 'scripts', '.ci'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean);
  const outside = files.filter((file) => /\.\.\/shared\b/.test(read(file)));
  assert.deepEqual(outside, []);
});
