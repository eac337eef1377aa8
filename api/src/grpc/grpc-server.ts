/**
 * The gRPC server beside the HTTP one: inference.GRPCInferenceService on GRPC_PORT, over plain
 * HTTP/2 (h2c; TLS ends at the ingress, as it does for REST). Its drain mirrors the HTTP server's:
 * grpc-js's tryShutdown refuses new calls, sends GOAWAY so clients go to another pod, and lets
 * calls in flight finish; whatever is left when the drain time is up is cancelled.
 */
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { GrpcMetrics } from './grpc-metrics.js';
import { inferenceServiceDefinition } from './inference-proto.js';
import { inferenceHandlers, type InferenceServiceOptions } from './inference-service.js';

export interface GrpcListen {
  readonly host: string;
  /** undefined: gRPC is off (GRPC_PORT=off). */
  readonly grpcPort: number | undefined;
}

export interface RunningGrpcServer {
  /** host:port as a gRPC client dials it. */
  readonly address: string;
  /** Stops taking calls and waits for those in flight, at most `drainMs`, then cancels the rest. */
  shutdown(drainMs: number): Promise<void>;
}

/** A host and port as gRPC's target syntax writes them (an IPv6 address in brackets). */
function target(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Starts serving (undefined when gRPC is off); rejects when the port cannot be bound. */
export async function startGrpcServer(
  options: InferenceServiceOptions,
  listen: GrpcListen,
): Promise<RunningGrpcServer | undefined> {
  if (listen.grpcPort === undefined) return undefined;
  // Channelz (grpc-js's live call statistics) is read only through a channelz service, which this
  // server does not offer; off, it stops counting every call for nobody.
  const server = new Server({ 'grpc.enable_channelz': 0 });
  server.addService(
    inferenceServiceDefinition(),
    inferenceHandlers(options, new GrpcMetrics(options.metrics.registry)),
  );
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(target(listen.host, listen.grpcPort ?? 0), ServerCredentials.createInsecure(), (err, bound) => {
      if (err) reject(err);
      else resolve(bound);
    });
  });

  async function shutdown(drainMs: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const deadline = setTimeout(() => {
        server.forceShutdown();
      }, drainMs);
      server.tryShutdown(() => {
        clearTimeout(deadline);
        resolve();
      });
    });
  }

  return { address: target(listen.host, port), shutdown };
}
