/**
 * Energy from power traces and energy counters (DESIGN.md §5.1). Pure: arrays in, numbers out.
 *
 * Conventions: time in s, power in W, energy in J. A trace is two equal-length arrays,
 * `tS` strictly increasing and `powerW` finite. Power is taken as linear between samples
 * (the same model `interpolate.ts` uses), so the trapezoid rule is the exact integral of
 * the trace and windows cut at any time agree with whole-trace integrals.
 *
 * Gaps: a long sampling interval is integrated linearly like any other (there is no better
 * guess), but it is always *reported* (`detectGaps`, `energyReport().gaps`), and
 * `energyReport` refuses or flags intervals longer than `maxBridgeS` when asked.
 */
import { errors, type Where } from '../errors.js';
import { bracket, interpolateAt } from './interpolate.js';
import { compensatedSum, quantileSorted } from './stats.js';

/** A time span [t0S, t1S] in seconds of the trace's clock. */
export type Window = readonly [t0S: number, t1S: number];

/** One sampling interval judged too long, between samples `index` and `index + 1`. */
export interface Gap {
  /** Index of the sample that starts the interval. */
  readonly index: number;
  readonly startS: number;
  readonly endS: number;
  readonly durationS: number;
  /** durationS / median sampling interval (a gap found against the other intervals' mean can be under the factor). */
  readonly ratioToMedian: number;
}

export interface SamplingStats {
  /** Number of samples. */
  readonly n: number;
  readonly medianIntervalS: number;
  /** 95th percentile of the intervals (linear interpolation, numpy's default). */
  readonly p95IntervalS: number;
  readonly maxIntervalS: number;
  readonly meanIntervalS: number;
}

/**
 * Default gap factor: an interval longer than 5 × the median is a gap. On the study's
 * nvidia-smi and tegrastats traces ordinary polling jitter stays below that (per run, the
 * longest interval is at most 4.9 × the median on T4, 3.8 × on A100 v4.1, 1.4 × on Orin,
 * and p95 at most 2.5 ×), while a stalled logger shows up far above it (Xavier's 984 ms hole
 * at a 72 ms median is 13.7 ×). H100's worst interval, 374 ms at a 69 ms median (5.4 ×),
 * is flagged: a 0.37 s hole is worth reporting. Lower factors flag jitter; higher ones miss holes.
 */
export const DEFAULT_GAP_FACTOR = 5;

// ---------------------------------------------------------------------------------------
// Trapezoid and windows

/**
 * ∫ P dt over the whole trace by the trapezoid rule, exact for piecewise-linear power,
 * with Neumaier-compensated summation. One sample gives 0 J (zero duration).
 * Throws NON_MONOTONIC / INVALID_VALUE on a malformed trace; `where` names its source.
 */
export function trapezoidJ(tS: ArrayLike<number>, powerW: ArrayLike<number>, where: Where = {}): number {
  const n = checkLengths(tS, powerW, where);
  let sum = 0;
  let comp = 0;
  let tPrev = tS[0]!;
  let pPrev = powerW[0]!;
  if (!Number.isFinite(tPrev)) throw badTime(where, 0, tPrev);
  if (!Number.isFinite(pPrev)) throw badPower(where, 0, pPrev);
  for (let i = 1; i < n; i++) {
    const t = tS[i]!;
    const p = powerW[i]!;
    if (!(t > tPrev) || !Number.isFinite(t)) throw Number.isFinite(t) ? errors.nonMonotonic(at(where, 'tS', i), tPrev, t) : badTime(where, i, t);
    if (!Number.isFinite(p)) throw badPower(where, i, p);
    const area = 0.5 * (pPrev + p) * (t - tPrev);
    const s = sum + area;
    comp += Math.abs(sum) >= Math.abs(area) ? sum - s + area : area - s + sum;
    sum = s;
    tPrev = t;
    pPrev = p;
  }
  return sum + comp;
}

export interface WindowOptions {
  /**
   * false (default): a window reaching outside [tS[0], tS[n−1]] throws INVALID_VALUE,
   * because energy outside the sampled range is unknown, not zero.
   * true: integrate over the window's overlap with the sampled range only (0 J when they
   * do not overlap). The caller then owns the fact that part of the window is missing.
   */
  readonly clamp?: boolean;
  readonly where?: Where;
}

/**
 * Energy over [t0S, t1S], interpolating power linearly at both edges. Additive: the
 * energy of [a, b] plus that of [b, c] is the energy of [a, c] (up to rounding).
 */
