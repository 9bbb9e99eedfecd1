/**
 * Synthetic decoder-only transformers (GPT-2's shape: learned positions, pre-layer-norm blocks,
 * GELU feed-forward) with random weights from a fixed seed, generated on the spot as ONNX, so
 * `serve-model --protocol openai` serves a real autoregressive model with nothing downloaded.
 * The text it writes means nothing; the work per token is a transformer's.
 *
 * One graph runs both phases with a key/value cache: it takes the new tokens (the whole prompt
 * for prefill, one token per decode step) and the cache of every earlier position, and returns
 * the logits of the last position and the cache extended by the new positions. Positions and
 * the causal mask are computed in the graph from the cache's length, so the caller only feeds
 * tokens and caches.
 *
 * Pure: builds an `OnnxModel` whose weights are produced while it is written (onnx-writer.ts).
 */
import { errors } from '../../errors.js';
import { attr, elementCount, OnnxDataType, type FloatFiller, type OnnxAttribute, type OnnxInitializer, type OnnxModel, type OnnxNode } from '../../benchmark/bert/onnx-writer.js';
import { normaliseSeed, truncatedNormalFiller } from '../../benchmark/bert/synthetic.js';
import { BOS_TOKEN, EOS_TOKEN, isPrintableByte, VOCAB_SIZE } from './tokenizer.js';

/** Bump whenever a change alters the model built for a given preset and seed. */
export const SYNTHETIC_DECODER_GENERATOR_VERSION = 1;
export const DEFAULT_DECODER_SEED = 42n;

export interface DecoderConfig {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly intermediate: number;
  /** Rows of the position table: the context length (prompt + generated tokens). */
  readonly maxPositions: number;
  readonly layerNormEps: number;
  /** Standard deviation of the weight initialiser (GPT-2: 0.02). */
  readonly initStdDev: number;
  /**
   * Logit bias of the end-of-sequence token. The weights are random, so whether EOS wins the
   * argmax depends on the prompt: this sets how often it does (chosen so that some prompts end
   * early and most run to `max_tokens`; see the README).
   */
  readonly eosBias: number;
}

const COMMON = { maxPositions: 2048, layerNormEps: 1e-5, initStdDev: 0.02, eosBias: -0.2 } as const;

export const DECODER_PRESETS = {
  /** 2 layers × 128, 4 heads: about 0.7 M parameters; thousands of tokens per second on one CPU core. */
  'decoder-tiny': { ...COMMON, layers: 2, hidden: 128, heads: 4, intermediate: 512 },
  /** 6 layers × 512, 8 heads: about 20 M parameters, for a load a CPU notices. */
  'decoder-small': { ...COMMON, layers: 6, hidden: 512, heads: 8, intermediate: 2048 },
} as const satisfies Record<string, DecoderConfig>;

export type DecoderPresetName = keyof typeof DECODER_PRESETS;
export const DECODER_PRESET_NAMES = Object.keys(DECODER_PRESETS) as readonly DecoderPresetName[];

export function isDecoderPresetName(name: string): name is DecoderPresetName {
  return Object.hasOwn(DECODER_PRESETS, name);
}

/** Tensor names of the graph's inputs and outputs, per layer for the cache. */
export const DECODER_IO = {
  inputIds: 'input_ids',
  logits: 'logits',
  pastKey: (l: number) => `past_key_${l}`,
  pastValue: (l: number) => `past_value_${l}`,
  presentKey: (l: number) => `present_key_${l}`,
  presentValue: (l: number) => `present_value_${l}`,
} as const;

type WeightInit = 'normal' | 'zeros' | 'ones' | 'logit-bias';

interface DecoderWeight {
  readonly name: string;
  readonly dims: readonly number[];
  readonly init: WeightInit;
}

