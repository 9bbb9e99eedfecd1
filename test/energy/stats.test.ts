import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { isInferprintError } from '../../src/errors.js';
import { compensatedSum, lnGamma, median, quantileSorted, studentTCdf, studentTQuantile, summarize } from '../../src/traces/stats.js';
import { meanProfile } from '../../src/traces/profile.js';
import { interpolateOnto, linspace } from '../../src/traces/interpolate.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';
import { readPowerCsv } from './read-csv.js';

function coded(code: string, text?: string) {
  return (e: unknown) => isInferprintError(e) && e.code === code && (text === undefined || e.message.includes(text));
}

function rel(actual: number, expected: number, tol: number, msg = '') {
  const err = Math.abs(actual / expected - 1);
  assert.ok(err <= tol, `${msg} ${actual} vs ${expected} (rel ${err})`);
}

void test('summarize: mean, sample sd, sem and Student-t 95 % CI (values from scipy 1.17)', () => {
  const s = summarize([1, 2, 3, 4, 5]);
  assert.equal(s.n, 5);
  assert.equal(s.mean, 3);
  rel(s.sd!, 1.5811388300841898, 1e-15);
  rel(s.sem!, 0.7071067811865476, 1e-15);
  rel(s.ci95!.halfWidth, 1.9632431614775572, 1e-14);
  rel(s.ci95!.lo, 1.0367568385224428, 1e-14);
  rel(s.ci95!.hi, 4.963243161477557, 1e-14);
  assert.equal(s.min, 1);
  assert.equal(s.max, 5);

  // Ten run energies (J): scipy.stats.t.interval(0.95, 9, loc=mean, scale=sem).
  const e = summarize([246.01, 244.7, 251.3, 249.9, 247.2, 245.5, 250.05, 248.8, 246.6, 247.75]);
  rel(e.mean, 247.781, 1e-15);
  rel(e.sd!, 2.1762733182106495, 1e-13);
  rel(e.ci95!.lo, 246.22418785253834, 1e-14);
  rel(e.ci95!.hi, 249.33781214746168, 1e-14);
});

void test('summarize: n = 1 has no sd or CI (null, not NaN); bad samples are refused', () => {
  assert.deepEqual(summarize([42]), { n: 1, mean: 42, sd: null, sem: null, ci95: null, min: 42, max: 42 });
  assert.throws(() => summarize([]), coded('INVALID_VALUE', 'no values'));
  assert.throws(() => summarize([1, Number.NaN]), coded('INVALID_VALUE', "field 'values[1]'"));
  assert.throws(() => summarize([1, Infinity]), coded('INVALID_VALUE'));
});

void test('summarize keeps its precision on values with a large common offset', () => {
  const s = summarize([1e9 + 1, 1e9 + 2, 1e9 + 3]);
  assert.equal(s.mean, 1e9 + 2);
  assert.equal(s.sd, 1);
  assert.equal(summarize([7, 7, 7]).sd, 0);
});

// Reference quantiles from scipy.stats.t.ppf (Boost), columns p = 0.975, 0.995, 1e-10.
const T_TABLE: readonly (readonly [df: number, q975: number, q995: number, q1e10: number])[] = [
  [1, 12.706204736174694, 63.656741162871526, -3183098861.8379064],
  [2, 4.302652729749462, 9.924843200918287, -70710.67810804816],
  [3, 3.1824463052837078, 5.840909309733355, -2225.769284683093],
  [4, 2.7764451051977934, 4.604094871349992, -416.1751403296041],
  [5, 2.5705818356363146, 4.032142983555228, -156.82559270889433],
  [9, 2.262157162798205, 3.249835541592126, -30.737330949971977],
  [10, 2.228138851986274, 3.16927267261695, -25.466008021697725],
  [29, 2.045229642132703, 2.756385903670605, -9.51796550493783],
  [30, 2.0422724563012378, 2.7499956535672254, -9.377489780407144],
  [100, 1.9839715185235518, 2.6258905214380173, -7.083375481400722],
  [1000, 1.9623390808264083, 2.580754698065951, -6.427876283134213],
  [1e5, 1.9599877075346095, 2.575878469908375, -6.362000419843692],
  [1e6, 1.959966356814107, 2.5758342201053344, -6.361406848876743],
  [0.5, 164.55767348048818, 4113.964588804174, -1.02849115631634e19],
  [2.5, 3.5746548420036817, 7.163728138948783, -8765.437771364572],
];

