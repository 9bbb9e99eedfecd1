import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { dominates, paretoFront, type ParetoPoint } from '../../src/report/pareto.js';

/** The definition, in O(n²): a point is on the front when no point dominates it. */
function bruteFront(points: readonly ParetoPoint[]): number[] {
  return points.flatMap((p, i) => (Number.isFinite(p.x) && Number.isFinite(p.y) && !points.some((q) => Number.isFinite(q.x) && Number.isFinite(q.y) && dominates(q, p)) ? [i] : []));
}

// Small integers make ties (equal x, equal y, equal points) common; doubles cover the rest.
const coord = fc.oneof(fc.integer({ min: 0, max: 6 }), fc.double({ min: 1e-6, max: 1e6, noNaN: true }));
const points = fc.array(fc.record({ x: coord, y: coord }), { maxLength: 60 });

test('the front is exactly the set of non-dominated points (property, with ties)', () => {
  fc.assert(
    fc.property(points, (ps) => {
      assert.deepEqual([...paretoFront(ps)].sort((a, b) => a - b), bruteFront(ps));
    }),
    { numRuns: 2000 },
  );
});

test('front points come by increasing x with non-increasing y, and nothing off the front is undominated', () => {
  fc.assert(
    fc.property(points, (ps) => {
      const front = paretoFront(ps);
      for (let k = 1; k < front.length; k++) {
        const a = ps[front[k - 1]!]!;
        const b = ps[front[k]!]!;
        assert.ok(a.x <= b.x && a.y >= b.y);
        assert.ok(a.x < b.x || (a.x === b.x && a.y === b.y), 'only equal points share an x');
      }
      const on = new Set(front);
      ps.forEach((p, i) => {
        if (!on.has(i)) assert.ok(front.some((j) => dominates(ps[j]!, p)), `point ${i} is dominated by a front point`);
      });
    }),
    { numRuns: 1000 },
  );
});

test('hand cases: a staircase, duplicates, a single point, none, non-finite values', () => {
  assert.deepEqual(paretoFront([{ x: 1, y: 5 }, { x: 2, y: 3 }, { x: 3, y: 4 }, { x: 4, y: 1 }]), [0, 1, 3]);
  assert.deepEqual(paretoFront([{ x: 2, y: 2 }, { x: 2, y: 2 }, { x: 2, y: 3 }]), [0, 1]);
  assert.deepEqual(paretoFront([{ x: 1, y: 1 }]), [0]);
  assert.deepEqual(paretoFront([]), []);
  assert.deepEqual(paretoFront([{ x: Number.NaN, y: 0 }, { x: 1, y: Infinity }, { x: 3, y: 3 }]), [2]);
  assert.equal(dominates({ x: 1, y: 1 }, { x: 1, y: 1 }), false);
});
