import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isInferprintError, type ErrorCode } from '../../src/errors.js';
import {
  basicTokenize,
  createBertTokenizer,
  parseVocab,
  pythonSplit,
  wordpieceTokenize,
} from '../../src/benchmark/squad/wordpiece.js';
import { parseSquad, squadQuestions } from '../../src/benchmark/squad/dataset.js';
import {
  BERT_REFERENCE_F1,
  checkBertAccuracy,
  evaluateSquad,
  exactMatchScore,
  f1Score,
  formatSquadScores,
  normalizeAnswer,
  pythonFloatRepr,
} from '../../src/benchmark/squad/evaluate.js';
import { loadSquad, loadVocab } from '../../src/benchmark/squad/io/files.js';
import { SQUAD_JSON, VOCAB_TEXT, VOCAB_TOKENS, idOf, writeSquadFixtures } from './squad-fixtures.js';

const vocab = parseVocab(VOCAB_TEXT, 'vocab.txt');
const tokenizer = createBertTokenizer(vocab);

/** Assert that `fn` throws an InferprintError with this code whose message contains every part. */
function throwsCoded(fn: () => unknown, code: ErrorCode, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isInferprintError(e), `not an InferprintError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const p of parts) assert.ok(e.message.includes(p), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    assert.ok(!e.message.includes('\n'), 'message is one line');
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// vocab.txt

test('parseVocab: id is the line index; CRLF and a missing final newline are fine', () => {
  assert.equal(vocab.tokens.length, VOCAB_TOKENS.length);
  assert.equal(vocab.ids.get('[PAD]'), 0);
  assert.equal(vocab.ids.get('[UNK]'), 1);
  assert.equal(vocab.ids.get('[CLS]'), 2);
  assert.equal(vocab.ids.get('[SEP]'), 3);
  assert.equal(vocab.ids.get('##iff'), idOf('##iff'));
  const crlf = parseVocab('[UNK]\r\n[CLS]\r\n[SEP]\r\nfoo bar', 'v.txt');
  assert.deepEqual(crlf.tokens, ['[UNK]', '[CLS]', '[SEP]', 'foo bar']);
  assert.equal(crlf.ids.get('foo bar'), 3);
});

test('parseVocab: duplicates, missing specials and empty files are coded errors', () => {
  throwsCoded(() => parseVocab('[UNK]\n[CLS]\n[SEP]\nthe\nof\nthe\n', 'v.txt'), 'INVALID_VALUE', 'v.txt:6', 'duplicate token "the"', 'line 4');
  throwsCoded(() => parseVocab('[CLS]\n[SEP]\nthe\n', 'v.txt'), 'INVALID_VALUE', 'v.txt', '[UNK]');
  throwsCoded(() => parseVocab('', 'v.txt'), 'EMPTY_INPUT', 'v.txt');
});

// ---------------------------------------------------------------------------------------------
// BasicTokenizer

test('basicTokenize: lower-cases, strips accents (precomposed or combining), splits punctuation', () => {
  assert.deepEqual(basicTokenize('Héllo, World!'), ['hello', ',', 'world', '!']);
  assert.deepEqual(basicTokenize('Café Zürich naïve Ångström'), ['cafe', 'zurich', 'naive', 'angstrom']);
  assert.deepEqual(basicTokenize('Cafe\u0301'), ['cafe']); // e + combining acute (Mn) → e
  assert.deepEqual(basicTokenize('Héllo', { lowerCase: false }), ['Héllo']); // cased: no stripping either
});

test('basicTokenize: punctuation is ASCII non-alphanumerics plus Unicode P*, not currency', () => {
  assert.deepEqual(basicTokenize('U.S.A.'), ['u', '.', 's', '.', 'a', '.']);
  // $ ^ ` ~ are Unicode symbols (S*) but BERT counts all ASCII punctuation
  assert.deepEqual(basicTokenize("$5 ^x~ `don't`"), ['$', '5', '^', 'x', '~', '`', 'don', "'", 't', '`']);
  assert.deepEqual(basicTokenize('¿Qué? a–b'), ['¿', 'que', '?', 'a', '–', 'b']); // Po, Pd
  assert.deepEqual(basicTokenize('5€ 3°'), ['5€', '3°']); // Sc and So stay inside the word
});

