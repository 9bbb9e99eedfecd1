/**
 * Linear interpolation over a sampled trace. Shared by windowed energy, mean profiles
 * and the study's method, so every part of inferprint interpolates the same way
 * (numpy.interp semantics inside the sampled range).
 */

/** `n` evenly spaced points from a to b inclusive, as numpy.linspace computes them. */
export function linspace(a: number, b: number, n: number): Float64Array {
  const out = new Float64Array(n);
  if (n === 1) {
    out[0] = a;
    return out;
  }
  const step = (b - a) / (n - 1);
  for (let i = 0; i < n; i++) out[i] = a + i * step;
  // numpy sets the last point to `stop` exactly; keep the same so windows end where asked.
  out[n - 1] = b;
  return out;
}

/**
 * Index i such that t[i] <= x < t[i+1], by binary search; -1 when x < t[0] and
 * n-1 when x >= t[n-1]. Requires strictly increasing t.
 */
export function bracket(t: ArrayLike<number>, x: number): number {
  const n = t.length;
  if (n === 0 || x < t[0]!) return -1;
  if (x >= t[n - 1]!) return n - 1;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (t[mid]! <= x) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** Power at time x, linear between samples; clamped to the end values outside (numpy.interp). */
export function interpolateAt(t: ArrayLike<number>, p: ArrayLike<number>, x: number): number {
  const n = t.length;
  if (n === 0) return Number.NaN;
  const i = bracket(t, x);
  if (i < 0) return p[0]!;
  if (i >= n - 1) return p[n - 1]!;
  const t0 = t[i]!;
  const t1 = t[i + 1]!;
  const p0 = p[i]!;
  const p1 = p[i + 1]!;
  return p0 + ((x - t0) * (p1 - p0)) / (t1 - t0);
}

/**
 * Interpolate a trace onto a sorted grid in one linear pass (the grid is usually
 * 1000 points and the trace ~100 samples, so this beats a binary search per point).
 */
export function interpolateOnto(grid: ArrayLike<number>, t: ArrayLike<number>, p: ArrayLike<number>): Float64Array {
  const out = new Float64Array(grid.length);
  const n = t.length;
  if (n === 0) return out.fill(Number.NaN);
  let i = 0;
  for (let k = 0; k < grid.length; k++) {
    const x = grid[k]!;
    if (x <= t[0]!) {
      out[k] = p[0]!;
      continue;
    }
    if (x >= t[n - 1]!) {
      out[k] = p[n - 1]!;
      continue;
    }
    while (t[i + 1]! <= x) i++;
    const t0 = t[i]!;
    const t1 = t[i + 1]!;
    out[k] = p[i]! + ((x - t0) * (p[i + 1]! - p[i]!)) / (t1 - t0);
  }
  return out;
}
