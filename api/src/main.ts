/**
 * loanrisk-api: serves the loan-risk model over HTTP. Reads its settings from the environment
 * (see config.ts), starts the server and drains gracefully on SIGTERM/SIGINT (exit 0), within
 * SHUTDOWN_TIMEOUT_MS whatever Redis does (exit 1 when the deadline cut it short).
 */
import { readSettingsOrExit, stopOnSignals } from '@peerloan/contracts/runtime';
import { pino } from 'pino';
import { readConfig } from './config.js';
import { ApiKeysFileError } from './errors/api-keys-file-error.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  const config = readSettingsOrExit('loanrisk-api', () => readConfig(process.env));
  const logger = pino({ level: config.logLevel, base: { name: 'loanrisk-api' } });
  const running = await startServer(config, logger).catch((err: unknown) => {
    if (!(err instanceof ApiKeysFileError)) throw err;
    process.stderr.write(`loanrisk-api: ${err.message}\n`);
    process.exit(2);
  });
  const candidate = config.rollout?.candidate;
  logger.info(
    {
      url: running.url,
      grpc: running.grpcAddress ?? null,
      model: running.store.current?.version ?? null,
      modelDir: config.rollout?.modelsRoot ?? config.modelDir,
      ...(candidate ? { candidate: { ...candidate, loaded: running.candidateStore?.current !== undefined } } : {}),
    },
    'listening',
  );

  stopOnSignals({
    timeoutMs: config.shutdownTimeoutMs,
    logger,
    message: 'draining',
    drain: async () => {
      await running.shutdown();
      logger.info('stopped');
      return 0;
    },
  });
}

void main();
