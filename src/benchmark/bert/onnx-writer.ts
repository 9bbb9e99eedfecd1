/**
 * A minimal ONNX model encoder: just the parts of `onnx.proto3` a feed-forward inference graph
 * needs (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto, ValueInfoProto), with
 * the field numbers of the ONNX specification.
 *
 * Why not build the whole ModelProto in memory: BERT-Large holds 1.34 GB of float32 weights, and
 * protobufjs (like every protobuf library) encodes a message into one buffer. The protobuf wire
 * format lets us do better: every message is a sequence of fields in any order, and an embedded
 * message is a length prefix followed by its bytes. So the small parts (model header, nodes,
 * inputs, outputs, tensor headers) are encoded with protobufjs, the lengths of the large parts are
 * computed up front, and the weights are written to the sink in chunks as they are produced.
 * Memory stays at one chunk, whatever the model size.
 *
 * Pure: no I/O. The caller supplies the sink (a file, a buffer).
 */
import protobuf from 'protobufjs';
import { errors } from '../../errors.js';

/**
 * IR version 8 is the one ONNX 1.12 introduced with opset 17 (the first opset with
 * LayerNormalization). onnxruntime 1.30 reads IR versions up to 11, so 8 is comfortably inside
 * what it accepts, and old enough for other runtimes too.
 */
export const ONNX_IR_VERSION = 8;
/** Default-domain opset the synthetic models target (LayerNormalization needs 17). */
export const ONNX_OPSET = 17;

/** ONNX's `TensorProto.DataType` values for the element types used here. */
export const OnnxDataType = { float32: 1, int32: 6, int64: 7 } as const;
export type OnnxElemType = keyof typeof OnnxDataType;

/** The subset of onnx.proto3 this writer encodes (field numbers as in the specification). */
const ONNX_PROTO = `
syntax = "proto3";
package onnx;
message AttributeProto {
  enum AttributeType { UNDEFINED = 0; FLOAT = 1; INT = 2; STRING = 3; TENSOR = 4; GRAPH = 5; FLOATS = 6; INTS = 7; STRINGS = 8; }
  string name = 1;
  AttributeType type = 20;
  float f = 2;
  int64 i = 3;
  bytes s = 4;
  TensorProto t = 5;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
}
message ValueInfoProto { string name = 1; TypeProto type = 2; string doc_string = 3; }
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  string name = 3;
  string op_type = 4;
  repeated AttributeProto attribute = 5;
  string doc_string = 6;
  string domain = 7;
}
message StringStringEntryProto { string key = 1; string value = 2; }
message OperatorSetIdProto { string domain = 1; int64 version = 2; }
message TensorShapeProto {
  message Dimension { oneof value { int64 dim_value = 1; string dim_param = 2; } string denotation = 3; }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { int32 elem_type = 1; TensorShapeProto shape = 2; }
  oneof value { Tensor tensor_type = 1; }
  string denotation = 6;
}
message TensorProto {
  repeated int64 dims = 1;
  int32 data_type = 2;
  string name = 8;
  bytes raw_data = 9;
  string doc_string = 12;
}
message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
  repeated ValueInfoProto value_info = 13;
}
message ModelProto {
  int64 ir_version = 1;
  string producer_name = 2;
  string producer_version = 3;
  string domain = 4;
  int64 model_version = 5;
  string doc_string = 6;
  GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
  repeated StringStringEntryProto metadata_props = 14;
}
`;

/** Field tags (field number << 3 | wire type 2, length-delimited) the streaming path writes by hand. */
const TAG_MODEL_GRAPH = (7 << 3) | 2;
const TAG_GRAPH_INITIALIZER = (5 << 3) | 2;
const TAG_TENSOR_RAW_DATA = (9 << 3) | 2;

/** protobuf's own limit on a message: parsers (onnxruntime's included) refuse anything larger. */
export const PROTOBUF_MAX_BYTES = 2 ** 31 - 1;

let cachedTypes: { model: protobuf.Type; graph: protobuf.Type; tensor: protobuf.Type } | undefined;
function types(): { model: protobuf.Type; graph: protobuf.Type; tensor: protobuf.Type } {
  if (cachedTypes === undefined) {
    const root = protobuf.parse(ONNX_PROTO, { keepCase: true }).root;
    cachedTypes = {
      model: root.lookupType('onnx.ModelProto'),
      graph: root.lookupType('onnx.GraphProto'),
      tensor: root.lookupType('onnx.TensorProto'),
    };
  }
  return cachedTypes;
}

