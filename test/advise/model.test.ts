// The advisor's formulas against hand calculations, and properties of the fleet model.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fleetPoint, onHours, splitTotal, type FleetInputs } from '../../src/advise/fleet.js';
import { mm1QuantileS, pooledCapacity, quantileFactor } from '../../src/advise/queue.js';

const close = (a: number, b: number, rel = 1e-12, msg?: string): void => {
  assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), msg ?? `${a} ≉ ${b}`);
};
const FLAT = Array.from({ length: 24 }, () => 1 / 24);
const YEAR_S = 8760 * 3600;

function base(over: Partial<FleetInputs> = {}): FleetInputs {
  return {
    placement: 'pooled',
    users: 1000,
    queriesPerUserPerDay: 36,
    hourlyWeights: FLAT,
    percentile: 50,
    latencyMs: 1000,
    days: 10,
    maxUtilisation: 0.7,
    usersPerDevice: 1,
    autoscale: false,
    onHoursPerDay: 24,
    serviceS: 0.1,
    idleW: 50,
    busyW: 150,
    hostW: 20,
    gridGPerKwh: 100,
    pue: 1.2,
    lifetimeS: YEAR_S,
    deviceKg: 100,
    hostKg: 50,
    ...over,
  };
}

test('queue: ln(1/(1−p)) and the M/M/1 quantile', () => {
  close(quantileFactor(90), Math.log(10));
  close(quantileFactor(50), Math.log(2));
  // μ = 1/0.01 = 100/s, λ = 60/s: p90 = ln 10 / 40 s.
  close(mm1QuantileS(60, 0.01, 90), Math.log(10) / 40);
  assert.equal(mm1QuantileS(100, 0.01, 90), Infinity);
});

test('queue: pooled capacity = min(max_u·μ, μ − ln(1/(1−p))/L), by hand', () => {
  // The H100: service 1.5 ms, 0.7, p90, 130 ms: μ = 666.67, 0.7μ = 466.67, μ − ln10/0.13 = 648.96 → 466.67 (utilisation).
  const h = pooledCapacity(0.0015, 0.7, 90, 0.13);
  close(h.qps, 0.7 / 0.0015);
  assert.equal(h.bound, 'utilisation');
  assert.equal(h.reachable, true);
  // service 50 ms: μ = 20, 0.7μ = 14, μ − ln10/0.13 = 2.2878 → latency bound.
  const l = pooledCapacity(0.05, 0.7, 90, 0.13);
  close(l.qps, 20 - Math.log(10) / 0.13);
  assert.equal(l.bound, 'latency');
  // service 60 ms: ln 10 × 0.06 = 0.138 s > 0.13 s at zero load: unreachable, sized by utilisation.
  const u = pooledCapacity(0.06, 0.7, 90, 0.13);
  assert.equal(u.reachable, false);
  close(u.qps, 0.7 / 0.06);
});

test('fleet: a pooled device by hand (queries, power, energy, operational, embodied)', () => {
  const p = fleetPoint(base());
  // Q = 36 000/day, flat: λ = 36 000 / 24 / 3600 = 0.41667/s; capacity min(7, 10 − ln2/1) = 7 → 1 device.
  assert.equal(p.devices, 1);
  close(p.peakQps, 36000 / 86400);
  close(p.capacityQps, 7);
  // u = λ × 0.1 s = 0.041667; power = 50 + 20 + u × 100 = 74.1667 W; 24 h → 1.78 kWh/day; 10 days.
  const u = (36000 / 86400) * 0.1;
  close(p.meanUtilisation, u);
  close(p.peakUtilisation, u);
  const wPerDevice = 50 + 20 + u * (150 - 50);
  close(p.energyKwh, (wPerDevice * 24 * 10) / 1000);
  close(p.energyKwhPerDay.idle, (50 * 24) / 1000);
  close(p.energyKwhPerDay.host, (20 * 24) / 1000);
  close(p.energyKwhPerDay.active, (u * 100 * 24) / 1000);
  // operational = E × 100 g/kWh × 1.2
  close(splitTotal(p.operationalKg), (p.energyKwh * 100 * 1.2) / 1000);
  // embodied = 1 × (100 + 50) × 240 h / 8760 h
  close(p.embodiedDeviceKg, (100 * 240) / 8760);
  close(p.embodiedHostKg, (50 * 240) / 8760);
  close(p.totalKg, splitTotal(p.operationalKg) + (150 * 240) / 8760);
  // p50 latency at λ = 0.41667: ln 2 / (10 − 0.41667) s
  close(p.latencyMs!, (Math.log(2) / (10 - 36000 / 86400)) * 1000);
  assert.equal(p.sloMet, true);
});

