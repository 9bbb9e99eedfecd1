import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, utimesSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { InferprintError } from '../../src/errors.js';
import { attr, decodeOnnxModel, encodeOnnxModel, onnxModelBytes, OnnxDataType, type OnnxModel } from '../../src/benchmark/bert/onnx-writer.js';
import {
  BERT_PRESETS,
  bertParameterCount,
  bertWeights,
  normaliseSeed,
  syntheticBertBytes,
  syntheticBertModel,
  truncatedNormalFiller,
  Xoshiro128,
  type BertConfig,
} from '../../src/benchmark/bert/synthetic.js';
import { ensureSyntheticModel, parseModelSpec, resolveModel, resolveModelCacheDir, sha256File, syntheticModelKey } from '../../src/benchmark/bert/io/model-cache.js';

const SEQ = 384;

/** Φ(x) via erf, with Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7, far below the KS bound used). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.327_591_1 * z);
  const poly = t * (0.254_829_592 + t * (-0.284_496_736 + t * (1.421_413_741 + t * (-1.453_152_027 + t * 1.061_405_429))));
  const erf = 1 - poly * Math.exp(-z * z);
  return x >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `inferprint-${prefix}-`));
}

/** The parameter count of BERT with a QA head, written out as a closed formula (independent of `bertWeights`). */
function closedFormParameters(c: BertConfig): number {
  const { hidden: h, intermediate: i, layers: l } = c;
  const embeddings = (c.vocabSize + c.maxPositions + c.typeVocabSize) * h + 2 * h;
  const attention = 4 * (h * h + h) + 2 * h;
  const feedForward = h * i + i + i * h + h + 2 * h;
  const qaHead = 2 * h + 2;
  return embeddings + l * (attention + feedForward) + qaHead;
}

describe('synthetic BERT: presets and parameter counts', () => {
  test('preset shapes', () => {
    assert.deepEqual(
      Object.fromEntries(Object.entries(BERT_PRESETS).map(([k, c]) => [k, [c.layers, c.hidden, c.heads, c.intermediate, c.vocabSize, c.seqLen]])),
      {
        'bert-large': [24, 1024, 16, 4096, 30522, 384],
        'bert-base': [12, 768, 12, 3072, 30522, 384],
        'bert-tiny': [2, 128, 2, 512, 30522, 384],
      },
    );
  });

  test('parameter counts, computed without writing anything', () => {
    // BERT-Large is usually quoted as 335 M / 340 M: Hugging Face's BertModel(large) has
    // 335 141 888 parameters including a 1024×1024 pooler (1 049 600) that a SQuAD model does not
    // use. Without it and with the 2-way QA head (2 050): 334 094 338.
    assert.equal(bertParameterCount(BERT_PRESETS['bert-large']), 334_094_338);
    assert.equal(bertParameterCount(BERT_PRESETS['bert-large']) - 2050 + 1_049_600, 335_141_888);
    // bert-base-uncased BertModel: 109 482 240 with its 590 592-parameter pooler.
    assert.equal(bertParameterCount(BERT_PRESETS['bert-base']), 108_893_186);
    assert.equal(bertParameterCount(BERT_PRESETS['bert-base']) - 1538 + 590_592, 109_482_240);
    assert.equal(bertParameterCount(BERT_PRESETS['bert-tiny']), 4_369_666);
    for (const c of Object.values(BERT_PRESETS)) assert.equal(bertParameterCount(c), closedFormParameters(c));
  });

  test('file sizes: float32 weights plus less than 200 kB of graph, and under protobuf’s 2 GiB', () => {
    for (const [preset, c] of Object.entries(BERT_PRESETS)) {
      const bytes = syntheticBertBytes({ preset: preset as keyof typeof BERT_PRESETS });
      const weightBytes = 4 * bertParameterCount(c);
      assert.ok(bytes > weightBytes && bytes - weightBytes < 200_000, `${preset}: ${bytes} bytes for ${weightBytes} of weights`);
      assert.ok(bytes < 2 ** 31 - 1);
    }
    assert.equal(syntheticBertBytes({ preset: 'bert-large' }), 1_336_497_725);
  });

  test('weight names are unique; biases and layer-norm shifts start at 0, scales at 1', () => {
    const ws = bertWeights(BERT_PRESETS['bert-base']);
    assert.equal(new Set(ws.map((w) => w.name)).size, ws.length);
    for (const w of ws) {
      if (w.name.endsWith('.bias') || w.name.endsWith('.beta')) assert.equal(w.init, 'zeros', w.name);
      else if (w.name.endsWith('.gamma')) assert.equal(w.init, 'ones', w.name);
      else assert.equal(w.init, 'normal', w.name);
    }
  });
});