void test('studentTQuantile matches the brief\'s known values to 1e-6 and scipy to 1e-12 (1e-9 for df ≥ 10^5)', () => {
  // The brief's values, to their printed precision.
  assert.ok(Math.abs(studentTQuantile(0.975, 1) - 12.7062047) < 1e-6);
  assert.ok(Math.abs(studentTQuantile(0.975, 2) - 4.30265273) < 1e-7);
  assert.ok(Math.abs(studentTQuantile(0.975, 9) - 2.26215716) < 1e-7);
  assert.ok(Math.abs(studentTQuantile(0.975, 30) - 2.04227246) < 1e-7);
  assert.ok(Math.abs(studentTQuantile(0.975, 1000) - 1.96234) < 1e-5);
  for (const [df, q975, q995, q1e10] of T_TABLE) {
    // ln Γ at large df/2 loses ~ε·lnΓ(df/2) absolutely, hence the looser bound there.
    const tol = df >= 1e5 ? 1e-9 : 1e-12;
    rel(studentTQuantile(0.975, df), q975, tol, `df ${df} p 0.975`);
    rel(studentTQuantile(0.995, df), q995, tol, `df ${df} p 0.995`);
    rel(studentTQuantile(1e-10, df), q1e10, tol, `df ${df} p 1e-10`);
    rel(studentTQuantile(0.025, df), -q975, tol, `df ${df} symmetric`);
  }
  assert.equal(studentTQuantile(0.5, 7), 0);
});

void test('studentTCdf matches scipy and inverts studentTQuantile', () => {
  rel(studentTCdf(2, 7), 0.957190335718512, 1e-14);
  rel(studentTCdf(-30, 3), 4.067640213581979e-5, 1e-12);
  assert.equal(studentTCdf(0, 3), 0.5);
  for (const df of [1, 2, 3, 7.5, 40, 300]) {
    for (const p of [1e-8, 0.01, 0.2, 0.5, 0.8, 0.975, 0.999]) {
      const cdf = studentTCdf(studentTQuantile(p, df), df);
      assert.ok(Math.abs(cdf - p) <= 1e-13 + 1e-11 * Math.min(p, 1 - p), `df ${df} p ${p}: ${cdf}`);
    }
  }
  assert.throws(() => studentTQuantile(1, 3), coded('INVALID_VALUE', "field 'p'"));
  assert.throws(() => studentTQuantile(0.5, 0), coded('INVALID_VALUE', "field 'df'"));
  assert.throws(() => studentTQuantile(0.5, Infinity), coded('INVALID_VALUE', "field 'df'"));
});

