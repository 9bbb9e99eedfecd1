/**
 * The ONNX Runtime BERT session as LoadGen's system under test: a query's samples are taken
 * from the QSL, run (in the session's batches), and answered once all are done.
 *
 * Performance mode drops the logits. Accuracy mode (`responseData: true`) answers each sample
 * with the bytes the reference SUT (`onnxruntime_SUT.py`) hands LoadGen:
 * `np.stack([start_logits, end_logits], axis=-1)[0]`, i.e. float32 of shape (seq, 2),
 * interleaved start₀, end₀, start₁, end₁, …, little-endian — 3 072 bytes at seq 384.
 */
import type { QuerySample, SampleResponse, SystemUnderTest } from '../loadgen/engine.js';
import type { BertLogits, BertSample, OrtSut } from './io/onnxruntime.js';

/** Where the SUT gets a sample's inputs: the synthetic QSL or the SQuAD one. */
export interface BertSampleSource {
  sample(index: number): BertSample;
}

export interface OrtLoadgenSutOptions {
  /** Told the QSL indices of each query as it is issued (tests check LoadGen's sample order). */
  readonly onIssue?: (indices: readonly number[]) => void;
  /** Return each sample's logits as response bytes (accuracy mode). Default false. */
  readonly responseData?: boolean;
}

/** The reference SUT's response bytes for one sample: float32 (seq, 2), start and end interleaved, little-endian. */
export function logitsResponseBytes(logits: BertLogits): Uint8Array {
  const { startLogits, endLogits } = logits;
  const out = new Uint8Array(startLogits.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < startLogits.length; i++) {
    view.setFloat32(8 * i, startLogits[i]!, true);
    view.setFloat32(8 * i + 4, endLogits[i]!, true);
  }
  return out;
}

/** Anything that runs BERT samples and returns their logits: an ONNX Runtime session, a KServe v2 server. */
export interface BertRunner {
  issue(samples: readonly BertSample[]): Promise<BertLogits[]>;
  /** Most samples per run; a query larger than this is answered batch by batch. */
  readonly maxBatchSize?: number;
}

/** A BERT runner as LoadGen's system under test, named as the MLPerf logs will show it. */
export function bertLoadgenSut(name: string, runner: BertRunner, qsl: BertSampleSource, opts: OrtLoadgenSutOptions = {}): SystemUnderTest {
  const withData = opts.responseData === true;
  return {
    name,
    async issueQuery(samples: readonly QuerySample[], complete?: (responses: readonly SampleResponse[]) => void): Promise<readonly SampleResponse[]> {
      opts.onIssue?.(samples.map((s) => s.index));
      const answer = (part: readonly QuerySample[], logits: readonly BertLogits[]): SampleResponse[] =>
        withData ? part.map((s, i) => ({ id: s.id, data: logitsResponseBytes(logits[i]!) })) : part.map((s) => ({ id: s.id }));
      const batch = runner.maxBatchSize ?? samples.length;
      if (complete === undefined || samples.length <= batch) return answer(samples, await runner.issue(samples.map((s) => qsl.sample(s.index))));
      // A large query (Offline, MultiStream) is answered batch by batch, as the reference SUT
      // completes it, so each sample's latency is its own batch's. The batches are all sent at
      // once: a session runs them in order, a server may run them side by side.
      const parts: QuerySample[][] = [];
      for (let i = 0; i < samples.length; i += batch) parts.push(samples.slice(i, i + batch));
      await Promise.all(
        parts.map(async (part) => {
          complete(answer(part, await runner.issue(part.map((s) => qsl.sample(s.index)))));
        }),
      );
      return [];
    },
  };
}

export function ortLoadgenSut(ort: OrtSut, qsl: BertSampleSource, opts: OrtLoadgenSutOptions = {}): SystemUnderTest {
  return bertLoadgenSut(`inferprint onnxruntime ${ort.provider} (${ort.ortVersion})`, ort, qsl, opts);
}
