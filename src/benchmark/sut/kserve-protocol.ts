/**
 * The KServe v2 inference protocol (Open Inference Protocol, what Triton and KServe serve) over
 * HTTP/REST: encoding and decoding of inference requests and responses, JSON tensors and the
 * binary tensor data extension, and the metadata objects. Pure: bytes and values in, bytes and
 * values out; the HTTP client and server are adapters around it.
 *
 * The binary extension: the body is a JSON object followed by raw tensor bytes (little-endian,
 * row-major, no padding) in the order of the tensors that carry `parameters.binary_data_size`;
 * the `Inference-Header-Content-Length` header gives the JSON's length. Outputs are asked for in
 * binary with `binary_data: true` on a requested output or `binary_data_output: true` on the
 * request (the per-output flag wins).
 *
 * Numeric datatypes only (BOOL, INT8–64, UINT8–64, FP32, FP64): what a BERT model takes and
 * gives. FP16, BF16 and BYTES are recognised and refused with a message saying so.
 *
 * Every failure is a coded error whose `where` names the source (a URL on the client side) and
 * the field at fault, e.g. `outputs[1].shape`.
 */
import { errors, type Where } from '../../errors.js';
import { jsonDepth } from '../../json-depth.js';

export { jsonDepth };

/** The header giving the length of the JSON part when binary tensor data follows it. */
export const HEADER_LENGTH_HEADER = 'inference-header-content-length';
export const BINARY_EXTENSION = 'binary_tensor_data';

/** Bytes per element of each supported datatype. */
export const DATATYPE_BYTES = {
  BOOL: 1,
  UINT8: 1,
  UINT16: 2,
  UINT32: 4,
  UINT64: 8,
  INT8: 1,
  INT16: 2,
  INT32: 4,
  INT64: 8,
  FP32: 4,
  FP64: 8,
} as const;

export type KserveDatatype = keyof typeof DATATYPE_BYTES;

/** Datatypes of the protocol this module refuses (with a message that says so, not "unknown"). */
const UNSUPPORTED_DATATYPES = new Set(['FP16', 'BF16', 'BYTES']);

export type TensorArray =
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Float32Array
  | Float64Array;

/** A tensor on the wire: row-major data of `product(shape)` elements. BOOL is held as 0/1 bytes. */
export interface KserveTensor {
  readonly name: string;
  readonly datatype: KserveDatatype;
  readonly shape: readonly number[];
  readonly data: TensorArray;
}

export interface RequestedOutput {
  readonly name: string;
  /** `parameters.binary_data`; when absent the request's `binaryOutput` decides. */
  readonly binary?: boolean;
}

export interface InferRequest {
  readonly id?: string;
  readonly inputs: readonly KserveTensor[];
  /** Outputs asked for; absent: all of the model's. */
  readonly outputs?: readonly RequestedOutput[];
  /** `parameters.binary_data_output`: every output in binary unless the output says otherwise. */
  readonly binaryOutput?: boolean;
}

export interface InferResponse {
  readonly modelName: string;
  readonly modelVersion?: string;
  readonly id?: string;
  readonly outputs: readonly KserveTensor[];
}

/** A tensor as model metadata describes it; -1 marks a dynamic dimension. */
export interface TensorMetadata {
  readonly name: string;
  /** As the server wrote it (it may be one this module cannot carry, e.g. FP16). */
  readonly datatype: string;
  readonly shape: readonly number[];
}

export interface ModelMetadata {
  readonly name: string;
  readonly versions: readonly string[];
  readonly platform: string;
  readonly inputs: readonly TensorMetadata[];
  readonly outputs: readonly TensorMetadata[];
}

export interface ServerMetadata {
  readonly name: string;
  readonly version: string;
  readonly extensions: readonly string[];
}

/** A body ready to send: JSON alone, or JSON then tensor bytes. */
export interface EncodedBody {
  readonly body: Uint8Array;
  /** Value of `Inference-Header-Content-Length`; undefined when the body is JSON only. */
  readonly jsonLength: number | undefined;
  readonly contentType: 'application/json' | 'application/octet-stream';
}

