/**
 * A query sample library over real SQuAD features, as the MLPerf reference builds it
 * (`squad_QSL.py`): the dataset's questions tokenised with `vocab.txt` into BERT features (max
 * sequence 384, doc stride 128, max query 64); sample i is feature i, so `qsl_idx` in the
 * accuracy log is a feature index. The SQuAD v1.1 dev set gives 10 833 samples.
 *
 * Loading a sample makes its int64 inputs for ONNX Runtime (done before timing starts, like
 * LoadGen's `LoadSamplesToRam`); unloading drops them.
 */
import type { QuerySampleLibrary } from '../../loadgen/engine.js';
import type { BertSample } from '../../sut/io/onnxruntime.js';
import { toInt64 } from '../../sut/ort-bert-io.js';
import { errors } from '../../../errors.js';
import { squadQuestions, type SquadDataset } from '../../squad/dataset.js';
import { convertExamplesToFeatures, readSquadExamples, type FeatureOptions, type SquadExample, type SquadFeature } from '../../squad/features.js';
import { loadSquad, loadVocab } from '../../squad/io/files.js';
import { createBertTokenizer, type Vocab } from '../../squad/wordpiece.js';

export interface SquadQslOptions {
  readonly dataset: SquadDataset;
  readonly vocab: Vocab;
  /** Feature sizes; MLPerf's by default (384, 128, 64). */
  readonly featureOptions?: Partial<FeatureOptions>;
  /** Whether the tokenizer lower-cases (BERT uncased, the MLPerf model: true). */
  readonly lowerCase?: boolean;
  /** `squad_QSL.py`'s perf_count_override: the QSL's performance sample count (default: every feature). */
  readonly performanceSampleCount?: number;
  /** Shown as LoadGen's `qsl_name`. */
  readonly name?: string;
}

export interface SquadQsl extends QuerySampleLibrary {
  readonly dataset: SquadDataset;
  readonly examples: readonly SquadExample[];
  /** The samples: feature i is QSL index i. */
  readonly features: readonly SquadFeature[];
  readonly questionCount: number;
  readonly lowerCase: boolean;
  /** The model inputs of a loaded sample; throws for an index outside the QSL or not loaded. */
  sample(index: number): BertSample;
  readonly loadedCount: number;
}

/** Build the QSL from a parsed dataset and vocabulary. */
export function squadQsl(opts: SquadQslOptions): SquadQsl {
  const lowerCase = opts.lowerCase ?? true;
  const tokenizer = createBertTokenizer(opts.vocab, { lowerCase });
  const examples = readSquadExamples(opts.dataset);
  const features = convertExamplesToFeatures(examples, tokenizer, opts.featureOptions ?? {});
  const total = features.length;
  // Possible with contexts that tokenize to nothing; LoadGen cannot run an empty QSL.
  if (total === 0) throw errors.noData('the SQuAD file gives no feature (every context is empty)');
  const performanceSampleCount = opts.performanceSampleCount ?? total;
  if (!Number.isSafeInteger(performanceSampleCount) || performanceSampleCount < 1) {
    throw errors.invalidValue({ field: 'performanceSampleCount' }, `expected a positive integer, got ${performanceSampleCount}`);
  }
  const seqLen = features[0]!.inputIds.length;
  const loaded = new Map<number, BertSample>();
  const checkIndex = (i: number): SquadFeature => {
    const f = Number.isInteger(i) ? features[i] : undefined;
    if (f === undefined) throw errors.invalidValue({ field: 'sample index' }, `${i} is outside the QSL of ${total} features`);
    return f;
  };
  return {
    name: opts.name ?? `inferprint SQuAD QSL (${total} features × seq ${seqLen})`,
    totalSampleCount: total,
    performanceSampleCount,
    dataset: opts.dataset,
    examples,
    features,
    questionCount: squadQuestions(opts.dataset).length,
    lowerCase,
    get loadedCount() {
      return loaded.size;
    },
    loadSamples(indices) {
      // An executor that throws rejects the promise: a bad index is reported the asynchronous way.
      return new Promise<void>((resolve) => {
        for (const i of indices) {
          if (loaded.has(i)) continue;
          const f = checkIndex(i);
          loaded.set(i, { inputIds: toInt64(f.inputIds), inputMask: toInt64(f.inputMask), segmentIds: toInt64(f.segmentIds) });
        }
        resolve();
      });
    },
    unloadSamples(indices) {
      for (const i of indices) loaded.delete(i);
      return Promise.resolve();
    },
    sample(index) {
      const s = loaded.get(index);
      if (s === undefined) {
        checkIndex(index);
        throw errors.invalidValue({ field: 'sample index' }, `sample ${index} was issued but is not loaded`);
      }
      return s;
    },
  };
}

export interface SquadQslFiles extends Omit<SquadQslOptions, 'dataset' | 'vocab'> {
  /** A SQuAD v1.1 JSON file (MLPerf: `dev-v1.1.json`). */
  readonly datasetPath: string;
  /** The model's WordPiece vocabulary (MLPerf: `vocab.txt`). */
  readonly vocabPath: string;
}

/** Read the dataset and the vocabulary and build the QSL (NOT_FOUND, PARSE… name the file at fault). */
export function loadSquadQsl(opts: SquadQslFiles): SquadQsl {
  const { datasetPath, vocabPath, ...rest } = opts;
  return squadQsl({ ...rest, vocab: loadVocab(vocabPath), dataset: loadSquad(datasetPath) });
}
