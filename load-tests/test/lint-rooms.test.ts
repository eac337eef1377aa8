/**
 * The rooms' lint rules (eslint.config.js) fail where they must: the server importing the workers,
 * the workers importing the server, the scoring core importing either, and a cycle of value
 * imports. Run with the repository's own configuration, only those rules (they need no types).
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ESLint } from 'eslint';
import { REPO_ROOT } from './repo.js';

const RULES = new Set(['no-restricted-imports', 'import-x/no-cycle']);
const eslint = new ESLint({
  cwd: REPO_ROOT,
  ruleFilter: ({ ruleId }) => RULES.has(ruleId),
  // Only the import rules run, so the type-aware parser setup is not needed for these probes.
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
});

async function findings(files: Array<{ path: string; text: string }>): Promise<string[]> {
  const results = (await Promise.all(files.map(({ path, text }) => eslint.lintText(text, { filePath: path })))).flat();
  return results.flatMap((r) =>
    r.messages.map((m) => `${r.filePath.slice(REPO_ROOT.length + 1)}: ${m.ruleId ?? m.message}`),
  );
}

test('an import across the rooms fails the lint: api <-> workers, scoring -> either', async () => {
  const probe = (room: string, from: string) => ({
    path: join(REPO_ROOT, room, 'src', 'lint-probe.ts'),
    text: `import { x } from '${from}';\nexport const y = x;\n`,
  });
  assert.deepEqual(
    await findings([
      probe('api', '@peerloan/workers/dist/src/worker-config.js'),
      probe('api', '../../workers/src/worker-config.js'),
      probe('workers', '@peerloan/api/dist/src/config.js'),
      probe('scoring', '@peerloan/api'),
      probe('scoring', '@peerloan/workers'),
    ]),
    [
      'api/src/lint-probe.ts: no-restricted-imports',
      'api/src/lint-probe.ts: no-restricted-imports',
      'workers/src/lint-probe.ts: no-restricted-imports',
      'scoring/src/lint-probe.ts: no-restricted-imports',
      'scoring/src/lint-probe.ts: no-restricted-imports',
    ],
  );
  assert.deepEqual(
    await findings([probe('api', '@peerloan/scoring'), probe('workers', '@peerloan/scoring/queues')]),
    [],
  );
});

test('a cycle of value imports fails the lint; type-only imports do not count', async () => {
  // Real files: the cycle rule resolves imports on disk. Under /tmp/, which git ignores.
  const dir = join(REPO_ROOT, 'tmp', `lint-probe-${String(process.pid)}`);
  mkdirSync(dir, { recursive: true });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    try {
      rmdirSync(join(REPO_ROOT, 'tmp'));
    } catch {
      // not empty: something else keeps files there
    }
  });
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return { path: join(dir, name), text };
  };
  const cycle = [
    write('a.ts', "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n"),
    write('b.ts', "import { a } from './a.js';\nexport const b = (): number => a() + 1;\n"),
  ];
  assert.equal((await findings(cycle)).filter((f) => f.endsWith('import-x/no-cycle')).length, 2);
  const typeOnly = [
    write('c.ts', "import type { D } from './d.js';\nexport interface C { readonly d?: D }\n"),
    write('d.ts', "import type { C } from './c.js';\nexport interface D { readonly c?: C }\n"),
  ];
  assert.deepEqual(await findings(typeOnly), []);
});
