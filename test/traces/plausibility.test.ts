/**
 * Plausibility bounds (src/traces/plausibility.ts, ADR 0005): one regression test per
 * impossible input of issue 8 item 6, at the unit level; the CLI tests are in
 * test/cli/plausibility-cli.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { isInferprintError } from '../../src/errors.js';
import { requireHardware, HARDWARE } from '../../src/impact/hardware.js';
import { TraceBuilder } from '../../src/traces/builder.js';
import { detectGaps, energyReport } from '../../src/traces/energy.js';
import {
  checkEnergy,
  checkSample,
  checkTrace,
  MAX_CHANNEL_POWER_W,
  MAX_SAMPLE_INTERVAL_S,
  runWarnings,
  traceFacts,
  traceProblem,
} from '../../src/traces/plausibility.js';
import { integrateStream } from '../../src/traces/stream-energy.js';
import { StreamingEnergy } from '../../src/traces/streaming.js';
import type { PowerSample } from '../../src/traces/types.js';

function coded(code: string, ...texts: (string | RegExp)[]) {
  return (e: unknown) => {
    if (!isInferprintError(e) || e.code !== code) return false;
    for (const t of texts) if (typeof t === 'string' ? !e.message.includes(t) : !t.test(e.message)) throw new Error(`message lacks ${String(t)}: ${e.message}`);
    return true;
  };
}

const samples = (rows: readonly (readonly [number, number])[], channel = 'gpu0'): PowerSample[] => rows.map(([tS, powerW], i) => ({ channel, tS, powerW, line: i + 2 }));

void test('1e300 W is refused where it enters, naming file, line and the value', () => {
  const rows = [[0, 50], [1, 1e300], [2, 50]] as const;
  assert.throws(() => new TraceBuilder('p.csv').addAll(samples(rows)), coded('INVALID_VALUE', 'p.csv:3', "field 'power'", '1e+300 W', 'above 1000000 W'));
  assert.throws(() => integrateStream(samples(rows), undefined, 'p.csv'), coded('INVALID_VALUE', 'p.csv:3', '1e+300 W'));
  assert.throws(() => { checkTrace([0, 1], [50, 1e300], { file: 'mem' }); }, coded('INVALID_VALUE', "field 'powerW[1]'"));
  // The ceiling itself is a reading; one watt above it is not.
  checkSample(1, MAX_CHANNEL_POWER_W, 0, {});
  assert.throws(() => { checkSample(1, MAX_CHANNEL_POWER_W + 1, 0, {}); }, coded('INVALID_VALUE'));
  assert.throws(() => { checkSample(1, -0.5, 0, {}); }, coded('INVALID_VALUE', 'negative power -0.5 W'));
  assert.throws(() => { checkSample(1, Number.NaN, 0, {}); }, coded('INVALID_VALUE', 'not a finite number'));
});

void test('a 10-year jump between samples is refused (it would be 15.8 GJ at 50 W), naming the line and the interval', () => {
  const tenYearsS = 10 * 365.25 * 86_400;
  const rows = [[0, 50], [1, 50], [1 + tenYearsS, 50]] as const;
  // What the trapezoid would have made of it before: 15.8 GJ.
  assert.ok(Math.abs(50 * tenYearsS - 15.78e9) < 0.01e9);
  assert.throws(() => new TraceBuilder('jump.csv').addAll(samples(rows)), coded('INVALID_VALUE', 'jump.csv:4', "field 'timestamp'", '315576000 s (10.0 years)', 't = 1 s'));
  assert.throws(() => integrateStream(samples(rows), undefined, 'jump.csv'), coded('INVALID_VALUE', 'jump.csv:4', '10.0 years'));
  // A day is still a sampling interval; a day and a second is not.
  new TraceBuilder('day.csv').addAll(samples([[0, 50], [MAX_SAMPLE_INTERVAL_S, 50]]));
  assert.throws(() => new TraceBuilder('day.csv').addAll(samples([[0, 50], [MAX_SAMPLE_INTERVAL_S + 1, 50]])), coded('INVALID_VALUE', '(1.0 days)'));
});

void test('a one-sample trace has no energy: EMPTY_INPUT, never 0 J', () => {
  assert.throws(() => integrateStream(samples([[5, 120]]), undefined, 'one.csv'), coded('EMPTY_INPUT', 'one.csv:2', '1 power sample', 'not 0 J'));
  assert.throws(() => { checkTrace([5], [120], { file: 'one.csv' }); }, coded('EMPTY_INPUT', 'one.csv'));
  // Several channels: the chosen one is named.
  const two = [...samples([[0, 1], [1, 1]], 'VDD_IN'), ...samples([[0, 1]], 'VDD_GPU_SOC')];
  assert.throws(() => integrateStream(two, 'VDD_GPU_SOC', 'rails.log'), coded('EMPTY_INPUT', "on channel 'VDD_GPU_SOC'"));
  assert.equal(integrateStream(two, 'VDD_IN', 'rails.log').energyJ, 1);
});

void test('energies: negative, non-finite and 1e308 J are refused naming the field; 0 J passes the hard check', () => {
  const where = { file: 'm.json', field: 'energy.primary.energyJ' };
  assert.throws(() => { checkEnergy(-5, 10, where); }, coded('INVALID_VALUE', "m.json field 'energy.primary.energyJ'", 'negative energy -5 J'));
  assert.throws(() => { checkEnergy(1e308, 60, where); }, coded('INVALID_VALUE', 'energy 1e+308 J over 60 s', 'mean of 1.66667e+306 W'));
  assert.throws(() => { checkEnergy(Number.POSITIVE_INFINITY, 60, where); }, coded('INVALID_VALUE', 'not a finite number'));
  assert.throws(() => { checkEnergy(1, 0, where); }, coded('INVALID_VALUE', 'infinite power'));
  checkEnergy(0, 0, where);
  checkEnergy(MAX_CHANNEL_POWER_W * 60, 60, where);
});

void test('a mW file read as W on an A100 is a warning naming the likely cause', () => {
  const a100 = requireHardware('A100');
  // 50 W written in mW (50 000) and read as W.
  const tS = [0, 1, 2, 3];
  const powerW = [48_000, 50_000, 49_000, 47_000];
  const w = runWarnings([traceFacts('a100-mw.csv', tS, powerW)], a100);
  assert.deepEqual(w, [`peak 50000 W on A100 (TDP ${a100.tdpW} W) in a100-mw.csv: power written in mW read as W?`]);
  // Several such runs: one line, the worst named, the others counted.
  const many = runWarnings([traceFacts('r1', tS, powerW), traceFacts('r2', tS, powerW.map((p) => p * 2)), traceFacts('r3', tS, powerW)], a100);
  assert.equal(many.length, 1);
  assert.match(many[0]!, /^peak 100000 W on A100 .* in r2 \(and 2 more runs\): power written in mW read as W\?$/);
});

void test('device bounds: a sustained mean over 2 × TDP, and a peak under TDP / 1000 (W read as mW)', () => {
  const t4 = requireHardware('T4');
  const high = runWarnings([{ id: 'h.csv', energyJ: 3 * t4.tdpW * 10, durationS: 10, peakW: 3.5 * t4.tdpW }], t4);
  assert.equal(high.length, 1);
  assert.match(high[0]!, /^mean 210 W on Tesla-T4 \(TDP 70 W\) over h\.csv, 3 × its board power: the wrong device, several devices summed, or a unit read wrong\?$/);
  const orin = requireHardware('orin');
  const low = runWarnings([traceFacts('w-as-mw.log', [0, 1, 2], [0.012, 0.03, 0.011])], orin);
  assert.deepEqual(low, [`peak 0.03 W on AGX-Orin (TDP ${orin.tdpW} W) in w-as-mw.log: power written in W read as mW?`]);
  // Without a device only the zero-energy check applies.
  assert.deepEqual(runWarnings([traceFacts('x', [0, 1], [1e5, 1e5])], undefined), []);
});

void test('zero energy is always a warning, saying what the run held', () => {
  const zero = runWarnings([traceFacts('idle-rail.csv', [0, 1, 2], [0, 0, 0])], requireHardware('A100'));
  assert.equal(zero.length, 1, zero.join('\n'));
  assert.match(zero[0]!, /^energy is 0 J: idle-rail\.csv \(every sample over 2 s reads 0 W\) — not a measurement/);
  const one = runWarnings([{ id: 'channel gpu0', energyJ: 0, durationS: 0.01, samples: 1 }], undefined);
  assert.match(one[0]!, /^energy is 0 J: channel gpu0 \(1 sample: shorter than the sampling interval/);
});

void test('traceProblem: the first physics problem of a live recording as a sentence', () => {
  assert.equal(traceProblem([0, 1, 2], [5, 6, 7]), undefined);
  assert.match(traceProblem([0, 1, 2], [5, 2e6, 7]) ?? '', /^powerW\[1\]: power 2000000 W is above 1000000 W/);
  assert.match(traceProblem([0, 1, 1 + 2 * 86_400], [5, 6, 7]) ?? '', /^tS\[2\]: 172800 s \(2\.0 days\) since the previous sample/);
});

void test('3 samples with a 100 000 s hole: 1 gap (the median alone, 50 000 s, hid it)', () => {
  const tS = [0, 1, 100_001];
  const gaps = detectGaps(tS);
  assert.equal(gaps.length, 1);
  assert.deepEqual({ index: gaps[0]!.index, startS: gaps[0]!.startS, endS: gaps[0]!.endS }, { index: 1, startS: 1, endS: 100_001 });
  // Reported against the median as documented: 100 000 / 50 000.5.
  assert.ok(Math.abs(gaps[0]!.ratioToMedian - 100_000 / 50_000.5) < 1e-12);
  // The hole first, too; and the streaming integrator and energyReport agree.
  assert.equal(detectGaps([0, 100_000, 100_001]).length, 1);
  const s = new StreamingEnergy();
  for (const t of tS) s.push(t, 10);
  assert.deepEqual(s.gaps, gaps);
  assert.equal(s.gapCount, 1);
  assert.equal(energyReport(tS, [10, 10, 10]).gaps.length, 1);
  assert.equal(integrateStream(samples([[0, 10], [1, 10], [3601, 10]]), undefined, 'f').gaps, 1);
  // Two equal intervals, or a single one, are no gap: there is nothing to compare with.
  assert.equal(detectGaps([0, 1, 2]).length, 0);
  assert.equal(detectGaps([0, 100_000]).length, 0);
  // Jitter below 5 × the others' mean is not a gap either.
  assert.equal(detectGaps([0, 1, 5]).length, 0);
});

void test('property: streamed gaps still equal detectGaps on short traces with one hole', () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 0.01, max: 2, noNaN: true }), { minLength: 1, maxLength: 300 }),
      fc.nat(),
      fc.double({ min: 1, max: 1e5, noNaN: true }),
      (steps, at, hole) => {
        const dts = [...steps];
        dts[at % dts.length] = hole;
        const tS = [0];
        for (const d of dts) tS.push(tS[tS.length - 1]! + d);
        const s = new StreamingEnergy();
        for (const t of tS) s.push(t, 1);
        if (tS.length <= 257) assert.deepEqual(s.gaps, detectGaps(tS));
      },
    ),
    { numRuns: 200 },
  );
});

void test('property: plausible traces of every device in the database raise nothing', () => {
  const trace = fc.record({
    device: fc.constantFrom(...HARDWARE),
    n: fc.integer({ min: 2, max: 200 }),
    // Sampling from 1 ms to 60 s, with up to 2 × jitter.
    intervalS: fc.double({ min: 0.001, max: 60, noNaN: true }),
    // Idle 5–40 % of TDP, load up to 1.2 × TDP (boards run a little over TDP at times).
    idleFrac: fc.double({ min: 0.05, max: 0.4, noNaN: true }),
    loadFrac: fc.double({ min: 0.4, max: 1.2, noNaN: true }),
    seed: fc.integer(),
  });
  fc.assert(
    fc.property(trace, ({ device, n, intervalS, idleFrac, loadFrac, seed }) => {
      let x = seed >>> 0;
      const rnd = () => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32);
      const tS: number[] = [];
      const powerW: number[] = [];
      let t = 1_700_000_000 * rnd();
      for (let i = 0; i < n; i++) {
        t += intervalS * (0.5 + rnd());
        tS.push(t);
        powerW.push(device.tdpW * (idleFrac + (loadFrac - idleFrac) * rnd()));
      }
      const file = 'plausible.csv';
      new TraceBuilder(file).addAll(samples(tS.map((ti, i) => [ti, powerW[i]!] as const)));
      checkTrace(tS, powerW, { file });
      const streamed = integrateStream(samples(tS.map((ti, i) => [ti, powerW[i]!] as const)), undefined, file);
      checkEnergy(streamed.energyJ, streamed.durationS, { file });
      assert.equal(traceProblem(tS, powerW), undefined);
      assert.deepEqual(runWarnings([traceFacts(file, tS, powerW), { id: 's', ...streamed }], device), []);
    }),
    { numRuns: 300 },
  );
});
