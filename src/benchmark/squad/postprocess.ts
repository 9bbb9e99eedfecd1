/**
 * Start/end logits → answer text, as the MLPerf reference does it (`accuracy-squad.py`
 * `write_predictions`, n_best 20, max answer 30 tokens, uncased): for every feature of an example,
 * pair its 20 best start positions with its 20 best end positions; keep pairs inside the doc
 * window, starting at a token this window gives the most context, ending at or after the start,
 * at most 30 tokens long; rank by start + end logit; map the best back to the original words and
 * trim them to the predicted characters (`get_final_text`). Pure.
 */
import { errors } from '../../errors.js';
import { origWordIndex, isMaxContext, type SquadExample, type SquadFeature } from './features.js';
import { basicTokenize, pythonSplit } from './wordpiece.js';

/** The model's output for one feature. */
export interface RawResult {
  readonly uniqueId: number;
  readonly startLogits: ArrayLike<number>;
  readonly endLogits: ArrayLike<number>;
}

export interface PostprocessOptions {
  /** Best starts and best ends considered, and n-best list length. MLPerf: 20. */
  readonly nBestSize: number;
  /** Longest answer in tokens. MLPerf: 30. */
  readonly maxAnswerLength: number;
  /** Whether the tokenizer lower-cased (BERT uncased: true). */
  readonly lowerCase: boolean;
}

export const MLPERF_POSTPROCESS_OPTIONS: PostprocessOptions = { nBestSize: 20, maxAnswerLength: 30, lowerCase: true };

/** The reference's fallback text when no span is valid. */
export const EMPTY_PREDICTION = 'empty';

export interface NbestEntry {
  readonly text: string;
  readonly startLogit: number;
  readonly endLogit: number;
  /** Softmax of start + end logit over the n-best list. */
  readonly probability: number;
}

export interface SquadPrediction {
  readonly qasId: string;
  /** The answer: the first n-best text. */
  readonly text: string;
  readonly nbest: readonly NbestEntry[];
}

/**
 * Indexes of the `n` largest logits, largest first; equal logits keep index order (as Python's
 * stable `sorted(..., reverse=True)`). NaN logits are never chosen.
 */
export function bestIndexes(logits: ArrayLike<number>, n: number): number[] {
  const top: number[] = [];
  for (let i = 0; i < logits.length; i++) {
    const v = logits[i]!;
    if (Number.isNaN(v)) continue;
    if (top.length === n && !(v > logits[top[n - 1]!]!)) continue;
    // Insert after every kept index whose logit is >= v: earlier indexes win ties.
    let at = top.length;
    while (at > 0 && logits[top[at - 1]!]! < v) at -= 1;
    top.splice(at, 0, i);
    if (top.length > n) top.pop();
  }
  return top;
}

const SURROGATE = /[\ud800-\udfff]/;

/** Python indexes strings by code point; without astral characters the UTF-16 units are the same. */
function codePoints(s: string): ArrayLike<string> {
  return SURROGATE.test(s) ? Array.from(s) : s;
}

/** For each non-space character of `chars`, its index in `chars` (the map of `_strip_spaces`). */
function nonSpacePositions(chars: ArrayLike<string>): number[] {
  const positions: number[] = [];
  for (let i = 0; i < chars.length; i++) if (chars[i] !== ' ') positions.push(i);
  return positions;
}

/**
 * Project a normalised prediction (`pred`, lower-cased WordPiece text) onto the original words
 * (`orig`): "steve smith" in "Steve Smith's" gives "Steve Smith". It basic-tokenizes `orig`,
 * assumes characters align one to one once spaces are removed, and gives up (returns `orig`)
 * whenever that assumption visibly fails — exactly where the reference gives up.
 */
export function getFinalText(pred: string, orig: string, lowerCase: boolean): string {
  const tokText = basicTokenize(orig, { lowerCase }).join(' ');
  const unit = tokText.indexOf(pred);
  if (unit < 0) return orig;
  const tokChars = codePoints(tokText);
  const start = typeof tokChars === 'string' ? unit : Array.from(tokText.slice(0, unit)).length;
  const end = start + codePoints(pred).length - 1;
  const origChars = codePoints(orig);
  const origNs = nonSpacePositions(origChars);
  const tokNs = nonSpacePositions(tokChars);
  if (origNs.length !== tokNs.length) return orig;
  const tokToNs = new Int32Array(tokChars.length).fill(-1);
  tokNs.forEach((position, ns) => (tokToNs[position] = ns));
  const project = (position: number): number | undefined => {
    const ns = position >= 0 && position < tokToNs.length ? tokToNs[position]! : -1;
    return ns < 0 ? undefined : origNs[ns];
  };
  const origStart = project(start);
  if (origStart === undefined) return orig;
  const origEnd = project(end);
  if (origEnd === undefined) return orig;
  return typeof origChars === 'string' ? orig.slice(origStart, origEnd + 1) : Array.prototype.slice.call(origChars, origStart, origEnd + 1).join('');
}

/** `tokens` of a span joined back into words: "eif ##fel tower" → "eiffel tower". */
export function detokenize(tokens: readonly string[]): string {
  const text = tokens.join(' ').replaceAll(' ##', '').replaceAll('##', '');
  return pythonSplit(text).join(' ');
}