/** The learned tensors, in the order they are written. */
export function decoderWeights(c: DecoderConfig): DecoderWeight[] {
  const w: DecoderWeight[] = [];
  const add = (name: string, dims: number[], init: WeightInit): void => void w.push({ name, dims, init });
  const layerNorm = (p: string): void => {
    add(`${p}.gamma`, [c.hidden], 'ones');
    add(`${p}.beta`, [c.hidden], 'zeros');
  };
  const dense = (p: string, inDim: number, outDim: number): void => {
    add(`${p}.weight`, [inDim, outDim], 'normal');
    add(`${p}.bias`, [outDim], 'zeros');
  };
  add('wte', [VOCAB_SIZE, c.hidden], 'normal');
  add('wpe', [c.maxPositions, c.hidden], 'normal');
  for (let l = 0; l < c.layers; l++) {
    const p = `h${l}`;
    layerNorm(`${p}.ln_1`);
    for (const part of ['query', 'key', 'value', 'output']) dense(`${p}.attn.${part}`, c.hidden, c.hidden);
    layerNorm(`${p}.ln_2`);
    dense(`${p}.mlp.fc`, c.hidden, c.intermediate);
    dense(`${p}.mlp.proj`, c.intermediate, c.hidden);
  }
  layerNorm('ln_f');
  add('lm_head.weight', [c.hidden, VOCAB_SIZE], 'normal');
  add('lm_head.bias', [VOCAB_SIZE], 'logit-bias');
  return w;
}

export function decoderParameterCount(c: DecoderConfig): number {
  return decoderWeights(c).reduce((n, x) => n + elementCount(x.dims), 0);
}

/** Large enough that exp() underflows to 0 in float32, small enough to stay finite when added up. */
const MASKED = -1e4;

/**
 * The output bias: 0 for printable ASCII (and newline), `MASKED` for every other byte and for
 * BOS, so every generated token is one printable character (the streamed text is valid UTF-8,
 * one character per token); `eosBias` for EOS.
 */
export function logitBias(c: Pick<DecoderConfig, 'eosBias'>): Float32Array {
  const b = new Float32Array(VOCAB_SIZE);
  for (let t = 0; t < VOCAB_SIZE; t++) b[t] = t === EOS_TOKEN ? c.eosBias : t < 256 && isPrintableByte(t) ? 0 : MASKED;
  b[BOS_TOKEN] = MASKED;
  return b;
}

class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly constants: OnnxInitializer[] = [];
  op(name: string, opType: string, inputs: readonly string[], attributes?: Record<string, OnnxAttribute>, output: string = name): string {
    this.nodes.push({ name, opType, inputs, outputs: [output], ...(attributes ? { attributes } : {}) });
    return output;
  }
  floatConst(name: string, value: number): string {
    this.constants.push({ name, dims: [], values: Float32Array.of(value) });
    return name;
  }
  int64Const(name: string, values: readonly number[], scalar = false): string {
    this.constants.push({ name, dims: scalar ? [] : [values.length], values: BigInt64Array.from(values, (v) => BigInt(v)) });
    return name;
  }
}

function validate(c: DecoderConfig): void {
  for (const k of ['layers', 'hidden', 'heads', 'intermediate', 'maxPositions'] as const) {
    if (!Number.isSafeInteger(c[k]) || c[k] < 1) throw errors.invalidValue({ field: k }, `must be a positive integer, got ${c[k]}`);
  }
  if (c.hidden % c.heads !== 0) throw errors.invalidValue({ field: 'heads' }, `hidden size ${c.hidden} is not a multiple of ${c.heads} heads`);
}

export interface SyntheticDecoderOptions {
  readonly preset: DecoderPresetName;
  readonly seed?: bigint | number;
}

/**
 * The model for a preset and seed. Input `input_ids` int64 [1, new]; cache inputs and outputs
 * float32 [1, heads, positions, head size] per layer (past: the positions before, present: with
 * the new ones appended; an empty past, 0 positions, starts a sequence); output `logits` float32
 * [1, vocab] of the last new position.
 */