/** A node attribute, typed as ONNX types it (an integer 1 and a float 1.0 differ). */
export type OnnxAttribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string };

export const attr = {
  int: (value: number): OnnxAttribute => ({ kind: 'int', value }),
  float: (value: number): OnnxAttribute => ({ kind: 'float', value }),
  ints: (value: readonly number[]): OnnxAttribute => ({ kind: 'ints', value }),
  string: (value: string): OnnxAttribute => ({ kind: 'string', value }),
} as const;

export interface OnnxNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name?: string;
  readonly attributes?: Readonly<Record<string, OnnxAttribute>>;
}

/** A graph input or output: element type and shape, a string naming a dynamic dimension. */
export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: OnnxElemType;
  readonly shape: readonly (number | string)[];
}

/** Fills `out` with the next `out.length` values of a tensor, in row-major order. */
export type FloatFiller = (out: Float32Array) => void;

/**
 * A weight or constant. Small ones carry their values; large float ones carry a way to produce
 * them in order (`open` starts from the first element each time it is called), so the writer
 * never holds more than one chunk.
 */
export type OnnxInitializer =
  | { readonly name: string; readonly dims: readonly number[]; readonly values: Float32Array | BigInt64Array | Int32Array }
  | { readonly name: string; readonly dims: readonly number[]; readonly open: () => FloatFiller };

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
  readonly initializers: readonly OnnxInitializer[];
}

export interface OnnxModel {
  readonly graph: OnnxGraph;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly docString?: string;
  /** Stored as ModelProto.metadata_props; onnxruntime exposes them as custom metadata. */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly irVersion?: number;
  readonly opset?: number;
}

/** Where encoded bytes go. The writer awaits each write and may reuse `bytes` afterwards. */
export interface ByteSink {
  write(bytes: Uint8Array): Promise<void> | void;
}

export interface WriteOptions {
  /** Elements per chunk when producing streamed weights (default 2^20, i.e. 4 MiB of float32). */
  readonly chunkElements?: number;
  /** Told after each chunk: bytes written so far and the total. */
  readonly onProgress?: (writtenBytes: number, totalBytes: number) => void;
}

/** Number of elements of a tensor with these dimensions (1 for a scalar). */
export function elementCount(dims: readonly number[]): number {
  return dims.reduce((n, d) => n * d, 1);
}

function elemBytes(init: OnnxInitializer): { dataType: number; bytesPerElement: number } {
  if ('open' in init) return { dataType: OnnxDataType.float32, bytesPerElement: 4 };
  if (init.values instanceof Float32Array) return { dataType: OnnxDataType.float32, bytesPerElement: 4 };
  if (init.values instanceof BigInt64Array) return { dataType: OnnxDataType.int64, bytesPerElement: 8 };
  return { dataType: OnnxDataType.int32, bytesPerElement: 4 };
}

/** Bytes of a varint: 7 bits each. Arithmetic, not bit operators, so lengths above 2^31 work too. */
function varintLength(n: number): number {
  let len = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    len++;
  }
  return len;
}

