/**
 * Accuracy mode end to end: the `mlperf_log_accuracy.json` format (byte-exact, strict reader),
 * LoadGen's accuracy-mode issuing (every sample of every loadable set, in the order
 * `generateQueries` gives for the seeds), the accuracy script's decoding and scoring, and the
 * whole pipeline on a hand-made SQuAD file through a real ONNX Runtime session of the synthetic
 * bert-tiny model.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isInferprintError } from '../../src/errors.js';
import type { MlperfScenario } from '../../src/mlperf/types.js';
import { parseDetail } from '../../src/mlperf/index.js';
import { runAccuracy, runPerformance, type QuerySample, type QuerySampleLibrary, type SampleResponse, type SystemUnderTest } from '../../src/benchmark/loadgen/engine.js';
import { EMPTY_ACCURACY_LOG, fromHex, parseAccuracyLog, toUpperHex, writeAccuracyLog, type AccuracyRecord } from '../../src/benchmark/loadgen/accuracy-log.js';
import { BERT_SAMPLE_COUNT, bertMlperfConf, effectiveSettings, type EffectiveSettings, type LoadgenRelease, type TestSettings } from '../../src/benchmark/loadgen/settings.js';
import { LIBSTDCXX_VARIANT_OF_LOGS, generateQueries, loadableSets } from '../../src/benchmark/loadgen/sample-selection.js';
import { ensureSyntheticModel } from '../../src/benchmark/bert/io/model-cache.js';
import { openOrtSut } from '../../src/benchmark/sut/io/onnxruntime.js';
import { logitsResponseBytes } from '../../src/benchmark/sut/bert-loadgen-sut.js';
import { loadSquadQsl, squadQsl, type SquadQsl } from '../../src/benchmark/qsl/io/squad.js';
import { decodeResponseLogits, formatPredictionsJson, scoreSquadAccuracy } from '../../src/benchmark/squad/accuracy.js';
import { parseSquad } from '../../src/benchmark/squad/dataset.js';
import { parseVocab } from '../../src/benchmark/squad/wordpiece.js';
import { origWordIndex, isMaxContext, type SquadExample, type SquadFeature } from '../../src/benchmark/squad/features.js';
import { accuracyCheck, runAccuracyCheck } from '../../src/app/bench-accuracy.js';
import { SQUAD_JSON, VOCAB_TEXT, writeSquadFixtures } from './squad-fixtures.js';

const isCode = (code: string, ...parts: string[]) => (e: unknown): boolean => isInferprintError(e) && e.code === code && parts.every((p) => e.message.includes(p));

// ---------------------------------------------------------------------------------------------
// mlperf_log_accuracy.json

describe('mlperf_log_accuracy.json', () => {
  const records: AccuracyRecord[] = [
    { seqId: 0, qslIdx: 7, data: Uint8Array.of(0x00, 0x0f, 0xa0, 0xff) },
    { seqId: 1, qslIdx: 10832, data: new Uint8Array(0) },
    { seqId: 2, qslIdx: 3, data: Uint8Array.of(0xde, 0xad, 0xbe, 0xef) },
  ];

  test('writes the reference bytes: "[", "\\n{ … }" joined by ",", "\\n]\\n"; upper-case hex', () => {
    assert.equal(
      writeAccuracyLog(records),
      '[\n{ "seq_id" : 0, "qsl_idx" : 7, "data" : "000FA0FF" },\n{ "seq_id" : 1, "qsl_idx" : 10832, "data" : "" },\n{ "seq_id" : 2, "qsl_idx" : 3, "data" : "DEADBEEF" }\n]\n',
    );
    assert.equal(writeAccuracyLog([records[0]!]), '[\n{ "seq_id" : 0, "qsl_idx" : 7, "data" : "000FA0FF" }\n]\n');
    assert.equal(writeAccuracyLog([{ ...records[0]!, tokenCount: 5 }]), '[\n{ "seq_id" : 0, "qsl_idx" : 7, "data" : "000FA0FF", "token_count" : 5 }\n]\n');
    assert.equal(toUpperHex(Uint8Array.from({ length: 256 }, (_, i) => i)).slice(0, 40), '000102030405060708090A0B0C0D0E0F10111213');
    assert.equal(toUpperHex(Uint8Array.of(0xab, 0xcd, 0xef)), 'ABCDEF');
  });

  test('an empty log is the 4 bytes "[\\n]\\n", as every performance run writes it', () => {
    assert.equal(writeAccuracyLog([]), '[\n]\n');
    assert.equal(EMPTY_ACCURACY_LOG, '[\n]\n');
    assert.equal(Buffer.byteLength(writeAccuracyLog([])), 4);
    assert.deepEqual(parseAccuracyLog('[\n]\n', 'a.json'), []);
  });

  test('round trip: parse(write(x)) = x, and write(parse(text)) = text; the JSON is valid JSON', () => {
    const text = writeAccuracyLog(records);
    assert.deepEqual(parseAccuracyLog(text, 'a.json'), records);
    assert.equal(writeAccuracyLog(parseAccuracyLog(text, 'a.json')), text);
    // What accuracy-squad.py's json.load sees.
    assert.deepEqual(JSON.parse(text), [
      { seq_id: 0, qsl_idx: 7, data: '000FA0FF' },
      { seq_id: 1, qsl_idx: 10832, data: '' },
      { seq_id: 2, qsl_idx: 3, data: 'DEADBEEF' },
    ]);
    // 3 072-byte BERT responses, every byte value
    const big = Array.from({ length: 20 }, (_, k): AccuracyRecord => ({ seqId: k, qslIdx: 19 - k, data: Uint8Array.from({ length: 3072 }, (_, i) => (i * 31 + k) & 255) }));
    assert.deepEqual(parseAccuracyLog(writeAccuracyLog(big), 'big.json'), big);
    // token_count (LLM logs) survives; a final newline stripped by an editor is tolerated
    const tok = writeAccuracyLog([{ ...records[0]!, tokenCount: 5 }]);
    assert.deepEqual(parseAccuracyLog(tok.slice(0, -1), 't.json'), [{ ...records[0]!, tokenCount: 5 }]);
    // lower-case hex reads too (bytes.fromhex takes it)
    assert.deepEqual(fromHex('deadBEEF'), Uint8Array.of(0xde, 0xad, 0xbe, 0xef));
  });

  test('the reader refuses anything else, naming file, line and field', () => {
    const good = writeAccuracyLog(records);
    const lines = good.split('\n');
    const withLine = (i: number, text: string): string => lines.map((l, j) => (j === i ? text : l)).join('\n');
    assert.throws(() => parseAccuracyLog('', 'e.json'), isCode('EMPTY_INPUT', 'e.json'));
    assert.throws(() => parseAccuracyLog('{}\n', 'o.json'), isCode('PARSE', 'o.json:1', "expected '['"));
    // a run that crashed never wrote the footer
    assert.throws(() => parseAccuracyLog(good.slice(0, good.lastIndexOf('\n]')), 'cut.json'), isCode('TRUNCATED', 'cut.json:4', "no closing ']'"));
    assert.throws(() => parseAccuracyLog('[', 'cut.json'), isCode('TRUNCATED', 'cut.json:1'));
    assert.throws(() => parseAccuracyLog(withLine(2, '{ "seq_id" : -1, "qsl_idx" : 10832, "data" : "" },'), 'b.json'), isCode('PARSE', 'b.json:3', "field 'seq_id'"));
    assert.throws(() => parseAccuracyLog(withLine(2, '{ "seq_id" : 1, "qsl_idx" : "x", "data" : "" },'), 'b.json'), isCode('PARSE', 'b.json:3', "field 'qsl_idx'"));
    assert.throws(() => parseAccuracyLog(withLine(1, '{ "seq_id" : 0, "qsl_idx" : 7, "data" : "000FA0FG" },'), 'b.json'), isCode('PARSE', 'b.json:2', "field 'data'", 'position 7'));
    assert.throws(() => parseAccuracyLog(withLine(1, '{ "seq_id" : 0, "qsl_idx" : 7, "data" : "000FA0F" },'), 'b.json'), isCode('PARSE', 'b.json:2', "field 'data'", 'odd number'));
    assert.throws(() => parseAccuracyLog(withLine(1, '{ "seq_id" : 0, "qsl_idx" : 7, "data" : 12 },'), 'b.json'), isCode('PARSE', 'b.json:2', "field 'data'"));
    assert.throws(() => parseAccuracyLog(withLine(1, '{ "seq_id" : 0, "qsl_idx" : 7, "data" : "00", "token_count" : x },'), 'b.json'), isCode('PARSE', 'b.json:2', "field 'token_count'"));
    assert.throws(() => parseAccuracyLog(withLine(1, '{ "seq_id" : 0, "qsl_idx" : 7, "data" : "000FA0FF" }'), 'b.json'), isCode('PARSE', 'b.json:2', "no ','"));
    assert.throws(() => parseAccuracyLog(withLine(3, '{ "seq_id" : 2, "qsl_idx" : 3, "data" : "DEADBEEF" },'), 'b.json'), isCode('PARSE', 'b.json:4', "a ',' after the last entry"));
    assert.throws(() => parseAccuracyLog(withLine(2, '{ "seq_id" : 99999999999999999999, "qsl_idx" : 1, "data" : "" },'), 'b.json'), isCode('INVALID_VALUE', 'b.json:3', "field 'seq_id'"));
    // pretty-printed JSON is not what LoadGen writes
    assert.throws(() => parseAccuracyLog(`${JSON.stringify([{ seq_id: 0, qsl_idx: 0, data: '' }], null, 2)}\n`, 'p.json'), isCode('PARSE', 'p.json:2', "field 'seq_id'"));
    assert.throws(() => writeAccuracyLog([{ seqId: 1.5, qslIdx: 0, data: new Uint8Array(0) }]), isCode('INVALID_VALUE', "field 'seq_id'"));
  });
});

// ---------------------------------------------------------------------------------------------
// runAccuracy: what LoadGen issues in accuracy mode

interface FakeWorld {
  readonly sut: SystemUnderTest;
  readonly qsl: QuerySampleLibrary;
  readonly clocks: { nowNs(): number; epochMs(): number };
  /** QSL indices of every query, in issue order. */
  readonly issued: number[][];
  readonly loads: number[][];
  readonly unloads: number[][];
}

