/**
 * SQuAD examples → BERT input features, as the MLPerf reference builds its QSL
 * (`create_squad_data.py`: `read_squad_examples`, `convert_examples_to_features`): the context
 * is split into whitespace words, each word into WordPiece tokens; a window of
 * `maxSeqLength - len(query) - 3` doc tokens slides by `docStride`, and every window becomes one
 * feature `[CLS] query [SEP] doc-window [SEP]`, zero-padded. With the defaults (384, 128, 64)
 * the SQuAD v1.1 dev set gives 10 833 features: the QSL's samples. Pure.
 */
import { errors, quote } from '../../errors.js';
import type { SquadAnswer, SquadDataset } from './dataset.js';
import type { BertTokenizer } from './wordpiece.js';

/** One question with its context split the reference's way. */
export interface SquadExample {
  readonly qasId: string;
  readonly questionText: string;
  /** The context split on space, tab, CR, LF and U+202F (the reference's `is_whitespace`). */
  readonly docTokens: readonly string[];
  /** Context code point index → index of the word it belongs to (-1 before the first word). */
  readonly charToWordOffset: Int32Array;
  readonly answers: readonly SquadAnswer[];
}

/** The reference's whitespace for contexts: deliberately narrower than Python's `str.split()`. */
function isSquadWhitespace(cp: number): boolean {
  return cp === 0x20 || cp === 0x09 || cp === 0x0d || cp === 0x0a || cp === 0x202f;
}

/** Split a context into words, with the code point → word map the answer offsets need. */
export function splitContext(context: string): { docTokens: string[]; charToWordOffset: Int32Array } {
  const docTokens: string[] = [];
  const offsets: number[] = [];
  let wordStart = -1; // UTF-16 start of the word being read, -1 between words
  for (let i = 0; i < context.length; ) {
    const cp = context.codePointAt(i)!;
    if (isSquadWhitespace(cp)) {
      if (wordStart >= 0) docTokens.push(context.slice(wordStart, i));
      wordStart = -1;
    } else if (wordStart < 0) {
      wordStart = i;
    }
    // The word being read counts as already pushed, as in the reference's running list.
    offsets.push(docTokens.length - (wordStart >= 0 ? 0 : 1));
    i += cp > 0xffff ? 2 : 1;
  }
  if (wordStart >= 0) docTokens.push(context.slice(wordStart));
  return { docTokens, charToWordOffset: Int32Array.from(offsets) };
}

/** One example per question, in file order. Questions of a paragraph share its word arrays. */
export function readSquadExamples(dataset: SquadDataset): SquadExample[] {
  const examples: SquadExample[] = [];
  for (const article of dataset.articles) {
    for (const paragraph of article.paragraphs) {
      const { docTokens, charToWordOffset } = splitContext(paragraph.context);
      for (const qa of paragraph.qas) {
        examples.push({ qasId: qa.id, questionText: qa.question, docTokens, charToWordOffset, answers: qa.answers });
      }
    }
  }
  return examples;
}

export interface FeatureOptions {
  /** Tokens per feature, padding included. MLPerf: 384. */
  readonly maxSeqLength: number;
  /** How far each doc window moves. MLPerf: 128. */
  readonly docStride: number;
  /** Question tokens kept (the rest is cut). MLPerf: 64. */
  readonly maxQueryLength: number;
  /** Id of the first feature; the reference starts at 1 000 000 000. */
  readonly firstUniqueId: number;
}

export const MLPERF_FEATURE_OPTIONS: FeatureOptions = { maxSeqLength: 384, docStride: 128, maxQueryLength: 64, firstUniqueId: 1_000_000_000 };

/** One model input: a window of one example's context. */
export interface SquadFeature {
  readonly uniqueId: number;
  readonly exampleIndex: number;
  /** Which window of its example (0-based). */
  readonly docSpanIndex: number;
  /** The real tokens (`[CLS] query [SEP] doc [SEP]`), without padding. */
  readonly tokens: readonly string[];
  /** Position in `tokens` of the first doc token: query length + 2. */
  readonly docOffset: number;
  /** For doc token j (at `tokens[docOffset + j]`): the index of its whitespace word. */
  readonly tokenToOrig: Int32Array;
  /** For doc token j: 1 when this window gives it the most context of all windows holding it. */
  readonly tokenIsMaxContext: Uint8Array;
  /** `maxSeqLength` ids, zero-padded (0 literally, as the reference, whatever [PAD]'s id). */
  readonly inputIds: Int32Array;
  /** 1 for real tokens, 0 for padding. */
  readonly inputMask: Int32Array;
  /** 0 for [CLS] query [SEP], 1 for the doc window and its [SEP], 0 for padding. */
  readonly segmentIds: Int32Array;
}

/** The reference's `token_to_orig_map[position]`: the word of a doc token, undefined elsewhere. */
export function origWordIndex(feature: SquadFeature, position: number): number | undefined {
  const j = position - feature.docOffset;
  return j >= 0 && j < feature.tokenToOrig.length ? feature.tokenToOrig[j] : undefined;
}

/** The reference's `token_is_max_context.get(position, False)`. */
export function isMaxContext(feature: SquadFeature, position: number): boolean {
  const j = position - feature.docOffset;
  return j >= 0 && j < feature.tokenIsMaxContext.length && feature.tokenIsMaxContext[j] === 1;
}

/**
 * A feature's three model inputs as int64, the type BERT's ONNX graph takes (the shape of the
 * ONNX Runtime SUT's `BertSample`).
 */
export function featureInputsInt64(feature: SquadFeature): { inputIds: BigInt64Array; inputMask: BigInt64Array; segmentIds: BigInt64Array } {
  const widen = (a: Int32Array): BigInt64Array => BigInt64Array.from(a, (v) => BigInt(v));
  return { inputIds: widen(feature.inputIds), inputMask: widen(feature.inputMask), segmentIds: widen(feature.segmentIds) };
}

