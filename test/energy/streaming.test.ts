import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { isInferprintError } from '../../src/errors.js';
import { detectGaps, trapezoidJ } from '../../src/traces/energy.js';
import { StreamingEnergy } from '../../src/traces/streaming.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';
import { readPowerCsv } from './read-csv.js';

function coded(code: string, text?: string) {
  return (e: unknown) => isInferprintError(e) && e.code === code && (text === undefined || e.message.includes(text));
}

function feed(s: StreamingEnergy, tS: ArrayLike<number>, powerW: ArrayLike<number>): StreamingEnergy {
  for (let i = 0; i < tS.length; i++) s.push(tS[i]!, powerW[i]!);
  return s;
}

/** Deterministic jittery trace: ~50 ms sampling, power wandering around 150 W. */
function jittery(n: number, seed = 1): { tS: Float64Array; powerW: Float64Array } {
  let x = seed;
  const rnd = () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
  const tS = new Float64Array(n);
  const powerW = new Float64Array(n);
  let t = 1000;
  for (let i = 0; i < n; i++) {
    t += 0.04 + 0.02 * rnd();
    tS[i] = t;
    powerW[i] = 100 + 100 * rnd();
  }
  return { tS, powerW };
}

void test('empty and one-sample streams', () => {
  const s = new StreamingEnergy();
  assert.equal(s.count, 0);
  assert.equal(s.energyJ, 0);
  assert.equal(s.durationS, 0);
  assert.equal(s.meanPowerW, null);
  assert.equal(s.peakPowerW, null);
  assert.equal(s.medianIntervalS, null);
  assert.deepEqual(s.gaps, []);
  s.push(3, 42);
  assert.equal(s.count, 1);
  assert.equal(s.energyJ, 0);
  assert.equal(s.meanPowerW, 42);
  assert.equal(s.peakPowerW, 42);
});

void test('hand-computed stream: energy, duration, mean, peak and min power', () => {
  const s = feed(new StreamingEnergy(), [0, 1, 3, 4], [10, 20, 20, 0]);
  assert.equal(s.energyJ, 65);
  assert.equal(s.durationS, 4);
  assert.equal(s.meanPowerW, 65 / 4);
  assert.equal(s.peakPowerW, 20);
  assert.equal(s.minPowerW, 0);
  assert.equal(s.snapshot().count, 4);
});

void test('StreamingEnergy gives exactly trapezoidJ (same sums in the same order)', () => {
  for (const n of [2, 3, 100, 10_000]) {
    const { tS, powerW } = jittery(n, n);
    const s = feed(new StreamingEnergy(), tS, powerW);
    assert.equal(s.energyJ, trapezoidJ(tS, powerW), `n ${n}`);
    assert.equal(s.durationS, tS[n - 1]! - tS[0]!);
  }
});

void test('gaps equal detectGaps for streams within the first median block, judged provisionally while it fills', () => {
  const { tS, powerW } = jittery(200);
  // Open three holes: 1 s, 0.5 s and 0.2 s (≈ 20 ×, 10 ×, 4 × the ~50 ms median).
  for (let i = 0; i < tS.length; i++) tS[i]! += (i > 50 ? 1 : 0) + (i > 120 ? 0.5 : 0) + (i > 150 ? 0.2 : 0);
  const expected = detectGaps(tS);
  assert.equal(expected.length, 2);
  for (const cut of [60, 130, 200]) {
    const s = feed(new StreamingEnergy({ medianBlock: 256 }), tS.subarray(0, cut), powerW.subarray(0, cut));
    assert.deepEqual(s.gaps, detectGaps(tS.subarray(0, cut)), `first ${cut} samples`);
  }
  // A block of exactly n − 1 intervals completes on the last sample: same answer, now committed.
  const exact = feed(new StreamingEnergy({ medianBlock: 199 }), tS, powerW);
  assert.deepEqual(exact.gaps, expected);
  assert.equal(exact.gapCount, 2);
  assert.ok(Math.abs(exact.gapTotalS - (expected[0]!.durationS + expected[1]!.durationS)) < 1e-12);
  const floor = feed(new StreamingEnergy({ minGapS: 0.8 }), tS, powerW);
  assert.deepEqual(floor.gaps, detectGaps(tS, { minGapS: 0.8 }));
});