export function windowEnergyJ(tS: ArrayLike<number>, powerW: ArrayLike<number>, t0S: number, t1S: number, options: WindowOptions = {}): number {
  const where = options.where ?? {};
  assertTrace(tS, powerW, where);
  const w = resolveWindow(tS, t0S, t1S, options.clamp ?? false, where);
  return w === null ? 0 : integrateWindow(tS, powerW, w[0], w[1]);
}

/**
 * Mean power over [t0S, t1S] (default: the whole trace) = windowEnergy / duration, the
 * time-weighted mean, not the mean of the samples (which over-weights bursts of fast
 * samples). A zero-length window returns the interpolated power there (the limit).
 */
export function meanPowerW(tS: ArrayLike<number>, powerW: ArrayLike<number>, t0S?: number, t1S?: number, options: WindowOptions = {}): number {
  const where = options.where ?? {};
  const n = assertTrace(tS, powerW, where);
  const w = resolveWindow(tS, t0S ?? tS[0]!, t1S ?? tS[n - 1]!, options.clamp ?? false, where);
  if (w === null) throw errors.invalidValue(at(where, 'window'), `window [${t0S}, ${t1S}] s does not overlap the sampled range [${tS[0]}, ${tS[n - 1]}] s`);
  const [a, b] = w;
  if (b === a) return interpolateAt(tS, powerW, a);
  return integrateWindow(tS, powerW, a, b) / (b - a);
}

/** Check a trace once: equal lengths, at least one sample, finite power, strictly increasing finite time. Returns n. */
export function assertTrace(tS: ArrayLike<number>, powerW: ArrayLike<number>, where: Where = {}): number {
  const n = checkLengths(tS, powerW, where);
  for (let i = 0; i < n; i++) {
    const t = tS[i]!;
    if (!Number.isFinite(t)) throw badTime(where, i, t);
    if (i > 0 && !(t > tS[i - 1]!)) throw errors.nonMonotonic(at(where, 'tS', i), tS[i - 1]!, t);
    const p = powerW[i]!;
    if (!Number.isFinite(p)) throw badPower(where, i, p);
  }
  return n;
}

function checkLengths(tS: ArrayLike<number>, powerW: ArrayLike<number>, where: Where): number {
  const n = tS.length;
  if (powerW.length !== n) throw errors.invalidValue(at(where, 'powerW'), `trace has ${n} timestamps but ${powerW.length} power values`);
  if (n === 0) throw errors.invalidValue(at(where, 'tS'), 'trace has no samples');
  return n;
}

/** The window to integrate, validated (and clamped when asked); null when a clamped window misses the trace. */
function resolveWindow(tS: ArrayLike<number>, t0S: number, t1S: number, clamp: boolean, where: Where): Window | null {
  if (!Number.isFinite(t0S) || !Number.isFinite(t1S) || t1S < t0S) {
    throw errors.invalidValue(at(where, 'window'), `window [${t0S}, ${t1S}] s is not a finite span with t0 ≤ t1`);
  }
  const first = tS[0]!;
  const last = tS[tS.length - 1]!;
  if (t0S >= first && t1S <= last) return [t0S, t1S];
  if (!clamp) {
    throw errors.invalidValue(
      at(where, 'window'),
      `window [${t0S}, ${t1S}] s reaches outside the sampled range [${first}, ${last}] s (energy there is unknown; pass clamp to use the overlap)`,
    );
  }
  const a = Math.max(t0S, first);
  const b = Math.min(t1S, last);
  return a <= b ? [a, b] : null;
}

/** ∫ P dt over [a, b] ⊆ [tS[0], tS[n−1]] on a validated trace. */
function integrateWindow(tS: ArrayLike<number>, powerW: ArrayLike<number>, a: number, b: number): number {
  const i0 = bracket(tS, a);
  const i1 = bracket(tS, b);
  const pa = interpolateAt(tS, powerW, a);
  const pb = interpolateAt(tS, powerW, b);
  if (i0 === i1) return 0.5 * (pa + pb) * (b - a);
  // Head (a → tS[i0+1]), whole segments i0+1 … i1−1, tail (tS[i1] → b). When a and b are
  // the trace's ends this is exactly trapezoidJ's sum, in the same order.
  let sum = 0.5 * (pa + powerW[i0 + 1]!) * (tS[i0 + 1]! - a);
  let comp = 0;
  for (let k = i0 + 1; k < i1; k++) {
    const area = 0.5 * (powerW[k]! + powerW[k + 1]!) * (tS[k + 1]! - tS[k]!);
    const s = sum + area;
    comp += Math.abs(sum) >= Math.abs(area) ? sum - s + area : area - s + sum;
    sum = s;
  }
  const tail = 0.5 * (powerW[i1]! + pb) * (b - tS[i1]!);
  const s = sum + tail;
  comp += Math.abs(sum) >= Math.abs(tail) ? sum - s + tail : tail - s + sum;
  return s + comp;
}

