/**
 * The worker thread of the ONNX Runtime SUT: it owns the session, so the native `run` (which
 * `onnxruntime-node` 1.30 executes synchronously on the calling thread) blocks this thread only,
 * and the thread that spawned it keeps sampling power sensors, reading child processes and firing
 * LoadGen's timers during inference.
 *
 * It creates the session, recognises the BERT inputs and outputs, warms up and runs batches, one
 * request at a time in arrival order (ONNX Runtime parallelises inside a run). Protocol and
 * packing: `ort-protocol.ts`; the spawning side: `ort-worker-client.ts`.
 */
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { errors } from '../../../errors.js';
import { detectBertIo, type BertIoBinding, type ValueMeta } from '../ort-bert-io.js';
import {
  expectedOutputs,
  packBatch,
  READY_ID,
  transportError,
  warmupSamples,
  type OrtReply,
  type OrtReplyMessage,
  type OrtRequest,
  type OrtRequestMessage,
  type OrtSessionConfig,
  type PackedBatch,
} from '../ort-protocol.js';

interface Loaded {
  readonly session: ort.InferenceSession;
  readonly io: BertIoBinding;
  readonly file: string;
  readonly outputNames: readonly string[];
  readonly runActivity: Int32Array | undefined;
}

if (parentPort === null) throw errors.internal('ort-worker runs as a worker thread, not as a program');
const port = parentPort;
let loaded: Loaded | undefined;
// Requests are served strictly one after another, so a release never overtakes a run.
let queue: Promise<void> = Promise.resolve();

port.on('message', (message: OrtRequestMessage) => {
  queue = queue.then(() => handle(message));
});
post({ id: READY_ID, ok: true, reply: { kind: 'ready' } });

function post(message: OrtReplyMessage, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
}

async function handle({ id, request }: OrtRequestMessage): Promise<void> {
  try {
    const [reply, transfer] = await serve(request);
    post({ id, ok: true, reply }, transfer);
  } catch (e) {
    post({ id, ok: false, error: transportError(e) });
  }
}

async function serve(request: OrtRequest): Promise<[OrtReply, ArrayBuffer[]]> {
  switch (request.kind) {
    case 'load': {
      if (loaded !== undefined) throw errors.internal('ort-worker: a session is already loaded');
      loaded = await load(request.config, request.runActivity);
      return [{ kind: 'loaded', io: loaded.io, ortVersion: ort.env.versions.node ?? ort.env.versions.common }, []];
    }
    case 'warmup': {
      const s = session();
      const batch = packBatch(warmupSamples(request.batchSize, request.seqLen), s.io);
      // The batch is reused across runs: nothing is transferred, the outputs are dropped.
      for (let i = 0; i < request.runs; i++) await run(s, batch);
      return [{ kind: 'warm' }, []];
    }
    case 'run': {
      const outputs = await run(session(), request.batch);
      return [{ kind: 'ran', outputs }, outputs.map((o) => o.buffer as ArrayBuffer)];
    }
    case 'release': {
      const s = loaded;
      loaded = undefined;
      if (s !== undefined) await s.session.release();
      return [{ kind: 'released' }, []];
    }
  }
}

function session(): Loaded {
  if (loaded === undefined) throw errors.internal('ort-worker: no session loaded');
  return loaded;
}

async function load(config: OrtSessionConfig, runActivity: Int32Array | undefined): Promise<Loaded> {
  const options: ort.InferenceSession.SessionOptions = {
    executionProviders: config.provider === 'cuda' ? [{ name: 'cuda', deviceId: config.cudaDeviceId }] : ['cpu'],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    ...(config.intraOpNumThreads !== undefined ? { intraOpNumThreads: config.intraOpNumThreads } : {}),
    ...(config.interOpNumThreads !== undefined ? { interOpNumThreads: config.interOpNumThreads } : {}),
  };
  const file = config.modelPath;
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(file, options);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (config.provider === 'cuda') throw errors.invalidValue({ file, flag: '--provider' }, `ONNX Runtime could not create a CUDA session: ${msg}`);
    throw errors.parse({ file }, `ONNX Runtime could not load the model: ${msg}`);
  }
  try {
    const io = detectBertIo(session.inputMetadata.map(toValueMeta), session.outputMetadata.map(toValueMeta), file);
    const outputNames = io.output.kind === 'pair' ? [io.output.start, io.output.end] : [io.output.name];
    return { session, io, file, outputNames, runActivity };
  } catch (e) {
    await session.release();
    throw e;
  }
}

function toValueMeta(m: ort.InferenceSession.ValueMetadata): ValueMeta {
  return m.isTensor ? { name: m.name, type: m.type, shape: m.shape } : { name: m.name };
}

/** One session run; the outputs come back checked, each owning its buffer so that it can be transferred. */
async function run(s: Loaded, batch: PackedBatch): Promise<Float32Array[]> {
  const dims = [batch.n, batch.seqLen];
  const tensor = (data: BigInt64Array | Int32Array): ort.Tensor => (data instanceof BigInt64Array ? new ort.Tensor('int64', data, dims) : new ort.Tensor('int32', data, dims));
  const feeds: Record<string, ort.Tensor> = {
    [s.io.inputIds]: tensor(batch.inputIds),
    [s.io.inputMask]: tensor(batch.inputMask),
    [s.io.segmentIds]: tensor(batch.segmentIds),
  };
  let out: ort.InferenceSession.ReturnType;
  // Odd while a run is in flight: another thread can tell, without a message, whether inference is running.
  if (s.runActivity !== undefined) Atomics.add(s.runActivity, 0, 1);
  try {
    out = await s.session.run(feeds, s.outputNames);
  } catch (e) {
    throw errors.invalidValue({ file: s.file }, `inference failed: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    if (s.runActivity !== undefined) Atomics.add(s.runActivity, 0, 1);
  }
  return expectedOutputs(s.io, batch.n, batch.seqLen).map(({ name, dims: expected }) => {
    const t = out[name];
    if (t === undefined || !(t.data instanceof Float32Array)) throw errors.invalidValue({ file: s.file, field: name }, 'output missing or not float32');
    if (t.dims.length !== expected.length || t.dims.some((d, i) => d !== expected[i])) {
      throw errors.invalidValue({ file: s.file, field: name }, `output shape [${t.dims.join(', ')}], expected [${expected.join(', ')}]`);
    }
    const data = t.data;
    // ONNX Runtime gives each output its own buffer; copy only if that ever changes, since transferring a shared buffer would detach the others.
    return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && data.buffer instanceof ArrayBuffer ? data : data.slice();
  });
}