/**
 * A SUT on a fake clock (1 µs per reading, 1 ms per query) whose response for sample index i is
 * the 4 bytes of i as a little-endian uint32. It reuses one buffer across queries, so a logger
 * that kept the SUT's buffer instead of copying it would log garbage.
 */
function fakeWorld(total: number, performanceCount = total, reversed = false): FakeWorld {
  let now = 1e12;
  const clocks = { nowNs: () => (now += 1000), epochMs: () => 1.7e12 + (now - 1e12) / 1e6 };
  const issued: number[][] = [];
  const loads: number[][] = [];
  const unloads: number[][] = [];
  const shared = new Uint8Array(4);
  const sut: SystemUnderTest = {
    name: 'fake',
    issueQuery: (samples: readonly QuerySample[]) => {
      issued.push(samples.map((s) => s.index));
      now += 1_000_000;
      const responses: SampleResponse[] = samples.map((s) => {
        new DataView(shared.buffer).setUint32(0, s.index, true);
        return { id: s.id, data: shared };
      });
      // An SUT may answer a query's samples in any order.
      return Promise.resolve(reversed ? responses.reverse() : responses);
    },
  };
  const qsl: QuerySampleLibrary = {
    name: 'fake',
    totalSampleCount: total,
    performanceSampleCount: performanceCount,
    loadSamples: (ix) => {
      loads.push(Array.from(ix));
      return Promise.resolve();
    },
    unloadSamples: (ix) => {
      unloads.push(Array.from(ix));
      return Promise.resolve();
    },
  };
  return { sut, qsl, clocks, issued, loads, unloads };
}

