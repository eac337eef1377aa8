/**
 * The workers' settings, all from the environment (12-factor, as a Deployment sets them).
 * A bad value stops the start with the variable named rather than running with a guess.
 */
import { DRIFT_DEFAULTS } from '@peerloan/contracts';
import {
  ConfigError,
  readChoiceList,
  readFlag,
  readInteger,
  readNumber,
  readText,
  type Settings,
} from '@peerloan/contracts/runtime';
import { auditSettings, REDIS_URL_FORM, redisUrlOf, type AuditMode } from '@peerloan/scoring/queues';

export type WorkerRole = 'batch' | 'drift' | 'audit';
const WORKER_ROLES: readonly WorkerRole[] = ['batch', 'drift', 'audit'];

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

export function readWorkerConfig(env: Settings): WorkerConfig {
  const redisUrl = redisUrlOf(env);
  if (!redisUrl) throw new ConfigError('REDIS_URL', REDIS_URL_FORM);
  const namespace = readText(env, 'LRM_NAMESPACE') ?? readText(env, 'POD_NAMESPACE');
  const modelName = readText(env, 'LRM_NAME');
  return {
    redisUrl,
    modelDir: readText(env, 'MODEL_DIR') ?? 'models',
    modelPollMs: readInteger(env, 'MODEL_POLL_MS', 2000, { min: 10, max: 3_600_000 }),
    modelRetryMs: readInteger(env, 'MODEL_RETRY_MS', 30_000, { min: 10, max: 3_600_000 }),
    roles: readChoiceList(env, 'WORKER_ROLES', WORKER_ROLES, WORKER_ROLES),
    metricsPort: readInteger(env, 'METRICS_PORT', 9091, { min: 0, max: 65535 }),
    metricsHost: readText(env, 'METRICS_HOST') ?? '127.0.0.1',
    batchConcurrency: readInteger(env, 'BATCH_CONCURRENCY', 1, { min: 1, max: 64 }),
    intraOpThreads: readInteger(env, 'ORT_INTRA_OP_THREADS', 1, { min: 1, max: 64 }),
    batchLockMs: readInteger(env, 'BATCH_LOCK_MS', 30_000, { min: 500, max: 3_600_000 }),
    batchResultTtlSeconds: readInteger(env, 'BATCH_RESULT_TTL_SECONDS', 86_400, { min: 1, max: 365 * 86_400 }),
    driftWindowEvents: readInteger(env, 'DRIFT_WINDOW_EVENTS', 1000, { min: 10, max: 10_000_000 }),
    driftThreshold: readNumber(env, 'DRIFT_THRESHOLD', DRIFT_DEFAULTS.threshold, { min: 0, exclusiveMin: true }),
    driftWebhookUrl: readText(env, 'DRIFT_WEBHOOK_URL'),
    modelResource: modelName && namespace ? { name: modelName, namespace } : undefined,
    modelResourceRequired: readFlag(env, 'LRM_REQUIRED', false),
    shutdownTimeoutMs: readInteger(env, 'SHUTDOWN_TIMEOUT_MS', 25_000, { min: 0, max: 600_000 }),
    ...auditSettings(env),
    auditDir: readText(env, 'AUDIT_DIR') ?? 'audit',
    auditRetentionDays: readInteger(env, 'AUDIT_RETENTION_DAYS', 730, { min: 1, max: 36_500 }),
    auditArchiveIntervalMs: readInteger(env, 'AUDIT_ARCHIVE_INTERVAL_MS', 10_000, { min: 10, max: 3_600_000 }),
    logLevel: readText(env, 'LOG_LEVEL') ?? 'info',
  };
}
