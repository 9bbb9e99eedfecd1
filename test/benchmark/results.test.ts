import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isInferprintError } from '../../src/errors.js';
import { parseSummary, type MlperfSummary } from '../../src/mlperf/index.js';
import {
  LATENCY_PERCENTILES,
  computeResults,
  earlyStoppingLatencies,
  integerMean,
  invalidReasonFor,
  latencyStats,
  percentileIndex,
  recommendationsFor,
  type EarlyStoppingOutcome,
  type RunMeasurements,
} from '../../src/benchmark/loadgen/results.js';
import {
  MinPassingQueriesFinder,
  betaRegularized,
  earlyStoppingDiscards,
  earlyStoppingOdds,
  lgamma,
  percentileEarlyStopping,
  queriesNeededForEarlyStopping,
  serverEarlyStopping,
} from '../../src/benchmark/loadgen/early-stopping.js';
import {
  MLPERF_SEEDS,
  TEST_SETTINGS_DEFAULTS,
  bertMlperfConf,
  effectiveSettings,
  studySettings,
  type EffectiveSettings,
} from '../../src/benchmark/loadgen/settings.js';
import { formatDouble } from '../../src/benchmark/loadgen/summary-writer.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';

const MS = 1_000_000;

function ssSettings(overrides: Partial<EffectiveSettings> = {}): EffectiveSettings {
  return { ...effectiveSettings(studySettings('v4.1', 16), 10833), ...overrides };
}

function ssRun(latencies: readonly number[], finalQueryIssuedNs: number): RunMeasurements {
  return { sampleLatenciesNs: latencies, queriesIssued: latencies.length, finalQueryScheduledNs: finalQueryIssuedNs, finalQueryIssuedNs, finalQueryAllSamplesDoneNs: finalQueryIssuedNs + 1 };
}

// ---------------------------------------------------------------------------------------------
// Statistics, hand-checked

test('percentiles are sorted[floor(n·p)], no interpolation', () => {
  // 10 latencies 1..10 ms shuffled: p50 → index 5 (6 ms), p90 → 9, p95/p97/p99/p99.9 → 9 (the max).
  const stats = latencyStats([7, 3, 10, 1, 9, 2, 8, 4, 6, 5].map((x) => x * MS), 0.9);
  assert.equal(stats.minNs, 1 * MS);
  assert.equal(stats.maxNs, 10 * MS);
  assert.deepEqual(
    stats.percentiles.map((p) => p.latencyNs / MS),
    [6, 10, 10, 10, 10, 10],
  );
  assert.equal(stats.target.latencyNs, 10 * MS);
  // n = 16: p90 is index 14 (not the max), p95 index 15 = floor(15.2), as the real 16-query logs show.
  assert.equal(percentileIndex(16, 0.9), 14);
  assert.equal(percentileIndex(16, 0.95), 15);
  // n = 32: p97 is floor(31.04) = 31, the max.
  assert.equal(percentileIndex(32, 0.97), 31);
  assert.equal(percentileIndex(117237, 0.9), 105513);
  const s16 = latencyStats(Array.from({ length: 16 }, (_, i) => (i + 1) * 100), 0.9);
  assert.equal(s16.target.latencyNs, 1500);
  assert.equal(s16.percentiles[2]!.latencyNs, 1600);
  // The index is computed in double: 0.29 × 100 = 28.999999999999996 → 28 (the reference's size_t cast).
  assert.equal(percentileIndex(100, 0.29), 28);
  assert.deepEqual(LATENCY_PERCENTILES, [0.5, 0.9, 0.95, 0.97, 0.99, 0.999]);
});

test('the mean is int64 division, truncated, exact beyond 2^53', () => {
  assert.equal(integerMean([1, 2]), 1);
  assert.equal(integerMean([1_331_940, 1_331_941, 1_331_941]), 1_331_940);
  // Σ = 3 × (2^53 − 1) does not fit a double: BigInt path.
  const big = Number.MAX_SAFE_INTEGER;
  assert.equal(integerMean([big, big, big - 2]), big - 1);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { minLength: 1, maxLength: 50 }), (xs) => {
      const exact = xs.reduce((a, b) => a + BigInt(b), 0n) / BigInt(xs.length);
      return integerMean(xs) === Number(exact);
    }),
  );
});