function accuracySettings(release: LoadgenRelease, scenario: MlperfScenario, total: number, overrides: Partial<TestSettings> = {}): EffectiveSettings {
  return effectiveSettings({ ...bertMlperfConf(release, scenario), mode: 'AccuracyOnly', ...overrides }, total, release);
}

/** What sample-selection says accuracy mode issues for these settings: per loadable set, its generated samples. */
function expectedOrder(s: EffectiveSettings, release: LoadgenRelease, total: number): { sets: Int32Array[]; samples: Int32Array[] } {
  const variant = LIBSTDCXX_VARIANT_OF_LOGS[release];
  const sets = loadableSets(total, s.performanceSampleCount, s.qslRngSeed, variant, s.scenario === 'MultiStream' ? s.samplesPerQuery : undefined);
  const samples = sets.map(
    (set) =>
      generateQueries(set, {
        release,
        variant,
        scenario: s.scenario,
        mode: 'AccuracyOnly',
        samplesPerQuery: s.samplesPerQuery,
        targetQps: s.targetQps,
        targetDurationMs: s.targetDurationMs,
        minQueryCount: s.minQueryCount,
        sampleIndexRngSeed: s.sampleIndexRngSeed,
        scheduleRngSeed: s.scheduleRngSeed,
      }).sampleIndices,
  );
  return { sets: sets.map((x) => x.samples), samples };
}

const u32 = (data: Uint8Array): number => new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true);