// ---------------------------------------------------------------------------------------
// Energy counters

export interface CounterOptions {
  /** Joules per counter unit: 1e-3 for NVML's mJ, 1e-6 for RAPL's µJ. */
  readonly unitToJ: number;
  /**
   * The counter's modulus: a reading lower than the previous one is taken as one
   * wrap-around and `wrapAt` is added (RAPL: `max_energy_range_uj`). Without it a drop is
   * a counter reset and throws. More than one wrap between two readings cannot be seen:
   * read the counter more often than it can wrap.
   */
  readonly wrapAt?: number;
  readonly where?: Where;
}

/**
 * Energy between the first and last readings of a monotonically increasing energy
 * counter (NVML total energy in mJ, RAPL `energy_uj`), in J. One reading gives 0 J.
 */
export function counterEnergyJ(readings: ArrayLike<number>, options: CounterOptions): number {
  const wraps = scanCounter(readings, options);
  const n = readings.length;
  // last − first + wraps × modulus equals the sum of the per-interval deltas, with only
  // three roundings (exact for integer readings below 2^53).
  const units = readings[n - 1]! - readings[0]! + wraps * (options.wrapAt ?? 0);
  return units * options.unitToJ;
}

/** Per-interval energies (J) of a counter, wrap-arounds corrected; length n − 1. */
export function counterDeltasJ(readings: ArrayLike<number>, options: CounterOptions): Float64Array {
  scanCounter(readings, options);
  const n = readings.length;
  const out = new Float64Array(Math.max(0, n - 1));
  for (let i = 1; i < n; i++) {
    const prev = readings[i - 1]!;
    const cur = readings[i]!;
    out[i - 1] = (cur >= prev ? cur - prev : cur + options.wrapAt! - prev) * options.unitToJ;
  }
  return out;
}

/**
 * Mean power of each counter interval, placed at the interval's midpoint: what a counter
 * says about the power curve (it cannot say more than one mean per interval).
 */
export function counterPowerSeries(tS: ArrayLike<number>, readings: ArrayLike<number>, options: CounterOptions): { readonly tMidS: Float64Array; readonly powerW: Float64Array } {
  const where = options.where ?? {};
  if (tS.length !== readings.length) throw errors.invalidValue(at(where, 'readings'), `${tS.length} timestamps but ${readings.length} counter readings`);
  const deltas = counterDeltasJ(readings, options);
  const intervals = intervalsOf(tS, where);
  const tMidS = new Float64Array(deltas.length);
  const powerW = new Float64Array(deltas.length);
  for (let i = 0; i < deltas.length; i++) {
    tMidS[i] = tS[i]! + 0.5 * intervals[i]!;
    powerW[i] = deltas[i]! / intervals[i]!;
  }
  return { tMidS, powerW };
}

/** Validate counter readings; returns the number of wrap-arounds. */
function scanCounter(readings: ArrayLike<number>, options: CounterOptions): number {
  const where = options.where ?? {};
  const { unitToJ, wrapAt } = options;
  if (!(unitToJ > 0 && Number.isFinite(unitToJ))) throw errors.invalidValue(at(where, 'unitToJ'), `counter unit ${unitToJ} J must be a finite number > 0`);
  if (wrapAt !== undefined && !(wrapAt > 0 && Number.isFinite(wrapAt))) {
    throw errors.invalidValue(at(where, 'wrapAt'), `counter modulus ${wrapAt} must be a finite number > 0`);
  }
  const n = readings.length;
  if (n === 0) throw errors.invalidValue(at(where, 'readings'), 'no counter readings');
  let wraps = 0;
  for (let i = 0; i < n; i++) {
    const r = readings[i]!;
    // A reading equal to the modulus is tolerated: sysfs documents the range as
    // [0, max_energy_range_uj], and whether the register wraps at max or max + 1 is a 1 µJ question.
    if (!(r >= 0 && Number.isFinite(r)) || (wrapAt !== undefined && r > wrapAt)) {
      throw errors.invalidValue(at(where, 'readings', i), `counter reading ${r} is not a finite number in [0, ${wrapAt ?? '∞'}]`);
    }
    if (i > 0 && r < readings[i - 1]!) {
      if (wrapAt === undefined) {
        throw errors.invalidValue(
          at(where, 'readings', i),
          `energy counter dropped from ${readings[i - 1]} to ${r}: a reset (driver reload, device reset), so the energy across it is unknown; give wrapAt if the counter wraps`,
        );
      }
      wraps++;
    }
  }
  return wraps;
}

