/**
 * loanrisk-api: serves the loan-risk model over HTTP. Reads its settings from the environment
 * (see config.ts), starts the server and drains gracefully on SIGTERM/SIGINT (exit 0), within
 * SHUTDOWN_TIMEOUT_MS whatever Redis does (exit 1 when the deadline cut it short).
 */
import { pino } from 'pino';
import { readConfig } from './config.js';
import { ApiKeysFileError } from './errors/api-keys-file-error.js';
import { ConfigError } from './errors/config-error.js';
import { startServer } from './server.js';
import { armShutdownDeadline } from './shutdown-deadline.js';

async function main(): Promise<void> {
  let config;
  try {
    config = readConfig(process.env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`loanrisk-api: ${err.message}\n`);
    process.exit(2);
  }
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
      model: running.store.current?.version ?? null,
      modelDir: config.rollout?.modelsRoot ?? config.modelDir,
      ...(candidate ? { candidate: { ...candidate, loaded: running.candidateStore?.current !== undefined } } : {}),
    },
    'listening',
  );

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'draining');
    armShutdownDeadline(config.shutdownTimeoutMs, logger);
    running.shutdown().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => {
    stop('SIGTERM');
  });
  process.on('SIGINT', () => {
    stop('SIGINT');
  });
}

void main();
