/**
 * The tensors of the Open Inference Protocol v2 infer call, in and out: JSON tensors (one named
 * input per feature, shape [N, 1]) taken as columns, and the binary tensor data extension (what
 * Triton's Python client sends by default): the body is a JSON header of
 * `Inference-Header-Content-Length` bytes followed by raw tensors, in input order, for inputs whose
 * `parameters.binary_data_size` is set. Numbers are little-endian; a BYTES tensor is each element
 * as a 4-byte length and its bytes. Every refusal is a 400 naming the input.
 */
import { endianness } from 'node:os';
import { FEATURES, PROBABILITY_OUTPUT, type Feature } from '@peerloan/contracts';
import { RequestError, type FeatureColumn } from '@peerloan/scoring';

function fail(message: string): never {
  throw new RequestError(400, message);
}

// ---- JSON tensors ------------------------------------------------------------------------

const NUMERIC_DATATYPES = new Set([
  'FP16',
  'FP32',
  'FP64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
]);

/** The datatype a feature's tensor is declared with in the model metadata. */
export function datatypeOf(feature: Feature): 'BYTES' | 'FP32' {
  return feature.kind === 'categorical' ? 'BYTES' : 'FP32';
}

interface InferInput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly datatype: string;
  readonly data: unknown;
}

/** A typed array of numbers (not BigInt64Array, whose bigints no rule accepts). */
function isNumberView(data: unknown): data is Exclude<NodeJS.TypedArray, BigInt64Array | BigUint64Array> {
  return (
    ArrayBuffer.isView(data) &&
    !(data instanceof DataView) &&
    !(data instanceof BigInt64Array) &&
    !(data instanceof BigUint64Array)
  );
}

/** Module-level rather than a closure per input: it runs for every input of every request. */
function isDimension(d: unknown): boolean {
  return Number.isInteger(d) && (d as number) >= 0;
}

/**
 * Checks one input tensor against its feature and returns its values, one per row: the
 * request's own array when it is flat, so a large tensor is not copied.
 */
function inputValues(input: Partial<InferInput>, feature: Feature): ArrayLike<unknown> {
  const { name, shape, datatype, data } = input;
  const typeOk = feature.kind === 'categorical' ? datatype === 'BYTES' : NUMERIC_DATATYPES.has(String(datatype));
  if (!typeOk) fail(`input ${name} must have datatype ${datatypeOf(feature)}, got ${JSON.stringify(datatype)}`);
  if (
    !Array.isArray(shape) ||
    shape.length < 1 ||
    shape.length > 2 ||
    !shape.every(isDimension) ||
    (shape.length === 2 && shape[1] !== 1)
  ) {
    fail(`input ${name} must have shape [N, 1], got ${JSON.stringify(shape)}`);
  }
  // A binary tensor's values arrive as a typed array (decodeTensor), JSON's as an array.
  if (isNumberView(data)) {
    if (data.length !== shape[0]) fail(`input ${name} has ${data.length} values for shape ${JSON.stringify(shape)}`);
    return data;
  }
  if (!Array.isArray(data)) fail(`input ${name} must have a data array`);
  // Clients send the tensor flat (row-major) or nested as [[v], [v], ...]; both are accepted.
  const values: readonly unknown[] = data.some(Array.isArray) ? data.flat(2) : data;
  if (values.length !== shape[0]) fail(`input ${name} has ${values.length} values for shape ${JSON.stringify(shape)}`);
  return values;
}

const FEATURE_BY_NAME = new Map(FEATURES.map((f) => [f.name, f]));

/** A loop rather than some(closure), for the same reason. */
function given(columns: readonly FeatureColumn[], name: string): boolean {
  for (const column of columns) if (column.name === name) return true;
  return false;
}

/** An infer request's tensors: a column of values per input, all of `rows` rows. */
export interface InferColumns {
  readonly columns: FeatureColumn[];
  readonly rows: number;
}

/**
 * The infer request's input tensors as columns, in the request's order, each a feature's values
 * down the rows (missing values as the tensor says them: null, "" or NaN). Only their form is
 * checked here; the values are judged against the model by the caller (validColumnRows).
 */
