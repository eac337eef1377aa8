/**
 * loanrisk-operator: reconciles LoanRiskModels in the cluster of KUBECONFIG (in-cluster
 * configuration when unset), in every namespace unless WATCH_NAMESPACE names one.
 */
import pino from 'pino';
import { configFromEnv } from './config.js';
import { loadKubeConfig } from './kube-config.js';
import { Operator } from './operator.js';

const log = pino({ name: 'loanrisk-operator', level: process.env.LOG_LEVEL || 'info' });

async function main(): Promise<void> {
  const config = configFromEnv();
  const kc = loadKubeConfig();
  const operator = new Operator(kc, config, log, { defaultMetrics: true });
  // As controller-runtime does: a replica that lost the Lease exits and comes back as a candidate.
  operator.onLostLeadership = () => {
    log.error('leader lease lost, exiting');
    process.exit(1);
  };
  const shutdown = (signal: string) => {
    log.info({ signal }, 'shutting down');
    operator.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  await operator.start();
}

main().catch((err: Error) => {
  log.fatal({ err: err.message, kind: err.name }, 'operator failed to start');
  process.exit(1);
});