// ---------------------------------------------------------------------------------------
// Sampling and gaps

export interface GapOptions {
  /** An interval is a gap when longer than factor × the median interval or × the mean of the others (default 5, see DEFAULT_GAP_FACTOR). */
  readonly factor?: number;
  /** …and longer than this many seconds (default 0), so a very fast sensor's jitter is not flagged. */
  readonly minGapS?: number;
  readonly where?: Where;
}

/** Sampling intervals tS[i+1] − tS[i], checked positive and finite. */
function intervalsOf(tS: ArrayLike<number>, where: Where): Float64Array {
  const n = tS.length;
  const out = new Float64Array(Math.max(0, n - 1));
  for (let i = 0; i < n; i++) {
    const t = tS[i]!;
    if (!Number.isFinite(t)) throw badTime(where, i, t);
    if (i > 0) {
      const dt = t - tS[i - 1]!;
      if (!(dt > 0)) throw errors.nonMonotonic(at(where, 'tS', i), tS[i - 1]!, t);
      out[i - 1] = dt;
    }
  }
  return out;
}

/** n, median, p95, max and mean sampling interval. Needs at least two samples. */
export function samplingStats(tS: ArrayLike<number>, where: Where = {}): SamplingStats {
  const intervals = intervalsOf(tS, where);
  if (intervals.length === 0) throw errors.invalidValue(at(where, 'tS'), `sampling statistics need at least 2 samples, got ${tS.length}`);
  const sorted = Float64Array.from(intervals).sort();
  return {
    n: tS.length,
    medianIntervalS: quantileSorted(sorted, 0.5),
    p95IntervalS: quantileSorted(sorted, 0.95),
    maxIntervalS: sorted[sorted.length - 1]!,
    meanIntervalS: compensatedSum(intervals) / intervals.length,
  };
}

/**
 * Intervals longer than minGapS and than factor × the median interval — or than factor ×
 * the mean of all the *other* intervals — in time order. Fewer than 2 samples: none.
 *
 * The second test is for short traces, where one hole can drag the median up with it: with
 * 3 samples and a 100 000 s hole the intervals are [1, 100 000] s, the median is 50 000 s and
 * the hole is only 2 × it, yet it is 100 000 × the other interval. The mean of the others
 * (`othersMeanS`) is (span − interval) / (m − 1) for m intervals over the trace's span; it
 * stays near the typical interval however long the hole is, and never flags ordinary jitter:
 * on the study's 150 FULL runs no interval exceeds 4.3 × the mean of the others (T4), below
 * the 4.9 × the median already reaches.
 */
export function detectGaps(tS: ArrayLike<number>, options: GapOptions = {}): Gap[] {
  const where = options.where ?? {};
  const { factor, minGapS } = gapParameters(options, where);
  const intervals = intervalsOf(tS, where);
  if (intervals.length === 0) return [];
  const medianS = quantileSorted(Float64Array.from(intervals).sort(), 0.5);
  const spanS = tS[tS.length - 1]! - tS[0]!;
  const gaps: Gap[] = [];
  for (let i = 0; i < intervals.length; i++) {
    const dt = intervals[i]!;
    if (isGap(dt, medianS, factor, minGapS, othersMeanS(spanS, dt, intervals.length))) gaps.push(makeGap(i, tS[i]!, tS[i + 1]!, medianS));
  }
  return gaps;
}

/**
 * Shared with StreamingEnergy so both judge gaps the same way: longer than minGapS, and
 * longer than factor × the median or than factor × the mean of the other intervals
 * (Infinity when unknown or when there is no other interval).
 */
export function isGap(intervalS: number, medianS: number, factor: number, minGapS: number, othersMeanS = Number.POSITIVE_INFINITY): boolean {
  return intervalS > minGapS && (intervalS > factor * medianS || intervalS > factor * othersMeanS);
}

/** Mean of the other intervals of a trace of `count` intervals spanning `spanS`; Infinity when there are none. */
export function othersMeanS(spanS: number, intervalS: number, count: number): number {
  return count > 1 ? (spanS - intervalS) / (count - 1) : Number.POSITIVE_INFINITY;
}