test('SingleStream QPS: (n − 1) / last issue time, and 1 / mean', () => {
  const r = computeResults(ssRun([250, 250, 250, 250].map((x) => x * MS), 1_500_000_000), ssSettings(), 'v4.1');
  assert.ok(r.throughput.scenario === 'SingleStream', 'SingleStream throughput');
  assert.equal(r.throughput.qpsWithLoadgenOverhead, 2); // 3 intervals over 1.5 s
  assert.equal(r.throughput.qpsWithoutLoadgenOverhead, 4); // 1 / 0.25 s
  assert.equal(r.queriesIssued, 4);
  assert.equal(r.sampleCount, 4);
  assert.equal(r.sampleLatency.meanNs, 250 * MS);
});

test('validity: min duration on the last issue time, min queries, early stopping; recommendations in LoadGen order', () => {
  const settings = ssSettings({ minDurationMs: 1000, minQueryCount: 64, minSampleCount: 64 });
  const lat = Array.from({ length: 64 }, (_, i) => (i + 1) * MS);
  const short = computeResults(ssRun(lat, 999_999_999), settings, 'v4.1');
  assert.equal(short.validity.minDurationMet, false);
  assert.equal(short.validity.minQueriesMet, true);
  assert.equal(short.validity.earlyStoppingMet, true);
  assert.equal(short.validity.valid, false);
  assert.deepEqual(short.recommendations, ['Decrease the expected latency so the loadgen pre-generates more queries.']);
  assert.equal(short.invalidReason, 'Decrease the expected latency so the loadgen pre-generates more queries. ');

  const ok = computeResults(ssRun(lat, 1_000_000_000), settings, 'v4.1');
  assert.equal(ok.validity.valid, true);
  assert.deepEqual(ok.recommendations, []);
  assert.equal(ok.invalidReason, undefined);

  // 63 queries: too few for early stopping (needs 64) and below min_query_count.
  const few = computeResults(ssRun(lat.slice(0, 63), 2_000_000_000), settings, 'v4.1');
  assert.equal(few.validity.minQueriesMet, false);
  assert.equal(few.validity.earlyStoppingMet, false);
  assert.deepEqual(few.recommendations, [
    'The test exited early, before enough queries were issued.\n   See the detailed log for why this may have occurred.',
  ]);
  assert.equal(few.invalidReason, 'The test exited early, before enough queries were issued.');
  const es = few.earlyStopping as Extract<EarlyStoppingOutcome, { scenario: 'SingleStream' }>;
  assert.deepEqual(es.target, { kind: 'too-few', percentile: 0.9, queriesIssued: 63, queriesNeeded: 64 });
  assert.equal(es.multiStream, undefined);

  // v1.1 has no early stopping: 63 queries over the duration with min 16 are valid.
  const v11 = computeResults(ssRun(lat.slice(0, 63), 2_000_000_000), { ...settings, minQueryCount: 16, minSampleCount: 16 }, 'v1.1');
  assert.equal(v11.validity.earlyStoppingMet, undefined);
  assert.equal(v11.validity.valid, true);
  assert.equal(v11.earlyStopping, undefined);

  // Only early stopping failing: "Recommendations:" with no bullet, reason empty (as the reference).
  const onlyEs = computeResults(ssRun(lat.slice(0, 20), 2_000_000_000), { ...settings, minQueryCount: 16, minSampleCount: 16 }, 'v4.1');
  assert.equal(onlyEs.validity.valid, false);
  assert.deepEqual(onlyEs.recommendations, []);
  assert.equal(onlyEs.invalidReason, '');
});

test('Server: over-latency count, perf constraint, scheduled and completed QPS, min duration on the schedule', () => {
  const settings = effectiveSettings({ ...bertMlperfConf('v4.1', 'Server'), minDurationMs: 1000 }, 10833);
  assert.equal(settings.targetLatencyNs, 130 * MS);
  const lat = [...Array.from({ length: 97 }, () => 10 * MS), 130 * MS, 131 * MS, 200 * MS];
  const run: RunMeasurements = { sampleLatenciesNs: lat, queriesIssued: 100, finalQueryScheduledNs: 990_000_000, finalQueryIssuedNs: 990_100_000, finalQueryAllSamplesDoneNs: 1_100_000_000 };
  const r = computeResults(run, settings, 'v4.1');
  assert.equal(r.overlatencyCount, 2); // strictly above 130 ms
  assert.ok(r.throughput.scenario === 'Server', 'Server throughput');
  assert.equal(r.throughput.scheduledSamplesPerSecond, 99 / 0.99);
  assert.equal(r.throughput.completedSamplesPerSecond, 99 / 1.1);
  assert.equal(r.validity.minDurationMet, false);
  // p99 = sorted[99] = 200 ms > 130 ms.
  assert.equal(r.validity.perfConstraintsMet, false);
  assert.deepEqual(r.recommendations, ['Reduce target QPS to improve latency.', 'Increase the target QPS so the loadgen pre-generates more queries.']);
  const es = r.earlyStopping as Extract<EarlyStoppingOutcome, { scenario: 'Server' }>;
  assert.equal(es.server.overlatencyCount, 2);
  assert.equal(es.server.met, false);
  // Two over-latency queries at p99 need far more than 100 queries.
  assert.ok(es.server.queriesNeeded > 100, 'two over-latency queries need more than 100 queries');
});