export function inferColumns(request: unknown, maxInstances: number): InferColumns {
  const inputs = (request as { inputs?: unknown } | null)?.inputs;
  if (!Array.isArray(inputs) || inputs.length === 0) fail('inputs must be a non-empty array of tensors');
  const columns: FeatureColumn[] = [];
  for (const input of inputs as unknown[]) {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) fail('each input must be a tensor object');
    const tensor = input as Partial<InferInput>;
    const feature = typeof tensor.name === 'string' ? FEATURE_BY_NAME.get(tensor.name) : undefined;
    if (!feature)
      fail(`unknown input ${JSON.stringify(tensor.name)}; the inputs are ${FEATURES.map((f) => f.name).join(', ')}`);
    if (given(columns, feature.name)) fail(`input ${feature.name} is given twice`);
    columns.push({ name: feature.name, values: inputValues(tensor, feature) });
  }
  const rows = columns[0].values.length;
  if (rows === 0 || rows > maxInstances) fail(`the batch must have 1 to ${maxInstances} rows, got ${rows}`);
  for (const { name, values } of columns) {
    if (values.length !== rows) fail(`input ${name} has ${values.length} rows, the others ${rows}`);
  }
  return { columns, rows };
}

/** The request may name outputs; the model has one. */
export function checkRequestedOutputs(request: unknown): void {
  const outputs = (request as { outputs?: unknown } | null)?.outputs;
  if (outputs === undefined) return;
  if (!Array.isArray(outputs) || outputs.some((o) => (o as { name?: unknown } | null)?.name !== PROBABILITY_OUTPUT)) {
    fail(`the only output is ${PROBABILITY_OUTPUT}`);
  }
}

/**
 * What an infer answer says before its outputs. `id` is left undefined when the request had
 * none, and JSON leaves it out. The answers below name each field rather than spreading this
 * object: a spread copy of an object itself built with a conditional spread cost V8 a new ~8 KB
 * old-generation structure every few dozen answers, a mark-compact every 4 s at 9,800 req/s.
 */
export interface InferAnswerHeader {
  readonly model_name: string;
  readonly model_version: string;
  readonly id: string | undefined;
}

/** The JSON infer answer: `probability` as an FP32 tensor of shape [N, 1]. */
export function jsonInferAnswer(header: InferAnswerHeader, values: readonly number[]) {
  return {
    model_name: header.model_name,
    model_version: header.model_version,
    id: header.id,
    outputs: [{ name: PROBABILITY_OUTPUT, datatype: 'FP32', shape: [values.length, 1], data: values }],
  };
}

// ---- Binary tensor data extension --------------------------------------------------------

export const HEADER_LENGTH = 'inference-header-content-length';

interface BinaryInput {
  name?: unknown;
  datatype?: unknown;
  data?: unknown;
  parameters?: { binary_data_size?: unknown } | null;
}

/**
 * Numeric datatypes a little-endian machine reads as a typed array over the tensor's bytes (copied
 * once, as the bytes may be unaligned), with no JavaScript number made per value.
 */
const TYPED_VIEWS: Readonly<Record<string, new (buffer: ArrayBuffer) => ArrayLike<number>>> = {
  FP32: Float32Array,
  FP64: Float64Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
};
const LITTLE_ENDIAN = endianness() === 'LE';
/** One-row tensors allocated 4.5 KB more a request as views (bench:grpc, 2026-12-06); 1000-row ones 19 % less. */
const TYPED_VIEW_MIN_VALUES = 16;

const NUMERIC_READERS: Readonly<Record<string, { size: number; read: (b: Buffer, offset: number) => number }>> = {
  FP32: { size: 4, read: (b, o) => b.readFloatLE(o) },
  FP64: { size: 8, read: (b, o) => b.readDoubleLE(o) },
  INT8: { size: 1, read: (b, o) => b.readInt8(o) },
  INT16: { size: 2, read: (b, o) => b.readInt16LE(o) },
  INT32: { size: 4, read: (b, o) => b.readInt32LE(o) },
  INT64: { size: 8, read: (b, o) => Number(b.readBigInt64LE(o)) },
  UINT8: { size: 1, read: (b, o) => b.readUInt8(o) },
  UINT16: { size: 2, read: (b, o) => b.readUInt16LE(o) },
  UINT32: { size: 4, read: (b, o) => b.readUInt32LE(o) },
  UINT64: { size: 8, read: (b, o) => Number(b.readBigUInt64LE(o)) },
};

function decodeBytes(chunk: Buffer, name: string): string[] {
  const values: string[] = [];
  for (let offset = 0; offset < chunk.length;) {
    if (offset + 4 > chunk.length) fail(`input ${name}: truncated BYTES element`);
    const length = chunk.readUInt32LE(offset);
    if (offset + 4 + length > chunk.length) fail(`input ${name}: truncated BYTES element`);
    values.push(chunk.toString('utf8', offset + 4, offset + 4 + length));
    offset += 4 + length;
  }
  return values;
}

