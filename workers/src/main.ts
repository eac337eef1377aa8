/**
 * loanrisk-worker (`npm run worker`, workers/src/main.ts): the BullMQ workers. WORKER_ROLES=batch,drift,audit picks
 * them: batch scores portfolio chunks, drift watches the prediction log, audit archives the
 * decision audit stream to AUDIT_DIR (day-partitioned gzip JSON lines, AUDIT_RETENTION_DAYS). With a LoanRiskModel
 * (LRM_NAME, LRM_NAMESPACE or POD_NAMESPACE) they load the version it serves from the models root
 * MODEL_DIR, as the operator's API pods do, and never the root's `current`; without one (local
 * development) they follow MODEL_DIR like the API, unless LRM_REQUIRED=true (the chart) makes
 * them wait for a LoanRiskModel to be named. The drift monitor measures by the LoanRiskModel's
 * spec.drift (threshold, time window), else DRIFT_THRESHOLD and DRIFT_WINDOW_EVENTS. Following a LoanRiskModel they
 * also publish its version history and any candidate awaiting approval for the API's model view, and append each
 * reviewer's decision in that history to the audit stream (unless AUDIT_MODE=off). They take jobs once a model serves, and until
 * then /readyz says they wait. /metrics, /healthz, /readyz on METRICS_PORT; SIGTERM finishes the
 * jobs in hand (exit 0), or, past SHUTDOWN_TIMEOUT_MS (Redis gone, a chunk too long), closes the
 * workers by force, their jobs returning to the queue as stalled (exit 1).
 */
import { hostname } from 'node:os';
import type { Worker } from 'bullmq';
import * as k8s from '@kubernetes/client-node';
import {
  GRACEFUL_SHARE,
  readSettingsOrExit,
  settledWithin,
  startHealthServer,
  stopOnSignals,
  type HealthServer,
} from '@peerloan/contracts/runtime';
import { pino, type Logger } from 'pino';
import { ApprovalAudit } from './approval-audit.js';
import { AuditArchiver } from './audit/audit-archiver.js';
import { AuditTrail, redisConnection } from '@peerloan/scoring/queues';
import { BatchMetrics } from './batch/batch-metrics.js';
import { startBatchWorkers } from './batch/batch-worker.js';
import { KubernetesDriftNotifier, LogDriftNotifier, type DriftNotifier } from './drift/drift-notifier.js';
import { envDriftSettings, specDriftSettings, type DriftSettings } from './drift/drift-settings.js';
import { startDriftWorker } from './drift/drift-worker.js';
import { HistoryPublisher } from './history-publisher.js';
import { LiveVersionWatch, UNNAMED_MODEL_RESOURCE } from './live-version-watch.js';
import { ModelMetrics, ModelStore, servingReadiness, type VersionSource } from '@peerloan/scoring';
import { readWorkerConfig, type WorkerConfig } from './worker-config.js';

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

/**
 * The batch chunks' audit trail (none with AUDIT_MODE off), on a worker's connection, which waits
 * for Redis to come back: a chunk is off the request path, and a write failing fast (best-effort)
 * would let the chunk complete with its decisions missing from the trail when Redis restarts
 * mid-batch. Flushed and disconnected once the workers have closed (`afterWorkers`).
 */
function batchAuditTrail(
  config: WorkerConfig,
  logger: Logger,
  metrics: ModelMetrics,
  afterWorkers: Array<() => Promise<void>>,
): AuditTrail | undefined {
  if (config.auditMode === 'off') return undefined;
  const redis = redisConnection(config.redisUrl, 'worker');
  const trail = new AuditTrail({
    mode: config.auditMode,
    redisUrl: config.redisUrl,
    dedupSeconds: config.auditDedupSeconds,
    logger,
    registry: metrics.registry,
    redis,
  });
  afterWorkers.push(async () => {
    await trail.close();
    redis.disconnect();
  });
  return trail;
}