export function syntheticDecoderModel(opts: SyntheticDecoderOptions): OnnxModel {
  const c: DecoderConfig = DECODER_PRESETS[opts.preset];
  validate(c);
  const seed = normaliseSeed(opts.seed ?? DEFAULT_DECODER_SEED);
  const headDim = c.hidden / c.heads;
  const g = new GraphBuilder();
  const ln = { axis: attr.int(-1), epsilon: attr.float(c.layerNormEps) };

  const one = g.floatConst('const.one', 1);
  const half = g.floatConst('const.half', 0.5);
  const sqrt2 = g.floatConst('const.sqrt2', Math.SQRT2);
  const zeroF = g.floatConst('const.zero_f', 0);
  const maskedF = g.floatConst('const.masked', MASKED);
  const scale = g.floatConst('const.sqrt_head_dim', Math.sqrt(headDim));
  const zeroI = g.int64Const('const.zero_i', [0], true);
  const oneI = g.int64Const('const.one_i', [1], true);
  const axis0 = g.int64Const('const.axis0', [0]);
  const axis1 = g.int64Const('const.axis1', [1]);
  const splitHeads = g.int64Const('const.split_heads', [0, 0, c.heads, headDim]);
  const mergeHeads = g.int64Const('const.merge_heads', [0, 0, c.hidden]);

  // Lengths: positions already cached (from the first layer's past key) and new tokens.
  const pastLen = g.op('len/past', 'Squeeze', [g.op('len/past_shape', 'Shape', [DECODER_IO.pastKey(0)], { start: attr.int(2), end: attr.int(3) }), axis0]);
  const newLen = g.op('len/new', 'Squeeze', [g.op('len/new_shape', 'Shape', [DECODER_IO.inputIds], { start: attr.int(1), end: attr.int(2) }), axis0]);
  const total = g.op('len/total', 'Add', [pastLen, newLen]);
  const positions = g.op('positions', 'Range', [pastLen, total, oneI]);

  // Causal mask over [new, total]: a new token at absolute position p sees positions 0..p.
  const keys = g.op('mask/keys', 'Range', [zeroI, total, oneI]);
  const allowed = g.op('mask/allowed', 'LessOrEqual', [g.op('mask/keys_row', 'Unsqueeze', [keys, axis0]), g.op('mask/queries_col', 'Unsqueeze', [positions, axis1])]);
  const maskBias = g.op('mask/bias', 'Where', [allowed, zeroF, maskedF]);

  const tokens = g.op('embed/tokens', 'Gather', ['wte', DECODER_IO.inputIds], { axis: attr.int(0) });
  const pos = g.op('embed/positions', 'Gather', ['wpe', positions], { axis: attr.int(0) });
  let x = g.op('embed/sum', 'Add', [tokens, pos]);

  const dense = (name: string, input: string, weight: string): string =>
    g.op(`${name}/add_bias`, 'Add', [g.op(`${name}/matmul`, 'MatMul', [input, `${weight}.weight`]), `${weight}.bias`]);
  const toHeads = (name: string, input: string): string =>
    g.op(`${name}/transpose`, 'Transpose', [g.op(`${name}/reshape`, 'Reshape', [input, splitHeads])], { perm: attr.ints([0, 2, 1, 3]) });

  for (let l = 0; l < c.layers; l++) {
    const p = `h${l}`;
    const h = g.op(`${p}/ln_1`, 'LayerNormalization', [x, `${p}.ln_1.gamma`, `${p}.ln_1.beta`], ln);
    const q = toHeads(`${p}/attn/query`, dense(`${p}/attn/query`, h, `${p}.attn.query`));
    const kNew = toHeads(`${p}/attn/key`, dense(`${p}/attn/key`, h, `${p}.attn.key`));
    const vNew = toHeads(`${p}/attn/value`, dense(`${p}/attn/value`, h, `${p}.attn.value`));
    // The cache grows by the new positions; the extended cache is also the graph's output.
    const k = g.op(`${p}/attn/present_key`, 'Concat', [DECODER_IO.pastKey(l), kNew], { axis: attr.int(2) }, DECODER_IO.presentKey(l));
    const v = g.op(`${p}/attn/present_value`, 'Concat', [DECODER_IO.pastValue(l), vNew], { axis: attr.int(2) }, DECODER_IO.presentValue(l));
    const kT = g.op(`${p}/attn/key_t`, 'Transpose', [k], { perm: attr.ints([0, 1, 3, 2]) });
    const scores = g.op(`${p}/attn/scale`, 'Div', [g.op(`${p}/attn/scores`, 'MatMul', [q, kT]), scale]);
    const probs = g.op(`${p}/attn/softmax`, 'Softmax', [g.op(`${p}/attn/mask`, 'Add', [scores, maskBias])], { axis: attr.int(-1) });
    const ctx = g.op(`${p}/attn/context_t`, 'Transpose', [g.op(`${p}/attn/context`, 'MatMul', [probs, v])], { perm: attr.ints([0, 2, 1, 3]) });
    const attnOut = dense(`${p}/attn/output`, g.op(`${p}/attn/merge`, 'Reshape', [ctx, mergeHeads]), `${p}.attn.output`);
    x = g.op(`${p}/attn/residual`, 'Add', [x, attnOut]);
    const h2 = g.op(`${p}/ln_2`, 'LayerNormalization', [x, `${p}.ln_2.gamma`, `${p}.ln_2.beta`], ln);
    const fc = dense(`${p}/mlp/fc`, h2, `${p}.mlp.fc`);
    const erf = g.op(`${p}/mlp/erf`, 'Erf', [g.op(`${p}/mlp/div`, 'Div', [fc, sqrt2])]);
    const gelu = g.op(`${p}/mlp/gelu`, 'Mul', [g.op(`${p}/mlp/mul`, 'Mul', [fc, g.op(`${p}/mlp/add_one`, 'Add', [erf, one])]), half]);
    x = g.op(`${p}/mlp/residual`, 'Add', [x, dense(`${p}/mlp/proj`, gelu, `${p}.mlp.proj`)]);
  }
  const xf = g.op('ln_f', 'LayerNormalization', [x, 'ln_f.gamma', 'ln_f.beta'], ln);
  // Only the last position's logits are needed to choose the next token: the head runs on one row.
  const last = g.op('last/gather', 'Gather', [xf, g.op('last/index', 'Sub', [newLen, oneI])], { axis: attr.int(1) });
  g.op('lm_head/add_bias', 'Add', [g.op('lm_head/matmul', 'MatMul', [last, 'lm_head.weight']), 'lm_head.bias'], undefined, DECODER_IO.logits);

  const bias = logitBias(c);
  const weights: OnnxInitializer[] = decoderWeights(c).map((w) =>
    w.init === 'logit-bias' ? { name: w.name, dims: w.dims, values: bias } : { name: w.name, dims: w.dims, open: () => filler(w, seed, c.initStdDev) },
  );
  const cache = (name: string) => ({ name, elemType: 'float32' as const, shape: [1, c.heads, name.startsWith('past') ? 'past' : 'total', headDim] });
  return {
    producerName: 'inferprint',
    producerVersion: `synthetic-decoder-g${SYNTHETIC_DECODER_GENERATOR_VERSION}`,
    docString: `Synthetic ${opts.preset} decoder (random weights, seed ${seed}, byte-level vocabulary); not a trained model.`,
    metadata: {
      'inferprint.generator': 'synthetic-decoder',
      'inferprint.generator_version': String(SYNTHETIC_DECODER_GENERATOR_VERSION),
      'inferprint.preset': opts.preset,
      'inferprint.seed': seed.toString(),
      'inferprint.config': JSON.stringify(c),
    },
    graph: {
      name: `synthetic-${opts.preset}`,
      nodes: g.nodes,
      inputs: [
        { name: DECODER_IO.inputIds, elemType: 'int64', shape: [1, 'new'] },
        ...Array.from({ length: c.layers }, (_, l) => [cache(DECODER_IO.pastKey(l)), cache(DECODER_IO.pastValue(l))]).flat(),
      ],
      outputs: [
        { name: DECODER_IO.logits, elemType: 'float32', shape: [1, VOCAB_SIZE] },
        ...Array.from({ length: c.layers }, (_, l) => [cache(DECODER_IO.presentKey(l)), cache(DECODER_IO.presentValue(l))]).flat(),
      ],
      initializers: [...g.constants, ...weights],
    },
  };
}

function filler(w: DecoderWeight, seed: bigint, stdDev: number): FloatFiller {
  switch (w.init) {
    case 'normal':
      return truncatedNormalFiller(seed, `decoder/${w.name}`, stdDev);
    case 'zeros':
      return (out) => void out.fill(0);
    case 'ones':
      return (out) => void out.fill(1);
    case 'logit-bias':
      throw errors.internal('the logit bias carries its values');
  }
}

/** The float32 element type id, for callers that check outputs. */
export const FLOAT32 = OnnxDataType.float32;
