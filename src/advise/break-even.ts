/**
 * Break-even curves: each deployment's total over the horizon against one load parameter — the
 * queries per user per day, or the users sharing one dedicated device — with the points where
 * two deployments' totals cross, so a person sees where the ranking flips. Pure.
 *
 * The curves are the fleet model evaluated at many points with every input at its value (no
 * Monte Carlo): the deployments are resolved once and only the load moves. Resolution depends
 * on the load only through a measured capacity, which depends on the latency target, not on the
 * load, so one resolution serves the whole curve.
 *
 * Crossings: on the evaluation grid, where the sign of `total_a − total_b` changes between two
 * neighbouring points, bisection narrows it down. The totals are piecewise linear with jumps (a
 * pool holds whole devices: one more device is a step in its idle and embodied footprint), so a
 * crossing is either where the totals are equal (`equal`: within 1e-6 relative) or where one of
 * them jumps over the other (`step`: the order flips at that point without the totals ever being
 * equal). On the users-per-device axis, which takes whole numbers, a crossing is the first whole
 * number at which the old order no longer holds (the totals equal there, or already reversed). Two crossings closer together than the grid (160 points
 * a decade and a bit) may be missed; the grid is fine enough for a figure.
 */
import { fleetInputs } from './advise.js';
import { fleetPoint, type FleetPoint } from './fleet.js';
import type { ResolvedDeployment, UncertainInput } from './resolve.js';
import type { Placement, Workload } from './workload.js';

export type BreakEvenAxisName = 'queries_per_user_per_day' | 'users_per_device';

export interface CurvePoint {
  readonly x: number;
  readonly totalKg: number;
  readonly devices: number;
  /** Null when not checked (capacity given); false also when devices are overloaded or off. */
  readonly sloMet: boolean | null;
}

export interface Curve {
  readonly name: string;
  readonly placement: Placement;
  /** Whether this deployment's total moves along the axis (a pool does not depend on users per device). */
  readonly varies: boolean;
  /** The value the workload file gives this deployment on the axis (absent where it has none). */
  readonly current?: number;
  readonly points: readonly CurvePoint[];
}

export interface Crossing {
  readonly a: string;
  readonly b: string;
  readonly x: number;
  /** The totals at `x` (equal within 1e-6 relative for `equal`; either side of a jump for `step`). */
  readonly totalKgA: number;
  readonly totalKgB: number;
  readonly kind: 'equal' | 'step';
  /** The deployment with the lower total just above `x`, and the one just below it. */
  readonly lowerAbove: string;
  readonly lowerBelow: string;
}

export interface BreakEvenAxis {
  readonly axis: BreakEvenAxisName;
  /** Whole numbers only (users per device). */
  readonly integer: boolean;
  readonly domain: readonly [number, number];
  readonly curves: readonly Curve[];
  readonly crossings: readonly Crossing[];
}

export interface BreakEven {
  readonly queries: BreakEvenAxis;
  /** Only when some deployment is dedicated. */
  readonly usersPerDevice?: BreakEvenAxis;
}

/** The axes that were swept, in reading order: queries, then users per device when there is one. */
export function breakEvenAxes(be: BreakEven): BreakEvenAxis[] {
  return [be.queries, ...(be.usersPerDevice ? [be.usersPerDevice] : [])];
}

/** Relative tolerance under which two totals count as equal at a crossing. */
export const EQUAL_REL = 1e-6;
/** Points per decade of the evaluation grid. */
const PER_DECADE = 40;

const atValue = (x: UncertainInput): number => x.value;

/** The fleet of deployment `r` with the axis parameter set to `x`. */
export function pointAt(w: Workload, r: ResolvedDeployment, axis: BreakEvenAxisName, x: number): FleetPoint {
  if (axis === 'queries_per_user_per_day') return fleetPoint(fleetInputs({ ...w, queriesPerUserPerDay: x }, r, atValue));
  if (r.input.placement !== 'dedicated') return fleetPoint(fleetInputs(w, r, atValue));
  return fleetPoint(fleetInputs(w, { ...r, input: { ...r.input, usersPerDevice: x } }, atValue));
}

/** `n` decades either side of `center` on a log grid that holds `center` itself. */
function logGrid(center: number, decades: number): number[] {
  const out: number[] = [];
  for (let i = -decades * PER_DECADE; i <= decades * PER_DECADE; i++) out.push(i === 0 ? center : center * 10 ** (i / PER_DECADE));
  return out;
}

