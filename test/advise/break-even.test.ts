// Break-even curves and their crossings against hand calculations: a continuous crossing where
// the totals are equal, a step crossing where a pool adds a device, the whole-number crossing on
// the users-per-device axis, and every curve through the advisor's own total at the file's value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adviseResolved } from '../../src/advise/advise.js';
import { bisectCrossing, breakEven, EQUAL_REL, pointAt } from '../../src/advise/break-even.js';
import { resolveDeployment } from '../../src/advise/resolve.js';
import { parseWorkload, type Workload } from '../../src/advise/workload.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b));

function workload(deployments: Record<string, unknown>[], over: Record<string, unknown> = {}): Workload {
  return parseWorkload({ users: 1000, queries_per_user_per_day: 10, slo: { percentile: 90, latency_ms: 5000 }, days: 1, deployments, ...over }, 'w.yaml');
}

const common = { grid: 100, pue: 1, lifetime: '1y' };
// A slice of a pool: its devices are a fraction ∝ the load, so its total is α·q with no constant.
const slice = { name: 'slice', hardware: 'A100', placement: 'shared', power: { idle_w: 300, busy_w: 500, host_w: 0 }, service_ms: 500, embodied: { kg: 1000, host_kg: 0 }, ...common };
// Ten boards of 100 users each: a constant (idle, embodied) plus the work, β + γ·q.
const boards = { name: 'boards', hardware: 'AGX-Orin', placement: 'dedicated', users_per_device: 100, power: { idle_w: 5, busy_w: 20, host_w: 0 }, service_ms: 10, embodied: { kg: 30, host_kg: 0 }, ...common };

const resolveAll = (w: Workload) => w.deployments.map((d) => resolveDeployment(w, d, []));

test('a continuous crossing: bisection finds the q where α·q = β + γ·q, totals equal within 1e-6 relative', () => {
  const w = workload([slice, boards]);
  const r = resolveAll(w);
  const be = breakEven(w, r);
  const total = (k: number, q: number) => pointAt(w, r[k]!, 'queries_per_user_per_day', q).totalKg;
  // By hand from the model's linearity in q: α = slice(1), γ = boards(2) − boards(1), β = boards(1) − γ.
  const alpha = total(0, 1);
  const gamma = total(1, 2) - total(1, 1);
  const beta = total(1, 1) - gamma;
  assert.ok(alpha > gamma && beta > 0, `α ${alpha} γ ${gamma} β ${beta}`);
  const expected = beta / (alpha - gamma);
  const [c] = be.queries.crossings;
  assert.equal(be.queries.crossings.length, 1, JSON.stringify(be.queries.crossings));
  assert.ok(c);
  assert.equal(c.kind, 'equal');
  assert.ok(rel(c.totalKgA, c.totalKgB) <= EQUAL_REL, `${c.totalKgA} vs ${c.totalKgB}`);
  assert.ok(rel(c.x, expected) <= 1e-6, `${c.x} vs ${expected}`);
  // Below the crossing the slice is lower (it scales with the load), above it the boards.
  assert.deepEqual([c.lowerBelow, c.lowerAbove], ['slice', 'boards']);
  assert.ok(total(0, c.x * 0.99) < total(1, c.x * 0.99) && total(0, c.x * 1.01) > total(1, c.x * 1.01));
});

test('a step crossing: a pool that adds its second device jumps over a dedicated board, at q = 0.7 × 86 400 / users', () => {
  // Pool: service 1 s, max_utilisation 0.7 → 0.7 queries/s per device; 100 W always, 2.4 kg a day per device.
  const pool = { name: 'pool', hardware: 'A100', placement: 'pooled', power: { idle_w: 100, busy_w: 100, host_w: 0 }, service_ms: 1000, embodied: { kg: 0, host_kg: 0 }, grid: 1000, pue: 1, lifetime: '1y' };
  // One board for all 1000 users: 150 W always, 3.6 kg a day whatever the load.
  const board = { name: 'board', hardware: 'AGX-Orin', placement: 'dedicated', users_per_device: 1000, power: { idle_w: 150, busy_w: 150, host_w: 0 }, service_ms: 1, embodied: { kg: 0, host_kg: 0 }, grid: 1000, pue: 1, lifetime: '1y' };
  const w = workload([pool, board], { queries_per_user_per_day: 50, slo: { percentile: 50, latency_ms: 1e6 } });
  const be = breakEven(w, resolveAll(w));
  assert.equal(be.queries.crossings.length, 1, JSON.stringify(be.queries.crossings));
  const c = be.queries.crossings[0]!;
  assert.equal(c.kind, 'step');
  // λ = 1000 q / 86 400 > 0.7 needs a second device: q* = 60.48.
  assert.ok(rel(c.x, 60.48) <= 1e-9, String(c.x));
  assert.deepEqual([c.lowerBelow, c.lowerAbove], ['pool', 'board']);
  // Never equal: 2.4 kg below, 4.8 kg above, the board at 3.6 kg.
  assert.ok(Math.abs(Math.min(c.totalKgA, c.totalKgB) - 3.6) < 1e-9 || Math.abs(Math.max(c.totalKgA, c.totalKgB) - 3.6) < 1e-9, `${c.totalKgA} ${c.totalKgB}`);
  const pools = be.queries.curves.find((x) => x.name === 'pool')!;
  assert.ok(pools.points.every((p) => rel(p.totalKg, 2.4 * p.devices) < 1e-12));
});