describe('synthetic BERT: random weights', () => {
  test('seeds: BigInt above 2^53 accepted, out-of-range rejected', () => {
    assert.equal(normaliseSeed(2n ** 63n + 5n), 2n ** 63n + 5n);
    assert.equal(normaliseSeed(7), 7n);
    assert.throws(() => normaliseSeed(-1), InferprintError);
    assert.throws(() => normaliseSeed(2n ** 64n), InferprintError);
    assert.throws(() => normaliseSeed(1.5), InferprintError);
  });

  test('streams: same seed and name give the same numbers; seed or name change them', () => {
    const draw = (seed: bigint, name: string): number[] => {
      const r = new Xoshiro128(seed, name);
      return Array.from({ length: 8 }, () => r.nextU32());
    };
    assert.deepEqual(draw(1n, 'a'), draw(1n, 'a'));
    assert.notDeepEqual(draw(1n, 'a'), draw(2n, 'a'));
    assert.notDeepEqual(draw(1n, 'a'), draw(1n, 'b'));
    for (const v of draw(3n, 'x')) assert.ok(Number.isInteger(v) && v >= 0 && v < 2 ** 32);
  });

  test('truncated normal: same values whatever the chunking; the distribution is normal(0, 0.02) cut at ±2σ', () => {
    const n = 1_000_000;
    const whole = new Float32Array(n);
    truncatedNormalFiller(42n, 'w', 0.02)(whole);
    const chunked = new Float32Array(n);
    const fill = truncatedNormalFiller(42n, 'w', 0.02);
    for (let at = 0, size = 1; at < n; at += size, size = (size * 3 + 1) % 9973) fill(chunked.subarray(at, Math.min(n, at + size)));
    assert.deepEqual(chunked, whole);

    let sum = 0;
    let sumSq = 0;
    for (const v of whole) {
      sum += v;
      sumSq += v * v;
    }
    const mean = sum / n;
    const sd = Math.sqrt(sumSq / n - mean * mean);
    // Truncating a standard normal at ±2 leaves variance 1 − 4φ(2)/(Φ(2) − Φ(−2)) = 0.7737, sd 0.8796.
    // Standard error of the mean: sd/√n = 1.8e-5, so 1e-4 is > 5 of them; the sd estimate's
    // relative standard error is about 1/√(2n) = 0.07 %, so 1 % is far outside chance.
    assert.ok(Math.abs(mean) < 1e-4, `mean ${mean}`);
    assert.ok(Math.abs(sd / (0.02 * 0.8796) - 1) < 0.01, `sd ${sd}`);

    // Kolmogorov–Smirnov against the truncated normal's CDF: at n = 10^6 the 0.1 % critical value
    // of D is 1.95/√n = 0.00195. A wrong ziggurat table or wedge test shows up as percent-level
    // errors in D; the fixed seed makes this a deterministic check, not a flaky one.
    const sorted = whole.slice().sort();
    assert.ok(sorted[0]! >= -0.04 && sorted[n - 1]! <= 0.04, `range ${sorted[0]}..${sorted[n - 1]}`);
    const phi2 = normalCdf(2);
    const cdf = (x: number): number => (normalCdf(x / 0.02) - (1 - phi2)) / (2 * phi2 - 1);
    let d = 0;
    for (let i = 0; i < n; i++) {
      const c = cdf(sorted[i]!);
      d = Math.max(d, Math.abs(c - i / n), Math.abs((i + 1) / n - c));
    }
    assert.ok(d < 0.00195, `KS distance ${d}`);
  });
});