describe('runAccuracy', () => {
  test('SingleStream, the BERT QSL and the v4.1 seeds: every sample once, in the unique shuffled order', async () => {
    const w = fakeWorld(BERT_SAMPLE_COUNT);
    const settings = accuracySettings('v4.1', 'SingleStream', BERT_SAMPLE_COUNT);
    const progress: number[] = [];
    const run = await runAccuracy(w.sut, w.qsl, { settings, release: 'v4.1', variant: 'libstdcxx-lemire', clocks: w.clocks, onProgress: (done, total) => progress.push(done, total) });
    const expected = expectedOrder(settings, 'v4.1', BERT_SAMPLE_COUNT);
    assert.equal(expected.samples.length, 1);
    assert.equal(w.issued.length, BERT_SAMPLE_COUNT, 'one sample per query');
    assert.ok(w.issued.every((q) => q.length === 1));
    assert.deepEqual(w.issued.map((q) => q[0]), Array.from(expected.samples[0]!));
    // Pinned: the accuracy order's start for these seeds (performance mode starts 8143 6390 2157 …).
    assert.deepEqual(w.issued.slice(0, 5).map((q) => q[0]), [9154, 7139, 2519, 1709, 1985]);
    assert.deepEqual([...w.issued.flat()].sort((a, b) => a - b), Array.from({ length: BERT_SAMPLE_COUNT }, (_, i) => i));
    // The loaded set is the performance run's loaded_qsl_set; accuracy order differs from it.
    assert.deepEqual(w.loads, [Array.from(expected.sets[0]!)]);
    assert.deepEqual(w.unloads, w.loads);
    assert.notDeepEqual(w.issued.slice(0, 5).map((q) => q[0]), Array.from(expected.sets[0]!.subarray(0, 5)));
    // Every response logged, with a sequence id in issue order and the SUT's bytes (copied).
    assert.equal(run.entries.length, BERT_SAMPLE_COUNT);
    run.entries.forEach((e, i) => {
      assert.equal(e.seqId, i);
      assert.equal(e.qslIdx, w.issued[i]![0]);
      assert.equal(u32(e.data), e.qslIdx);
    });
    assert.equal(run.sets.length, 1);
    assert.equal(run.sets[0]!.queriesIssued, BERT_SAMPLE_COUNT);
    assert.equal(run.sets[0]!.generated.queryCount, BERT_SAMPLE_COUNT);
    assert.ok(run.sets[0]!.powerEndEpochMs > run.sets[0]!.powerBeginEpochMs);
    assert.deepEqual(progress.slice(0, 4), [1, BERT_SAMPLE_COUNT, 2, BERT_SAMPLE_COUNT]);
    assert.deepEqual(progress.slice(-2), [BERT_SAMPLE_COUNT, BERT_SAMPLE_COUNT]);
  });

  for (const release of ['v4.1', 'v1.1'] as const) {
    test(`${release}: several loadable sets are loaded, issued and unloaded in turn; sequence ids run across them`, async () => {
      const total = 1000;
      const w = fakeWorld(total, total, true);
      const settings = accuracySettings(release, 'SingleStream', total, { performanceSampleCountOverride: 300 });
      const run = await runAccuracy(w.sut, w.qsl, { settings, release, variant: LIBSTDCXX_VARIANT_OF_LOGS[release], clocks: w.clocks });
      const expected = expectedOrder(settings, release, total);
      assert.deepEqual(expected.sets.map((s) => s.length), [300, 300, 300, 100]);
      assert.deepEqual(w.loads, expected.sets.map((s) => Array.from(s)));
      assert.deepEqual(w.unloads, w.loads);
      assert.deepEqual(w.issued.map((q) => q[0]), expected.samples.flatMap((s) => Array.from(s)));
      assert.deepEqual([...w.issued.flat()].sort((a, b) => a - b), Array.from({ length: total }, (_, i) => i));
      assert.deepEqual(run.entries.map((e) => e.seqId), Array.from({ length: total }, (_, i) => i));
      assert.deepEqual(run.entries.map((e) => e.qslIdx), w.issued.flat());
      assert.ok(run.entries.every((e) => u32(e.data) === e.qslIdx));
      assert.deepEqual(run.sets.map((s) => s.queriesIssued), [300, 300, 300, 100]);
    });
  }

  test('Offline: one query per loadable set holding the whole set, in load order', async () => {
    const total = 500;
    const w = fakeWorld(total, total, true);
    const settings = accuracySettings('v4.1', 'Offline', total, { performanceSampleCountOverride: 200 });
    const run = await runAccuracy(w.sut, w.qsl, { settings, release: 'v4.1', variant: 'libstdcxx-lemire', clocks: w.clocks });
    const expected = expectedOrder(settings, 'v4.1', total);
    assert.deepEqual(w.issued, expected.sets.map((s) => Array.from(s)));
    assert.deepEqual(w.issued, expected.samples.map((s) => Array.from(s)));
    assert.deepEqual(run.sets.map((s) => [s.queriesIssued, s.generated.loggedSamplesPerQuery]), [[1, 200], [1, 200], [1, 100]]);
    // The SUT answered each query backwards: the log follows the answers, ids stay the samples'.
    assert.deepEqual(run.entries.slice(0, 2).map((e) => [e.seqId, e.qslIdx]), [[199, expected.sets[0]![199]], [198, expected.sets[0]![198]]]);
    assert.deepEqual([...run.entries.map((e) => e.seqId)].sort((a, b) => a - b), Array.from({ length: total }, (_, i) => i));
    assert.deepEqual([...run.entries.map((e) => e.qslIdx)].sort((a, b) => a - b), Array.from({ length: total }, (_, i) => i));
  });

  test('MultiStream: queries of 8 contiguous samples of the padded set; the padding repeats a few samples', async () => {
    const total = 100;
    const w = fakeWorld(total);
    const settings = accuracySettings('v4.1', 'MultiStream', total, { performanceSampleCountOverride: 0 });
    const run = await runAccuracy(w.sut, w.qsl, { settings, release: 'v4.1', variant: 'libstdcxx-lemire', clocks: w.clocks });
    const expected = expectedOrder(settings, 'v4.1', total);
    const padded = expected.sets[0]!;
    assert.equal(padded.length, 107);
    assert.equal(w.issued.length, 13); // starts 0, 8, …, 96
    assert.deepEqual(w.issued.flat(), Array.from(expected.samples[0]!));
    for (const q of w.issued) {
      const start = padded.indexOf(q[0]!);
      assert.deepEqual(q, Array.from(padded.subarray(start, start + 8)));
    }
    assert.equal(run.entries.length, 104);
    assert.equal(new Set(run.entries.map((e) => e.qslIdx)).size, total);
  });

  test('Server: Poisson arrivals, every sample once, in the generated order', async () => {
    const total = 200;
    const w = fakeWorld(total);
    const settings = accuracySettings('v4.1', 'Server', total, { serverTargetQps: 1e6 });
    const run = await runAccuracy(w.sut, w.qsl, { settings, release: 'v4.1', variant: 'libstdcxx-lemire', clocks: w.clocks });
    assert.deepEqual(w.issued.flat(), Array.from(expectedOrder(settings, 'v4.1', total).samples[0]!));
    assert.equal(run.entries.length, total);
    assert.equal(new Set(run.entries.map((e) => e.qslIdx)).size, total);
  });

  test('modes are checked, and a response must answer one sample of its query exactly once', async () => {
    const w = fakeWorld(20);
    const perf = effectiveSettings({ ...bertMlperfConf('v4.1', 'SingleStream'), minQueryCount: 4, maxQueryCount: 4 }, 20, 'v4.1');
    await assert.rejects(runAccuracy(w.sut, w.qsl, { settings: perf, release: 'v4.1', variant: 'libstdcxx-lemire', clocks: w.clocks }), isCode('USAGE', 'AccuracyOnly'));
    const acc = accuracySettings('v4.1', 'SingleStream', 20);
    await assert.rejects(runPerformance(w.sut, w.qsl, { settings: acc, release: 'v4.1', variant: 'libstdcxx-lemire', clocks: w.clocks }), isCode('USAGE', 'PerformanceOnly'));
    const liar: SystemUnderTest = { name: 'liar', issueQuery: (s) => Promise.resolve(s.map((x) => ({ id: x.id + 1 }))) };
    await assert.rejects(runAccuracy(liar, w.qsl, { settings: acc, release: 'v4.1', variant: 'libstdcxx-lemire', clocks: w.clocks }), isCode('INVALID_VALUE', 'SampleResponse.id'));
    const silent: SystemUnderTest = { name: 'silent', issueQuery: () => Promise.resolve([]) };
    await assert.rejects(runAccuracy(silent, w.qsl, { settings: acc, release: 'v4.1', variant: 'libstdcxx-lemire', clocks: w.clocks }), isCode('INVALID_VALUE', 'got no response'));
    // A response without data is logged with empty data, as LoadGen logs a null buffer.
    const bare: SystemUnderTest = { name: 'bare', issueQuery: (s) => Promise.resolve(s.map((x) => ({ id: x.id }))) };
    const run = await runAccuracy(bare, w.qsl, { settings: acc, release: 'v4.1', variant: 'libstdcxx-lemire', clocks: w.clocks });
    assert.ok(run.entries.every((e) => e.data.length === 0));
  });
});

