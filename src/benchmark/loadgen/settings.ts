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
import type { MlperfMode, MlperfScenario } from '../../mlperf/types.js';

export const LOADGEN_RELEASES = ['v1.1', 'v4.1'] as const;
/** The LoadGen release whose semantics and log text are reproduced. */
export type LoadgenRelease = (typeof LOADGEN_RELEASES)[number];

/** The reference builds behind the study's logs, as their `loadgen_version` reads. */
export const REFERENCE_LOADGEN: Readonly<Record<LoadgenRelease, { readonly version: string; readonly commit: string }>> = {
  'v1.1': { version: '1.1', commit: 'ed7044310a' },
  'v4.1': { version: '4.1', commit: '379ee5345a' },
};

/** What the user asks for (C++ `mlperf::TestSettings`). Times in ns or ms as named; percentiles as fractions. */
export interface TestSettings {
  readonly scenario: MlperfScenario;
  readonly mode: MlperfMode;
  /** A hint: LoadGen pre-generates 2 × min_duration / this many queries. A double in v4.1, an integer in v1.1. */
  readonly singleStreamExpectedLatencyNs: number;
  readonly singleStreamTargetLatencyPercentile: number;
  /** v4.1 MultiStream (SingleStream-like issuing of `multiStreamSamplesPerQuery` samples). */
  readonly multiStreamExpectedLatencyNs: number;
  readonly multiStreamTargetLatencyPercentile: number;
  readonly multiStreamSamplesPerQuery: number;
  readonly serverTargetQps: number;
  readonly serverTargetLatencyNs: number;
  readonly serverTargetLatencyPercentile: number;
  readonly serverCoalesceQueries: boolean;
  readonly serverFindPeakQpsDecimalsOfPrecision: number;
  readonly serverFindPeakQpsBoundaryStepSize: number;
  /** 0: unlimited. */
  readonly serverMaxAsyncQueries: number;
  readonly serverNumIssueQueryThreads: number;
  readonly offlineExpectedQps: number;
  readonly minDurationMs: number;
  /** 0: unlimited. */
  readonly maxDurationMs: number;
  readonly minQueryCount: number;
  /** 0: unlimited. The study set min = max = its query count, so its runs end "early" on this. */
  readonly maxQueryCount: number;
  readonly qslRngSeed: bigint;
  readonly sampleIndexRngSeed: bigint;
  readonly scheduleRngSeed: bigint;
  readonly accuracyLogRngSeed: bigint;
  readonly accuracyLogProbability: number;
  readonly accuracyLogSamplingTarget: number;
  readonly printTimestamps: boolean;
  readonly performanceIssueUnique: boolean;
  readonly performanceIssueSame: boolean;
  readonly performanceIssueSameIndex: number;
  /** 0: use the QSL's performance sample count. */
  readonly performanceSampleCountOverride: number;
  /** v4.1 "equal issue" mode; logged by v4.1 only. */
  readonly sampleConcatenatePermutation: boolean;
}

