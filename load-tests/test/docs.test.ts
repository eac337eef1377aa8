/**
 * The docs state facts that the code owns: settings and their defaults, npm scripts, the
 * LoanRiskModel's phases, repository paths and links. Each test reads the docs as a reader would
 * and checks every such statement against the code, so a renamed variable, a changed default, a
 * removed script, a new phase or a moved file fails here instead of misleading the next reader.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { PHASES } from '@peerloan/contracts';
import { readConfig } from '@peerloan/api/dist/src/config.js';
import { readWorkerConfig } from '@peerloan/workers/dist/src/worker-config.js';
import { configFromEnv } from '@peerloan/operator/dist/src/config.js';
import { REPO_ROOT } from './repo.js';

/** The docs a reader is sent to; the benchmarks' history is a record of its time and is checked for links only. */
const DOCS = [
  'README.md',
  'CONTRIBUTING.md',
  'docs/ARCHITECTURE.md',
  'docs/OPERATIONS.md',
  'docs/BENCHMARKS.md',
  'charts/loan-risk/README.md',
  'web/README.md',
];
const ALL_DOCS = [...DOCS, 'docs/benchmarks-history.md'];
/** The repository's own top-level folders: tracked ones, not what a local run left (models/, audit/). */
const TOP_FOLDERS = [
  ...new Set(
    execFileSync('git', ['ls-files'], { cwd: REPO_ROOT, encoding: 'utf8' })
      .split('\n')
      .filter((file) => file.includes('/') && !file.startsWith('.'))
      .map((file) => file.slice(0, file.indexOf('/'))),
  ),
];

const read = (doc: string) => readFileSync(join(REPO_ROOT, doc), 'utf8');

/** The doc's text outside fenced code blocks, line numbers kept (a code line becomes empty). */
function prose(text: string): string {
  let fenced = false;
  return text
    .split('\n')
    .map((line) => {
      if (line.trimStart().startsWith('```')) {
        fenced = !fenced;
        return '';
      }
      return fenced ? '' : line;
    })
    .join('\n');
}

const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

type Reader = (env: Record<string, string>) => unknown;

/** A process's settings reader, with the environment it needs to start at all. */
interface Process {
  readonly name: string;
  readonly read: Reader;
  readonly base: Record<string, string>;
}
const API: Process = { name: 'api', read: readConfig, base: {} };
/** The API with what only some settings switch on (a rollout, Redis, authentication, budgets), so their own settings are read too. */
const API_ALL_ON: Process = {
  name: 'api (rollout, Redis, auth and budgets on)',
  read: readConfig,
  base: {
    MODELS_ROOT: '/models',
    LIVE_VERSION: 'live',
    CANDIDATE_VERSION: 'candidate',
    CANDIDATE_MODE: 'canary',
    REDIS_URL: 'redis://127.0.0.1:6379',
    AUTH_JWKS_URL: 'https://issuer.example/jwks',
    AUTH_ISSUER: 'https://issuer.example',
    AUTH_AUDIENCE: 'loan-risk',
    AUTH_API_KEYS_FILE: '/etc/peerloan/api-keys/api-keys.json',
    RATE_LIMIT_REQUESTS: '100',
  },
};
const WORKERS: Process = { name: 'workers', read: readWorkerConfig, base: { REDIS_URL: 'redis://127.0.0.1:6379' } };
const OPERATOR: Process = { name: 'operator', read: configFromEnv, base: {} };
const PROCESSES = [API, API_ALL_ON, WORKERS, OPERATOR];

/** The variables a reader looks at, given its base environment. */
function variablesRead(process: Process): Set<string> {
  const seen = new Set<string>();
  const env = new Proxy(
    { ...process.base },
    {
      get: (target, key) => {
        if (typeof key === 'string') seen.add(key);
        return Reflect.get(target, key) as unknown;
      },
      has: (target, key) => {
        if (typeof key === 'string') seen.add(key);
        return key in target;
      },
    },
  );
  process.read(env);
  return seen;
}
const READS = new Map(PROCESSES.map((p) => [p, variablesRead(p)]));

/**
 * Whether `value` is what the process takes when `variable` is unset: setting it explicitly must
 * give the same settings as leaving it out. A value the reader refuses is a wrong default too.
 */
function isDefault(process: Process, variable: string, value: string): boolean {
  const without = JSON.stringify(process.read(process.base));
  try {
    return JSON.stringify(process.read({ ...process.base, [variable]: value })) === without;
  } catch {
    return false;
  }
}

interface Claim {
  readonly doc: string;
  readonly line: number;
  readonly variable: string;
  readonly value: string;
  /** The processes the doc's section is about, when it says; else every process reading the variable. */
  readonly processes?: readonly Process[];
}

const ENV_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$|^(?:PORT|HOST|WORKERS|KUBECONFIG)$/;
const ticked = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

