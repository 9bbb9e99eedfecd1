/**
 * Property tests for the energy math (fast-check). Each property states its tolerance; the
 * usual scale is `absEnergy` = Σ |P|·Δt of the trace, because rounding in a sum of n terms is
 * bounded by about n·ε times the sum of the terms' magnitudes, not by the (possibly
 * cancelling) result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { counterDeltasJ, counterEnergyJ, detectGaps, trapezoidJ, windowEnergyJ } from '../../src/traces/energy.js';
import { interpolateAt, interpolateOnto, linspace } from '../../src/traces/interpolate.js';
import { meanProfile } from '../../src/traces/profile.js';
import { StreamingEnergy } from '../../src/traces/streaming.js';
import { studentTCdf, studentTQuantile, summarize } from '../../src/traces/stats.js';

interface Trace {
  readonly tS: Float64Array;
  readonly powerW: Float64Array;
}

const interval = fc.double({ min: 1e-3, max: 10, noNaN: true, noDefaultInfinity: true });
// Subnormal values are mapped to 0: products of them underflow, which says nothing about the
// integration and would defeat any relative tolerance.
const flushTiny = (x: number): number => (Math.abs(x) < 1e-100 ? 0 : x);
const power = fc.double({ min: 0, max: 1000, noNaN: true, noDefaultInfinity: true }).map(flushTiny);
const start = fc.double({ min: 0, max: 1e6, noNaN: true, noDefaultInfinity: true });
const unit = fc.double({ min: 0, max: 1, noNaN: true, noDefaultInfinity: true });

/** A trace of 2–80 samples with intervals of 1 ms–10 s starting anywhere in [0, 10^6] s. */
const traceArb: fc.Arbitrary<Trace> = fc
  .tuple(start, fc.array(fc.tuple(interval, power), { minLength: 1, maxLength: 79 }), power)
  .map(([t0, steps, p0]) => {
    const n = steps.length + 1;
    const tS = new Float64Array(n);
    const powerW = new Float64Array(n);
    tS[0] = t0;
    powerW[0] = p0;
    steps.forEach(([dt, p], i) => {
      tS[i + 1] = tS[i]! + dt;
      powerW[i + 1] = p;
    });
    return { tS, powerW };
  });

function absEnergy({ tS, powerW }: Trace): number {
  let s = 0;
  for (let i = 1; i < tS.length; i++) s += 0.5 * (Math.abs(powerW[i - 1]!) + Math.abs(powerW[i]!)) * (tS[i]! - tS[i - 1]!);
  return s;
}

function within(actual: number, expected: number, tol: number): boolean {
  return Math.abs(actual - expected) <= tol;
}

const span = (t: Trace): [number, number] => [t.tS[0]!, t.tS[t.tS.length - 1]!];
const at = (t: Trace, u: number): number => {
  const [a, b] = span(t);
  return Math.min(b, a + u * (b - a));
};

void test('constant power P over T gives P·T (tolerance 1e-13 relative)', () => {
  fc.assert(
    fc.property(traceArb, power, unit, unit, (trace, p, u, v) => {
      const powerW = new Float64Array(trace.tS.length).fill(p);
      const [a, b] = span(trace);
      const whole = trapezoidJ(trace.tS, powerW);
      const t0 = at(trace, Math.min(u, v));
      const t1 = at(trace, Math.max(u, v));
      const win = windowEnergyJ(trace.tS, powerW, t0, t1);
      return within(whole, p * (b - a), 1e-13 * p * (b - a)) && within(win, p * (t1 - t0), 1e-13 * p * (b - a));
    }),
  );
});

void test('energy is additive over split windows: [a,b] + [b,c] = [a,c] (tolerance 1e-13 × Σ|P|Δt)', () => {
  fc.assert(
    fc.property(traceArb, fc.array(unit, { minLength: 3, maxLength: 3 }), (trace, us) => {
      const [a, b, c] = us.map((u) => at(trace, u)).sort((x, y) => x - y) as [number, number, number];
      const ab = windowEnergyJ(trace.tS, trace.powerW, a, b);
      const bc = windowEnergyJ(trace.tS, trace.powerW, b, c);
      const ac = windowEnergyJ(trace.tS, trace.powerW, a, c);
      return within(ab + bc, ac, 1e-13 * (absEnergy(trace) + 1e-300));
    }),
  );
});

void test('windowEnergyJ over the full span is exactly trapezoidJ (same sums, same order)', () => {
  fc.assert(
    fc.property(traceArb, (trace) => {
      const [a, b] = span(trace);
      return windowEnergyJ(trace.tS, trace.powerW, a, b) === trapezoidJ(trace.tS, trace.powerW);
    }),
  );
});

