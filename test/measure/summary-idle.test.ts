/** The idle split of a recording, by hand: a negative above-idle energy is kept and warned about. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeRecording } from '../../src/measure/summary.js';
import type { Recording } from '../../src/measure/recorder.js';

/** A recording of one GPU channel at `idleW` during 'idle-before' (0–1 s), then `runW` during 'full' (1–3 s), a sample every 0.1 s. */
function recording(idleW: number, runW: number): Recording {
  const tS = Float64Array.from({ length: 31 }, (_, i) => i / 10);
  const powerW = tS.map((t) => (t <= 1 ? idleW : runW));
  return {
    info: { name: 'replay', provenance: { kind: 'replayed', file: 'x.csv', original: { kind: 'measured', sensor: 'nvidia-smi' } }, channels: [{ name: 'gpu', kind: 'gpu' }], primaryChannel: 'gpu', requestedIntervalS: 0.1, notes: [] },
    channels: [{ name: 'gpu', tS, powerW }],
    counters: [],
    windows: [
      { name: 'idle-before', t0S: 0, t1S: 1 },
      { name: 'full', t0S: 1, t1S: 3 },
    ],
    durationS: 3,
    originEpochMs: 0,
    dropped: 0,
  } as unknown as Recording;
}

test('an idle capture that drew more than the run: above-idle is negative, kept, and a warning says what it means', () => {
  const s = summarizeRecording(recording(100, 60));
  assert.ok(s.idle);
  assert.equal(s.idle.idlePowerW, 100);
  // The run: 100 W at t = 1 falling to 60 W at 1.1, then 60 W to 3 s: 0.1 × 80 + 1.9 × 60 = 122 J; idle part 100 W × 2 s.
  assert.ok(Math.abs(s.primaryEnergyJ - 122) < 1e-9, String(s.primaryEnergyJ));
  assert.ok(Math.abs(s.idle.dynamicJ - (122 - 200)) < 1e-9, String(s.idle.dynamicJ));
  const w = s.warnings.filter((x) => x.startsWith('above-idle energy is negative'));
  assert.deepEqual(w, [
    "above-idle energy is negative (-78.000 J): the idle window 'idle-before' drew 100.00 W on average, more than the run's 61.00 W, so it is no baseline of this device at rest (other load during the idle capture, a device still busy or cooling down, or a replayed trace whose idle and load do not line up); the above-idle figure is not the command's own energy: use the total, or capture the idle again",
  ]);
});

test('an idle capture below the run: no such warning', () => {
  const s = summarizeRecording(recording(60, 100));
  assert.ok(s.idle && s.idle.dynamicJ > 0);
  assert.deepEqual(s.warnings.filter((x) => x.startsWith('above-idle')), []);
});
