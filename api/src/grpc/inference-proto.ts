/**
 * The Open Inference Protocol's gRPC definition (KServe's grpc_predict_v2.proto, api/proto/),
 * loaded once per process by @grpc/proto-loader: the .proto stays the one statement of the
 * messages, with no generated code to keep in step with it. The loader's options fix how messages
 * look in JavaScript (inference-messages.ts states that shape): field names as in the .proto,
 * int64 as numbers, every field present with its default.
 */
import { fileURLToPath } from 'node:url';
import type { ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';

/** Beside the compiled code as beside the source: dist/src/grpc/ -> api/proto/ (the image keeps the layout). */
export const PROTO_FILE = fileURLToPath(new URL('../../../proto/grpc_predict_v2.proto', import.meta.url));

export const SERVICE_NAME = 'inference.GRPCInferenceService';

const LOADER_OPTIONS: Options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };

let loaded: PackageDefinition | undefined;

/** The package as @grpc/grpc-js takes it (a client's too: tests, benchmarks); read at first use. */
export function inferencePackage(): PackageDefinition {
  loaded ??= loadSync(PROTO_FILE, LOADER_OPTIONS);
  return loaded;
}

export function inferenceServiceDefinition(): ServiceDefinition {
  return inferencePackage()[SERVICE_NAME] as ServiceDefinition;
}
