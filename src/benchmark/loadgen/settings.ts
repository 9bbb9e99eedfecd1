/**
 * LoadGen test settings: what a user requests (`TestSettings`, C++ `test_settings.h`), the
 * BERT values MLPerf's `mlperf.conf` imposes, and the settings LoadGen actually runs with
 * (`TestSettingsInternal`, test_settings_internal.cc) — the `effective_*` values of the detail
 * log and the `Test Parameters Used` block of the summary.
 *
 * Two LoadGen releases are modelled because the study's logs come from both: v4.1
 * (`4.1 @ 379ee5345a`, A100 and Orin) and v1.1 (`1.1 @ ed7044310a`, T4). Seeds are uint64 and
 * exceed 2^53, so they are `bigint`. Pure: values in, values out.
 */
import { errors } from '../../errors.js';
import type { MlperfScenario } from '../../mlperf/types.js';
import { REQUESTED_SETTINGS, TEST_SETTINGS_DEFAULTS, type EffectiveSettings, type LoadgenRelease, type TestSettings } from '../../mlperf/settings-table.js';

// The settings' fields, kinds and defaults are one table (src/mlperf/settings-table.ts).
export { LOADGEN_RELEASES, TEST_SETTINGS_DEFAULTS, type EffectiveSettings, type LoadgenRelease, type TestSettings } from '../../mlperf/settings-table.js';

/** The reference builds behind the study's logs, as their `loadgen_version` reads. */
export const REFERENCE_LOADGEN: Readonly<Record<LoadgenRelease, { readonly version: string; readonly commit: string }>> = {
  'v1.1': { version: '1.1', commit: 'ed7044310a' },
  'v4.1': { version: '4.1', commit: '379ee5345a' },
};

export interface RngSeeds {
  readonly qslRngSeed: bigint;
  readonly sampleIndexRngSeed: bigint;
  readonly scheduleRngSeed: bigint;
}

/** The official seeds of each release's `mlperf.conf` (the real logs print them). */
export const MLPERF_SEEDS: Readonly<Record<LoadgenRelease, RngSeeds>> = {
  'v1.1': { qslRngSeed: 1624344308455410291n, sampleIndexRngSeed: 517984244576520566n, scheduleRngSeed: 10051496985653635065n },
  'v4.1': { qslRngSeed: 3066443479025735752n, sampleIndexRngSeed: 10688027786191513374n, scheduleRngSeed: 14962580496156340209n },
};

/** SQuAD v1.1 dev features: the BERT QSL size and `bert.*.performance_sample_count_override`. */
export const BERT_SAMPLE_COUNT = 10_833;

const MS = 1_000_000;

/**
 * `mlperf.conf` for model `bert` and one scenario, applied over the TestSettings defaults, as
 * `TestSettings::FromConfig` would. Includes the conf's "to be overridden by user.conf"
 * placeholders (SingleStream target latency 10 ms, MultiStream 80 ms, Server and Offline 1 QPS):
 * a harness normally sets those to its hardware's speed.
 */
export function bertMlperfConf(release: LoadgenRelease, scenario: MlperfScenario): TestSettings {
  const base: TestSettings = {
    ...TEST_SETTINGS_DEFAULTS,
    ...MLPERF_SEEDS[release],
    scenario,
    performanceSampleCountOverride: BERT_SAMPLE_COUNT,
    minDurationMs: 600_000,
  };
  switch (scenario) {
    case 'SingleStream':
      return {
        ...base,
        singleStreamTargetLatencyPercentile: 0.9,
        singleStreamExpectedLatencyNs: 10 * MS,
        // v4.1 relies on early stopping and keeps the default 100; v1.1 demanded 1024.
        minQueryCount: release === 'v1.1' ? 1024 : TEST_SETTINGS_DEFAULTS.minQueryCount,
      };
    case 'MultiStream':
      if (release === 'v1.1') throw unsupportedV11MultiStream();
      return { ...base, multiStreamTargetLatencyPercentile: 0.99, multiStreamSamplesPerQuery: 8, multiStreamExpectedLatencyNs: 80 * MS, minQueryCount: 662 };
    case 'Server':
      return {
        ...base,
        serverTargetLatencyNs: 130 * MS,
        serverTargetLatencyPercentile: 0.99,
        serverTargetQps: 1,
        minQueryCount: release === 'v1.1' ? 270_336 : TEST_SETTINGS_DEFAULTS.minQueryCount,
      };
    case 'Offline':
      return { ...base, offlineExpectedQps: 1, minQueryCount: release === 'v1.1' ? 24_576 : BERT_SAMPLE_COUNT };
  }
}

