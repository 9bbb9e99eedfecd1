/**
 * The ONNX Runtime BERT session as LoadGen's system under test: a query's samples are taken
 * from the QSL, run (in the session's batches), and answered once all are done. Performance
 * mode only: the logits are dropped, no accuracy bytes are returned.
 */
import type { QuerySample, SampleResponse, SystemUnderTest } from './loadgen/engine.js';
import type { SyntheticBertQsl } from './qsl.js';
import type { OrtSut } from './sut/onnxruntime.js';

export interface OrtLoadgenSutOptions {
  /** Told the QSL indices of each query as it is issued (tests check LoadGen's sample order). */
  readonly onIssue?: (indices: readonly number[]) => void;
}

export function ortLoadgenSut(ort: OrtSut, qsl: Pick<SyntheticBertQsl, 'sample'>, opts: OrtLoadgenSutOptions = {}): SystemUnderTest {
  return {
    name: `inferprint onnxruntime ${ort.provider} (${ort.ortVersion})`,
    async issueQuery(samples: readonly QuerySample[]): Promise<readonly SampleResponse[]> {
      opts.onIssue?.(samples.map((s) => s.index));
      await ort.issue(samples.map((s) => qsl.sample(s.index)));
      return samples.map((s) => ({ id: s.id }));
    },
  };
}
