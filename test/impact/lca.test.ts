import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  computeImpact,
  dieAreaV1,
  perFunctionalUnit,
  perQuery,
  requireHardware,
  resolveImpactParams,
  type ImpactParams,
  type Param,
} from '../../src/impact/index.js';
import { isInferprintError } from '../../src/errors.js';

const relClose = (actual: number, expected: number, rel: number, what: string): void => {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${what}: ${actual} vs ${expected} (relative ${rel})`);
};

void describe("golden: the study's arithmetic (thesis-2025 preset)", () => {
  void it('A100 v4.1 QC16: 9.099837015579482 mg (min 8.862767766252215, max 9.411509962376524)', () => {
    const { params } = resolveImpactParams({ preset: 'thesis-2025', hardware: requireHardware('A100') });
    assert.equal(params.pue.value, 1.5);
    assert.equal(params.gridGPerKwh.value, 79.1);
    const r = computeImpact({ energyJ: 254.9107184264408, durationS: 4.975135901, params });
    relClose(r.gwpG.mean * 1000, 9.099837015579482, 1e-9, 'mean');
    relClose(r.gwpG.min * 1000, 8.862767766252215, 1e-9, 'min');
    relClose(r.gwpG.max * 1000, 9.411509962376524, 1e-9, 'max');
    // The study's value is the mean of per-candidate GWPs.
    relClose(r.perCandidateG.reduce((a, b) => a + b, 0) / r.perCandidateG.length, r.gwpG.mean, 1e-12, 'mean of candidates');
    assert.equal(r.perCandidateG.length, 3);
  });
  void it('AGX Orin v4.1 QC16: 1.3112952776955276 mg (min 1.162656296848242, max 1.459934258542813)', () => {
    const { params } = resolveImpactParams({ preset: 'thesis-2025', hardware: requireHardware('orin') });
    assert.equal(params.pue.value, 1.0);
    const r = computeImpact({ energyJ: 19.547540279432567, durationS: 6.337, params });
    relClose(r.gwpG.mean * 1000, 1.3112952776955276, 1e-9, 'mean');
    relClose(r.gwpG.min * 1000, 1.162656296848242, 1e-9, 'min');
    relClose(r.gwpG.max * 1000, 1.459934258542813, 1e-9, 'max');
  });
  void it('splits GWP into operational and embodied parts that add up', () => {
    const { params } = resolveImpactParams({ preset: 'thesis-2025', hardware: requireHardware('A100') });
    const r = computeImpact({ energyJ: 3.6e6, durationS: 61320 * 3600, params });
    relClose(r.operationalG.mean, 79.1 * 1.5, 1e-12, '1 kWh × 79.1 × 1.5');
    relClose(r.embodiedG.mean, params.embodied.meanKg * 1000, 1e-12, 'the whole lifetime carries all of F');
    relClose(r.gwpG.max, r.operationalG.max + r.embodiedG.max, 1e-15, 'max adds up');
    assert.equal(r.model, 'berthelot-2022-v1');
  });
});

// ------------------------------------------------------------------------------------------
// Properties

const p = (value: number, min = value, max = value): Param => ({ value, min, max, unit: '-', source: 'test' });
const EMBODIED = dieAreaV1(requireHardware('A100'));
const params = (grid: Param, pue: Param, life: Param): ImpactParams => ({ gridGPerKwh: grid, pue, lifetimeS: life, embodied: EMBODIED });

const ordered3 = (lo: number, hi: number) =>
  fc.tuple(fc.double({ min: lo, max: hi, noNaN: true }), fc.double({ min: lo, max: hi, noNaN: true }), fc.double({ min: lo, max: hi, noNaN: true })).map((xs) => {
    const [lo, mid, hi] = [...xs].sort((a, b) => a - b) as [number, number, number];
    return p(mid, lo, hi);
  });
const energy = fc.double({ min: 0, max: 1e7, noNaN: true });
const duration = fc.double({ min: 0, max: 1e5, noNaN: true });
const grids = ordered3(0, 1200);
const pues = ordered3(1, 3);
const lives = ordered3(3600, 3e8);

void describe('computeImpact properties', () => {
  void it('the operational part is linear in energy', () => {
    fc.assert(
      fc.property(energy, fc.double({ min: 0, max: 100, noNaN: true }), duration, grids, pues, lives, (e, k, t, g, u, l) => {
        const a = computeImpact({ energyJ: e, durationS: t, params: params(g, u, l) });
        const b = computeImpact({ energyJ: e * k, durationS: t, params: params(g, u, l) });
        for (const key of ['mean', 'min', 'max'] as const) {
          assert.ok(Math.abs(b.operationalG[key] - k * a.operationalG[key]) <= 1e-9 * Math.max(1, b.operationalG[key]));
        }
        assert.deepEqual(a.embodiedG, b.embodiedG);
      }),
    );
  });
  void it('is monotonic: more energy, EGM, PUE or duration never lowers it; a longer life never raises it', () => {
    fc.assert(
      fc.property(energy, duration, grids, pues, lives, fc.double({ min: 0, max: 10, noNaN: true }), (e, t, g, u, l, d) => {
        const base = computeImpact({ energyJ: e, durationS: t, params: params(g, u, l) }).gwpG.mean;
        const bump = (x: Param): Param => p(x.value + d, x.min, x.max + d);
        assert.ok(computeImpact({ energyJ: e + d, durationS: t, params: params(g, u, l) }).gwpG.mean >= base);
        assert.ok(computeImpact({ energyJ: e, durationS: t + d, params: params(g, u, l) }).gwpG.mean >= base);
        assert.ok(computeImpact({ energyJ: e, durationS: t, params: params(bump(g), u, l) }).gwpG.mean >= base);
        assert.ok(computeImpact({ energyJ: e, durationS: t, params: params(g, bump(u), l) }).gwpG.mean >= base);
        assert.ok(computeImpact({ energyJ: e, durationS: t, params: params(g, u, bump(l)) }).gwpG.mean <= base);
      }),
    );
  });
  void it('mean and every per-candidate value lie within [min, max]', () => {
    fc.assert(
      fc.property(energy, duration, grids, pues, lives, (e, t, g, u, l) => {
        const r = computeImpact({ energyJ: e, durationS: t, params: params(g, u, l) });
        const slack = 1e-12 * Math.max(1, r.gwpG.max);
        for (const rng of [r.gwpG, r.operationalG, r.embodiedG]) assert.ok(rng.min - slack <= rng.mean && rng.mean <= rng.max + slack);
        for (const v of r.perCandidateG) assert.ok(r.gwpG.min - slack <= v && v <= r.gwpG.max + slack);
      }),
    );
  });
});

void describe('functional units', () => {
  const { params: ps } = resolveImpactParams({ preset: 'thesis-2025', hardware: requireHardware('A100') });
  const r = computeImpact({ energyJ: 254.9107184264408, durationS: 4.975135901, params: ps });
  void it('per query and per 1000 queries divide the run evenly', () => {
    assert.deepEqual(perFunctionalUnit(r, 'run').gwpG, r.gwpG);
    assert.equal(perQuery(r, 16).mean, r.gwpG.mean / 16);
    assert.equal(perFunctionalUnit(r, '1000 queries', 16).gwpG.max, (r.gwpG.max * 1000) / 16);
    assert.equal(perFunctionalUnit(r, 'query', 16).embodiedG.min, r.embodiedG.min / 16);
  });
  void it('needs a positive whole number of queries', () => {
    assert.throws(() => perQuery(r, 0), (e: unknown) => isInferprintError(e) && e.code === 'INVALID_VALUE');
    assert.throws(() => perQuery(r, 2.5), /whole number/);
  });
});

void describe('input validation', () => {
  const good = params(p(79.1), p(1.5), p(2.2e8));
  void it('rejects negative or non-finite energy and duration', () => {
    assert.throws(() => computeImpact({ energyJ: -1, durationS: 1, params: good }), /energyJ/);
    assert.throws(() => computeImpact({ energyJ: Number.NaN, durationS: 1, params: good }), /energyJ/);
    assert.throws(() => computeImpact({ energyJ: 1, durationS: Number.POSITIVE_INFINITY, params: good }), /durationS/);
  });
  void it('rejects a value outside its range and a zero lifetime', () => {
    assert.throws(() => computeImpact({ energyJ: 1, durationS: 1, params: params(p(80, 90, 100), p(1.5), p(2.2e8)) }), /field 'grid'.*outside its range/);
    assert.throws(() => computeImpact({ energyJ: 1, durationS: 1, params: params(p(79.1), p(1.5), p(0)) }), /field 'lifetime'/);
  });
});