test('basicTokenize: CJK ideographs become words; kana do not', () => {
  assert.deepEqual(basicTokenize('北京大学'), ['北', '京', '大', '学']);
  assert.deepEqual(basicTokenize('東京タワー'), ['東', '京', 'タワー']);
});

test('basicTokenize: controls are dropped, every whitespace becomes a separator', () => {
  // NUL and U+200B (Cf) vanish, so "a\0b\u200bc" is one word; tab and NBSP (Zs) separate.
  assert.deepEqual(basicTokenize('a\u0000b\u200bc\td\u00a0e\u3000f'), ['abc', 'd', 'e', 'f']);
  assert.deepEqual(basicTokenize('x\ufffdy\u0007z'), ['xyz']);
  assert.deepEqual(basicTokenize('  \n\t '), []);
});

test("pythonSplit: Python's str.split() whitespace set, not JavaScript's \\s", () => {
  assert.deepEqual(pythonSplit(' a\u001cb\u0085c\u202fd\ufeffe  '), ['a', 'b', 'c', 'd\ufeffe']); // U+FEFF is \s in JS only
  assert.deepEqual(pythonSplit(''), []);
});

// ---------------------------------------------------------------------------------------------
// WordPiece

test('wordpieceTokenize: greedy longest match first, with ## continuations', () => {
  assert.deepEqual(wordpieceTokenize('unaffable', vocab), ['un', '##aff', '##able']);
  // "eiffel": no longer prefix than "e" is a token; then "##iff" beats "##i"; then "##el"
  assert.deepEqual(wordpieceTokenize('eiffel', vocab), ['e', '##iff', '##el']);
  assert.deepEqual(wordpieceTokenize('1889', vocab), ['18', '##89']);
  assert.deepEqual(wordpieceTokenize('330', vocab), ['3', '##3', '##0']);
  assert.deepEqual(wordpieceTokenize('the', vocab), ['the']);
});

test('wordpieceTokenize: a word that cannot be covered is one [UNK], not a partial split', () => {
  assert.deepEqual(wordpieceTokenize('5€', vocab), ['[UNK]']);
  assert.deepEqual(wordpieceTokenize('ab€', vocab), ['[UNK]']);
  assert.deepEqual(wordpieceTokenize('東', vocab), ['[UNK]']);
});

test('wordpieceTokenize: more than 100 code points is [UNK]; astral characters count once', () => {
  assert.deepEqual(wordpieceTokenize('a'.repeat(100), vocab), ['a', ...Array<string>(99).fill('##a')]);
  assert.deepEqual(wordpieceTokenize('a'.repeat(101), vocab), ['[UNK]']);
  // 60 emoji are 120 UTF-16 units but 60 code points: under the limit
  assert.deepEqual(wordpieceTokenize('😀'.repeat(60), vocab), ['😀', ...Array<string>(59).fill('##😀')]);
  assert.deepEqual(wordpieceTokenize('a'.repeat(6), vocab, { maxInputCharsPerWord: 5 }), ['[UNK]']);
});

test('BertTokenizer: text → WordPiece tokens → ids', () => {
  const tokens = tokenizer.tokenize('Who built the Eiffel Tower?');
  assert.deepEqual(tokens, ['who', 'built', 'the', 'e', '##iff', '##el', 'tower', '?']);
  assert.deepEqual(Array.from(tokenizer.convertTokensToIds(tokens)), tokens.map(idOf));
  assert.deepEqual(tokenizer.tokenize("Gustave Eiffel's 5€"), ['gus', '##tave', 'e', '##iff', '##el', "'", 's', '[UNK]']);
  // a token outside the vocabulary maps to [UNK]'s id, as HF does
  assert.deepEqual(Array.from(tokenizer.convertTokensToIds(['nope', 'the'])), [1, idOf('the')]);
});

