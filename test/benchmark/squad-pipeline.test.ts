import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import fc from 'fast-check';
import { isInferprintError } from '../../src/errors.js';
import { createBertTokenizer, parseVocab } from '../../src/benchmark/squad/wordpiece.js';
import { parseSquad } from '../../src/benchmark/squad/dataset.js';
import {
  convertExamplesToFeatures,
  docSpans,
  featureInputsInt64,
  isMaxContext,
  isMaxContextSpan,
  origWordIndex,
  readSquadExamples,
  splitContext,
  type SquadExample,
  type SquadFeature,
} from '../../src/benchmark/squad/features.js';
import {
  bestIndexes,
  detokenize,
  getFinalText,
  logitsFromResponse,
  predictAnswers,
  predictionTexts,
  type RawResult,
} from '../../src/benchmark/squad/postprocess.js';
import { evaluateSquad, formatSquadScores } from '../../src/benchmark/squad/evaluate.js';
import { loadSquad, loadVocab } from '../../src/benchmark/squad/io/files.js';
import { SQUAD_JSON, VOCAB_TEXT, idOf, writeSquadFixtures } from './squad-fixtures.js';

const tokenizer = createBertTokenizer(parseVocab(VOCAB_TEXT, 'vocab.txt'));
const dataset = parseSquad(JSON.stringify(SQUAD_JSON), 'dev.json');
const examples = readSquadExamples(dataset);
const EIFFEL = 0; // example indexes in SQUAD_JSON
const CAFE = 4;
const LETTERS = 5;

/** Features of one example only (exampleIndex and unique ids still count over all examples). */
function featuresOf(exampleIndex: number, options: Parameters<typeof convertExamplesToFeatures>[2] = {}): SquadFeature[] {
  return convertExamplesToFeatures(examples, tokenizer, options).filter((f) => f.exampleIndex === exampleIndex);
}

/** Logits of length `n` at `background`, with `peaks` = [[position, value], ...]. */
function logits(n: number, background: number, peaks: readonly (readonly [number, number])[] = []): Float32Array {
  const out = new Float32Array(n).fill(background);
  for (const [i, v] of peaks) out[i] = v;
  return out;
}

// ---------------------------------------------------------------------------------------------
// examples

test('splitContext: the reference whitespace (space, tab, CR, LF, U+202F) and its char→word map', () => {
  const { docTokens, charToWordOffset } = splitContext('  a\u202fb\u00a0c\n');
  assert.deepEqual(docTokens, ['a', 'b\u00a0c']); // NBSP is not a separator here
  assert.deepEqual(Array.from(charToWordOffset), [-1, -1, 0, 0, 1, 1, 1, 1]);
  // offsets are per code point, like Python's answer_start
  assert.deepEqual(Array.from(splitContext('😀 b').charToWordOffset), [0, 0, 1]);
});

test('readSquadExamples: one example per question; a paragraph shares its words', () => {
  assert.equal(examples.length, 6);
  assert.equal(examples[0]!.qasId, 'q-builder');
  assert.equal(examples[0]!.docTokens, examples[2]!.docTokens);
  assert.deepEqual(examples[EIFFEL]!.docTokens.slice(13, 18), ['built', 'by', 'Gustave', "Eiffel's", 'company']);
  assert.equal(examples[EIFFEL]!.docTokens.length, 28);
});

// ---------------------------------------------------------------------------------------------
// features