test('fleet: the pool is sized to the busiest hour', () => {
  // All queries in hours 9 and 10 (half each): λ_peak = Q/2/3600 = 5/s; capacity 7 → 1; with 60 000 users: 50/s → ceil(50/7) = 8.
  const w = Array.from({ length: 24 }, (_, h) => (h === 9 || h === 10 ? 0.5 : 0));
  const p = fleetPoint(base({ users: 1000, queriesPerUserPerDay: 36, hourlyWeights: w }));
  close(p.peakQps, 36000 / 2 / 3600);
  assert.equal(p.devices, 1);
  const big = fleetPoint(base({ users: 10000, queriesPerUserPerDay: 36, hourlyWeights: w }));
  close(big.peakQps, 50);
  assert.equal(big.devices, 8);
  // Powered all day: 8 × (idle + host) × 24 h, plus the work: Q × service × (busy − idle).
  close(big.energyKwhPerDay.idle + big.energyKwhPerDay.host, (8 * 70 * 24) / 1000);
  close(big.energyKwhPerDay.active, (360000 * 0.1 * 100) / 3600 / 1000);
  close(big.peakUtilisation, (50 / 8) * 0.1);
  close(big.meanUtilisation, (360000 * 0.1) / 3600 / (8 * 24));
});

test('fleet: autoscale powers as many devices as each hour needs', () => {
  const w = Array.from({ length: 24 }, (_, h) => (h === 9 ? 0.5 : h === 10 ? 0.25 : h === 11 ? 0.25 : 0));
  // Q = 360 000: λ = 50, 25, 25 /s; capacity 7 → 8, 4, 4 devices; other hours the minimum of 1.
  const p = fleetPoint(base({ users: 10000, hourlyWeights: w, autoscale: true }));
  assert.equal(p.devices, 8);
  assert.equal(p.poweredDeviceHoursPerDay, 8 + 4 + 4 + 21);
  close(p.energyKwhPerDay.idle, (37 * 50) / 1000);
});

test('fleet: shared charges the fraction of a device the busiest hour needs', () => {
  const p = fleetPoint(base({ placement: 'shared' }));
  close(p.devices, 36000 / 86400 / 7);
  close(p.energyKwhPerDay.idle, (p.devices * 50 * 24) / 1000);
  close(p.embodiedDeviceKg, (p.devices * 100 * 240) / 8760);
  close(p.peakUtilisation, 0.7);
});

test('fleet: dedicated devices, N = ceil(users / users_per_device), SLO on the busiest device', () => {
  const p = fleetPoint(base({ placement: 'dedicated', users: 10, usersPerDevice: 3, queriesPerUserPerDay: 3600 * 24, percentile: 90, latencyMs: 500 }));
  assert.equal(p.devices, 4);
  // Each user sends 1 query/s; a full device has 3 users: 3/s against μ = 10/s → p90 = ln10/7 s.
  close(p.peakQpsPerDevice, 3);
  close(p.latencyMs!, (Math.log(10) / 7) * 1000);
  assert.equal(p.sloMet, true);
  close(p.capacityQps, 10);
  // Energy: 4 devices × (idle + host) × 24 h + 10 users × 1/s × 0.1 s × 100 W × 24 h.
  close(p.energyKwhPerDay.idle + p.energyKwhPerDay.host, (4 * 70 * 24) / 1000);
  close(p.energyKwhPerDay.active, (10 * 0.1 * 100 * 24) / 1000);
  // 11 users per device: 11/s ≥ μ = 10/s: overloaded, target missed, busy capped at the devices.
  const over = fleetPoint(base({ placement: 'dedicated', users: 22, usersPerDevice: 11, queriesPerUserPerDay: 3600 * 24 }));
  assert.equal(over.overloaded, true);
  assert.equal(over.sloMet, false);
  assert.equal(over.latencyMs, null);
  close(over.energyKwhPerDay.active, (2 * 100 * 24) / 1000);
});

test('fleet: on-hours are the busiest hours; queries outside them are unserved', () => {
  const w = Array.from({ length: 24 }, (_, h) => (h >= 8 && h < 18 ? 0.09 : h === 18 ? 0.1 : 0));
  const on = onHours(w, 1);
  assert.deepEqual(on.flatMap((x, h) => (x ? [h] : [])), [18]);
  // Ties go to the earlier hour.
  assert.deepEqual(onHours(FLAT, 3).flatMap((x, h) => (x ? [h] : [])), [0, 1, 2]);
  const p = fleetPoint(base({ placement: 'dedicated', hourlyWeights: w, onHoursPerDay: 11 }));
  assert.equal(p.unservedShare, 0);
  assert.equal(p.poweredDeviceHoursPerDay, 1000 * 11);
  const q = fleetPoint(base({ placement: 'dedicated', hourlyWeights: w, onHoursPerDay: 6 }));
  close(q.unservedShare, 0.09 * 5);
  assert.equal(q.sloMet, false);
});

test('fleet: 24 hourly grid intensities weight each hour’s energy', () => {
  const grid = Array.from({ length: 24 }, (_, h) => (h < 12 ? 0 : 200));
  const p = fleetPoint(base({ gridGPerKwh: grid }));
  const flat = fleetPoint(base({ gridGPerKwh: 100 }));
  // Flat load: half the energy at 0 g, half at 200 g: same as 100 g everywhere.
  close(splitTotal(p.operationalKg), splitTotal(flat.operationalKg));
  const w = Array.from({ length: 24 }, (_, h) => (h < 12 ? 1 / 12 : 0));
  const cleanHours = fleetPoint(base({ gridGPerKwh: grid, hourlyWeights: w }));
  close(cleanHours.operationalKg.active, 0);
});

