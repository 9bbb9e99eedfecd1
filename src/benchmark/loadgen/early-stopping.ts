/**
 * LoadGen's early-stopping estimate (v4.1 `early_stopping.cc` and `PerformanceSummary::EarlyStopping`).
 *
 * Early stopping replaces "run 600 s at a fixed query count" by a binomial bound: among n
 * queries, if at most t exceed a latency L, how sure are we that the true p-th percentile is
 * below L? LoadGen finds, for each t, the smallest h such that P(≤ t over-latency queries among
 * h + t) < 1 − c, and reports the latency of the (t-1)-th highest query as the percentile
 * estimate. The search itself is memoised and its bracket depends on previous answers, so the
 * result is only reproducible by doing the same sequence of searches in the same order with
 * the same floating-point expressions — which is what this module does, operation by
 * operation. Pure: numbers in, numbers out.
 */
import { errors } from '../../errors.js';

/** LoadGen's fixed confidence and tolerance (results.cc: `confidence = 0.99`, `tolerance = 0.0`). */
export const EARLY_STOPPING_CONFIDENCE = 0.99;
export const EARLY_STOPPING_TOLERANCE = 0.0;
/** SingleStream also estimates this percentile, to infer MultiStream from a SingleStream run. */
export const MULTI_STREAM_INFERENCE_PERCENTILE = 0.99;

// ---------------------------------------------------------------------------------------------
// Numerics

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
// (n-1)! is exact in a double up to 18!, so its log is correctly rounded: lgamma(1) = lgamma(2) = 0 exactly, as glibc gives.
const EXACT_FACTORIAL_MAX_ARG = 19;
const STIRLING_MIN_ARG = 15;

/**
 * log Γ(x) for x > 0, to about one ulp of the result: exact factorials for small integers,
 * upward recurrence to x ≥ 15, then the Stirling series (truncation error below 1e-19 there).
 * LoadGen calls glibc `lgamma` only on positive integers (query counts).
 */
export function lgamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw errors.invalidValue({ field: 'lgamma' }, `argument must be positive and finite, got ${x}`);
  if (Number.isInteger(x) && x <= EXACT_FACTORIAL_MAX_ARG) {
    let f = 1;
    for (let k = 2; k < x; k++) f *= k;
    return Math.log(f);
  }
  let shift = 0;
  let z = x;
  if (z < STIRLING_MIN_ARG) {
    let prod = 1;
    while (z < STIRLING_MIN_ARG) {
      prod *= z;
      z += 1;
    }
    shift = Math.log(prod);
  }
  const inv = 1 / z;
  const inv2 = inv * inv;
  // Bernoulli terms B_2k / (2k(2k-1) z^(2k-1)), k = 1..7, Horner in 1/z².
  const series =
    inv *
    (1 / 12 +
      inv2 * (-1 / 360 + inv2 * (1 / 1260 + inv2 * (-1 / 1680 + inv2 * (1 / 1188 + inv2 * (-691 / 360360 + inv2 * (1 / 156)))))));
  return (z - 0.5) * Math.log(z) - z + HALF_LOG_2PI + series - shift;
}

/** log B(x, y) as LoadGen writes it: `lgamma(x) + lgamma(y) - lgamma(x + y)`. */
export function lbeta(x: number, y: number): number {
  return lgamma(x) + lgamma(y) - lgamma(x + y);
}

const HYPERGEOMETRIC_TOLERANCE = 1 / 2 ** 33;

/** ₂F₁(1, b; c; x) by its power series (DLMF 15.2.1), stopping when a term falls to 2^-33. */
export function hypergeometric2F1A1(b: number, c: number, x: number): number {
  let term = 1.0;
  let result = 1.0;
  for (let i = 0; Math.abs(term) > HYPERGEOMETRIC_TOLERANCE; ++i) {
    // Same grouping as the C++: ((b + i) * x) / (c + i), then multiplied into term.
    term *= ((b + i) * x) / (c + i);
    result += term;
  }
  return result;
}