test('features (MLPerf sizes): [CLS] query [SEP] doc [SEP], segment ids, mask, zero padding to 384', () => {
  const [f, ...rest] = featuresOf(EIFFEL);
  assert.equal(rest.length, 0);
  assert.equal(f!.uniqueId, 1_000_000_000);
  assert.equal(f!.docSpanIndex, 0);
  const query = ['who', 'built', 'the', 'e', '##iff', '##el', 'tower', '?'];
  assert.deepEqual(f!.tokens.slice(0, 10), ['[CLS]', ...query, '[SEP]']);
  assert.equal(f!.docOffset, 10);
  // 28 words → 45 WordPiece tokens; e.g. "Eiffel's" → e ##iff ##el ' s, "1889." → 18 ##89 .
  assert.deepEqual(f!.tokens.slice(10 + 21, 10 + 35), ['gus', '##tave', 'e', '##iff', '##el', "'", 's', 'company', 'and', 'completed', 'in', '18', '##89', '.']);
  assert.equal(f!.tokens.length, 10 + 45 + 1);
  assert.equal(f!.tokens.at(-1), '[SEP]');
  assert.deepEqual(Array.from(f!.tokenToOrig), [0, 1, 1, 1, 2, 3, 4, 5, 5, 5, 6, 7, 8, 9, 9, 10, 10, 11, 12, 13, 14, 15, 15, 16, 16, 16, 16, 16, 17, 18, 19, 20, 21, 21, 21, 22, 23, 24, 25, 25, 25, 26, 26, 27, 27]);
  assert.ok(f!.tokenIsMaxContext.every((v) => v === 1)); // one window: it is everyone's best
  for (const arr of [f!.inputIds, f!.inputMask, f!.segmentIds]) assert.equal(arr.length, 384);
  assert.deepEqual(Array.from(f!.inputIds.subarray(0, 10)), ['[CLS]', ...query, '[SEP]'].map(idOf));
  assert.equal(f!.inputIds[55], idOf('[SEP]'));
  assert.ok(f!.inputIds.subarray(56).every((v) => v === 0));
  assert.deepEqual(Array.from(f!.inputMask.subarray(54, 58)), [1, 1, 0, 0]);
  assert.equal(f!.inputMask.reduce((a, b) => a + b, 0), 56);
  assert.deepEqual(Array.from(f!.segmentIds.subarray(0, 12)), [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1]);
  assert.equal(f!.segmentIds.reduce((a, b) => a + b, 0), 46); // 45 doc tokens + the last [SEP]
  const int64 = featureInputsInt64(f!);
  assert.equal(int64.inputIds.length, 384);
  assert.deepEqual([int64.inputIds[0], int64.inputMask[55], int64.inputMask[56], int64.segmentIds[10]], [BigInt(idOf('[CLS]')), 1n, 0n, 1n]);
  assert.equal(origWordIndex(f!, 9), undefined); // the query's [SEP]
  assert.equal(origWordIndex(f!, 31), 15); // "gus" of "Gustave"
  assert.equal(origWordIndex(f!, 55), undefined); // the last [SEP]
});

test('features: a long context slides in windows of maxSeqLength − query − 3, stride docStride', () => {
  // Query "What is k?" = what is k ? (4 tokens): 20 − 4 − 3 = 13 doc tokens per window.
  // 26 one-token words a..z, stride 8: windows [0,13), [8,21), [16,26) — the last is short.
  const fs = featuresOf(LETTERS, { maxSeqLength: 20, docStride: 8 });
  assert.equal(fs.length, 3);
  // the five questions before it have 6 + 6 + 6 + 5 + 4 = 27 windows at this size (45 and 35 doc tokens)
  assert.deepEqual(fs.map((f) => f.uniqueId), [1_000_000_027, 1_000_000_028, 1_000_000_029]);
  assert.deepEqual(fs.map((f) => f.docSpanIndex), [0, 1, 2]);
  assert.deepEqual(fs.map((f) => Array.from(f.tokenToOrig)), [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12],
    [8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
    [16, 17, 18, 19, 20, 21, 22, 23, 24, 25],
  ]);
  assert.deepEqual(fs[1]!.tokens, ['[CLS]', 'what', 'is', 'k', '?', '[SEP]', ...'ijklmnopqrstu'.split(''), '[SEP]']);
  // the first two windows are exactly full; the last has 6 + 10 + 1 = 17 real tokens and 3 pads
  assert.deepEqual(fs.map((f) => f.inputMask.reduce((a, b) => a + b, 0)), [20, 20, 17]);
  assert.deepEqual(Array.from(fs[2]!.segmentIds), [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0]);
  assert.deepEqual(Array.from(fs[2]!.inputIds.subarray(15)), [idOf('z'), idOf('[SEP]'), 0, 0, 0]);
  // Max context, score = min(left, right) + 0.01 × window length:
  //  k (10): window 0 min(10,2)=2.13, window 1 min(2,10)=2.13 → tie, the first window wins
  //  l (11): 1.13 vs 3.13 → window 1
  //  s (18): window 1 min(10,2)+0.13 = 2.13, window 2 min(2,7)+0.10 = 2.10 → window 1 by length
  //  t (19): 1.13 vs 3.10 → window 2
  assert.deepEqual(fs.map((f) => Array.from(f.tokenIsMaxContext)), [
    [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0],
    [0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0],
    [0, 0, 0, 1, 1, 1, 1, 1, 1, 1],
  ]);
  assert.equal(isMaxContext(fs[0]!, 6 + 10), true);
  assert.equal(isMaxContext(fs[1]!, 6 + 2), false);
});

