/**
 * The ONNX Runtime system under test: a BERT SQuAD model (the user's MLPerf `model.onnx`, the
 * int8 fake-quantised one, or a synthetic one) in an `onnxruntime-node` session.
 *
 * Phases are timed separately, because the study's power windows separate them: `load` (session
 * creation: parsing the file, graph optimisation, weight placement) and `warmup` (first runs, which
 * allocate arenas and, on CUDA, pick kernels), both before any query is timed.
 *
 * Execution providers: CPU ships with the package. CUDA needs the provider libraries that the
 * package's install script downloads (not bundled, and skipped by this project's `.npmrc`); when
 * they are missing, asking for `cuda` fails with a message saying how to install them, and `auto`
 * uses the CPU and says why.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { errors } from '../../errors.js';

export type OrtProviderRequest = 'cpu' | 'cuda' | 'auto';
export type OrtProvider = 'cpu' | 'cuda';

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

// ---- execution providers ----

/** Files the CUDA provider needs next to the binding, per platform (the install script's manifest). */
const CUDA_PROVIDER_FILES: Readonly<Record<string, readonly string[]>> = {
  'linux/x64': ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so'],
  'win32/x64': ['onnxruntime_providers_shared.dll', 'onnxruntime_providers_cuda.dll'],
};

export const CUDA_INSTALL_HINT =
  'install the CUDA 12 provider with network access: (cd node_modules/onnxruntime-node && ONNXRUNTIME_NODE_INSTALL=cuda12 node script/install.js); it also needs the CUDA 12 runtime and cuDNN 9 on the library path';

export interface CudaProviderStatus {
  readonly installed: boolean;
  /** Provider files missing from the binding directory. */
  readonly missing: readonly string[];
  readonly binDir: string;
  /** Why it is not usable, with what to do; empty when installed. */
  readonly reason: string;
}

/** Whether this `onnxruntime-node` install has the CUDA provider libraries (checked without loading them). */
export function cudaProviderStatus(): CudaProviderStatus {
  const key = `${platform()}/${arch()}`;
  const binDir = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin', 'napi-v6', platform(), arch());
  const files = CUDA_PROVIDER_FILES[key];
  if (files === undefined) return { installed: false, missing: [], binDir, reason: `onnxruntime-node has no CUDA provider for ${key}` };
  if (!ort.listSupportedBackends().some((b) => b.name === 'cuda')) return { installed: false, missing: [], binDir, reason: 'this onnxruntime-node build has no CUDA backend' };
  const missing = files.filter((f) => !existsSync(join(binDir, f)));
  if (missing.length > 0) return { installed: false, missing, binDir, reason: `${missing.join(', ')} not in ${binDir}; ${CUDA_INSTALL_HINT}` };
  return { installed: true, missing: [], binDir, reason: '' };
}

// ---- the SUT ----

export interface PhaseSpan {
  /** Clock readings in seconds (see `OrtSutOptions.clock`). */
  readonly startS: number;
  readonly endS: number;
}

export interface OrtSutOptions {
  readonly modelPath: string;
  /** Default `cpu`. */
  readonly provider?: OrtProviderRequest;
  readonly cudaDeviceId?: number;
  /** Most samples per session run; `issue` splits larger calls (default 1, as MLPerf SingleStream). */
  readonly maxBatchSize?: number;
  /** Untimed runs at full batch before the session is handed over (default 2). */
  readonly warmupRuns?: number;
  /** Sequence length of the warm-up inputs (default: the model's fixed one, else 384). */
  readonly warmupSeqLen?: number;
  readonly intraOpNumThreads?: number;
  readonly interOpNumThreads?: number;
  /** Monotonic clock in seconds for the phase spans (default `performance.now() / 1000`). */
  readonly clock?: () => number;
}

export interface OrtSut {
  readonly name: 'onnxruntime';
  readonly modelPath: string;
  /** The provider the session runs on (nodes a provider lacks still fall back to the CPU). */
  readonly provider: OrtProvider;
  /** Why that provider: what was asked and what was found. */
  readonly providerNote: string;
  readonly ortVersion: string;
  readonly io: BertIoBinding;
  readonly maxBatchSize: number;
  readonly phases: { readonly load: PhaseSpan; readonly warmup: PhaseSpan };
  /** Run the samples (in batches of at most `maxBatchSize`, each batch of one sequence length); logits in sample order. */
  issue(samples: readonly BertSample[]): Promise<BertLogits[]>;
  close(): Promise<void>;
}

/** Default sequence length of MLPerf BERT. */
export const MLPERF_SEQ_LEN = 384;