function startWorkers(
  config: WorkerConfig,
  store: ModelStore,
  metrics: ModelMetrics,
  logger: Logger,
  kubeConfig: k8s.KubeConfig | undefined,
  model: LiveVersionWatch | undefined,
  afterWorkers: Array<() => Promise<void>>,
): Worker[] {
  const workers: Worker[] = [];
  if (config.roles.includes('batch')) {
    const audit = batchAuditTrail(config, logger, metrics, afterWorkers);
    workers.push(
      ...startBatchWorkers({
        redisUrl: config.redisUrl,
        store,
        resultTtlSeconds: config.batchResultTtlSeconds,
        lockMs: config.batchLockMs,
        concurrency: config.batchConcurrency,
        audit,
      }),
    );
  }
  if (config.roles.includes('drift')) {
    const notifier = driftNotifier(config, logger, kubeConfig);
    const { worker, monitor } = startDriftWorker({
      redisUrl: config.redisUrl,
      store,
      notifier,
      settings: driftSettings(config, model),
      registry: metrics.registry,
      logger,
    });
    model?.onChange(() => {
      monitor.settingsChanged().catch((err: unknown) => {
        logger.warn({ err: (err as Error).message }, 'drift window close failed');
      });
    });
    workers.push(worker);
  }
  return workers;
}

/**
 * Lets the workers finish the jobs in hand for most of the timeout; then closes them by force and
 * drops their connections. BullMQ's close() waits for Redis to come back, so on its own it never
 * ends when Redis is gone. True when the graceful close finished.
 */
async function closeWorkers(workers: readonly Worker[], timeoutMs: number, logger: Logger): Promise<boolean> {
  const outcome = await settledWithin(
    Promise.all(workers.map((w) => w.close())),
    Math.floor(timeoutMs * GRACEFUL_SHARE),
  );
  if (outcome === 'done') return true;
  logger.warn({ outcome }, 'workers did not close in time; closing by force');
  // The rest of the timeout, less a margin for the exit itself, split between the forced close and the disconnect.
  const rest = Math.max(0, Math.floor(timeoutMs * (1 - GRACEFUL_SHARE)) - 100);
  await settledWithin(Promise.allSettled(workers.map((w) => w.close(true))), Math.floor(rest / 2));
  await settledWithin(Promise.allSettled(workers.map((w) => w.disconnect())), Math.floor(rest / 2));
  return false;
}

/** The live model's store: the version the LoanRiskModel serves when one is named, else MODEL_DIR followed. */
function modelStore(
  config: WorkerConfig,
  logger: Logger,
  metrics: ModelMetrics,
  liveVersion: LiveVersionWatch | undefined,
  versionSource: VersionSource | undefined,
): ModelStore {
  return new ModelStore({
    modelDir: config.modelDir,
    pollMs: config.modelPollMs,
    versionSource,
    retryRefusedMs: liveVersion ? config.modelRetryMs : undefined,
    batching: { maxBatchRows: 1_000_000, maxConcurrentRuns: 1, intraOpThreads: config.intraOpThreads },
    logger,
    metrics,
  });
}

/** The archiver needs no model: it starts at once and drains the audit stream to the data volume. */
function startArchiver(config: WorkerConfig, logger: Logger, metrics: ModelMetrics): AuditArchiver | undefined {
  const archiver = config.roles.includes('audit')
    ? new AuditArchiver({
        redisUrl: config.redisUrl,
        dir: config.auditDir,
        retentionDays: config.auditRetentionDays,
        intervalMs: config.auditArchiveIntervalMs,
        consumer: `${hostname()}-${process.pid}`,
        logger,
        registry: metrics.registry,
      })
    : undefined;
  archiver?.start();
  return archiver;
}

/** What follows the LoanRiskModel's status besides the model store (nothing without one). */
interface StatusFollowers {
  /** The model view's version history and waiting candidate, kept in Redis for the API. */
  readonly history: HistoryPublisher | undefined;
  /** Reviewers' decisions into the decision audit trail (not with AUDIT_MODE off). */
  readonly approvals: ApprovalAudit | undefined;
}

function statusFollowers(
  config: WorkerConfig,
  liveVersion: LiveVersionWatch | undefined,
  logger: Logger,
): StatusFollowers {
  const resource = config.modelResource;
  if (!liveVersion || !resource) return { history: undefined, approvals: undefined };
  return {
    history: new HistoryPublisher(config.redisUrl, liveVersion, resource, logger),
    approvals:
      config.auditMode === 'off' ? undefined : new ApprovalAudit(config.redisUrl, liveVersion, resource, logger),
  };
}

