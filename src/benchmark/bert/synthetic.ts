/**
 * Synthetic BERT question-answering models: the real BERT graph (embeddings, multi-head
 * self-attention with the padding mask, GELU feed-forward, layer norm, SQuAD span head) with
 * random weights from a fixed seed, so the benchmark runs the MLPerf workload's arithmetic with
 * nothing downloaded. The logits mean nothing; the work per query is the real model's.
 *
 * Pure: builds an `OnnxModel` description whose weights are produced on demand while it is
 * written (see onnx-writer.ts); the cache (model-cache.ts) does the file I/O.
 */
import { errors } from '../../errors.js';
import { attr, elementCount, onnxModelBytes, OnnxDataType, type FloatFiller, type OnnxAttribute, type OnnxInitializer, type OnnxModel, type OnnxNode } from './onnx-writer.js';

/**
 * Bump whenever a change alters the bytes written for a given preset and seed (graph, weight
 * order, PRNG, initialisation), so cached models from an older generator are not reused.
 */
export const SYNTHETIC_BERT_GENERATOR_VERSION = 1;

/** Seed used when none is given. */
export const DEFAULT_SYNTHETIC_SEED = 42n;

export interface BertConfig {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly vocabSize: number;
  /** Rows of the position-embedding table: the longest sequence the model accepts. */
  readonly maxPositions: number;
  readonly typeVocabSize: number;
  /** The sequence length the benchmark feeds (MLPerf: 384). The graph itself accepts 1..maxPositions. */
  readonly seqLen: number;
  readonly layerNormEps: number;
  /** Standard deviation of the weight initialiser (BERT's `initializer_range`). */
  readonly initStdDev: number;
}

const BERT_COMMON = { vocabSize: 30522, maxPositions: 512, typeVocabSize: 2, seqLen: 384, layerNormEps: 1e-12, initStdDev: 0.02 } as const;

export const BERT_PRESETS = {
  /** BERT-Large, the MLPerf Inference model: 24 × 1024, 16 heads. */
  'bert-large': { ...BERT_COMMON, layers: 24, hidden: 1024, heads: 16, intermediate: 4096 },
  'bert-base': { ...BERT_COMMON, layers: 12, hidden: 768, heads: 12, intermediate: 3072 },
  /** Google's BERT-Tiny shape (2 × 128, 2 heads), for tests. */
  'bert-tiny': { ...BERT_COMMON, layers: 2, hidden: 128, heads: 2, intermediate: 512 },
} as const satisfies Record<string, BertConfig>;

export type BertPresetName = keyof typeof BERT_PRESETS;

export function isBertPresetName(name: string): name is BertPresetName {
  return Object.hasOwn(BERT_PRESETS, name);
}

/**
 * Tensor names of the two MLPerf BERT ONNX files (reference/mlperf-loadgen.md §7): the fp32
 * `model.onnx` exported by `bert_tf_to_pytorch.py`, and the int8 fake-quantised model, whose
 * input names the reference SUT (`onnxruntime_SUT.py`) uses. The reference does not name the
 * int8 model's outputs (its SUT reads them by position); `start_logits`/`end_logits` is the
 * Hugging Face convention, and the SUT here matches outputs by "start"/"end", then by position.
 */
export const BERT_IO_NAMES = {
  mlperf: { inputIds: 'input_ids', inputMask: 'input_mask', segmentIds: 'segment_ids', startLogits: 'output_start_logits', endLogits: 'output_end_logits' },
  'mlperf-int8': { inputIds: 'input_ids', inputMask: 'attention_mask', segmentIds: 'token_type_ids', startLogits: 'start_logits', endLogits: 'end_logits' },
} as const;

export type BertIoNaming = keyof typeof BERT_IO_NAMES;

export interface SyntheticBertOptions {
  readonly preset: BertPresetName;
  /** 0 ≤ seed < 2^64 (default `DEFAULT_SYNTHETIC_SEED`). */
  readonly seed?: bigint | number;
  /** Tensor names to use (default `mlperf`). */
  readonly io?: BertIoNaming;
}

type WeightInit = 'normal' | 'zeros' | 'ones';

/** One learned tensor of the model: name, shape and how it is initialised. */
export interface BertWeight {
  readonly name: string;
  readonly dims: readonly number[];
  readonly init: WeightInit;
}

