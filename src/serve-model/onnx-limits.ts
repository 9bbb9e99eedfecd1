/**
 * The input ranges a BERT ONNX model accepts, read from the model file: how many token ids its
 * word-embedding table has (the vocabulary), how many segment ids its token-type table has, and
 * how many positions its position table has (the longest sequence). ONNX Runtime's metadata says
 * none of this, and a request that breaks them fails inside the session: on the CPU a `Gather`
 * refuses the index (a 500 for what is the client's mistake), on CUDA it may read out of bounds.
 * `serve-model` checks requests against these limits first and answers 400.
 *
 * How: the protobuf of the ModelProto is walked field by field without loading it. Nodes and
 * tensor headers (names, dims) are read; tensor data (`raw_data`, `float_data`, ... — 1.3 GB in
 * BERT-Large) is skipped by its length prefix, so the cost is a few thousand small reads.
 * - vocabulary / segment ids: a `Gather` whose data is a rank-2 initializer and whose indices come
 *   from the input (directly, or through Cast/Reshape/Unsqueeze/Squeeze/Flatten/Identity): the
 *   table's first dimension.
 * - positions: a rank-2 initializer whose name says "position" (`embeddings.position`,
 *   `bert.embeddings.position_embeddings.weight`, `bert/embeddings/position_embeddings`): its
 *   first dimension.
 * A limit that cannot be found is left undefined (e.g. a TF export that looks embeddings up by a
 * one-hot product, which has no out-of-range failure to protect against); the model still loads.
 */
import { open } from 'node:fs/promises';

export interface BertInputLimits {
  /** Token ids must lie in [0, vocabSize). */
  readonly vocabSize?: number;
  /** Segment ids must lie in [0, typeVocabSize). */
  readonly typeVocabSize?: number;
  /** Rows of the position table: the longest sequence the model takes. */
  readonly maxPositions?: number;
}

/** Reads `length` bytes at `position` (fewer at the end of the file). */
export type ReadAt = (position: number, length: number) => Promise<Uint8Array>;

interface Node {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

interface Initializer {
  readonly name: string;
  readonly dims: readonly number[];
}

/** Nodes bigger than this are not read (a node holds names and attributes, never weights). */
const MAX_NODE_BYTES = 1 << 20;
const CHUNK = 64 * 1024;
/** Ops that carry ids through unchanged in value (only in type or shape). */
const PASS_THROUGH = new Set(['Cast', 'Reshape', 'Unsqueeze', 'Squeeze', 'Flatten', 'Identity']);

/** A forward reader over `ReadAt` with a small window, so field headers cost no syscall each. */
class Cursor {
  private buf: Uint8Array = new Uint8Array(0);
  private bufAt = 0;
  constructor(
    private readonly readAt: ReadAt,
    public pos: number,
  ) {}

  private async ensure(n: number): Promise<void> {
    if (this.pos >= this.bufAt && this.pos + n <= this.bufAt + this.buf.length) return;
    this.buf = await this.readAt(this.pos, Math.max(n, CHUNK));
    this.bufAt = this.pos;
    if (this.buf.length < n) throw new Truncated();
  }

  async varint(): Promise<number> {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      await this.ensure(1);
      const b = this.buf[this.pos - this.bufAt]!;
      this.pos++;
      result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return result;
    }
    throw new Malformed();
  }

  async bytes(n: number): Promise<Uint8Array> {
    await this.ensure(n);
    const at = this.pos - this.bufAt;
    this.pos += n;
    return this.buf.subarray(at, at + n);
  }
}

class Truncated extends Error {}
class Malformed extends Error {}

/** Calls `onField(field, wireType, cursor, end)` for each field in [cursor.pos, end); skips what it leaves unread. */
async function fields(c: Cursor, end: number, onField: (field: number, wire: number, length: number) => Promise<void>): Promise<void> {
  while (c.pos < end) {
    const key = await c.varint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    let length = 0;
    if (wire === 2) length = await c.varint();
    const start = c.pos;
    if (wire === 2) {
      if (start + length > end) throw new Malformed();
      await onField(field, wire, length);
      c.pos = start + length;
    } else if (wire === 0) {
      await onField(field, wire, 0);
      if (c.pos === start) await c.varint();
    } else if (wire === 1) c.pos += 8;
    else if (wire === 5) c.pos += 4;
    else throw new Malformed();
  }
}

const utf8 = new TextDecoder();

/** Decode a small message already in memory (a node), field by field. */
function memFields(bytes: Uint8Array, onField: (field: number, wire: number, value: number, data: Uint8Array) => void): void {
  let at = 0;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (at >= bytes.length) throw new Malformed();
      const b = bytes[at++]!;
      result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) return result;
    }
    throw new Malformed();
  };
  while (at < bytes.length) {
    const key = varint();
    const wire = key % 8;
    const field = Math.floor(key / 8);
    if (wire === 0) onField(field, wire, varint(), bytes.subarray(0, 0));
    else if (wire === 2) {
      const n = varint();
      if (at + n > bytes.length) throw new Malformed();
      onField(field, wire, n, bytes.subarray(at, at + n));
      at += n;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else throw new Malformed();
  }
}

