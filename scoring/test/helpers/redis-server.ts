/**
 * A real redis-server for a test file: 127.0.0.1, a free port; no persistence, or (given a data
 * directory) an append-only file fsynced on every write, as the chart runs it; stoppable and
 * restartable.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';

export class RedisServer {
  private process: ChildProcess | undefined;

  private constructor(
    readonly port: number,
    private readonly dataDir: string | undefined,
    private readonly password: string | undefined,
  ) {}

  /** dataDir: keep an append-only file there; password: require it (requirepass), as the chart does. */
  static async start(options: { dataDir?: string; password?: string } = {}): Promise<RedisServer> {
    const server = new RedisServer(await freePort(), options.dataDir, options.password);
    await server.resume();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts (again) on the same port and waits until it answers PING. */
  async resume(): Promise<void> {
    const persistence = this.dataDir
      ? ['--dir', this.dataDir, '--appendonly', 'yes', '--appendfsync', 'always']
      : ['--appendonly', 'no'];
    const auth = this.password ? ['--requirepass', this.password] : [];
    this.process = spawn(
      'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', ...persistence, ...auth],
      { stdio: 'ignore' },
    );
    const client = new Redis(this.url, {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      password: this.password,
    });
    client.on('error', () => undefined);
    for (let i = 0; i < 200; i++) {
      try {
        await client.connect();
        await client.ping();
        client.disconnect();
        return;
      } catch {
        client.disconnect();
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    throw new Error(`redis-server did not start on port ${this.port} (is the redis-server package installed?)`);
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once('exit', () => {
        resolve();
      });
      child.kill('SIGKILL');
    });
    this.process = undefined;
  }
}