test('fleet: a latency target the service time alone misses is reported, and the pool sized by utilisation', () => {
  const p = fleetPoint(base({ serviceS: 0.06, percentile: 90, latencyMs: 130 }));
  assert.equal(p.sloReachable, false);
  assert.equal(p.sloMet, false);
  close(p.capacityQps, 0.7 / 0.06);
});

test('fleet: a given capacity sizes the pool and is not checked against the queue model', () => {
  const p = fleetPoint(base({ users: 100000, capacity: { qps: 20, basis: 'given' } }));
  assert.equal(p.devices, Math.ceil(3600000 / 86400 / 20));
  assert.equal(p.latencyBasis, 'given');
  assert.equal(p.sloMet, null);
  const m = fleetPoint(base({ users: 100000, capacity: { qps: 20, basis: 'measured', latencyMs: 80 } }));
  assert.equal(m.latencyMs, 80);
  assert.equal(m.sloMet, true);
});

// ── properties ──────────────────────────────────────────────────────────────────────

const placement = fc.constantFrom<'pooled' | 'dedicated' | 'shared'>('pooled', 'dedicated', 'shared');
const inputs = fc.record({
  placement,
  users: fc.integer({ min: 1, max: 10_000_000 }),
  q: fc.double({ min: 0.01, max: 500, noNaN: true }),
  serviceMs: fc.double({ min: 0.1, max: 200, noNaN: true }),
  upd: fc.integer({ min: 1, max: 1000 }),
  idle: fc.double({ min: 0, max: 500, noNaN: true }),
  extra: fc.double({ min: 0, max: 500, noNaN: true }),
  autoscale: fc.boolean(),
  onHours: fc.integer({ min: 1, max: 24 }),
  weights: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 24, maxLength: 24 }).filter((w) => w.reduce((a, b) => a + b, 0) > 1e-6),
});

function fromArb(a: { placement: 'pooled' | 'dedicated' | 'shared'; users: number; q: number; serviceMs: number; upd: number; idle: number; extra: number; autoscale: boolean; onHours: number; weights: number[] }): FleetInputs {
  const sum = a.weights.reduce((x, y) => x + y, 0);
  return base({
    placement: a.placement,
    users: a.users,
    queriesPerUserPerDay: a.q,
    serviceS: a.serviceMs / 1000,
    usersPerDevice: a.upd,
    idleW: a.idle,
    busyW: a.idle + a.extra,
    autoscale: a.placement !== 'dedicated' && a.autoscale,
    onHoursPerDay: a.onHours,
    hourlyWeights: a.weights.map((w) => w / sum),
    percentile: 90,
    latencyMs: 130,
  });
}

test('property: more users never means fewer devices', () => {
  fc.assert(
    fc.property(inputs, fc.integer({ min: 0, max: 1_000_000 }), (a, more) => {
      const x = fromArb(a);
      assert.ok(fleetPoint({ ...x, users: x.users + more }).devices >= fleetPoint(x).devices);
    }),
  );
});

test('property: dedicated N = ceil(users / users_per_device)', () => {
  fc.assert(
    fc.property(inputs, (a) => {
      const x = fromArb({ ...a, placement: 'dedicated' });
      assert.equal(fleetPoint(x).devices, Math.ceil(a.users / a.upd));
    }),
  );
});

test('property: totals grow with idle power', () => {
  fc.assert(
    fc.property(inputs, fc.double({ min: 0, max: 100, noNaN: true }), (a, d) => {
      const x = fromArb(a);
      const more = fleetPoint({ ...x, idleW: x.idleW + d, busyW: x.busyW + d });
      assert.ok(more.totalKg >= fleetPoint(x).totalKg - 1e-9 * Math.abs(more.totalKg));
      // Idle power alone (busy fixed, above it) never lowers the total either.
      const y = { ...x, busyW: x.idleW + d + 1 };
      assert.ok(fleetPoint({ ...y, idleW: y.idleW + d }).totalKg >= fleetPoint(y).totalKg - 1e-9 * fleetPoint(y).totalKg);
    }),
  );
});

test('property: energy splits add up, and operational scales with grid × PUE', () => {
  fc.assert(
    fc.property(inputs, fc.double({ min: 1, max: 2, noNaN: true }), (a, pue) => {
      const x = fromArb(a);
      const p = fleetPoint(x);
      close(p.energyKwh, splitTotal(p.energyKwhPerDay) * x.days, 1e-9);
      const q = fleetPoint({ ...x, pue: x.pue * pue });
      close(splitTotal(q.operationalKg), splitTotal(p.operationalKg) * pue, 1e-9);
    }),
  );
});
