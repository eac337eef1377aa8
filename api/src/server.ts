/**
 * Starts the API: the model store, the app and the HTTP server, and gives back the one way to
 * stop it gracefully. main.ts and the tests both start the server through here.
 */
import { PublishedReader } from './model-view/published-reader.js';
import { VersionFolders } from './model-view/version-folders.js';
import { readFileSync } from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ROLLOUT_ENV } from '@peerloan/contracts';
import { createApp, type AppOptions } from './app.js';
import { createExpressServer } from './express-server.js';
import { InFlightResponses } from './in-flight-responses.js';
import { Authentication } from './auth/authentication.js';
import type { CandidateConfig, ServerConfig } from './config.js';
import { Metrics } from './metrics.js';
import { ModelStore, namedVersion, type MicroBatcherOptions } from '@peerloan/scoring';
import { BatchService } from './batch/batch-service.js';
import { PredictionLog } from './queueing/prediction-log.js';
import { AuditTrail, redisConnection } from '@peerloan/scoring/queues';
import { ClientBudgets } from './rate-limit/client-budgets.js';
import { ServingVersions } from './rollout/serving-versions.js';
import { GRACEFUL_SHARE, settledWithin } from '@peerloan/contracts/runtime';
import { startGrpcServer } from './grpc/grpc-server.js';

export interface RunningServer {
  readonly url: string;
  /** host:port of OIP over gRPC; undefined with GRPC_PORT=off. */
  readonly grpcAddress: string | undefined;
  readonly server: Server;
  /** The live model. */
  readonly store: ModelStore;
  /** The candidate's model during a rollout. */
  readonly candidateStore: ModelStore | undefined;
  readonly metrics: Metrics;
  /** Stops accepting, lets in-flight requests finish (up to the timeout), then closes. */
  shutdown(): Promise<void>;
}

/** The package version answers /v2 server metadata (dist/src/ -> the package folder). */
const SERVER_VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** Runs at most one onnxruntime call at a time: requests arriving meanwhile coalesce. */
const MAX_CONCURRENT_RUNS = 1;

/** While draining, an answer closes its connection, so a keep-alive client reconnects to another pod. */
function closeAfterAnswer(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('connection', 'close');
}

/**
 * The live model's store: the version LIVE_VERSION names in MODELS_ROOT (what the operator
 * deploys; tried again every MODEL_RETRY_MS while it cannot load, e.g. the volume lags), else
 * MODEL_DIR followed as before (local development).
 */
function liveStore(config: ServerConfig, logger: Logger, metrics: Metrics, batching: MicroBatcherOptions): ModelStore {
  const common = { pollMs: config.modelPollMs, batching, logger, metrics };
  const { rollout } = config;
  if (!rollout) return new ModelStore({ ...common, modelDir: config.modelDir });
  return new ModelStore({
    ...common,
    modelDir: rollout.modelsRoot,
    versionSource: namedVersion(ROLLOUT_ENV.liveVersion, rollout.liveVersion),
    retryRefusedMs: config.modelRetryMs,
  });
}

/** The candidate the operator names, if any, with its store; its runs stay out of the live batch-size histogram. */
function candidateOf(
  config: ServerConfig,
  logger: Logger,
  metrics: Metrics,
): { config: CandidateConfig; store: ModelStore } | undefined {
  const candidate = config.rollout?.candidate;
  if (!config.rollout || !candidate) return undefined;
  const store = new ModelStore({
    modelDir: config.rollout.modelsRoot,
    versionSource: namedVersion(ROLLOUT_ENV.candidateVersion, candidate.version),
    retryRefusedMs: config.modelRetryMs,
    pollMs: config.modelPollMs,
    batching: {
      maxBatchRows: config.maxBatchRows,
      maxConcurrentRuns: MAX_CONCURRENT_RUNS,
      intraOpThreads: config.intraOpThreads,
      threadMinRows: config.threadMinRows,
    },
    logger,
    metrics,
    role: 'candidate',
  });
  return { config: candidate, store };
}

/** The parts backed by Redis, each present only when its settings ask for it (and REDIS_URL is set). */
interface RedisParts {
  readonly predictionLog: PredictionLog | undefined;
  readonly batches: BatchService | undefined;
  /** The connection the rate-limit budgets count on. */
  readonly budgetRedis: Redis | undefined;
  readonly budgets: ClientBudgets | undefined;
  readonly audit: AuditTrail | undefined;
  readonly published: PublishedReader | undefined;
}

/** The server listening, and what shutdown needs to drain it. */
interface Listening {
  readonly server: Server;
  readonly answering: InFlightResponses;
  readonly url: string;
}