/** Load the model, warm it up, and return the SUT. */
export async function openOrtSut(opts: OrtSutOptions): Promise<OrtSut> {
  const clock = opts.clock ?? ((): number => performance.now() / 1000);
  const maxBatchSize = opts.maxBatchSize ?? 1;
  if (!Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1) throw errors.invalidValue({ field: 'maxBatchSize' }, `must be a positive integer, got ${maxBatchSize}`);
  if (!existsSync(opts.modelPath)) throw errors.notFound(opts.modelPath, 'model file');
  const { provider, note } = chooseProvider(opts.provider ?? 'cpu');

  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: provider === 'cuda' ? [{ name: 'cuda', deviceId: opts.cudaDeviceId ?? 0 }] : ['cpu'],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    ...(opts.intraOpNumThreads !== undefined ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
    ...(opts.interOpNumThreads !== undefined ? { interOpNumThreads: opts.interOpNumThreads } : {}),
  };
  const loadStart = clock();
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(opts.modelPath, sessionOptions);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (provider === 'cuda') throw errors.invalidValue({ file: opts.modelPath, flag: '--provider' }, `ONNX Runtime could not create a CUDA session: ${msg}`);
    throw errors.parse({ file: opts.modelPath }, `ONNX Runtime could not load the model: ${msg}`);
  }
  const load = { startS: loadStart, endS: clock() };

  try {
    const io = detectBertIo(session.inputMetadata.map(toValueMeta), session.outputMetadata.map(toValueMeta), opts.modelPath);
    if (io.fixedBatch !== undefined && maxBatchSize > io.fixedBatch) {
      throw errors.invalidValue({ file: opts.modelPath, field: 'maxBatchSize' }, `the model fixes the batch at ${io.fixedBatch}; cannot run ${maxBatchSize} samples at once`);
    }
    const runner = new BatchRunner(session, io, maxBatchSize, opts.modelPath);

    const warmupStart = clock();
    const seqLen = io.fixedSeqLen ?? opts.warmupSeqLen ?? MLPERF_SEQ_LEN;
    const dummy = warmupSamples(maxBatchSize, seqLen);
    for (let i = 0; i < (opts.warmupRuns ?? 2); i++) await runner.issue(dummy);
    const warmup = { startS: warmupStart, endS: clock() };

    return {
      name: 'onnxruntime',
      modelPath: opts.modelPath,
      provider,
      providerNote: note,
      ortVersion: ort.env.versions.node ?? ort.env.versions.common,
      io,
      maxBatchSize,
      phases: { load, warmup },
      issue: (samples) => runner.issue(samples),
      close: () => session.release(),
    };
  } catch (e) {
    await session.release();
    throw e;
  }
}

function chooseProvider(request: OrtProviderRequest): { provider: OrtProvider; note: string } {
  if (request === 'cpu') return { provider: 'cpu', note: 'cpu requested' };
  const cuda = cudaProviderStatus();
  if (request === 'cuda') {
    if (!cuda.installed) throw errors.invalidValue({ flag: '--provider' }, `cuda requested but unavailable: ${cuda.reason}`);
    return { provider: 'cuda', note: 'cuda requested' };
  }
  return cuda.installed ? { provider: 'cuda', note: 'auto: CUDA provider installed' } : { provider: 'cpu', note: `auto: CUDA provider not installed (${cuda.missing.join(', ') || cuda.reason}), using cpu` };
}

function toValueMeta(m: ort.InferenceSession.ValueMetadata): ValueMeta {
  return m.isTensor ? { name: m.name, type: m.type, shape: m.shape } : { name: m.name };
}

/** A plausible feature for warm-up: [CLS] … [SEP] tokens, full mask, question then context segments. */
function warmupSamples(count: number, seqLen: number): BertSample[] {
  const inputIds = new BigInt64Array(seqLen);
  const inputMask = new BigInt64Array(seqLen).fill(1n);
  const segmentIds = new BigInt64Array(seqLen);
  for (let i = 0; i < seqLen; i++) {
    inputIds[i] = BigInt(1000 + ((i * 7919) % 28000));
    segmentIds[i] = i < seqLen / 4 ? 0n : 1n;
  }
  inputIds[0] = 101n; // [CLS]
  inputIds[seqLen - 1] = 102n; // [SEP]
  return Array.from({ length: count }, () => ({ inputIds, inputMask, segmentIds }));
}

/** Packs samples into [batch, seq] tensors, runs them, and splits the logits back per sample. */
class BatchRunner {
  private readonly outputNames: readonly string[];

