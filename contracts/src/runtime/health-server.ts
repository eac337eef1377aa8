/**
 * The small HTTP server of a process that has no other: /healthz (alive), /readyz (from its
 * Readiness) and /metrics (its Prometheus registry). The API serves the same paths from its
 * own Express app; the workers and the operator use this one.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readinessBody, type Readiness } from './readiness.js';

/** What /metrics needs of a prom-client Registry (kept structural: contracts depends on no metrics library). */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface HealthServerOptions {
  readonly host: string;
  /** 0 picks a free port (tests). */
  readonly port: number;
  readonly metrics: MetricsSource;
  readonly readiness: () => Readiness;
}

export interface HealthServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function answer(options: HealthServerOptions, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/healthz') {
    json(res, 200, { status: 'ok' });
  } else if (path === '/readyz') {
    const readiness = options.readiness();
    json(res, readiness.ready ? 200 : 503, readinessBody(readiness));
  } else if (path === '/metrics') {
    options.metrics.metrics().then(
      (text) => res.writeHead(200, { 'content-type': options.metrics.contentType }).end(text),
      (err: unknown) => {
        json(res, 500, { error: err instanceof Error ? err.message : String(err) });
      },
    );
  } else {
    json(res, 404, { error: 'not found' });
  }
}

/** Resolves once listening; rejects when the port cannot be bound (taken, not permitted). */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const server = createServer((req, res) => {
    answer(options, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        // Probes and scrapes keep their connections alive; they must not hold the stop up.
        server.closeIdleConnections();
      }),
  };
}