test('features: the query is cut to maxQueryLength; impossible sizes are refused', () => {
  const [f] = featuresOf(LETTERS, { maxSeqLength: 20, docStride: 8, maxQueryLength: 2 });
  assert.deepEqual(f!.tokens.slice(0, 4), ['[CLS]', 'what', 'is', '[SEP]']);
  assert.equal(f!.tokenToOrig.length, 20 - 2 - 3);
  // "Who built the Eiffel Tower?" is 8 tokens: 11 leaves no doc token (the reference would loop forever)
  assert.throws(() => convertExamplesToFeatures(examples, tokenizer, { maxSeqLength: 11 }), (e: unknown) => isInferprintError(e) && e.code === 'INVALID_VALUE' && e.message.includes("field 'maxSeqLength'") && e.message.includes('"q-builder"'));
  assert.equal(convertExamplesToFeatures(examples, tokenizer, { maxSeqLength: 12 }).filter((f) => f.exampleIndex === EIFFEL).length, 45);
  assert.throws(() => convertExamplesToFeatures(examples, tokenizer, { docStride: 0 }), (e: unknown) => isInferprintError(e) && e.message.includes("field 'docStride'"));
});

test('docSpans / isMaxContextSpan (property): windows cover every token; each token has one best window', () => {
  assert.deepEqual(docSpans(0, 5, 2), []);
  assert.deepEqual(docSpans(5, 5, 2), [{ start: 0, length: 5 }]);
  assert.deepEqual(docSpans(6, 5, 2), [{ start: 0, length: 5 }, { start: 2, length: 4 }]);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 120 }), fc.integer({ min: 1, max: 150 }), (total, maxTokens, stride) => {
      const spans = docSpans(total, maxTokens, stride);
      for (const s of spans) if (s.length < 1 || s.length > maxTokens) return false;
      for (let p = 0; p < total; p++) {
        const holders = spans.map((s, i) => (p >= s.start && p < s.start + s.length ? i : -1)).filter((i) => i >= 0);
        if (holders.length === 0) return false;
        if (holders.filter((i) => isMaxContextSpan(spans, i, p)).length !== 1) return false;
      }
      return total === 0 || spans.at(-1)!.start + spans.at(-1)!.length === total;
    }),
  );
});

// ---------------------------------------------------------------------------------------------
// answer extraction

test('bestIndexes: largest first, ties in index order, NaN never chosen', () => {
  assert.deepEqual(bestIndexes([1, 3, 3, 2, NaN, 3], 3), [1, 2, 5]);
  assert.deepEqual(bestIndexes([1, 3, 3, 2, NaN, 3], 10), [1, 2, 5, 3, 0]);
  assert.deepEqual(bestIndexes(new Float32Array([0, 0, 0]), 2), [0, 1]);
});

test('detokenize and getFinalText: back to the original characters, or the original words', () => {
  assert.equal(detokenize(['gus', '##tave', 'e', '##iff', '##el']), 'gustave eiffel');
  assert.equal(getFinalText('steve smith', "Steve Smith's", true), 'Steve Smith');
  assert.equal(getFinalText('1895', '(1895-1943).', true), '1895');
  assert.equal(getFinalText('creme brulee', 'cr\u00e8me br\u00fbl\u00e9e.', true), 'cr\u00e8me br\u00fbl\u00e9e');
  // a decomposed accent makes the two texts differ in length: the heuristic gives up
  assert.equal(getFinalText('creme', 'cre\u0300me.', true), 'cre\u0300me.');
  assert.equal(getFinalText('lyon', 'Paris,', true), 'Paris,');
  assert.equal(getFinalText('Steve', "Steve's", false), 'Steve');
});

