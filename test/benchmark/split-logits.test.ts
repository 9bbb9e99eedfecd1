import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitLogits, type BertIoBinding } from '../../src/benchmark/sut/ort-bert-io.js';
import { splitLogits as fromOrtProtocol } from '../../src/benchmark/sut/ort-protocol.js';

const base = { inputIds: 'ids', inputMask: 'mask', segmentIds: 'seg', inputType: 'int64', fixedBatch: undefined, fixedSeqLen: undefined } as const;
const pair: BertIoBinding = { ...base, output: { kind: 'pair', start: 's', end: 'e' } };
const stacked: BertIoBinding = { ...base, output: { kind: 'stacked', name: 'both' } };
const values = (l: { startLogits: Float32Array; endLogits: Float32Array }): [number[], number[]] => [[...l.startLogits], [...l.endLogits]];

test('splitLogits: one module for the ONNX Runtime worker and the KServe client', () => {
  assert.equal(fromOrtProtocol, splitLogits);
});

test('splitLogits: two [rows, seq] outputs, one slice per sample', () => {
  const start = Float32Array.from([1, 2, 3, 4, 5, 6]);
  const end = Float32Array.from([-1, -2, -3, -4, -5, -6]);
  const out = splitLogits(pair, [start, end], 2, 3);
  assert.deepEqual(out.map(values), [
    [[1, 2, 3], [-1, -2, -3]],
    [[4, 5, 6], [-4, -5, -6]],
  ]);
});

test('splitLogits: one sample of a padded batch (a model with a fixed batch) keeps its own row only', () => {
  // A KServe model fixing batch 2 answers 2 rows for 1 sample; the padding row is dropped.
  const start = Float32Array.from([1, 2, 3, 9, 9, 9]);
  const end = Float32Array.from([-1, -2, -3, 9, 9, 9]);
  const [only, ...rest] = splitLogits(pair, [start, end], 1, 3);
  assert.equal(rest.length, 0);
  assert.ok(only);
  assert.deepEqual(values(only), [[1, 2, 3], [-1, -2, -3]]);
});

test('splitLogits: one sample, no padding: the arrays are used as they are (no copy)', () => {
  const start = Float32Array.from([1, 2, 3]);
  const end = Float32Array.from([4, 5, 6]);
  const [only] = splitLogits(pair, [start, end], 1, 3);
  assert.ok(only);
  assert.equal(only.startLogits, start);
  assert.equal(only.endLogits, end);
});

test('splitLogits: one [rows, seq, 2] output, start and end interleaved', () => {
  const both = Float32Array.from([1, -1, 2, -2, 3, -3, 4, -4]);
  assert.deepEqual(splitLogits(stacked, [both], 2, 2).map(values), [
    [[1, 2], [-1, -2]],
    [[3, 4], [-3, -4]],
  ]);
});

test('splitLogits: a missing output is an internal error, not a silent empty answer', () => {
  assert.throws(() => splitLogits(pair, [new Float32Array(3)], 1, 3), /two outputs expected/);
  assert.throws(() => splitLogits(stacked, [], 1, 3), /one output expected/);
});
