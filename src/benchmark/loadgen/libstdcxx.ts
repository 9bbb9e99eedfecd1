/**
 * The random distributions and `std::shuffle` exactly as GCC's libstdc++ computes them over a
 * 32-bit generator (`std::mt19937`), so that a LoadGen run reproduces the sample order of a
 * real one bit for bit.
 *
 * The C++ standard fixes `mt19937`'s output but not how `uniform_int_distribution`,
 * `shuffle` or `exponential_distribution` turn it into values; each standard library has its
 * own algorithm. libstdc++ itself changed `uniform_int_distribution`'s downscaling between
 * releases, and both versions matter to us:
 *
 * - `libstdcxx-lemire`: GCC 12's `bits/uniform_int_dist.h` uses Lemire's "nearly
 *   divisionless" method (`_S_nd`) whenever the generator spans exactly 32 bits. The v4.1 LoadGen logs were made with it; so is this
 *   machine's g++ 12.2 / libstdc++ 12.
 * - `libstdcxx-div`: older libstdc++ (before `_S_nd` existed) always took what GCC 12 still
 *   keeps as the "fallback case (2 divisions)": rejection below `range * (2^32-1 / range)`,
 *   then one division. The v1.1 LoadGen logs were made with it.
 *
 * `std::shuffle` is the same in both: libstdc++'s version that draws two swap positions per
 * generator call when the range is small enough (see `shuffle`); the v1.1 logs show their
 * older libstdc++ already had it. Which GCC release introduced each change is not checked
 * here: the variant names what a build computes, not a compiler version.
 *
 * Every function here is written against a generator whose range is exactly [0, 2^32 - 1]
 * (`RandomBits32`); that is what selects these code paths in libstdc++. Hot paths stay on
 * 32-bit integers and exact doubles, no BigInt. Pure: no I/O.
 */
import { errors } from '../../errors.js';
import type { RandomBits32 } from './mt19937.js';

/** Which libstdc++ `uniform_int_distribution` downscaling to mirror (see the module comment). */
export const LIBSTDCXX_VARIANTS = ['libstdcxx-lemire', 'libstdcxx-div'] as const;
export type LibstdcxxVariant = (typeof LIBSTDCXX_VARIANTS)[number];

const TWO_POW_32 = 4294967296;
const URNG_RANGE = 0xffffffff; // mt19937::max() - mt19937::min()

/**
 * High 32 bits of `x * range` for uint32 x and range, given the exact low word `low`. The
 * double product is off from the true one by at most 2^10 (half an ulp below 2^64), the
 * subtraction adds at most 2^10 more, so after the exact division by 2^32 the value is
 * within 2^-21 of the true high word and rounding recovers it. (Cross-checked against BigInt
 * and against g++ in the tests.)
 */
function mulHigh32(x: number, range: number, low: number): number {
  return Math.round((x * range - low) / TWO_POW_32);
}

/**
 * libstdc++ `_S_nd<uint64_t>(g, range)`: Lemire's method. `range` in [1, 2^32 - 1].
 * The 64-bit product `g() * range`: its high word is the result unless its low word falls
 * under `threshold = (2^32 - range) % range`, which is computed only when the low word is
 * below `range` (the rare case), exactly as the header orders it.
 */
function lemireBelow(rng: RandomBits32, range: number): number {
  let x = rng.nextUint32();
  let low = Math.imul(x, range) >>> 0;
  if (low < range) {
    const threshold = (TWO_POW_32 - range) % range;
    while (low < threshold) {
      x = rng.nextUint32();
      low = Math.imul(x, range) >>> 0;
    }
  }
  return mulHigh32(x, range, low);
}

/**
 * libstdc++'s "fallback case (2 divisions)": `scaling = urngrange / range`,
 * `past = range * scaling`, redraw while `g() >= past`, return `g() / scaling`.
 */
function divisionBelow(rng: RandomBits32, range: number): number {
  const scaling = Math.floor(URNG_RANGE / range);
  const past = range * scaling;
  let x: number;
  do x = rng.nextUint32();
  while (x >= past);
  return Math.floor(x / scaling);
}

/**
 * A uniform integer in [0, count), for 1 <= count <= 2^32: the body of
 * `uniform_int_distribution::operator()` with `urange = count - 1`. When `count` is 2^32 the
 * generator's range equals the requested one and libstdc++ returns `g()` unchanged;
 * otherwise it downscales with the chosen variant.
 */
export function uniformBelow(rng: RandomBits32, count: number, variant: LibstdcxxVariant): number {
  if (count === TWO_POW_32) return rng.nextUint32();
  if (!(Number.isInteger(count) && count >= 1 && count < TWO_POW_32)) {
    throw errors.invalidValue({ field: 'count' }, `uniform draw over ${count} values: expected an integer in [1, 2^32]`);
  }
  return variant === 'libstdcxx-lemire' ? lemireBelow(rng, count) : divisionBelow(rng, count);
}

/**
 * The downscaling function of a variant, for hot loops: `draw(rng, count)` is
 * `uniformBelow(rng, count, variant)` without the argument checks, so `count` must be an
 * integer in [1, 2^32 - 1].
 */
export function downscalerOf(variant: LibstdcxxVariant): (rng: RandomBits32, count: number) => number {
  return variant === 'libstdcxx-lemire' ? lemireBelow : divisionBelow;
}

/**
 * `std::uniform_int_distribution<int>(a, b)(g)`: a, b int32 with a <= b. libstdc++ works in
 * the common unsigned type (`unsigned long`), so the span `b - a` may reach 2^32 - 1 and the
 * result is `a + offset`, as C++'s wrapping arithmetic gives it back.
 */
