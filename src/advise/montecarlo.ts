/**
 * Uncertainty of the fleet model: seeded Monte Carlo over every ranged input, and a
 * one-at-a-time sensitivity (a tornado's data). Pure.
 *
 * Draws: a continuous input with a range is triangular on [min, max] with its mode at the
 * value (the value is the best estimate, the ends are possible but less likely); discrete
 * alternatives (the embodied model's candidates) are equally likely. Inputs with the same key
 * take the same draw in every deployment (common random numbers: two deployments on the same
 * grid see the same grid), so "P(A emits less than B)" reflects what differs between them.
 */
import { Mt19937 } from '../benchmark/loadgen/mt19937.js';
import { quantileSorted } from '../traces/stats.js';
import type { UncertainInput } from './resolve.js';

const TWO_POW_32 = 4294967296;

/** A uniform draw in [0, 1) from the seeded generator. */
export function uniforms(seed: number): () => number {
  const mt = new Mt19937(seed);
  return () => mt.nextUint32() / TWO_POW_32;
}

/** Inverse CDF of the triangular distribution on [min, max] with mode `mode`. */
export function triangular(min: number, mode: number, max: number, u: number): number {
  if (max <= min) return mode;
  const c = (mode - min) / (max - min);
  return u < c ? min + Math.sqrt(u * (max - min) * (mode - min)) : max - Math.sqrt((1 - u) * (max - min) * (max - mode));
}

/** One input at the uniform `u`. */
export function drawInput(x: UncertainInput, u: number): number {
  if (x.candidates && x.candidates.length > 0) return x.candidates[Math.min(x.candidates.length - 1, Math.floor(u * x.candidates.length))]!;
  return triangular(x.min, x.value, x.max, u);
}

/** Whether an input can move at all (a range, or several candidates). */
export function isRanged(x: UncertainInput): boolean {
  return x.min < x.max || (x.candidates !== undefined && new Set(x.candidates).size > 1);
}

/** The low and high ends an input swings between in the sensitivity table. */
export function inputEnds(x: UncertainInput): [number, number] {
  if (x.candidates && x.candidates.length > 0) return [Math.min(...x.candidates), Math.max(...x.candidates)];
  return [x.min, x.max];
}

export interface Figure {
  /** The estimate from the inputs as given (each at its value; embodied: the mean of its candidates). */
  readonly value: number;
  readonly p5: number;
  readonly p50: number;
  readonly p95: number;
}

/** P5/P50/P95 of draws (type-7 quantiles of a sorted copy), around the point value. No draws: all equal the value. */
export function figure(value: number, draws: Float64Array | undefined): Figure {
  if (!draws || draws.length === 0) return { value, p5: value, p50: value, p95: value };
  const sorted = Float64Array.from(draws).sort();
  return { value, p5: quantileSorted(sorted, 0.05), p50: quantileSorted(sorted, 0.5), p95: quantileSorted(sorted, 0.95) };
}

/**
 * Run `draws` draws: for each, one uniform per distinct input key, then `evaluate(d, values)`
 * for every deployment `d`, `values[j]` being the drawn value of its input `j`. Returns, per
 * deployment, one Float64Array per output of `evaluate`.
 */
export function simulate<K extends string>(
  deployments: readonly (readonly UncertainInput[])[],
  outputs: readonly K[],
  evaluate: (d: number, values: Float64Array) => Readonly<Record<K, number>>,
  draws: number,
  seed: number,
): Record<K, Float64Array>[] {
  const keys = [...new Set(deployments.flatMap((inputs) => inputs.filter(isRanged).map((x) => x.key)))];
  const slot = new Map(keys.map((k, i) => [k, i]));
  // Per deployment and input: its uniform's slot, or -1 for an input that does not move.
  const slots = deployments.map((inputs) => inputs.map((x) => (isRanged(x) ? slot.get(x.key)! : -1)));
  const values = deployments.map((inputs) => Float64Array.from(inputs, (x) => x.value));
  const u = new Float64Array(keys.length);
  const next = uniforms(seed);
  const out = deployments.map(() => Object.fromEntries(outputs.map((k) => [k, new Float64Array(draws)])) as Record<K, Float64Array>);
  for (let i = 0; i < draws; i++) {
    for (let k = 0; k < u.length; k++) u[k] = next();
    for (let d = 0; d < deployments.length; d++) {
      const inputs = deployments[d]!;
      const s = slots[d]!;
      const v = values[d]!;
      for (let j = 0; j < inputs.length; j++) if (s[j]! >= 0) v[j] = drawInput(inputs[j]!, u[s[j]!]!);
      const r = evaluate(d, v);
      for (const k of outputs) out[d]![k][i] = r[k];
    }
  }
  return out;
}

/** Share of paired draws where `a` is below `b` (ties count half). */
export function probabilityBelow(a: Float64Array, b: Float64Array): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return Number.NaN;
  let k = 0;
  for (let i = 0; i < n; i++) k += a[i]! < b[i]! ? 1 : a[i] === b[i] ? 0.5 : 0;
  return k / n;
}
