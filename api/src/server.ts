/**
 * Starts the API: the model store, the app and the HTTP server, and gives back the one way to
 * stop it gracefully. main.ts and the tests both start the server through here.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import type { ServerConfig } from './config.js';
import { Metrics } from './metrics.js';
import { ModelStore } from './model-store.js';

export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  readonly store: ModelStore;
  readonly metrics: Metrics;
  /** Stops accepting, lets in-flight requests finish (up to the timeout), then closes. */
  shutdown(): Promise<void>;
}

/** The package version answers /v2 server metadata. */
const SERVER_VERSION = '0.1.0';

/** Runs at most one onnxruntime call at a time: requests arriving meanwhile coalesce. */
const MAX_CONCURRENT_RUNS = 1;

export async function startServer(config: ServerConfig, logger: Logger): Promise<RunningServer> {
  const metrics = new Metrics();
  const store = new ModelStore({
    modelDir: config.modelDir,
    pollMs: config.modelPollMs,
    batching: { maxBatchRows: config.maxBatchRows, maxConcurrentRuns: MAX_CONCURRENT_RUNS, onRun: (rows) => metrics.batchRows.observe(rows) },
    logger,
    metrics,
  });
  await store.start();
  let accepting = true;
  const app = createApp({
    store,
    metrics,
    logger,
    modelName: config.modelName,
    maxInstances: config.maxInstances,
    bodyLimit: config.bodyLimit,
    serverVersion: SERVER_VERSION,
    isAccepting: () => accepting,
  });
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;

  async function shutdown(): Promise<void> {
    accepting = false;
    store.stop();
    // Answers sent while draining close their connection, so keep-alive clients reconnect elsewhere.
    server.on('request', (_req, res) => res.setHeader('connection', 'close'));
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A keep-alive connection turns idle when its last answer is sent; close it then, not at its timeout.
    const sweeper = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
    await closed;
    clearInterval(sweeper);
    clearTimeout(deadline);
  }

  return { url, server, store, metrics, shutdown };
}
