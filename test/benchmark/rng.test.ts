/**
 * Bit-exactness of our mt19937 and libstdc++ distributions.
 *
 * Without a compiler: the C++ standard's check value, well-known first outputs, seed
 * reduction mod 2^32, and both downscaling variants against BigInt reference versions.
 * With g++: a small C++ program prints what the real `std::` functions give for the same
 * seeds and ranges, built twice on this machine's libstdc++ 12 — once as is (it implements
 * the Lemire variant, `_S_nd`), once with `__UINT32_TYPE__` undefined before <random>, which
 * compiles `_S_nd` out and leaves the header's "fallback case (2 divisions)", i.e. the older
 * libstdc++ behind the v1.1 logs — and every line must match ours exactly. The same program
 * replays GenerateQueries' distribution order (our reading of loadgen.cc) on the real
 * `std::` functions. Without g++ those tests skip and say why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { skipOrFail } from '../helpers/requirements.js';
import { MT19937_DEFAULT_SEED, Mt19937, mt19937SeedOf, type RandomBits32 } from '../../src/benchmark/loadgen/mt19937.js';
import {
  LIBSTDCXX_VARIANTS,
  exponential,
  generateCanonical,
  shuffle,
  uniformBelow,
  uniformInt,
  uniformReal,
  uniformUint64,
  type LibstdcxxVariant,
} from '../../src/benchmark/loadgen/libstdcxx.js';
import { generateQueries, loadableSets, scheduleNs } from '../../src/benchmark/loadgen/sample-selection.js';
import type { LoadgenRelease } from '../../src/benchmark/loadgen/settings.js';
import { isInferprintError } from '../../src/errors.js';

// ---------------------------------------------------------------------------------------------
// mt19937

test('mt19937: the 10000th output of a default-constructed engine is 4123659995 (C++ [rand.predef])', () => {
  const rng = new Mt19937();
  let v = 0;
  for (let i = 0; i < 10000; i++) v = rng.nextUint32();
  assert.equal(v, 4123659995);
  assert.equal(MT19937_DEFAULT_SEED, 5489);
});

test('mt19937: first outputs for other seeds match the reference generator', () => {
  // Published first outputs of MT19937 with init_genrand(seed) (same recurrence as std::mt19937).
  assert.deepEqual(firstOutputs(new Mt19937(5489), 3), [3499211612, 581869302, 3890346734]);
  assert.deepEqual(firstOutputs(new Mt19937(1), 3), [1791095845, 4282876139, 3093770124]);
  assert.equal(new Mt19937(42).nextUint32(), 1608637542);
  assert.equal(new Mt19937(0).nextUint32(), 2357136044);
});

test('mt19937: uint64 seeds are reduced mod 2^32 as libstdc++ seed() does', () => {
  const seed = 10688027786191513374n; // v4.1 sample_index_rng_seed, beyond 2^53
  assert.equal(mt19937SeedOf(seed), Number(seed % 2n ** 32n));
  assert.deepEqual(firstOutputs(new Mt19937(seed), 5), firstOutputs(new Mt19937(Number(seed & 0xffffffffn)), 5));
  assert.deepEqual(firstOutputs(new Mt19937(2n ** 32n + 42n), 3), firstOutputs(new Mt19937(42), 3));
  assert.equal(mt19937SeedOf(-1n), 0xffffffff); // C++ unsigned conversion wraps
  assert.throws(() => new Mt19937(1.5), (e: unknown) => isInferprintError(e) && e.code === 'INVALID_VALUE');
});

test('mt19937: clone continues identically, discard skips, seed() restarts', () => {
  const a = new Mt19937(7n);
  a.discard(1000);
  const b = a.clone();
  assert.deepEqual(firstOutputs(a, 700), firstOutputs(b, 700)); // crosses a twist
  const c = new Mt19937(7n);
  c.discard(1700);
  assert.equal(c.nextUint32(), a.nextUint32());
  a.seed(7n);
  assert.deepEqual(firstOutputs(a, 3), firstOutputs(new Mt19937(7n), 3));
});

function firstOutputs(rng: RandomBits32, n: number): number[] {
  return Array.from({ length: n }, () => rng.nextUint32());
}

// ---------------------------------------------------------------------------------------------
// uniform_int_distribution against BigInt references (no compiler needed)

/** Lemire's `_S_nd` written literally with 64-bit BigInt arithmetic. */
function lemireRef(rng: RandomBits32, range: bigint): bigint {
  let product = BigInt(rng.nextUint32()) * range;
  let low = product & 0xffffffffn;
  if (low < range) {
    const threshold = (2n ** 32n - range) % range;
    while (low < threshold) {
      product = BigInt(rng.nextUint32()) * range;
      low = product & 0xffffffffn;
    }
  }
  return product >> 32n;
}