/**
 * The learned tensors, in the order they are written. BERT's initialisation: weights from a
 * normal(0, initStdDev) truncated at two standard deviations (TF's `truncated_normal`, which BERT
 * uses), biases 0, layer-norm scale 1 and shift 0. No pooler: the SQuAD head does not use it, and
 * MLPerf's exported model does not contain it.
 */
export function bertWeights(c: BertConfig): BertWeight[] {
  const w: BertWeight[] = [];
  const add = (name: string, dims: number[], init: WeightInit): void => void w.push({ name, dims, init });
  const layerNorm = (prefix: string): void => {
    add(`${prefix}.gamma`, [c.hidden], 'ones');
    add(`${prefix}.beta`, [c.hidden], 'zeros');
  };
  const dense = (prefix: string, inDim: number, outDim: number): void => {
    // Stored [in, out], as MatMul(x, W) consumes it (PyTorch's Linear weight, transposed on export).
    add(`${prefix}.weight`, [inDim, outDim], 'normal');
    add(`${prefix}.bias`, [outDim], 'zeros');
  };
  add('embeddings.word', [c.vocabSize, c.hidden], 'normal');
  add('embeddings.position', [c.maxPositions, c.hidden], 'normal');
  add('embeddings.token_type', [c.typeVocabSize, c.hidden], 'normal');
  layerNorm('embeddings.layer_norm');
  for (let l = 0; l < c.layers; l++) {
    const p = `layer${l}`;
    dense(`${p}.attention.query`, c.hidden, c.hidden);
    dense(`${p}.attention.key`, c.hidden, c.hidden);
    dense(`${p}.attention.value`, c.hidden, c.hidden);
    dense(`${p}.attention.output`, c.hidden, c.hidden);
    layerNorm(`${p}.attention.layer_norm`);
    dense(`${p}.intermediate`, c.hidden, c.intermediate);
    dense(`${p}.output`, c.intermediate, c.hidden);
    layerNorm(`${p}.output.layer_norm`);
  }
  dense('qa_outputs', c.hidden, 2);
  return w;
}

/** Learned parameters of a configuration (embeddings included), computed without generating anything. */
export function bertParameterCount(c: BertConfig): number {
  return bertWeights(c).reduce((n, w) => n + elementCount(w.dims), 0);
}

// ---- deterministic random numbers ----

const MASK64 = (1n << 64n) - 1n;

/** The seed as a validated unsigned 64-bit integer (LoadGen-style seeds exceed 2^53, hence BigInt). */
export function normaliseSeed(seed: bigint | number): bigint {
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) throw errors.invalidValue({ field: 'seed' }, `seed must be an integer, got ${seed}`);
  const s = BigInt(seed);
  if (s < 0n || s > MASK64) throw errors.invalidValue({ field: 'seed' }, `seed must be in [0, 2^64), got ${s}`);
  return s;
}

/** SplitMix64 step: the standard way to spread one 64-bit seed into generator state. */
function splitMix64(state: bigint): { state: bigint; value: bigint } {
  const next = (state + 0x9e3779b97f4a7c15n) & MASK64;
  let z = next;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return { state: next, value: z ^ (z >> 31n) };
}

/** FNV-1a over the UTF-8 bytes: gives each tensor its own stream, independent of write order. */
function fnv1a64(text: string): bigint {
  let h = 0xcbf29ce484222325n;
  for (const b of new TextEncoder().encode(text)) h = ((h ^ BigInt(b)) * 0x100000001b3n) & MASK64;
  return h;
}

const rotl32 = (x: number, k: number): number => (x << k) | (x >>> (32 - k));

/**
 * xoshiro128** (Blackman & Vigna): 32-bit operations only, so it runs at full speed in
 * JavaScript without BigInt, and passes the statistical batteries; plenty for weights.
 */
export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A generator for `stream` (e.g. a tensor name) under `seed`. */
  constructor(seed: bigint, stream: string) {
    let state = normaliseSeed(seed) ^ fnv1a64(stream);
    const words: number[] = [];
    for (let i = 0; i < 2; i++) {
      const r = splitMix64(state);
      state = r.state;
      words.push(Number(r.value & 0xffffffffn), Number(r.value >> 32n));
    }
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
    // An all-zero state would stay zero; SplitMix64 output makes it all but impossible, but be sure.
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl32(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl32(this.d, 11);
    return result;
  }
}

const U32 = 4294967296;

/**
 * Tables of Marsaglia & Tsang's ziggurat for the standard normal (J. Stat. Software 5(8), 2000):
 * 128 strips of equal area V, the base strip ending at R. `k` holds the thresholds under which a
 * point is inside a strip's rectangle, `w` the scale from a signed 32-bit integer to x, `f` the
 * density at each strip's edge.
 */
