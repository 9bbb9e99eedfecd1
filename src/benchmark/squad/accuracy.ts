/**
 * MLPerf BERT's accuracy script (`accuracy-squad.py`) on a LoadGen accuracy log: every logged
 * response becomes the start/end logits of feature `qsl_idx` (`load_loadgen_log`: decoded with
 * `--output_dtype`, float32 by default, read as (seq, 2) — or (2, seq) transposed with
 * `--output_transposed` — and padded to 384 positions with −10000), then answers
 * (`write_predictions`, n-best 20, max answer 30 tokens, uncased), then the official SQuAD v1.1
 * exact match and F1 over all questions, then the submission checker's bert-99 test
 * (F1 ≥ 90.874 × 0.99 = 89.965). A feature logged twice keeps its last response, as the
 * script's dictionary does. Pure.
 */
import { errors } from '../../errors.js';
import type { SquadDataset } from './dataset.js';
import { checkBertAccuracy, evaluateSquad, formatSquadScores, type AccuracyCheck, type BertAccuracyTarget, type SquadScores } from './evaluate.js';
import type { SquadExample, SquadFeature } from './features.js';
import { predictAnswers, predictionTexts, type PostprocessOptions, type RawResult, type SquadPrediction } from './postprocess.js';

/** `--output_dtype` choices of the script (numpy types, read in the machine's byte order: little-endian). */
export const OUTPUT_DTYPES = ['int8', 'int16', 'int32', 'int64', 'float16', 'float32', 'float64'] as const;
export type OutputDtype = (typeof OUTPUT_DTYPES)[number];

const ITEM_SIZE: Readonly<Record<OutputDtype, number>> = { int8: 1, int16: 2, int32: 4, int64: 8, float16: 2, float32: 4, float64: 8 };

export interface ResponseLayout {
  /** Element type of the response bytes. Default float32 (the reference SUT's). */
  readonly dtype: OutputDtype;
  /** false: (seq, 2) interleaved start/end (the default); true: (2, seq), all starts then all ends. */
  readonly transposed: boolean;
  /** Positions logits are padded to with −10000. MLPerf: 384. */
  readonly maxSeqLength: number;
}

export const MLPERF_RESPONSE_LAYOUT: ResponseLayout = { dtype: 'float32', transposed: false, maxSeqLength: 384 };

/** IEEE 754 half precision → double (DataView has no getFloat16 on Node 20). */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

function readElement(view: DataView, dtype: OutputDtype, i: number): number {
  switch (dtype) {
    case 'int8':
      return view.getInt8(i);
    case 'int16':
      return view.getInt16(2 * i, true);
    case 'int32':
      return view.getInt32(4 * i, true);
    case 'int64':
      // numpy's int64 → float64 assignment rounds to nearest, as Number() does.
      return Number(view.getBigInt64(8 * i, true));
    case 'float16':
      return halfToNumber(view.getUint16(2 * i, true));
    case 'float32':
      return view.getFloat32(4 * i, true);
    case 'float64':
      return view.getFloat64(8 * i, true);
  }
}

export interface LogitsFor {
  readonly startLogits: Float64Array;
  readonly endLogits: Float64Array;
}

/**
 * One response's bytes → start and end logits padded with −10000 to `maxSeqLength`, as
 * `load_loadgen_log` does (`np.frombuffer(...).reshape(-1, 2)`). `field` names the entry in errors.
 */
