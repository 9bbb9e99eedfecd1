/**
 * The fleet model at one set of inputs (the Monte Carlo calls it once per draw): how many
 * devices serve the users at the latency target, how busy they are hour by hour, what they
 * draw, and the footprint over the horizon. Formulas (docs/methodology.md, "Advisor"):
 *
 *   Q = users × queries_per_user_per_day;   λ_h = Q × w_h / 3600   (w normalised, Σ w_h = 1)
 *   pooled:    N = ceil(max_h λ_h / capacity),  capacity = capacity_qps, or
 *              min(max_utilisation · μ, μ − ln(1/(1−p)) / L),  μ = 1 / service
 *   shared:    N = max_h λ_h / capacity, a fraction (a slice of a pool that serves others too)
 *   dedicated: N = ceil(users / users_per_device); SLO checked on one device's own peak load
 *   power of a powered device at utilisation u: idle_w + host_w + u · (busy_w − idle_w)
 *   E = Σ_h Σ_devices power × 1 h, × days;   operational = Σ_h E_h × grid_h × PUE
 *   embodied = N × (F_device + host_kg) × (days × 24 h) / lifetime
 *
 * Devices are powered `on_hours_per_day` hours a day: the busiest hours of the profile (ties:
 * the earlier hour), since a device that sleeps would sleep when its users do. Queries that
 * arrive in the other hours find no device: they are counted as unserved and the target is
 * reported missed. Pure.
 */
import { mm1QuantileS, pooledCapacity } from './queue.js';
import type { Placement } from './workload.js';

const HOUR_S = 3600;

/** One capacity not from the queue model: given in the file, or read off a measured Server sweep. */
export interface FixedCapacity {
  readonly qps: number;
  readonly basis: 'given' | 'measured';
  /** Measured: the p-latency of the sweep point that set the capacity. */
  readonly latencyMs?: number;
}

/** Everything the model needs, as point values. */
export interface FleetInputs {
  readonly placement: Placement;
  readonly users: number;
  readonly queriesPerUserPerDay: number;
  /** 24 weights summing to 1. */
  readonly hourlyWeights: readonly number[];
  readonly percentile: number;
  readonly latencyMs: number;
  readonly days: number;
  readonly maxUtilisation: number;
  readonly usersPerDevice: number;
  readonly autoscale: boolean;
  readonly onHoursPerDay: number;
  readonly serviceS: number;
  readonly capacity?: FixedCapacity;
  readonly idleW: number;
  readonly busyW: number;
  readonly hostW: number;
  /** Grid intensity, gCO2e/kWh: one for every hour, or 24 (hour 0..23). */
  readonly gridGPerKwh: number | readonly number[];
  readonly pue: number;
  readonly lifetimeS: number;
  /** Manufacturing footprint of one device and of its share of a host, kgCO2e. */
  readonly deviceKg: number;
  readonly hostKg: number;
}

/** kWh (or kgCO2e) split by what drew it: the idle baseline of powered devices, the work above it, the host. */
export interface Split {
  readonly idle: number;
  readonly active: number;
  readonly host: number;
}