/** One input's raw bytes (binary extension, gRPC's raw_input_contents) as its values; a refusal names the input. */
export function decodeTensor(chunk: Buffer, datatype: string, name: string): ArrayLike<string | number> {
  if (datatype === 'BYTES') return decodeBytes(chunk, name);
  // Own keys only: a datatype such as "toString" must not find Object.prototype's.
  const reader = Object.hasOwn(NUMERIC_READERS, datatype) ? NUMERIC_READERS[datatype] : undefined;
  if (!reader) fail(`input ${name}: binary datatype ${datatype} is not supported`);
  if (chunk.length % reader.size !== 0)
    fail(`input ${name}: ${chunk.length} bytes is not a whole number of ${datatype}`);
  const count = chunk.length / reader.size;
  // A view pays for its buffer and object: for a few values a plain array allocates less (measured).
  const View =
    LITTLE_ENDIAN && count >= TYPED_VIEW_MIN_VALUES && Object.hasOwn(TYPED_VIEWS, datatype)
      ? TYPED_VIEWS[datatype]
      : undefined;
  if (View) return new View(chunk.buffer.slice(chunk.byteOffset, chunk.byteOffset + chunk.length) as ArrayBuffer);
  return Array.from({ length: count }, (_, i) => reader.read(chunk, i * reader.size));
}

/** Splits a raw infer body into its JSON request, with binary inputs decoded into `data`. */
export function decodeInferBody(raw: Buffer, headerLength: string | undefined): unknown {
  const jsonLength = headerLength === undefined ? raw.length : Number(headerLength);
  if (!Number.isInteger(jsonLength) || jsonLength < 0 || jsonLength > raw.length) {
    fail(`${HEADER_LENGTH} must be the JSON header's length in bytes, at most ${raw.length}`);
  }
  let request: { inputs?: unknown } | null;
  try {
    request = JSON.parse(raw.toString('utf8', 0, jsonLength)) as { inputs?: unknown } | null;
  } catch {
    fail('the body is not valid JSON');
  }
  let offset = jsonLength;
  // Entries that are not objects are left to inferColumns, which names them.
  const inputs = Array.isArray(request?.inputs) ? (request.inputs as unknown[]) : [];
  for (const input of inputs) {
    if (typeof input !== 'object' || input === null) continue;
    const tensor = input as BinaryInput;
    const size = tensor.parameters?.binary_data_size;
    if (size === undefined) continue;
    if (typeof size !== 'number' || !Number.isInteger(size) || size < 0 || offset + size > raw.length) {
      fail(`input ${String(tensor.name)}: binary_data_size ${JSON.stringify(size)} runs past the end of the body`);
    }
    tensor.data = decodeTensor(raw.subarray(offset, offset + size), String(tensor.datatype), String(tensor.name));
    offset += size;
  }
  if (offset !== raw.length) fail(`${raw.length - offset} bytes after the last binary input`);
  return request;
}

/** Whether the client asked for the output as binary (Triton's client does by default). */
export function wantsBinaryOutput(request: unknown): boolean {
  const r = request as {
    parameters?: { binary_data_output?: unknown };
    outputs?: ({ parameters?: { binary_data?: unknown } | null } | null)[];
  } | null;
  if (r?.parameters?.binary_data_output === true) return true;
  return Array.isArray(r?.outputs) && r.outputs.some((o) => o?.parameters?.binary_data === true);
}

/** Values as a raw little-endian FP32 tensor (the binary extension's and gRPC's raw output). */
export function fp32Bytes(values: readonly number[]): Buffer {
  return Buffer.from(new Float32Array(values).buffer);
}

/** The infer answer with `probability` as a raw little-endian FP32 tensor after the JSON header. */
export function encodeBinaryAnswer(
  header: InferAnswerHeader,
  name: string,
  values: readonly number[],
): { body: Buffer; headerLength: number } {
  const tensor = fp32Bytes(values);
  const json = Buffer.from(
    JSON.stringify({
      model_name: header.model_name,
      model_version: header.model_version,
      id: header.id,
      outputs: [{ name, datatype: 'FP32', shape: [values.length, 1], parameters: { binary_data_size: tensor.length } }],
    }),
  );
  return { body: Buffer.concat([json, tensor]), headerLength: json.length };
}