// ---------------------------------------------------------------------------------------------
// The accuracy script

/** Logits a perfect model gives for a feature: 10 at the answer's first token (where max-context) and last token, 0 elsewhere. */
function oracleLogits(example: SquadExample, feature: SquadFeature, seqLen = 384): { startLogits: Float32Array; endLogits: Float32Array } {
  const answer = example.answers[0]!;
  const firstWord = example.charToWordOffset[answer.answerStart]!;
  const lastWord = example.charToWordOffset[answer.answerStart + Array.from(answer.text).length - 1]!;
  const positions = feature.tokens.map((_, p) => p);
  const start = positions.find((p) => origWordIndex(feature, p) === firstWord && isMaxContext(feature, p));
  const end = positions.findLast((p) => origWordIndex(feature, p) === lastWord);
  const startLogits = new Float32Array(seqLen);
  const endLogits = new Float32Array(seqLen);
  if (start !== undefined) startLogits[start] = 10;
  if (end !== undefined) endLogits[end] = 10;
  return { startLogits, endLogits };
}

/** A SUT that answers with the oracle logits in the reference SUT's byte layout. */
function oracleSut(qsl: SquadQsl): SystemUnderTest {
  return {
    name: 'oracle',
    issueQuery: (samples) =>
      Promise.resolve(
        samples.map((s) => {
          qsl.sample(s.index); // must be loaded
          const f = qsl.features[s.index]!;
          return { id: s.id, data: logitsResponseBytes(oracleLogits(qsl.examples[f.exampleIndex]!, f)) };
        }),
      ),
  };
}