describe('ONNX writer', () => {
  /** y = x · W + b, with W streamed, for checks through ONNX Runtime. */
  const linear = (w: Float32Array, b: Float32Array): OnnxModel => ({
    producerName: 'test',
    producerVersion: '0',
    metadata: { purpose: 'writer test' },
    graph: {
      name: 'linear',
      nodes: [
        { name: 'mm', opType: 'MatMul', inputs: ['x', 'W'], outputs: ['xw'] },
        { name: 'add', opType: 'Add', inputs: ['xw', 'b'], outputs: ['y0'] },
        { name: 'softmax', opType: 'Softmax', inputs: ['y0'], outputs: ['y'], attributes: { axis: attr.int(-1) } },
      ],
      inputs: [{ name: 'x', elemType: 'float32', shape: ['n', 3] }],
      outputs: [{ name: 'y', elemType: 'float32', shape: ['n', 2] }],
      initializers: [
        {
          name: 'W',
          dims: [3, 2],
          open: () => {
            let at = 0;
            return (out) => {
              out.set(w.subarray(at, at + out.length));
              at += out.length;
            };
          },
        },
        { name: 'b', dims: [2], values: b },
      ],
    },
  });

  test('encodes what it is given: fields decode back, size is known in advance, chunking does not change bytes', async () => {
    const model = linear(Float32Array.of(1, 2, 3, 4, 5, 6), Float32Array.of(0.5, -0.5));
    const bytes = await encodeOnnxModel(model);
    assert.equal(bytes.length, onnxModelBytes(model));
    assert.deepEqual(await encodeOnnxModel(model, { chunkElements: 1 }), bytes);
    const d = decodeOnnxModel(bytes);
    assert.equal(d.irVersion, 8);
    assert.deepEqual(d.opsets, [{ domain: '', version: 17 }]);
    assert.equal(d.producerName, 'test');
    assert.deepEqual(d.metadata, { purpose: 'writer test' });
    assert.deepEqual(d.graph.nodes.map((n) => [n.name, n.opType, n.inputs, n.outputs]), [
      ['mm', 'MatMul', ['x', 'W'], ['xw']],
      ['add', 'Add', ['xw', 'b'], ['y0']],
      ['softmax', 'Softmax', ['y0'], ['y']],
    ]);
    assert.deepEqual(d.graph.nodes[2]!.attributes, [{ name: 'axis', type: 2 }]);
    assert.deepEqual(d.graph.inputs, [{ name: 'x', elemType: OnnxDataType.float32, shape: ['n', 3] }]);
    assert.deepEqual(d.graph.initializers.map((t) => [t.name, t.dataType, t.dims, t.rawData.length]), [
      ['W', 1, [3, 2], 24],
      ['b', 1, [2], 8],
    ]);
    assert.deepEqual(new Float32Array(d.graph.initializers[0]!.rawData.slice().buffer), Float32Array.of(1, 2, 3, 4, 5, 6));
  });

  test('ONNX Runtime computes with the written weights', async () => {
    const bytes = await encodeOnnxModel(linear(Float32Array.of(1, 0, 0, 1, 1, 1), Float32Array.of(0, Math.log(2))));
    const session = await ort.InferenceSession.create(bytes);
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1, 1, 0, 0, 0, 0), [2, 3]) });
    // Row 1: xW = [1, 1] + b → softmax [1/3, 2/3]; row 2: [0, ln 2] → [1/3, 2/3] too.
    const y = out.y!.data as Float32Array;
    for (const [i, v] of [1 / 3, 2 / 3, 1 / 3, 2 / 3].entries()) assert.ok(Math.abs(y[i]! - v) < 1e-6, `y[${i}] = ${y[i]}`);
    await session.release();
  });

  test('rejects values that do not match their dimensions', async () => {
    const bad: OnnxModel = { ...linear(new Float32Array(6), new Float32Array(2)), graph: { ...linear(new Float32Array(6), new Float32Array(2)).graph, initializers: [{ name: 'b', dims: [3], values: new Float32Array(2) }] } };
    await assert.rejects(encodeOnnxModel(bad), (e: unknown) => e instanceof InferprintError && e.code === 'INVALID_VALUE' && e.message.includes("'b'"));
  });

  test('a synthetic BERT decodes as the intended graph', async () => {
    const bytes = await encodeOnnxModel(syntheticBertModel({ preset: 'bert-tiny', seed: 1 }));
    const d = decodeOnnxModel(bytes);
    assert.deepEqual(d.graph.inputs, ['input_ids', 'input_mask', 'segment_ids'].map((name) => ({ name, elemType: OnnxDataType.int64, shape: ['batch', 'seq'] })));
    assert.deepEqual(d.graph.outputs, ['output_start_logits', 'output_end_logits'].map((name) => ({ name, elemType: OnnxDataType.float32, shape: ['batch', 'seq'] })));
    const count = (op: string): number => d.graph.nodes.filter((n) => n.opType === op).length;
    // Per layer: 2 layer norms, 1 softmax, 1 erf, 6 MatMuls (Q, K, V, scores, context, output) + 2 (FFN); plus embeddings and head.
    assert.equal(count('LayerNormalization'), 2 * 2 + 1);
    assert.equal(count('Softmax'), 2);
    assert.equal(count('Erf'), 2);
    assert.equal(count('MatMul'), 2 * 8 + 1);
    assert.equal(count('Gather'), 2);
    const weights = bertWeights(BERT_PRESETS['bert-tiny']);
    const byName = new Map(d.graph.initializers.map((t) => [t.name, t]));
    for (const w of weights) assert.deepEqual(byName.get(w.name)?.dims, w.dims, w.name);
    assert.equal(d.metadata['inferprint.preset'], 'bert-tiny');
    assert.equal(d.metadata['inferprint.seed'], '1');
  });
});