const ZIGGURAT = ((): { k: Uint32Array; w: Float64Array; f: Float64Array } => {
  const R = 3.442619855899;
  const V = 9.91256303526217e-3;
  const m1 = 2147483648;
  const k = new Uint32Array(128);
  const w = new Float64Array(128);
  const f = new Float64Array(128);
  let dn = R;
  let tn = R;
  const q = V / Math.exp(-0.5 * dn * dn);
  k[0] = Math.floor((dn / q) * m1);
  k[1] = 0;
  w[0] = q / m1;
  w[127] = dn / m1;
  f[0] = 1;
  f[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(V / dn + Math.exp(-0.5 * dn * dn)));
    k[i + 1] = Math.floor((dn / tn) * m1);
    tn = dn;
    f[i] = Math.exp(-0.5 * dn * dn);
    w[i] = dn / m1;
  }
  return { k, w, f };
})();

/**
 * Fills with normal(0, stdDev) values truncated at ±2 stdDev (rejected and redrawn, like TF's
 * `truncated_normal`, which BERT's initialiser uses). Normals come from the ziggurat: one 32-bit
 * draw and a multiply for 98.8 % of values, a few times faster than Box–Muller (whose log and
 * trigonometry dominate: BERT-Large has 334 M weights). The ziggurat's tail (|x| > 3.44) is
 * never needed, since truncation rejects it anyway. Each call continues the same sequence, so
 * the values do not depend on how the caller splits the tensor into chunks.
 */
export function truncatedNormalFiller(seed: bigint, stream: string, stdDev: number): FloatFiller {
  const rng = new Xoshiro128(seed, stream);
  const { k, w, f } = ZIGGURAT;
  const next = (): number => {
    for (;;) {
      const hz = rng.nextU32() | 0;
      const iz = hz & 127;
      const x = hz * w[iz]!;
      if (Math.abs(hz) < k[iz]!) {
        if (x >= -2 && x <= 2) return x;
        continue;
      }
      if (iz === 0) continue; // the tail, beyond ±3.44: truncated away
      // In the wedge between the rectangle and the curve: accept under the density.
      if (f[iz]! + (rng.nextU32() / U32) * (f[iz - 1]! - f[iz]!) < Math.exp(-0.5 * x * x) && x >= -2 && x <= 2) return x;
    }
  };
  return (out) => {
    for (let i = 0; i < out.length; i++) out[i] = next() * stdDev;
  };
}

// ---- the graph ----

/** Collects nodes and constants, naming intermediate values after the node that makes them. */
class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly constants: OnnxInitializer[] = [];

  op(name: string, opType: string, inputs: readonly string[], attributes?: Record<string, OnnxAttribute>): string {
    this.nodes.push({ name, opType, inputs, outputs: [name], ...(attributes ? { attributes } : {}) });
    return name;
  }

  opMulti(name: string, opType: string, inputs: readonly string[], outputs: readonly string[], attributes?: Record<string, OnnxAttribute>): void {
    this.nodes.push({ name, opType, inputs, outputs, ...(attributes ? { attributes } : {}) });
  }

  floatConst(name: string, value: number): string {
    this.constants.push({ name, dims: [], values: Float32Array.of(value) });
    return name;
  }

  int64Const(name: string, values: readonly number[]): string {
    this.constants.push({ name, dims: [values.length], values: BigInt64Array.from(values, (v) => BigInt(v)) });
    return name;
  }
}

function validateConfig(c: BertConfig): void {
  const ints: (keyof BertConfig)[] = ['layers', 'hidden', 'heads', 'intermediate', 'vocabSize', 'maxPositions', 'typeVocabSize', 'seqLen'];
  for (const k of ints) {
    const v = c[k];
    if (!Number.isSafeInteger(v) || v < 1) throw errors.invalidValue({ field: k }, `must be a positive integer, got ${v}`);
  }
  if (c.hidden % c.heads !== 0) throw errors.invalidValue({ field: 'heads' }, `hidden size ${c.hidden} is not a multiple of ${c.heads} heads`);
  if (c.seqLen > c.maxPositions) throw errors.invalidValue({ field: 'seqLen' }, `sequence length ${c.seqLen} exceeds the ${c.maxPositions} positions`);
}

