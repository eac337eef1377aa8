/**
 * Runs the real API entrypoint (`node api/dist/src/main.js`) as a child process, as a pod runs it:
 * settings from the environment, pino JSON lines on stdout kept and parsed for the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { eventually } from './http-calls.js';
import { freePort } from './free-port.js';

const MAIN = fileURLToPath(new URL('../../../../api/dist/src/main.js', import.meta.url));

export type LogLine = Record<string, unknown> & { readonly msg: string };

export class ApiProcess {
  readonly logs: LogLine[] = [];
  private stderr = '';
  private readonly exited: Promise<unknown>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    const { stdout, stderr } = child;
    if (!stdout || !stderr) throw new Error('the API process must be spawned with piped stdout and stderr');
    createInterface({ input: stdout }).on('line', (line) => {
      if (line.startsWith('{')) this.logs.push(JSON.parse(line) as LogLine);
    });
    stderr.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.exited = once(child, 'exit');
  }

  /**
   * Starts main.js on 127.0.0.1 and a free port; resolves once it answers /healthz (it listens
   * after its first loads, whatever their outcome). A process that does not come up is killed.
   */
  static async start(env: Record<string, string>): Promise<ApiProcess> {
    const port = await freePort();
    const child = spawn(process.execPath, [MAIN], {
      // gRPC on a free port too: several APIs run at once, and none may take another's GRPC_PORT.
      env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', GRPC_PORT: '0', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const api = new ApiProcess(child, `http://127.0.0.1:${port}`);
    try {
      await eventually('the API listens', async () => {
        if (child.exitCode !== null) throw new Error(`the API exited with ${child.exitCode}: ${api.stderr}`);
        return fetch(`${api.url}/healthz`).then(
          (res) => res.ok,
          () => false,
        );
      });
    } catch (err) {
      await api.stop();
      throw err;
    }
    return api;
  }

  /** Log lines with this message. */
  lines(msg: string): LogLine[] {
    return this.logs.filter((line) => line.msg === msg);
  }

  /** SIGTERM, and the exit code once the process has exited. */
  async terminate(): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
    return this.child.exitCode;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGTERM');
    await this.exited;
  }
}
