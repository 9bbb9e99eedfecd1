/**
 * `std::mt19937`: the 32-bit Mersenne Twister (Matsumoto & Nishimura 1998) with the C++
 * standard's parameters, seeded the way libstdc++ seeds it.
 *
 * LoadGen constructs `std::mt19937 rng(settings.x_rng_seed)` from a uint64 seed. The engine's
 * `seed(result_type)` reduces the value mod 2^32 before the usual initialisation recurrence,
 * so only the low 32 bits of the mlperf.conf seeds matter. Seeds exceed 2^53, so they come in
 * as `bigint`; everything after seeding works on 32-bit integers (`Math.imul`, `>>>`), never
 * BigInt, because the hot loops draw hundreds of thousands of values.
 *
 * Pure: no I/O.
 */
import { errors } from '../../errors.js';

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;
const INIT_MULTIPLIER = 1812433253;

/** `std::mt19937::default_seed`. */
export const MT19937_DEFAULT_SEED = 5489;

/**
 * A source of uniformly distributed 32-bit unsigned integers, `[0, 2^32 - 1]`, like a C++
 * UniformRandomBitGenerator whose `min()` is 0 and `max()` is 0xFFFFFFFF. The libstdc++
 * distributions in `libstdcxx.ts` are written against this range and nothing else.
 */
export interface RandomBits32 {
  /** The next output, an integer in [0, 2^32 - 1]. */
  nextUint32(): number;
}

/**
 * The seed libstdc++ actually uses: the value converted to `uint_fast32_t` (a 64-bit
 * `unsigned long` on LP64 Linux, so a uint64 seed passes unchanged) and then reduced mod 2^32
 * by `mersenne_twister_engine::seed`. Negative values wrap as C++ unsigned conversion does.
 */
export function mt19937SeedOf(seed: bigint | number): number {
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
    throw errors.invalidValue({ field: 'seed' }, `mt19937 seed must be an integer, found ${seed} (pass seeds beyond 2^53 as bigint)`);
  }
  return Number(BigInt.asUintN(32, BigInt(seed)));
}

export class Mt19937 implements RandomBits32 {
  private readonly state = new Int32Array(N);
  private index = N;

  constructor(seed: bigint | number = MT19937_DEFAULT_SEED) {
    this.seed(seed);
  }

  /** Re-seed: `engine.seed(value)`; the first draw after it twists the whole state. */
  seed(seed: bigint | number): void {
    const s = this.state;
    s[0] = mt19937SeedOf(seed) | 0;
    for (let i = 1; i < N; i++) {
      const prev = s[i - 1]!;
      s[i] = (Math.imul(INIT_MULTIPLIER, prev ^ (prev >>> 30)) + i) | 0;
    }
    this.index = N;
  }

  nextUint32(): number {
    if (this.index >= N) this.twist();
    let y = this.state[this.index++]!;
    // Tempering: u = 11, s = 7 / b, t = 15 / c, l = 18.
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `engine.discard(n)`: advance by n outputs. */
  discard(count: number): void {
    for (let i = 0; i < count; i++) this.nextUint32();
  }

  /** An independent copy in the same state (C++ copy construction). */
  clone(): Mt19937 {
    const copy = new Mt19937(0);
    copy.state.set(this.state);
    copy.index = this.index;
    return copy;
  }

  /** Regenerate all 624 words at once, as libstdc++'s `_M_gen_rand` does. */
  private twist(): void {
    const s = this.state;
    let k = 0;
    for (; k < N - M; k++) {
      const y = (s[k]! & UPPER_MASK) | (s[k + 1]! & LOWER_MASK);
      s[k] = s[k + M]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    for (; k < N - 1; k++) {
      const y = (s[k]! & UPPER_MASK) | (s[k + 1]! & LOWER_MASK);
      s[k] = s[k + M - N]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    }
    const y = (s[N - 1]! & UPPER_MASK) | (s[0]! & LOWER_MASK);
    s[N - 1] = s[M - 1]! ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
    this.index = 0;
  }
}