/**
 * The synthetic model for a preset and seed. Inputs are int64 [batch, seq] (both dynamic, seq up
 * to `maxPositions`); outputs are float32 start and end logits [batch, seq].
 */
export function syntheticBertModel(opts: SyntheticBertOptions): OnnxModel {
  const c: BertConfig = BERT_PRESETS[opts.preset];
  validateConfig(c);
  const seed = normaliseSeed(opts.seed ?? DEFAULT_SYNTHETIC_SEED);
  const io = BERT_IO_NAMES[opts.io ?? 'mlperf'];
  const headDim = c.hidden / c.heads;
  const g = new GraphBuilder();
  const lnAttrs = { axis: attr.int(-1), epsilon: attr.float(c.layerNormEps) };

  const one = g.floatConst('const.one', 1);
  const half = g.floatConst('const.half', 0.5);
  const sqrt2 = g.floatConst('const.sqrt2', Math.SQRT2);
  const maskFill = g.floatConst('const.mask_fill', -10000);
  const scoreScale = g.floatConst('const.sqrt_head_dim', Math.sqrt(headDim));
  const splitHeads = g.int64Const('const.split_heads_shape', [0, 0, c.heads, headDim]); // 0 = keep that dim
  const mergeHeads = g.int64Const('const.merge_heads_shape', [0, 0, c.hidden]);
  const zero1 = g.int64Const('const.zero', [0]);
  const axis0 = g.int64Const('const.axis0', [0]);
  const axes12 = g.int64Const('const.axes_1_2', [1, 2]);
  const axis2 = g.int64Const('const.axis2', [2]);

  // Embeddings: word + position + token type, then layer norm. Positions 0..seq-1 are the first
  // `seq` rows of the table, sliced to the input's length so any seq ≤ maxPositions works.
  const word = g.op('embeddings/word', 'Gather', ['embeddings.word', io.inputIds], { axis: attr.int(0) });
  const tokenType = g.op('embeddings/token_type', 'Gather', ['embeddings.token_type', io.segmentIds], { axis: attr.int(0) });
  const seqLen = g.op('embeddings/seq_len', 'Shape', [io.inputIds], { start: attr.int(1), end: attr.int(2) });
  const position = g.op('embeddings/position', 'Slice', ['embeddings.position', zero1, seqLen, axis0]);
  const sum1 = g.op('embeddings/add_position', 'Add', [word, position]);
  const sum2 = g.op('embeddings/add_token_type', 'Add', [sum1, tokenType]);
  let x = g.op('embeddings/layer_norm', 'LayerNormalization', [sum2, 'embeddings.layer_norm.gamma', 'embeddings.layer_norm.beta'], lnAttrs);

  // Additive attention mask, as BERT builds it: (1 − mask) × −10000, shaped [batch, 1, 1, seq]
  // to broadcast over heads and query positions. exp(−10000) underflows to exactly 0 in float32,
  // so padded keys get no attention at all.
  const maskF = g.op('mask/cast', 'Cast', [io.inputMask], { to: attr.int(OnnxDataType.float32) });
  const inverted = g.op('mask/invert', 'Sub', [one, maskF]);
  const scaled = g.op('mask/scale', 'Mul', [inverted, maskFill]);
  const maskBias = g.op('mask/unsqueeze', 'Unsqueeze', [scaled, axes12]);

  const dense = (name: string, input: string, weight: string): string =>
    g.op(`${name}/add_bias`, 'Add', [g.op(`${name}/matmul`, 'MatMul', [input, `${weight}.weight`]), `${weight}.bias`]);
  // [batch, seq, hidden] → [batch, heads, seq, headDim] (perm 0,2,1,3) or, for keys, [batch, heads, headDim, seq].
  const toHeads = (name: string, input: string, perm: number[]): string =>
    g.op(`${name}/transpose`, 'Transpose', [g.op(`${name}/reshape`, 'Reshape', [input, splitHeads])], { perm: attr.ints(perm) });

  for (let l = 0; l < c.layers; l++) {
    const p = `layer${l}`;
    const q = toHeads(`${p}/attention/query`, dense(`${p}/attention/query`, x, `${p}.attention.query`), [0, 2, 1, 3]);
    const k = toHeads(`${p}/attention/key`, dense(`${p}/attention/key`, x, `${p}.attention.key`), [0, 2, 3, 1]);
    const v = toHeads(`${p}/attention/value`, dense(`${p}/attention/value`, x, `${p}.attention.value`), [0, 2, 1, 3]);
    const scores = g.op(`${p}/attention/scores`, 'MatMul', [q, k]);
    const scaledScores = g.op(`${p}/attention/scale`, 'Div', [scores, scoreScale]);
    const masked = g.op(`${p}/attention/mask`, 'Add', [scaledScores, maskBias]);
    const probs = g.op(`${p}/attention/softmax`, 'Softmax', [masked], { axis: attr.int(-1) });
    const context = g.op(`${p}/attention/context`, 'MatMul', [probs, v]);
    const contextT = g.op(`${p}/attention/context_transpose`, 'Transpose', [context], { perm: attr.ints([0, 2, 1, 3]) });
    const merged = g.op(`${p}/attention/merge_heads`, 'Reshape', [contextT, mergeHeads]);
    const attnOut = dense(`${p}/attention/output`, merged, `${p}.attention.output`);
    const residual1 = g.op(`${p}/attention/residual`, 'Add', [attnOut, x]);
    const x1 = g.op(`${p}/attention/layer_norm`, 'LayerNormalization', [residual1, `${p}.attention.layer_norm.gamma`, `${p}.attention.layer_norm.beta`], lnAttrs);
    // GELU as BERT computes it: 0.5 · h · (1 + erf(h / √2)).
    const h = dense(`${p}/intermediate`, x1, `${p}.intermediate`);
    const erf = g.op(`${p}/gelu/erf`, 'Erf', [g.op(`${p}/gelu/div`, 'Div', [h, sqrt2])]);
    const gelu = g.op(`${p}/gelu/mul_half`, 'Mul', [g.op(`${p}/gelu/mul`, 'Mul', [h, g.op(`${p}/gelu/add_one`, 'Add', [erf, one])]), half]);
    const ffn = dense(`${p}/output`, gelu, `${p}.output`);
    const residual2 = g.op(`${p}/output/residual`, 'Add', [ffn, x1]);
    x = g.op(`${p}/output/layer_norm`, 'LayerNormalization', [residual2, `${p}.output.layer_norm.gamma`, `${p}.output.layer_norm.beta`], lnAttrs);
  }

  // SQuAD head: one dense layer to 2 values per token, split into start and end logits.
  const logits = dense('qa_outputs', x, 'qa_outputs');
  g.opMulti('qa_outputs/split', 'Split', [logits], ['qa_outputs/start', 'qa_outputs/end'], { axis: attr.int(2) });
  g.op(io.startLogits, 'Squeeze', ['qa_outputs/start', axis2]);
  g.op(io.endLogits, 'Squeeze', ['qa_outputs/end', axis2]);

  const weights: OnnxInitializer[] = bertWeights(c).map((w) => ({ name: w.name, dims: w.dims, open: () => weightFiller(w, seed, c.initStdDev) }));
  const dims = ['batch', 'seq'];
  return {
    producerName: 'inferprint',
    // The bytes must depend on the cache key only (preset, seed, naming, generator version), so
    // no tool version or date goes into the file; the cache manifest records those.
    producerVersion: `synthetic-bert-g${SYNTHETIC_BERT_GENERATOR_VERSION}`,
    docString: `Synthetic ${opts.preset} for SQuAD (random weights, seed ${seed}); not a trained model.`,
    metadata: {
      'inferprint.generator': 'synthetic-bert',
      'inferprint.generator_version': String(SYNTHETIC_BERT_GENERATOR_VERSION),
      'inferprint.preset': opts.preset,
      'inferprint.seed': seed.toString(),
      'inferprint.config': JSON.stringify(c),
    },
    graph: {
      name: `synthetic-${opts.preset}`,
      nodes: g.nodes,
      inputs: [io.inputIds, io.inputMask, io.segmentIds].map((name) => ({ name, elemType: 'int64', shape: dims })),
      outputs: [io.startLogits, io.endLogits].map((name) => ({ name, elemType: 'float32', shape: dims })),
      initializers: [...g.constants, ...weights],
    },
  };
}

function weightFiller(w: BertWeight, seed: bigint, stdDev: number): FloatFiller {
  switch (w.init) {
    case 'normal':
      return truncatedNormalFiller(seed, w.name, stdDev);
    case 'zeros':
      return (out) => void out.fill(0);
    case 'ones':
      return (out) => void out.fill(1);
  }
}

/** Size in bytes of the model file for these options, computed without generating weights. */
export function syntheticBertBytes(opts: SyntheticBertOptions): number {
  return onnxModelBytes(syntheticBertModel(opts));
}