export interface FleetPoint {
  readonly devices: number;
  /** Per-device capacity that sized a pool, queries/s (dedicated: the device's own service rate μ). */
  readonly capacityQps: number;
  readonly capacityBasis: 'queue-model' | 'given' | 'measured';
  /** Which queue-model bound sized the pool; undefined otherwise. */
  readonly capacityBound?: 'utilisation' | 'latency';
  /** Arrivals in the busiest hour, whole deployment, queries/s. */
  readonly peakQps: number;
  /** Arrivals at the busiest device in the busiest hour, queries/s. */
  readonly peakQpsPerDevice: number;
  /** Busy share of powered device time, over the day, and at the busiest device's busiest hour. */
  readonly meanUtilisation: number;
  readonly peakUtilisation: number;
  /** p-latency at the busiest device's peak (M/M/1, or the measured sweep's); null when capacity was given (not modelled). */
  readonly latencyMs: number | null;
  readonly latencyBasis: 'mm1' | 'measured' | 'given';
  /** null: not checked (capacity given). False also when some queries arrive while devices are off. */
  readonly sloMet: boolean | null;
  /** False when the service time alone misses the target, at any load. */
  readonly sloReachable: boolean;
  /** A dedicated device whose users' peak exceeds what it can serve at all (λ ≥ μ). */
  readonly overloaded: boolean;
  /** Share of queries that arrive while no device is powered. */
  readonly unservedShare: number;
  readonly poweredDeviceHoursPerDay: number;
  readonly energyKwhPerDay: Split;
  readonly energyKwh: number;
  readonly operationalKg: Split;
  readonly embodiedDeviceKg: number;
  readonly embodiedHostKg: number;
  readonly totalKg: number;
}

const sum = (s: Split): number => s.idle + s.active + s.host;
export const splitTotal = sum;

/** The hours a device is powered: the `n` busiest of the profile, ties to the earlier hour. */
export function onHours(weights: readonly number[], n: number): boolean[] {
  const order = weights.map((w, h) => ({ w, h })).sort((a, b) => b.w - a.w || a.h - b.h);
  const on = new Array<boolean>(24).fill(false);
  for (const { h } of order.slice(0, n)) on[h] = true;
  return on;
}

/** What a profile gives every call with it (the Monte Carlo makes 10⁴ per deployment): its peak weight, its on-hours. */
const PROFILES = new WeakMap<readonly number[], { readonly maxWeight: number; readonly on: Map<number, boolean[]> }>();

function profile(weights: readonly number[], n: number): { maxWeight: number; on: boolean[] } {
  let p = PROFILES.get(weights);
  if (!p) {
    p = { maxWeight: Math.max(...weights), on: new Map() };
    PROFILES.set(weights, p);
  }
  let on = p.on.get(n);
  if (!on) {
    on = onHours(weights, n);
    p.on.set(n, on);
  }
  return { maxWeight: p.maxWeight, on };
}