export interface DocSpan {
  readonly start: number;
  readonly length: number;
}

/** Windows of at most `maxTokens` over `total` doc tokens, each starting `stride` after the last. */
export function docSpans(total: number, maxTokens: number, stride: number): DocSpan[] {
  const spans: DocSpan[] = [];
  let start = 0;
  while (start < total) {
    const length = Math.min(total - start, maxTokens);
    spans.push({ start, length });
    if (start + length === total) break;
    start += Math.min(length, stride);
  }
  return spans;
}

/**
 * Whether `spans[current]` is the window giving doc token `position` the most context: the score
 * is min(left, right context) + 0.01 × window length; the first window wins ties.
 */
export function isMaxContextSpan(spans: readonly DocSpan[], current: number, position: number): boolean {
  let bestScore = -Infinity;
  let bestIndex = -1;
  spans.forEach((span, index) => {
    const end = span.start + span.length - 1;
    if (position < span.start || position > end) return;
    const score = Math.min(position - span.start, end - position) + 0.01 * span.length;
    if (score > bestScore) {
      bestScore = score;
      bestIndex = index;
    }
  });
  return bestIndex === current;
}

function validateOptions(options: FeatureOptions): void {
  const check = (name: keyof FeatureOptions, ok: boolean, detail: string): void => {
    if (!ok) throw errors.invalidValue({ field: name }, `${detail}, got ${options[name]}`);
  };
  check('maxSeqLength', Number.isInteger(options.maxSeqLength), 'must be an integer');
  check('maxQueryLength', Number.isInteger(options.maxQueryLength) && options.maxQueryLength >= 0, 'must be a non-negative integer');
  check('docStride', Number.isInteger(options.docStride) && options.docStride >= 1, 'must be a positive integer');
  check('firstUniqueId', Number.isSafeInteger(options.firstUniqueId), 'must be a safe integer');
}

/**
 * Build the features of every example, in order: example by example, window by window, with
 * consecutive unique ids; options default to MLPerf's. An example whose context has no token yields no feature (the reference
 * then predicts "empty" for it).
 */
export function convertExamplesToFeatures(
  examples: readonly SquadExample[],
  tokenizer: BertTokenizer,
  overrides: Partial<FeatureOptions> = {},
): SquadFeature[] {
  const options: FeatureOptions = { ...MLPERF_FEATURE_OPTIONS, ...overrides };
  validateOptions(options);
  const { maxSeqLength, docStride, maxQueryLength } = options;
  const [clsId, sepId] = tokenizer.convertTokensToIds(['[CLS]', '[SEP]']);
  const features: SquadFeature[] = [];
  let uniqueId = options.firstUniqueId;
  // Questions of one paragraph share its docTokens array: tokenize the context once per paragraph.
  let cachedDoc: readonly string[] | undefined;
  let docPieces: string[] = [];
  let docIds: Int32Array = new Int32Array(0);
  let pieceToWord = new Int32Array(0);

  examples.forEach((example, exampleIndex) => {
    const queryTokens = tokenizer.tokenize(example.questionText).slice(0, maxQueryLength);
    const queryIds = tokenizer.convertTokensToIds(queryTokens);
    if (example.docTokens !== cachedDoc) {
      cachedDoc = example.docTokens;
      docPieces = [];
      const words: number[] = [];
      example.docTokens.forEach((word, w) => {
        for (const piece of tokenizer.tokenize(word)) {
          docPieces.push(piece);
          words.push(w);
        }
      });
      docIds = tokenizer.convertTokensToIds(docPieces);
      pieceToWord = Int32Array.from(words);
    }
    const maxTokensForDoc = maxSeqLength - queryTokens.length - 3;
    // The reference loops forever when no doc token fits; say so instead.
    if (maxTokensForDoc < 1) {
      throw errors.invalidValue({ field: 'maxSeqLength' }, `${maxSeqLength} tokens leave no room for the context of question ${quote(example.qasId)} (${queryTokens.length} query tokens, [CLS] and 2 [SEP])`);
    }
    const spans = docSpans(docPieces.length, maxTokensForDoc, docStride);
    const docOffset = queryTokens.length + 2;

    spans.forEach((span, spanIndex) => {
      const realLength = docOffset + span.length + 1;
      const tokens = ['[CLS]', ...queryTokens, '[SEP]', ...docPieces.slice(span.start, span.start + span.length), '[SEP]'];
      const inputIds = new Int32Array(maxSeqLength);
      const inputMask = new Int32Array(maxSeqLength);
      const segmentIds = new Int32Array(maxSeqLength);
      inputIds[0] = clsId!;
      inputIds.set(queryIds, 1);
      inputIds[docOffset - 1] = sepId!;
      inputIds.set(docIds.subarray(span.start, span.start + span.length), docOffset);
      inputIds[realLength - 1] = sepId!;
      inputMask.fill(1, 0, realLength);
      segmentIds.fill(1, docOffset, realLength);
      const tokenIsMaxContext = new Uint8Array(span.length);
      for (let j = 0; j < span.length; j++) tokenIsMaxContext[j] = isMaxContextSpan(spans, spanIndex, span.start + j) ? 1 : 0;
      features.push({
        uniqueId,
        exampleIndex,
        docSpanIndex: spanIndex,
        tokens,
        docOffset,
        tokenToOrig: pieceToWord.slice(span.start, span.start + span.length),
        tokenIsMaxContext,
        inputIds,
        inputMask,
        segmentIds,
      });
      uniqueId += 1;
    });
  });
  return features;
}