test('Offline: samples per second over the longest latency; min duration on it', () => {
  const settings = effectiveSettings({ ...bertMlperfConf('v4.1', 'Offline'), minDurationMs: 1000 }, 10833);
  assert.equal(settings.samplesPerQuery, 10833); // max(min_query_count 10833, 1.1 × 1 s × 1 QPS)
  assert.equal(settings.minQueryCount, 1);
  assert.equal(settings.targetDurationMs, 0);
  const lat = Array.from({ length: 10 }, (_, i) => (i + 1) * 200 * MS); // max 2 s
  const r = computeResults({ sampleLatenciesNs: lat, queriesIssued: 1, finalQueryScheduledNs: 0, finalQueryIssuedNs: 0, finalQueryAllSamplesDoneNs: 2e9 }, settings, 'v4.1');
  assert.ok(r.throughput.scenario === 'Offline', 'Offline throughput');
  assert.equal(r.throughput.samplesPerSecond, 5);
  assert.equal(r.validity.minDurationMet, true);
  // 10 samples < min_sample_count 10833.
  assert.equal(r.validity.minQueriesMet, false);
  assert.equal(r.validity.earlyStoppingMet, true);
  assert.equal(r.earlyStopping, undefined);
});

test('MultiStream: per-query statistics and the p99 early stopping on query latencies', () => {
  const settings = effectiveSettings({ ...bertMlperfConf('v4.1', 'MultiStream'), minDurationMs: 0 }, 10833);
  assert.equal(settings.samplesPerQuery, 8);
  assert.equal(settings.minSampleCount, 662 * 8);
  const n = 662;
  const queryLatencies = Array.from({ length: n }, (_, i) => (1000 + i) * 1000);
  const samples = queryLatencies.flatMap((q) => Array.from({ length: 8 }, (_, k) => q - k));
  const r = computeResults({ sampleLatenciesNs: samples, queryLatenciesNs: queryLatencies, queriesIssued: n, finalQueryScheduledNs: 1, finalQueryIssuedNs: 1, finalQueryAllSamplesDoneNs: 2 }, settings, 'v4.1');
  assert.equal(r.queryLatency!.target.latencyNs, queryLatencies[Math.floor(n * 0.99)]);
  assert.equal(r.sampleCount, n * 8);
  const es = r.earlyStopping as Extract<EarlyStoppingOutcome, { scenario: 'MultiStream' }>;
  // 662 queries: just enough at p99, nothing discarded, the estimate is the max.
  assert.deepEqual(es.target, { kind: 'estimated', percentile: 0.99, queriesIssued: n, queriesNeeded: 662, discarded: 0, estimateNs: 1661 * 1000 });
  assert.deepEqual(earlyStoppingLatencies(es), { ssNs: 0, msNs: 1661 * 1000 });
  assert.throws(() => computeResults({ sampleLatenciesNs: samples, queriesIssued: n, finalQueryScheduledNs: 1, finalQueryIssuedNs: 1, finalQueryAllSamplesDoneNs: 2 }, settings, 'v4.1'), isInferprintError);
});

test('bad measurements are refused with a coded error naming the field', () => {
  const settings = ssSettings();
  const bad: [RunMeasurements, string][] = [
    [ssRun([], 1), 'queriesIssued'],
    [{ ...ssRun([1, 2], 1), sampleLatenciesNs: [1, -2] }, 'sampleLatenciesNs[1]'],
    [{ ...ssRun([1, 2], 1), sampleLatenciesNs: [1, 2.5] }, 'sampleLatenciesNs[1]'],
    [{ ...ssRun([1, 2], 1), finalQueryIssuedNs: -1 }, 'finalQueryIssuedNs'],
  ];
  for (const [run, field] of bad) {
    assert.throws(
      () => computeResults(run, settings, 'v4.1'),
      (e: unknown) => isInferprintError(e) && e.code === 'INVALID_VALUE' && e.where.field === field,
      field,
    );
  }
});