/** `value` when a cell is exactly one backticked word (a default the code can be asked about), else undefined. */
function plainValue(cell: string): string | undefined {
  const trimmed = cell.trim();
  const match = /^`([^`<>\s]+)`$/.exec(trimmed);
  return match?.[1];
}

/** The processes a README section is about, by its heading. */
function sectionProcesses(heading: string): readonly Process[] | undefined {
  if (/^## Workers/.test(heading)) return [WORKERS];
  if (/^## The operator/.test(heading)) return [OPERATOR];
  if (/^## (Prediction API|Security|Progressive delivery)/.test(heading)) return [API, API_ALL_ON];
  return undefined;
}

/** Rows `| `A`, `B` | `1`, `2` | ... |` of settings tables: each name paired with its default. */
function tableClaims(doc: string, text: string): Claim[] {
  const claims: Claim[] = [];
  let processes: readonly Process[] | undefined;
  text.split('\n').forEach((line, i) => {
    if (line.startsWith('## ')) processes = doc === 'README.md' ? sectionProcesses(line) : undefined;
    const cells = line.split(/(?<!\\)\|/).slice(1, -1);
    if (cells.length < 3) return;
    const names = ticked(cells[0]);
    if (names.length === 0 || !names.every((n) => ENV_NAME.test(n))) return;
    const separator = cells[0].includes(' / ') ? ' / ' : ', ';
    const defaults = cells[1].replace(/\([^)]*\)/g, '').split(separator);
    if (defaults.length !== names.length) return;
    names.forEach((variable, k) => {
      const value = plainValue(defaults[k]);
      if (value !== undefined) claims.push({ doc, line: i + 1, variable, value, processes });
    });
  });
  return claims;
}

/** Defaults stated in sentences: "`X=v` (the default)", "`X` (default `v`)", "`X`, default v", "`X` defaults to `v`", "`X` (30 s)". */
function proseClaims(doc: string, text: string): Claim[] {
  const claims: Claim[] = [];
  const sections = text.split(/^(?=## )/m);
  let offset = 0;
  for (const section of sections) {
    const processes = doc === 'README.md' ? sectionProcesses(section.split('\n')[0]) : undefined;
    const patterns: [RegExp, (m: RegExpMatchArray) => string][] = [
      [/`([A-Z][A-Z0-9_]+)=([^`\s]+)` \(the default\)/g, (m) => m[2]],
      [/`([A-Z][A-Z0-9_]+)` \(default `([^`]+)`/g, (m) => m[2]],
      [/`([A-Z][A-Z0-9_]+)` \(default ([0-9][0-9.]*)[,;)]/g, (m) => m[2]],
      [/`([A-Z][A-Z0-9_]+)`, default ([0-9][0-9.]*)\b/g, (m) => m[2]],
      [/`([A-Z][A-Z0-9_]+)` (?:now )?defaults to `([^`]+)`/g, (m) => m[2]],
      [/`([A-Z][A-Z0-9_]+)` \(([0-9][0-9.]*)\)/g, (m) => m[2]],
      [/`([A-Z][A-Z0-9_]+_MS)` \(([0-9]+) s[;)]/g, (m) => String(Number(m[2]) * 1000)],
    ];
    for (const [pattern, valueOf] of patterns) {
      for (const m of section.matchAll(pattern)) {
        claims.push({
          doc,
          line: lineOf(text, offset + m.index),
          variable: m[1],
          value: valueOf(m),
          processes,
        });
      }
    }
    offset += section.length;
  }
  return claims;
}

test("the settings' defaults the docs state are the code's", () => {
  const claims = DOCS.flatMap((doc) => {
    const text = prose(read(doc));
    return [...tableClaims(doc, text), ...proseClaims(doc, text)];
  });
  assert.ok(claims.length >= 40, `only ${claims.length} stated defaults found: has the docs' form changed?`);
  const wrong: string[] = [];
  for (const claim of claims) {
    // A section about one process may mention another's setting: then whichever reads it answers.
    const reading = (processes: readonly Process[]) => processes.filter((p) => READS.get(p)?.has(claim.variable));
    const own = claim.processes ? reading(claim.processes) : [];
    const readers = own.length > 0 ? own : reading(PROCESSES);
    if (readers.length === 0) continue;
    if (!readers.some((p) => isDefault(p, claim.variable, claim.value))) {
      wrong.push(
        `${claim.doc}:${claim.line}: ${claim.variable} default "${claim.value}" is not ${readers.map((p) => p.name).join(' or ')}'s`,
      );
    }
  }
  assert.deepEqual(wrong, []);
});

/** Every text file git would ship outside the docs, once: where a name the docs use must occur. */
function sourceText(): string {
  const skip = new Set(['node_modules', 'dist', '.git', '.out', '.venv', 'docs', 'screenshots', 'data']);
  const parts: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (skip.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.(ts|tsx|mjs|js|sh|yaml|yml|json|tpl|txt|py)$|^Dockerfile$|^run$/.test(entry.name)) {
        parts.push(readFileSync(path, 'utf8'));
      }
    }
  };
  walk(REPO_ROOT);
  return parts.join('\n');
}

test('every environment variable the docs name is one the code reads', () => {
  const source = sourceText();
  const missing = new Set<string>();
  for (const doc of DOCS) {
    const text = read(doc);
    for (const m of text.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:=[^`]*)?`/g)) {
      if (!source.includes(m[1])) missing.add(`${doc}:${lineOf(text, m.index)}: ${m[1]}`);
    }
  }
  assert.deepEqual([...missing], []);
});

