/**
 * Measured device profiles as the advisor uses them, and the pure arithmetic on them: the
 * idle level at the start of a power trace, the capacity a Server sweep shows at the latency
 * target, the load–power line. The readers that fill these from runs and datasets are in
 * `measured-io.ts`. Pure.
 */
import { quantileSorted } from '../traces/stats.js';

/** One measured figure over several runs: its central value, the spread of the runs, how it was read. */
export interface MeasuredStat {
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
  /** What was measured, in words: `initial plateau of 50 FULL traces`. */
  readonly how: string;
}

/** One Server run: the load it was offered and the latency percentiles LoadGen printed. */
export interface ServerPoint {
  readonly runId: string;
  /** Offered load (LoadGen's `target_qps`), queries/s. */
  readonly targetQps: number;
  /** Percentile as LoadGen prints it (`'90.00'`) → latency, ns. */
  readonly latencyNs: Readonly<Record<string, number>>;
  /** Mean power over the run's compute window, W, when it recorded one. */
  readonly powerW?: number;
}

/** What one source (a dataset, a runs folder) says about one hardware id. */
export interface MeasuredProfile {
  readonly hardwareId: string;
  /** The folder as the user named it (or the runs directory). */
  readonly path: string;
  readonly origin: 'profiles_from' | 'study.source' | 'runs store';
  readonly idleW?: MeasuredStat;
  readonly busyW?: MeasuredStat;
  readonly serviceMs?: MeasuredStat;
  readonly server: readonly ServerPoint[];
}

/**
 * Value and spread of per-run figures: the mean, and the 5th–95th percentiles of the runs
 * (min–max under 10 runs), so one odd run does not set the range the Monte Carlo draws from.
 */
export function statOf(values: readonly number[], how: string, weights?: readonly number[]): MeasuredStat | undefined {
  if (values.length === 0) return undefined;
  const w = weights ?? values.map(() => 1);
  const wsum = w.reduce((a, b) => a + b, 0);
  const value = values.reduce((a, v, i) => a + v * w[i]!, 0) / wsum;
  const sorted = Float64Array.from(values).sort();
  const lo = values.length >= 10 ? quantileSorted(sorted, 0.05) : sorted[0]!;
  const hi = values.length >= 10 ? quantileSorted(sorted, 0.95) : sorted[sorted.length - 1]!;
  return { value, min: Math.min(lo, value), max: Math.max(hi, value), runs: values.length, how };
}

/** Shortest stretch a start-of-trace level must last to count as idle, s. */
export const MIN_PLATEAU_S = 0.5;
/** How far a sample may stray from the level and still belong to it: 5 %, at least 0.1 W (the sensors' resolution is 10 mW for nvidia-smi, 1 mW for tegrastats). */
export const PLATEAU_TOLERANCE = 0.05;
const PLATEAU_FLOOR_W = 0.1;

/**
 * The power level a trace starts at, before the workload moves it: the median of the first
 * three samples, extended while each sample stays within 5 % (at least 0.1 W) of it; a mean
 * over that stretch when it lasts at least 0.5 s and 3 samples, else undefined.
 *
 * Why the start: the study's FULL traces begin before the harness touches the device, which
 * then sits at the level it keeps between runs with nothing to do (A100 ≈ 65 W, T4 ≈ 37.5 W,
 * Orin GPU rail ≈ 2.8 W). The lowest level of a trace would be wrong: while the engine loads,
 * the A100 and T4 dip for a second or two to a lower state (34 W, 27 W); the A100 is back at
 * 65 W once the model is resident.
 */
