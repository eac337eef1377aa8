/** Starts the real server in this process on 127.0.0.1, free ports (HTTP and gRPC), with logs silenced. */
import { pino } from 'pino';
import { readConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';

export async function startApi(env: Record<string, string>): Promise<RunningServer> {
  const config = readConfig({ PORT: '0', GRPC_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', ...env });
  return startServer(config, pino({ level: 'silent' }));
}