test('users per device: the first whole number of users sharing a board at which the boards are no worse than a pool', () => {
  // Users 10 000, 10 queries a day; pool as above (one device of 2.4 kg a day holds them: λ = 1.157 > 0.7 → 2 devices, 4.8 kg).
  const pool = { name: 'pool', hardware: 'A100', placement: 'pooled', power: { idle_w: 100, busy_w: 100, host_w: 0 }, service_ms: 1000, embodied: { kg: 0, host_kg: 0 }, grid: 1000, pue: 1, lifetime: '1y' };
  // A board: 10 W always = 0.24 kg a day; k users per board → ceil(10 000 / k) boards.
  const board = { name: 'boards', hardware: 'AGX-Orin', placement: 'dedicated', users_per_device: 1, power: { idle_w: 10, busy_w: 10, host_w: 0 }, service_ms: 1, embodied: { kg: 0, host_kg: 0 }, grid: 1000, pue: 1, lifetime: '1y' };
  const w = workload([pool, board], { users: 10_000, slo: { percentile: 50, latency_ms: 1e6 } });
  const be = breakEven(w, resolveAll(w));
  const axis = be.usersPerDevice;
  assert.ok(axis, 'a users-per-device axis when a deployment is dedicated');
  assert.equal(axis.integer, true);
  assert.deepEqual(axis.domain, [1, 10_000]);
  // ceil(10 000 / k) × 0.24 ≤ 4.8 ⇔ ceil(10 000 / k) ≤ 20 ⇔ k ≥ 500: equal from 500 to 526 users a board
  // (20 boards), lower from 527 (19 boards). The break-even point is the first of them, where the totals are equal.
  assert.equal(axis.crossings.length, 1, JSON.stringify(axis.crossings));
  const c = axis.crossings[0]!;
  assert.equal(c.x, 500);
  assert.equal(c.kind, 'equal');
  assert.deepEqual([c.lowerBelow, c.lowerAbove], ['pool', 'boards']);
  const boardsAt = (k: number) => pointAt(w, resolveAll(w)[1]!, 'users_per_device', k).totalKg;
  assert.ok(boardsAt(499) > 4.8 + 1e-9 && boardsAt(527) < 4.8 - 1e-9);
  const poolCurve = axis.curves.find((x) => x.name === 'pool')!;
  assert.equal(poolCurve.varies, false);
  assert.ok(poolCurve.points.every((p) => p.totalKg === poolCurve.points[0]!.totalKg), 'a pool does not depend on users per device');
  assert.equal(axis.curves.find((x) => x.name === 'boards')!.current, 1);
  // No users-per-device axis without a dedicated deployment.
  const pools = workload([pool]);
  assert.equal(breakEven(pools, resolveAll(pools)).usersPerDevice, undefined);
});

test("each curve passes through the advisor's own total at the file's value", () => {
  const w = workload([slice, boards]);
  const r = resolveAll(w);
  const result = adviseResolved(w, r, [], { draws: 0 });
  const be = breakEven(w, r);
  for (const [k, d] of result.deployments.entries()) {
    const at = be.queries.curves[k]!.points.find((p) => p.x === w.queriesPerUserPerDay);
    assert.ok(at, 'the grid holds the file value');
    assert.equal(at.totalKg, d.total_kg.value);
  }
  const atK = be.usersPerDevice!.curves[1]!.points.find((p) => p.x === 100)!;
  assert.equal(atK.totalKg, result.deployments[1]!.total_kg.value);
  // Two decades either side of q = 10.
  assert.ok(rel(be.queries.domain[0], 0.1) < 1e-12 && rel(be.queries.domain[1], 1000) < 1e-12);
});

test('bisection: continuous to the last double, integer to neighbouring whole numbers', () => {
  const x = bisectCrossing((t) => t * t - 2, 1, 2, false);
  assert.ok(Math.abs(x - Math.SQRT2) <= 4e-16, String(x));
  assert.equal(bisectCrossing((k) => k - 41.5, 1, 100, true), 42);
});