describe('accuracy-squad.py', () => {
  const qsl = squadQsl({ dataset: parseSquad(JSON.stringify(SQUAD_JSON), 'dev.json'), vocab: parseVocab(VOCAB_TEXT, 'vocab.txt') });

  test('the SQuAD QSL: features in order, int64 inputs once loaded', async () => {
    assert.equal(qsl.totalSampleCount, 6);
    assert.equal(qsl.performanceSampleCount, 6);
    assert.equal(qsl.questionCount, 6);
    assert.deepEqual(qsl.features.map((f) => f.uniqueId), [0, 1, 2, 3, 4, 5].map((i) => 1_000_000_000 + i));
    assert.throws(() => qsl.sample(0), isCode('INVALID_VALUE', 'not loaded'));
    assert.throws(() => qsl.sample(6), isCode('INVALID_VALUE', 'outside the QSL of 6'));
    await qsl.loadSamples(Int32Array.of(0, 5));
    assert.equal(qsl.loadedCount, 2);
    const s = qsl.sample(5);
    assert.equal(s.inputIds.length, 384);
    assert.deepEqual(Array.from(s.inputIds, Number), Array.from(qsl.features[5]!.inputIds));
    assert.deepEqual(Array.from(s.segmentIds, Number), Array.from(qsl.features[5]!.segmentIds));
    assert.deepEqual(Array.from(s.inputMask, Number), Array.from(qsl.features[5]!.inputMask));
    await qsl.unloadSamples(Int32Array.of(0, 5));
    assert.equal(qsl.loadedCount, 0);
    await assert.rejects(qsl.loadSamples(Int32Array.of(6)), isCode('INVALID_VALUE', 'outside'));
  });

  test('response bytes: float32 (seq, 2) interleaved little-endian; other dtypes and the transposed layout', () => {
    const bytes = logitsResponseBytes({ startLogits: Float32Array.of(1.5, 0.25), endLogits: Float32Array.of(-2, 3) });
    assert.equal(toUpperHex(bytes), '0000C03F000000C00000803E00004040');
    const d = decodeResponseLogits(bytes);
    assert.deepEqual([d.startLogits.length, d.startLogits[0], d.startLogits[1], d.startLogits[2]], [384, 1.5, 0.25, -10000]);
    assert.deepEqual([d.endLogits[0], d.endLogits[1], d.endLogits[383]], [-2, 3, -10000]);
    const t = decodeResponseLogits(bytes, { transposed: true, maxSeqLength: 2 }); // starts then ends
    assert.deepEqual([Array.from(t.startLogits), Array.from(t.endLogits)], [[1.5, -2], [0.25, 3]]);
    // float16 1.5, -2, 0.25, 3 = 3E00 C000 3400 4200 (little-endian below)
    const half = decodeResponseLogits(Uint8Array.of(0x00, 0x3e, 0x00, 0xc0, 0x00, 0x34, 0x00, 0x42), { dtype: 'float16', maxSeqLength: 2 });
    assert.deepEqual([Array.from(half.startLogits), Array.from(half.endLogits)], [[1.5, 0.25], [-2, 3]]);
    const i8 = decodeResponseLogits(new Uint8Array(Int8Array.of(-1, 2, 3, -4).buffer), { dtype: 'int8', maxSeqLength: 2 });
    assert.deepEqual([Array.from(i8.startLogits), Array.from(i8.endLogits)], [[-1, 3], [2, -4]]);
    assert.throws(() => decodeResponseLogits(new Uint8Array(6)), isCode('INVALID_VALUE', '6 bytes'));
    assert.throws(() => decodeResponseLogits(new Uint8Array(12)), isCode('INVALID_VALUE', 'pairs'));
    assert.throws(() => decodeResponseLogits(new Uint8Array(8 * 385)), isCode('INVALID_VALUE', '385 positions'));
  });

  test('gold-answer logits give EM = F1 = 100 and pass bert-99; the last response of a feature wins', () => {
    const entries = qsl.features.map((f, i) => ({ seqId: i, qslIdx: i, data: logitsResponseBytes(oracleLogits(qsl.examples[f.exampleIndex]!, f)) }));
    const r = scoreSquadAccuracy({ entries, dataset: qsl.dataset, examples: qsl.examples, features: qsl.features });
    assert.deepEqual(r.scores, { exactMatch: 100, f1: 100, total: 6, unanswered: 0 });
    assert.equal(r.scoresLine, '{"exact_match": 100.0, "f1": 100.0}');
    assert.deepEqual(r.check, { target: 'bert-99', requiredF1: 90.874 * 0.99, f1: 100, passed: true });
    assert.ok(Math.abs(r.check.requiredF1 - 89.96526) < 1e-9);
    assert.deepEqual([...r.predictionTexts.values()], ["Gustave Eiffel's company", '1889.', '330 metres', 'the Mona Lisa.', 'cr\u00e8me br\u00fbl\u00e9e.', 'k']);
    // A later all-zero response for feature 1 replaces the gold one: that question drops to a
    // tie-broken first span, which is not "1889".
    const zero = { seqId: 6, qslIdx: 1, data: new Uint8Array(384 * 8) };
    const worse = scoreSquadAccuracy({ entries: [...entries, zero], dataset: qsl.dataset, examples: qsl.examples, features: qsl.features });
    assert.equal(worse.responseCount, 7);
    assert.equal(worse.featuresAnswered, 6);
    assert.notEqual(worse.predictionTexts.get('q-year'), '1889.');
    assert.ok(worse.scores.exactMatch < 100);
    // Features without a response are answered "empty"
    const partial = scoreSquadAccuracy({ entries: entries.slice(0, 3), dataset: qsl.dataset, examples: qsl.examples, features: qsl.features });
    assert.deepEqual([...partial.predictionTexts.values()].slice(3), ['empty', 'empty', 'empty']);
    assert.ok(Math.abs(partial.scores.f1 - 50) < 1e-9);
    assert.equal(partial.check.passed, false);
    assert.throws(() => scoreSquadAccuracy({ entries: [{ seqId: 3, qslIdx: 6, data: new Uint8Array(0) }], dataset: qsl.dataset, examples: qsl.examples, features: qsl.features }), isCode('INVALID_VALUE', 'qsl_idx (seq_id 3)', '6 features'));
  });

  test('predictions.json as json.dumps(indent=4) writes it (ASCII escapes, lower-case hex)', () => {
    assert.equal(formatPredictionsJson(new Map()), '{}\n');
    assert.equal(
      formatPredictionsJson(new Map([['q-cafe', 'cr\u00e8me "br\u00fbl\u00e9e"'], ['q-x', 'a\\b\n\u0001\u007f😀']])),
      '{\n    "q-cafe": "cr\\u00e8me \\"br\\u00fbl\\u00e9e\\"",\n    "q-x": "a\\\\b\\n\\u0001\\u007f\\ud83d\\ude00"\n}\n',
    );
  });

  test('accuracyCheck with an oracle SUT: LoadGen → accuracy log → EM = F1 = 100, for every scenario', async () => {
    for (const scenario of ['SingleStream', 'Offline', 'MultiStream', 'Server'] as const) {
      const settings = scenario === 'Server' ? { serverTargetQps: 1e5 } : {};
      const r = await accuracyCheck({ sut: oracleSut(qsl), qsl, scenario, settings });
      assert.deepEqual(r.scores, { exactMatch: 100, f1: 100, total: 6, unanswered: 0 }, scenario);
      assert.equal(r.check.passed, true);
      assert.equal(r.sampleCount, 6);
      // MultiStream pads the 6-sample set to 13 and issues one query of 8
      assert.equal(r.responseCount, scenario === 'MultiStream' ? 8 : 6, scenario);
      assert.equal(qsl.loadedCount, 0, 'unloaded after the run');
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The whole pipeline on a real ONNX Runtime session

describe('runAccuracyCheck: SQuAD files → synthetic bert-tiny on ONNX Runtime → EM/F1', () => {
  let cacheDir: string;
  let modelPath: string;
  let files: ReturnType<typeof writeSquadFixtures>;

  before(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'inferprint-accuracy-'));
    modelPath = (await ensureSyntheticModel({ preset: 'bert-tiny' }, { cacheDir })).path;
    files = writeSquadFixtures();
  });
  after(() => {
    rmSync(cacheDir, { recursive: true, force: true });
    rmSync(files.dir, { recursive: true, force: true });
  });

  test('SingleStream: every feature answered by the model, logged, scored', async () => {
    const progress: number[] = [];
    const r = await runAccuracyCheck({ modelPath, datasetPath: files.squadPath, vocabPath: files.vocabPath, scenario: 'SingleStream', onProgress: (done) => progress.push(done) });
    assert.equal(r.sampleCount, 6);
    assert.equal(r.questionCount, 6);
    assert.deepEqual(progress, [1, 2, 3, 4, 5, 6]);
    assert.equal(r.ort?.provider, 'cpu');

    // The accuracy log: one entry per feature, each 384 × 2 float32 (3 072 bytes, 6 144 hex digits).
    const entries = parseAccuracyLog(r.accuracyLogJson, 'mlperf_log_accuracy.json');
    assert.equal(entries.length, r.sampleCount);
    assert.equal(r.responseCount, 6);
    assert.deepEqual(entries.map((e) => e.seqId), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual([...entries.map((e) => e.qslIdx)].sort(), [0, 1, 2, 3, 4, 5]);
    assert.ok(entries.every((e) => e.data.length === 3072));
    assert.match(r.accuracyLogJson, /^\[\n\{ "seq_id" : 0, "qsl_idx" : \d, "data" : "[0-9A-F]{6144}" \},\n/);
    assert.ok(r.accuracyLogJson.endsWith('" }\n]\n'));

    // The bytes are the model's logits, interleaved: compare with a session of our own.
    const qsl = loadSquadQsl({ datasetPath: files.squadPath, vocabPath: files.vocabPath });
    const ort = await openOrtSut({ modelPath, warmupRuns: 0 });
    try {
      const idx = entries[0]!.qslIdx;
      await qsl.loadSamples(Int32Array.of(idx));
      const [direct] = await ort.issue([qsl.sample(idx)]);
      const logged = decodeResponseLogits(entries[0]!.data);
      for (let j = 0; j < 384; j++) {
        assert.ok(Math.abs(logged.startLogits[j]! - direct!.startLogits[j]!) <= 1e-5, `start ${j}`);
        assert.ok(Math.abs(logged.endLogits[j]! - direct!.endLogits[j]!) <= 1e-5, `end ${j}`);
      }
      assert.ok(new Set(Array.from(logged.startLogits.subarray(0, 64))).size > 1, 'real logits, not a constant');
    } finally {
      await ort.close();
    }

    // Scores: random weights answer badly, but every question got a prediction and a score.
    assert.deepEqual([...r.predictions.keys()], ['q-builder', 'q-year', 'q-height', 'q-painting', 'q-cafe', 'q-letter']);
    assert.ok([...r.predictions.values()].every((t) => t.length > 0));
    assert.equal(r.scores.total, 6);
    assert.equal(r.scores.unanswered, 0);
    for (const v of [r.scores.exactMatch, r.scores.f1]) assert.ok(v >= 0 && v <= 100, String(v));
    assert.ok(r.scores.exactMatch <= r.scores.f1);
    assert.equal(r.check.passed, r.scores.f1 >= 89.96526);
    assert.match(r.scoresLine, /^\{"exact_match": [\d.]+, "f1": ([\d.]+)\}$/); // the submission checker's regex
    assert.equal(JSON.stringify(JSON.parse(r.predictionsJson)), JSON.stringify(Object.fromEntries(r.predictions)));

    // The reference's logs of an accuracy run: a summary of just the footer, and the detail events.
    assert.equal(r.summaryText, '\nNo warnings encountered during test.\n\nNo errors encountered during test.\n');
    const detail = parseDetail(r.detailText, 'mlperf_log_detail.txt');
    const keys = detail.events.map((e) => e.key);
    const value = (key: string): unknown => detail.events.find((e) => e.key === key)?.value;
    assert.equal(value('requested_test_mode'), 'AccuracyOnly');
    assert.equal(value('effective_test_mode'), 'AccuracyOnly');
    assert.equal(value('qsl_reported_total_count'), 6);
    assert.equal(value('generated_query_count'), 6);
    assert.deepEqual([...(value('loaded_qsl_set') as number[])].sort(), [0, 1, 2, 3, 4, 5]);
    const tail = keys.slice(keys.indexOf('effective_sample_concatenate_permutation') + 1);
    assert.deepEqual(tail, [
      'generic_message',
      'loaded_qsl_set',
      'generated_query_count',
      'generated_samples_per_query',
      'generated_query_duration',
      'logger_swap_request_slots_retry_count',
      'logger_swap_request_slots_retry_retry_count',
      'logger_swap_request_slots_retry_reencounter_count',
      'logger_start_reading_entries_retry_count',
      'logger_tls_total_log_cas_fail_count',
      'logger_tls_total_swap_buffers_slot_retry_count',
      'power_begin',
      'power_end',
    ]);
    assert.equal(value('generic_message'), 'Starting accuracy mode');
    assert.ok(!keys.some((k) => k.startsWith('result_')), 'accuracy mode logs no result block');
  });

  test('Offline and MultiStream answer the same features with the same logits: the same predictions', async () => {
    const base = await runAccuracyCheck({ modelPath, datasetPath: files.squadPath, vocabPath: files.vocabPath, scenario: 'SingleStream' });
    for (const scenario of ['Offline', 'MultiStream'] as const) {
      const r = await runAccuracyCheck({ modelPath, datasetPath: files.squadPath, vocabPath: files.vocabPath, scenario });
      assert.equal(r.responseCount, scenario === 'MultiStream' ? 8 : 6);
      assert.deepEqual(r.predictions, base.predictions, scenario);
      assert.deepEqual(r.scores, base.scores, scenario);
    }
  });

  test('bad inputs fail before a model is loaded, naming the file', async () => {
    await assert.rejects(runAccuracyCheck({ modelPath, datasetPath: join(files.dir, 'none.json'), vocabPath: files.vocabPath, scenario: 'SingleStream' }), isCode('NOT_FOUND', 'none.json'));
    await assert.rejects(runAccuracyCheck({ modelPath: join(files.dir, 'none.onnx'), datasetPath: files.squadPath, vocabPath: files.vocabPath, scenario: 'SingleStream' }), isCode('NOT_FOUND', 'none.onnx'));
  });
});
