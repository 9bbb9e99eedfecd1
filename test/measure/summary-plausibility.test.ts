/**
 * The measure summary says when its numbers cannot describe a working device (issue 8
 * item 6): warnings only, since the run happened and is saved whatever the samples say.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Recording } from '../../src/measure/recorder.js';
import { summarizeRecording } from '../../src/measure/summary.js';

function recording(tS: number[], powerW: number[], device?: string, full: [number, number] = [0, 2]): Recording {
  return {
    info: {
      name: 'nvml',
      provenance: { kind: 'measured', sensor: 'nvml' },
      channels: [{ name: 'gpu0', kind: 'gpu', ...(device !== undefined ? { device } : {}) }],
      primaryChannel: 'gpu0',
      requestedIntervalS: 0.5,
      notes: [],
    },
    originEpochMs: 1.7e12,
    durationS: 2,
    channels: [{ name: 'gpu0', tS: Float64Array.from(tS), powerW: Float64Array.from(powerW) }],
    counters: [],
    windows: [{ name: 'full', t0S: full[0], t1S: full[1] }],
    droppedOutOfOrder: 0,
  };
}

void test('a plausible recording adds no warning', () => {
  const s = summarizeRecording(recording([0, 0.5, 1, 1.5, 2], [60, 200, 220, 210, 70], 'NVIDIA A100-PCIE-40GB'));
  assert.deepEqual(s.warnings, []);
});

void test('one sample in the window: energy is 0 J, and the summary says so', () => {
  const s = summarizeRecording(recording([0.05], [80], 'NVIDIA A100-PCIE-40GB', [0, 0.01]));
  assert.equal(s.primaryEnergyJ, 0);
  assert.ok(
    s.warnings.some((w) => w.startsWith("energy is 0 J: channel gpu0 in window 'full' (0 samples: shorter than the sampling interval, or the sensor stalled")),
    s.warnings.join('\n'),
  );
});

void test('a mW reading taken as W on an A100 PCIe (TDP 250 W): a warning naming the likely cause', () => {
  const s = summarizeRecording(recording([0, 1, 2], [45_000, 50_000, 47_000], 'NVIDIA A100-PCIE-40GB'));
  assert.ok(s.warnings.includes("peak 50000 W on A100-PCIE-40GB (TDP 250 W) in channel gpu0 in window 'full': power written in mW read as W?"), s.warnings.join('\n'));
});

void test('physically impossible samples are warned about, naming the sample and the value', () => {
  const s = summarizeRecording(recording([0, 1, 2], [50, 2e6, 50]));
  assert.ok(s.warnings.some((w) => w.startsWith('channel gpu0, powerW[1]: power 2000000 W is above 1000000 W')), s.warnings.join('\n'));
});