void test('after the first block, each interval is judged against the last block median', () => {
  const n = 5000;
  const tS = new Float64Array(n);
  const powerW = new Float64Array(n).fill(50);
  // 10 ms sampling for the first 2000 samples, then 100 ms; a 0.3 s hole at 1000 (30 × the
  // local median) and a 1 s hole at 4000 (10 ×).
  let t = 0;
  for (let i = 0; i < n; i++) {
    t += i === 1000 ? 0.3 : i === 4000 ? 1 : i < 2000 ? 0.01 : 0.1;
    tS[i] = t;
  }
  const s = feed(new StreamingEnergy({ medianBlock: 100 }), tS, powerW);
  // The switch to 100 ms (10 × the old median) is flagged until the next block refreshes the
  // median; then only the two holes. Against the whole-trace median (0.1 s) the first hole
  // is only 3 × and is missed.
  const gapIdx = s.gaps.map((g) => g.index);
  assert.ok(gapIdx.includes(999), 'hole at 1000 found');
  assert.ok(gapIdx.includes(3999), 'hole at 4000 found');
  assert.ok(gapIdx.every((i) => i === 999 || i === 3999 || (i >= 1999 && i < 2100)), `unexpected gaps ${gapIdx.join(',')}`);
  assert.ok(Math.abs(s.medianIntervalS! - 0.1) < 1e-9);
  assert.equal(detectGaps(tS).map((g) => g.index).join(','), '3999');
  assert.equal(s.energyJ, trapezoidJ(tS, powerW));
});

void test('gap records are bounded; counts and totals are not', () => {
  const n = 1000;
  const tS = new Float64Array(n);
  for (let i = 0; i < n; i++) tS[i] = i * 0.1 + Math.floor(i / 50) * 2; // a 2.1 s interval after every 50th sample
  const s = feed(new StreamingEnergy({ medianBlock: 64, maxGapsKept: 5 }), tS, new Float64Array(n).fill(1));
  assert.equal(s.gaps.length, 5);
  assert.equal(s.gapCount, 19);
  assert.ok(Math.abs(s.gapTotalS - 19 * 2.1) < 1e-9);
  assert.deepEqual(s.gaps.map((g) => g.index), [49, 99, 149, 199, 249]);
});

void test('push refuses non-increasing time and non-finite values; bad options are refused', () => {
  const s = new StreamingEnergy({ where: { file: 'live' } });
  s.push(1, 10);
  assert.throws(() => {
    s.push(1, 99);
  }, coded('NON_MONOTONIC', "live field 'tS[1]'"));
  assert.equal(s.peakPowerW, 10, 'a refused sample does not move the peak');
  assert.throws(() => {
    s.push(2, Number.NaN);
  }, coded('INVALID_VALUE', "field 'powerW[1]'"));
  assert.throws(() => {
    s.push(Infinity, 1);
  }, coded('INVALID_VALUE', "field 'tS[1]'"));
  assert.equal(s.count, 1, 'refused samples leave the state unchanged');
  assert.throws(() => new StreamingEnergy({ medianBlock: 0 }), coded('INVALID_VALUE', "field 'medianBlock'"));
  assert.throws(() => new StreamingEnergy({ gapFactor: 0.5 }), coded('INVALID_VALUE', "field 'factor'"));
});

void test('10^6 samples streamed equal trapezoidJ (speed is measured in bench/, not here)', () => {
  const n = 1_000_000;
  const s = new StreamingEnergy();
  // Generated on the fly: the stream never exists as an array.
  for (let i = 0; i < n; i++) s.push(i * 0.01, 100 + (i % 7));
  // Closed form of the same trapezoid: Σ 0.005 (p_i + p_{i+1}).
  const tS = new Float64Array(n);
  const powerW = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    tS[i] = i * 0.01;
    powerW[i] = 100 + (i % 7);
  }
  const ref = trapezoidJ(tS, powerW);
  assert.ok(Math.abs(s.energyJ - ref) <= 1e-9 * ref, `${s.energyJ} vs ${ref}`);
  assert.equal(s.gapCount, 0);
});

void test('the study T4 runs through the stream: same energy and gaps as the array functions', { skip: skipWithoutThesis }, () => {
  for (let run = 1; run <= 10; run++) {
    const { tS, powerW } = readPowerCsv(resolve(THESIS_DIR, `Data/data_T4_v1.1/FULL/consommation_energie_single_T4_QC_256_${run}.csv`));
    const s = feed(new StreamingEnergy(), tS, powerW);
    assert.equal(s.energyJ, trapezoidJ(tS, powerW));
    assert.deepEqual(s.gaps, detectGaps(tS));
    const strict = feed(new StreamingEnergy({ gapFactor: 3 }), tS, powerW);
    assert.deepEqual(strict.gaps, detectGaps(tS, { factor: 3 }));
  }
});
