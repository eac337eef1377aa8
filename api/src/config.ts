/**
 * The server's settings, all from the environment (12-factor, as a Deployment sets them).
 * A bad value stops the start with the variable named rather than serving with a guess.
 */
import { fileURLToPath } from 'node:url';
import { ROLLOUT_ENV, type CandidateMode } from '@peerloan/contracts';
import { ConfigError, readFlag, readInteger, readNumber, readText, type Settings } from '@peerloan/contracts/runtime';
import { auditSettings, redisUrlOf, type AuditMode } from '@peerloan/scoring/queues';
import { readAuthSettings, type AuthSettings } from './auth/auth-settings.js';
import { readRateLimitSettings, type RateLimitSettings } from './rate-limit/rate-limit-settings.js';
import { readGrpcPort } from './grpc/grpc-settings.js';

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
  /** OIP v2 over gRPC beside REST (GRPC_PORT, default 8081; 0: a free port; undefined: off). */
  readonly grpcPort: number | undefined;
  /** A version folder (model.onnx + manifest.json) or a models root whose `current` names one. */
  readonly modelDir: string;
  /** Set when LIVE_VERSION is: serve named versions of MODELS_ROOT instead of following MODEL_DIR. */
  readonly rollout: RolloutConfig | undefined;
  /** How long a named version that could not be loaded (the volume lags) waits before another try. */
  readonly modelRetryMs: number;
  readonly modelName: string;
  /** The web app's bundle (WEB_DIR; default web/dist beside the api workspace). */
  readonly webDir: string;
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
  /** Whether /metrics has nodejs_gc_duration_seconds (METRICS_GC_DURATION, default off: process-metrics.ts). */
  readonly gcDurationMetric: boolean;
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

/** A folder name inside the models root, never a path elsewhere. */
function versionName(env: Settings, name: string): string | undefined {
  const text = readText(env, name);
  if (text === undefined) return undefined;
  if (text.includes('/') || text.includes('\\') || text.startsWith('.'))
    throw new ConfigError(name, 'the name of a version folder (no path)', text);
  return text;
}

function candidateConfig(env: Settings, liveVersion: string): CandidateConfig | undefined {
  const version = versionName(env, ROLLOUT_ENV.candidateVersion);
  if (version === undefined) return undefined;
  // Answering a version's share with itself would make every rollout check compare it with itself.
  if (version === liveVersion)
    throw new ConfigError(ROLLOUT_ENV.candidateVersion, `a version other than ${ROLLOUT_ENV.liveVersion}`, version);
  const mode = readText(env, ROLLOUT_ENV.candidateMode);
  if (mode !== 'shadow' && mode !== 'canary')
    throw new ConfigError(
      ROLLOUT_ENV.candidateMode,
      `shadow or canary when ${ROLLOUT_ENV.candidateVersion} is set`,
      mode,
    );
  return {
    version,
    mode,
    trafficPercent: readInteger(env, ROLLOUT_ENV.candidateTrafficPercent, 0, { min: 0, max: 100 }),
  };
}

/** The operator's statement of what this pod serves; undefined without LIVE_VERSION (MODEL_DIR is followed). */
function rolloutConfig(env: Settings): RolloutConfig | undefined {
  const liveVersion = versionName(env, ROLLOUT_ENV.liveVersion);
  if (liveVersion === undefined) {
    const candidate = readText(env, ROLLOUT_ENV.candidateVersion);
    if (candidate !== undefined)
      throw new ConfigError(ROLLOUT_ENV.candidateVersion, `unset without ${ROLLOUT_ENV.liveVersion}`, candidate);
    return undefined;
  }
  const modelsRoot = readText(env, ROLLOUT_ENV.modelsRoot);
  if (modelsRoot === undefined)
    throw new ConfigError(ROLLOUT_ENV.modelsRoot, `set (the models root) when ${ROLLOUT_ENV.liveVersion} is`);
  return { modelsRoot, liveVersion, candidate: candidateConfig(env, liveVersion) };
}

/** Where `npm run build` leaves the web app's bundle, beside the api workspace (the image keeps the layout). */
const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../../web/dist/', import.meta.url));

export function readConfig(env: Settings): ServerConfig {
  return {
    port: readInteger(env, 'PORT', 8080, { min: 0, max: 65535 }),
    host: readText(env, 'HOST') ?? '127.0.0.1',
    grpcPort: readGrpcPort(env),
    modelDir: readText(env, 'MODEL_DIR') ?? 'models',
    rollout: rolloutConfig(env),
    modelRetryMs: readInteger(env, 'MODEL_RETRY_MS', 10_000, { min: 10, max: 3_600_000 }),
    modelName: readText(env, 'MODEL_NAME') ?? 'loan-risk',
    webDir: readText(env, 'WEB_DIR') ?? DEFAULT_WEB_DIR,
    maxInstances: readInteger(env, 'MAX_INSTANCES', 1000, { min: 1, max: 100_000 }),
    modelPollMs: readInteger(env, 'MODEL_POLL_MS', 2000, { min: 10, max: 3_600_000 }),
    bodyLimit: readText(env, 'BODY_LIMIT') ?? '1mb',
    maxBatchRows: readInteger(env, 'MAX_BATCH_ROWS', 512, { min: 1, max: 1_000_000 }),
    intraOpThreads: readInteger(env, 'ORT_INTRA_OP_THREADS', 1, { min: 1, max: 64 }),
    threadMinRows: readInteger(env, 'ORT_THREAD_MIN_ROWS', 256, { min: 0, max: 100_000 }),
    shutdownTimeoutMs: readInteger(env, 'SHUTDOWN_TIMEOUT_MS', 25_000, { min: 0, max: 600_000 }),
    keepAliveTimeoutMs: readInteger(env, 'KEEP_ALIVE_TIMEOUT_MS', 100_000, { min: 1000, max: 3_600_000 }),
    gcDurationMetric: readFlag(env, 'METRICS_GC_DURATION', false),
    redisUrl: redisUrlOf(env),
    predictionLogSample: readNumber(env, 'PREDICTION_LOG_SAMPLE', 0.1, { min: 0, max: 1 }),
    predictionLogBuffer: readInteger(env, 'PREDICTION_LOG_BUFFER', 10_000, { min: 1, max: 10_000_000 }),
    predictionLogFlushMs: readInteger(env, 'PREDICTION_LOG_FLUSH_MS', 1000, { min: 10, max: 600_000 }),
    batchMaxBytes: readInteger(env, 'BATCH_MAX_BYTES', 256 * 1024 * 1024, { min: 1, max: 2 ** 31 }),
    batchChunkRows: readInteger(env, 'BATCH_CHUNK_ROWS', 5000, { min: 1, max: 1_000_000 }),
    batchResultTtlSeconds: readInteger(env, 'BATCH_RESULT_TTL_SECONDS', 86_400, { min: 1, max: 365 * 86_400 }),
    auth: readAuthSettings(env),
    rateLimit: readRateLimitSettings(env),
    ...auditSettings(env),
    logLevel: readText(env, 'LOG_LEVEL') ?? 'info',
  };
}