/** Softmax with the maximum subtracted first, as the reference's `_compute_softmax`. */
function softmax(scores: readonly number[]): number[] {
  if (scores.length === 0) return [];
  const max = Math.max(...scores);
  const exps = scores.map((s) => Math.exp(s - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

interface Candidate {
  readonly feature: SquadFeature;
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startLogit: number;
  readonly endLogit: number;
}

/**
 * Answer every example. Features are matched to examples by `exampleIndex` and to results by
 * `uniqueId` (a later result with the same id replaces an earlier one); a feature with no result
 * is skipped, and an example left with no valid span is answered "empty", as the reference does
 * in audit runs that cover only part of the dataset. Options default to MLPerf's.
 */
export function predictAnswers(
  examples: readonly SquadExample[],
  features: readonly SquadFeature[],
  results: Iterable<RawResult>,
  overrides: Partial<PostprocessOptions> = {},
): SquadPrediction[] {
  const { nBestSize, maxAnswerLength, lowerCase } = { ...MLPERF_POSTPROCESS_OPTIONS, ...overrides };
  for (const [name, value] of [['nBestSize', nBestSize], ['maxAnswerLength', maxAnswerLength]] as const) {
    if (!Number.isInteger(value) || value < 1) throw errors.invalidValue({ field: name }, `must be a positive integer, got ${value}`);
  }
  const byExample = new Map<number, SquadFeature[]>();
  for (const f of features) {
    const list = byExample.get(f.exampleIndex);
    if (list === undefined) byExample.set(f.exampleIndex, [f]);
    else list.push(f);
  }
  const byId = new Map<number, RawResult>();
  for (const r of results) {
    if (r.startLogits.length !== r.endLogits.length) {
      throw errors.invalidValue({ field: `result ${r.uniqueId}` }, `start logits (${r.startLogits.length}) and end logits (${r.endLogits.length}) differ in length`);
    }
    byId.set(r.uniqueId, r);
  }

  return examples.map((example, exampleIndex): SquadPrediction => {
    const candidates: Candidate[] = [];
    for (const feature of byExample.get(exampleIndex) ?? []) {
      const result = byId.get(feature.uniqueId);
      if (result === undefined) continue;
      // A start must be a doc token of this window with its most context; an end, any doc token
      // (positions past `tokens` are padding, so they are never doc tokens).
      const starts = bestIndexes(result.startLogits, nBestSize).filter((i) => isMaxContext(feature, i));
      const ends = bestIndexes(result.endLogits, nBestSize).filter((i) => origWordIndex(feature, i) !== undefined);
      for (const startIndex of starts) {
        for (const endIndex of ends) {
          if (endIndex < startIndex || endIndex - startIndex + 1 > maxAnswerLength) continue;
          candidates.push({ feature, startIndex, endIndex, startLogit: result.startLogits[startIndex]!, endLogit: result.endLogits[endIndex]! });
        }
      }
    }
    // Array.prototype.sort is stable, like Python's sorted: equal sums keep discovery order.
    candidates.sort((a, b) => b.startLogit + b.endLogit - (a.startLogit + a.endLogit));

    const seen = new Set<string>();
    const picked: { text: string; startLogit: number; endLogit: number }[] = [];
    for (const c of candidates) {
      if (picked.length >= nBestSize) break;
      const tokText = detokenize(c.feature.tokens.slice(c.startIndex, c.endIndex + 1));
      const firstWord = origWordIndex(c.feature, c.startIndex)!;
      const lastWord = origWordIndex(c.feature, c.endIndex)!;
      const origText = example.docTokens.slice(firstWord, lastWord + 1).join(' ');
      const text = getFinalText(tokText, origText, lowerCase);
      if (seen.has(text)) continue;
      seen.add(text);
      picked.push({ text, startLogit: c.startLogit, endLogit: c.endLogit });
    }
    if (picked.length === 0) picked.push({ text: EMPTY_PREDICTION, startLogit: 0, endLogit: 0 });
    const probabilities = softmax(picked.map((p) => p.startLogit + p.endLogit));
    const nbest = picked.map((p, i): NbestEntry => ({ ...p, probability: probabilities[i]! }));
    return { qasId: example.qasId, text: nbest[0]!.text, nbest };
  });
}

/** Predictions keyed by question id, the shape `evaluate-v1.1.py` reads (`predictions.json`). */
export function predictionTexts(predictions: readonly SquadPrediction[]): Map<string, string> {
  return new Map(predictions.map((p) => [p.qasId, p.text]));
}

export interface LogitsLayout {
  /** Positions the reference pads to (with -10000). MLPerf: 384. */
  readonly maxSeqLength: number;
  /** false: interleaved (start₀, end₀, start₁, …), the reference SUT's `np.stack(..., axis=-1)`;
   *  true: all starts then all ends (`--output_transposed`). */
  readonly transposed: boolean;
}

/**
 * One SUT response (little-endian float32 bytes, as LoadGen writes them hex-encoded into
 * `mlperf_log_accuracy.json`) → start and end logits, padded with -10000 to `maxSeqLength`
 * positions as `load_loadgen_log` does.
 */
export function logitsFromResponse(bytes: Uint8Array, layout: LogitsLayout = { maxSeqLength: 384, transposed: false }): {
  startLogits: Float64Array;
  endLogits: Float64Array;
} {
  if (bytes.length % 8 !== 0) throw errors.invalidValue({ field: 'data' }, `response of ${bytes.length} bytes is not a whole number of (start, end) float32 pairs`);
  const positions = bytes.length / 8;
  if (positions > layout.maxSeqLength) throw errors.invalidValue({ field: 'data' }, `response holds ${positions} positions, more than ${layout.maxSeqLength}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const startLogits = new Float64Array(layout.maxSeqLength).fill(-10000);
  const endLogits = new Float64Array(layout.maxSeqLength).fill(-10000);
  for (let i = 0; i < positions; i++) {
    const startAt = layout.transposed ? i : 2 * i;
    const endAt = layout.transposed ? positions + i : 2 * i + 1;
    startLogits[i] = view.getFloat32(startAt * 4, true);
    endLogits[i] = view.getFloat32(endAt * 4, true);
  }
  return { startLogits, endLogits };
}
