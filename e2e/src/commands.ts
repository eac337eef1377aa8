/**
 * The command-line tools a user of the cluster runs (kubectl, helm, k6, the repo's scripts),
 * called as they are, with the cluster's kubeconfig and the tools cache on PATH.
 */
import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CommandError } from './errors/command-error.js';
import { REPO_ROOT } from './repo.js';

export const KUBECONFIG = join(REPO_ROOT, '.cluster/kubeconfig');
const TOOLS_BIN = join(process.env.PEERLOAN_TOOLS_CACHE ?? join(homedir(), '.cache/peerloan-tools'), 'bin');

export interface RunOptions {
  readonly input?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Kill the command after this long (it is then reported as failed). */
  readonly timeoutMs?: number;
  /** Resolve with the result even when the command exits non-zero. */
  readonly allowFailure?: boolean;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(command: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const env = { ...process.env, KUBECONFIG, PATH: `${TOOLS_BIN}:${process.env.PATH}`, ...options.env };
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: REPO_ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // Decoded as a stream: a UTF-8 character split across two chunks stays whole.
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = options.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs) : undefined;
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      if (result.code !== 0 && !options.allowFailure)
        reject(new CommandError(command, args, result.code, stderr || stdout));
      else resolve(result);
    });
    // A command that exits without reading its input closes the pipe (EPIPE): its exit code says how it went.
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

export async function kubectl(args: readonly string[], options: RunOptions = {}): Promise<string> {
  return (await run('kubectl', args, options)).stdout;
}

export async function kubectlJson<T>(args: readonly string[]): Promise<T> {
  return JSON.parse(await kubectl([...args, '-o', 'json'])) as T;
}

export async function helm(args: readonly string[], options: RunOptions = {}): Promise<string> {
  return (await run('helm', args, options)).stdout;
}
