/**
 * Statistics over repeated runs: mean, sample standard deviation and a Student-t 95 %
 * confidence interval, plus the quantile helpers sampling statistics need.
 *
 * Pure: no I/O. The Student t quantile is computed here (regularised incomplete beta,
 * inverted by safeguarded Newton) rather than taken from a table, so any number of
 * runs gets an exact interval, not the nearest tabulated one.
 */
import { errors, type Where } from '../errors.js';

/** Summary of one sample of values (e.g. per-run energies in J). */
export interface Summary {
  readonly n: number;
  readonly mean: number;
  /** Sample standard deviation (n − 1 denominator); null when n = 1, where it is undefined. */
  readonly sd: number | null;
  /** Standard error of the mean, sd / √n; null when n = 1. */
  readonly sem: number | null;
  /** Two-sided 95 % Student-t interval of the mean (n − 1 degrees of freedom); null when n = 1. */
  readonly ci95: ConfidenceInterval | null;
  readonly min: number;
  readonly max: number;
}

export interface ConfidenceInterval {
  readonly lo: number;
  readonly hi: number;
  /** t(0.975, n − 1) × sem; lo = mean − halfWidth, hi = mean + halfWidth. */
  readonly halfWidth: number;
}

/**
 * Mean, sample sd, sem, Student-t 95 % CI, min and max of `values`.
 * Throws INVALID_VALUE on an empty sample or a non-finite value: a NaN energy means an
 * upstream bug, and averaging it away would hide it.
 */
export function summarize(values: ArrayLike<number>, where: Where = {}): Summary {
  const n = values.length;
  if (n === 0) throw errors.invalidValue({ field: 'values', ...where }, 'no values to summarize');
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw errors.invalidValue({ field: `values[${i}]`, ...where }, `value ${v} is not a finite number`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = compensatedSum(values) / n;
  if (n === 1) return { n, mean, sd: null, sem: null, ci95: null, min, max };
  // Two-pass variance: the squared deviations are summed after the mean is known, which
  // avoids the cancellation of the textbook Σx² − n·mean² on values with a large offset
  // (energies of ~1000 J that differ by ~1 J).
  let ss = 0;
  let comp = 0;
  for (let i = 0; i < n; i++) {
    const d = values[i]! - mean;
    const term = d * d;
    const s = ss + term;
    comp += Math.abs(ss) >= Math.abs(term) ? ss - s + term : term - s + ss;
    ss = s;
  }
  const sd = Math.sqrt((ss + comp) / (n - 1));
  const sem = sd / Math.sqrt(n);
  const halfWidth = studentTQuantile(0.975, n - 1) * sem;
  return { n, mean, sd, sem, ci95: { lo: mean - halfWidth, hi: mean + halfWidth, halfWidth }, min, max };
}

/**
 * Sum with Neumaier's compensation: the rounding error of each addition is carried
 * separately, so summing 10^7 samples loses no more than a couple of ulps.
 */
export function compensatedSum(values: ArrayLike<number>): number {
  let sum = 0;
  let comp = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    const s = sum + v;
    comp += Math.abs(sum) >= Math.abs(v) ? sum - s + v : v - s + sum;
    sum = s;
  }
  return sum + comp;
}

/**
 * Quantile of already sorted values with linear interpolation between order statistics
 * (Hyndman & Fan type 7, numpy's default), so the median of an even count is the mean of
 * the two middle values. Requires at least one value and 0 ≤ p ≤ 1.
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) throw errors.invalidValue({ field: 'values' }, 'quantile of an empty sample');
  if (!(p >= 0 && p <= 1)) throw errors.invalidValue({ field: 'p' }, `quantile probability ${p} is outside [0, 1]`);
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  const a = sorted[lo]!;
  return a + (h - lo) * (sorted[hi]! - a);
}

/** Median (type-7 quantile at 0.5) of unsorted values; sorts a copy. */
export function median(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  return quantileSorted(sorted, 0.5);
}

// ---------------------------------------------------------------------------------------
// Student t distribution

/**
 * CDF of Student's t with `df` degrees of freedom (df > 0, not necessarily an integer):
 * P(T ≤ t) = 1 − ½·I_x(df/2, ½) for t ≥ 0 with x = df / (df + t²), mirrored for t < 0.
 */
export function studentTCdf(t: number, df: number): number {
  assertDf(df);
  if (Number.isNaN(t)) throw errors.invalidValue({ field: 't' }, 't is NaN');
  if (t === 0) return 0.5;
  const tail = studentTUpperTail(Math.abs(t), df);
  return t > 0 ? 1 - tail : tail;
}

