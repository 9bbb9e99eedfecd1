import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MIN_POINTS, downsampleMinMax, sliceByTime } from '../../src/serve/downsample.js';

/** Strictly increasing times from positive steps, and powers, of the same length. */
const seriesArb = fc
  .array(fc.tuple(fc.double({ min: 1e-3, max: 10, noNaN: true }), fc.double({ min: -50, max: 1000, noNaN: true })), { minLength: 1, maxLength: 3000 })
  .map((pairs) => {
    const tS = new Float64Array(pairs.length);
    const powerW = new Float64Array(pairs.length);
    let t = 0;
    pairs.forEach(([dt, w], i) => {
      t += dt;
      tS[i] = t;
      powerW[i] = w;
    });
    return { tS, powerW };
  });

test('downsampling keeps at most N original points in order, the ends and the extremes', () => {
  fc.assert(
    fc.property(seriesArb, fc.integer({ min: MIN_POINTS, max: 500 }), (s, n) => {
      const d = downsampleMinMax(s, n);
      assert.ok(d.tS.length <= Math.max(n, 0) || !d.downsampled);
      assert.equal(d.tS.length, d.powerW.length);
      if (s.tS.length <= n) {
        assert.equal(d.downsampled, false);
        assert.deepEqual(d.tS, Array.from(s.tS));
        return;
      }
      assert.ok(d.tS.length <= n, `${d.tS.length} > ${n}`);
      assert.equal(d.tS[0], s.tS[0]);
      assert.equal(d.tS[d.tS.length - 1], s.tS[s.tS.length - 1]);
      for (let i = 1; i < d.tS.length; i++) assert.ok(d.tS[i]! > d.tS[i - 1]!, 'increasing');
      // Every point is an original sample.
      const original = new Map<number, number>();
      s.tS.forEach((t, i) => original.set(t, s.powerW[i]!));
      d.tS.forEach((t, i) => {
        assert.equal(original.get(t), d.powerW[i]);
      });
      assert.equal(Math.max(...d.powerW), Math.max(...s.powerW));
      assert.equal(Math.min(...d.powerW), Math.min(...s.powerW));
    }),
    { numRuns: 300 },
  );
});

test('a constant series stays flat and a short one comes back whole', () => {
  const n = 10_000;
  const tS = Float64Array.from({ length: n }, (_, i) => i * 0.01);
  const d = downsampleMinMax({ tS, powerW: new Float64Array(n).fill(42) }, 100);
  assert.ok(d.tS.length <= 100 && d.tS.length > 50);
  assert.ok(d.powerW.every((w) => w === 42));
  const short = downsampleMinMax({ tS: [1, 2, 3], powerW: [4, 5, 6] }, 100);
  assert.deepEqual(short, { tS: [1, 2, 3], powerW: [4, 5, 6], downsampled: false });
});

test('sliceByTime bounds are inclusive at both ends', () => {
  const t = [0, 1, 2, 3, 4, 5];
  assert.deepEqual(sliceByTime(t, 1, 3), { from: 1, to: 4 });
  assert.deepEqual(sliceByTime(t, 1.5, 3.5), { from: 2, to: 4 });
  assert.deepEqual(sliceByTime(t, -10, 10), { from: 0, to: 6 });
  assert.deepEqual(sliceByTime(t, 7, 9), { from: 6, to: 6 });
});