/** Regularised incomplete beta I_x(a, b) for integer a, b, through DLMF 15.8.1 as LoadGen does. */
export function betaRegularized(x: number, a: number, b: number): number {
  return (Math.exp(a * Math.log(x) + (b - 1) * Math.log(1 - x) - lbeta(a, b)) / a) * hypergeometric2F1A1(1 - b, 1 + a, x / (x - 1));
}

/** Probability of t or fewer over-latency queries among h + t when each is under latency with probability p − d. */
export function earlyStoppingOdds(h: number, t: number, p: number, d: number): number {
  return betaRegularized(p - d, h, 1 + t);
}

/** Smallest h in [minH, maxH] with odds(h) < 1 − c (a lower_bound over a monotone predicate); maxH when none is. */
export function findMinPassing(minH: number, maxH: number, t: number, p: number, d: number, c: number): number {
  let lo = minH;
  let count = maxH - minH;
  while (count > 0) {
    const step = Math.trunc(count / 2);
    const h = lo + step;
    if (earlyStoppingOdds(h, t, p, d) < 1 - c) {
      count = step;
    } else {
      lo = h + 1;
      count -= step + 1;
    }
  }
  return lo;
}

interface Cache {
  /** Keys (t) in increasing order, mirroring the C++ `std::map<int64_t, int64_t>`. */
  readonly ts: number[];
  readonly hs: Map<number, number>;
}

/**
 * `MinPassingQueriesFinder`: the minimum h passing for a given t, memoised per (p, d, c).
 * The bracket of each search is extrapolated from the two cached answers just below t, so a
 * finder's answers depend on what it was asked before — use one finder per summary, asked in
 * LoadGen's order (this is why `percentileEarlyStopping` takes the finder as an argument).
 */
export class MinPassingQueriesFinder {
  private readonly caches = new Map<string, Cache>();

  find(t: number, p: number, d: number, c: number): number {
    const id = `${p}|${d}|${c}`;
    let cache = this.caches.get(id);
    if (cache === undefined) {
      cache = { ts: [], hs: new Map() };
      this.caches.set(id, cache);
    }
    const hit = cache.hs.get(t);
    if (hit !== undefined) return hit;

    // Position of the first cached key ≥ t (std::map::lower_bound).
    let pos = 0;
    let end = cache.ts.length;
    while (pos < end) {
      const mid = (pos + end) >>> 1;
      if (cache.ts[mid]! < t) pos = mid + 1;
      else end = mid;
    }

    let x0 = -1;
    let y0 = 0;
    let x1 = 0;
    let y1 = Math.ceil(Math.log(1 - c) / Math.log(p - d));
    if (pos > 0) {
      x1 = cache.ts[pos - 1]!;
      y1 = cache.hs.get(x1)!;
    }
    if (pos > 1) {
      x0 = cache.ts[pos - 2]!;
      y0 = cache.hs.get(x0)!;
    }
    const minSlope = (p - d) / (1 - p + d);
    // Upstream multiplies where a slope would divide; kept as is, it only widens the bracket.
    const maxSlope = (y1 - y0) * (x1 - x0);
    const minH = Math.trunc((t - x1) * minSlope + y1);
    const maxH = Math.trunc((t - x1) * maxSlope + y1 + 1);
    const h = findMinPassing(minH, maxH, t, p, d, c);
    cache.ts.splice(pos, 0, t);
    cache.hs.set(t, h);
    return h;
  }
}

// ---------------------------------------------------------------------------------------------
// Estimates

/** Outcome of the percentile estimate SingleStream (p90 and p99) and MultiStream (p99) compute. */
export type PercentileEarlyStopping =
  | {
      readonly kind: 'too-few';
      readonly percentile: number;
      readonly queriesIssued: number;
      /** h_min + 1: the fewest queries for which an estimate exists (64 at p90, 662 at p99). */
      readonly queriesNeeded: number;
    }
  | {
      readonly kind: 'estimated';
      readonly percentile: number;
      readonly queriesIssued: number;
      readonly queriesNeeded: number;
      /** How many of the highest latencies the estimate skips (t − 1). */
      readonly discarded: number;
      /** sorted[queriesIssued − t]: the estimate of the percentile, ns. */
      readonly estimateNs: number;
    };

