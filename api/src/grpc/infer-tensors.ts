/**
 * gRPC's ModelInferRequest turned into OIP's JSON shape, which oip-service.ts's `infer` checks and
 * scores as it does REST's, and the answer turned into a ModelInferResponse. An input's values
 * come either typed, in the `contents` list its datatype names (FP32 in fp32_contents, BYTES in
 * bytes_contents, ...), or as bytes: then `raw_input_contents` holds one entry per input, in input
 * order, decoded as REST's binary tensors are (little-endian; a BYTES element is a 4-byte length and
 * its bytes). What is decoded here is only taken apart: shapes, datatypes, counts and values are
 * judged by the shared path, so both transports refuse the same requests with the same words.
 */
import { RequestError } from '@peerloan/scoring';
import { PROBABILITY_OUTPUT } from '@peerloan/contracts';
import { decodeTensor, fp32Bytes, type InferAnswerHeader } from '../oip-codec.js';
import type {
  InferInputTensor,
  InferTensorContents,
  ModelInferRequest,
  ModelInferResponse,
} from './inference-messages.js';

function fail(message: string): never {
  throw new RequestError(400, message);
}

/** The contents list each datatype's values travel in (FP16 has none: it comes raw only). */
const CONTENTS_FIELD: Readonly<Record<string, keyof InferTensorContents>> = {
  BOOL: 'bool_contents',
  INT8: 'int_contents',
  INT16: 'int_contents',
  INT32: 'int_contents',
  INT64: 'int64_contents',
  UINT8: 'uint_contents',
  UINT16: 'uint_contents',
  UINT32: 'uint_contents',
  UINT64: 'uint64_contents',
  FP32: 'fp32_contents',
  FP64: 'fp64_contents',
  BYTES: 'bytes_contents',
};

/**
 * An input's typed values (the message's own list, not a copy: it becomes the column scored); values
 * in a list other than its datatype's are refused, not ignored.
 */
function typedValues({ name, datatype, contents }: InferInputTensor): readonly unknown[] {
  const field = Object.hasOwn(CONTENTS_FIELD, datatype) ? CONTENTS_FIELD[datatype] : undefined;
  const filled = contents
    ? (Object.keys(contents) as (keyof InferTensorContents)[]).filter((k) => contents[k].length > 0)
    : [];
  const stray = filled.find((k) => k !== field);
  if (stray !== undefined) {
    const where = field ? `contents.${field}` : 'raw_input_contents';
    fail(`input ${name}: datatype ${JSON.stringify(datatype)} takes its values in ${where}, got ${stray}`);
  }
  if (!contents || !field) return [];
  const values = contents[field];
  return field === 'bytes_contents' ? (values as readonly Buffer[]).map((b) => b.toString('utf8')) : values;
}

/** The request's values as raw bytes: one entry per input, and no input with typed contents beside them. */
function rawValues(request: ModelInferRequest): ArrayLike<unknown>[] {
  const { inputs, raw_input_contents: raw } = request;
  if (raw.length !== inputs.length)
    fail(`raw_input_contents has ${raw.length} entries for ${inputs.length} inputs: send one per input, in order`);
  return inputs.map((input, i) => {
    if (input.contents && Object.values(input.contents).some((list: readonly unknown[]) => list.length > 0))
      fail(`input ${input.name}: send its values in contents or in raw_input_contents, not both`);
    return decodeTensor(raw[i], input.datatype, input.name);
  });
}

/** The request as REST's JSON infer body would carry it. */
export function jsonInferRequest(request: ModelInferRequest) {
  const raw = request.raw_input_contents.length > 0 ? rawValues(request) : undefined;
  return {
    id: request.id === '' ? undefined : request.id,
    inputs: request.inputs.map((input, i) => ({
      name: input.name,
      datatype: input.datatype,
      shape: input.shape,
      data: raw ? raw[i] : typedValues(input),
    })),
    // Absent from the message and an empty list are the same in proto3: both ask for every output.
    outputs: request.outputs.length > 0 ? request.outputs : undefined,
  };
}

/** `probability` in the form the request used: raw bytes for raw inputs (as Triton answers), else typed. */
export function inferResponse(
  header: InferAnswerHeader,
  probabilities: readonly number[],
  raw: boolean,
): ModelInferResponse {
  const shape = [probabilities.length, 1];
  return {
    model_name: header.model_name,
    model_version: header.model_version,
    id: header.id ?? '',
    outputs: [
      raw
        ? { name: PROBABILITY_OUTPUT, datatype: 'FP32', shape }
        : { name: PROBABILITY_OUTPUT, datatype: 'FP32', shape, contents: { fp32_contents: probabilities } },
    ],
    raw_output_contents: raw ? [fp32Bytes(probabilities)] : [],
  };
}