test('BertTokenizer: special tokens in the text are kept whole (HF never_split); lower-case ones are not special', () => {
  assert.deepEqual(tokenizer.tokenize('x[SEP]y [MASK] is'), ['x', '[SEP]', 'y', '[MASK]', 'is']);
  assert.deepEqual(tokenizer.tokenize('[sep]'), ['[', 's', '##e', '##p', ']']);
});

// ---------------------------------------------------------------------------------------------
// dev-v1.1.json

test('parseSquad: articles, paragraphs, questions and answers in file order', () => {
  const ds = parseSquad(JSON.stringify(SQUAD_JSON), 'dev.json');
  assert.equal(ds.version, '1.1');
  assert.equal(ds.articles.length, 3);
  assert.equal(ds.articles[0]!.title, 'Eiffel_Tower');
  const qs = squadQuestions(ds);
  assert.deepEqual(qs.map((q) => q.id), ['q-builder', 'q-year', 'q-height', 'q-painting', 'q-cafe', 'q-letter']);
  assert.deepEqual(qs[0]!.answers, [
    { text: "Gustave Eiffel's company", answerStart: 83 },
    { text: 'Gustave Eiffel', answerStart: 83 },
  ]);
  // answer_start counts code points, like Python: "crème brûlée" starts at 129 in the Louvre context
  assert.equal(qs[4]!.answers[0]!.answerStart, 129);
});

/** SQUAD_JSON with one edit applied to a deep copy. */
function edited(edit: (d: { data: { paragraphs: { qas: Record<string, unknown>[] }[] }[] } & Record<string, unknown>) => void): string {
  const copy = JSON.parse(JSON.stringify(SQUAD_JSON)) as Parameters<typeof edit>[0];
  edit(copy);
  return JSON.stringify(copy);
}

test('parseSquad: malformed input names the file and the JSON path', () => {
  throwsCoded(() => parseSquad('{\n  "data": [\n    {"title": "x",}\n  ]\n}', 'dev.json'), 'PARSE', 'dev.json:3', 'not valid JSON');
  throwsCoded(() => parseSquad('{"data": [', 'dev.json'), 'PARSE', 'dev.json:1', 'not valid JSON');
  throwsCoded(() => parseSquad('   ', 'dev.json'), 'EMPTY_INPUT', 'dev.json');
  throwsCoded(() => parseSquad('[1, 2]', 'dev.json'), 'PARSE', "field '$'", 'expected an object, got an array');
  throwsCoded(() => parseSquad('{"version": "1.1"}', 'dev.json'), 'PARSE', "field 'data'", "missing field 'data'");
  throwsCoded(() => parseSquad(edited((d) => { d.data[0]!.paragraphs[0]!.qas[1]!.id = 42; }), 'dev.json'), 'PARSE', "dev.json field 'data[0].paragraphs[0].qas[1].id'", 'expected a string, got number "42"');
  throwsCoded(() => parseSquad(edited((d) => { delete (d.data[1]!.paragraphs[0] as Record<string, unknown>).context; }), 'dev.json'), 'PARSE', "field 'data[1].paragraphs[0].context'", 'missing');
  throwsCoded(() => parseSquad(edited((d) => { d.data[1]!.paragraphs[0]!.qas[0]!.answers = {}; }), 'dev.json'), 'PARSE', "field 'data[1].paragraphs[0].qas[0].answers'", 'expected an array, got an object');
  throwsCoded(() => parseSquad(edited((d) => { d.data[0]!.paragraphs[0]!.qas[2]!.answers = [{ text: '330', answer_start: -1 }]; }), 'dev.json'), 'INVALID_VALUE', "field 'data[0].paragraphs[0].qas[2].answers[0].answer_start'", 'non-negative integer');
  throwsCoded(() => parseSquad(edited((d) => { d.data[0]!.paragraphs[0]!.qas[2]!.answers = [{ text: '330', answer_start: '5' }]; }), 'dev.json'), 'PARSE', 'answers[0].answer_start', 'expected an integer');
  throwsCoded(() => parseSquad(edited((d) => { d.data[0]!.paragraphs[0]!.qas[2]!.answers = []; }), 'dev.json'), 'INVALID_VALUE', 'qas[2].answers', 'at least one answer');
  throwsCoded(() => parseSquad(edited((d) => { d.data[2]!.paragraphs[0]!.qas[0]!.id = 'q-year'; }), 'dev.json'), 'INVALID_VALUE', "field 'data[2].paragraphs[0].qas[0].id'", 'duplicate question id "q-year"', 'data[0].paragraphs[0].qas[1].id');
  throwsCoded(() => parseSquad('{"data": [{"paragraphs": [{"context": "x", "qas": []}]}]}', 'dev.json'), 'EMPTY_INPUT', 'no questions');
});

