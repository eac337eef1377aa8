/**
 * The server's settings, all from the environment (12-factor, as a Deployment sets them).
 * A bad value stops the start with the variable named rather than serving with a guess.
 */
import { ROLLOUT_ENV, type CandidateMode } from '@peerloan/contracts';
import { readAuthSettings, type AuthSettings } from './auth/auth-settings.js';
import { ConfigError } from './errors/config-error.js';
import { readRateLimitSettings, type RateLimitSettings } from './rate-limit/rate-limit-settings.js';
import type { AuditMode } from './audit/audit-trail.js';

/** A version being tried beside the live one (contracts/src/rollout.ts). */
export interface CandidateConfig {
  readonly version: string;
  readonly mode: CandidateMode;
  /** Canary: whole percent of answers the candidate gives (ignored in shadow mode). */
  readonly trafficPercent: number;
}

/** What the operator states a pod serves: versions in a models root, named by the environment. */
export interface RolloutConfig {
  readonly modelsRoot: string;
  readonly liveVersion: string;
  readonly candidate: CandidateConfig | undefined;
}

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  /** A version folder (model.onnx + manifest.json) or a models root whose `current` names one. */
  readonly modelDir: string;
  /** Set when LIVE_VERSION is: serve named versions of MODELS_ROOT instead of following MODEL_DIR. */
  readonly rollout: RolloutConfig | undefined;
  /** How long a named version that could not be loaded (the volume lags) waits before another try. */
  readonly modelRetryMs: number;
  readonly modelName: string;
  /** Most rows one `{"instances": [...]}` request may carry. */
  readonly maxInstances: number;
  /** How often a models root's `current` pointer is checked for a new version. */
  readonly modelPollMs: number;
  readonly bodyLimit: string;
  /** Most rows (originals plus explanation variants) one onnxruntime run takes. */
  readonly maxBatchRows: number;
  /** onnxruntime threads per run (ORT_INTRA_OP_THREADS, default 1: the event loop needs the other core). */
  readonly intraOpThreads: number;
  /** Runs of at least this many rows go to a scoring thread, off the event loop (ORT_THREAD_MIN_ROWS, default 256; 0: none). */
  readonly threadMinRows: number;
  /** How long SIGTERM waits for in-flight requests before closing their connections. */
  readonly shutdownTimeoutMs: number;
  /**
   * How long an idle keep-alive connection stays open. Longer than the idle timeout of the
   * proxies in front (Traefik 90 s, nginx 60 s, cloud load balancers 60 s), so the proxy always
   * closes first: a server closing first races the proxy's next request on that connection.
   */
  readonly keepAliveTimeoutMs: number;
  /** Redis for the prediction log and batch scoring; both are off without it. */
  readonly redisUrl: string | undefined;
  /** Share of scored rows sent to the drift monitor (0..1). */
  readonly predictionLogSample: number;
  /** Most sampled rows held in memory while Redis is slow or away. */
  readonly predictionLogBuffer: number;
  readonly predictionLogFlushMs: number;
  /** Largest batch upload (CSV or JSON lines), in bytes. */
  readonly batchMaxBytes: number;
  /** Rows per batch chunk (one BullMQ job, one onnxruntime run). */
  readonly batchChunkRows: number;
  /** How long a finished batch and its results are kept. */
  readonly batchResultTtlSeconds: number;
  /** Bearer JWTs and/or API keys for the scoring and batch routes; both absent: authentication off. */
  readonly auth: AuthSettings;
  /** Per-client request and row budgets (off when undefined). */
  readonly rateLimit: RateLimitSettings | undefined;
  /** The decision audit trail: off, best-effort or required (see audit/audit-trail.ts). */
  readonly auditMode: AuditMode;
  /** How long a written request is remembered, so a retry (same X-Request-Id and body) is stored once. */
  readonly auditDedupSeconds: number;
  readonly logLevel: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return value;
}

function fraction(env: Env, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || value > 1)
    throw new ConfigError(`${name} must be a number from 0 to 1, got "${text}"`);
  return value;
}

/** A folder name inside the models root, never a path elsewhere. */
function versionName(env: Env, name: string): string | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  if (text.includes('/') || text.includes('\\') || text.startsWith('.'))
    throw new ConfigError(`${name} must name a version folder, got "${text}"`);
  return text;
}

function candidateConfig(env: Env, liveVersion: string): CandidateConfig | undefined {
  const version = versionName(env, ROLLOUT_ENV.candidateVersion);
  if (version === undefined) return undefined;
  // Answering a version's share with itself would make every rollout check compare it with itself.
  if (version === liveVersion)
    throw new ConfigError(`${ROLLOUT_ENV.candidateVersion} must differ from ${ROLLOUT_ENV.liveVersion} ("${version}")`);
  const mode = env[ROLLOUT_ENV.candidateMode];
  if (mode !== 'shadow' && mode !== 'canary') {
    throw new ConfigError(
      `${ROLLOUT_ENV.candidateMode} must be shadow or canary when ${ROLLOUT_ENV.candidateVersion} is set, got "${mode ?? ''}"`,
    );
  }
  return { version, mode, trafficPercent: integer(env, ROLLOUT_ENV.candidateTrafficPercent, 0, 0, 100) };
}

