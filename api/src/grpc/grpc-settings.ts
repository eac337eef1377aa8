/** GRPC_PORT: where the gRPC server listens beside REST, 0 for a free port, `off` for none. */
import { ConfigError, readInteger, readText, type Settings } from '@peerloan/contracts/runtime';

/** The Open Inference Protocol's gRPC port in KServe and Triton's own servers. */
export const DEFAULT_GRPC_PORT = 8081;

/** The port, or undefined when gRPC is off. */
export function readGrpcPort(env: Settings): number | undefined {
  if (readText(env, 'GRPC_PORT') === 'off') return undefined;
  try {
    return readInteger(env, 'GRPC_PORT', DEFAULT_GRPC_PORT, { min: 0, max: 65535 });
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError(err.setting, `${err.allowed}, or off`, err.value);
  }
}