/** The member initialisers of v4.1 `mlperf::TestSettings` (what LoadGen uses for a key no config sets). */
export const TEST_SETTINGS_DEFAULTS: TestSettings = {
  scenario: 'SingleStream',
  mode: 'PerformanceOnly',
  singleStreamExpectedLatencyNs: 1_000_000,
  singleStreamTargetLatencyPercentile: 0.9,
  multiStreamExpectedLatencyNs: 8_000_000,
  multiStreamTargetLatencyPercentile: 0.99,
  multiStreamSamplesPerQuery: 8,
  serverTargetQps: 1,
  serverTargetLatencyNs: 100_000_000,
  serverTargetLatencyPercentile: 0.99,
  serverCoalesceQueries: false,
  serverFindPeakQpsDecimalsOfPrecision: 1,
  serverFindPeakQpsBoundaryStepSize: 1,
  serverMaxAsyncQueries: 0,
  serverNumIssueQueryThreads: 0,
  offlineExpectedQps: 1,
  minDurationMs: 10_000,
  maxDurationMs: 0,
  minQueryCount: 100,
  maxQueryCount: 0,
  qslRngSeed: 0n,
  sampleIndexRngSeed: 0n,
  scheduleRngSeed: 0n,
  accuracyLogRngSeed: 0n,
  accuracyLogProbability: 0,
  accuracyLogSamplingTarget: 0,
  printTimestamps: false,
  performanceIssueUnique: false,
  performanceIssueSame: false,
  performanceIssueSameIndex: 0,
  performanceSampleCountOverride: 0,
  sampleConcatenatePermutation: false,
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

/** Settings LoadGen runs with (C++ `TestSettingsInternal`): the `effective_*` detail keys. */
export interface EffectiveSettings {
  readonly scenario: MlperfScenario;
  readonly mode: MlperfMode;
  readonly samplesPerQuery: number;
  readonly targetQps: number;
  readonly targetLatencyNs: number;
  readonly targetLatencyPercentile: number;
  readonly maxAsyncQueries: number;
  /** Queries are pre-generated to cover twice this (once for Server); 0 for Offline. */
  readonly targetDurationMs: number;
  readonly minDurationMs: number;
  readonly maxDurationMs: number;
  readonly minQueryCount: number;
  readonly maxQueryCount: number;
  readonly minSampleCount: number;
  readonly qslRngSeed: bigint;
  readonly sampleIndexRngSeed: bigint;
  readonly scheduleRngSeed: bigint;
  readonly accuracyLogRngSeed: bigint;
  readonly accuracyLogProbability: number;
  readonly accuracyLogSamplingTarget: number;
  readonly printTimestamps: boolean;
  readonly performanceIssueUnique: boolean;
  readonly performanceIssueSame: boolean;
  readonly performanceIssueSameIndex: number;
  readonly performanceSampleCount: number;
  readonly sampleConcatenatePermutation: boolean;
}

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

/** Reject settings LoadGen could not run, naming the field. */
export function validateTestSettings(s: TestSettings, release: LoadgenRelease = 'v4.1'): void {
  const bad = (field: string, detail: string): never => {
    throw errors.invalidValue({ field }, detail);
  };
  if (release === 'v1.1' && s.scenario === 'MultiStream') throw unsupportedV11MultiStream();
  const counts: readonly (keyof TestSettings)[] = [
    'minDurationMs',
    'maxDurationMs',
    'minQueryCount',
    'maxQueryCount',
    'accuracyLogSamplingTarget',
    'performanceIssueSameIndex',
    'performanceSampleCountOverride',
    'serverMaxAsyncQueries',
    'serverNumIssueQueryThreads',
    'serverFindPeakQpsDecimalsOfPrecision',
  ];
  for (const key of counts) {
    const v = s[key];
    if (typeof v !== 'number' || !isCount(v)) bad(key, `expected a non-negative integer, got ${String(v)}`);
  }
  if (!isCount(s.multiStreamSamplesPerQuery) || s.multiStreamSamplesPerQuery === 0) {
    bad('multiStreamSamplesPerQuery', `expected a positive integer, got ${s.multiStreamSamplesPerQuery}`);
  }
  const positive: readonly (keyof TestSettings)[] = ['singleStreamExpectedLatencyNs', 'multiStreamExpectedLatencyNs', 'serverTargetQps', 'offlineExpectedQps'];
  for (const key of positive) {
    const v = s[key];
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) bad(key, `expected a positive number, got ${String(v)}`);
  }
  // v1.1 stored the expected latency as uint64.
  if (release === 'v1.1' && !Number.isSafeInteger(s.singleStreamExpectedLatencyNs)) {
    bad('singleStreamExpectedLatencyNs', `v1.1 takes an integer number of ns, got ${s.singleStreamExpectedLatencyNs}`);
  }
  if (!Number.isSafeInteger(s.serverTargetLatencyNs) || s.serverTargetLatencyNs < 0) {
    bad('serverTargetLatencyNs', `expected a non-negative integer, got ${s.serverTargetLatencyNs}`);
  }
  for (const key of ['singleStreamTargetLatencyPercentile', 'multiStreamTargetLatencyPercentile', 'serverTargetLatencyPercentile'] as const) {
    const v = s[key];
    if (!(v > 0 && v < 1)) bad(key, `expected a fraction in (0, 1), got ${v}`);
  }
  if (!(s.accuracyLogProbability >= 0 && s.accuracyLogProbability <= 1)) {
    bad('accuracyLogProbability', `expected a probability in [0, 1], got ${s.accuracyLogProbability}`);
  }
  for (const key of ['qslRngSeed', 'sampleIndexRngSeed', 'scheduleRngSeed', 'accuracyLogRngSeed'] as const) {
    const v = s[key];
    if (v < 0n || v > UINT64_MAX) bad(key, `expected a uint64 seed, got ${v}`);
  }
}

function unsupportedV11MultiStream(): Error {
  // v1.1 MultiStream issued at fixed intervals and judged intervals skipped: another scenario.
  return errors.invalidValue({ field: 'scenario' }, 'MultiStream is modelled with v4.1 semantics only (v1.1 MultiStream was an interval-based scenario)');
}
