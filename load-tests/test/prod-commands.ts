/**
 * The README's production commands as a script: the code blocks marked `<!-- prod-commands -->`,
 * in document order, as a reader following the README would type them; and a run of that script
 * in bash with the tools that reach a cluster or the network (kubectl, helm, curl, k6, npm and
 * scripts/upload-data.sh) recorded instead of run. kubectl's offline `--dry-run=client` calls do run, so the Secret a
 * block pipes into `kubectl apply -f -` is the one kubectl itself builds; everything else (openssl,
 * sha256sum, jq, the shell's variables) is real.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeBlocks, type CodeBlock } from './markdown.js';
import { REPO_ROOT, toolsBin } from './repo.js';

export const PROD_COMMANDS_MARKER = 'prod-commands';
export const RECORDED_TOOLS = ['kubectl', 'helm', 'curl', 'k6', 'npm', 'scripts/upload-data.sh'] as const;
export type RecordedTool = (typeof RECORDED_TOOLS)[number];

/** The variables a recorded call's child process would see (exported, or set for that command). */
export const RECORDED_ENV = ['BASE_URL', 'LOANRISK_API_KEY', 'LOANRISK_TOKEN'] as const;

export function prodCommandBlocks(readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')): CodeBlock[] {
  return codeBlocks(readme).filter((b) => b.marker === PROD_COMMANDS_MARKER);
}

/** The marked blocks as one script, each after a comment naming where it comes from. */
export function prodCommandsScript(blocks = prodCommandBlocks()): string {
  return blocks.map((b) => `# README.md:${b.line}\n${b.code}\n`).join('\n');
}

export interface RecordedCall {
  /** Order of the calls; calls of one pipeline run side by side, in no particular order. */
  readonly seq: number;
  readonly tool: RecordedTool;
  readonly args: readonly string[];
  readonly env: Readonly<Record<(typeof RECORDED_ENV)[number], string>>;
  /** What was piped into `... -f -`. */
  readonly stdin: string | undefined;
}

export interface RecordedRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly calls: readonly RecordedCall[];
}

/**
 * Shell functions in place of the recorded tools: each writes its arguments, the variables of
 * RECORDED_ENV as its child would see them (printenv) and a piped manifest to a file of its own.
 * curl answers a token request (`https://.../token`) as an issuer would, with RECORDED_TOKEN.
 */
const PRELUDE = [
  'set -euo pipefail',
  'record() {',
  '  local rec="$CALLS/${EPOCHREALTIME/./}-$BASHPID" name',
  '  printf \'%s\\0\' "$@" > "$rec.args"',
  `  for name in ${RECORDED_ENV.join(' ')}; do printf '%s=%s\\0' "$name" "$(printenv "$name" || true)"; done > "$rec.env"`,
  '  if [[ " $* " == *" -f - "* ]]; then cat > "$rec.stdin"; fi',
  '}',
  'kubectl() {',
  '  record kubectl "$@"',
  '  if [[ " $* " == *" --dry-run=client "* ]]; then KUBECONFIG=/dev/null "$TOOLS_BIN/kubectl" "$@"; fi',
  '}',
  ...['helm', 'k6', 'npm', 'scripts/upload-data.sh'].map((tool) => `${tool}() { record ${tool} "$@"; }`),
  'curl() {',
  '  record curl "$@"',
  '  local arg',
  '  for arg in "$@"; do',
  '    if [[ $arg == https://*/token ]]; then printf \'{"access_token": "%s", "token_type": "Bearer"}\\n\' "$RECORDED_TOKEN"; fi',
  '  done',
  '}',
].join('\n');

/**
 * Runs `script` in bash from the repository root (the README's paths are relative to it) with the
 * recorded tools; `env` is all the environment it gets besides PATH, so the script sets what it uses.
 */
export function runRecorded(script: string, token: string, env: Record<string, string> = {}): RecordedRun {
  const calls = mkdtempSync(join(tmpdir(), 'peerloan-prod-commands-'));
  try {
    // No stdin: node's would be a socket, which makes bash read ~/.bashrc as under rshd.
    const res = spawnSync('bash', ['--norc', '--noprofile', '-c', `${PRELUDE}\n${script}\nwait\n`], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        CALLS: calls,
        TOOLS_BIN: toolsBin(),
        RECORDED_TOKEN: token,
        ...env,
      },
      timeout: 60_000,
    });
    if (res.error) throw res.error;
    return { status: res.status, stdout: res.stdout, stderr: res.stderr, calls: readCalls(calls) };
  } finally {
    rmSync(calls, { recursive: true, force: true });
  }
}

const nulSeparated = (text: string) => text.split('\0').slice(0, -1);

function readCalls(dir: string): RecordedCall[] {
  const names = readdirSync(dir)
    .filter((f) => f.endsWith('.args'))
    .map((f) => f.slice(0, -'.args'.length))
    .sort((a, b) => (BigInt(a.split('-')[0]) < BigInt(b.split('-')[0]) ? -1 : 1));
  return names.map((name, seq) => {
    const [tool, ...args] = nulSeparated(readFileSync(join(dir, `${name}.args`), 'utf8'));
    const env = Object.fromEntries(
      nulSeparated(readFileSync(join(dir, `${name}.env`), 'utf8')).map((pair) => {
        const at = pair.indexOf('=');
        return [pair.slice(0, at), pair.slice(at + 1)];
      }),
    ) as RecordedCall['env'];
    const stdinFile = join(dir, `${name}.stdin`);
    const stdin = existsSync(stdinFile) ? readFileSync(stdinFile, 'utf8') : undefined;
    return { seq, tool: tool as RecordedTool, args, env, stdin };
  });
}
