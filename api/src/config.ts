/**
 * The server's settings, all from the environment (12-factor, as a Deployment sets them).
 * A bad value stops the start with the variable named rather than serving with a guess.
 */
import { ConfigError } from './errors/config-error.js';

export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  /** A version folder (model.onnx + manifest.json) or a models root whose `current` names one. */
  readonly modelDir: string;
  readonly modelName: string;
  /** Most rows one `{"instances": [...]}` request may carry. */
  readonly maxInstances: number;
  /** How often a models root's `current` pointer is checked for a new version. */
  readonly modelPollMs: number;
  readonly bodyLimit: string;
  /** Most rows (originals plus explanation variants) one onnxruntime run takes. */
  readonly maxBatchRows: number;
  /** How long SIGTERM waits for in-flight requests before closing their connections. */
  readonly shutdownTimeoutMs: number;
  /** Accepted for the prediction log of issue 5; unused until then. */
  readonly redisUrl: string | undefined;
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

export function readConfig(env: Env): ServerConfig {
  return {
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: env.HOST || '127.0.0.1',
    modelDir: env.MODEL_DIR || 'models',
    modelName: env.MODEL_NAME || 'loan-risk',
    maxInstances: integer(env, 'MAX_INSTANCES', 1000, 1, 100_000),
    modelPollMs: integer(env, 'MODEL_POLL_MS', 2000, 10, 3_600_000),
    bodyLimit: env.BODY_LIMIT || '1mb',
    maxBatchRows: integer(env, 'MAX_BATCH_ROWS', 512, 1, 1_000_000),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 25_000, 0, 600_000),
    redisUrl: env.REDIS_URL || undefined,
    logLevel: env.LOG_LEVEL || 'info',
  };
}