// ---- tensors ----

export function isKserveDatatype(s: string): s is KserveDatatype {
  return Object.hasOwn(DATATYPE_BYTES, s);
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Typed array of `count` elements of the datatype. */
function allocate(datatype: KserveDatatype, count: number): TensorArray {
  switch (datatype) {
    case 'BOOL':
    case 'UINT8':
      return new Uint8Array(count);
    case 'UINT16':
      return new Uint16Array(count);
    case 'UINT32':
      return new Uint32Array(count);
    case 'UINT64':
      return new BigUint64Array(count);
    case 'INT8':
      return new Int8Array(count);
    case 'INT16':
      return new Int16Array(count);
    case 'INT32':
      return new Int32Array(count);
    case 'INT64':
      return new BigInt64Array(count);
    case 'FP32':
      return new Float32Array(count);
    case 'FP64':
      return new Float64Array(count);
  }
}

/** Whether `data` is the typed array each datatype is held in (BOOL: bytes; Buffers count as bytes). */
function arrayMatches(datatype: KserveDatatype, data: TensorArray): boolean {
  return data instanceof (allocate(datatype, 0).constructor as new () => TensorArray);
}

/** A tensor after checking that its data fits its datatype and shape. */
export function tensor(name: string, datatype: KserveDatatype, shape: readonly number[], data: TensorArray): KserveTensor {
  const where: Where = { field: name };
  if (!arrayMatches(datatype, data)) throw errors.invalidValue(where, `data is a ${data.constructor.name}, not the array of a ${datatype} tensor`);
  checkShape(shape, where);
  if (data.length !== elementCount(shape)) throw errors.invalidValue(where, `${data.length} elements for shape [${shape.join(', ')}]`);
  return { name, datatype, shape, data };
}

function checkShape(shape: unknown, where: Where): asserts shape is number[] {
  if (!Array.isArray(shape) || !shape.every((d): d is number => Number.isSafeInteger(d) && (d as number) >= 0)) {
    throw errors.parse(where, `shape must be an array of non-negative integers, got ${preview(shape)}`);
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Copy the bytes of a typed array out in the wire order (little-endian). */
function toWireBytes(data: TensorArray): Uint8Array {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return LITTLE_ENDIAN ? bytes : swapBytes(bytes.slice(), data.BYTES_PER_ELEMENT);
}

/** A typed array from wire bytes (copied: views into a body are rarely aligned). */
function fromWireBytes(datatype: KserveDatatype, bytes: Uint8Array): TensorArray {
  const size = DATATYPE_BYTES[datatype];
  const copy = bytes.slice();
  if (!LITTLE_ENDIAN) swapBytes(copy, size);
  const out = allocate(datatype, copy.length / size);
  new Uint8Array(out.buffer).set(copy);
  return out;
}

function swapBytes(bytes: Uint8Array, size: number): Uint8Array {
  if (size > 1) for (let at = 0; at < bytes.length; at += size) bytes.subarray(at, at + size).reverse();
  return bytes;
}

/** JSON `data` of a tensor: a flat row-major array (BOOL as booleans, 64-bit integers as numbers). */
function toJsonData(t: KserveTensor): (number | boolean)[] {
  const out: (number | boolean)[] = new Array<number | boolean>(t.data.length);
  if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) {
    for (let i = 0; i < t.data.length; i++) {
      const v = t.data[i]!;
      // JSON numbers are doubles: a larger integer would arrive changed. Binary data has no such limit.
      if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) throw errors.invalidValue({ field: `${t.name}[${i}]` }, `${v} is too large for JSON; send binary tensor data`);
      out[i] = Number(v);
    }
    return out;
  }
  if (t.datatype === 'BOOL') {
    for (let i = 0; i < t.data.length; i++) out[i] = t.data[i] !== 0;
    return out;
  }
  for (let i = 0; i < t.data.length; i++) out[i] = t.data[i] as number;
  return out;
}

const INT_RANGES: Partial<Record<KserveDatatype, readonly [number, number]>> = {
  UINT8: [0, 0xff],
  UINT16: [0, 0xffff],
  UINT32: [0, 0xffffffff],
  INT8: [-0x80, 0x7f],
  INT16: [-0x8000, 0x7fff],
  INT32: [-0x80000000, 0x7fffffff],
  UINT64: [0, Number.MAX_SAFE_INTEGER],
  INT64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** JSON `data` → typed array; nested arrays (one level per dimension) are flattened, as the protocol allows. */
function fromJsonData(datatype: KserveDatatype, raw: unknown, count: number, where: Where): TensorArray {
  if (!Array.isArray(raw)) throw errors.parse(where, `data must be an array, got ${preview(raw)}`);
  const flat = (raw as unknown[]).flat(Infinity);
  if (flat.length !== count) throw errors.parse(where, `${flat.length} data elements, the shape holds ${count}`);
  const out = allocate(datatype, count);
  const range = INT_RANGES[datatype];
  for (let i = 0; i < count; i++) {
    const v = flat[i];
    if (datatype === 'BOOL') {
      if (typeof v !== 'boolean' && v !== 0 && v !== 1) throw errors.parse(where, `element ${i} is ${preview(v)}, expected true or false`);
      out[i] = v === true || v === 1 ? 1 : 0;
      continue;
    }
    if (typeof v !== 'number') throw errors.parse(where, `element ${i} is ${preview(v)}, expected a number`);
    if (range !== undefined) {
      if (!Number.isInteger(v) || v < range[0] || v > range[1]) throw errors.parse(where, `element ${i} is ${v}, not a ${datatype}`);
      if (out instanceof BigInt64Array || out instanceof BigUint64Array) out[i] = BigInt(v);
      else out[i] = v;
    } else {
      out[i] = v;
    }
  }
  return out;
}

// ---- bodies ----

/**
 * Deepest nesting a body may have. A request is an object of tensors whose data nest one array
 * per dimension: 6 levels for a BERT batch. Deeper bodies are refused before `JSON.parse` (whose
 * recursion, and that of flattening the data, a body of 100 000 `[` would overflow).
 */
export const MAX_JSON_DEPTH = 32;

/** The JSON object and the bytes after it; `jsonLength` undefined means the whole body is JSON. */
function splitBody(body: Uint8Array, jsonLength: number | undefined, where: Where): { json: unknown; binary: Uint8Array } {
  if (jsonLength !== undefined && jsonLength > body.length) {
    throw errors.parse({ ...where, field: 'Inference-Header-Content-Length' }, `${jsonLength} bytes of JSON announced, the body has ${body.length}`);
  }
  const jsonBytes = jsonLength === undefined ? body : body.subarray(0, jsonLength);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(jsonBytes);
  } catch {
    throw errors.parse(where, 'body is not UTF-8 JSON');
  }
  const depth = jsonDepth(text, MAX_JSON_DEPTH * 4);
  if (depth > MAX_JSON_DEPTH) throw errors.parse(where, `JSON nested ${depth > MAX_JSON_DEPTH * 4 ? 'far ' : ''}deeper than ${MAX_JSON_DEPTH} levels`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw errors.parse(where, `body is not JSON (${e instanceof Error ? e.message : String(e)}): ${preview(text)}`);
  }
  return { json, binary: jsonLength === undefined ? new Uint8Array(0) : body.subarray(jsonLength) };
}

function joinBody(json: unknown, parts: readonly Uint8Array[]): EncodedBody {
  const jsonBytes = new TextEncoder().encode(JSON.stringify(json));
  if (parts.length === 0) return { body: jsonBytes, jsonLength: undefined, contentType: 'application/json' };
  const total = parts.reduce((n, p) => n + p.length, jsonBytes.length);
  const body = new Uint8Array(total);
  body.set(jsonBytes, 0);
  let at = jsonBytes.length;
  for (const p of parts) {
    body.set(p, at);
    at += p.length;
  }
  return { body, jsonLength: jsonBytes.length, contentType: 'application/octet-stream' };
}

/** Parse the `Inference-Header-Content-Length` header: undefined when absent. */
export function parseJsonLengthHeader(raw: string | readonly string[] | undefined, where: Where = {}): number | undefined {
  if (raw === undefined) return undefined;
  const value = typeof raw === 'string' ? raw : raw[0];
  if (value === undefined || !/^\s*\d+\s*$/.test(value)) throw errors.parse({ ...where, field: 'Inference-Header-Content-Length' }, `expected a byte count, got ${preview(value)}`);
  return Number(value);
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function objectAt(v: unknown, where: Where, what: string): Json {
  if (!isObject(v)) throw errors.parse(where, `${what} must be a JSON object, got ${preview(v)}`);
  return v;
}

function stringAt(o: Json, key: string, where: Where, prefix: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw errors.parse({ ...where, field: `${prefix}${key}` }, `expected a non-empty string, got ${preview(v)}`);
  return v;
}

function optionalString(o: Json, key: string, where: Where, prefix: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw errors.parse({ ...where, field: `${prefix}${key}` }, `expected a string, got ${preview(v)}`);
  return v;
}

function arrayAt(o: Json, key: string, where: Where, prefix: string): unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw errors.parse({ ...where, field: `${prefix}${key}` }, `expected an array, got ${preview(v)}`);
  return v as unknown[];
}

function parametersOf(o: Json, where: Where, prefix: string): Json {
  const p = o.parameters;
  if (p === undefined || p === null) return {};
  return objectAt(p, { ...where, field: `${prefix}parameters` }, 'parameters');
}

function datatypeAt(o: Json, where: Where, prefix: string): KserveDatatype {
  const d = stringAt(o, 'datatype', where, prefix);
  if (isKserveDatatype(d)) return d;
  const field = { ...where, field: `${prefix}datatype` };
  if (UNSUPPORTED_DATATYPES.has(d)) throw errors.invalidValue(field, `datatype ${d} is not supported (supported: ${Object.keys(DATATYPE_BYTES).join(', ')})`);
  throw errors.parse(field, `unknown datatype ${preview(d)}`);
}

/**
 * Read a list of tensors (`inputs` of a request, `outputs` of a response): each from its JSON
 * `data`, or from the binary part when it has `parameters.binary_data_size`, in order.
 */
function readTensors(list: unknown[], binary: Uint8Array, key: 'inputs' | 'outputs', where: Where): KserveTensor[] {
  const out: KserveTensor[] = [];
  let at = 0;
  list.forEach((raw, i) => {
    const prefix = `${key}[${i}].`;
    const o = objectAt(raw, { ...where, field: `${key}[${i}]` }, 'a tensor');
    const name = stringAt(o, 'name', where, prefix);
    const datatype = datatypeAt(o, where, prefix);
    const shape = o.shape;
    checkShape(shape, { ...where, field: `${prefix}shape` });
    const count = elementCount(shape);
    const params = parametersOf(o, where, prefix);
    const size = params.binary_data_size;
    if (size === undefined) {
      out.push({ name, datatype, shape, data: fromJsonData(datatype, o.data, count, { ...where, field: `${prefix}data` }) });
      return;
    }
    const field = { ...where, field: `${prefix}parameters.binary_data_size` };
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw errors.parse(field, `expected a byte count, got ${preview(size)}`);
    const expected = count * DATATYPE_BYTES[datatype];
    if (size !== expected) throw errors.parse(field, `${size} bytes, a ${datatype} tensor of shape [${shape.join(', ')}] takes ${expected}`);
    if (at + size > binary.length) throw errors.parse(field, `tensor data ends at byte ${at + size} of the binary part, which has ${binary.length}`);
    out.push({ name, datatype, shape, data: fromWireBytes(datatype, binary.subarray(at, at + size)) });
    at += size;
  });
  if (at !== binary.length) throw errors.parse({ ...where, field: 'Inference-Header-Content-Length' }, `${binary.length - at} bytes after the last binary tensor`);
  const seen = new Set<string>();
  for (const t of out) {
    if (seen.has(t.name)) throw errors.parse({ ...where, field: key }, `tensor ${preview(t.name)} appears twice`);
    seen.add(t.name);
  }
  return out;
}

// ---- requests ----

/** Encode a request; `binaryInputs` sends input data after the JSON (binary extension). */
export function encodeInferRequest(req: InferRequest, opts: { readonly binaryInputs: boolean }): EncodedBody {
  const parts: Uint8Array[] = [];
  const inputs = req.inputs.map((t) => {
    const head = { name: t.name, shape: t.shape, datatype: t.datatype };
    if (!opts.binaryInputs) return { ...head, data: toJsonData(t) };
    const bytes = toWireBytes(t.data);
    parts.push(bytes);
    return { ...head, parameters: { binary_data_size: bytes.length } };
  });
  const json: Json = { ...(req.id !== undefined ? { id: req.id } : {}), inputs };
  if (req.binaryOutput !== undefined) json.parameters = { binary_data_output: req.binaryOutput };
  if (req.outputs !== undefined) json.outputs = req.outputs.map((o) => ({ name: o.name, ...(o.binary !== undefined ? { parameters: { binary_data: o.binary } } : {}) }));
  return joinBody(json, parts);
}

/** Decode a request as a server receives it; errors name the field (`inputs[0].shape`, ...). */
export function decodeInferRequest(body: Uint8Array, jsonLength: number | undefined, where: Where = {}): InferRequest {
  const { json, binary } = splitBody(body, jsonLength, where);
  const o = objectAt(json, where, 'the request');
  const inputs = readTensors(arrayAt(o, 'inputs', where, ''), binary, 'inputs', where);
  if (inputs.length === 0) throw errors.parse({ ...where, field: 'inputs' }, 'no inputs');
  const id = optionalString(o, 'id', where, '');
  const params = parametersOf(o, where, '');
  const binaryOutput = booleanParam(params, 'binary_data_output', where, 'parameters.');
  let outputs: RequestedOutput[] | undefined;
  if (o.outputs !== undefined && o.outputs !== null) {
    outputs = arrayAt(o, 'outputs', where, '').map((raw, i) => {
      const prefix = `outputs[${i}].`;
      const r = objectAt(raw, { ...where, field: `outputs[${i}]` }, 'a requested output');
      const binaryFlag = booleanParam(parametersOf(r, where, prefix), 'binary_data', where, `${prefix}parameters.`);
      return { name: stringAt(r, 'name', where, prefix), ...(binaryFlag !== undefined ? { binary: binaryFlag } : {}) };
    });
  }
  return { ...(id !== undefined ? { id } : {}), inputs, ...(outputs !== undefined ? { outputs } : {}), ...(binaryOutput !== undefined ? { binaryOutput } : {}) };
}

function booleanParam(params: Json, key: string, where: Where, prefix: string): boolean | undefined {
  const v = params[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw errors.parse({ ...where, field: `${prefix}${key}` }, `expected true or false, got ${preview(v)}`);
  return v;
}

/** Whether the request asks for this output in binary: its own `binary_data`, else the request's `binary_data_output`. */
export function wantsBinaryOutput(req: InferRequest, name: string): boolean {
  return req.outputs?.find((o) => o.name === name)?.binary ?? req.binaryOutput ?? false;
}

// ---- responses ----

/** Encode a response; `binary(name)` says which outputs go after the JSON. */
export function encodeInferResponse(resp: InferResponse, binary: (name: string) => boolean): EncodedBody {
  const parts: Uint8Array[] = [];
  const outputs = resp.outputs.map((t) => {
    const head = { name: t.name, datatype: t.datatype, shape: t.shape };
    if (!binary(t.name)) return { ...head, data: toJsonData(t) };
    const bytes = toWireBytes(t.data);
    parts.push(bytes);
    return { ...head, parameters: { binary_data_size: bytes.length } };
  });
  const json = {
    model_name: resp.modelName,
    ...(resp.modelVersion !== undefined ? { model_version: resp.modelVersion } : {}),
    ...(resp.id !== undefined ? { id: resp.id } : {}),
    outputs,
  };
  return joinBody(json, parts);
}

/** Decode a response as a client receives it; `where.file` should be the URL it came from. */
export function decodeInferResponse(body: Uint8Array, jsonLength: number | undefined, where: Where = {}): InferResponse {
  const { json, binary } = splitBody(body, jsonLength, where);
  const o = objectAt(json, where, 'the response');
  const modelName = stringAt(o, 'model_name', where, '');
  const modelVersion = optionalString(o, 'model_version', where, '');
  const id = optionalString(o, 'id', where, '');
  const outputs = readTensors(arrayAt(o, 'outputs', where, ''), binary, 'outputs', where);
  return { modelName, ...(modelVersion !== undefined ? { modelVersion } : {}), ...(id !== undefined ? { id } : {}), outputs };
}

// ---- metadata and errors ----

function readTensorMetadata(list: unknown[], key: 'inputs' | 'outputs', where: Where): TensorMetadata[] {
  return list.map((raw, i) => {
    const prefix = `${key}[${i}].`;
    const o = objectAt(raw, { ...where, field: `${key}[${i}]` }, 'a tensor description');
    const name = stringAt(o, 'name', where, prefix);
    const datatype = stringAt(o, 'datatype', where, prefix);
    const shape = o.shape;
    if (!Array.isArray(shape) || !shape.every((d): d is number => Number.isSafeInteger(d) && (d as number) >= -1)) {
      throw errors.parse({ ...where, field: `${prefix}shape` }, `expected an array of integers (-1 for dynamic), got ${preview(shape)}`);
    }
    return { name, datatype, shape };
  });
}

/** `GET /v2/models/{name}[/versions/{v}]`. */
export function parseModelMetadata(json: unknown, where: Where = {}): ModelMetadata {
  const o = objectAt(json, where, 'model metadata');
  const versions = o.versions === undefined || o.versions === null ? [] : arrayAt(o, 'versions', where, '');
  if (!versions.every((v): v is string => typeof v === 'string')) throw errors.parse({ ...where, field: 'versions' }, `expected strings, got ${preview(versions)}`);
  return {
    name: stringAt(o, 'name', where, ''),
    versions,
    platform: optionalString(o, 'platform', where, '') ?? '',
    inputs: readTensorMetadata(arrayAt(o, 'inputs', where, ''), 'inputs', where),
    outputs: readTensorMetadata(arrayAt(o, 'outputs', where, ''), 'outputs', where),
  };
}

/** `GET /v2`. */
export function parseServerMetadata(json: unknown, where: Where = {}): ServerMetadata {
  const o = objectAt(json, where, 'server metadata');
  const extensions = o.extensions === undefined || o.extensions === null ? [] : arrayAt(o, 'extensions', where, '');
  if (!extensions.every((v): v is string => typeof v === 'string')) throw errors.parse({ ...where, field: 'extensions' }, `expected strings, got ${preview(extensions)}`);
  return { name: optionalString(o, 'name', where, '') ?? '', version: optionalString(o, 'version', where, '') ?? '', extensions };
}

/** JSON of a whole body (metadata, health), with the same errors as inference bodies. */
export function parseJsonBody(body: Uint8Array, where: Where = {}): unknown {
  return splitBody(body, undefined, where).json;
}

/** The server's explanation in an error response: `{"error": "..."}` as the protocol says, else the text; one line, shortened. */
export function errorMessageOf(body: Uint8Array, max = 300): string {
  const text = new TextDecoder().decode(body.subarray(0, 64 * 1024));
  let message = text;
  try {
    const json: unknown = JSON.parse(text);
    if (isObject(json) && typeof json.error === 'string') message = json.error;
  } catch {
    // Not JSON: a proxy's HTML page or plain text; show it as it is.
  }
  const oneLine = message.replace(/\s+/g, ' ').trim();
  return oneLine.length > max ? `${oneLine.slice(0, max)}…` : oneLine;
}

/** A value shown in a message: JSON, shortened so one bad body cannot flood the terminal. */
function preview(v: unknown, max = 60): string {
  let s: string;
  try {
    // JSON.stringify gives undefined (despite its type) for undefined and functions.
    const json = typeof v === 'bigint' ? v.toString() : (JSON.stringify(v) as string | undefined);
    s = json ?? (v === undefined ? 'nothing' : typeof v);
  } catch {
    s = String(v);
  }
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