// ---------------------------------------------------------------------------------------------
// evaluate-v1.1.py

test('normalizeAnswer: lower, drop ASCII punctuation and articles, collapse whitespace', () => {
  assert.equal(normalizeAnswer('The  Eiffel Tower!'), 'eiffel tower');
  assert.equal(normalizeAnswer("Gustave Eiffel's company"), 'gustave eiffels company');
  assert.equal(normalizeAnswer('an apple, a pear and the...'), 'apple pear and');
  assert.equal(normalizeAnswer('theatre'), 'theatre'); // articles only as whole words
  // Python's \b is Unicode: in "éa" the "a" follows a letter, so it stays (JS \b would drop it)
  assert.equal(normalizeAnswer('éa a'), 'éa');
  assert.equal(normalizeAnswer('Crème «Brûlée»'), 'crème «brûlée»'); // no accent stripping, « » are not ASCII
});

test('exact match: equality after normalisation', () => {
  assert.equal(exactMatchScore('the Eiffel Tower', 'Eiffel tower'), true);
  assert.equal(exactMatchScore('Crème Brûlée', 'crème brûlée'), true);
  assert.equal(exactMatchScore('creme brulee', 'crème brûlée'), false);
  assert.equal(exactMatchScore('The', 'a'), true); // both normalise to ""
});

test('F1: token overlap as fractions computed by hand', () => {
  // pred {eiffel, tower, in, paris}, truth {eiffel, tower}: P = 2/4, R = 2/2, F1 = 2·0.5·1/1.5 = 2/3
  assert.ok(Math.abs(f1Score('Eiffel Tower in Paris', 'the Eiffel Tower') - 2 / 3) < 1e-15);
  // repeated words count once per occurrence: common = min(2,1) paris + 1 france = 2; P = 2/3, R = 1 → 0.8
  assert.ok(Math.abs(f1Score('Paris Paris France', 'Paris, France') - 0.8) < 1e-15);
  // P = 1/1, R = 1/2 → 2/3
  assert.ok(Math.abs(f1Score('330', '330 metres') - 2 / 3) < 1e-15);
  assert.equal(f1Score('Lyon', 'Paris'), 0);
  assert.equal(f1Score('The', 'a'), 0); // no tokens: F1 0 though EM is 1 (the official script's quirk)
  assert.equal(f1Score('Eiffel Tower', 'the eiffel tower.'), 1);
});