// ---------------------------------------------------------------------------------------------
// Early stopping

test('early stopping discards 0, 4, 13, 14 and 11 483 queries for n = 64, 128, 256, 270, 117 237 (the real logs)', () => {
  assert.equal(queriesNeededForEarlyStopping(0.9), 64);
  assert.equal(queriesNeededForEarlyStopping(0.99), 662);
  const table: [number, number | undefined][] = [
    [16, undefined],
    [63, undefined],
    [64, 0],
    [128, 4],
    [256, 13],
    [270, 14],
    [117237, 11483],
  ];
  for (const [n, discards] of table) assert.equal(earlyStoppingDiscards(n, 0.9), discards, `n = ${n}`);
  assert.equal(earlyStoppingDiscards(661, 0.99), undefined);
  assert.equal(earlyStoppingDiscards(662, 0.99), 0);
});

test('the early-stopping estimate is sorted[n − t]; synthetic latencies 1..n', () => {
  const lat = (n: number): Float64Array => Float64Array.from({ length: n }, (_, i) => i + 1);
  assert.deepEqual(percentileEarlyStopping(lat(128), 128, 0.9), { kind: 'estimated', percentile: 0.9, queriesIssued: 128, queriesNeeded: 64, discarded: 4, estimateNs: 124 });
  assert.deepEqual(percentileEarlyStopping(lat(256), 256, 0.9), { kind: 'estimated', percentile: 0.9, queriesIssued: 256, queriesNeeded: 64, discarded: 13, estimateNs: 243 });
  assert.deepEqual(percentileEarlyStopping(lat(64), 64, 0.9), { kind: 'estimated', percentile: 0.9, queriesIssued: 64, queriesNeeded: 64, discarded: 0, estimateNs: 64 });
  assert.deepEqual(percentileEarlyStopping(lat(32), 32, 0.9), { kind: 'too-few', percentile: 0.9, queriesIssued: 32, queriesNeeded: 64 });
});

test('the binomial odds are the binomial CDF; lgamma is exact on small integers', () => {
  assert.equal(lgamma(1), 0);
  assert.equal(lgamma(2), 0);
  assert.equal(lgamma(5), Math.log(24));
  assert.ok(Math.abs(lgamma(0.5) - 0.5 * Math.log(Math.PI)) < 1e-14, 'lgamma(0.5) = ln √π');
  // lgamma(100) = ln(99!) = 359.13420536957539877…
  assert.ok(Math.abs(lgamma(100) - 359.1342053695754) < 1e-12, 'lgamma(100) = ln 99!');
  assert.ok(Math.abs(lgamma(1e5) - 1051287.7089736566) < 1e-8, 'lgamma(1e5) within a few ulps of glibc');
  // P(X ≤ t), X ~ Binomial(h + t, 1 − p): direct sum for small cases.
  const cdf = (h: number, t: number, p: number): number => {
    let s = 0;
    const n = h + t;
    for (let x = 0; x <= t; x++) {
      let c = 1;
      for (let k = 0; k < x; k++) c = (c * (n - k)) / (k + 1);
      s += c * p ** (n - x) * (1 - p) ** x;
    }
    return s;
  };
  for (const [h, t] of [[63, 1], [100, 5], [300, 20], [44, 0]] as const) {
    const got = earlyStoppingOdds(h, t, 0.9, 0);
    assert.ok(Math.abs(got - cdf(h, t, 0.9)) < 1e-12 * Math.max(1, cdf(h, t, 0.9)), `h ${h} t ${t}: ${got}`);
  }
  // I_x(a, 1) = x^a.
  assert.ok(Math.abs(betaRegularized(0.9, 10, 1) - 0.9 ** 10) < 1e-15, 'I_x(a, 1) = x^a');
  // 63 is the first h with P < 1 %: 0.9^63 · … just below, 62 just above.
  assert.ok(earlyStoppingOdds(63, 1, 0.9, 0) < 0.01, 'h = 63 passes');
  assert.ok(earlyStoppingOdds(62, 1, 0.9, 0) >= 0.01, 'h = 62 does not');
});

