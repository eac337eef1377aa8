/** Operator settings from the environment; a bad value stops the start with the variable named. */
import { hostname } from 'node:os';
import { readFlag, readInteger, readText, type Settings } from '@peerloan/contracts/runtime';

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
  /** Secrets with registry credentials added to every pod the operator makes (the chart's global list). */
  imagePullSecrets: string[];
}

export function configFromEnv(env: Settings = process.env): OperatorConfig {
  const leaderElection = readFlag(env, 'LEADER_ELECTION', true);
  return {
    watchNamespace: readText(env, 'WATCH_NAMESPACE'),
    metricsHost: readText(env, 'METRICS_HOST') ?? '127.0.0.1',
    metricsPort: readInteger(env, 'METRICS_PORT', 8081, { min: 0, max: 65535 }),
    leaderElection,
    leaseNamespace:
      readText(env, 'LEASE_NAMESPACE') ??
      readText(env, 'POD_NAMESPACE') ??
      readText(env, 'WATCH_NAMESPACE') ??
      'default',
    leaseName: readText(env, 'LEASE_NAME') ?? 'loan-risk-operator',
    identity: readText(env, 'POD_NAME') ?? `${hostname()}-${process.pid}`,
    leaseDurationSeconds: readInteger(env, 'LEASE_DURATION_SECONDS', 15, { min: 2, max: 300 }),
    retryPeriodMs: readInteger(env, 'LEASE_RETRY_MS', 2000, { min: 100, max: 60_000 }),
    workers: readInteger(env, 'WORKERS', 4, { min: 1, max: 64 }),
    resyncMs: readInteger(env, 'RESYNC_SECONDS', 300, { min: 5, max: 86_400 }) * 1000,
    shutdownTimeoutMs: readInteger(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, { min: 0, max: 600_000 }),
    logLevel: readText(env, 'LOG_LEVEL') ?? 'info',
    imagePullSecrets: (readText(env, 'DEFAULT_IMAGE_PULL_SECRETS') ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter((name) => name !== ''),
  };
}
