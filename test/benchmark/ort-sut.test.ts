import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { InferprintError } from '../../src/errors.js';
import { encodeOnnxModel } from '../../src/benchmark/bert/onnx-writer.js';
import { STACKED_INT32_MODEL } from '../helpers/onnx-models.js';
import { ensureSyntheticModel } from '../../src/benchmark/bert/io/model-cache.js';
import { cudaProviderStatus, detectBertIo, openOrtSut, toInt64, type BertSample } from '../../src/benchmark/sut/io/onnxruntime.js';
import { OrtWorker } from '../../src/benchmark/sut/io/ort-worker-client.js';

const SEQ = 384;

/** A SQuAD-like feature: `valid` tokens then padding. */
function sample(seqLen: number, valid: number, salt: number): BertSample {
  const inputIds = new BigInt64Array(seqLen);
  const inputMask = new BigInt64Array(seqLen);
  const segmentIds = new BigInt64Array(seqLen);
  for (let i = 0; i < valid; i++) {
    inputIds[i] = BigInt(1000 + ((i * 7919 + salt * 104_729) % 29_000));
    inputMask[i] = 1n;
    segmentIds[i] = i < valid / 4 ? 0n : 1n;
  }
  return { inputIds, inputMask, segmentIds };
}

const isCode = (code: string, text?: string) => (e: unknown): boolean => e instanceof InferprintError && e.code === code && (text === undefined || e.message.includes(text));

describe('detectBertIo (from session metadata)', () => {
  const ints = (name: string, type = 'int64', shape: (number | string)[] = ['batch', 384]) => ({ name, type, shape });
  const floats = (name: string, shape: (number | string)[] = ['batch', 384]) => ({ name, type: 'float32', shape });

  test('the fp32 MLPerf export', () => {
    assert.deepEqual(detectBertIo([ints('input_ids'), ints('input_mask'), ints('segment_ids')], [floats('output_start_logits'), floats('output_end_logits')]), {
      inputIds: 'input_ids',
      inputMask: 'input_mask',
      segmentIds: 'segment_ids',
      inputType: 'int64',
      output: { kind: 'pair', start: 'output_start_logits', end: 'output_end_logits' },
      fixedBatch: undefined,
      fixedSeqLen: 384,
    });
  });

  test('the int8 fake-quant names, in any order; outputs matched by name, not position', () => {
    const io = detectBertIo([ints('token_type_ids'), ints('attention_mask'), ints('input_ids')], [floats('end_logits'), floats('start_logits')]);
    assert.equal(io.inputMask, 'attention_mask');
    assert.equal(io.segmentIds, 'token_type_ids');
    assert.deepEqual(io.output, { kind: 'pair', start: 'start_logits', end: 'end_logits' });
  });

  test('TF-style `:0` suffixes, int32 inputs, fixed batch, positional and stacked outputs', () => {
    const io = detectBertIo([ints('input_ids:0', 'int32', [1, 384]), ints('input_mask:0', 'int32'), ints('segment_ids:0', 'int32')], [floats('logits_a'), floats('logits_b')]);
    assert.equal(io.inputIds, 'input_ids:0');
    assert.equal(io.inputType, 'int32');
    assert.equal(io.fixedBatch, 1);
    assert.deepEqual(io.output, { kind: 'pair', start: 'logits_a', end: 'logits_b' });
    const stacked = detectBertIo([ints('input_ids'), ints('input_mask'), ints('segment_ids')], [floats('logits', ['batch', 384, 2])]);
    assert.deepEqual(stacked.output, { kind: 'stacked', name: 'logits' });
  });

  test('errors name what is missing and what the model has', () => {
    assert.throws(() => detectBertIo([ints('input_ids'), ints('mask'), ints('segment_ids')], [floats('s'), floats('e')], 'm.onnx'), isCode('INVALID_VALUE', 'input_mask or attention_mask (model inputs: input_ids, mask, segment_ids)'));
    assert.throws(() => detectBertIo([ints('input_ids'), ints('input_mask', 'float32'), ints('segment_ids')], [floats('s'), floats('e')]), isCode('INVALID_VALUE', 'float32'));
    assert.throws(() => detectBertIo([ints('input_ids'), ints('input_mask'), ints('segment_ids')], [floats('a'), floats('b'), floats('c')]), isCode('INVALID_VALUE', 'start and end'));
  });
});

