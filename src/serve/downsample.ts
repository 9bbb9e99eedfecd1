/**
 * Min/max downsampling of a power series for plotting. A trace of 10⁶ samples cannot travel to
 * a browser, and averaging would flatten the peaks people look for; so the time span is cut
 * into equal buckets and each bucket keeps its lowest and highest sample (in time order). Every
 * point returned is an original sample, the series' first and last samples are kept, and so
 * are its global minimum and maximum. Pure.
 */

export interface Series {
  /** Seconds, strictly increasing. */
  readonly tS: ArrayLike<number>;
  /** Watts, same length. */
  readonly powerW: ArrayLike<number>;
}

export interface DownsampledSeries {
  readonly tS: number[];
  readonly powerW: number[];
  /** True when points were dropped. */
  readonly downsampled: boolean;
}

/** Smallest `maxPoints` accepted: first, last and one min/max pair. */
export const MIN_POINTS = 4;

/**
 * At most `maxPoints` samples of `s` (≥ MIN_POINTS), chosen per time bucket as its min and max.
 * Series no longer than `maxPoints` come back whole.
 */
export function downsampleMinMax(s: Series, maxPoints: number): DownsampledSeries {
  const n = s.tS.length;
  const cap = Math.max(MIN_POINTS, Math.floor(maxPoints));
  if (n <= cap) return { tS: Array.from(s.tS), powerW: Array.from(s.powerW), downsampled: false };

  const first = 0;
  const last = n - 1;
  const t0 = s.tS[first]!;
  const span = s.tS[last]! - t0;
  // Two points per bucket plus the first and last samples stay within the cap.
  const buckets = Math.floor((cap - 2) / 2);
  const keep: number[] = [first];
  let i = 1;
  for (let b = 0; b < buckets && i < last; b++) {
    const end = b === buckets - 1 ? s.tS[last]! : t0 + (span * (b + 1)) / buckets;
    let lo = -1;
    let hi = -1;
    for (; i < last && (s.tS[i]! < end || b === buckets - 1); i++) {
      const w = s.powerW[i]!;
      if (lo < 0 || w < s.powerW[lo]!) lo = i;
      if (hi < 0 || w > s.powerW[hi]!) hi = i;
    }
    if (lo < 0) continue;
    if (lo === hi) keep.push(lo);
    else keep.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  keep.push(last);
  return { tS: keep.map((k) => s.tS[k]!), powerW: keep.map((k) => s.powerW[k]!), downsampled: true };
}

/** The part of a series inside `[t0S, t1S]` (inclusive), as index bounds `[from, to)`. */
export function sliceByTime(tS: ArrayLike<number>, t0S: number, t1S: number): { from: number; to: number } {
  const lowerBound = (x: number, strict: boolean): number => {
    let lo = 0;
    let hi = tS.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (strict ? tS[mid]! <= x : tS[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return { from: lowerBound(t0S, false), to: lowerBound(t1S, true) };
}