/** The operator's statement of what this pod serves; undefined without LIVE_VERSION (MODEL_DIR is followed). */
function rolloutConfig(env: Env): RolloutConfig | undefined {
  const liveVersion = versionName(env, ROLLOUT_ENV.liveVersion);
  if (liveVersion === undefined) {
    if (env[ROLLOUT_ENV.candidateVersion])
      throw new ConfigError(`${ROLLOUT_ENV.candidateVersion} needs ${ROLLOUT_ENV.liveVersion}`);
    return undefined;
  }
  const modelsRoot = env[ROLLOUT_ENV.modelsRoot];
  if (!modelsRoot) throw new ConfigError(`${ROLLOUT_ENV.modelsRoot} is required with ${ROLLOUT_ENV.liveVersion}`);
  return { modelsRoot, liveVersion, candidate: candidateConfig(env, liveVersion) };
}

/**
 * REDIS_URL with REDIS_PASSWORD (the chart's generated Secret) as its password; a URL that
 * already carries a password keeps it. Undefined without REDIS_URL.
 */
export function redisUrlOf(env: Env): string | undefined {
  const text = env.REDIS_URL;
  if (!text) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`REDIS_URL must be a redis:// or rediss:// URL, got "${text}"`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:')
    throw new ConfigError(`REDIS_URL must be a redis:// or rediss:// URL, got "${text}"`);
  if (!env.REDIS_PASSWORD || url.password) return text;
  url.password = encodeURIComponent(env.REDIS_PASSWORD);
  return url.toString();
}

export function readConfig(env: Env): ServerConfig {
  return {
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '127.0.0.1',
    modelDir: env.MODEL_DIR || 'models',
    rollout: rolloutConfig(env),
    modelRetryMs: integer(env, 'MODEL_RETRY_MS', 10_000, 10, 3_600_000),
    modelName: env.MODEL_NAME || 'loan-risk',
    maxInstances: integer(env, 'MAX_INSTANCES', 1000, 1, 100_000),
    modelPollMs: integer(env, 'MODEL_POLL_MS', 2000, 10, 3_600_000),
    bodyLimit: env.BODY_LIMIT || '1mb',
    maxBatchRows: integer(env, 'MAX_BATCH_ROWS', 512, 1, 1_000_000),
    intraOpThreads: integer(env, 'ORT_INTRA_OP_THREADS', 1, 1, 64),
    threadMinRows: integer(env, 'ORT_THREAD_MIN_ROWS', 256, 0, 100_000),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 25_000, 0, 600_000),
    keepAliveTimeoutMs: integer(env, 'KEEP_ALIVE_TIMEOUT_MS', 100_000, 1000, 3_600_000),
    redisUrl: redisUrlOf(env),
    predictionLogSample: fraction(env, 'PREDICTION_LOG_SAMPLE', 0.1),
    predictionLogBuffer: integer(env, 'PREDICTION_LOG_BUFFER', 10_000, 1, 10_000_000),
    predictionLogFlushMs: integer(env, 'PREDICTION_LOG_FLUSH_MS', 1000, 10, 600_000),
    batchMaxBytes: integer(env, 'BATCH_MAX_BYTES', 256 * 1024 * 1024, 1, 2 ** 31),
    batchChunkRows: integer(env, 'BATCH_CHUNK_ROWS', 5000, 1, 1_000_000),
    batchResultTtlSeconds: integer(env, 'BATCH_RESULT_TTL_SECONDS', 86_400, 1, 365 * 86_400),
    auth: readAuthSettings(env),
    rateLimit: readRateLimitSettings(env),
    ...auditSettings(env),
    logLevel: env.LOG_LEVEL || 'info',
  };
}

/** AUDIT_MODE defaults to best-effort with Redis and off without; required without Redis cannot serve. */
function auditSettings(env: Env): { auditMode: AuditMode; auditDedupSeconds: number } {
  const text = env.AUDIT_MODE || (env.REDIS_URL ? 'best-effort' : 'off');
  if (text !== 'off' && text !== 'best-effort' && text !== 'required')
    throw new ConfigError(`AUDIT_MODE must be off, best-effort or required, got "${text}"`);
  if (text !== 'off' && !env.REDIS_URL)
    throw new ConfigError(`AUDIT_MODE=${text} needs REDIS_URL (the audit stream lives in Redis)`);
  return { auditMode: text, auditDedupSeconds: integer(env, 'AUDIT_DEDUP_SECONDS', 3600, 1, 30 * 86_400) };
}

export type WorkerRole = 'batch' | 'drift' | 'audit';

