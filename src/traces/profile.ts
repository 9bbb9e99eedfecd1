/**
 * Mean power profile of repeated runs on a common time grid (DESIGN.md §5.1, §5.2).
 *
 * With the defaults (1000 points, intersection window) this is the study's `Plots/mean.py`:
 * t0 = latest first timestamp, t1 = earliest last timestamp, grid = linspace(t0, t1, 1000),
 * each run linearly interpolated onto the grid, element-wise mean. It reproduces the
 * study's `MEAN/FULL/mean_power_QC_<qc>.csv` files (tested to 1e-12 s and 1e-9 W).
 * Pure: no I/O.
 */
import { errors, type Where } from '../errors.js';
import { assertTrace } from './energy.js';
import { interpolateOnto, linspace } from './interpolate.js';

export interface ProfileRun {
  readonly tS: ArrayLike<number>;
  readonly powerW: ArrayLike<number>;
}

export interface MeanProfileOptions {
  /** Grid points, ≥ 2 (default 1000, as the study). */
  readonly points?: number;
  /**
   * 'intersection' (default, the study's): the span every run covers, so every grid point
   * averages all runs. 'union': from the earliest start to the latest end; each point
   * averages only the runs that cover it (never extrapolated), see `coverage`.
   */
  readonly window?: 'intersection' | 'union';
  readonly where?: Where;
  /**
   * Compute `sdW` (default true). The study's energy needs the mean only: without the second
   * pass over every run its arithmetic costs half (`sdW` is then all NaN).
   */
  readonly sd?: boolean;
}

export interface MeanProfile {
  readonly gridS: Float64Array;
  /** Element-wise mean power over the runs covering each point, W. */
  readonly meanW: Float64Array;
  /** Element-wise sample standard deviation (n − 1), W; NaN where fewer than 2 runs cover the point. */
  readonly sdW: Float64Array;
  /** Number of runs covering each grid point (all runs everywhere for 'intersection'). */
  readonly coverage: Uint32Array;
  /** Window start, s (latest first timestamp for 'intersection', earliest for 'union'). */
  readonly t0: number;
  /** Window end, s. */
  readonly t1: number;
  /** Number of runs given. */
  readonly runs: number;
  readonly window: 'intersection' | 'union';
}

/** Mean (and sd) power of several runs on a linspace grid over their common or combined span. */
export function meanProfile(runs: readonly ProfileRun[], options: MeanProfileOptions = {}): MeanProfile {
  const where = options.where ?? {};
  const points = options.points ?? 1000;
  const window = options.window ?? 'intersection';
  if (!(Number.isInteger(points) && points >= 2)) throw errors.invalidValue({ ...where, field: 'points' }, `grid points ${points} must be an integer ≥ 2`);
  if (runs.length === 0) throw errors.invalidValue({ ...where, field: 'runs' }, 'no runs to average');

  let t0S = window === 'intersection' ? -Infinity : Infinity;
  let t1S = window === 'intersection' ? Infinity : -Infinity;
  runs.forEach((run, k) => {
    const n = assertTrace(run.tS, run.powerW, { ...where, field: `runs[${k}]` });
    const first = run.tS[0]!;
    const last = run.tS[n - 1]!;
    if (window === 'intersection') {
      t0S = Math.max(t0S, first);
      t1S = Math.min(t1S, last);
    } else {
      t0S = Math.min(t0S, first);
      t1S = Math.max(t1S, last);
    }
  });
  if (!(t1S > t0S)) {
    throw errors.invalidValue({ ...where, field: 'runs' }, `the runs have no common time span (latest start ${t0S} s, earliest end ${t1S} s)`);
  }

  const gridS = linspace(t0S, t1S, points);
  const sum = new Float64Array(points);
  const coverage = new Uint32Array(points);
  // First pass: sums, in run order (numpy's mean over the run axis adds the same way).
  for (const run of runs) {
    const [from, to] = coveredRange(gridS, run.tS);
    const values = interpolateOnto(gridS, run.tS, run.powerW);
    for (let k = from; k < to; k++) {
      sum[k]! += values[k]!;
      coverage[k]! += 1;
    }
  }
  const meanW = new Float64Array(points);
  for (let k = 0; k < points; k++) meanW[k] = coverage[k]! > 0 ? sum[k]! / coverage[k]! : Number.NaN;

  if (options.sd === false) return { gridS, meanW, sdW: new Float64Array(points).fill(Number.NaN), coverage, t0: t0S, t1: t1S, runs: runs.length, window };

  // Second pass: squared deviations from the mean (two-pass, no cancellation). The runs are
  // interpolated again rather than kept, so memory stays O(points).
  const ss = new Float64Array(points);
  for (const run of runs) {
    const [from, to] = coveredRange(gridS, run.tS);
    const values = interpolateOnto(gridS, run.tS, run.powerW);
    for (let k = from; k < to; k++) {
      const d = values[k]! - meanW[k]!;
      ss[k]! += d * d;
    }
  }
  const sdW = new Float64Array(points);
  for (let k = 0; k < points; k++) sdW[k] = coverage[k]! >= 2 ? Math.sqrt(ss[k]! / (coverage[k]! - 1)) : Number.NaN;

  return { gridS, meanW, sdW, coverage, t0: t0S, t1: t1S, runs: runs.length, window };
}

/** [from, to) indices of the grid points inside the run's sampled span. */
function coveredRange(gridS: Float64Array, tS: ArrayLike<number>): [number, number] {
  const first = tS[0]!;
  const last = tS[tS.length - 1]!;
  let from = 0;
  while (from < gridS.length && gridS[from]! < first) from++;
  let to = gridS.length;
  while (to > from && gridS[to - 1]! > last) to--;
  return [from, to];
}