void test('trapezoid is exact for piecewise-linear power: resampling at a superset of the breakpoints keeps the integral (1e-13 × Σ|P|Δt)', () => {
  fc.assert(
    fc.property(traceArb, fc.array(unit, { maxLength: 200 }), (trace, extra) => {
      const [a, b] = span(trace);
      const points = [...trace.tS, ...extra.map((u) => a + u * (b - a))].filter((x) => x >= a && x <= b).sort((x, y) => x - y);
      const tS = Float64Array.from(points.filter((x, i) => i === 0 || x > points[i - 1]!));
      const powerW = tS.map((x) => interpolateAt(trace.tS, trace.powerW, x));
      return within(trapezoidJ(tS, powerW), trapezoidJ(trace.tS, trace.powerW), 1e-13 * (absEnergy(trace) + 1e-300));
    }),
  );
});

void test('scaling power by k scales energy by k (1e-14 × |k| × Σ|P|Δt)', () => {
  const k = fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }).map(flushTiny);
  fc.assert(
    fc.property(traceArb, k, (trace, factor) => {
      const scaled = trace.powerW.map((p) => p * factor);
      return within(trapezoidJ(trace.tS, scaled), factor * trapezoidJ(trace.tS, trace.powerW), 1e-14 * Math.abs(factor) * (absEnergy(trace) + 1e-300));
    }),
  );
});

void test('counter difference with wrap-around equals the true sum of increments (exact for integer counters)', () => {
  const arb = fc.integer({ min: 2, max: 2 ** 40 }).chain((wrapAt) =>
    fc.tuple(fc.constant(wrapAt), fc.integer({ min: 0, max: wrapAt - 1 }), fc.array(fc.integer({ min: 0, max: wrapAt - 1 }), { maxLength: 100 })),
  );
  fc.assert(
    fc.property(arb, fc.constantFrom(1e-3, 1e-6, 1), ([wrapAt, first, increments], unitToJ) => {
      const readings = [first];
      for (const inc of increments) readings.push((readings[readings.length - 1]! + inc) % wrapAt);
      const trueUnits = increments.reduce((s, x) => s + x, 0);
      const deltas = counterDeltasJ(readings, { unitToJ: 1, wrapAt });
      return (
        counterEnergyJ(readings, { unitToJ, wrapAt }) === trueUnits * unitToJ &&
        deltas.every((d, i) => d === increments[i])
      );
    }),
  );
});

void test('StreamingEnergy equals trapezoidJ (asserted exactly; the contract is 1e-9 relative) and detectGaps on short streams', () => {
  fc.assert(
    fc.property(traceArb, (trace) => {
      const s = new StreamingEnergy();
      for (let i = 0; i < trace.tS.length; i++) s.push(trace.tS[i]!, trace.powerW[i]!);
      assert.equal(s.energyJ, trapezoidJ(trace.tS, trace.powerW));
      assert.deepEqual(s.gaps, detectGaps(trace.tS));
    }),
  );
});

void test('meanProfile of identical runs is the run interpolated onto the grid (1e-15 relative; sd ≤ 1e-13 relative)', () => {
  fc.assert(
    fc.property(traceArb, fc.integer({ min: 1, max: 12 }), fc.integer({ min: 2, max: 300 }), (trace, copies, points) => {
      const m = meanProfile(Array.from({ length: copies }, () => trace), { points });
      const [a, b] = span(trace);
      assert.deepEqual(m.gridS, linspace(a, b, points));
      const expected = interpolateOnto(m.gridS, trace.tS, trace.powerW);
      for (let k = 0; k < points; k++) {
        const e = expected[k]!;
        assert.ok(within(m.meanW[k]!, e, 1e-15 * Math.abs(e) + 1e-300), `point ${k}: ${m.meanW[k]} vs ${e}`);
        if (copies >= 2) assert.ok(m.sdW[k]! <= 1e-13 * Math.abs(e) + 1e-300, `sd ${m.sdW[k]}`);
      }
    }),
  );
});

void test('studentTCdf inverts studentTQuantile (1e-12 absolute) and the CI contains the mean', () => {
  fc.assert(
    fc.property(fc.double({ min: 1e-6, max: 1 - 1e-6, noNaN: true }), fc.double({ min: 0.5, max: 500, noNaN: true }), (p, df) => {
      return within(studentTCdf(studentTQuantile(p, df), df), p, 1e-12);
    }),
  );
  fc.assert(
    fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 2, maxLength: 50 }), (values) => {
      const s = summarize(values);
      return s.ci95 !== null && s.ci95.lo <= s.mean && s.mean <= s.ci95.hi && s.min <= s.mean && s.mean <= s.max;
    }),
  );
});