export interface WorkerConfig {
  readonly redisUrl: string;
  /** A models root (or, without a LoanRiskModel, a version folder). */
  readonly modelDir: string;
  readonly modelPollMs: number;
  /** How long a refused live version waits before it is loaded again (with a LoanRiskModel). */
  readonly modelRetryMs: number;
  readonly roles: readonly WorkerRole[];
  /** Where the worker's /metrics, /healthz and /readyz listen. */
  readonly metricsPort: number;
  readonly metricsHost: string;
  readonly batchConcurrency: number;
  /** onnxruntime threads per chunk run (ORT_INTRA_OP_THREADS, default 1: one worker process per core). */
  readonly intraOpThreads: number;
  readonly batchLockMs: number;
  readonly batchResultTtlSeconds: number;
  /**
   * Without a LoanRiskModel: predictions per drift window. With one (its spec.drift.window is a
   * duration): the fewest rows a window needs for its PSI to be computed.
   */
  readonly driftWindowEvents: number;
  /** PSI above this is drift, without a LoanRiskModel (with one: its spec.drift.threshold). */
  readonly driftThreshold: number;
  readonly driftWebhookUrl: string | undefined;
  /**
   * The LoanRiskModel (in a cluster) whose served version the workers load from the models root
   * and whose Drifted condition they set; without one they follow MODEL_DIR like the API.
   */
  readonly modelResource: { readonly name: string; readonly namespace: string } | undefined;
  /**
   * Serve only a LoanRiskModel's version (LRM_REQUIRED=true, as the chart sets it): without
   * modelResource the workers wait rather than follow MODEL_DIR's `current`, which ungated
   * training runs move.
   */
  readonly modelResourceRequired: boolean;
  /**
   * How long SIGTERM waits for the jobs in hand before the workers are closed by force (their
   * jobs go back to the queue as stalled) and the process exits, whatever Redis does.
   */
  readonly shutdownTimeoutMs: number;
  /** The batch role's audit records of scored rows (AUDIT_MODE, as for the API). */
  readonly auditMode: AuditMode;
  readonly auditDedupSeconds: number;
  /** Where the audit role archives records (the data volume). */
  readonly auditDir: string;
  /** Days of archived records kept; older days are removed. */
  readonly auditRetentionDays: number;
  /** How long the archiver lets a quiet stream fill before its next file. */
  readonly auditArchiveIntervalMs: number;
  readonly logLevel: string;
}

function flag(env: Env, name: string): boolean {
  const text = env[name] || 'false';
  if (text !== 'true' && text !== 'false') throw new ConfigError(`${name} must be true or false, got "${text}"`);
  return text === 'true';
}

function roles(text: string | undefined): WorkerRole[] {
  const names = (text || 'batch,drift,audit')
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  const bad = names.filter((r) => r !== 'batch' && r !== 'drift' && r !== 'audit');
  if (bad.length > 0 || names.length === 0)
    throw new ConfigError(`WORKER_ROLES must be a comma-separated list of batch, drift and audit, got "${text}"`);
  return [...new Set(names)] as WorkerRole[];
}

export function readWorkerConfig(env: Env): WorkerConfig {
  const redisUrl = redisUrlOf(env);
  if (!redisUrl) throw new ConfigError('REDIS_URL is required (e.g. redis://127.0.0.1:6379)');
  const threshold = Number(env.DRIFT_THRESHOLD ?? '0.2');
  if (!Number.isFinite(threshold) || threshold <= 0)
    throw new ConfigError(`DRIFT_THRESHOLD must be a positive number, got "${env.DRIFT_THRESHOLD}"`);
  const namespace = env.LRM_NAMESPACE || env.POD_NAMESPACE;
  return {
    redisUrl,
    modelDir: env.MODEL_DIR || 'models',
    modelPollMs: integer(env, 'MODEL_POLL_MS', 2000, 10, 3_600_000),
    modelRetryMs: integer(env, 'MODEL_RETRY_MS', 30_000, 10, 3_600_000),
    roles: roles(env.WORKER_ROLES),
    metricsPort: integer(env, 'METRICS_PORT', 9091, 0, 65535),
    metricsHost: env.METRICS_HOST || '127.0.0.1',
    batchConcurrency: integer(env, 'BATCH_CONCURRENCY', 1, 1, 64),
    intraOpThreads: integer(env, 'ORT_INTRA_OP_THREADS', 1, 1, 64),
    batchLockMs: integer(env, 'BATCH_LOCK_MS', 30_000, 500, 3_600_000),
    batchResultTtlSeconds: integer(env, 'BATCH_RESULT_TTL_SECONDS', 86_400, 1, 365 * 86_400),
    driftWindowEvents: integer(env, 'DRIFT_WINDOW_EVENTS', 1000, 10, 10_000_000),
    driftThreshold: threshold,
    driftWebhookUrl: env.DRIFT_WEBHOOK_URL || undefined,
    modelResource: env.LRM_NAME && namespace ? { name: env.LRM_NAME, namespace } : undefined,
    modelResourceRequired: flag(env, 'LRM_REQUIRED'),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 25_000, 0, 600_000),
    ...auditSettings(env),
    auditDir: env.AUDIT_DIR || 'audit',
    auditRetentionDays: integer(env, 'AUDIT_RETENTION_DAYS', 730, 1, 36_500),
    auditArchiveIntervalMs: integer(env, 'AUDIT_ARCHIVE_INTERVAL_MS', 10_000, 10, 3_600_000),
    logLevel: env.LOG_LEVEL || 'info',
  };
}