test('predictAnswers: hand-made logits pick a known span and return its exact text', () => {
  const [f] = featuresOf(EIFFEL);
  // doc token 21 ("gus") sits at 10 + 21 = 31, doc token 25 ("##el" of Eiffel's) at 35
  assert.deepEqual(f!.tokens.slice(31, 36), ['gus', '##tave', 'e', '##iff', '##el']);
  const result: RawResult = { uniqueId: f!.uniqueId, startLogits: logits(384, -10, [[31, 5]]), endLogits: logits(384, -10, [[35, 4]]) };
  const [p] = predictAnswers([examples[EIFFEL]!], [f!], [result]);
  assert.equal(p!.qasId, 'q-builder');
  assert.equal(p!.text, 'Gustave Eiffel'); // orig words "Gustave Eiffel's", trimmed to the prediction
  assert.deepEqual({ ...p!.nbest[0]!, probability: 0 }, { text: 'Gustave Eiffel', startLogit: 5, endLogit: 4, probability: 0 });
  // the n-best list is softmax-normalised and has no duplicate text
  assert.ok(Math.abs(p!.nbest.reduce((a, e) => a + e.probability, 0) - 1) < 1e-12);
  assert.equal(new Set(p!.nbest.map((e) => e.text)).size, p!.nbest.length);
  assert.ok(p!.nbest.length <= 20);
});

test('predictAnswers: accents come back from the context, not from the lower-cased tokens', () => {
  const [f] = featuresOf(CAFE);
  const start = f!.tokens.indexOf('cr');
  const end = f!.tokens.indexOf('##e', start);
  assert.deepEqual(f!.tokens.slice(start, end + 1), ['cr', '##eme', 'br', '##ule', '##e']);
  const p = predictAnswers(examples, [f!], [{ uniqueId: f!.uniqueId, startLogits: logits(384, 0, [[start, 8]]), endLogits: logits(384, 0, [[end, 8]]) }])[CAFE];
  assert.equal(p!.text, 'cr\u00e8me br\u00fbl\u00e9e');
});

test('predictAnswers: a start outside its max-context window is skipped; the other window answers', () => {
  const fs = featuresOf(LETTERS, { maxSeqLength: 20, docStride: 8 });
  // "l" (doc token 11) is at 6 + 11 = 17 in window 0, where it is not max-context, and at 6 + 3 = 9 in window 1.
  const results: RawResult[] = [
    { uniqueId: fs[0]!.uniqueId, startLogits: logits(20, -10, [[17, 10]]), endLogits: logits(20, -10, [[17, 10]]) },
    { uniqueId: fs[1]!.uniqueId, startLogits: logits(20, -10, [[9, 3]]), endLogits: logits(20, -10, [[9, 3]]) },
    { uniqueId: fs[2]!.uniqueId, startLogits: logits(20, -10), endLogits: logits(20, -10) },
  ];
  const p = predictAnswers(examples, fs, results)[LETTERS];
  assert.equal(p!.text, 'l'); // score 6, although window 0's (17, 17) would score 20
  // runner-up: window 0 from its first max-context start (doc token 0, logit −10) to l (10): score 0
  assert.deepEqual([p!.nbest[1]!.text, p!.nbest[1]!.startLogit + p!.nbest[1]!.endLogit], ['a b c d e f g h i j k l', 0]);
});

test('predictAnswers: only the top-20 starts are tried, spans longer than maxAnswerLength are dropped, no result gives "empty"', () => {
  const [f] = featuresOf(EIFFEL);
  const ex = [examples[EIFFEL]!];
  // 20 invalid positions (CLS, query, padding) outrank the true start 31
  const peaks: [number, number][] = [...Array.from({ length: 10 }, (_, i) => [i, 10] as [number, number]), ...Array.from({ length: 10 }, (_, i) => [100 + i, 10] as [number, number])];
  const result: RawResult = { uniqueId: f!.uniqueId, startLogits: logits(384, -10, [...peaks, [31, 9]]), endLogits: logits(384, -10, [[35, 9]]) };
  assert.equal(predictAnswers(ex, [f!], [result])[0]!.text, 'empty');
  assert.equal(predictAnswers(ex, [f!], [result], { nBestSize: 21 })[0]!.text, 'Gustave Eiffel');
  // 31..35 is 5 tokens
  const clean: RawResult = { uniqueId: f!.uniqueId, startLogits: logits(384, -10, [[31, 9]]), endLogits: logits(384, -10, [[35, 9]]) };
  assert.equal(predictAnswers(ex, [f!], [clean], { maxAnswerLength: 5 })[0]!.text, 'Gustave Eiffel');
  // without it, the best left is a background pair (−10 − 10): the first found, "The" (10, 10)
  const short = predictAnswers(ex, [f!], [clean], { maxAnswerLength: 4 })[0]!;
  assert.deepEqual([short.text, short.nbest[0]!.startLogit + short.nbest[0]!.endLogit], ['The', -20]);
  assert.ok(short.nbest.every((e) => e.text !== 'Gustave Eiffel'));
  // a feature without a result is skipped (audit runs cover part of the QSL)
  const none = predictAnswers(examples, convertExamplesToFeatures(examples, tokenizer), []);
  assert.deepEqual(none.map((p) => p.text), Array<string>(6).fill('empty'));
  assert.deepEqual(none[0]!.nbest, [{ text: 'empty', startLogit: 0, endLogit: 0, probability: 1 }]);
});