function encodeVarint(n: number): Uint8Array {
  const out = new Uint8Array(varintLength(n));
  for (let i = 0; i < out.length; i++) {
    const low = n % 128;
    n = Math.floor(n / 128);
    out[i] = i < out.length - 1 ? low | 128 : low;
  }
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Weights are written as little-endian bytes straight from typed arrays; refuse a big-endian host. */
function assertLittleEndian(): void {
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw errors.internal('ONNX raw_data is little-endian; this host is big-endian');
}

function attributeMessage(name: string, a: OnnxAttribute): Record<string, unknown> {
  switch (a.kind) {
    case 'int':
      return { name, type: 2, i: a.value };
    case 'float':
      return { name, type: 1, f: a.value };
    case 'ints':
      return { name, type: 7, ints: [...a.value] };
    case 'string':
      return { name, type: 3, s: new TextEncoder().encode(a.value) };
  }
}

function valueInfoMessage(v: OnnxValueInfo): Record<string, unknown> {
  return {
    name: v.name,
    type: {
      tensor_type: {
        elem_type: OnnxDataType[v.elemType],
        shape: { dim: v.shape.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
      },
    },
  };
}

function nodeMessage(n: OnnxNode): Record<string, unknown> {
  return {
    input: [...n.inputs],
    output: [...n.outputs],
    name: n.name ?? '',
    op_type: n.opType,
    attribute: Object.entries(n.attributes ?? {}).map(([k, a]) => attributeMessage(k, a)),
  };
}

/** The encoded parts of one initializer and its sizes, computed before any weight is produced. */
interface PlannedInitializer {
  readonly init: OnnxInitializer;
  /** Tag, length and TensorProto fields up to and including raw_data's tag and length. */
  readonly prefix: Uint8Array;
  readonly rawBytes: number;
}

function planInitializer(init: OnnxInitializer): PlannedInitializer {
  const { dataType, bytesPerElement } = elemBytes(init);
  const count = elementCount(init.dims);
  if ('values' in init && init.values.length !== count) {
    throw errors.invalidValue({ field: init.name }, `initializer has ${init.values.length} values for dims [${init.dims.join(', ')}] (${count})`);
  }
  const header = types().tensor.encode({ dims: [...init.dims], data_type: dataType, name: init.name }).finish();
  const rawBytes = count * bytesPerElement;
  const rawLen = encodeVarint(rawBytes);
  const tensorBytes = header.length + 1 + rawLen.length + rawBytes;
  const prefix = concat([Uint8Array.of(TAG_GRAPH_INITIALIZER), encodeVarint(tensorBytes), header, Uint8Array.of(TAG_TENSOR_RAW_DATA), rawLen]);
  return { init, prefix, rawBytes };
}

function plannedBytes(p: PlannedInitializer): number {
  return p.prefix.length + p.rawBytes;
}

interface ModelPlan {
  readonly head: Uint8Array;
  readonly initializers: readonly PlannedInitializer[];
  readonly totalBytes: number;
}

function planModel(model: OnnxModel): ModelPlan {
  const t = types();
  const g = model.graph;
  const modelHeader = t.model
    .encode({
      ir_version: model.irVersion ?? ONNX_IR_VERSION,
      producer_name: model.producerName,
      producer_version: model.producerVersion,
      doc_string: model.docString ?? '',
      opset_import: [{ domain: '', version: model.opset ?? ONNX_OPSET }],
      metadata_props: Object.entries(model.metadata ?? {}).map(([key, value]) => ({ key, value })),
    })
    .finish();
  const graphBody = t.graph
    .encode({ node: g.nodes.map(nodeMessage), name: g.name, input: g.inputs.map(valueInfoMessage), output: g.outputs.map(valueInfoMessage) })
    .finish();
  const initializers = g.initializers.map(planInitializer);
  const graphBytes = graphBody.length + initializers.reduce((n, p) => n + plannedBytes(p), 0);
  const head = concat([modelHeader, Uint8Array.of(TAG_MODEL_GRAPH), encodeVarint(graphBytes), graphBody]);
  const totalBytes = head.length + graphBytes - graphBody.length;
  if (totalBytes > PROTOBUF_MAX_BYTES) {
    throw errors.invalidValue({ field: 'graph' }, `model would be ${totalBytes} bytes; a single ONNX protobuf file cannot exceed 2 GiB`);
  }
  return { head, initializers, totalBytes };
}

/** Size in bytes of the encoded model, without producing any weight. */
export function onnxModelBytes(model: OnnxModel): number {
  return planModel(model).totalBytes;
}

/**
 * Encode `model` into `sink`, producing streamed weights chunk by chunk. Returns the number of
 * bytes written (equal to `onnxModelBytes(model)`).
 */
export async function writeOnnxModel(model: OnnxModel, sink: ByteSink, opts: WriteOptions = {}): Promise<number> {
  assertLittleEndian();
  const chunkElements = opts.chunkElements ?? 1 << 20;
  if (!Number.isInteger(chunkElements) || chunkElements < 1) throw errors.invalidValue({ field: 'chunkElements' }, `must be a positive integer, got ${chunkElements}`);
  const plan = planModel(model);
  let written = 0;
  const emit = async (bytes: Uint8Array): Promise<void> => {
    await sink.write(bytes);
    written += bytes.length;
    opts.onProgress?.(written, plan.totalBytes);
  };
  await emit(plan.head);
  let chunk: Float32Array | undefined;
  for (const p of plan.initializers) {
    await emit(p.prefix);
    const init = p.init;
    if ('values' in init) {
      await emit(new Uint8Array(init.values.buffer, init.values.byteOffset, init.values.byteLength));
      continue;
    }
    chunk ??= new Float32Array(chunkElements);
    const fill = init.open();
    let left = elementCount(init.dims);
    while (left > 0) {
      const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
      fill(part);
      await emit(new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
      left -= part.length;
    }
  }
  if (written !== plan.totalBytes) throw errors.internal(`ONNX writer wrote ${written} bytes, planned ${plan.totalBytes}`);
  return written;
}

/** Encode a (small) model into one buffer. */
export async function encodeOnnxModel(model: OnnxModel, opts: WriteOptions = {}): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  // The writer may reuse its chunk buffer after a write, so keep copies.
  await writeOnnxModel(model, { write: (b) => void parts.push(b.slice()) }, opts);
  return concat(parts);
}

// ---- decoding, to inspect what was written (tests, diagnostics) ----

export interface DecodedTensor {
  readonly name: string;
  readonly dataType: number;
  readonly dims: readonly number[];
  readonly rawData: Uint8Array;
}

export interface DecodedNode {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly { readonly name: string; readonly type: number }[];
}

export interface DecodedValueInfo {
  readonly name: string;
  readonly elemType: number;
  readonly shape: readonly (number | string)[];
}

export interface DecodedOnnxModel {
  readonly irVersion: number;
  readonly opsets: readonly { readonly domain: string; readonly version: number }[];
  readonly producerName: string;
  readonly producerVersion: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly graph: {
    readonly name: string;
    readonly nodes: readonly DecodedNode[];
    readonly inputs: readonly DecodedValueInfo[];
    readonly outputs: readonly DecodedValueInfo[];
    readonly initializers: readonly DecodedTensor[];
  };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const objs = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : []);
const nums = (v: unknown): number[] => (Array.isArray(v) ? v.map(num) : []);

function decodeValueInfo(v: Obj): DecodedValueInfo {
  const tensorType = isObj(v.type) && isObj(v.type.tensor_type) ? v.type.tensor_type : {};
  const dims = isObj(tensorType.shape) ? objs(tensorType.shape.dim) : [];
  return {
    name: str(v.name),
    elemType: num(tensorType.elem_type),
    shape: dims.map((d) => (typeof d.dim_param === 'string' ? d.dim_param : num(d.dim_value))),
  };
}

/** Decode an ONNX file's bytes (the fields this module knows; others are skipped). */
export function decodeOnnxModel(bytes: Uint8Array, file = 'model.onnx'): DecodedOnnxModel {
  let decoded: Obj;
  try {
    decoded = types().model.toObject(types().model.decode(bytes), { longs: Number, defaults: false });
  } catch (e) {
    throw errors.parse({ file }, `not an ONNX model: ${e instanceof Error ? e.message : String(e)}`);
  }
  const graph = isObj(decoded.graph) ? decoded.graph : {};
  return {
    irVersion: num(decoded.ir_version),
    opsets: objs(decoded.opset_import).map((o) => ({ domain: str(o.domain), version: num(o.version) })),
    producerName: str(decoded.producer_name),
    producerVersion: str(decoded.producer_version),
    metadata: Object.fromEntries(objs(decoded.metadata_props).map((e) => [str(e.key), str(e.value)])),
    graph: {
      name: str(graph.name),
      nodes: objs(graph.node).map((n) => ({
        opType: str(n.op_type),
        name: str(n.name),
        inputs: strs(n.input),
        outputs: strs(n.output),
        attributes: objs(n.attribute).map((a) => ({ name: str(a.name), type: num(a.type) })),
      })),
      inputs: objs(graph.input).map(decodeValueInfo),
      outputs: objs(graph.output).map(decodeValueInfo),
      initializers: objs(graph.initializer).map((t) => ({
        name: str(t.name),
        dataType: num(t.data_type),
        dims: nums(t.dims),
        rawData: t.raw_data instanceof Uint8Array ? t.raw_data : new Uint8Array(0),
      })),
    },
  };
}