export async function startServer(config: ServerConfig, logger: Logger): Promise<RunningServer> {
  const metrics = new Metrics({ gcDuration: config.gcDurationMetric });
  // First: a bad API keys file stops the start before anything else runs.
  const auth = await Authentication.open(config.auth, logger, metrics.registry);
  const { store, candidate } = await loadModels(config, logger, metrics);
  const versions = new ServingVersions({ live: store, candidate, registry: metrics.registry, logger });
  const redis = redisParts(config, logger, metrics);
  const folders = new VersionFolders(config.rollout?.modelsRoot ?? config.modelDir);
  let accepting = true;
  const serving: AppOptions = {
    folders,
    published: redis.published,
    webDir: config.webDir,
    audit: redis.audit,
    store,
    versions,
    metrics,
    predictionLog: redis.predictionLog,
    batches: redis.batches,
    batchMaxBytes: config.batchMaxBytes,
    batchChunkRows: config.batchChunkRows,
    logger,
    auth,
    budgets: redis.budgets,
    modelName: config.modelName,
    maxInstances: config.maxInstances,
    bodyLimit: config.bodyLimit,
    serverVersion: SERVER_VERSION,
    isAccepting: () => accepting,
  };
  const app = createApp(serving);
  // Before the HTTP server listens: once /readyz answers, so does gRPC.
  const grpc = await startGrpcServer(serving, config);
  const { server, answering, url } = await listen(app, config, () => accepting);

  async function shutdown(): Promise<void> {
    accepting = false;
    store.stop();
    candidate?.store.stop();
    // Requests get most of the timeout; the rest is for the Redis clients, which may wait on a Redis that is gone.
    const drainMs = Math.floor(config.shutdownTimeoutMs * GRACEFUL_SHARE);
    await Promise.all([drain(server, answering, drainMs), grpc?.shutdown(drainMs)]);
    // Runs of requests whose clients left may still be on a scoring thread: the process exits after them.
    await settledWithin(Promise.all([store.current?.close(), candidate?.store.current?.close()]), drainMs);
    auth.close();
    await closeRedisParts(redis, Math.max(0, config.shutdownTimeoutMs - drainMs - 100));
  }

  return { url, grpcAddress: grpc?.address, server, store, candidateStore: candidate?.store, metrics, shutdown };
}

/** The live model's store and the candidate's, each through its first load. */
async function loadModels(
  config: ServerConfig,
  logger: Logger,
  metrics: Metrics,
): Promise<{ store: ModelStore; candidate: { config: CandidateConfig; store: ModelStore } | undefined }> {
  const store = liveStore(config, logger, metrics, {
    maxBatchRows: config.maxBatchRows,
    maxConcurrentRuns: MAX_CONCURRENT_RUNS,
    intraOpThreads: config.intraOpThreads,
    threadMinRows: config.threadMinRows,
    onRun: (rows) => {
      metrics.batchRows.observe(rows);
    },
  });
  const candidate = candidateOf(config, logger, metrics);
  // Both first loads run before the server listens: the candidate's outcome is waited for, not its
  // success (a missing or broken candidate still gives a ready pod, answering with live only), so a
  // fresh pod never counts rows against a candidate that is merely still loading.
  await Promise.all([store.start(), candidate?.store.start()]);
  return { store, candidate };
}

function redisParts(config: ServerConfig, logger: Logger, metrics: Metrics): RedisParts {
  const predictionLog =
    config.redisUrl && config.predictionLogSample > 0
      ? new PredictionLog({
          redisUrl: config.redisUrl,
          sampleRate: config.predictionLogSample,
          maxBuffered: config.predictionLogBuffer,
          flushMs: config.predictionLogFlushMs,
          logger,
          registry: metrics.registry,
        })
      : undefined;
  const batches = config.redisUrl ? new BatchService(config.redisUrl, config.batchResultTtlSeconds) : undefined;
  // readConfig refuses budgets without REDIS_URL.
  const budgetRedis = config.rateLimit && config.redisUrl ? redisConnection(config.redisUrl, 'producer') : undefined;
  const budgets =
    config.rateLimit && budgetRedis ? new ClientBudgets(config.rateLimit, budgetRedis, metrics.registry) : undefined;
  const audit =
    config.redisUrl && config.auditMode !== 'off'
      ? new AuditTrail({
          mode: config.auditMode,
          redisUrl: config.redisUrl,
          dedupSeconds: config.auditDedupSeconds,
          logger,
          registry: metrics.registry,
        })
      : undefined;
  const published = config.redisUrl ? new PublishedReader(config.redisUrl) : undefined;
  return { predictionLog, batches, budgetRedis, budgets, audit, published };
}

async function listen(app: Express, config: ServerConfig, isAccepting: () => boolean): Promise<Listening> {
  const server = createExpressServer(app);
  server.keepAliveTimeout = config.keepAliveTimeoutMs;
  const answering = new InFlightResponses();
  server.on('request', (_req, res: ServerResponse) => {
    answering.add(res);
    if (!isAccepting()) closeAfterAnswer(res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  const url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
  return { server, answering, url };
}

/** Stops listening and lets the in-flight answers finish, closing whatever connections are left after drainMs. */
async function drain(server: Server, answering: InFlightResponses, drainMs: number): Promise<void> {
  answering.forEach(closeAfterAnswer);
  const closed = new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  // A keep-alive connection turns idle when its last answer is sent; close it then, not at its timeout.
  const sweeper = setInterval(() => {
    server.closeIdleConnections();
  }, 50);
  const deadline = setTimeout(() => {
    server.closeAllConnections();
  }, drainMs);
  await closed;
  clearInterval(sweeper);
  clearTimeout(deadline);
}

async function closeRedisParts(parts: RedisParts, timeoutMs: number): Promise<void> {
  parts.budgetRedis?.disconnect();
  parts.published?.close();
  await settledWithin(
    Promise.allSettled([parts.predictionLog?.close(), parts.batches?.close(), parts.audit?.close()]),
    timeoutMs,
  );
}