interface PackageJson {
  readonly scripts?: Record<string, string>;
}
const scriptsOf = (dir: string) =>
  new Set(
    Object.keys((JSON.parse(readFileSync(join(REPO_ROOT, dir, 'package.json'), 'utf8')) as PackageJson).scripts ?? {}),
  );

test('every `npm run <script>` in the docs exists where it is run', () => {
  const missing: string[] = [];
  for (const doc of DOCS) {
    const text = read(doc);
    const commands =
      /\bnpm (run|start|test)\b(?: ([a-z][\w:-]*))?(?: --silent)?(?:\s+(?:-w\s+|--workspace[= ])([\w-]+))?/g;
    for (const m of text.matchAll(commands)) {
      // Groups that did not take part are undefined, whatever RegExpMatchArray's type says.
      const [, verb, named, inWorkspace] = m as (string | undefined)[];
      const script = verb === 'run' ? named : verb;
      if (!script) continue;
      const workspace = inWorkspace ?? '.';
      if (!scriptsOf(workspace).has(script)) {
        missing.push(`${doc}:${lineOf(text, m.index)}: npm run ${script} (in ${workspace}/package.json)`);
      }
    }
  }
  assert.deepEqual(missing, []);
});

test("the LoanRiskModel's lifecycle in the docs is the contract's list of phases", () => {
  const readme = read('README.md');
  const diagram = /```mermaid\nstateDiagram-v2\n([\s\S]*?)```\n([\s\S]*?)\n\n- /.exec(readme);
  assert.ok(diagram, 'README.md has no stateDiagram of the phases');
  const drawn = new Set(
    [...diagram[1].matchAll(/^\s*(\S+) --> (\S+?):?(?:\s|$)/gm)]
      .flatMap((m) => [m[1], m[2]])
      .filter((s) => s !== '[*]'),
  );
  const told = new Set([...diagram[2].matchAll(/`([A-Z][a-zA-Z]+)`/g)].map((m) => m[1]));
  const phases = new Set<string>(PHASES);
  assert.deepEqual(
    [...drawn].filter((s) => !phases.has(s)),
    [],
    'states drawn that are not phases',
  );
  assert.deepEqual(
    PHASES.filter((p) => !drawn.has(p) && !told.has(p)),
    [],
    'phases neither drawn nor explained after the diagram',
  );

  const architecture = read('docs/ARCHITECTURE.md');
  const listed = /`phase` \(([A-Za-z, ]+)[;)]/.exec(architecture);
  assert.ok(listed, 'docs/ARCHITECTURE.md lists no `phase` values');
  assert.deepEqual(listed[1].split(', ').sort(), [...PHASES].sort());

  for (const doc of DOCS) {
    const text = read(doc);
    for (const m of text.matchAll(/get lrm[^\n]*#\s*([A-Za-z]+(?: -> [A-Za-z.]+)+)/g)) {
      const named = m[1].split(' -> ').filter((p) => p !== '...');
      assert.deepEqual(
        named.filter((p) => !phases.has(p)),
        [],
        `${doc}:${lineOf(text, m.index)}: not phases`,
      );
    }
  }
});

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
const anchorsOf = (file: string) =>
  new Set([...prose(readFileSync(file, 'utf8')).matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1])));

test("the docs' links point at files and headings inside the repository", () => {
  const broken: string[] = [];
  for (const doc of ALL_DOCS) {
    const text = prose(read(doc));
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1];
      if (/^[a-z]+:/.test(target)) continue;
      const where = `${doc}:${lineOf(text, m.index)}: ${target}`;
      const [path, anchor] = target.split('#');
      const file = path ? resolve(REPO_ROOT, dirname(doc), path) : join(REPO_ROOT, doc);
      if (relative(REPO_ROOT, file).startsWith('..')) broken.push(`${where} (outside the repository)`);
      else if (!existsSync(file)) broken.push(`${where} (no such file)`);
      else if (anchor && file.endsWith('.md') && !anchorsOf(file).has(anchor))
        broken.push(`${where} (no such heading)`);
    }
  }
  assert.deepEqual(broken, []);
});

test('the repository paths the docs name exist', () => {
  const missing: string[] = [];
  const pathLike = new RegExp(`\`((?:${TOP_FOLDERS.join('|')})/[\\w./-]*)\``, 'g');
  for (const doc of DOCS) {
    const text = read(doc);
    for (const m of text.matchAll(pathLike)) {
      const path = m[1];
      if (/\/\.(?:out|venv)(?:\/|$)|\.\.\./.test(path)) continue;
      if (!existsSync(join(REPO_ROOT, path))) missing.push(`${doc}:${lineOf(text, m.index)}: ${path}`);
    }
  }
  assert.deepEqual(missing, []);
  assert.doesNotMatch(
    read('docs/ARCHITECTURE.md'),
    /\.\.\/shared/,
    'docs/ARCHITECTURE.md points outside the repository',
  );
});