// ---- through ONNX Runtime ----

interface Feature {
  ids: BigInt64Array;
  mask: BigInt64Array;
  segments: BigInt64Array;
}

/** A SQuAD-like feature: `valid` real tokens (question then context), then padding. */
function feature(seqLen: number, valid: number, salt: number): Feature {
  const ids = new BigInt64Array(seqLen);
  const mask = new BigInt64Array(seqLen);
  const segments = new BigInt64Array(seqLen);
  for (let i = 0; i < valid; i++) {
    ids[i] = BigInt(1000 + ((i * 7919 + salt * 104_729) % 29_000));
    mask[i] = 1n;
    segments[i] = i < valid / 4 ? 0n : 1n;
  }
  ids[0] = 101n;
  return { ids, mask, segments };
}

async function run(session: ort.InferenceSession, fs: readonly Feature[]): Promise<{ start: Float32Array; end: Float32Array; dims: readonly number[] }> {
  const seqLen = fs[0]!.ids.length;
  const pack = (pick: (f: Feature) => BigInt64Array): ort.Tensor => {
    const data = new BigInt64Array(fs.length * seqLen);
    fs.forEach((f, i) => {
      data.set(pick(f), i * seqLen);
    });
    return new ort.Tensor('int64', data, [fs.length, seqLen]);
  };
  const out = await session.run({ input_ids: pack((f) => f.ids), input_mask: pack((f) => f.mask), segment_ids: pack((f) => f.segments) });
  const start = out.output_start_logits!;
  const end = out.output_end_logits!;
  assert.deepEqual(end.dims, start.dims);
  return { start: start.data as Float32Array, end: end.data as Float32Array, dims: start.dims };
}

