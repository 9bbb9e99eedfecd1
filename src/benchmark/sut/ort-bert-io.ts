/**
 * What a BERT SQuAD model looks like from outside: its samples, its logits, and how its inputs and
 * outputs are named. Pure (no Node built-ins, no native package), so the ONNX Runtime worker, the
 * thread that drives it and the HTTP client all recognise models the same way.
 */
import { errors } from '../../errors.js';

/** Default sequence length of MLPerf BERT. */
export const MLPERF_SEQ_LEN = 384;

/** One tokenised SQuAD feature: int64 token ids, attention mask (1 = token, 0 = padding) and segment ids, all of one length. */
export interface BertSample {
  readonly inputIds: BigInt64Array;
  readonly inputMask: BigInt64Array;
  readonly segmentIds: BigInt64Array;
}

/** The model's answer for one sample: a start and an end logit per token. */
export interface BertLogits {
  readonly startLogits: Float32Array;
  readonly endLogits: Float32Array;
}

/** What the model calls its inputs and outputs, and the shapes it fixes. */
export interface BertIoBinding {
  readonly inputIds: string;
  readonly inputMask: string;
  readonly segmentIds: string;
  /** Element type the model's inputs take; int32 models get converted copies. */
  readonly inputType: 'int64' | 'int32';
  /** Two outputs (start, end), or one [batch, seq, 2] output holding both. */
  readonly output: { readonly kind: 'pair'; readonly start: string; readonly end: string } | { readonly kind: 'stacked'; readonly name: string };
  /** The batch size when the model fixes it (the MLPerf export makes it dynamic). */
  readonly fixedBatch: number | undefined;
  /** The sequence length when the model fixes it (384 for MLPerf's exports). */
  readonly fixedSeqLen: number | undefined;
}

/** The part of ONNX Runtime's value metadata used to recognise a BERT model (tests build these by hand). */
export interface ValueMeta {
  readonly name: string;
  readonly type?: string;
  readonly shape?: readonly (number | string)[];
}

/**
 * Names for each input role, in order of preference: the fp32 MLPerf export's, the int8 fake-quant
 * model's and Hugging Face's. TF-converted models suffix names with `:0`; that suffix and case are ignored.
 */
const INPUT_ALIASES = {
  inputIds: ['input_ids'],
  inputMask: ['input_mask', 'attention_mask'],
  segmentIds: ['segment_ids', 'token_type_ids'],
} as const;

const normaliseName = (name: string): string => name.toLowerCase().replace(/:\d+$/, '');

/** Recognise a BERT SQuAD model's inputs and outputs from the session's metadata. */
export function detectBertIo(inputs: readonly ValueMeta[], outputs: readonly ValueMeta[], file = 'model'): BertIoBinding {
  const find = (role: keyof typeof INPUT_ALIASES): ValueMeta => {
    for (const alias of INPUT_ALIASES[role]) {
      const hit = inputs.find((m) => normaliseName(m.name) === alias);
      if (hit) return hit;
    }
    throw errors.invalidValue({ file, field: role }, `no input named ${INPUT_ALIASES[role].join(' or ')} (model inputs: ${inputs.map((m) => m.name).join(', ') || 'none'})`);
  };
  const ids = find('inputIds');
  const mask = find('inputMask');
  const segments = find('segmentIds');
  const inputType = ids.type === 'int32' ? 'int32' : 'int64';
  for (const m of [ids, mask, segments]) {
    if (m.type !== undefined && m.type !== 'int64' && m.type !== 'int32') throw errors.invalidValue({ file, field: m.name }, `input type ${m.type}, expected int64 or int32`);
    if (m.type !== undefined && m.type !== ids.type) throw errors.invalidValue({ file, field: m.name }, `input type ${m.type} differs from ${ids.name}'s ${ids.type ?? 'type'}`);
  }
  const shape = ids.shape ?? [];
  const fixed = (d: number | string | undefined): number | undefined => (typeof d === 'number' && d > 0 ? d : undefined);
  return {
    inputIds: ids.name,
    inputMask: mask.name,
    segmentIds: segments.name,
    inputType,
    output: detectOutputs(outputs, file),
    fixedBatch: fixed(shape[0]),
    fixedSeqLen: fixed(shape[1]),
  };
}

function detectOutputs(outputs: readonly ValueMeta[], file: string): BertIoBinding['output'] {
  for (const m of outputs) {
    if (m.type !== undefined && m.type !== 'float32') throw errors.invalidValue({ file, field: m.name }, `output type ${m.type}, expected float32`);
  }
  const start = outputs.find((m) => normaliseName(m.name).includes('start'));
  const end = outputs.find((m) => normaliseName(m.name).includes('end'));
  if (start && end && start !== end) return { kind: 'pair', start: start.name, end: end.name };
  // The reference SUT reads the two outputs by position (start first), so do the same.
  if (outputs.length === 2) return { kind: 'pair', start: outputs[0]!.name, end: outputs[1]!.name };
  if (outputs.length === 1) {
    const only = outputs[0]!;
    const last = only.shape?.at(-1);
    if (last === undefined || last === 2) return { kind: 'stacked', name: only.name };
  }
  throw errors.invalidValue({ file, field: 'outputs' }, `cannot tell start and end logits apart (model outputs: ${outputs.map((m) => m.name).join(', ') || 'none'})`);
}

/** Int64 copy of token ids held as numbers (tokenisers produce numbers; the model takes int64). */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

export function toInt64(values: ArrayLike<number>): BigInt64Array {
  const out = new BigInt64Array(values.length);
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]!);
    return out;
  }
  // Int32 values written as two 32-bit words (low, sign): no BigInt per element, ~10× faster
  // on 384-token features; values beyond 32 bits take the BigInt path.
  const words = new Int32Array(out.buffer);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if ((v | 0) !== v) {
      out[i] = BigInt(v);
      continue;
    }
    words[2 * i] = v;
    words[2 * i + 1] = v < 0 ? -1 : 0;
  }
  return out;
}

/**
 * Splits a batch's outputs into per-sample logits: two `[rows, seqLen]` outputs (start, end) or
 * one `[rows, seqLen, 2]` output, as `io.output` says. The caller has checked their shapes (the
 * ONNX Runtime worker against `expectedOutputs`, the KServe client against the response); rows
 * beyond `n` (padding for a model with a fixed batch) are dropped.
 */
export function splitLogits(io: BertIoBinding, outputs: readonly Float32Array[], n: number, seqLen: number): BertLogits[] {
  if (io.output.kind === 'pair') {
    const [start, end] = outputs;
    if (start === undefined || end === undefined) throw errors.internal('splitLogits: two outputs expected');
    // One sample and no padding (SingleStream): the arrays came for this call only, so they need no copy.
    if (n === 1 && start.length === seqLen && end.length === seqLen) return [{ startLogits: start, endLogits: end }];
    return Array.from({ length: n }, (_, i) => ({
      startLogits: start.slice(i * seqLen, (i + 1) * seqLen),
      endLogits: end.slice(i * seqLen, (i + 1) * seqLen),
    }));
  }
  const both = outputs[0];
  if (both === undefined) throw errors.internal('splitLogits: one output expected');
  return Array.from({ length: n }, (_, i) => {
    const startLogits = new Float32Array(seqLen);
    const endLogits = new Float32Array(seqLen);
    for (let j = 0; j < seqLen; j++) {
      startLogits[j] = both[(i * seqLen + j) * 2]!;
      endLogits[j] = both[(i * seqLen + j) * 2 + 1]!;
    }
    return { startLogits, endLogits };
  });
}