export function decodeResponseLogits(data: Uint8Array, layout: Partial<ResponseLayout> = {}, field = 'data'): LogitsFor {
  const { dtype, transposed, maxSeqLength } = { ...MLPERF_RESPONSE_LAYOUT, ...layout };
  const size = ITEM_SIZE[dtype];
  if (data.length % size !== 0) throw errors.invalidValue({ field }, `${data.length} bytes are not a whole number of ${dtype} values`);
  const count = data.length / size;
  if (count % 2 !== 0) throw errors.invalidValue({ field }, `${count} ${dtype} values cannot be read as (start, end) pairs`);
  const positions = count / 2;
  if (positions > maxSeqLength) throw errors.invalidValue({ field }, `response holds ${positions} positions, more than ${maxSeqLength}`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const startLogits = new Float64Array(maxSeqLength).fill(-10000);
  const endLogits = new Float64Array(maxSeqLength).fill(-10000);
  for (let i = 0; i < positions; i++) {
    startLogits[i] = readElement(view, dtype, transposed ? i : 2 * i);
    endLogits[i] = readElement(view, dtype, transposed ? positions + i : 2 * i + 1);
  }
  return { startLogits, endLogits };
}

/** What the scorer needs of an accuracy-log entry (`AccuracyRecord`, `AccuracyLogEntry`). */
export interface LoggedResponse {
  readonly seqId: number;
  readonly qslIdx: number;
  readonly data: Uint8Array;
}

/** `load_loadgen_log`: logged responses → one raw result per entry, keyed by the feature's unique id. */
export function rawResultsFromAccuracyLog(entries: Iterable<LoggedResponse>, features: readonly SquadFeature[], layout: Partial<ResponseLayout> = {}): RawResult[] {
  const results: RawResult[] = [];
  for (const e of entries) {
    const feature = Number.isInteger(e.qslIdx) ? features[e.qslIdx] : undefined;
    if (feature === undefined) {
      throw errors.invalidValue({ field: `qsl_idx (seq_id ${e.seqId})` }, `${e.qslIdx} is not a feature of this dataset (${features.length} features): was the log made with another dataset or vocabulary?`);
    }
    const logits = decodeResponseLogits(e.data, layout, `data (seq_id ${e.seqId})`);
    results.push({ uniqueId: feature.uniqueId, ...logits });
  }
  return results;
}

export interface SquadAccuracyOptions {
  readonly layout?: Partial<ResponseLayout>;
  /** n-best 20, max answer 30, lower case true by default (the script's call). */
  readonly postprocess?: Partial<PostprocessOptions>;
  /** Default bert-99. */
  readonly target?: BertAccuracyTarget;
}

export interface SquadAccuracyInput {
  readonly entries: Iterable<LoggedResponse>;
  readonly dataset: SquadDataset;
  readonly examples: readonly SquadExample[];
  /** The QSL's samples, in QSL order (`qsl_idx` indexes them). */
  readonly features: readonly SquadFeature[];
}

export interface SquadAccuracyResult {
  readonly predictions: readonly SquadPrediction[];
  /** Question id → answer text: the script's `predictions.json`. */
  readonly predictionTexts: ReadonlyMap<string, string>;
  /** Exact match and F1 in percent over every question of the dataset. */
  readonly scores: SquadScores;
  /** The evaluation script's output line, which MLPerf keeps as `accuracy.txt`. */
  readonly scoresLine: string;
  readonly check: AccuracyCheck;
  /** Logged responses read. */
  readonly responseCount: number;
  /** Features that got at least one response (the rest cannot contribute an answer). */
  readonly featuresAnswered: number;
}

/** The whole of `accuracy-squad.py` + `evaluate_v1.1.py` + the checker's threshold. */
export function scoreSquadAccuracy(input: SquadAccuracyInput, opts: SquadAccuracyOptions = {}): SquadAccuracyResult {
  const results = rawResultsFromAccuracyLog(input.entries, input.features, opts.layout ?? {});
  const predictions = predictAnswers(input.examples, input.features, results, opts.postprocess ?? {});
  const texts = predictionTexts(predictions);
  const scores = evaluateSquad(input.dataset, texts);
  return {
    predictions,
    predictionTexts: texts,
    scores,
    scoresLine: formatSquadScores(scores),
    check: checkBertAccuracy(scores.f1, opts.target ?? 'bert-99'),
    responseCount: results.length,
    featuresAnswered: new Set(results.map((r) => r.uniqueId)).size,
  };
}

/** Python's `json.dumps` string escaping with its default `ensure_ascii=True` (lower-case `\uXXXX`). */
function pythonJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    // UTF-16 units: an astral character comes out as its surrogate pair, as Python writes it.
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += s[i]!;
  }
  return `${out}"`;
}

/** `predictions.json` as the script writes it: `json.dumps(all_predictions, indent=4) + "\n"`. */
export function formatPredictionsJson(predictions: ReadonlyMap<string, string>): string {
  if (predictions.size === 0) return '{}\n';
  const lines = [...predictions].map(([id, text]) => `    ${pythonJsonString(id)}: ${pythonJsonString(text)}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}