test('the finder is memoised and its answers are monotone in t', () => {
  const f = new MinPassingQueriesFinder();
  let prev = 0;
  for (let t = 1; t <= 200; t++) {
    const h = f.find(t, 0.9, 0, 0.99);
    assert.ok(h > prev, `h(${t}) = ${h} ≤ h(${t - 1}) = ${prev}`);
    assert.ok(earlyStoppingOdds(h, t, 0.9, 0) < 0.01, `h(${t}) = ${h} does not pass`);
    assert.ok(earlyStoppingOdds(h - 1, t, 0.9, 0) >= 0.01, `h(${t}) = ${h} is not minimal`);
    prev = h;
  }
  assert.equal(f.find(100, 0.9, 0, 0.99), f.find(100, 0.9, 0, 0.99));
  // Server: no over-latency query at p99 needs ceil(log 0.01 / log 0.99) = 459 queries.
  assert.deepEqual(serverEarlyStopping(0, 459, 0.99), { percentile: 0.99, queriesIssued: 459, overlatencyCount: 0, queriesNeeded: 459, met: true });
  assert.equal(serverEarlyStopping(0, 458, 0.99).met, false);
});

function summaries(): { file: string; sum: MlperfSummary }[] {
  const out: { file: string; sum: MlperfSummary }[] = [];
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir)) {
      const p = join(dir, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (e === 'mlperf_log_summary.txt' && statSync(p).size > 0) out.push({ file: p, sum: parseSummary(readFileSync(p, 'utf8'), p) });
    }
  };
  const logs = join(THESIS_DIR, 'Logs');
  if (existsSync(logs)) walk(logs);
  return out;
}

test('early stopping matches every v4.1 log: needed counts, discards, and estimates within the printed order statistics', { skip: skipWithoutThesis }, () => {
  const v41 = summaries().filter((s) => s.file.includes('_v4.1_logs'));
  assert.equal(v41.length, 437);
  const seen = new Map<number, number>();
  for (const { file, sum } of v41) {
    const es = sum.earlyStopping!;
    const n = es.queriesProcessed!;
    seen.set(n, (seen.get(n) ?? 0) + 1);
    assert.equal(es.queriesNeeded, queriesNeededForEarlyStopping(0.9), file);
    const discards = earlyStoppingDiscards(n, 0.9);
    assert.equal(es.queriesDiscarded, discards, file);
    assert.equal(sum.constraints.earlyStoppingMet, discards !== undefined, file);
    if (discards === undefined) continue;
    const m = /would need to process at least (\d+) total queries/.exec(es.text);
    if (n < 662) assert.equal(Number(m?.[1]), queriesNeededForEarlyStopping(0.99), file);
    else assert.equal(m, null, file);

    // The estimate is sorted[n − t]; every printed order statistic sorted[i] bounds it.
    const check = (percentile: number, estimate: number, t: number): void => {
      const at = n - t;
      const known: [number, number][] = [
        [0, sum.stats.minLatencyNs],
        [n - 1, sum.stats.maxLatencyNs],
        ...Object.entries(sum.stats.percentilesNs).map(([label, v]): [number, number] => [percentileIndex(n, Number(label) / 100), v]),
      ];
      for (const [i, v] of known) {
        if (i === at) assert.equal(estimate, v, `${file}: p${percentile} estimate is sorted[${at}]`);
        else if (i < at) assert.ok(v <= estimate, `${file}: sorted[${i}] = ${v} > estimate ${estimate}`);
        else assert.ok(v >= estimate, `${file}: sorted[${i}] = ${v} < estimate ${estimate}`);
      }
    };
    check(90, es.estimatesNs['90']!, discards + 1);
    const d99 = earlyStoppingDiscards(n, 0.99);
    if (d99 !== undefined) check(99, es.estimatesNs['99']!, d99 + 1);
  }
  // The study's query counts, plus the one 270-query run and the VALID 117 237-query one.
  assert.deepEqual(
    [...seen.keys()].sort((a, b) => a - b),
    [16, 32, 64, 128, 256, 270, 117237],
  );
});

test('for n = 64 the estimate is the maximum latency in every real log (t = 1)', { skip: skipWithoutThesis }, () => {
  const n64 = summaries().filter((s) => s.sum.earlyStopping?.queriesProcessed === 64);
  assert.equal(n64.length, 77);
  for (const { file, sum } of n64) assert.equal(sum.earlyStopping!.estimatesNs['90'], sum.stats.maxLatencyNs, file);
});