export function uniformInt(rng: RandomBits32, a: number, b: number, variant: LibstdcxxVariant): number {
  if (!(isInt32(a) && isInt32(b) && a <= b)) {
    throw errors.invalidValue({ field: 'range' }, `uniform_int_distribution<int>(${a}, ${b}): expected int32 bounds with a <= b`);
  }
  return a + uniformBelow(rng, b - a + 1, variant);
}

function isInt32(v: number): boolean {
  return Number.isInteger(v) && v >= -2147483648 && v <= 2147483647;
}

const U64_MASK_BITS = 64;
const U32_SPAN = 0x100000000n;

/**
 * `std::uniform_int_distribution<uint64_t>(a, b)(g)` over a 32-bit generator, as `bigint`.
 * Below 2^32 values it downscales like `uniformBelow`; above, libstdc++ "upscales": it draws
 * the high part recursively from `[0, urange / 2^32]` and then one more `g()` for the low
 * word, rejecting the sum when it passes `urange` or wrapped. Not for hot loops.
 */
export function uniformUint64(rng: RandomBits32, a: bigint, b: bigint, variant: LibstdcxxVariant): bigint {
  if (!(a >= 0n && b >= a && b < 1n << 64n)) {
    throw errors.invalidValue({ field: 'range' }, `uniform_int_distribution<uint64_t>(${a}, ${b}): expected 0 <= a <= b < 2^64`);
  }
  const urange = b - a;
  let ret: bigint;
  if (urange < U32_SPAN) {
    ret = BigInt(uniformBelow(rng, Number(urange) + 1, variant));
  } else {
    let tmp: bigint;
    do {
      tmp = BigInt.asUintN(U64_MASK_BITS, U32_SPAN * uniformUint64(rng, 0n, urange / U32_SPAN, variant));
      ret = BigInt.asUintN(U64_MASK_BITS, tmp + BigInt(rng.nextUint32()));
    } while (ret > urange || ret < tmp);
  }
  return BigInt.asUintN(U64_MASK_BITS, ret + a);
}

/** What `shuffle` permutes: a plain array or a typed array, in place. */
export interface MutableIndexed<T> {
  readonly length: number;
  [index: number]: T;
}

function swap<T>(items: MutableIndexed<T>, i: number, j: number): void {
  const t = items[i]!;
  items[i] = items[j]!;
  items[j] = t;
}

/**
 * `std::shuffle(first, last, g)` as libstdc++ (`bits/stl_algo.h`, GCC 12) does it.
 *
 * When `urngrange / n >= n` (n <= 65535 for a 32-bit generator) it saves generator calls by
 * drawing two swap positions at once (`__gen_two_uniform_ints`): for an even n it first swaps
 * element 1 with element `uniform(0, 1)`; then for each pair (i, i+1) it draws one
 * `x = uniform(0, (i+1)(i+2) - 1)` and swaps element i with `x / (i+2)` and element i+1
 * with `x % (i+2)`. Larger ranges take the classic Fisher–Yates walk, element i swapped
 * with `uniform(0, i)` for i = 1..n-1. Both draw through `uniform_int_distribution`, so the
 * variant matters here too.
 */
export function shuffle<T>(items: MutableIndexed<T>, rng: RandomBits32, variant: LibstdcxxVariant): void {
  const n = items.length;
  if (n === 0) return;
  const below = downscalerOf(variant);
  if (Math.floor(URNG_RANGE / n) >= n) {
    let i = 1;
    if (n % 2 === 0) {
      swap(items, i, below(rng, 2));
      i++;
    }
    while (i < n) {
      const b0 = i + 1; // positions 0..i for element i
      const b1 = i + 2; // positions 0..i+1 for element i+1
      const x = below(rng, b0 * b1);
      swap(items, i, Math.floor(x / b1));
      swap(items, i + 1, x % b1);
      i += 2;
    }
    return;
  }
  // n > 65535 here, and an array holds fewer than 2^32 elements, so i + 1 < 2^32.
  for (let i = 1; i < n; i++) swap(items, i, below(rng, i + 1));
}

const TWO_POW_64 = 18446744073709551616;
/** `std::nextafter(1.0, 0.0)`. */
const LARGEST_BELOW_ONE = 1 - 2 ** -53;

/**
 * `std::generate_canonical<double, 53>(g)` for a 32-bit generator (libstdc++ `random.tcc`):
 * k = ceil(53 / 32) = 2 draws, `sum = g1 + g2 * 2^32` rounded once to double, divided by
 * 2^64; a result that rounds up to 1 is replaced by the largest double below 1 (the fix for
 * LWG 2524). Identical in both variants.
 */
export function generateCanonical(rng: RandomBits32): number {
  const first = rng.nextUint32();
  const second = rng.nextUint32();
  const u = (first + second * TWO_POW_32) / TWO_POW_64;
  return u >= 1 ? LARGEST_BELOW_ONE : u;
}

/** `std::uniform_real_distribution<double>(a, b)(g)`: `canonical * (b - a) + a`. */
export function uniformReal(rng: RandomBits32, a: number, b: number): number {
  return generateCanonical(rng) * (b - a) + a;
}

/**
 * `std::exponential_distribution<double>(lambda)(g)`: `-log(1 - canonical) / lambda`.
 * `Math.log` (V8's fdlibm port) and glibc's `log` are both faithfully rounded and agreed over
 * two million LoadGen Server draws, but neither is guaranteed correctly rounded, so a rare
 * one-ulp difference (and then a 1 ns difference after truncation) stays possible.
 */
export function exponential(rng: RandomBits32, lambda: number): number {
  return -Math.log(1 - generateCanonical(rng)) / lambda;
}