  constructor(
    private readonly session: ort.InferenceSession,
    private readonly io: BertIoBinding,
    private readonly maxBatchSize: number,
    private readonly file: string,
  ) {
    this.outputNames = io.output.kind === 'pair' ? [io.output.start, io.output.end] : [io.output.name];
  }

  async issue(samples: readonly BertSample[]): Promise<BertLogits[]> {
    const results: BertLogits[] = [];
    for (let at = 0; at < samples.length; at += this.maxBatchSize) {
      const batch = samples.slice(at, at + this.maxBatchSize);
      for (const r of await this.runBatch(batch, at)) results.push(r);
    }
    return results;
  }

  private async runBatch(batch: readonly BertSample[], firstIndex: number): Promise<BertLogits[]> {
    const seqLen = batch[0]!.inputIds.length;
    if (this.io.fixedSeqLen !== undefined && seqLen !== this.io.fixedSeqLen) {
      throw errors.invalidValue({ field: `samples[${firstIndex}].inputIds` }, `length ${seqLen}, the model takes ${this.io.fixedSeqLen}`);
    }
    batch.forEach((s, i) => {
      if (s.inputIds.length !== seqLen || s.inputMask.length !== seqLen || s.segmentIds.length !== seqLen) {
        throw errors.invalidValue({ field: `samples[${firstIndex + i}]` }, `input lengths ${s.inputIds.length}/${s.inputMask.length}/${s.segmentIds.length} differ from the batch's ${seqLen}`);
      }
    });
    const dims = [batch.length, seqLen];
    const feeds: Record<string, ort.Tensor> = {
      [this.io.inputIds]: this.tensor(batch, (s) => s.inputIds, dims),
      [this.io.inputMask]: this.tensor(batch, (s) => s.inputMask, dims),
      [this.io.segmentIds]: this.tensor(batch, (s) => s.segmentIds, dims),
    };
    let out: ort.InferenceSession.ReturnType;
    try {
      out = await this.session.run(feeds, this.outputNames);
    } catch (e) {
      throw errors.invalidValue({ file: this.file }, `inference failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    return this.io.output.kind === 'pair' ? this.splitPair(out, batch.length, seqLen, this.io.output.start, this.io.output.end) : this.splitStacked(out, batch.length, seqLen, this.io.output.name);
  }

  private tensor(batch: readonly BertSample[], pick: (s: BertSample) => BigInt64Array, dims: number[]): ort.Tensor {
    // A single sample goes in without a copy (SingleStream, the study's scenario).
    if (batch.length === 1 && this.io.inputType === 'int64') return new ort.Tensor('int64', pick(batch[0]!), dims);
    const seqLen = dims[1]!;
    if (this.io.inputType === 'int64') {
      const data = new BigInt64Array(batch.length * seqLen);
      batch.forEach((s, i) => {
        data.set(pick(s), i * seqLen);
      });
      return new ort.Tensor('int64', data, dims);
    }
    const data = new Int32Array(batch.length * seqLen);
    batch.forEach((s, i) => {
      const src = pick(s);
      for (let j = 0; j < seqLen; j++) data[i * seqLen + j] = Number(src[j]!);
    });
    return new ort.Tensor('int32', data, dims);
  }

  private output(out: ort.InferenceSession.ReturnType, name: string, expected: readonly number[]): Float32Array {
    const t = out[name];
    if (t === undefined || !(t.data instanceof Float32Array)) throw errors.invalidValue({ file: this.file, field: name }, 'output missing or not float32');
    if (t.dims.length !== expected.length || t.dims.some((d, i) => d !== expected[i])) {
      throw errors.invalidValue({ file: this.file, field: name }, `output shape [${t.dims.join(', ')}], expected [${expected.join(', ')}]`);
    }
    return t.data;
  }

  private splitPair(out: ort.InferenceSession.ReturnType, n: number, seqLen: number, startName: string, endName: string): BertLogits[] {
    const start = this.output(out, startName, [n, seqLen]);
    const end = this.output(out, endName, [n, seqLen]);
    return Array.from({ length: n }, (_, i) => ({
      startLogits: start.slice(i * seqLen, (i + 1) * seqLen),
      endLogits: end.slice(i * seqLen, (i + 1) * seqLen),
    }));
  }

  private splitStacked(out: ort.InferenceSession.ReturnType, n: number, seqLen: number, name: string): BertLogits[] {
    const both = this.output(out, name, [n, seqLen, 2]);
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
}

/** Int64 copy of token ids held as numbers (tokenisers produce numbers; the model takes int64). */
export function toInt64(values: ArrayLike<number>): BigInt64Array {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]!);
  return out;
}
