/**
 * A real gRPC client of inference.GRPCInferenceService (@grpc/grpc-js over the same .proto the
 * server loads), and infer requests built from applicants as a client would send them: typed
 * `contents` or `raw_input_contents`.
 */
import { credentials, loadPackageDefinition, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { FEATURES, type LoanRecord } from '@peerloan/contracts';
import { inferencePackage } from '../../src/grpc/inference-proto.js';

export interface GrpcAnswer<T> {
  readonly response: T;
  /** The trailers the server sent (x-request-id, ...). */
  readonly trailers: Metadata;
}

type UnaryMethod = (
  request: unknown,
  metadata: Metadata,
  callback: (err: ServiceError | null, response: unknown) => void,
) => { on(event: 'status', listener: (status: { metadata: Metadata }) => void): void };

export class InferenceClient {
  private readonly client: Client & Record<string, UnaryMethod>;

  constructor(address: string) {
    const { inference } = loadPackageDefinition(inferencePackage()) as unknown as {
      inference: { GRPCInferenceService: new (address: string, creds: unknown) => InferenceClient['client'] };
    };
    this.client = new inference.GRPCInferenceService(address, credentials.createInsecure());
  }

  /** Calls `method`; rejects with the ServiceError (its `code` and `details`) when the call fails. */
  async call<T = Record<string, unknown>>(
    method: string,
    request: unknown = {},
    headers: Record<string, string> = {},
  ): Promise<GrpcAnswer<T>> {
    const metadata = new Metadata();
    for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
    let trailers = new Metadata();
    const response = await new Promise<unknown>((resolve, reject) => {
      const call = this.client[method].call(this.client, request, metadata, (err, answer) => {
        if (err) reject(err);
        else resolve(answer);
      });
      call.on('status', (status) => {
        trailers = status.metadata;
      });
    });
    // The status (with the trailers) follows the message.
    await new Promise((resolve) => setImmediate(resolve));
    return { response: response as T, trailers };
  }

  close(): void {
    this.client.close();
  }
}

/** A tensor's values of the applicants: numbers (missing: NaN) or text (missing: ""). */
function column(rows: readonly LoanRecord[], name: string, numeric: boolean): (number | string)[] {
  return rows.map((row) => {
    // A field left out is missing, as null is.
    const value = name in row ? row[name] : null;
    if (numeric) return value === null ? NaN : Number(value);
    return value === null ? '' : String(value);
  });
}

/** A BYTES tensor as raw bytes: each element a little-endian 4-byte length and its UTF-8 bytes. */
export function rawBytes(values: readonly string[]): Buffer {
  return Buffer.concat(
    values.flatMap((v) => {
      const bytes = Buffer.from(v, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32LE(bytes.length);
      return [length, bytes];
    }),
  );
}

/** The same applicants as REST OIP's JSON infer body (missing: null or ""), to compare the transports. */
export function restInferBody(rows: readonly LoanRecord[]) {
  return {
    inputs: FEATURES.map((f) => ({
      name: f.name,
      shape: [rows.length, 1],
      datatype: f.kind === 'numeric' ? 'FP32' : 'BYTES',
      data: rows.map((r) => r[f.name] ?? (f.kind === 'numeric' ? null : '')),
    })),
  };
}

/** A ModelInferRequest for the applicants: one input per feature, shape [N, 1], typed or raw. */
export function inferRequest(rows: readonly LoanRecord[], form: 'typed' | 'raw', modelName = 'loan-risk') {
  const inputs = FEATURES.map((f) => {
    const numeric = f.kind === 'numeric';
    const values = column(rows, f.name, numeric);
    const contents = numeric
      ? { fp32_contents: values }
      : { bytes_contents: (values as string[]).map((v) => Buffer.from(v, 'utf8')) };
    return {
      name: f.name,
      datatype: numeric ? 'FP32' : 'BYTES',
      shape: [rows.length, 1],
      ...(form === 'typed' ? { contents } : {}),
    };
  });
  const raw =
    form === 'raw'
      ? FEATURES.map((f) => {
          const values = column(rows, f.name, f.kind === 'numeric');
          return f.kind === 'numeric'
            ? Buffer.from(new Float32Array(values as number[]).buffer)
            : rawBytes(values as string[]);
        })
      : [];
  return { model_name: modelName, inputs, raw_input_contents: raw };
}

/** The probabilities of a ModelInferResponse, from its typed contents or its raw output. */
export function probabilitiesOf(response: {
  outputs: { name: string; contents?: { fp32_contents?: number[] } | null }[];
  raw_output_contents: Buffer[];
}): number[] {
  const raw = response.raw_output_contents;
  // A copy: the message's bytes need not start at a multiple of 4 in their buffer.
  if (raw.length > 0) return Array.from(new Float32Array(Uint8Array.from(raw[0]).buffer));
  return response.outputs[0].contents?.fp32_contents ?? [];
}
