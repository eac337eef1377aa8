/**
 * The messages of grpc_predict_v2.proto that the service reads and writes, as the loader's options
 * (inference-proto.ts) present them: snake_case names, int64 as numbers, bytes as Buffers, absent
 * scalars and lists as their defaults and an absent message as null.
 */

/** One of InferParameter's choices (`parameter_choice` names which). */
export interface InferParameter {
  readonly bool_param?: boolean;
  readonly int64_param?: number;
  readonly string_param?: string;
}

export type InferParameters = Readonly<Record<string, InferParameter>>;

/** A tensor's values, in the list its datatype uses. */
export interface InferTensorContents {
  readonly bool_contents: readonly boolean[];
  readonly int_contents: readonly number[];
  readonly int64_contents: readonly number[];
  readonly uint_contents: readonly number[];
  readonly uint64_contents: readonly number[];
  readonly fp32_contents: readonly number[];
  readonly fp64_contents: readonly number[];
  readonly bytes_contents: readonly Buffer[];
}

export interface InferInputTensor {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  readonly parameters: InferParameters;
  readonly contents: InferTensorContents | null;
}

export interface ModelInferRequest {
  readonly model_name: string;
  readonly model_version: string;
  readonly id: string;
  readonly parameters: InferParameters;
  readonly inputs: readonly InferInputTensor[];
  readonly outputs: readonly { readonly name: string; readonly parameters: InferParameters }[];
  readonly raw_input_contents: readonly Buffer[];
}

/** What the service answers: fields left out take their defaults. */
export interface ModelInferResponse {
  readonly model_name: string;
  readonly model_version: string;
  readonly id: string;
  readonly outputs: readonly {
    readonly name: string;
    readonly datatype: string;
    readonly shape: readonly number[];
    readonly contents?: Partial<InferTensorContents>;
  }[];
  readonly raw_output_contents?: readonly Buffer[];
}

/** ModelReadyRequest and ModelMetadataRequest. */
export interface ModelRequest {
  readonly name: string;
  readonly version: string;
}
