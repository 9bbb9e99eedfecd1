/**
 * A query sample library of synthetic BERT inputs: `totalSampleCount` SQuAD-shaped features
 * (seq 384 by default), each generated deterministically from its index, so a sample is the
 * same in every run and on every machine without any dataset on disk. 10 833 samples by
 * default: the size of the real BERT QSL, so LoadGen's seeds give the study's sample order.
 *
 * Samples are made lazily when the SUT asks for them (3 × 384 int64 ≈ 9 KB each); the whole
 * set would be ≈ 100 MB, which a benchmark should not spend on inputs it barely reads.
 */
import type { QuerySampleLibrary } from '../loadgen/engine.js';
import { BERT_SAMPLE_COUNT } from '../loadgen/settings.js';
import type { BertSample } from '../sut/io/onnxruntime.js';
import { errors } from '../../errors.js';
import { mulberry32 } from '../../seeded-random.js';

export interface SyntheticQslOptions {
  readonly totalSampleCount?: number;
  readonly seqLen?: number;
  /** Token ids are drawn from [1000, vocabSize) (below 1000: BERT's special and unused tokens). */
  readonly vocabSize?: number;
}

export interface SyntheticBertQsl extends QuerySampleLibrary {
  readonly seqLen: number;
  /** The sample at `index`; throws when it is outside the QSL or not loaded. */
  sample(index: number): BertSample;
  /** How many samples are loaded now. */
  readonly loadedCount: number;
}

const CLS = 101n;
const SEP = 102n;

/** A different, well-mixed stream per sample index: mulberry32 from a hash of the index. */
function rngFor(index: number): () => number {
  return mulberry32(Math.imul(index + 1, 0x9e3779b9) ^ 0x85ebca6b);
}

/**
 * The feature of sample `index`: `[CLS] question [SEP] context [SEP]` then padding. The valid
 * length is spread over [96, seqLen] as SQuAD features are (most are long: contexts are split
 * into 384-token windows), the question takes 8–40 tokens.
 */
export function syntheticBertSample(index: number, seqLen = 384, vocabSize = 30_522): BertSample {
  const rand = rngFor(index);
  const inputIds = new BigInt64Array(seqLen);
  const inputMask = new BigInt64Array(seqLen);
  const segmentIds = new BigInt64Array(seqLen);
  const minValid = Math.min(seqLen, 96);
  const valid = minValid + Math.floor(rand() * (seqLen - minValid + 1));
  const question = Math.min(valid - 3, 8 + Math.floor(rand() * 33));
  for (let i = 0; i < valid; i++) {
    inputIds[i] = BigInt(1000 + Math.floor(rand() * (vocabSize - 1000)));
    inputMask[i] = 1n;
    segmentIds[i] = i > question + 1 ? 1n : 0n;
  }
  inputIds[0] = CLS;
  if (question + 1 < valid) inputIds[question + 1] = SEP;
  inputIds[valid - 1] = SEP;
  return { inputIds, inputMask, segmentIds };
}

export function syntheticBertQsl(opts: SyntheticQslOptions = {}): SyntheticBertQsl {
  const total = opts.totalSampleCount ?? BERT_SAMPLE_COUNT;
  const seqLen = opts.seqLen ?? 384;
  const vocab = opts.vocabSize ?? 30_522;
  if (!Number.isSafeInteger(total) || total < 1) throw errors.invalidValue({ field: 'totalSampleCount' }, `expected a positive integer, got ${total}`);
  if (!Number.isSafeInteger(seqLen) || seqLen < 8) throw errors.invalidValue({ field: 'seqLen' }, `expected an integer ≥ 8, got ${seqLen}`);
  if (!Number.isSafeInteger(vocab) || vocab <= 1000) throw errors.invalidValue({ field: 'vocabSize' }, `expected an integer > 1000, got ${vocab}`);
  const loaded = new Set<number>();
  return {
    name: `inferprint synthetic BERT QSL (${total} × seq ${seqLen})`,
    totalSampleCount: total,
    performanceSampleCount: total,
    seqLen,
    get loadedCount() {
      return loaded.size;
    },
    loadSamples(indices) {
      for (const i of indices) {
        if (i < 0 || i >= total) throw errors.invalidValue({ field: 'sample index' }, `${i} is outside the QSL of ${total}`);
        loaded.add(i);
      }
      return Promise.resolve();
    },
    unloadSamples(indices) {
      for (const i of indices) loaded.delete(i);
      return Promise.resolve();
    },
    sample(index) {
      if (!loaded.has(index)) throw errors.invalidValue({ field: 'sample index' }, `sample ${index} was issued but is not loaded`);
      return syntheticBertSample(index, seqLen, vocab);
    },
  };
}