function maxAbsDiff(a: Float32Array, b: Float32Array, from = 0, to = a.length): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('synthetic bert-tiny in ONNX Runtime', () => {
  let cacheDir: string;
  let session: ort.InferenceSession;
  let modelPath: string;

  before(async () => {
    cacheDir = tempDir('models');
    const cached = await ensureSyntheticModel({ preset: 'bert-tiny' }, { cacheDir });
    assert.equal(cached.generated, true);
    modelPath = cached.path;
    session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'] });
  });
  after(async () => {
    await session.release();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  test('batch 1 and batch 3 at seq 384 give [batch, 384] logits; a shorter seq works too (dynamic)', async () => {
    const one = await run(session, [feature(SEQ, 300, 1)]);
    assert.deepEqual(one.dims, [1, SEQ]);
    const three = await run(session, [feature(SEQ, 300, 1), feature(SEQ, 384, 2), feature(SEQ, 50, 3)]);
    assert.deepEqual(three.dims, [3, SEQ]);
    for (const v of three.start) assert.ok(Number.isFinite(v));
    // The first row of the batch is the batch-1 result: rows do not interact. Only GEMM blocking
    // differs with the batch size, so allow float32 rounding (logits are of order 0.1–1).
    assert.ok(maxAbsDiff(one.start, three.start, 0, SEQ) < 1e-5);
    assert.ok(maxAbsDiff(one.end, three.end, 0, SEQ) < 1e-5);
    const short = await run(session, [feature(128, 128, 4), feature(128, 100, 5)]);
    assert.deepEqual(short.dims, [2, 128]);
  });

  test('deterministic: the same seed gives the same file and bit-identical logits; another seed does not', async () => {
    const otherDir = tempDir('models-b');
    try {
      const again = await ensureSyntheticModel({ preset: 'bert-tiny' }, { cacheDir: otherDir });
      assert.equal(again.generated, true);
      assert.equal(await sha256File(again.path), await sha256File(modelPath));
      const s2 = await ort.InferenceSession.create(again.path);
      const f = [feature(SEQ, 250, 7)];
      const a = await run(session, f);
      const b = await run(s2, f);
      assert.deepEqual(b.start, a.start);
      assert.deepEqual(b.end, a.end);
      await s2.release();

      const seeded = await ensureSyntheticModel({ preset: 'bert-tiny', seed: 2n ** 60n + 1n }, { cacheDir: otherDir });
      const s3 = await ort.InferenceSession.create(seeded.path);
      const c = await run(s3, f);
      assert.ok(maxAbsDiff(a.start, c.start) > 1e-3, 'a different seed must change the logits');
      await s3.release();
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  test('the attention mask matters: masking more tokens changes the logits of the tokens left unmasked', async () => {
    const full = feature(SEQ, SEQ, 9);
    const masked: Feature = { ...full, mask: full.mask.slice() };
    masked.mask.fill(0n, 200);
    const a = await run(session, [full]);
    const b = await run(session, [masked]);
    const d = maxAbsDiff(a.start, b.start, 0, 200);
    assert.ok(d > 1e-3, `unmasked logits moved by only ${d}`);
  });

  test('padding beyond the mask does not reach unmasked outputs', async () => {
    // With the additive mask, padded keys score about −10 000 before the softmax; exp(−10 000)
    // underflows to exactly 0 in float32 (the smallest subnormal is e^−103), so they get exactly
    // zero weight. In theory the unmasked logits are then identical whatever the padding holds;
    // 1e-6 (a few ulps of logits of order 0.1–1) leaves room only for reassociated sums.
    const base = feature(SEQ, 200, 11);
    const noisy: Feature = { ids: base.ids.slice(), mask: base.mask, segments: base.segments.slice() };
    for (let i = 200; i < SEQ; i++) {
      noisy.ids[i] = BigInt(2000 + i * 37);
      noisy.segments[i] = 1n;
    }
    const a = await run(session, [base]);
    const b = await run(session, [noisy]);
    const dStart = maxAbsDiff(a.start, b.start, 0, 200);
    const dEnd = maxAbsDiff(a.end, b.end, 0, 200);
    assert.ok(dStart <= 1e-6 && dEnd <= 1e-6, `unmasked logits moved by ${dStart}, ${dEnd}`);
    // Padded positions' own logits do change (their embeddings changed): the check above is not vacuous.
    assert.ok(maxAbsDiff(a.start, b.start, 200, SEQ) > 1e-3);

    // And padding equals truncation: the first 200 tokens alone give the same logits.
    const truncated = await run(session, [{ ids: base.ids.slice(0, 200), mask: base.mask.slice(0, 200), segments: base.segments.slice(0, 200) }]);
    assert.ok(maxAbsDiff(a.start, truncated.start, 0, 200) <= 1e-5);
  });
});

/**
 * BERT's forward pass written directly from its definition (Devlin et al. 2019; Google's
 * `modeling.py`), in float64, for one sample: the independent reference the ONNX graph is checked
 * against.
 */
function referenceBert(c: BertConfig, w: ReadonlyMap<string, Float32Array>, ids: readonly number[], mask: readonly number[], segments: readonly number[]): { start: number[]; end: number[] } {
  const get = (name: string): Float32Array => {
    const t = w.get(name);
    assert.ok(t, name);
    return t;
  };
  const S = ids.length;
  const H = c.hidden;
  const heads = c.heads;
  const hd = H / heads;
  const dense = (x: number[][], name: string, outDim: number): number[][] => {
    const W = get(`${name}.weight`);
    const b = get(`${name}.bias`);
    return x.map((row) => Array.from({ length: outDim }, (_, o) => row.reduce((acc, v, i) => acc + v * W[i * outDim + o]!, b[o]!)));
  };
  const layerNorm = (x: number[][], name: string): number[][] => {
    const g = get(`${name}.gamma`);
    const beta = get(`${name}.beta`);
    return x.map((row) => {
      const mean = row.reduce((a, v) => a + v, 0) / row.length;
      const variance = row.reduce((a, v) => a + (v - mean) ** 2, 0) / row.length;
      return row.map((v, i) => ((v - mean) / Math.sqrt(variance + c.layerNormEps)) * g[i]! + beta[i]!);
    });
  };
  const add = (a: number[][], b: number[][]): number[][] => a.map((row, i) => row.map((v, j) => v + b[i]![j]!));
  const word = get('embeddings.word');
  const pos = get('embeddings.position');
  const type = get('embeddings.token_type');
  let x = layerNorm(
    ids.map((id, i) => Array.from({ length: H }, (_, k) => word[id * H + k]! + pos[i * H + k]! + type[segments[i]! * H + k]!)),
    'embeddings.layer_norm',
  );
  for (let l = 0; l < c.layers; l++) {
    const p = `layer${l}`;
    const q = dense(x, `${p}.attention.query`, H);
    const k = dense(x, `${p}.attention.key`, H);
    const v = dense(x, `${p}.attention.value`, H);
    const context = Array.from({ length: S }, () => new Array<number>(H).fill(0));
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < S; i++) {
        const scores = Array.from({ length: S }, (_, j) => {
          let dot = 0;
          for (let d = 0; d < hd; d++) dot += q[i]![h * hd + d]! * k[j]![h * hd + d]!;
          return dot / Math.sqrt(hd) + (1 - mask[j]!) * -10000;
        });
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const sum = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j < S; j++) for (let d = 0; d < hd; d++) context[i]![h * hd + d]! += (e[j]! / sum) * v[j]![h * hd + d]!;
      }
    }
    const x1 = layerNorm(add(dense(context, `${p}.attention.output`, H), x), `${p}.attention.layer_norm`);
    const inter = dense(x1, `${p}.intermediate`, c.intermediate).map((row) => row.map((u) => 0.5 * u * (1 + erf(u / Math.SQRT2))));
    x = layerNorm(add(dense(inter, `${p}.output`, H), x1), `${p}.output.layer_norm`);
  }
  const logits = dense(x, 'qa_outputs', 2);
  return { start: logits.map((r) => r[0]!), end: logits.map((r) => r[1]!) };
}

/** erf by Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7). */
function erf(x: number): number {
  return 2 * normalCdf(x * Math.SQRT2) - 1;
}

describe('the ONNX graph computes BERT', () => {
  test('logits equal a direct implementation of BERT, with every tensor (biases, layer norms too) random', async () => {
    const c = BERT_PRESETS['bert-tiny'];
    const spec = syntheticBertModel({ preset: 'bert-tiny', seed: 3 });
    // BERT's initialisation leaves biases at 0 and layer norms at identity, which would hide a
    // bias or layer-norm tensor wired to the wrong place; and its small query and key weights
    // make attention nearly uniform, which would hide a wrong score scale. Randomise biases and
    // norms, and enlarge query and key weights (scores of order 3) for this check.
    const kinds = new Map(bertWeights(c).map((w) => [w.name, w.init]));
    const randomised: OnnxModel = {
      ...spec,
      graph: {
        ...spec.graph,
        initializers: spec.graph.initializers.map((init) => {
          const kind = kinds.get(init.name);
          if (/attention\.(query|key)\.weight$/.test(init.name)) return { name: init.name, dims: init.dims, open: () => truncatedNormalFiller(98n, init.name, 0.15) };
          if (kind === undefined || kind === 'normal') return init;
          return {
            name: init.name,
            dims: init.dims,
            open: () => {
              const fill = truncatedNormalFiller(99n, init.name, 0.2);
              return (out: Float32Array) => {
                fill(out);
                if (kind === 'ones') for (let i = 0; i < out.length; i++) out[i]! += 1;
              };
            },
          };
        }),
      },
    };
    const bytes = await encodeOnnxModel(randomised);
    const weights = new Map(decodeOnnxModel(bytes).graph.initializers.filter((t) => t.dataType === OnnxDataType.float32).map((t) => [t.name, new Float32Array(t.rawData.slice().buffer)]));
    assert.ok(weights.get('layer1.output.bias')!.some((v) => v !== 0));

    const S = 16;
    const rows = [
      { ids: Array.from({ length: S }, (_, i) => (i * 1931 + 101) % 30522), mask: Array.from({ length: S }, (_, i) => (i < 11 ? 1 : 0)), seg: Array.from({ length: S }, (_, i) => (i < 5 ? 0 : 1)) },
      { ids: Array.from({ length: S }, (_, i) => (i * 7919 + 7) % 30522), mask: new Array<number>(S).fill(1), seg: Array.from({ length: S }, (_, i) => (i < 8 ? 0 : 1)) },
    ];
    const session = await ort.InferenceSession.create(bytes);
    const tensor = (pick: (r: (typeof rows)[number]) => number[]): ort.Tensor => new ort.Tensor('int64', BigInt64Array.from(rows.flatMap(pick), (v) => BigInt(v)), [rows.length, S]);
    const out = await session.run({ input_ids: tensor((r) => r.ids), input_mask: tensor((r) => r.mask), segment_ids: tensor((r) => r.seg) });
    await session.release();
    const start = out.output_start_logits!.data as Float32Array;
    const end = out.output_end_logits!.data as Float32Array;
    let worst = 0;
    let scale = 0;
    rows.forEach((r, b) => {
      const ref = referenceBert(c, weights, r.ids, r.mask, r.seg);
      for (let i = 0; i < S; i++) {
        worst = Math.max(worst, Math.abs(start[b * S + i]! - ref.start[i]!), Math.abs(end[b * S + i]! - ref.end[i]!));
        scale = Math.max(scale, Math.abs(ref.start[i]!), Math.abs(ref.end[i]!));
      }
    });
    // float32 (ONNX Runtime) against float64 (reference): each dot product of up to 512 terms
    // rounds at about √512 · 6e-8 ≈ 1.4e-6 relative, and the logits are of order 0.5 (checked
    // below); differences of about 1e-7 are what is observed. 1e-5 leaves a wide margin for other
    // CPUs' kernels while catching wiring errors: a swapped bias moves logits by 1e-2, an attention
    // scale off by 1 % by 9e-5.
    assert.ok(worst < 1e-5, `max |ORT − reference| = ${worst}`);
  });
});

describe('model cache', () => {
  test('directory: flag, then INFERPRINT_CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache', () => {
    const home = '/home/u';
    assert.deepEqual(resolveModelCacheDir({ flag: 'c', env: { INFERPRINT_CACHE_DIR: '/e' }, cwd: '/w', home }), { path: '/w/c', source: 'flag' });
    assert.deepEqual(resolveModelCacheDir({ env: { INFERPRINT_CACHE_DIR: '/e', XDG_CACHE_HOME: '/x' }, home }), { path: '/e', source: 'env' });
    assert.deepEqual(resolveModelCacheDir({ env: { INFERPRINT_CACHE_DIR: ' ', XDG_CACHE_HOME: '/x' }, home }), { path: '/x/inferprint/models', source: 'xdg' });
    assert.deepEqual(resolveModelCacheDir({ env: { XDG_CACHE_HOME: 'relative' }, home }), { path: '/home/u/.cache/inferprint/models', source: 'default' });
    assert.throws(() => resolveModelCacheDir({ flag: '', env: {} }), (e: unknown) => e instanceof InferprintError && e.code === 'USAGE');
  });

  test('keys name what changes the bytes', () => {
    assert.equal(syntheticModelKey({ preset: 'bert-large' }), 'synthetic-bert-large-seed42-mlperf-g1');
    assert.equal(syntheticModelKey({ preset: 'bert-tiny', seed: 2n ** 63n, io: 'mlperf-int8' }), 'synthetic-bert-tiny-seed9223372036854775808-mlperf-int8-g1');
  });

  test('reuse, then regeneration of corrupt, truncated or unexplained entries', async () => {
    const cacheDir = tempDir('cache');
    try {
      const first = await ensureSyntheticModel({ preset: 'bert-tiny', seed: 5 }, { cacheDir });
      assert.equal(first.generated, true);
      assert.equal(first.manifest.bytes, statSync(first.path).size);
      assert.equal(first.manifest.parameters, 4_369_666);
      assert.ok(first.manifest.generationS > 0);
      // No temporaries left behind.
      assert.deepEqual(readdirSync(cacheDir), [first.key]);

      const old = new Date('2020-01-01T00:00:00Z');
      utimesSync(first.path, old, old);
      const second = await ensureSyntheticModel({ preset: 'bert-tiny', seed: 5 }, { cacheDir });
      assert.equal(second.generated, false);
      assert.equal(statSync(second.path).mtimeMs, old.getTime(), 'reused, not rewritten');
      assert.deepEqual(second.manifest, first.manifest);

      // Same size, different bytes: only the checksum can tell.
      const bytes = readFileSync(first.path);
      bytes.fill(0xff, 1000, 2000);
      writeFileSync(first.path, bytes);
      const reasons: string[] = [];
      const third = await ensureSyntheticModel({ preset: 'bert-tiny', seed: 5 }, { cacheDir, onInvalid: (_dir, why) => reasons.push(why) });
      assert.equal(third.generated, true);
      assert.match(reasons[0] ?? '', /SHA-256/);
      assert.equal(await sha256File(third.path), first.manifest.sha256);

      // Truncated: caught even without hashing.
      truncateSync(third.path, 1000);
      const fourth = await ensureSyntheticModel({ preset: 'bert-tiny', seed: 5 }, { cacheDir, verify: 'size', onInvalid: (_dir, why) => reasons.push(why) });
      assert.equal(fourth.generated, true);
      assert.match(reasons[1] ?? '', /1000 bytes/);

      // A directory without a manifest (not ours, or from a crash) is replaced.
      rmSync(join(cacheDir, first.key, 'manifest.json'));
      const fifth = await ensureSyntheticModel({ preset: 'bert-tiny', seed: 5 }, { cacheDir, onInvalid: (_dir, why) => reasons.push(why) });
      assert.equal(fifth.generated, true);
      assert.match(reasons[2] ?? '', /manifest/);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  test('stale temporaries of crashed generations are removed; young ones are left to their writer', async () => {
    const cacheDir = tempDir('cache-temps');
    try {
      const stale = join(cacheDir, '.synthetic-bert-tiny-seed1-mlperf-g1.tmp-123-abcd');
      const young = join(cacheDir, '.synthetic-bert-tiny-seed1-mlperf-g1.tmp-456-beef');
      mkdirSync(stale);
      mkdirSync(young);
      const old = new Date(Date.now() - 2 * 3600_000);
      utimesSync(stale, old, old);
      await ensureSyntheticModel({ preset: 'bert-tiny', seed: 1 }, { cacheDir, verify: 'size' });
      assert.equal(existsSync(stale), false);
      assert.equal(existsSync(young), true);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  test('--model values', async () => {
    assert.deepEqual(parseModelSpec('synthetic:bert-large'), { kind: 'synthetic', preset: 'bert-large' });
    assert.deepEqual(parseModelSpec('build/data/model.onnx'), { kind: 'file', path: 'build/data/model.onnx' });
    assert.throws(() => parseModelSpec('synthetic:bert-huge'), (e: unknown) => e instanceof InferprintError && e.code === 'USAGE' && e.message.includes('bert-tiny'));
    await assert.rejects(resolveModel({ kind: 'file', path: '/nonexistent/model.onnx' }, { cacheDir: '/nonexistent' }), (e: unknown) => e instanceof InferprintError && e.code === 'NOT_FOUND');
  });
});