test('logitsFromResponse: float32 (start, end) pairs, padded with −10000 to 384', () => {
  const pairs = new Float32Array([1.5, -2, 0.25, 3]); // start0, end0, start1, end1
  const { startLogits, endLogits } = logitsFromResponse(new Uint8Array(pairs.buffer));
  assert.equal(startLogits.length, 384);
  assert.deepEqual(Array.from(startLogits.subarray(0, 3)), [1.5, 0.25, -10000]);
  assert.deepEqual(Array.from(endLogits.subarray(0, 3)), [-2, 3, -10000]);
  const t = logitsFromResponse(new Uint8Array(pairs.buffer), { maxSeqLength: 2, transposed: true }); // starts, then ends
  assert.deepEqual([Array.from(t.startLogits), Array.from(t.endLogits)], [[1.5, -2], [0.25, 3]]);
  assert.throws(() => logitsFromResponse(new Uint8Array(6)), (e: unknown) => isInferprintError(e) && e.code === 'INVALID_VALUE');
  assert.throws(() => logitsFromResponse(new Uint8Array(8 * 385)), (e: unknown) => isInferprintError(e) && e.message.includes('385 positions'));
});

// ---------------------------------------------------------------------------------------------
// the whole pipeline

/** Logits a perfect model would give: the first token of the answer's first word, the last of its last word. */
function oracle(example: SquadExample, feature: SquadFeature): RawResult {
  const answer = example.answers[0]!;
  const firstWord = example.charToWordOffset[answer.answerStart]!;
  const lastWord = example.charToWordOffset[answer.answerStart + Array.from(answer.text).length - 1]!;
  const positions = feature.tokens.map((_, p) => p);
  const start = positions.find((p) => origWordIndex(feature, p) === firstWord && isMaxContext(feature, p));
  const end = positions.findLast((p) => origWordIndex(feature, p) === lastWord);
  return {
    uniqueId: feature.uniqueId,
    startLogits: logits(384, 0, start === undefined ? [] : [[start, 10]]),
    endLogits: logits(384, 0, end === undefined ? [] : [[end, 10]]),
  };
}

test('pipeline: files → features → oracle logits → answers → EM and F1 of 100', () => {
  const { dir, vocabPath, squadPath } = writeSquadFixtures();
  try {
    const tok = createBertTokenizer(loadVocab(vocabPath));
    const ds = loadSquad(squadPath);
    const exs = readSquadExamples(ds);
    const features = convertExamplesToFeatures(exs, tok);
    assert.equal(features.length, 6);
    const predictions = predictAnswers(exs, features, features.map((f) => oracle(exs[f.exampleIndex]!, f)));
    assert.deepEqual(predictions.map((p) => p.text), ["Gustave Eiffel's company", '1889.', '330 metres', 'the Mona Lisa.', 'cr\u00e8me br\u00fbl\u00e9e.', 'k']);
    const scores = evaluateSquad(ds, predictionTexts(predictions));
    assert.deepEqual(scores, { exactMatch: 100, f1: 100, total: 6, unanswered: 0 });
    assert.equal(formatSquadScores(scores), '{"exact_match": 100.0, "f1": 100.0}');
    // the same with small windows (each answer still fits in the window where its start has most
    // context): answers come from whichever window that is
    const small = convertExamplesToFeatures(exs, tok, { maxSeqLength: 28, docStride: 5 });
    assert.equal(small.length, 33);
    const again = predictAnswers(exs, small, small.map((f) => oracle(exs[f.exampleIndex]!, f)));
    assert.deepEqual(evaluateSquad(ds, predictionTexts(again)), scores);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