// ---------------------------------------------------------------------------------------------
// Settings

test('settings: v4.1 BERT defaults, the study runs, and the effective values the real logs print', () => {
  const ss = bertMlperfConf('v4.1', 'SingleStream');
  assert.equal(ss.minDurationMs, 600_000);
  assert.equal(ss.performanceSampleCountOverride, 10833);
  assert.equal(ss.minQueryCount, 100);
  assert.equal(ss.qslRngSeed, 3066443479025735752n);
  assert.equal(ss.sampleIndexRngSeed, 10688027786191513374n);
  assert.equal(ss.scheduleRngSeed, 14962580496156340209n);
  assert.equal(bertMlperfConf('v1.1', 'SingleStream').minQueryCount, 1024);
  assert.deepEqual(MLPERF_SEEDS['v1.1'], { qslRngSeed: 1624344308455410291n, sampleIndexRngSeed: 517984244576520566n, scheduleRngSeed: 10051496985653635065n });

  // The A100 16-query run: target_qps 161.29, max_async_queries 1, min = max = 16.
  const e41 = effectiveSettings(studySettings('v4.1', 16), 10833, 'v4.1');
  assert.equal(e41.targetQps, 1e9 / 6_199_999.9);
  assert.equal(formatDouble(e41.targetQps), '161.29');
  // The 6 199 999 ns pre-generation period of the logs: trunc((1 / qps) · 1e9).
  assert.equal(Math.trunc((1 / e41.targetQps) * 1e9), 6_199_999);
  assert.equal(e41.maxAsyncQueries, 1);
  assert.equal(e41.minQueryCount, 16);
  assert.equal(e41.maxQueryCount, 16);
  assert.equal(e41.minSampleCount, 16);
  assert.equal(e41.targetDurationMs, 600_000);
  assert.equal(e41.targetLatencyPercentile, 0.9);
  assert.equal(e41.performanceSampleCount, 10833);
  // The T4 v1.1 runs: 31 ms expected latency → 32.2581 QPS.
  const e11 = effectiveSettings(studySettings('v1.1', 128), 10833, 'v1.1');
  assert.equal(e11.targetQps, 1e9 / 31e6);
  assert.equal(formatDouble(e11.targetQps), '32.2581');
  assert.equal(TEST_SETTINGS_DEFAULTS.minDurationMs, 10_000);

  const invalid = (f: () => unknown, field: string): void => {
    assert.throws(f, (e: unknown) => isInferprintError(e) && e.code === 'INVALID_VALUE' && e.where.field === field, field);
  };
  invalid(() => effectiveSettings({ ...ss, singleStreamExpectedLatencyNs: 0 }, 10833), 'singleStreamExpectedLatencyNs');
  invalid(() => effectiveSettings({ ...ss, minQueryCount: -1 }, 10833), 'minQueryCount');
  invalid(() => effectiveSettings({ ...ss, singleStreamTargetLatencyPercentile: 1.5 }, 10833), 'singleStreamTargetLatencyPercentile');
  invalid(() => effectiveSettings({ ...ss, qslRngSeed: 1n << 64n }, 10833), 'qslRngSeed');
  invalid(() => effectiveSettings({ ...ss, singleStreamExpectedLatencyNs: 6.5e6 + 0.5 }, 10833, 'v1.1'), 'singleStreamExpectedLatencyNs');
  invalid(() => bertMlperfConf('v1.1', 'MultiStream'), 'scenario');
  invalid(() => effectiveSettings(ss, 0), 'qslPerformanceSampleCount');
});

test('recommendations and invalid reasons follow the reference order and wording', () => {
  const all = { minDurationMet: false, minQueriesMet: false, perfConstraintsMet: false, valid: false };
  assert.deepEqual(recommendationsFor('Server', all), [
    'Reduce target QPS to improve latency.',
    'Increase the target QPS so the loadgen pre-generates more queries.',
    'The test exited early, before enough queries were issued.\n   See the detailed log for why this may have occurred.',
  ]);
  assert.equal(
    invalidReasonFor('Offline', all),
    'Reduce target QPS to improve latency. Increase expected QPS so the loadgen pre-generates a larger (coalesced) query. The test exited early, before enough queries were issued.',
  );
});