describe('ONNX Runtime SUT on synthetic bert-tiny', () => {
  let cacheDir: string;
  let mlperfPath: string;
  let int8NamesPath: string;

  before(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'inferprint-sut-'));
    mlperfPath = (await ensureSyntheticModel({ preset: 'bert-tiny' }, { cacheDir })).path;
    int8NamesPath = (await ensureSyntheticModel({ preset: 'bert-tiny', io: 'mlperf-int8' }, { cacheDir })).path;
  });
  after(() => {
    rmSync(cacheDir, { recursive: true, force: true });
  });

  test('loads, detects the MLPerf names, times load and warm-up as separate phases, runs on the CPU', async () => {
    let t = 0;
    const sut = await openOrtSut({ modelPath: mlperfPath, maxBatchSize: 3, clock: () => ++t });
    try {
      assert.equal(sut.provider, 'cpu');
      assert.equal(sut.providerNote, 'cpu requested');
      assert.equal(sut.ortVersion, '1.30.0');
      assert.deepEqual([sut.io.inputIds, sut.io.inputMask, sut.io.segmentIds], ['input_ids', 'input_mask', 'segment_ids']);
      assert.deepEqual(sut.io.output, { kind: 'pair', start: 'output_start_logits', end: 'output_end_logits' });
      // The injected clock ticks once per reading: load, then warm-up, in that order.
      assert.deepEqual(sut.phases, { load: { startS: 1, endS: 2 }, warmup: { startS: 3, endS: 4 } });
    } finally {
      await sut.close();
    }
  });

  test('issue() batches as asked and returns logits in sample order, equal to a direct session run', async () => {
    const sut = await openOrtSut({ modelPath: mlperfPath, maxBatchSize: 3, warmupRuns: 1 });
    const session = await ort.InferenceSession.create(mlperfPath);
    try {
      const samples = [0, 1, 2, 3, 4].map((i) => sample(SEQ, 100 + 50 * i, i));
      const got = await sut.issue(samples);
      assert.equal(got.length, 5);
      for (const r of got) {
        assert.equal(r.startLogits.length, SEQ);
        assert.equal(r.endLogits.length, SEQ);
      }
      // Batches of 3 then 2: the same batches through ONNX Runtime directly give the same bits.
      for (const [from, to] of [[0, 3], [3, 5]] as const) {
        const batch = samples.slice(from, to);
        const pack = (pick: (s: BertSample) => BigInt64Array): ort.Tensor => {
          const data = new BigInt64Array(batch.length * SEQ);
          batch.forEach((s, i) => {
            data.set(pick(s), i * SEQ);
          });
          return new ort.Tensor('int64', data, [batch.length, SEQ]);
        };
        const out = await session.run({ input_ids: pack((s) => s.inputIds), input_mask: pack((s) => s.inputMask), segment_ids: pack((s) => s.segmentIds) });
        const start = out.output_start_logits!.data as Float32Array;
        const end = out.output_end_logits!.data as Float32Array;
        batch.forEach((_, i) => {
          assert.deepEqual(got[from + i]!.startLogits, start.slice(i * SEQ, (i + 1) * SEQ));
          assert.deepEqual(got[from + i]!.endLogits, end.slice(i * SEQ, (i + 1) * SEQ));
        });
      }
      // Batch 1 (SingleStream) gives each sample on its own; equal to the batched rows up to GEMM rounding.
      const single = await openOrtSut({ modelPath: mlperfPath, warmupRuns: 0 });
      try {
        const alone = await single.issue([samples[4]!]);
        for (let j = 0; j < SEQ; j++) assert.ok(Math.abs(alone[0]!.startLogits[j]! - got[4]!.startLogits[j]!) < 1e-5);
      } finally {
        await single.close();
      }
      assert.deepEqual(await sut.issue([]), []);
    } finally {
      await session.release();
      await sut.close();
    }
  });

  test('the int8 model’s input names are detected, and the same weights give the same logits', async () => {
    const a = await openOrtSut({ modelPath: mlperfPath, warmupRuns: 0 });
    const b = await openOrtSut({ modelPath: int8NamesPath, warmupRuns: 0 });
    try {
      assert.deepEqual([b.io.inputIds, b.io.inputMask, b.io.segmentIds], ['input_ids', 'attention_mask', 'token_type_ids']);
      assert.deepEqual(b.io.output, { kind: 'pair', start: 'start_logits', end: 'end_logits' });
      const s = [sample(SEQ, 222, 3)];
      const [ra] = await a.issue(s);
      const [rb] = await b.issue(s);
      assert.deepEqual(rb, ra);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('shorter sequences run (the synthetic graph is dynamic); a batch mixing lengths is refused', async () => {
    const sut = await openOrtSut({ modelPath: mlperfPath, maxBatchSize: 2, warmupSeqLen: 128 });
    try {
      const [r] = await sut.issue([sample(128, 128, 1)]);
      assert.equal(r!.startLogits.length, 128);
      await assert.rejects(sut.issue([sample(128, 128, 1), sample(SEQ, 10, 2)]), isCode('INVALID_VALUE', 'samples[1]'));
    } finally {
      await sut.close();
    }
  });

  test('the session runs in a worker thread: a 5 ms timer on this thread fires while session runs are in flight', async () => {
    // The worker bumps the shared counter as each run starts and ends, so the timer can see, without
    // any message, whether a run is in flight — and which one. With the session on this thread the
    // timer could never fire while a run is in flight. One thread for ONNX Runtime leaves the other
    // core to this one, and 32 samples of 384 tokens make each run long enough for a timer to fire.
    const runActivity = new Int32Array(new SharedArrayBuffer(4));
    const sut = await openOrtSut({ modelPath: mlperfPath, maxBatchSize: 32, warmupRuns: 0, intraOpNumThreads: 1, runActivity });
    const ticksDuringRun = new Map<number, number>();
    const timer = setInterval(() => {
      const v = Atomics.load(runActivity, 0);
      if (v % 2 === 1) ticksDuringRun.set((v + 1) / 2, (ticksDuringRun.get((v + 1) / 2) ?? 0) + 1);
    }, 5);
    try {
      const batch = Array.from({ length: 32 }, (_, i) => sample(SEQ, SEQ, i));
      for (let i = 0; i < 5; i++) {
        const got = await sut.issue(batch);
        assert.equal(got.length, 32);
      }
    } finally {
      clearInterval(timer);
      await sut.close();
    }
    assert.equal(Atomics.load(runActivity, 0), 10, 'five runs, each counted at its start and its end');
    // On this thread the session would allow no tick in any run. Most runs, not every one: a
    // loaded CI machine may deschedule this thread for a whole run now and then.
    assert.ok(ticksDuringRun.size >= 3, `ticks seen during runs: ${JSON.stringify([...ticksDuringRun])}`);
  });

  test('the caller’s sample arrays stay intact: inputs are packed into fresh buffers before they are transferred', async () => {
    const sut = await openOrtSut({ modelPath: mlperfPath, maxBatchSize: 2, warmupRuns: 0 });
    try {
      const samples = [sample(SEQ, 40, 1), sample(SEQ, 50, 2), sample(SEQ, 60, 3)];
      const copies = samples.map((s) => ({ inputIds: s.inputIds.slice(), inputMask: s.inputMask.slice(), segmentIds: s.segmentIds.slice() }));
      const first = await sut.issue(samples);
      assert.deepEqual(samples, copies);
      // The same samples again give the same logits (nothing was detached or reused).
      assert.deepEqual(await sut.issue(samples), first);
    } finally {
      await sut.close();
    }
  });

  test('close() releases the session: later calls are refused with a coded error naming the model; closing twice is fine', async () => {
    const sut = await openOrtSut({ modelPath: mlperfPath, warmupRuns: 0 });
    const pending = sut.issue([sample(SEQ, 100, 1)]);
    await sut.close();
    // A batch sent before close() still completes.
    assert.equal((await pending).length, 1);
    await assert.rejects(sut.issue([sample(SEQ, 100, 1)]), isCode('INVALID_VALUE', `${mlperfPath}: the ONNX Runtime session is closed`));
    await sut.close();
  });

  test('a program that never closes the SUT still exits (the idle worker does not hold the process)', () => {
    const url = (p: string): string => JSON.stringify(pathToFileURL(p).href);
    const code = [
      `import { openOrtSut } from ${url('src/benchmark/sut/io/onnxruntime.ts')};`,
      `const sut = await openOrtSut({ modelPath: ${JSON.stringify(mlperfPath)}, warmupRuns: 1 });`,
      `console.log(sut.provider);`,
    ].join('\n');
    // The limit only keeps a regression from hanging the suite; a healthy run takes about a second.
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.error, undefined);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'cpu');
  });

  test('CUDA: used when installed; otherwise a clear error, and auto falls back to the CPU saying why', async () => {
    const cuda = await cudaProviderStatus();
    if (cuda.installed) {
      // A machine with the CUDA provider (and, we assume, a GPU): it must really be used.
      const sut = await openOrtSut({ modelPath: mlperfPath, provider: 'cuda', warmupRuns: 1 });
      assert.equal(sut.provider, 'cuda');
      await sut.close();
      return;
    }
    await assert.rejects(openOrtSut({ modelPath: mlperfPath, provider: 'cuda' }), isCode('INVALID_VALUE', 'ONNXRUNTIME_NODE_INSTALL=cuda12'));
    const sut = await openOrtSut({ modelPath: mlperfPath, provider: 'auto', warmupRuns: 0 });
    try {
      assert.equal(sut.provider, 'cpu');
      assert.match(sut.providerNote, /^auto: CUDA provider not installed/);
    } finally {
      await sut.close();
    }
  });
});

