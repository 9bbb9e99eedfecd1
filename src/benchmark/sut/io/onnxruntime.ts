/**
 * The ONNX Runtime system under test: a BERT SQuAD model (the user's MLPerf `model.onnx`, the
 * int8 fake-quantised one, or a synthetic one) in an `onnxruntime-node` session.
 *
 * The session lives in a worker thread (`ort-worker.ts`). `onnxruntime-node` runs inference
 * synchronously on the thread that calls `run`, so a session on this thread would stall the event
 * loop for the whole of every run: in-process power sensors could not sample during inference,
 * child-process sensor lines (tegrastats) would be read late, and LoadGen's timers would fire late.
 * Inputs go to the worker as packed, transferred typed arrays and logits come back the same way.
 *
 * Phases are timed separately, because the study's power windows separate them: `load` (session
 * creation: parsing the file, graph optimisation, weight placement) and `warmup` (first runs, which
 * allocate arenas and, on CUDA, pick kernels), both before any query is timed, both read on the
 * caller's clock. Starting the worker thread itself comes before `load`.
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
import { errors } from '../../../errors.js';
import { MLPERF_SEQ_LEN, type BertIoBinding, type BertLogits, type BertSample } from '../ort-bert-io.js';
import { packBatch, packedBuffers, splitLogits, type OrtProvider } from '../ort-protocol.js';
import { loadOrt, ORT_PACKAGE } from './ort-load.js';
import { OrtWorker } from './ort-worker-client.js';

export { detectBertIo, MLPERF_SEQ_LEN, toInt64, type BertIoBinding, type BertLogits, type BertSample, type ValueMeta } from '../ort-bert-io.js';
export type { OrtProvider } from '../ort-protocol.js';

export type OrtProviderRequest = 'cpu' | 'cuda' | 'auto';

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

/**
 * Whether this `onnxruntime-node` install has the CUDA provider libraries (checked without loading
 * them). Loads the package itself (`DEPENDENCY_MISSING` when it is not installed).
 */
export async function cudaProviderStatus(): Promise<CudaProviderStatus> {
  const ort = await loadOrt();
  const key = `${platform()}/${arch()}`;
  const binDir = join(dirname(createRequire(import.meta.url).resolve(ORT_PACKAGE)), '..', 'bin', 'napi-v6', platform(), arch());
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
  /**
   * A counter on a `SharedArrayBuffer` that the worker increments (with `Atomics`) when each
   * session run starts and again when it ends, warm-up runs included: element 0 is odd exactly
   * while a run is in flight, and half of it counts the runs done. Any thread can read it without
   * waiting for a message, e.g. to tell which power samples fell inside inference.
   */
  readonly runActivity?: Int32Array;
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
  /** Release the session and end its worker thread, after the batches already sent. */
  close(): Promise<void>;
}

/** Start the session's worker, load the model, warm it up, and return the SUT. */
export async function openOrtSut(opts: OrtSutOptions): Promise<OrtSut> {
  const clock = opts.clock ?? ((): number => performance.now() / 1000);
  const maxBatchSize = opts.maxBatchSize ?? 1;
  if (!Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1) throw errors.invalidValue({ field: 'maxBatchSize' }, `must be a positive integer, got ${maxBatchSize}`);
  const runActivity = opts.runActivity;
  if (runActivity !== undefined && (!(runActivity.buffer instanceof SharedArrayBuffer) || runActivity.length < 1)) {
    throw errors.invalidValue({ field: 'runActivity' }, 'must be an Int32Array on a SharedArrayBuffer');
  }
  if (!existsSync(opts.modelPath)) throw errors.notFound(opts.modelPath, 'model file');
  // Here, before a worker starts: a missing package is one line saying how to install it, not a
  // worker thread that stopped.
  await loadOrt();
  const { provider, note } = await chooseProvider(opts.provider ?? 'cpu');

  const worker = await OrtWorker.start(opts.modelPath);
  try {
    const loadStart = clock();
    const { io, ortVersion } = await worker.request({
      kind: 'load',
      config: { modelPath: opts.modelPath, provider, cudaDeviceId: opts.cudaDeviceId ?? 0, intraOpNumThreads: opts.intraOpNumThreads, interOpNumThreads: opts.interOpNumThreads },
      runActivity,
    });
    const load = { startS: loadStart, endS: clock() };
    if (io.fixedBatch !== undefined && maxBatchSize > io.fixedBatch) {
      throw errors.invalidValue({ file: opts.modelPath, field: 'maxBatchSize' }, `the model fixes the batch at ${io.fixedBatch}; cannot run ${maxBatchSize} samples at once`);
    }

    const warmupStart = clock();
    const warmupRuns = opts.warmupRuns ?? 2;
    if (warmupRuns > 0) await worker.request({ kind: 'warmup', runs: warmupRuns, batchSize: maxBatchSize, seqLen: io.fixedSeqLen ?? opts.warmupSeqLen ?? MLPERF_SEQ_LEN });
    const warmup = { startS: warmupStart, endS: clock() };

    return {
      name: 'onnxruntime',
      modelPath: opts.modelPath,
      provider,
      providerNote: note,
      ortVersion,
      io,
      maxBatchSize,
      phases: { load, warmup },
      issue: (samples) => issueBatches(worker, io, maxBatchSize, samples),
      close: () => worker.close(),
    };
  } catch (e) {
    await worker.close();
    throw e;
  }
}

/** Runs the samples in batches of at most `maxBatchSize`, one after another, and collects their logits in order. */
async function issueBatches(worker: OrtWorker, io: BertIoBinding, maxBatchSize: number, samples: readonly BertSample[]): Promise<BertLogits[]> {
  const results: BertLogits[] = [];
  for (let at = 0; at < samples.length; at += maxBatchSize) {
    const batch = packBatch(samples.slice(at, at + maxBatchSize), io, at);
    const { outputs } = await worker.request({ kind: 'run', batch }, packedBuffers(batch));
    for (const r of splitLogits(io, outputs, batch.n, batch.seqLen)) results.push(r);
  }
  return results;
}

async function chooseProvider(request: OrtProviderRequest): Promise<{ provider: OrtProvider; note: string }> {
  if (request === 'cpu') return { provider: 'cpu', note: 'cpu requested' };
  const cuda = await cudaProviderStatus();
  if (request === 'cuda') {
    if (!cuda.installed) throw errors.invalidValue({ flag: '--provider' }, `cuda requested but unavailable: ${cuda.reason}`);
    return { provider: 'cuda', note: 'cuda requested' };
  }
  return cuda.installed ? { provider: 'cuda', note: 'auto: CUDA provider installed' } : { provider: 'cpu', note: `auto: CUDA provider not installed (${cuda.missing.join(', ') || cuda.reason}), using cpu` };
}