void test('lnGamma, compensatedSum, quantileSorted and median', () => {
  rel(lnGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-14);
  rel(lnGamma(10), Math.log(362880), 1e-14);
  rel(lnGamma(0.1), 2.252712651734206, 1e-13);
  // 1 + 10^6 × 1e-16 is 1 + 1e-10; naive summation returns exactly 1.
  const values = new Float64Array(1_000_001).fill(1e-16);
  values[0] = 1;
  rel(compensatedSum(values), 1 + 1e-10, 1e-15);
  assert.equal(quantileSorted([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(quantileSorted([1, 2, 3, 4, 5], 0.95), 4.8);
  assert.equal(quantileSorted([7], 0.3), 7);
  assert.equal(median([5, 1, 3]), 3);
  assert.throws(() => quantileSorted([], 0.5), coded('INVALID_VALUE'));
});

// ---------------------------------------------------------------------------------------
// Mean power profiles

void test('meanProfile: intersection window, linspace grid, element-wise mean and sd', () => {
  const a = { tS: [0, 1, 2, 3], powerW: [10, 10, 30, 30] };
  const b = { tS: [0.5, 2.5, 4], powerW: [20, 20, 50] };
  const m = meanProfile([a, b], { points: 5 });
  assert.equal(m.t0, 0.5);
  assert.equal(m.t1, 3);
  assert.deepEqual([...m.gridS], [...linspace(0.5, 3, 5)]);
  const ia = interpolateOnto(m.gridS, a.tS, a.powerW);
  const ib = interpolateOnto(m.gridS, b.tS, b.powerW);
  for (let k = 0; k < 5; k++) {
    assert.equal(m.meanW[k], (ia[k]! + ib[k]!) / 2);
    rel(m.sdW[k]! + 1, Math.abs(ia[k]! - ib[k]!) / Math.SQRT2 + 1, 1e-15);
    assert.equal(m.coverage[k], 2);
  }
  assert.equal(m.runs, 2);
  assert.equal(m.window, 'intersection');
  assert.equal(meanProfile([a]).gridS.length, 1000);
  assert.ok(Number.isNaN(meanProfile([a]).sdW[0]!), 'one run: sd undefined (NaN)');
  // Without the sd pass (the study's energy): the same grid, mean and coverage, sd all NaN.
  const lean = meanProfile([a, b], { points: 5, sd: false });
  assert.deepEqual([...lean.meanW], [...m.meanW]);
  assert.deepEqual([...lean.coverage], [...m.coverage]);
  assert.equal(lean.t0, m.t0);
  assert.equal(lean.t1, m.t1);
  assert.ok([...lean.sdW].every(Number.isNaN));
});

void test('meanProfile union window averages only the runs covering each point', () => {
  const a = { tS: [0, 2], powerW: [10, 10] };
  const b = { tS: [1, 3], powerW: [30, 30] };
  const m = meanProfile([a, b], { points: 7, window: 'union' });
  assert.equal(m.t0, 0);
  assert.equal(m.t1, 3);
  assert.deepEqual([...m.coverage], [1, 1, 2, 2, 2, 1, 1]);
  assert.deepEqual([...m.meanW], [10, 10, 20, 20, 20, 30, 30]);
  assert.ok(Number.isNaN(m.sdW[0]!));
  assert.throws(() => meanProfile([{ tS: [0, 1], powerW: [1, 1] }, { tS: [2, 3], powerW: [1, 1] }]), coded('INVALID_VALUE', 'no common time span'));
  assert.throws(() => meanProfile([]), coded('INVALID_VALUE', 'no runs'));
  assert.throws(() => meanProfile([a], { points: 1 }), coded('INVALID_VALUE', "field 'points'"));
  assert.throws(() => meanProfile([a, { tS: [0, 0], powerW: [1, 1] }]), coded('NON_MONOTONIC', "field 'runs[1].tS[1]'"));
});

/** Reproduce one stored MEAN/FULL file from its 10 FULL runs; returns the worst errors. */
function reproduceMean(dir: string, tag: string, qc: number, scale: number): { dtS: number; dpW: number } {
  const runs = Array.from({ length: 10 }, (_, i) =>
    readPowerCsv(resolve(THESIS_DIR, `Data/${dir}/FULL/consommation_energie_single_${tag}_QC_${qc}_${i + 1}.csv`), scale),
  );
  const stored = readPowerCsv(resolve(THESIS_DIR, `Data/${dir}/MEAN/FULL/mean_power_QC_${qc}.csv`));
  const m = meanProfile(runs);
  assert.equal(stored.tS.length, 1000);
  assert.equal(m.gridS.length, 1000);
  let dtS = 0;
  let dpW = 0;
  for (let k = 0; k < 1000; k++) {
    dtS = Math.max(dtS, Math.abs(m.gridS[k]! - stored.tS[k]!));
    dpW = Math.max(dpW, Math.abs(m.meanW[k]! - stored.powerW[k]!));
  }
  return { dtS, dpW };
}

void test('meanProfile reproduces the study\'s MEAN/FULL files (T4 and A100 in W, Orin in mW → W)', { skip: skipWithoutThesis }, () => {
  for (const [dir, tag, scale] of [
    ['data_T4_v1.1', 'T4', 1],
    ['data_A100_v4.1', 'A100', 1],
    ['data_orin_v4.1', 'orin', 1e-3],
  ] as const) {
    for (const qc of [16, 32, 64, 128, 256]) {
      const { dtS, dpW } = reproduceMean(dir, tag, qc, scale);
      assert.ok(dtS <= 1e-12, `${dir} QC ${qc}: time off by ${dtS} s`);
      assert.ok(dpW <= 1e-9, `${dir} QC ${qc}: power off by ${dpW} W`);
    }
  }
});