describe('ONNX Runtime SUT: other model shapes and bad inputs', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'inferprint-sut-misc-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const stackedInt32 = STACKED_INT32_MODEL;

  test('int32 inputs are converted and a stacked output is split into start and end', async () => {
    const path = join(dir, 'stacked.onnx');
    writeFileSync(path, await encodeOnnxModel(stackedInt32));
    const sut = await openOrtSut({ modelPath: path, maxBatchSize: 2, warmupSeqLen: 4 });
    try {
      assert.equal(sut.io.inputType, 'int32');
      assert.deepEqual(sut.io.output, { kind: 'stacked', name: 'logits' });
      const s = (ids: number[], mask: number[], seg: number[]): BertSample => ({ inputIds: toInt64(ids), inputMask: toInt64(mask), segmentIds: toInt64(seg) });
      const got = await sut.issue([s([101, 7, 8, 102], [1, 1, 1, 0], [0, 0, 1, 1]), s([101, 9, 102, 0], [1, 1, 1, 0], [0, 1, 1, 0])]);
      assert.deepEqual(got, [
        { startLogits: Float32Array.of(101, 7, 9, 103), endLogits: Float32Array.of(1, 1, 1, 0) },
        { startLogits: Float32Array.of(101, 10, 103, 0), endLogits: Float32Array.of(1, 1, 1, 0) },
      ]);
    } finally {
      await sut.close();
    }
  });

  test('a missing model, a file that is not ONNX, a model that is not BERT', async () => {
    await assert.rejects(openOrtSut({ modelPath: join(dir, 'none.onnx') }), isCode('NOT_FOUND'));
    const junk = join(dir, 'junk.onnx');
    writeFileSync(junk, 'this is not a protobuf');
    await assert.rejects(openOrtSut({ modelPath: junk }), isCode('PARSE', 'junk.onnx'));
    const notBert = join(dir, 'not-bert.onnx');
    writeFileSync(notBert, await encodeOnnxModel({
      producerName: 'test',
      producerVersion: '0',
      graph: { name: 'id', nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['y'] }], inputs: [{ name: 'x', elemType: 'float32', shape: [1] }], outputs: [{ name: 'y', elemType: 'float32', shape: [1] }], initializers: [] },
    }));
    await assert.rejects(openOrtSut({ modelPath: notBert }), isCode('INVALID_VALUE', 'no input named input_ids'));
    await assert.rejects(openOrtSut({ modelPath: notBert, maxBatchSize: 0 }), isCode('INVALID_VALUE', 'maxBatchSize'));
  });
});

