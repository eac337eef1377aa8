/**
 * peerloan-worker (`npm run worker -w api`): the BullMQ workers. WORKER_ROLES=batch,drift picks
 * them: batch scores portfolio chunks, drift watches the prediction log. With a LoanRiskModel
 * (LRM_NAME, LRM_NAMESPACE or POD_NAMESPACE) they load the version it serves from the models root
 * MODEL_DIR, as the operator's API pods do, and never the root's `current`; without one (local
 * development) they follow MODEL_DIR like the API, unless LRM_REQUIRED=true (the chart) makes
 * them wait for a LoanRiskModel to be named. The drift monitor measures by the LoanRiskModel's
 * spec.drift (threshold, time window), else DRIFT_THRESHOLD and DRIFT_WINDOW_EVENTS. They take jobs once a model serves, and until
 * then /readyz says they wait. /metrics, /healthz, /readyz on METRICS_PORT; SIGTERM finishes the
 * jobs in hand, exit 0.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { Worker } from 'bullmq';
import * as k8s from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { startBatchWorkers } from './batch/batch-worker.js';
import { readWorkerConfig, type WorkerConfig } from './config.js';
import { KubernetesDriftNotifier, LogDriftNotifier, type DriftNotifier } from './drift/drift-notifier.js';
import { envDriftSettings, specDriftSettings, type DriftSettings } from './drift/drift-settings.js';
import { startDriftWorker } from './drift/drift-worker.js';
import { ConfigError } from './errors/config-error.js';
import { LiveVersionWatch, UNNAMED_MODEL_RESOURCE } from './live-version-watch.js';
import { Metrics } from './metrics.js';
import { ModelStore } from './model-store.js';

/** KUBECONFIG when set, else the Pod's service account. */
function loadKubeConfig(): k8s.KubeConfig {
  const kubeConfig = new k8s.KubeConfig();
  kubeConfig.loadFromDefault();
  return kubeConfig;
}

function driftNotifier(config: WorkerConfig, logger: Logger, kubeConfig: k8s.KubeConfig | undefined): DriftNotifier {
  if (!config.modelResource || !kubeConfig) return new LogDriftNotifier(logger, config.driftWebhookUrl);
  return new KubernetesDriftNotifier(kubeConfig, config.modelResource.namespace, config.modelResource.name, logger);
}

/** The LoanRiskModel's spec.drift as it is now, else the environment's settings. */
function driftSettings(config: WorkerConfig, model: LiveVersionWatch | undefined): () => DriftSettings {
  if (!model) {
    const fromEnv = envDriftSettings(config.driftThreshold, config.driftWindowEvents);
    return () => fromEnv;
  }
  return () => specDriftSettings(model.model?.spec.drift, config.driftWindowEvents);
}

function startWorkers(config: WorkerConfig, store: ModelStore, metrics: Metrics, logger: Logger, kubeConfig: k8s.KubeConfig | undefined, model: LiveVersionWatch | undefined): Worker[] {
  const workers: Worker[] = [];
  if (config.roles.includes('batch')) {
    workers.push(...startBatchWorkers({ redisUrl: config.redisUrl, store, resultTtlSeconds: config.batchResultTtlSeconds, lockMs: config.batchLockMs, concurrency: config.batchConcurrency }));
  }
  if (config.roles.includes('drift')) {
    const notifier = driftNotifier(config, logger, kubeConfig);
    const { worker, monitor } = startDriftWorker({ redisUrl: config.redisUrl, store, notifier, settings: driftSettings(config, model), registry: metrics.registry, logger });
    model?.onChange(() => void monitor.settingsChanged().catch((err: unknown) => logger.warn({ err: (err as Error).message }, 'drift window close failed')));
    workers.push(worker);
  }
  return workers;
}

function serveHealth(config: WorkerConfig, metrics: Metrics, store: ModelStore) {
  const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const server = createServer((req, res) => {
    if (req.url === '/metrics') {
      void metrics.registry.metrics().then((text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text));
      return;
    }
    if (req.url === '/healthz') return json(res, 200, { status: 'ok' });
    if (req.url === '/readyz') {
      const model = store.current;
      return model ? json(res, 200, { status: 'ready', modelVersion: model.version }) : json(res, 503, { status: 'waiting', reason: 'no model version to serve yet' });
    }
    json(res, 404, { error: 'not found' });
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
  const kubeConfig = config.modelResource ? loadKubeConfig() : undefined;
  const liveVersion = config.modelResource && kubeConfig ? new LiveVersionWatch(kubeConfig, config.modelResource, logger) : undefined;
  const versionSource = liveVersion ?? (config.modelResourceRequired ? UNNAMED_MODEL_RESOURCE : undefined);
  const store = new ModelStore({
    modelDir: config.modelDir, pollMs: config.modelPollMs, versionSource, retryRefusedMs: liveVersion ? config.modelRetryMs : undefined,
    batching: { maxBatchRows: 1_000_000, maxConcurrentRuns: 1, intraOpThreads: config.intraOpThreads }, logger, metrics,
  });
  const server = serveHealth(config, metrics, store);
  const workers: Worker[] = [];

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping workers');
    void liveVersion?.stop();
    store.stop();
    server.close();
    Promise.all(workers.map((w) => w.close())).then(() => process.exit(0), (err: unknown) => {
      logger.error({ err }, 'worker shutdown failed');
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  if (liveVersion) {
    liveVersion.onChange(() => void store.check());
    await liveVersion.start();
  }
  await store.start();
  // A job taken without a model would fail (batch) or be dropped (drift): leave it queued.
  await store.whenServing();
  if (stopping) return;
  workers.push(...startWorkers(config, store, metrics, logger, kubeConfig, liveVersion));
  logger.info({ roles: config.roles, modelDir: config.modelDir, model: store.current?.version ?? null, source: versionSource?.description ?? config.modelDir }, 'workers started');
}

void main();
