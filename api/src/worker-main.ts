/**
 * peerloan-worker (`npm run worker -w api`): the BullMQ workers. WORKER_ROLES=batch,drift picks
 * them: batch scores portfolio chunks, drift watches the prediction log. Both follow MODEL_DIR
 * like the API. /metrics and /healthz on METRICS_PORT; SIGTERM finishes the jobs in hand, exit 0.
 */
import { createServer } from 'node:http';
import type { Worker } from 'bullmq';
import * as k8s from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { startBatchWorkers } from './batch/batch-worker.js';
import { readWorkerConfig, type WorkerConfig } from './config.js';
import { KubernetesDriftNotifier, LogDriftNotifier, type DriftNotifier } from './drift/drift-notifier.js';
import { startDriftWorker } from './drift/drift-worker.js';
import { ConfigError } from './errors/config-error.js';
import { Metrics } from './metrics.js';
import { ModelStore } from './model-store.js';

function driftNotifier(config: WorkerConfig, logger: Logger): DriftNotifier {
  if (!config.modelResource) return new LogDriftNotifier(logger, config.driftWebhookUrl);
  const kc = new k8s.KubeConfig();
  kc.loadFromDefault();
  return new KubernetesDriftNotifier(kc, config.modelResource.namespace, config.modelResource.name, logger);
}

function serveMetrics(config: WorkerConfig, metrics: Metrics) {
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      void metrics.registry.metrics().then((text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text));
      return;
    }
    if (req.url === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
  server.listen(config.metricsPort, config.metricsHost);
  return server;
}

async function main(): Promise<void> {
  let config: WorkerConfig;
  try {
    config = readWorkerConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`peerloan-worker: ${err.message}\n`);
    process.exit(2);
  }
  const logger = pino({ level: config.logLevel, base: { service: 'peerloan-worker' } });
  const metrics = new Metrics();
  const store = new ModelStore({ modelDir: config.modelDir, pollMs: config.modelPollMs, batching: { maxBatchRows: 1_000_000, maxConcurrentRuns: 1 }, logger, metrics });
  await store.start();
  const workers: Worker[] = [];
  if (config.roles.includes('batch')) {
    workers.push(...startBatchWorkers({ redisUrl: config.redisUrl, store, resultTtlSeconds: config.batchResultTtlSeconds, lockMs: config.batchLockMs, concurrency: config.batchConcurrency }));
  }
  if (config.roles.includes('drift')) {
    const notifier = driftNotifier(config, logger);
    workers.push(startDriftWorker({ redisUrl: config.redisUrl, store, notifier, windowEvents: config.driftWindowEvents, threshold: config.driftThreshold, registry: metrics.registry, logger }).worker);
  }
  const server = serveMetrics(config, metrics);
  logger.info({ roles: config.roles, modelDir: config.modelDir, model: store.current?.version ?? null }, 'workers started');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping workers');
    store.stop();
    server.close();
    Promise.all(workers.map((w) => w.close())).then(() => process.exit(0), (err: unknown) => {
      logger.error({ err }, 'worker shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