/**
 * The study's runs: BERT SingleStream PerformanceOnly with min = max query count = N, over the
 * release's mlperf.conf. `expectedLatencyNs` is the NVIDIA harness' user.conf value the logs show
 * (`target_qps : 161.29` → ≈ 6.2 ms on A100 and Orin v4.1; `32.2581` → 31 ms on T4 v1.1); it only
 * decides how many queries LoadGen pre-generates.
 */
export function studySettings(release: LoadgenRelease, queryCount: number, expectedLatencyNs = STUDY_EXPECTED_LATENCY_NS[release]): TestSettings {
  return {
    ...bertMlperfConf(release, 'SingleStream'),
    singleStreamExpectedLatencyNs: expectedLatencyNs,
    minQueryCount: queryCount,
    maxQueryCount: queryCount,
  };
}

/**
 * The v4.1 logs print `6.2e+06` (`%g` hides digits) yet pre-generate queries at a 6 199 999 ns
 * period (193 550 queries, 1 200 009 806 450 ns): the harness passed a double just below 6.2e6.
 * Any value in (6 199 999, 6.2e6) prints the same and reproduces those counts; exactly 6.2e6
 * would generate one query fewer. v1.1 took an integer.
 */
export const STUDY_EXPECTED_LATENCY_NS: Readonly<Record<LoadgenRelease, number>> = {
  'v1.1': 31 * MS,
  'v4.1': 6_199_999.9,
};

/** Offline pre-generates 10 % more samples than `target_qps × min_duration` (test_settings_internal.cc kSlack). */
const OFFLINE_SLACK = 1.1;

/**
 * `TestSettingsInternal`'s constructor: derive what LoadGen runs with from the request and the
 * QSL's performance sample count. Throws INVALID_VALUE naming the setting when a request
 * cannot run (LoadGen logs an error and carries on with nonsense; we refuse at the edge).
 */