/** The "2 divisions" fallback written literally. */
function divisionRef(rng: RandomBits32, range: bigint): bigint {
  const scaling = 0xffffffffn / range;
  const past = range * scaling;
  let x: bigint;
  do x = BigInt(rng.nextUint32());
  while (x >= past);
  return x / scaling;
}

test('uniform draws equal the BigInt reference of each variant, over the whole 32-bit range', () => {
  const ranges = fc.oneof(
    fc.integer({ min: 1, max: 0xfffffffe }),
    fc.integer({ min: 0xffff0000, max: 0xffffffff }), // high words near 2^32: where rounding would bite
    fc.integer({ min: 0x80000000, max: 0x80010000 }), // ~50 % rejection
    fc.integer({ min: 1, max: 70000 }),
  );
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), ranges, (seed, count) => {
      for (const variant of LIBSTDCXX_VARIANTS) {
        const ours = new Mt19937(seed);
        const ref = new Mt19937(seed);
        const refDraw = variant === 'libstdcxx-lemire' ? lemireRef : divisionRef;
        for (let k = 0; k < 20; k++) assert.equal(uniformBelow(ours, count, variant), Number(refDraw(ref, BigInt(count))));
        assert.equal(ours.nextUint32(), ref.nextUint32(), 'same number of generator calls');
      }
    }),
    { numRuns: 400, seed: 20250530 },
  );
});

test('uniformInt maps [a, b] like uniform_int_distribution<int>; full int range returns g() unchanged', () => {
  for (const variant of LIBSTDCXX_VARIANTS) {
    const rng = new Mt19937(3n);
    for (let i = 0; i < 1000; i++) {
      const v = uniformInt(rng, -5, 5, variant);
      assert.ok(Number.isInteger(v) && v >= -5 && v <= 5);
    }
    assert.equal(uniformInt(new Mt19937(9n), 100, 100, variant), 100);
    const raw = new Mt19937(11n).nextUint32();
    assert.equal(uniformInt(new Mt19937(11n), -2147483648, 2147483647, variant), raw - 2147483648);
  }
  const bad = (e: unknown): boolean => isInferprintError(e) && e.code === 'INVALID_VALUE';
  assert.throws(() => uniformInt(new Mt19937(), 5, 4, 'libstdcxx-lemire'), bad);
  assert.throws(() => uniformInt(new Mt19937(), 0, 2 ** 31, 'libstdcxx-lemire'), bad);
  assert.throws(() => uniformBelow(new Mt19937(), 0, 'libstdcxx-div'), bad);
});

test('uniformUint64 upscales beyond 2^32 and stays in range', () => {
  for (const variant of LIBSTDCXX_VARIANTS) {
    const rng = new Mt19937(5n);
    for (const [a, b] of [[0n, 2n ** 64n - 1n], [7n, 2n ** 40n], [5n, 2n ** 33n + 7n]] as const) {
      for (let i = 0; i < 200; i++) {
        const v = uniformUint64(rng, a, b, variant);
        assert.ok(v >= a && v <= b, `${v} in [${a}, ${b}]`);
      }
    }
    // Below 2^32 it is the same draw as the int distribution.
    assert.equal(uniformUint64(new Mt19937(8n), 10n, 20n, variant), BigInt(uniformInt(new Mt19937(8n), 10, 20, variant)));
  }
});

test('shuffle permutes in place, deterministic per seed, for both of libstdc++ code paths', () => {
  for (const n of [0, 1, 2, 3, 10833, 65535, 65536, 70001]) {
    for (const variant of LIBSTDCXX_VARIANTS) {
      const a = Int32Array.from({ length: n }, (_, i) => i);
      shuffle(a, new Mt19937(99n), variant);
      const b = Array.from({ length: n }, (_, i) => i);
      shuffle(b, new Mt19937(99n), variant);
      assert.deepEqual(Array.from(a), b, 'typed arrays and plain arrays shuffle alike');
      assert.deepEqual(Array.from(a).sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i));
    }
  }
});