describe('ONNX Runtime worker thread: replies, errors, a worker that stops', () => {
  /** A stand-in worker (plain CommonJS, run with `eval`): it says it is ready, then `onRequest` decides. */
  const fake = (onRequest: string, beforeReady = ''): (() => Worker) => () =>
    new Worker(
      `const { parentPort } = require('node:worker_threads');
       ${beforeReady}
       parentPort.postMessage({ id: 0, ok: true, reply: { kind: 'ready' } });
       parentPort.on('message', ({ id, request }) => {
         if (request.kind === 'release') return parentPort.postMessage({ id, ok: true, reply: { kind: 'released' } });
         ${onRequest}
       });`,
      { eval: true },
    );
  const batch = () => ({ n: 1, seqLen: 2, inputIds: new BigInt64Array(2), inputMask: new BigInt64Array(2), segmentIds: new BigInt64Array(2) });

  test('a worker that exits rejects every waiting request, and every later one, with a coded error naming the model', async () => {
    // It exits on the second request, with the first still unanswered.
    const w = await OrtWorker.start('models/bert.onnx', fake(`if (id === 2) process.exit(3);`));
    const first = w.request({ kind: 'run', batch: batch() });
    const second = w.request({ kind: 'run', batch: batch() });
    const stopped = isCode('INVALID_VALUE', 'models/bert.onnx: the ONNX Runtime worker thread stopped (exit code 3)');
    await assert.rejects(first, stopped);
    await assert.rejects(second, stopped);
    await assert.rejects(w.request({ kind: 'run', batch: batch() }), stopped);
    await w.close();
  });

  test('an uncaught error in the worker is quoted; one before it is ready fails the start', async () => {
    const w = await OrtWorker.start('m.onnx', fake(`throw new Error('native binding lost');`));
    await assert.rejects(w.request({ kind: 'run', batch: batch() }), isCode('INVALID_VALUE', 'm.onnx: the ONNX Runtime worker thread stopped (native binding lost)'));
    await w.close();
    await assert.rejects(OrtWorker.start('m.onnx', fake('', `throw new Error('cannot load onnxruntime-node');`)), isCode('INVALID_VALUE', 'stopped (cannot load onnxruntime-node)'));
  });

  test('a request that cannot be sent fails on its own, and the worker goes on', async () => {
    const w = await OrtWorker.start('m.onnx', fake(`parentPort.postMessage({ id, ok: true, reply: { kind: 'ran', outputs: [] } });`));
    const b = batch();
    const buffer = b.inputIds.buffer;
    // The same buffer twice in a transfer list cannot be sent.
    await assert.rejects(w.request({ kind: 'run', batch: b }, [buffer, buffer]), isCode('INTERNAL'));
    assert.deepEqual((await w.request({ kind: 'run', batch: batch() })).outputs, []);
    await w.close();
  });

  test('coded errors from the worker arrive with their code and message; replies keep their order', async () => {
    const w = await OrtWorker.start(
      'm.onnx',
      fake(`if (id === 1) parentPort.postMessage({ id, ok: false, error: { code: 'PARSE', detail: 'bad graph', where: { file: 'm.onnx' } } });
            else parentPort.postMessage({ id, ok: true, reply: { kind: 'ran', outputs: [Float32Array.of(id)] } });`),
    );
    const [a, b, c] = [w.request({ kind: 'run', batch: batch() }), w.request({ kind: 'run', batch: batch() }), w.request({ kind: 'run', batch: batch() })];
    await assert.rejects(a, (e: unknown) => isCode('PARSE')(e) && (e as Error).message === 'm.onnx: bad graph [PARSE]');
    assert.deepEqual([(await b).outputs[0]![0], (await c).outputs[0]![0]], [2, 3]);
    await w.close();
    await assert.rejects(w.request({ kind: 'run', batch: batch() }), isCode('INVALID_VALUE', 'm.onnx: the ONNX Runtime session is closed'));
  });
});
