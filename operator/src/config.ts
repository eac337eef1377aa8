/** Operator settings from the environment; a bad value stops the start with the variable named. */
import { hostname } from 'node:os';
import { ConfigError } from './errors/config-error.js';

export interface OperatorConfig {
  /** Namespace to watch; undefined = all namespaces. */
  watchNamespace?: string;
  metricsHost: string;
  metricsPort: number;
  leaderElection: boolean;
  leaseNamespace: string;
  leaseName: string;
  identity: string;
  leaseDurationSeconds: number;
  retryPeriodMs: number;
  workers: number;
  /** Every model is looked at again this often even without a watch event. */
  resyncMs: number;
  /** SIGTERM's stop (lease release, watches, workers) gets this long, then the process exits whatever the API server does. */
  shutdownTimeoutMs: number;
  logLevel: string;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${text}"`);
  return value;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): OperatorConfig {
  const leaderElection = (env.LEADER_ELECTION ?? 'true') !== 'false';
  return {
    watchNamespace: env.WATCH_NAMESPACE || undefined,
    metricsHost: env.METRICS_HOST || '127.0.0.1',
    metricsPort: integer(env, 'METRICS_PORT', 8081, 0, 65535),
    leaderElection,
    leaseNamespace: env.LEASE_NAMESPACE || env.POD_NAMESPACE || env.WATCH_NAMESPACE || 'default',
    leaseName: env.LEASE_NAME || 'loan-risk-operator',
    identity: env.POD_NAME || `${hostname()}-${process.pid}`,
    leaseDurationSeconds: integer(env, 'LEASE_DURATION_SECONDS', 15, 2, 300),
    retryPeriodMs: integer(env, 'LEASE_RETRY_MS', 2000, 100, 60_000),
    workers: integer(env, 'WORKERS', 4, 1, 64),
    resyncMs: integer(env, 'RESYNC_SECONDS', 300, 5, 86_400) * 1000,
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    logLevel: env.LOG_LEVEL || 'info',
  };
}