test('generate_canonical, uniform_real and exponential stay in their ranges', () => {
  const rng = new Mt19937(1n);
  for (let i = 0; i < 1000; i++) {
    const u = generateCanonical(rng);
    assert.ok(u >= 0 && u < 1);
    const r = uniformReal(rng, -2, 3);
    assert.ok(r >= -2 && r < 3);
    assert.ok(exponential(rng, 5) >= 0);
  }
  // Two draws per canonical value: the low word first, then the high one.
  const g = new Mt19937(1n);
  const lo = g.nextUint32();
  const hi = g.nextUint32();
  assert.equal(generateCanonical(new Mt19937(1n)), (lo + hi * 2 ** 32) / 2 ** 64);
});

// ---------------------------------------------------------------------------------------------
// Cross-check against the real libstdc++ (g++)

const MT_SEEDS = [0n, 1n, 42n, 5489n, 4294967295n, 4294967296n, 3066443479025735752n, 10688027786191513374n, 14962580496156340209n, 1624344308455410291n, 517984244576520566n, 10051496985653635065n, 18446744073709551615n];
const INT_RANGES: readonly (readonly [number, number])[] = [[0, 1], [0, 2], [0, 10832], [-5, 5], [100, 100], [0, 1000000007], [0, 2147483646], [-2147483648, 2147483646], [-2147483648, 2147483647], [-1073741824, 1073741824]];
const U64_RANGES: readonly (readonly [bigint, bigint])[] = [[0n, 4294967294n], [0n, 4294967295n], [0n, 4294967296n], [7n, 2n ** 40n], [5n, 2n ** 33n + 7n], [0n, 3n * 2n ** 32n], [0n, 2n ** 64n - 1n]];
const SHUFFLE_SIZES = [1, 2, 3, 4, 5, 6, 7, 10, 11, 100, 10833, 10840, 65535, 65536, 70001];
const QPS_VALUES = [161.29, 1e9 / 6.2e6, 1e9 / 6199999.9, 1e9 / 1700000, 1e9 / 31000000, 588.235, 20, 0.3];
const EXPO_CASES: readonly (readonly [number, bigint])[] = [[588.235, 14962580496156340209n], [1, 10051496985653635065n], [1e5, 1n]];

/** GenerateQueries replays: [label, release, scenario, mode, total, spq, queries]. */
interface Replay {
  readonly label: string;
  readonly release: LoadgenRelease;
  readonly scenario: 'SingleStream' | 'MultiStream';
  readonly mode: 'PerformanceOnly' | 'AccuracyOnly';
  readonly total: number;
  readonly spq: number;
  readonly queries: number;
  readonly qslSeed: bigint;
  readonly sampleSeed: bigint;
}
const V41 = { qslSeed: 3066443479025735752n, sampleSeed: 10688027786191513374n };
const V11 = { qslSeed: 1624344308455410291n, sampleSeed: 517984244576520566n };
const REPLAYS: readonly Replay[] = [
  { label: 'ss-perf-v41', release: 'v4.1', scenario: 'SingleStream', mode: 'PerformanceOnly', total: 10833, spq: 1, queries: 3000, ...V41 },
  { label: 'ss-perf-v11', release: 'v1.1', scenario: 'SingleStream', mode: 'PerformanceOnly', total: 10833, spq: 1, queries: 3000, ...V11 },
  { label: 'ms-perf-v41', release: 'v4.1', scenario: 'MultiStream', mode: 'PerformanceOnly', total: 10833, spq: 8, queries: 662, ...V41 },
  { label: 'ms-perf-v11', release: 'v1.1', scenario: 'MultiStream', mode: 'PerformanceOnly', total: 10833, spq: 4, queries: 500, ...V11 },
  { label: 'ss-acc-v41', release: 'v4.1', scenario: 'SingleStream', mode: 'AccuracyOnly', total: 1000, spq: 1, queries: 1000, ...V41 },
  { label: 'ms-acc-v41', release: 'v4.1', scenario: 'MultiStream', mode: 'AccuracyOnly', total: 1001, spq: 8, queries: 126, ...V41 },
];

const u64 = (v: bigint): string => `${v}ULL`;
const cxxDouble = (v: number): string => v.toPrecision(17);