/** Whole numbers from 1 to `hi`, log-spaced, with `extra` added. */
function integerGrid(hi: number, extra: readonly number[]): number[] {
  const set = new Set<number>(extra.filter((k) => k >= 1 && k <= hi));
  const decades = Math.log10(Math.max(1, hi));
  const n = Math.max(1, Math.ceil(decades * PER_DECADE));
  for (let i = 0; i <= n; i++) set.add(Math.min(hi, Math.max(1, Math.round(10 ** ((i / n) * decades)))));
  set.add(1);
  set.add(hi);
  return [...set].sort((a, b) => a - b);
}

function relEqual(a: number, b: number): boolean {
  return Math.abs(a - b) <= EQUAL_REL * Math.max(Math.abs(a), Math.abs(b));
}

/**
 * Where `f(x) − g(x)` changes sign between `lo` and `hi` (signs `sLo` ≠ `sHi`, neither zero):
 * bisection to the limit of doubles (continuous) or to neighbouring whole numbers (integer).
 */
export function bisectCrossing(d: (x: number) => number, lo: number, hi: number, integer: boolean): number {
  const sLo = Math.sign(d(lo));
  if (integer) {
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (Math.sign(d(mid)) === sLo) lo = mid;
      else hi = mid;
    }
    return hi;
  }
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid <= lo || mid >= hi) break;
    const s = Math.sign(d(mid));
    if (s === 0) return mid;
    if (s === sLo) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Every crossing of two totals along the grid. */
function crossingsOf(names: readonly string[], total: (k: number, x: number) => number, grid: readonly number[], integer: boolean): Crossing[] {
  const out: Crossing[] = [];
  for (let a = 0; a < names.length; a++) {
    for (let b = a + 1; b < names.length; b++) {
      const d = (x: number): number => total(a, x) - total(b, x);
      let prev: { x: number; s: number } | undefined;
      for (const x of grid) {
        const s = Math.sign(d(x));
        if (s === 0) {
          // Equal on a grid point: a crossing only when the order differs on each side of it.
          continue;
        }
        if (prev && prev.s !== s) {
          const xc = bisectCrossing(d, prev.x, x, integer);
          const ta = total(a, xc);
          const tb = total(b, xc);
          out.push({
            a: names[a]!,
            b: names[b]!,
            x: xc,
            totalKgA: ta,
            totalKgB: tb,
            kind: relEqual(ta, tb) ? 'equal' : 'step',
            lowerAbove: s < 0 ? names[a]! : names[b]!,
            lowerBelow: s < 0 ? names[b]! : names[a]!,
          });
        }
        prev = { x, s };
      }
    }
  }
  return out.sort((p, q) => p.x - q.x);
}

function axisOf(w: Workload, resolved: readonly ResolvedDeployment[], axis: BreakEvenAxisName, grid: readonly number[], integer: boolean): BreakEvenAxis {
  const names = resolved.map((r) => r.input.name);
  const total = (k: number, x: number): number => pointAt(w, resolved[k]!, axis, x).totalKg;
  const curves = resolved.map((r): Curve => {
    const varies = axis === 'queries_per_user_per_day' || r.input.placement === 'dedicated';
    const current = axis === 'queries_per_user_per_day' ? w.queriesPerUserPerDay : r.input.placement === 'dedicated' ? r.input.usersPerDevice : undefined;
    return {
      name: r.input.name,
      placement: r.input.placement,
      varies,
      ...(current !== undefined ? { current } : {}),
      points: grid.map((x) => {
        const p = pointAt(w, r, axis, x);
        return { x, totalKg: p.totalKg, devices: p.devices, sloMet: p.overloaded ? false : p.sloMet };
      }),
    };
  });
  return { axis, integer, domain: [grid[0]!, grid[grid.length - 1]!], curves, crossings: crossingsOf(names, total, grid, integer) };
}

/**
 * The break-even curves of resolved deployments: against queries per user per day (two decades
 * either side of the file's value), and, when a deployment is dedicated, against users per
 * device (1 to all the users on one device).
 */
export function breakEven(w: Workload, resolved: readonly ResolvedDeployment[]): BreakEven {
  const queries = axisOf(w, resolved, 'queries_per_user_per_day', logGrid(w.queriesPerUserPerDay, 2), false);
  const dedicated = resolved.filter((r) => r.input.placement === 'dedicated');
  if (dedicated.length === 0) return { queries };
  const usersGrid = integerGrid(w.users, dedicated.map((r) => r.input.usersPerDevice));
  return { queries, usersPerDevice: axisOf(w, resolved, 'users_per_device', usersGrid, true) };
}