export function effectiveSettings(requested: TestSettings, qslPerformanceSampleCount: number, release: LoadgenRelease = 'v4.1'): EffectiveSettings {
  validateTestSettings(requested, release);
  if (!isCount(qslPerformanceSampleCount) || qslPerformanceSampleCount === 0) {
    throw errors.invalidValue({ field: 'qslPerformanceSampleCount' }, `expected a positive integer, got ${qslPerformanceSampleCount}`);
  }
  let samplesPerQuery = 1;
  let targetQps = 1;
  let targetLatencyNs = 0;
  let targetLatencyPercentile: number;
  let maxAsyncQueries: number;
  let targetDurationMs = requested.minDurationMs;
  let minQueryCount = requested.minQueryCount;
  switch (requested.scenario) {
    case 'SingleStream':
      targetQps = 1e9 / requested.singleStreamExpectedLatencyNs;
      maxAsyncQueries = 1;
      targetLatencyPercentile = requested.singleStreamTargetLatencyPercentile;
      break;
    case 'MultiStream':
      targetQps = 1e9 / requested.multiStreamExpectedLatencyNs;
      maxAsyncQueries = 1;
      targetLatencyPercentile = requested.multiStreamTargetLatencyPercentile;
      samplesPerQuery = requested.multiStreamSamplesPerQuery;
      break;
    case 'Server':
      targetQps = requested.serverTargetQps;
      targetLatencyNs = requested.serverTargetLatencyNs;
      targetLatencyPercentile = requested.serverTargetLatencyPercentile;
      maxAsyncQueries = requested.serverMaxAsyncQueries;
      break;
    case 'Offline':
      // Unused by Offline; LoadGen sets it to avoid a garbage value.
      targetLatencyPercentile = 0.99;
      targetQps = requested.offlineExpectedQps;
      maxAsyncQueries = 1;
      break;
  }
  const performanceSampleCount = requested.performanceSampleCountOverride === 0 ? qslPerformanceSampleCount : requested.performanceSampleCountOverride;
  if (requested.scenario === 'Offline') {
    // All samples in one query, sized to last min_duration at the expected rate.
    const targetSampleCount = Math.trunc(OFFLINE_SLACK * (targetDurationMs / 1000) * targetQps);
    samplesPerQuery =
      requested.performanceIssueUnique || requested.performanceIssueSame ? performanceSampleCount : Math.max(minQueryCount, targetSampleCount);
    minQueryCount = 1;
    targetDurationMs = 0;
  }
  return {
    scenario: requested.scenario,
    mode: requested.mode,
    samplesPerQuery,
    targetQps,
    targetLatencyNs,
    targetLatencyPercentile,
    maxAsyncQueries,
    targetDurationMs,
    minDurationMs: requested.minDurationMs,
    maxDurationMs: requested.maxDurationMs,
    minQueryCount,
    maxQueryCount: requested.maxQueryCount,
    minSampleCount: minQueryCount * samplesPerQuery,
    qslRngSeed: requested.qslRngSeed,
    sampleIndexRngSeed: requested.sampleIndexRngSeed,
    scheduleRngSeed: requested.scheduleRngSeed,
    accuracyLogRngSeed: requested.accuracyLogRngSeed,
    accuracyLogProbability: requested.accuracyLogProbability,
    accuracyLogSamplingTarget: requested.accuracyLogSamplingTarget,
    printTimestamps: requested.printTimestamps,
    performanceIssueUnique: requested.performanceIssueUnique,
    performanceIssueSame: requested.performanceIssueSame,
    performanceIssueSameIndex: requested.performanceIssueSameIndex,
    performanceSampleCount,
    sampleConcatenatePermutation: requested.sampleConcatenatePermutation,
  };
}

const UINT64_MAX = (1n << 64n) - 1n;

function isCount(v: number): boolean {
  return Number.isSafeInteger(v) && v >= 0;
}

/** Reject settings LoadGen could not run, naming the field (each setting's `check` in the table). */
export function validateTestSettings(s: TestSettings, release: LoadgenRelease = 'v4.1'): void {
  const bad = (field: string, detail: string): never => {
    throw errors.invalidValue({ field }, detail);
  };
  if (release === 'v1.1' && s.scenario === 'MultiStream') throw unsupportedV11MultiStream();
  for (const spec of REQUESTED_SETTINGS) {
    const field = spec.field;
    const v: unknown = s[field];
    if (spec.kind === 'seed') {
      if (typeof v !== 'bigint' || v < 0n || v > UINT64_MAX) bad(field, `expected a uint64 seed, got ${String(v)}`);
      continue;
    }
    if (!('check' in spec)) continue;
    const n = typeof v === 'number' ? v : NaN;
    switch (spec.check) {
      case 'count':
        if (!isCount(n)) bad(field, `expected a non-negative integer, got ${String(v)}`);
        break;
      case 'positiveCount':
        if (!isCount(n) || n === 0) bad(field, `expected a positive integer, got ${String(v)}`);
        break;
      case 'positive':
        if (!(n > 0) || !Number.isFinite(n)) bad(field, `expected a positive number, got ${String(v)}`);
        // v1.1 stored the expected latencies as uint64.
        if (spec.kind === 'hint' && release === 'v1.1' && !Number.isSafeInteger(n)) bad(field, `v1.1 takes an integer number of ns, got ${n}`);
        break;
      case 'fraction':
        if (!(n > 0 && n < 1)) bad(field, `expected a fraction in (0, 1), got ${String(v)}`);
        break;
      case 'probability':
        if (!(n >= 0 && n <= 1)) bad(field, `expected a probability in [0, 1], got ${String(v)}`);
        break;
    }
  }
}

function unsupportedV11MultiStream(): Error {
  // v1.1 MultiStream issued at fixed intervals and judged intervals skipped: another scenario.
  return errors.invalidValue({ field: 'scenario' }, 'MultiStream is modelled with v4.1 semantics only (v1.1 MultiStream was an interval-based scenario)');
}