export function makeGap(index: number, startS: number, endS: number, medianS: number): Gap {
  const durationS = endS - startS;
  return { index, startS, endS, durationS, ratioToMedian: durationS / medianS };
}

export function gapParameters(options: { readonly factor?: number | undefined; readonly minGapS?: number | undefined }, where: Where = {}): { factor: number; minGapS: number } {
  const factor = options.factor ?? DEFAULT_GAP_FACTOR;
  const minGapS = options.minGapS ?? 0;
  if (!(factor >= 1 && Number.isFinite(factor))) throw errors.invalidValue(at(where, 'factor'), `gap factor ${factor} must be a finite number ≥ 1`);
  if (!(minGapS >= 0 && Number.isFinite(minGapS))) throw errors.invalidValue(at(where, 'minGapS'), `minimum gap ${minGapS} s must be a finite number ≥ 0`);
  return { factor, minGapS };
}

// ---------------------------------------------------------------------------------------
// Idle baseline

export interface IdleBaseline {
  /** Time-weighted mean power over the idle window, W. */
  readonly meanPowerW: number;
  readonly durationS: number;
  readonly energyJ: number;
  readonly window: Window;
}

/** Mean idle power from a window of the trace where the device was idle (must lie inside the trace, positive length). */
export function idleBaseline(tS: ArrayLike<number>, powerW: ArrayLike<number>, window: Window, where: Where = {}): IdleBaseline {
  const [t0S, t1S] = window;
  if (!(t1S > t0S)) throw errors.invalidValue(at(where, 'window'), `idle window [${t0S}, ${t1S}] s must have a positive duration`);
  const energyJ = windowEnergyJ(tS, powerW, t0S, t1S, { where });
  const durationS = t1S - t0S;
  return { meanPowerW: energyJ / durationS, durationS, energyJ, window: [t0S, t1S] };
}

export interface EnergySplit {
  readonly totalJ: number;
  /** idlePowerW × durationS: what the device would have used doing nothing. */
  readonly idleJ: number;
  /**
   * totalJ − idleJ, reported as computed. It can be negative (the idle reference was
   * taken in a hotter or higher-clocked state than the run); clamping it to 0 would hide
   * that the baseline does not fit the run.
   */
  readonly dynamicJ: number;
}

/** Split a total energy into idle and above-idle (dynamic) parts. */
export function splitEnergy(totalJ: number, durationS: number, idlePowerW: number, where: Where = {}): EnergySplit {
  if (!Number.isFinite(totalJ)) throw errors.invalidValue(at(where, 'totalJ'), `total energy ${totalJ} J is not finite`);
  if (!(durationS >= 0 && Number.isFinite(durationS))) throw errors.invalidValue(at(where, 'durationS'), `duration ${durationS} s must be a finite number ≥ 0`);
  if (!(idlePowerW >= 0 && Number.isFinite(idlePowerW))) throw errors.invalidValue(at(where, 'idlePowerW'), `idle power ${idlePowerW} W must be a finite number ≥ 0`);
  const idleJ = idlePowerW * durationS;
  return { totalJ, idleJ, dynamicJ: totalJ - idleJ };
}

// ---------------------------------------------------------------------------------------
// Report

export interface EnergyReportOptions {
  /** Window to report on (default: the whole trace); edges interpolated. */
  readonly window?: Window;
  /** See WindowOptions.clamp. */
  readonly clamp?: boolean;
  /** Gap factor (default 5). */
  readonly gapFactor?: number;
  /** Minimum gap duration, s (default 0). */
  readonly minGapS?: number;
  /**
   * Longest sampling interval that may be bridged by linear interpolation, s. Any interval
   * in the window longer than this is a long gap: `onLongGap` decides what happens.
   */
  readonly maxBridgeS?: number;
  /** 'throw' (default): INVALID_VALUE naming the first long gap. 'flag': list them in `longGaps`. */
  readonly onLongGap?: 'throw' | 'flag';
  readonly where?: Where;
}

