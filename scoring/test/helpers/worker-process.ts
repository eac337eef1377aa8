/** Runs the real worker entrypoint (`node workers/dist/src/main.js`) as a child process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ENTRYPOINT = fileURLToPath(new URL('../../../../workers/dist/src/main.js', import.meta.url));

export class WorkerProcess {
  private exited: Promise<number | null>;
  private stderr = '';
  private stdout = '';

  private constructor(private readonly child: ChildProcess) {
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      this.stdout = (this.stdout + chunk.toString()).slice(-20_000);
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code) => {
        resolve(code);
      });
    });
  }

  static start(env: Record<string, string>): WorkerProcess {
    // The audit role archives into a temp folder unless the test names one, never into the checkout.
    const auditDir = mkdtempSync(join(tmpdir(), 'loanrisk-worker-audit-'));
    const child = spawn(process.execPath, [ENTRYPOINT], {
      env: { ...process.env, LOG_LEVEL: 'warn', METRICS_PORT: '0', AUDIT_DIR: auditDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new WorkerProcess(child);
  }

  get output(): string {
    return this.stderr;
  }

  /** The latest log lines (pino JSON on stdout), parsed. */
  get logs(): Array<Record<string, unknown>> {
    return this.stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  }

  /** SIGKILL: the worker dies mid-job, as a crashed or evicted pod does. */
  async kill(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** The exit code once the process has exited (after stop(), kill() or on its own). */
  get exitCode(): Promise<number | null> {
    return this.exited;
  }

  /** SIGTERM and the exit code. */
  async stop(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    return this.exited;
  }
}
