/**
 * loanrisk-operator: reconciles LoanRiskModels in the cluster of KUBECONFIG (in-cluster
 * configuration when unset), in every namespace unless WATCH_NAMESPACE names one. SIGTERM
 * stops it (exit 0), or after SHUTDOWN_TIMEOUT_MS, with the API server unreachable, exits 1; a bad
 * setting exits 2 with its name.
 */
import { readSettingsOrExit, stopOnSignals } from '@peerloan/contracts/runtime';
import pino from 'pino';
import { configFromEnv } from './config.js';
import { loadKubeConfig } from './kube-config.js';
import { Operator } from './operator.js';

const log = pino({ name: 'loanrisk-operator', level: process.env.LOG_LEVEL || 'info' });

async function main(): Promise<void> {
  const config = readSettingsOrExit('loanrisk-operator', () => configFromEnv());
  const kc = readSettingsOrExit('loanrisk-operator', () => loadKubeConfig());
  const operator = new Operator(kc, config, log, { defaultMetrics: true });
  // As controller-runtime does: a replica that lost the Lease exits and comes back as a candidate.
  operator.onLostLeadership = () => {
    log.error('leader lease lost, exiting');
    process.exit(1);
  };
  // Releasing the Lease and stopping watches talk to the API server, which may be gone: the deadline ends it.
  stopOnSignals({
    timeoutMs: config.shutdownTimeoutMs,
    logger: log,
    message: 'shutting down',
    drain: async () => {
      await operator.stop();
      return 0;
    },
  });
  await operator.start();
}

main().catch((err: unknown) => {
  const { message, name } = err instanceof Error ? err : new Error(String(err));
  log.fatal({ err: message, kind: name }, 'operator failed to start');
  process.exit(1);
});
