/**
 * What the thread that owns an ONNX Runtime SUT and its worker thread say to each other, and the
 * packing on either side. Pure: no Node built-ins, no native package.
 *
 * Every request carries an id and gets exactly one reply with that id, in the order the requests
 * were sent; the worker announces itself with the reply to id 0 (`ready`). Inputs travel as
 * freshly packed `[batch, seq]` typed arrays whose buffers are transferred, never the caller's
 * sample arrays (the QSL keeps and reuses those); logits come back the same way. Errors travel as
 * their code, detail and place, and are rebuilt into the same `InferprintError` on arrival.
 */
import { errors, InferprintError, type ErrorCode, type Where } from '../../errors.js';
import type { BertIoBinding, BertSample } from './ort-bert-io.js';
// The worker's replies and the KServe client's responses are split by the same code.
export { splitLogits } from './ort-bert-io.js';

export type OrtProvider = 'cpu' | 'cuda';

/** How the worker creates its session (the provider is already chosen and checked). */
export interface OrtSessionConfig {
  readonly modelPath: string;
  readonly provider: OrtProvider;
  readonly cudaDeviceId: number;
  readonly intraOpNumThreads: number | undefined;
  readonly interOpNumThreads: number | undefined;
}

/** A batch of samples as the session takes it: three row-major `[n, seqLen]` tensors of the model's input type. */
export interface PackedBatch {
  readonly n: number;
  readonly seqLen: number;
  readonly inputIds: BigInt64Array | Int32Array;
  readonly inputMask: BigInt64Array | Int32Array;
  readonly segmentIds: BigInt64Array | Int32Array;
}

export type OrtRequest =
  | {
      readonly kind: 'load';
      readonly config: OrtSessionConfig;
      /** Shared counter the worker bumps when each session run starts and again when it ends (see `OrtSutOptions.runActivity`). */
      readonly runActivity: Int32Array | undefined;
    }
  | { readonly kind: 'warmup'; readonly runs: number; readonly batchSize: number; readonly seqLen: number }
  | { readonly kind: 'run'; readonly batch: PackedBatch }
  | { readonly kind: 'release' };

/** The reply to each kind of request (`ready` answers the worker's start, id 0). */
export interface OrtReplies {
  readonly ready: { readonly kind: 'ready' };
  readonly load: { readonly kind: 'loaded'; readonly io: BertIoBinding; readonly ortVersion: string };
  readonly warmup: { readonly kind: 'warm' };
  /** `[start, end]` (each `[n, seq]`) for a pair of outputs, `[both]` (`[n, seq, 2]`) for a stacked one. */
  readonly run: { readonly kind: 'ran'; readonly outputs: readonly Float32Array[] };
  readonly release: { readonly kind: 'released' };
}

export type OrtReply = OrtReplies[keyof OrtReplies];

export interface OrtRequestMessage {
  readonly id: number;
  readonly request: OrtRequest;
}

export type OrtReplyMessage =
  | { readonly id: number; readonly ok: true; readonly reply: OrtReply }
  | { readonly id: number; readonly ok: false; readonly error: TransportedError };

/** Id of the reply the worker sends, unasked, once it is listening. */
export const READY_ID = 0;

// ---- errors ----

/** An `InferprintError` as plain data (structured cloning keeps an Error's message but not its code). */
export interface TransportedError {
  readonly code: ErrorCode;
  readonly detail: string;
  readonly where: Where;
}

export function transportError(e: unknown): TransportedError {
  if (e instanceof InferprintError) return { code: e.code, detail: e.detail, where: { ...e.where } };
  const internal = errors.internal(`ONNX Runtime worker: ${e instanceof Error ? e.message : String(e)}`);
  return { code: internal.code, detail: internal.detail, where: {} };
}

/** The same error again, with the same code and message, on the receiving thread. */
export function rebuildError(t: TransportedError): InferprintError {
  return new InferprintError(t.code, t.detail, t.where);
}

// ---- packing ----

/**
 * Packs samples into fresh `[n, seq]` arrays of the model's input type, checking that they share
 * one length (and the model's, when it fixes one). `firstIndex` numbers the samples in errors.
 */
export function packBatch(batch: readonly BertSample[], io: BertIoBinding, firstIndex = 0): PackedBatch {
  const first = batch[0];
  if (first === undefined) throw errors.internal('packBatch: empty batch');
  const seqLen = first.inputIds.length;
  if (io.fixedSeqLen !== undefined && seqLen !== io.fixedSeqLen) {
    throw errors.invalidValue({ field: `samples[${firstIndex}].inputIds` }, `length ${seqLen}, the model takes ${io.fixedSeqLen}`);
  }
  batch.forEach((s, i) => {
    if (s.inputIds.length !== seqLen || s.inputMask.length !== seqLen || s.segmentIds.length !== seqLen) {
      throw errors.invalidValue({ field: `samples[${firstIndex + i}]` }, `input lengths ${s.inputIds.length}/${s.inputMask.length}/${s.segmentIds.length} differ from the batch's ${seqLen}`);
    }
  });
  const pack = (pick: (s: BertSample) => BigInt64Array): BigInt64Array | Int32Array => {
    if (io.inputType === 'int64') {
      const data = new BigInt64Array(batch.length * seqLen);
      batch.forEach((s, i) => {
        data.set(pick(s), i * seqLen);
      });
      return data;
    }
    const data = new Int32Array(batch.length * seqLen);
    batch.forEach((s, i) => {
      const src = pick(s);
      for (let j = 0; j < seqLen; j++) data[i * seqLen + j] = Number(src[j]!);
    });
    return data;
  };
  return { n: batch.length, seqLen, inputIds: pack((s) => s.inputIds), inputMask: pack((s) => s.inputMask), segmentIds: pack((s) => s.segmentIds) };
}

/** The buffers to transfer with a packed batch (each array owns its buffer: `packBatch` made them). */
export function packedBuffers(b: PackedBatch): ArrayBuffer[] {
  return [b.inputIds.buffer, b.inputMask.buffer, b.segmentIds.buffer].filter((x): x is ArrayBuffer => x instanceof ArrayBuffer);
}

/** The shapes the outputs must have for `n` samples of `seqLen` tokens, in the order `OrtReplies.run` lists them. */
export function expectedOutputs(io: BertIoBinding, n: number, seqLen: number): { readonly name: string; readonly dims: readonly number[] }[] {
  return io.output.kind === 'pair'
    ? [
        { name: io.output.start, dims: [n, seqLen] },
        { name: io.output.end, dims: [n, seqLen] },
      ]
    : [{ name: io.output.name, dims: [n, seqLen, 2] }];
}

/** A plausible feature for warm-up: [CLS] … [SEP] tokens, full mask, question then context segments. */
export function warmupSamples(count: number, seqLen: number): BertSample[] {
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