export function initialPlateau(tS: ArrayLike<number>, powerW: ArrayLike<number>): { readonly powerW: number; readonly durationS: number } | undefined {
  const n = Math.min(tS.length, powerW.length);
  if (n < 3) return undefined;
  const first = [powerW[0]!, powerW[1]!, powerW[2]!].sort((a, b) => a - b);
  const level = first[1]!;
  const tol = Math.max(PLATEAU_TOLERANCE * level, PLATEAU_FLOOR_W);
  let end = 0;
  let sum = 0;
  while (end < n && Math.abs(powerW[end]! - level) <= tol) sum += powerW[end++]!;
  if (end < 3) return undefined;
  const durationS = tS[end - 1]! - tS[0]!;
  if (durationS < MIN_PLATEAU_S) return undefined;
  return { powerW: sum / end, durationS };
}

/** LoadGen's printed percentile keys, as numbers: `'99.90'` → 99.9. */
function percentileKeys(p: ServerPoint): [number, string][] {
  return Object.keys(p.latencyNs).map((k) => [Number(k), k] as [number, string]).filter(([x]) => Number.isFinite(x));
}

export interface SweepCapacity {
  /** The highest offered load whose p-latency met the target, queries/s (undefined: none did). */
  readonly qps?: number;
  readonly latencyMs?: number;
  /** The printed percentile used: the smallest at or above the target's. */
  readonly percentileKey: string;
  /** A tested load above `qps` missed the target: the capacity lies between them. */
  readonly bracketed: boolean;
  readonly lowestQps: number;
  readonly highestQps: number;
  readonly runs: number;
}

/**
 * The capacity a Server sweep shows at the latency target: the highest offered load whose
 * latency at the target's percentile (or the next printed one above it: conservative) met it.
 * Undefined when there are no Server runs or none printed a high enough percentile.
 */
export function sweepCapacity(points: readonly ServerPoint[], percentile: number, latencyMs: number): SweepCapacity | undefined {
  if (points.length === 0) return undefined;
  const keys = percentileKeys(points[0]!).filter(([x]) => x >= percentile - 1e-9).sort((a, b) => a[0] - b[0]);
  const key = keys[0]?.[1];
  if (key === undefined) return undefined;
  const usable = points.filter((p) => p.latencyNs[key] !== undefined);
  if (usable.length === 0) return undefined;
  const meeting = usable.filter((p) => p.latencyNs[key]! / 1e6 <= latencyMs).sort((a, b) => b.targetQps - a.targetQps);
  const best = meeting[0];
  const qpsAll = usable.map((p) => p.targetQps);
  const base = { percentileKey: key, lowestQps: Math.min(...qpsAll), highestQps: Math.max(...qpsAll), runs: usable.length };
  if (!best) return { ...base, bracketed: true };
  return { ...base, qps: best.targetQps, latencyMs: best.latencyNs[key]! / 1e6, bracketed: usable.some((p) => p.targetQps > best.targetQps && p.latencyNs[key]! / 1e6 > latencyMs) };
}

export interface LoadPowerLine {
  /** Power at zero load, W. */
  readonly interceptW: number;
  /** Extra power per query/s, W·s. */
  readonly slopeWPerQps: number;
  readonly points: readonly { readonly qps: number; readonly powerW: number }[];
}

/** Least-squares line of compute-window power against offered load; undefined under two distinct loads. */
export function loadPowerLine(points: readonly ServerPoint[]): LoadPowerLine | undefined {
  const pts = points.flatMap((p) => (p.powerW === undefined ? [] : [{ qps: p.targetQps, powerW: p.powerW }]));
  if (new Set(pts.map((p) => p.qps)).size < 2) return undefined;
  const n = pts.length;
  const mx = pts.reduce((a, p) => a + p.qps, 0) / n;
  const my = pts.reduce((a, p) => a + p.powerW, 0) / n;
  const sxy = pts.reduce((a, p) => a + (p.qps - mx) * (p.powerW - my), 0);
  const sxx = pts.reduce((a, p) => a + (p.qps - mx) ** 2, 0);
  const slope = sxy / sxx;
  return { interceptW: my - slope * mx, slopeWPerQps: slope, points: pts.sort((a, b) => a.qps - b.qps) };
}
