import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeGpuSum, droppedCyclesWarning, GpuCycleSum, SUM_CHANNEL } from '../../src/sensors/gpu-sum.js';
import { SUM_CHANNEL as IMPORT_SUM_CHANNEL } from '../../src/traces/channels.js';

// The GPU sensors' sum channel (nvml, nvidia-smi on a multi-GPU host): what it declares, and how
// nvidia-smi's lines are grouped into cycles. Pure, driven line by line with chosen times.

test('the sensors sum GPUs under the name import --channel sum gives its sum', () => {
  assert.equal(SUM_CHANNEL, IMPORT_SUM_CHANNEL);
  assert.equal(SUM_CHANNEL, 'sum');
});

test('describeGpuSum: a gpu channel naming the model when all GPUs share it, a note naming the GPUs it adds up', () => {
  const same = describeGpuSum([
    { channel: 'gpu0', name: 'NVIDIA H100 80GB HBM3' },
    { channel: 'gpu1', name: 'NVIDIA H100 80GB HBM3' },
    { channel: 'gpu2', name: 'NVIDIA H100 80GB HBM3' },
  ]);
  assert.deepEqual(same.channel, { name: 'sum', kind: 'gpu', device: 'NVIDIA H100 80GB HBM3' });
  assert.deepEqual(same.notes, ['sum = gpu0 + gpu1 + gpu2 (all 3 GPUs): the primary channel']);
  assert.deepEqual(same.sums, ['gpu0', 'gpu1', 'gpu2']);

  const mixed = describeGpuSum([
    { channel: 'gpu0', name: 'NVIDIA H200' },
    { channel: 'gpu1', name: 'NVIDIA L40S' },
  ]);
  assert.deepEqual(mixed.channel, { name: 'sum', kind: 'gpu' });
  assert.equal(mixed.notes[1], 'the GPUs are of different models (NVIDIA H200, NVIDIA L40S): sum names no hardware (pass --hardware NAME for the embodied part)');
});

/** Feed `lines` ([channel, t, W]) and collect the sums. */
function feed(order: string[], lines: [string, number, number][]): { sums: { tS: number; powerW: number }[]; dropped: number } {
  const c = new GpuCycleSum(order);
  const sums = lines.flatMap(([ch, t, w]) => {
    const s = c.add(ch, t, w);
    return s ? [s] : [];
  });
  return { sums, dropped: c.droppedCycles };
}

test('complete cycles: one sum per cycle, at its last line', () => {
  const r = feed(['gpu0', 'gpu1', 'gpu2'], [
    ['gpu0', 1.0, 100], ['gpu1', 1.001, 150], ['gpu2', 1.002, 50],
    ['gpu0', 1.1, 110], ['gpu1', 1.101, 160], ['gpu2', 1.102, 60],
  ]);
  assert.deepEqual(r, { sums: [{ tS: 1.002, powerW: 300 }, { tS: 1.102, powerW: 330 }], dropped: 0 });
});

for (const [what, lines] of [
  ['the last GPU', [['gpu0', 1.0, 100], ['gpu1', 1.001, 150], ['gpu0', 1.1, 100], ['gpu0', 1.2, 100], ['gpu1', 1.201, 150]]],
  ['the first GPU', [['gpu0', 1.0, 100], ['gpu1', 1.001, 150], ['gpu1', 1.101, 150], ['gpu0', 1.2, 100], ['gpu1', 1.201, 150]]],
] as [string, [string, number, number][]][]) {
  test(`a cycle missing ${what}'s line: no sum for it, never one across two cycles, and it is counted`, () => {
    const r = feed(['gpu0', 'gpu1'], lines);
    assert.deepEqual(r, { sums: [{ tS: 1.001, powerW: 250 }, { tS: 1.201, powerW: 250 }], dropped: 1 });
  });
}

test('a cycle cut by the end of the run is not counted as dropped; an unknown channel is ignored', () => {
  const r = feed(['gpu0', 'gpu1'], [['gpu0', 1.0, 100], ['gpu7', 1.0005, 1], ['gpu1', 1.001, 150], ['gpu0', 1.1, 100]]);
  assert.deepEqual(r, { sums: [{ tS: 1.001, powerW: 250 }], dropped: 0 });
});

test('the warning for dropped cycles', () => {
  assert.equal(droppedCyclesWarning(0, 8), undefined);
  assert.equal(droppedCyclesWarning(1, 8), "1 nvidia-smi cycle missed a GPU's line: no sum sample for it (a sum of fewer than 8 GPUs would undercount); the sum trace is bridged linearly over it");
});