export function fleetPoint(x: FleetInputs): FleetPoint {
  const queriesPerDay = x.users * x.queriesPerUserPerDay;
  const w = x.hourlyWeights;
  const { maxWeight, on } = profile(w, x.onHoursPerDay);
  const peakQps = (queriesPerDay * maxWeight) / HOUR_S;
  const mu = 1 / x.serviceS;
  let devices: number;
  let capacityQps: number;
  let capacityBound: 'utilisation' | 'latency' | undefined;
  let sloReachable = x.serviceS * -Math.log1p(-x.percentile / 100) < x.latencyMs / 1000;
  let peakQpsPerDevice: number;
  if (x.placement !== 'dedicated') {
    if (x.capacity) {
      capacityQps = x.capacity.qps;
    } else {
      const c = pooledCapacity(x.serviceS, x.maxUtilisation, x.percentile, x.latencyMs / 1000);
      capacityQps = c.qps;
      capacityBound = c.bound;
      sloReachable = c.reachable;
    }
    // A pool holds whole devices, at least one; a slice is charged the fraction its load needs.
    devices = x.placement === 'pooled' ? Math.max(1, Math.ceil(peakQps / capacityQps)) : peakQps / capacityQps;
    peakQpsPerDevice = devices > 0 ? peakQps / devices : 0;
  } else {
    devices = Math.ceil(x.users / x.usersPerDevice);
    capacityQps = mu;
    // The busiest device is a full one: users_per_device users (or all of them, when fewer).
    peakQpsPerDevice = (peakQps * Math.min(x.usersPerDevice, x.users)) / x.users;
  }
  const overloaded = x.placement === 'dedicated' && peakQpsPerDevice >= mu;

  // Devices powered each hour: all of them, or (autoscaled) as many as the hour needs: whole
  // ones in a pool (at least one), a fraction in a slice. Plain locals: this loop runs 10⁴ × 24
  // times per deployment in the Monte Carlo.
  const scaling = x.placement === 'dedicated' || !x.autoscale ? 0 : x.placement === 'pooled' ? 1 : 2;
  const grid = x.gridGPerKwh;
  let eIdle = 0;
  let eActive = 0;
  let eHost = 0;
  let oIdle = 0;
  let oActive = 0;
  let oHost = 0;
  let poweredDeviceHours = 0;
  let busyDeviceHours = 0;
  let unserved = 0;
  for (let h = 0; h < 24; h++) {
    if (!on[h]) {
      unserved += w[h]!;
      continue;
    }
    const lambda = (queriesPerDay * w[h]!) / HOUR_S;
    const n = scaling === 0 ? devices : scaling === 1 ? Math.min(devices, Math.max(1, Math.ceil(lambda / capacityQps))) : lambda / capacityQps;
    // Device-equivalents busy: λ × service, at most every powered device fully busy.
    const busy = Math.min(lambda * x.serviceS, n);
    const idleKwh = (n * x.idleW) / 1000;
    const activeKwh = (busy * (x.busyW - x.idleW)) / 1000;
    const hostKwh = (n * x.hostW) / 1000;
    eIdle += idleKwh;
    eActive += activeKwh;
    eHost += hostKwh;
    const kgPerKwh = ((typeof grid === 'number' ? grid : grid[h]!) * x.pue) / 1000;
    oIdle += idleKwh * kgPerKwh;
    oActive += activeKwh * kgPerKwh;
    oHost += hostKwh * kgPerKwh;
    poweredDeviceHours += n;
    busyDeviceHours += busy;
  }
  const energy = { idle: eIdle, active: eActive, host: eHost };
  const operationalKg = { idle: oIdle * x.days, active: oActive * x.days, host: oHost * x.days };
  const horizonShare = (x.days * 24 * HOUR_S) / x.lifetimeS;
  const embodiedDeviceKg = devices * x.deviceKg * horizonShare;
  const embodiedHostKg = devices * x.hostKg * horizonShare;

  let latencyMs: number | null;
  let latencyBasis: FleetPoint['latencyBasis'];
  let sloMet: boolean | null;
  if (x.capacity?.basis === 'given') {
    latencyMs = null;
    latencyBasis = 'given';
    sloMet = null;
  } else if (x.capacity?.basis === 'measured') {
    latencyMs = x.capacity.latencyMs ?? null;
    latencyBasis = 'measured';
    sloMet = latencyMs !== null && latencyMs <= x.latencyMs;
  } else {
    latencyMs = mm1QuantileS(peakQpsPerDevice, x.serviceS, x.percentile) * 1000;
    latencyBasis = 'mm1';
    sloMet = latencyMs <= x.latencyMs;
  }
  // Queries that find every device off are not served at all, whatever the capacity.
  if (unserved > 0) sloMet = false;
  const peakUtilisation = Math.min(1, peakQpsPerDevice * x.serviceS);
  return {
    devices,
    capacityQps,
    capacityBasis: x.capacity ? x.capacity.basis : 'queue-model',
    ...(capacityBound ? { capacityBound } : {}),
    peakQps,
    peakQpsPerDevice,
    meanUtilisation: poweredDeviceHours > 0 ? busyDeviceHours / poweredDeviceHours : 0,
    peakUtilisation,
    latencyMs: latencyMs === null || Number.isFinite(latencyMs) ? latencyMs : null,
    latencyBasis,
    sloMet,
    sloReachable,
    overloaded,
    unservedShare: unserved,
    poweredDeviceHoursPerDay: poweredDeviceHours,
    energyKwhPerDay: energy,
    energyKwh: sum(energy) * x.days,
    operationalKg,
    embodiedDeviceKg,
    embodiedHostKg,
    totalKg: sum(operationalKg) + embodiedDeviceKg + embodiedHostKg,
  };
}