export interface EnergyReport {
  readonly method: 'trapezoid';
  readonly energyJ: number;
  readonly durationS: number;
  readonly t0S: number;
  readonly t1S: number;
  /** energyJ / durationS (time-weighted). */
  readonly meanPowerW: number;
  /** Highest and lowest power in the window (samples and the interpolated edges). */
  readonly peakPowerW: number;
  readonly minPowerW: number;
  /** Sampling statistics of the whole trace. */
  readonly sampling: SamplingStats;
  /** Gaps (see detectGaps) overlapping the window, bridged linearly in energyJ. */
  readonly gaps: readonly Gap[];
  /** Seconds of the window that lie inside those gaps. */
  readonly gapTotalS: number;
  /** Intervals longer than maxBridgeS overlapping the window (only with onLongGap 'flag'; empty otherwise). */
  readonly longGaps: readonly Gap[];
  readonly parameters: { readonly gapFactor: number; readonly minGapS: number; readonly maxBridgeS: number | null };
}

/** Energy, duration, mean and peak power, sampling statistics and gaps of one trace, in one call. */
export function energyReport(tS: ArrayLike<number>, powerW: ArrayLike<number>, options: EnergyReportOptions = {}): EnergyReport {
  const where = options.where ?? {};
  const n = assertTrace(tS, powerW, where);
  const sampling = samplingStats(tS, where);
  const { factor, minGapS } = gapParameters({ factor: options.gapFactor, minGapS: options.minGapS }, where);
  const maxBridgeS = options.maxBridgeS ?? null;
  if (maxBridgeS !== null && !(maxBridgeS > 0)) throw errors.invalidValue(at(where, 'maxBridgeS'), `maxBridgeS ${maxBridgeS} s must be > 0`);
  const requested = options.window ?? [tS[0]!, tS[n - 1]!];
  const w = resolveWindow(tS, requested[0], requested[1], options.clamp ?? false, where);
  if (w === null) throw errors.invalidValue(at(where, 'window'), `window [${requested[0]}, ${requested[1]}] s does not overlap the sampled range [${tS[0]}, ${tS[n - 1]}] s`);
  const [t0S, t1S] = w;

  const energyJ = integrateWindow(tS, powerW, t0S, t1S);
  const durationS = t1S - t0S;
  const p0 = interpolateAt(tS, powerW, t0S);
  const p1 = interpolateAt(tS, powerW, t1S);
  let peakPowerW = Math.max(p0, p1);
  let minPowerW = Math.min(p0, p1);
  // Intervals overlapping (t0S, t1S): from the one holding t0S to the one ending at or after t1S.
  const first = Math.max(0, bracket(tS, t0S));
  const spanS = tS[n - 1]! - tS[0]!;
  const gaps: Gap[] = [];
  const longGaps: Gap[] = [];
  let gapTotalS = 0;
  for (let i = first; i < n - 1 && tS[i]! < t1S; i++) {
    const a = tS[i]!;
    const b = tS[i + 1]!;
    if (i > first) {
      const p = powerW[i]!;
      if (p > peakPowerW) peakPowerW = p;
      if (p < minPowerW) minPowerW = p;
    }
    const dt = b - a;
    if (isGap(dt, sampling.medianIntervalS, factor, minGapS, othersMeanS(spanS, dt, n - 1))) {
      gaps.push(makeGap(i, a, b, sampling.medianIntervalS));
      gapTotalS += Math.min(b, t1S) - Math.max(a, t0S);
    }
    if (maxBridgeS !== null && dt > maxBridgeS) {
      const gap = makeGap(i, a, b, sampling.medianIntervalS);
      if ((options.onLongGap ?? 'throw') === 'throw') {
        throw errors.invalidValue(
          at(where, 'tS', i + 1),
          `sampling interval of ${dt} s between t = ${a} s and t = ${b} s is longer than maxBridgeS = ${maxBridgeS} s; energy across it would be a guess`,
        );
      }
      longGaps.push(gap);
    }
  }
  return {
    method: 'trapezoid',
    energyJ,
    durationS,
    t0S,
    t1S,
    meanPowerW: durationS > 0 ? energyJ / durationS : p0,
    peakPowerW,
    minPowerW,
    sampling,
    gaps,
    gapTotalS,
    longGaps,
    parameters: { gapFactor: factor, minGapS, maxBridgeS },
  };
}

// ---------------------------------------------------------------------------------------
// Error helpers

function at(where: Where, field: string, index?: number): Where {
  const name = where.field !== undefined ? `${where.field}.${field}` : field;
  return { ...where, field: index === undefined ? name : `${name}[${index}]` };
}

function badTime(where: Where, i: number, t: number) {
  return errors.invalidValue(at(where, 'tS', i), `timestamp ${t} is not a finite number`);
}

function badPower(where: Where, i: number, p: number) {
  return errors.invalidValue(at(where, 'powerW', i), `power ${p} W is not a finite number`);
}