/** What runs in the process and is stopped on a signal. */
interface Running extends StatusFollowers {
  readonly liveVersion: LiveVersionWatch | undefined;
  readonly store: ModelStore;
  readonly health: HealthServer;
  /** Filled once a model serves and the workers start. */
  readonly workers: readonly Worker[];
  readonly archiver: AuditArchiver | undefined;
  readonly batchMetrics: BatchMetrics | undefined;
  /** What is closed once the workers have closed (the batch audit trail's connection). */
  readonly afterWorkers: Array<() => Promise<void>>;
}

/** Stops everything, the workers finishing the jobs in hand; the exit code says whether they did in time. */
async function stopAll(running: Running, timeoutMs: number, logger: Logger): Promise<number> {
  // BullMQ drops its connections' error listeners as it closes; a connection still being set up
  // then fails with nobody listening. While stopping, that is one more dead connection, not a crash.
  process.on('uncaughtException', (err) => {
    logger.warn({ err: err.message }, 'error while stopping, ignored');
  });
  void running.liveVersion?.stop();
  running.history?.close();
  running.approvals?.close();
  running.store.stop();
  void running.health.close();
  const [graceful] = await Promise.all([
    closeWorkers(running.workers, timeoutMs, logger).then(async (closed) => {
      // Nothing writes to the trail once the workers are closed; by force, a flush could wait on a lost Redis.
      if (closed)
        await settledWithin(
          Promise.allSettled(running.afterWorkers.map((close) => close())),
          Math.max(0, Math.floor(timeoutMs * (1 - GRACEFUL_SHARE)) - 100),
        );
      return closed;
    }),
    running.archiver?.close(Math.floor(timeoutMs * GRACEFUL_SHARE)),
    settledWithin(running.batchMetrics?.close() ?? Promise.resolve(), Math.floor(timeoutMs * GRACEFUL_SHARE)),
  ]);
  return graceful ? 0 : 1;
}

async function main(): Promise<void> {
  const config = readSettingsOrExit('loanrisk-worker', () => readWorkerConfig(process.env));
  const logger = pino({ level: config.logLevel, base: { name: 'loanrisk-worker' } });
  const metrics = new ModelMetrics({ gcDuration: true });
  const batchMetrics = config.roles.includes('batch') ? new BatchMetrics(metrics.registry, config.redisUrl) : undefined;
  const kubeConfig = config.modelResource ? loadKubeConfig() : undefined;
  const liveVersion =
    config.modelResource && kubeConfig ? new LiveVersionWatch(kubeConfig, config.modelResource, logger) : undefined;
  const { history, approvals } = statusFollowers(config, liveVersion, logger);
  const versionSource = liveVersion ?? (config.modelResourceRequired ? UNNAMED_MODEL_RESOURCE : undefined);
  const store = modelStore(config, logger, metrics, liveVersion, versionSource);
  const health = await startHealthServer({
    host: config.metricsHost,
    port: config.metricsPort,
    metrics: metrics.registry,
    // Jobs are taken once a model serves; until then the workers wait.
    readiness: () => servingReadiness(store, () => !stopping.aborted),
  });
  const archiver = startArchiver(config, logger, metrics);
  const workers: Worker[] = [];
  const afterWorkers: Array<() => Promise<void>> = [];

  const running = { liveVersion, history, approvals, store, health, workers, archiver, batchMetrics, afterWorkers };
  const stopping = stopOnSignals({
    timeoutMs: config.shutdownTimeoutMs,
    logger,
    message: 'stopping workers',
    drain: () => stopAll(running, config.shutdownTimeoutMs, logger),
  });
  if (liveVersion) {
    liveVersion.onChange(() => {
      void store.check();
    });
    await liveVersion.start();
  }
  await store.start();
  // A job taken without a model would fail (batch) or be dropped (drift): leave it queued.
  await store.whenServing();
  if (stopping.aborted) return;
  workers.push(...startWorkers(config, store, metrics, logger, kubeConfig, liveVersion, afterWorkers));
  batchMetrics?.watch(workers);
  logger.info(
    {
      roles: config.roles,
      modelDir: config.modelDir,
      model: store.current?.version ?? null,
      source: versionSource?.description ?? config.modelDir,
    },
    'workers started',
  );
}

void main();