test('evaluateSquad: best over ground truths, averaged over all questions, unanswered score 0', () => {
  const ds = parseSquad(JSON.stringify(SQUAD_JSON), 'dev.json');
  const predictions = new Map([
    ['q-builder', 'Gustave Eiffel'], // EM 1 (second truth), F1 1
    ['q-year', '1889'], // 1, 1
    ['q-height', '330'], // EM 0, F1 2/3
    ['q-painting', 'Mona Lisa'], // 1, 1
    ['q-cafe', 'crème brûlée'], // 1, 1
    ['not-a-question', 'ignored'],
    // q-letter unanswered: 0, 0
  ]);
  const scores = evaluateSquad(ds, predictions);
  assert.equal(scores.total, 6);
  assert.equal(scores.unanswered, 1);
  assert.ok(Math.abs(scores.exactMatch - (100 * 4) / 6) < 1e-12, String(scores.exactMatch));
  assert.ok(Math.abs(scores.f1 - (100 * (4 + 2 / 3)) / 6) < 1e-12, String(scores.f1));
  // the max over ground truths matters: against "Gustave Eiffel's company" alone ("gustave eiffels
  // company" once the apostrophe goes) only "gustave" is shared: P = 1/2, R = 1/3, F1 = 0.4
  assert.ok(Math.abs(f1Score('Gustave Eiffel', "Gustave Eiffel's company") - 0.4) < 1e-15);
});

test('formatSquadScores: the line evaluate-v1.1.py prints (json.dumps of Python floats)', () => {
  assert.equal(formatSquadScores({ exactMatch: 100, f1: 100 }), '{"exact_match": 100.0, "f1": 100.0}');
  assert.equal(formatSquadScores({ exactMatch: 200 / 3, f1: 77.77777777777777 }), '{"exact_match": 66.66666666666667, "f1": 77.77777777777777}');
  assert.equal(pythonFloatRepr(0), '0.0');
  assert.equal(pythonFloatRepr(0.00001), '1e-05');
  assert.equal(pythonFloatRepr(0.0001), '0.0001');
  assert.equal(pythonFloatRepr(1e16), '1e+16');
  assert.equal(pythonFloatRepr(123456789012345.6), '123456789012345.6');
  assert.equal(pythonFloatRepr(-2.5e-7), '-2.5e-07');
  // the submission checker's regex reads it back
  const m = /^\{["']exact_match["']:\s*[\d.]+,\s*["']f1["']:\s*([\d.]+)\}/.exec(formatSquadScores({ exactMatch: 83.2, f1: 90.1 }));
  assert.equal(m?.[1], '90.1');
});

test('bert-99 threshold: F1 ≥ 99 % of 90.874 = 89.96526', () => {
  const check = checkBertAccuracy(89.97);
  assert.ok(Math.abs(check.requiredF1 - 89.96526) < 1e-9);
  assert.equal(check.passed, true);
  assert.equal(checkBertAccuracy(89.965).passed, false);
  assert.equal(checkBertAccuracy(BERT_REFERENCE_F1 * 0.99).passed, true); // ≥, as the checker
  assert.equal(checkBertAccuracy(90.78, 'bert-99.9').passed, false); // needs 90.783126
  assert.equal(checkBertAccuracy(90.79, 'bert-99.9').passed, true);
  assert.ok(Math.abs(checkBertAccuracy(0, 'bert-99.9').requiredF1 - 90.783126) < 1e-9);
});

// ---------------------------------------------------------------------------------------------
// files

test('loadVocab / loadSquad read files; a missing one is NOT_FOUND; a BOM is not content', () => {
  const { dir, vocabPath, squadPath } = writeSquadFixtures();
  try {
    assert.equal(loadVocab(vocabPath).ids.get('[SEP]'), 3);
    assert.equal(squadQuestions(loadSquad(squadPath)).length, 6);
    const bom = join(dir, 'bom.txt');
    writeFileSync(bom, `\ufeff${VOCAB_TEXT}`);
    assert.equal(loadVocab(bom).ids.get('[PAD]'), 0);
    throwsCoded(() => loadVocab(join(dir, 'nope.txt')), 'NOT_FOUND', 'nope.txt');
    throwsCoded(() => loadSquad(join(dir, 'nope.json')), 'NOT_FOUND', 'nope.json');
    // A folder is refused in words (INVALID_VALUE), not a raw EISDIR [IO].
    throwsCoded(() => loadSquad(dir), 'INVALID_VALUE', 'SQuAD dataset is a directory');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