/** The C++ program; its `main` is generated from the same case lists the TS side replays. */
function cxxSource(): string {
  const calls: string[] = [];
  for (const s of MT_SEEDS) calls.push(`mt(${u64(s)});`);
  for (const [a, b] of INT_RANGES) for (const s of [1n, 5489n, 3066443479025735752n]) calls.push(`uni_int(${a === -2147483648 ? 'INT32_MIN' : a}, ${b}, ${u64(s)});`);
  for (const [a, b] of U64_RANGES) for (const s of [2n, 517984244576520566n]) calls.push(`uni_u64(${u64(a)}, ${u64(b)}, ${u64(s)});`);
  for (const n of SHUFFLE_SIZES) for (const s of [3066443479025735752n, 1624344308455410291n]) calls.push(`shuf(${n}, ${u64(s)});`);
  for (const s of [1n, 5489n]) calls.push(`canon(${u64(s)});`);
  QPS_VALUES.forEach((q, i) => calls.push(`period(${i}, ${cxxDouble(q)});`));
  EXPO_CASES.forEach(([q, s], i) => calls.push(`expo(${i}, ${cxxDouble(q)}, ${u64(s)});`));
  for (const r of REPLAYS) {
    calls.push(`gq("${r.label}", ${u64(r.qslSeed)}, ${u64(r.sampleSeed)}, ${r.total}, ${r.spq}, ${r.scenario === 'MultiStream'}, ${r.mode === 'AccuracyOnly'}, ${r.release === 'v4.1'}, ${r.queries});`);
  }
  return `// Generated by test/benchmark/rng.test.ts: what libstdc++ computes, to compare with inferprint.
#include <cstdint>
#ifdef FORCE_DIVISION
// Compiles libstdc++'s Lemire branch (_S_nd) out of uniform_int_distribution, leaving its
// "fallback case (2 divisions)": the downscaling of the older libstdc++ behind the v1.1 logs.
#undef __UINT32_TYPE__
#endif
#include <algorithm>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <numeric>
#include <random>
#include <vector>

static void mt(uint64_t seed) {
  std::mt19937 g(seed);
  printf("mt:%" PRIu64, seed);
  for (int i = 0; i < 8; i++) printf(" %u", (unsigned)g());
  g.discard(2000);
  printf(" %u\\n", (unsigned)g());
}
static void uni_int(int a, int b, uint64_t seed) {
  std::mt19937 g(seed);
  std::uniform_int_distribution<int> d(a, b);
  printf("int:%d:%d:%" PRIu64, a, b, seed);
  for (int i = 0; i < 200; i++) printf(" %d", d(g));
  printf(" %u\\n", (unsigned)g());
}
static void uni_u64(uint64_t a, uint64_t b, uint64_t seed) {
  std::mt19937 g(seed);
  std::uniform_int_distribution<uint64_t> d(a, b);
  printf("u64:%" PRIu64 ":%" PRIu64 ":%" PRIu64, a, b, seed);
  for (int i = 0; i < 100; i++) printf(" %" PRIu64, d(g));
  printf(" %u\\n", (unsigned)g());
}
static void shuf(size_t n, uint64_t seed) {
  std::mt19937 g(seed);
  std::vector<size_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  std::shuffle(v.begin(), v.end(), g);
  printf("shuffle:%zu:%" PRIu64, n, seed);
  for (size_t x : v) printf(" %zu", x);
  printf(" %u\\n", (unsigned)g());
}
static void canon(uint64_t seed) {
  std::mt19937 g(seed);
  printf("canon:%" PRIu64, seed);
  for (int i = 0; i < 50; i++) printf(" %.17g", std::generate_canonical<double, 53>(g));
  printf("\\n");
}
static void period(int label, double qps) {
  auto p = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(1.0 / qps));
  printf("period:%d %lld\\n", label, (long long)p.count());
}
static void expo(int label, double qps, uint64_t seed) {
  std::mt19937 g(seed);
  std::exponential_distribution<> d(qps);
  std::chrono::nanoseconds t(0);
  printf("expo:%d", label);
  for (int i = 0; i < 2000; i++) {
    printf(" %lld", (long long)t.count());
    t += std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::duration<double>(d(g)));
  }
  printf("\\n");
}
// GenerateQueries' sample selection as loadgen.cc orders it (SingleStream / MultiStream).
static void gq(const char* label, uint64_t qsl_seed, uint64_t sample_seed, size_t total, size_t spq,
               bool multistream, bool accuracy, bool equal_issue_dist, size_t queries) {
  std::mt19937 qsl_rng(qsl_seed);
  std::vector<size_t> loaded(total);
  std::iota(loaded.begin(), loaded.end(), 0);
  std::shuffle(loaded.begin(), loaded.end(), qsl_rng);
  const size_t end = total;
  if (multistream) for (size_t i = 0; i + 1 < spq; i++) loaded.push_back(loaded[i]);
  std::mt19937 rng(sample_seed);
  const size_t stride = multistream ? spq : 1;
  std::uniform_int_distribution<> dist(0, end - 1);
  std::vector<size_t> acc;
  if (accuracy) {
    for (size_t i = 0; i < end; i += stride) acc.push_back(i);
    std::shuffle(acc.begin(), acc.end(), rng);
  }
  std::vector<size_t> uniq;
  for (size_t i = 0; i < end; i += stride) uniq.push_back(i);
  std::shuffle(uniq.begin(), uniq.end(), rng);
  if (equal_issue_dist) {
    size_t min_queries = accuracy ? loaded.size() / spq : queries;
    std::vector<size_t> sh(loaded.size());
    std::iota(sh.begin(), sh.end(), 0);
    for (size_t j = 0; j < min_queries; j += loaded.size()) std::shuffle(sh.begin(), sh.end(), rng);
  }
  printf("gq:%s", label);
  for (size_t q = 0; q < queries; q++) {
    if (multistream) {
      size_t start = accuracy ? acc.at(q) : (size_t)dist(rng);
      for (size_t s = 0; s < spq; s++) printf(" %zu", loaded[start + s]);
    } else {
      printf(" %zu", loaded[accuracy ? acc.at(q) : (size_t)dist(rng)]);
    }
  }
  printf("\\n");
}

int main() {
  ${calls.join('\n  ')}
  return 0;
}
`;
}