/**
 * Quantile of Student's t: the t with P(T ≤ t) = p, for 0 < p < 1 and df > 0.
 * df 1 (Cauchy) and 2 have closed forms; otherwise the upper tail ½·I_x(df/2, ½) is
 * inverted by Newton's method on t, kept inside a bracket with bisection, to about
 * 1e-14 relative (scipy agrees to 1e-12 on the tested values).
 */
export function studentTQuantile(p: number, df: number): number {
  assertDf(df);
  if (!(p > 0 && p < 1)) throw errors.invalidValue({ field: 'p' }, `t quantile probability ${p} is outside (0, 1)`);
  if (p === 0.5) return 0;
  // Work with the smaller tail probability so extreme quantiles keep their precision.
  const upper = p > 0.5;
  const tail = upper ? 1 - p : p;
  const t = upperTailQuantile(tail, df);
  return upper ? t : -t;
}

function assertDf(df: number): void {
  if (!(df > 0 && Number.isFinite(df))) throw errors.invalidValue({ field: 'df' }, `degrees of freedom ${df} must be a finite number > 0`);
}

/** P(T > t) for t > 0. */
function studentTUpperTail(t: number, df: number): number {
  const t2 = t * t;
  // Both x and 1 − x are formed directly from t, so neither suffers cancellation.
  const x = df / (df + t2);
  const y = t2 / (df + t2);
  return 0.5 * regularizedIncompleteBeta(df / 2, 0.5, x, y);
}

/** Density of Student's t at t. */
function studentTPdf(t: number, df: number): number {
  return Math.exp(-lnBeta(df / 2, 0.5) - 0.5 * Math.log(df) - ((df + 1) / 2) * Math.log1p((t * t) / df));
}

/** The t > 0 whose upper tail probability is `tail` (0 < tail < 0.5). */
function upperTailQuantile(tail: number, df: number): number {
  // Closed forms, exact up to rounding.
  if (df === 1) return 1 / Math.tan(Math.PI * tail);
  if (df === 2) {
    const q = 1 - 2 * tail; // = 2p − 1 for p = 1 − tail
    return q / Math.sqrt(2 * tail * (1 - tail));
  }
  // Bracket [lo, hi] with S(lo) ≥ tail > S(hi), found by doubling or halving from t = 1.
  let lo = 1;
  let hi = 1;
  if (studentTUpperTail(1, df) > tail) {
    do {
      lo = hi;
      hi *= 2;
      if (!Number.isFinite(hi)) throw errors.internal(`t quantile: no upper bracket for tail ${tail}, df ${df}`);
    } while (studentTUpperTail(hi, df) > tail);
  } else {
    do {
      hi = lo;
      lo /= 2;
      if (lo === 0) return hi;
    } while (studentTUpperTail(lo, df) <= tail);
  }
  // Safeguarded Newton: S is decreasing with S'(t) = −pdf(t).
  let t = 0.5 * (lo + hi);
  for (let iter = 0; iter < 200; iter++) {
    const f = studentTUpperTail(t, df) - tail;
    if (f === 0) return t;
    if (f > 0) lo = t;
    else hi = t;
    let next = t + f / studentTPdf(t, df);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    if (Math.abs(next - t) <= 1e-15 * t || hi - lo <= 2e-16 * hi) return next;
    t = next;
  }
  throw errors.internal(`t quantile did not converge for tail ${tail}, df ${df}`);
}

/**
 * Regularised incomplete beta I_x(a, b), given x and y = 1 − x separately (callers can
 * often form y without cancellation). Continued fraction (modified Lentz) on the side of
 * the distribution where it converges fast, and the symmetry I_x(a,b) = 1 − I_y(b,a) on
 * the other.
 */
export function regularizedIncompleteBeta(a: number, b: number, x: number, y: number = 1 - x): number {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const lnFront = a * Math.log(x) + b * Math.log(y) - lnBeta(a, b);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(a, b, x)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(b, a, y)) / b;
}

const TINY = 1e-300;

function betaContinuedFraction(a: number, b: number, x: number): number {
  // Iterations grow like √max(a, b); df up to ~10^8 stays well inside this cap.
  const maxIter = 20000;
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= maxIter; m++) {
    const m2 = 2 * m;
    // Even step of the continued fraction.
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    // Odd step.
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) return h;
  }
  throw errors.internal(`incomplete beta continued fraction did not converge (a ${a}, b ${b}, x ${x})`);
}

function lnBeta(a: number, b: number): number {
  return lnGamma(a) + lnGamma(b) - lnGamma(a + b);
}

// Lanczos approximation, g = 7, nine coefficients: ~1e-15 relative for x > 0.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
] as const;

/** ln Γ(x) for x > 0. */
export function lnGamma(x: number): number {
  if (x < 0.5) {
    // Reflection: Γ(x)Γ(1 − x) = π / sin(πx); the series is accurate only for x ≥ ½.
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  }
  const z = x - 1;
  let s = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) s += LANCZOS[i]! / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}