async function readGraph(c: Cursor, end: number): Promise<{ nodes: Node[]; initializers: Initializer[] }> {
  const nodes: Node[] = [];
  const initializers: Initializer[] = [];
  await fields(c, end, async (field, wire, length) => {
    if (wire !== 2) return;
    if (field === 1 && length <= MAX_NODE_BYTES) {
      // NodeProto: input = 1, output = 2, op_type = 4.
      const inputs: string[] = [];
      const outputs: string[] = [];
      let op = '';
      memFields(await c.bytes(length), (f, w, _v, data) => {
        if (w !== 2) return;
        if (f === 1) inputs.push(utf8.decode(data));
        else if (f === 2) outputs.push(utf8.decode(data));
        else if (f === 4) op = utf8.decode(data);
      });
      nodes.push({ op, inputs, outputs });
    } else if (field === 5) {
      // TensorProto: dims = 1 (varint, or packed), name = 8; the data fields are skipped.
      const dims: number[] = [];
      let name = '';
      const tensorEnd = c.pos + length;
      await fields(c, tensorEnd, async (f, w, n) => {
        if (f === 1 && w === 0) dims.push(await c.varint());
        else if (f === 1 && w === 2) dims.push(...packedVarints(await c.bytes(n)));
        else if (f === 8 && w === 2 && n <= 4096) name = utf8.decode(await c.bytes(n));
      });
      initializers.push({ name, dims });
    }
  });
  return { nodes, initializers };
}

/** Packed dims are rare in ONNX writers; read them when present. */
function packedVarints(bytes: Uint8Array): number[] {
  const out: number[] = [];
  let at = 0;
  while (at < bytes.length) {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (at >= bytes.length) throw new Malformed();
      const b = bytes[at++]!;
      result += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) break;
    }
    out.push(result);
  }
  return out;
}

/** The model's graph: its nodes and initializer headers. */
export async function readOnnxGraphHeaders(readAt: ReadAt, size: number): Promise<{ nodes: Node[]; initializers: Initializer[] }> {
  const c = new Cursor(readAt, 0);
  let graph: { nodes: Node[]; initializers: Initializer[] } = { nodes: [], initializers: [] };
  await fields(c, size, async (field, wire, length) => {
    // ModelProto.graph = 7.
    if (field === 7 && wire === 2) graph = await readGraph(c, c.pos + length);
  });
  return graph;
}

/** The limits of a BERT model's inputs, from its graph (see the module comment). */
export function bertInputLimits(graph: { readonly nodes: readonly Node[]; readonly initializers: readonly Initializer[] }, inputs: { readonly inputIds: string; readonly segmentIds: string }): BertInputLimits {
  const producer = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) producer.set(o, n);
  const table = new Map<string, readonly number[]>();
  for (const t of graph.initializers) table.set(t.name, t.dims);
  /** The graph input an indices tensor comes from, through value-preserving ops. */
  const sourceOf = (name: string): string => {
    let at = name;
    for (let hops = 0; hops < 16; hops++) {
      const p = producer.get(at);
      if (p === undefined || !PASS_THROUGH.has(p.op) || p.inputs[0] === undefined) return at;
      at = p.inputs[0];
    }
    return at;
  };
  const rows = (input: string): number | undefined => {
    let min: number | undefined;
    for (const n of graph.nodes) {
      if (n.op !== 'Gather' || n.inputs.length < 2) continue;
      const dims = table.get(n.inputs[0]!);
      if (dims === undefined || dims.length !== 2 || !(dims[0]! > 0)) continue;
      if (sourceOf(n.inputs[1]!) !== input) continue;
      min = min === undefined ? dims[0]! : Math.min(min, dims[0]!);
    }
    return min;
  };
  const vocabSize = rows(inputs.inputIds);
  const typeVocabSize = rows(inputs.segmentIds);
  const position = graph.initializers.find((t) => /position/i.test(t.name) && t.dims.length === 2 && t.dims[0]! > 0);
  return {
    ...(vocabSize !== undefined ? { vocabSize } : {}),
    ...(typeVocabSize !== undefined ? { typeVocabSize } : {}),
    ...(position !== undefined ? { maxPositions: position.dims[0]! } : {}),
  };
}

/**
 * The limits of the BERT model in `path`; `{}` when the file cannot be walked (ONNX Runtime
 * loaded it, so it is a model; only the extra checks are lost, and `note` says why).
 */
export async function readBertInputLimits(path: string, inputs: { readonly inputIds: string; readonly segmentIds: string }): Promise<{ limits: BertInputLimits; note?: string }> {
  const handle = await open(path, 'r');
  try {
    const size = (await handle.stat()).size;
    const readAt: ReadAt = async (position, length) => {
      const buf = new Uint8Array(Math.max(0, Math.min(length, size - position)));
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await handle.read(buf, got, buf.length - got, position + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      return buf.subarray(0, got);
    };
    try {
      return { limits: bertInputLimits(await readOnnxGraphHeaders(readAt, size), inputs) };
    } catch (e) {
      if (e instanceof Truncated || e instanceof Malformed) return { limits: {}, note: 'the model file could not be walked for its embedding tables; token ids are checked for sign only' };
      throw e;
    }
  } finally {
    await handle.close();
  }
}