/** Our side of every line the C++ program prints, for one variant. */
function oursLines(variant: LibstdcxxVariant): Map<string, string> {
  const lines = new Map<string, string>();
  const put = (label: string, values: readonly (number | bigint | string)[]): void => {
    lines.set(label, values.join(' '));
  };
  for (const s of MT_SEEDS) {
    const g = new Mt19937(s);
    const out = firstOutputs(g, 8);
    g.discard(2000);
    put(`mt:${s}`, [...out, g.nextUint32()]);
  }
  for (const [a, b] of INT_RANGES) {
    for (const s of [1n, 5489n, 3066443479025735752n]) {
      const g = new Mt19937(s);
      put(`int:${a}:${b}:${s}`, [...Array.from({ length: 200 }, () => uniformInt(g, a, b, variant)), g.nextUint32()]);
    }
  }
  for (const [a, b] of U64_RANGES) {
    for (const s of [2n, 517984244576520566n]) {
      const g = new Mt19937(s);
      put(`u64:${a}:${b}:${s}`, [...Array.from({ length: 100 }, () => uniformUint64(g, a, b, variant)), g.nextUint32()]);
    }
  }
  for (const n of SHUFFLE_SIZES) {
    for (const s of [3066443479025735752n, 1624344308455410291n]) {
      const g = new Mt19937(s);
      const v = Int32Array.from({ length: n }, (_, i) => i);
      shuffle(v, g, variant);
      put(`shuffle:${n}:${s}`, [...v, g.nextUint32()]);
    }
  }
  for (const s of [1n, 5489n]) {
    const g = new Mt19937(s);
    put(`canon:${s}`, Array.from({ length: 50 }, () => cxxDouble(generateCanonical(g))));
  }
  QPS_VALUES.forEach((q, i) => {
    put(`period:${i}`, [scheduleNs('SingleStream', q, 0n, 2)[1]!]);
  });
  EXPO_CASES.forEach(([q, s], i) => {
    put(`expo:${i}`, Array.from(scheduleNs('Server', q, s, 2000)));
  });
  for (const r of REPLAYS) {
    const [set] = loadableSets(r.total, r.total, r.qslSeed, variant, r.scenario === 'MultiStream' ? r.spq : undefined);
    const g = generateQueries(set!, {
      release: r.release, variant, scenario: r.scenario, mode: r.mode, samplesPerQuery: r.spq,
      targetQps: 1000, targetDurationMs: 0, minQueryCount: r.queries,
      sampleIndexRngSeed: r.sampleSeed, scheduleRngSeed: 1n,
    });
    assert.equal(g.queryCount, r.queries, r.label);
    put(`gq:${r.label}`, Array.from(g.sampleIndices));
  }
  return lines;
}

/**
 * Integers must match as text. Doubles are printed with 17 significant digits on both sides
 * (enough to round-trip), but C's `%.17g` and JS's `toPrecision(17)` spell them differently
 * (trailing zeros, exponents), so those compare as the doubles they denote.
 */