/** Fewest queries for which LoadGen can give an early-stopping estimate of percentile p (64 for p90, 662 for p99). */
export function queriesNeededForEarlyStopping(percentile: number, finder = new MinPassingQueriesFinder()): number {
  return finder.find(1, percentile, EARLY_STOPPING_TOLERANCE, EARLY_STOPPING_CONFIDENCE) + 1;
}

/**
 * How many of the highest latencies LoadGen discards for n queries at percentile p (t − 1);
 * undefined when n is below `queriesNeededForEarlyStopping(p)`. 0, 4, 13 and 11 483 for
 * n = 64, 128, 256 and 117 237 at p90.
 */
export function earlyStoppingDiscards(queriesIssued: number, percentile: number, finder = new MinPassingQueriesFinder()): number | undefined {
  const t = overLatencyAllowance(queriesIssued, percentile, finder);
  return t === undefined ? undefined : t - 1;
}

/** The t of `EarlyStopping`: 1 + the number of discarded queries, or undefined when too few queries. */
function overLatencyAllowance(n: number, p: number, finder: MinPassingQueriesFinder): number | undefined {
  const d = EARLY_STOPPING_TOLERANCE;
  const c = EARLY_STOPPING_CONFIDENCE;
  const hMin = finder.find(1, p, d, c);
  if (n < hMin + 1) return undefined;
  let t = 1;
  for (let i = 2; i < n + 1; ++i) {
    const h = finder.find(i, p, d, c);
    if (n < h + i) {
      t = i - 1;
      break;
    }
  }
  return t;
}

/**
 * The early-stopping percentile estimate over latencies sorted ascending, for `queriesIssued`
 * queries. Pass one finder for all the estimates of one summary, in LoadGen's order.
 */
export function percentileEarlyStopping(
  sortedLatenciesNs: ArrayLike<number>,
  queriesIssued: number,
  percentile: number,
  finder: MinPassingQueriesFinder = new MinPassingQueriesFinder(),
): PercentileEarlyStopping {
  if (!Number.isSafeInteger(queriesIssued) || queriesIssued < 0) {
    throw errors.invalidValue({ field: 'queriesIssued' }, `expected a non-negative integer, got ${queriesIssued}`);
  }
  const queriesNeeded = queriesNeededForEarlyStopping(percentile, finder);
  const t = overLatencyAllowance(queriesIssued, percentile, finder);
  if (t === undefined) return { kind: 'too-few', percentile, queriesIssued, queriesNeeded };
  const index = queriesIssued - t;
  if (index < 0 || index >= sortedLatenciesNs.length) {
    throw errors.invalidValue({ field: 'sortedLatenciesNs' }, `${sortedLatenciesNs.length} latencies for ${queriesIssued} queries: no entry ${index}`);
  }
  return { kind: 'estimated', percentile, queriesIssued, queriesNeeded, discarded: t - 1, estimateNs: sortedLatenciesNs[index]! };
}

/** Server early stopping: t over-latency queries need h + t queries in all. */
export interface ServerEarlyStopping {
  readonly percentile: number;
  readonly queriesIssued: number;
  readonly overlatencyCount: number;
  /** h + t: queries needed for the run to pass with this many over-latency queries. */
  readonly queriesNeeded: number;
  readonly met: boolean;
}

export function serverEarlyStopping(
  overlatencyCount: number,
  queriesIssued: number,
  percentile: number,
  finder: MinPassingQueriesFinder = new MinPassingQueriesFinder(),
): ServerEarlyStopping {
  const h = finder.find(overlatencyCount, percentile, EARLY_STOPPING_TOLERANCE, EARLY_STOPPING_CONFIDENCE);
  const queriesNeeded = h + overlatencyCount;
  return { percentile, queriesIssued, overlatencyCount, queriesNeeded, met: queriesIssued >= queriesNeeded };
}
