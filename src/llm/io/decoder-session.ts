/**
 * The synthetic decoder on ONNX Runtime: the model is generated in memory (a few MB), loaded
 * into a session, and driven one sequence step at a time with its key/value cache — prefill
 * runs the whole prompt once, each decode step one token. Greedy decoding: the next token is
 * the argmax of the logits (EOS masked out when the caller ignores it).
 *
 * Runs on the calling thread: a step of `decoder-tiny` takes well under a millisecond on one
 * core, so the HTTP server around it stays responsive between steps.
 */
import type * as Ort from 'onnxruntime-node';
import { encodeOnnxModel } from '../../benchmark/bert/onnx-writer.js';
import { loadOrt } from '../../benchmark/sut/io/ort-load.js';
import { errors } from '../../errors.js';
import { DECODER_IO, DECODER_PRESETS, decoderParameterCount, syntheticDecoderModel, type DecoderConfig, type DecoderPresetName } from '../model/synthetic-decoder.js';
import { EOS_TOKEN } from '../model/tokenizer.js';

/** A sequence in flight: its cache (one key and one value tensor per layer) and the logits of its last position. */
export interface SequenceState {
  readonly past: readonly Ort.Tensor[];
  /** Positions in the cache. */
  readonly length: number;
  readonly logits: Float32Array;
}

export interface DecoderSession {
  readonly preset: DecoderPresetName;
  readonly config: DecoderConfig;
  readonly parameters: number;
  readonly modelBytes: number;
  readonly ortVersion: string;
  /** Run the prompt through the model: the cache of its positions and the next-token logits. */
  prefill(tokens: readonly number[]): Promise<SequenceState>;
  /** Append one token. */
  step(state: SequenceState, token: number): Promise<SequenceState>;
  close(): Promise<void>;
}

export interface OpenDecoderOptions {
  readonly preset: DecoderPresetName;
  readonly seed?: bigint | number;
  /** ONNX Runtime threads inside one run (default 1: the model is small, threads would only contend). */
  readonly intraOpNumThreads?: number;
}

/** Greedy choice: the highest logit; EOS skipped when `ignoreEos`. Ties go to the lower token id. */
export function argmaxToken(logits: Float32Array, ignoreEos: boolean): number {
  let best = -1;
  let bestV = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < logits.length; t++) {
    if (ignoreEos && t === EOS_TOKEN) continue;
    const v = logits[t]!;
    if (v > bestV) {
      bestV = v;
      best = t;
    }
  }
  return best;
}

export async function openDecoderSession(opts: OpenDecoderOptions): Promise<DecoderSession> {
  const config = DECODER_PRESETS[opts.preset];
  const ort = await loadOrt(`serve-model --protocol openai (the synthetic ${opts.preset})`);
  const bytes = await encodeOnnxModel(syntheticDecoderModel({ preset: opts.preset, ...(opts.seed !== undefined ? { seed: opts.seed } : {}) }));
  let session: Ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', logSeverityLevel: 3, intraOpNumThreads: opts.intraOpNumThreads ?? 1 });
  } catch (e) {
    throw errors.internal(`ONNX Runtime could not load the synthetic ${opts.preset}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const headDim = config.hidden / config.heads;
  const outputNames = [DECODER_IO.logits, ...Array.from({ length: config.layers }, (_, l) => [DECODER_IO.presentKey(l), DECODER_IO.presentValue(l)]).flat()];
  const emptyPast = Array.from({ length: 2 * config.layers }, () => new ort.Tensor('float32', new Float32Array(0), [1, config.heads, 0, headDim]));

  const run = async (tokens: readonly number[], past: readonly Ort.Tensor[], length: number): Promise<SequenceState> => {
    if (length + tokens.length > config.maxPositions) {
      throw errors.invalidValue({ field: 'tokens' }, `${length + tokens.length} positions, more than the model's context of ${config.maxPositions}`);
    }
    const feeds: Record<string, Ort.Tensor> = { [DECODER_IO.inputIds]: new ort.Tensor('int64', BigInt64Array.from(tokens, (t) => BigInt(t)), [1, tokens.length]) };
    for (let l = 0; l < config.layers; l++) {
      feeds[DECODER_IO.pastKey(l)] = past[2 * l]!;
      feeds[DECODER_IO.pastValue(l)] = past[2 * l + 1]!;
    }
    const out = await session.run(feeds, outputNames);
    const logits = out[DECODER_IO.logits];
    if (!logits || !(logits.data instanceof Float32Array)) throw errors.internal('the synthetic decoder returned no float32 logits');
    return { past: outputNames.slice(1).map((n) => out[n]!), length: length + tokens.length, logits: logits.data };
  };
  return {
    preset: opts.preset,
    config,
    parameters: decoderParameterCount(config),
    modelBytes: bytes.length,
    ortVersion: ort.env.versions.node ?? ort.env.versions.common,
    prefill: (tokens) => {
      if (tokens.length === 0) return Promise.reject(errors.invalidValue({ field: 'tokens' }, 'an empty prompt has nothing to continue'));
      return run(tokens, emptyPast, 0);
    },
    step: (state, token) => run([token], state.past, state.length),
    close: () => session.release(),
  };
}