function sameToken(cxx: string, ours: string): boolean {
  if (cxx === ours) return true;
  if (!/[.e]/.test(cxx)) return false;
  const a = Number(cxx);
  return !Number.isNaN(a) && a === Number(ours);
}

type CxxBuild = { run: () => Map<string, string> } | { skip: string };

function buildCxx(variant: LibstdcxxVariant): CxxBuild {
  const cxx = process.env.CXX ?? 'g++';
  const probe = spawnSync(cxx, ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) return { skip: `no C++ compiler ('${cxx}' not runnable); the libstdc++ cross-check needs one` };
  const source = cxxSource();
  const flags = ['-O2', '-std=c++17', ...(variant === 'libstdcxx-div' ? ['-DFORCE_DIVISION'] : [])];
  const hash = createHash('sha256').update(source).update(flags.join(' ')).update(probe.stdout).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), `inferprint-libstdcxx-${hash}`);
  const exe = join(dir, 'ref');
  if (!existsSync(exe)) {
    mkdirSync(dir, { recursive: true });
    const src = join(dir, `ref-${process.pid}.cc`);
    writeFileSync(src, source);
    const partial = join(dir, `.build-${process.pid}`);
    const r = spawnSync(cxx, [...flags, '-o', partial, src], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`compiling the libstdc++ reference failed:\n${r.stderr}`);
    renameSync(partial, exe);
  }
  return {
    run: () => {
      const r = spawnSync(exe, [], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      if (r.status !== 0) throw new Error(`the libstdc++ reference exited with ${r.status}: ${r.stderr}`);
      const lines = new Map<string, string>();
      for (const line of r.stdout.split('\n')) {
        if (line === '') continue;
        const space = line.indexOf(' ');
        lines.set(line.slice(0, space), line.slice(space + 1));
      }
      return lines;
    },
  };
}

function compareWithCxx(variant: LibstdcxxVariant, build: CxxBuild): void {
  if ('skip' in build) throw new Error(build.skip);
  const theirs = build.run();
  const ours = oursLines(variant);
  assert.equal(theirs.size, ours.size, 'one line per case');
  for (const [label, ourLine] of ours) {
    const theirLine = theirs.get(label);
    assert.ok(theirLine !== undefined, `C++ printed no line ${label}`);
    const a = theirLine.split(' ');
    const b = ourLine.split(' ');
    assert.equal(b.length, a.length, `${label}: value count`);
    const bad = a.findIndex((t, i) => !sameToken(t, b[i]!));
    assert.equal(bad, -1, `${label}: value ${bad} differs, libstdc++ ${a[bad]} vs ours ${b[bad]}`);
  }
}

const installedBuild = buildCxx('libstdcxx-lemire'); // as installed
const divisionBuild = buildCxx('libstdcxx-div');

test('libstdc++ as installed: every value matches the variant it implements (Lemire on libstdc++ 12)', { skip: skipOrFail('skip' in installedBuild ? installedBuild.skip : false) }, (t) => {
  if ('skip' in installedBuild) throw new Error(installedBuild.skip);
  // An older libstdc++ (no _S_nd) would compute the division variant: tell which one this is
  // by the v4.1 QSL shuffle, then hold every other line to it.
  const probe = `shuffle:10833:3066443479025735752`;
  const theirs = installedBuild.run().get(probe);
  const installed = LIBSTDCXX_VARIANTS.find((v) => oursLines(v).get(probe) === theirs);
  assert.ok(installed !== undefined, 'the installed C++ library computes neither libstdc++ variant (libc++ or MSVC?)');
  t.diagnostic(`installed libstdc++ implements ${installed}`);
  compareWithCxx(installed, installedBuild);
});

test('libstdc++ with the 2-division fallback (the v1.1 logs\' library): every value matches', { skip: skipOrFail('skip' in divisionBuild ? divisionBuild.skip : false) }, () => {
  compareWithCxx('libstdcxx-div', divisionBuild);
});

test('the two variants really differ (so each cross-check is discriminating)', () => {
  const a = Int32Array.from({ length: 10833 }, (_, i) => i);
  const b = a.slice();
  shuffle(a, new Mt19937(3066443479025735752n), 'libstdcxx-lemire');
  shuffle(b, new Mt19937(3066443479025735752n), 'libstdcxx-div');
  assert.notDeepEqual(Array.from(a.subarray(0, 20)), Array.from(b.subarray(0, 20)));
});
