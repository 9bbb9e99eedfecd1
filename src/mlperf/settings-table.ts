/**
 * LoadGen's test settings, each written once: its name in the logs, its field here, and the C++
 * type LoadGen logs it as (which decides its text). Two tables, because LoadGen has two records:
 *
 * - `REQUESTED_SETTINGS`: what a harness asks for (C++ `mlperf::TestSettings`), logged as
 *   `requested_<key>` by `LogRequestedTestSettings`, with the member initialiser as `default`
 *   and the range LoadGen can run with as `check`;
 * - `EFFECTIVE_SETTINGS`: what LoadGen runs with (`TestSettingsInternal`), logged as
 *   `effective_<key>` by `LogEffectiveSettings`; those with a `summary` prefix are also the
 *   summary's `Test Parameters Used` lines (`TestSettingsInternal::LogSummary`), in this order.
 *
 * Everything else derives from them: the types (`TestSettings`, `EffectiveSettings`, the parsed
 * `MlperfEffectiveSettings` and `MlperfTestParameters`, a bundle's `MlperfSettingsRecord`), the
 * detail and summary writers, the detail and summary parsers, `validateTestSettings` and the
 * manifest reader's check of `workload.mlperfSettings`. A setting added here is written, parsed,
 * typed and checked everywhere.
 *
 * Order matters: it is the order LoadGen logs the keys in (the writers are checked byte for byte
 * against the study's real logs). Pure: data and types only.
 */
import type { MlperfMode, MlperfScenario } from './types.js';

export const LOADGEN_RELEASES = ['v1.1', 'v4.1'] as const;
/** The LoadGen release whose semantics and log text are reproduced. */
export type LoadgenRelease = (typeof LOADGEN_RELEASES)[number];

/**
 * How LoadGen logs a value, i.e. its C++ type:
 * - `int`: an unsigned integer (counts, ns, ms): raw digits;
 * - `double`: `%g` text (`6.2e+06`, `0.9`), even when integral;
 * - `hint`: a double in v4.1, a uint64 in v1.1 (the expected-latency hints);
 * - `seed`: a uint64 RNG seed, beyond 2^53, so a `bigint` here;
 * - `bool`: `true`/`false` in the detail log, `0`/`1` in the summary;
 * - `scenario`, `mode`: a string from a closed set.
 */
export type SettingKind = 'int' | 'double' | 'hint' | 'seed' | 'bool' | 'scenario' | 'mode';

/** The TypeScript type of a setting of that kind. */
export type SettingValue<K extends SettingKind> = K extends 'seed'
  ? bigint
  : K extends 'bool'
    ? boolean
    : K extends 'scenario'
      ? MlperfScenario
      : K extends 'mode'
        ? MlperfMode
        : number;

/**
 * What values a requested setting may take for LoadGen to run (checked by
 * `validateTestSettings`): `count` a non-negative integer, `positiveCount` one above 0,
 * `positive` a finite number above 0, `fraction` in (0, 1), `probability` in [0, 1]. Seeds are
 * always checked to be uint64; a `hint` must also be an integer in v1.1.
 */
export type SettingCheck = 'count' | 'positiveCount' | 'positive' | 'fraction' | 'probability';

interface SpecOf<K extends SettingKind> {
  /** The name LoadGen logs, without its `requested_` / `effective_` prefix. */
  readonly key: string;
  /** The field of the TypeScript record. */
  readonly field: string;
  readonly kind: K;
  /** Logged by this release only (v4.1 added it). */
  readonly only?: LoadgenRelease;
}

interface RequestedSpecOf<K extends SettingKind> extends SpecOf<K> {
  /** The C++ member initialiser (v4.1): what LoadGen uses when no config sets the key. */
  readonly default: SettingValue<K>;
  /** Logged only when the test runs this scenario (the scenario's own block). */
  readonly scenario?: MlperfScenario;
  readonly check?: SettingCheck;
}

interface EffectiveSpecOf<K extends SettingKind> extends SpecOf<K> {
  /** The `Test Parameters Used` line's text before the value, exactly as printed (`min_duration (ms): `). */
  readonly summary?: string;
  /**
   * The detail parser has never required it: logs trimmed or written by hand often leave it
   * out (and v1.1 lacks the v4.1-only ones). It stays in the parsed record's `raw` only.
   */
  readonly optional?: true;
}

type RequestedSpec = { [K in SettingKind]: RequestedSpecOf<K> }[SettingKind];
type EffectiveSpec = { [K in SettingKind]: EffectiveSpecOf<K> }[SettingKind];

/** `mlperf::TestSettings`, in `LogRequestedTestSettings`' order: scenario and mode, the scenario's block, then the common keys. */
export const REQUESTED_SETTINGS = [
  { key: 'scenario', field: 'scenario', kind: 'scenario', default: 'SingleStream' },
  { key: 'test_mode', field: 'mode', kind: 'mode', default: 'PerformanceOnly' },
  // A hint: LoadGen pre-generates 2 × min_duration / this many queries.
  { key: 'single_stream_expected_latency_ns', field: 'singleStreamExpectedLatencyNs', kind: 'hint', scenario: 'SingleStream', default: 1_000_000, check: 'positive' },
  { key: 'single_stream_target_latency_percentile', field: 'singleStreamTargetLatencyPercentile', kind: 'double', scenario: 'SingleStream', default: 0.9, check: 'fraction' },
  // v4.1 MultiStream: SingleStream-like issuing of multi_stream_samples_per_query samples.
  { key: 'multi_stream_expected_latency_ns', field: 'multiStreamExpectedLatencyNs', kind: 'hint', scenario: 'MultiStream', default: 8_000_000, check: 'positive' },
  { key: 'multi_stream_target_latency_percentile', field: 'multiStreamTargetLatencyPercentile', kind: 'double', scenario: 'MultiStream', default: 0.99, check: 'fraction' },
  { key: 'multi_stream_samples_per_query', field: 'multiStreamSamplesPerQuery', kind: 'int', scenario: 'MultiStream', default: 8, check: 'positiveCount' },
  { key: 'server_target_qps', field: 'serverTargetQps', kind: 'double', scenario: 'Server', default: 1, check: 'positive' },
  { key: 'server_target_latency_ns', field: 'serverTargetLatencyNs', kind: 'int', scenario: 'Server', default: 100_000_000, check: 'count' },
  { key: 'server_target_latency_percentile', field: 'serverTargetLatencyPercentile', kind: 'double', scenario: 'Server', default: 0.99, check: 'fraction' },
  { key: 'server_coalesce_queries', field: 'serverCoalesceQueries', kind: 'bool', scenario: 'Server', default: false },
  { key: 'server_find_peak_qps_decimals_of_precision', field: 'serverFindPeakQpsDecimalsOfPrecision', kind: 'int', scenario: 'Server', default: 1, check: 'count' },
  { key: 'server_find_peak_qps_boundary_step_size', field: 'serverFindPeakQpsBoundaryStepSize', kind: 'double', scenario: 'Server', default: 1 },
  // 0: unlimited.
  { key: 'server_max_async_queries', field: 'serverMaxAsyncQueries', kind: 'int', scenario: 'Server', default: 0, check: 'count' },
  { key: 'server_num_issue_query_threads', field: 'serverNumIssueQueryThreads', kind: 'int', scenario: 'Server', default: 0, check: 'count' },
  { key: 'offline_expected_qps', field: 'offlineExpectedQps', kind: 'double', scenario: 'Offline', default: 1, check: 'positive' },
  { key: 'min_duration_ms', field: 'minDurationMs', kind: 'int', default: 10_000, check: 'count' },
  // 0: unlimited.
  { key: 'max_duration_ms', field: 'maxDurationMs', kind: 'int', default: 0, check: 'count' },
  { key: 'min_query_count', field: 'minQueryCount', kind: 'int', default: 100, check: 'count' },
  // 0: unlimited. The study set min = max = its query count, so its runs end "early" on this.
  { key: 'max_query_count', field: 'maxQueryCount', kind: 'int', default: 0, check: 'count' },
  { key: 'qsl_rng_seed', field: 'qslRngSeed', kind: 'seed', default: 0n },
  { key: 'sample_index_rng_seed', field: 'sampleIndexRngSeed', kind: 'seed', default: 0n },
  { key: 'schedule_rng_seed', field: 'scheduleRngSeed', kind: 'seed', default: 0n },
  { key: 'accuracy_log_rng_seed', field: 'accuracyLogRngSeed', kind: 'seed', default: 0n },
  { key: 'accuracy_log_probability', field: 'accuracyLogProbability', kind: 'double', default: 0, check: 'probability' },
  { key: 'accuracy_log_sampling_target', field: 'accuracyLogSamplingTarget', kind: 'int', default: 0, check: 'count' },
  { key: 'print_timestamps', field: 'printTimestamps', kind: 'bool', default: false },
  { key: 'performance_issue_unique', field: 'performanceIssueUnique', kind: 'bool', default: false },
  { key: 'performance_issue_same', field: 'performanceIssueSame', kind: 'bool', default: false },
  { key: 'performance_issue_same_index', field: 'performanceIssueSameIndex', kind: 'int', default: 0, check: 'count' },
  // 0: use the QSL's performance sample count.
  { key: 'performance_sample_count_override', field: 'performanceSampleCountOverride', kind: 'int', default: 0, check: 'count' },
  // v4.1 "equal issue" mode.
  { key: 'sample_concatenate_permutation', field: 'sampleConcatenatePermutation', kind: 'bool', only: 'v4.1', default: false },
] as const satisfies readonly RequestedSpec[];

/** `TestSettingsInternal`, in `LogEffectiveSettings`' order. */
export const EFFECTIVE_SETTINGS = [
  { key: 'scenario', field: 'scenario', kind: 'scenario' },
  { key: 'test_mode', field: 'mode', kind: 'mode' },
  { key: 'samples_per_query', field: 'samplesPerQuery', kind: 'int', summary: 'samples_per_query : ' },
  { key: 'target_qps', field: 'targetQps', kind: 'double', summary: 'target_qps : ' },
  { key: 'target_latency_ns', field: 'targetLatencyNs', kind: 'int', summary: 'target_latency (ns): ' },
  { key: 'target_latency_percentile', field: 'targetLatencyPercentile', kind: 'double' },
  { key: 'max_async_queries', field: 'maxAsyncQueries', kind: 'int', summary: 'max_async_queries : ' },
  // Queries are pre-generated to cover twice this (once for Server); 0 for Offline.
  { key: 'target_duration_ms', field: 'targetDurationMs', kind: 'int' },
  { key: 'min_duration_ms', field: 'minDurationMs', kind: 'int', summary: 'min_duration (ms): ' },
  { key: 'max_duration_ms', field: 'maxDurationMs', kind: 'int', summary: 'max_duration (ms): ' },
  { key: 'min_query_count', field: 'minQueryCount', kind: 'int', summary: 'min_query_count : ' },
  { key: 'max_query_count', field: 'maxQueryCount', kind: 'int', summary: 'max_query_count : ' },
  { key: 'min_sample_count', field: 'minSampleCount', kind: 'int' },
  { key: 'qsl_rng_seed', field: 'qslRngSeed', kind: 'seed', summary: 'qsl_rng_seed : ' },
  { key: 'sample_index_rng_seed', field: 'sampleIndexRngSeed', kind: 'seed', summary: 'sample_index_rng_seed : ' },
  { key: 'schedule_rng_seed', field: 'scheduleRngSeed', kind: 'seed', summary: 'schedule_rng_seed : ' },
  { key: 'accuracy_log_rng_seed', field: 'accuracyLogRngSeed', kind: 'seed', summary: 'accuracy_log_rng_seed : ' },
  { key: 'accuracy_log_probability', field: 'accuracyLogProbability', kind: 'double', summary: 'accuracy_log_probability : ', optional: true },
  { key: 'accuracy_log_sampling_target', field: 'accuracyLogSamplingTarget', kind: 'int', summary: 'accuracy_log_sampling_target : ', optional: true },
  { key: 'print_timestamps', field: 'printTimestamps', kind: 'bool', summary: 'print_timestamps : ', optional: true },
  { key: 'performance_issue_unique', field: 'performanceIssueUnique', kind: 'bool', summary: 'performance_issue_unique : ', optional: true },
  { key: 'performance_issue_same', field: 'performanceIssueSame', kind: 'bool', summary: 'performance_issue_same : ', optional: true },
  { key: 'performance_issue_same_index', field: 'performanceIssueSameIndex', kind: 'int', summary: 'performance_issue_same_index : ', optional: true },
  { key: 'performance_sample_count', field: 'performanceSampleCount', kind: 'int', summary: 'performance_sample_count : ' },
  { key: 'sample_concatenate_permutation', field: 'sampleConcatenatePermutation', kind: 'bool', only: 'v4.1', optional: true },
] as const satisfies readonly EffectiveSpec[];

type RequestedEntry = (typeof REQUESTED_SETTINGS)[number];
type EffectiveEntry = (typeof EFFECTIVE_SETTINGS)[number];

/** What the user asks for (C++ `mlperf::TestSettings`). Times in ns or ms as named; percentiles as fractions. */
export type TestSettings = { readonly [E in RequestedEntry as E['field']]: SettingValue<E['kind']> };

/** Settings LoadGen runs with (C++ `TestSettingsInternal`): the `effective_*` detail keys. */
export type EffectiveSettings = { readonly [E in EffectiveEntry as E['field']]: SettingValue<E['kind']> };

type SummaryEntry = Extract<EffectiveEntry, { readonly summary: string }>;
/** The settings the summary's `Test Parameters Used` block prints. */
export type SummarySettings = { readonly [E in SummaryEntry as E['field']]: SettingValue<E['kind']> };

type OptionalEntry = Extract<EffectiveEntry, { readonly optional: true }>;
type RequiredEffectiveEntry = Exclude<EffectiveEntry, OptionalEntry>;
/** The `effective_*` settings a detail log must have (the parser keeps the optional ones in `raw` only). */
export type RequiredEffectiveSettings = { readonly [E in RequiredEffectiveEntry as E['field']]: SettingValue<E['kind']> };
/** The table's entries for them, in log order. */
export const REQUIRED_EFFECTIVE_SETTINGS: readonly RequiredEffectiveEntry[] = EFFECTIVE_SETTINGS.filter((spec): spec is RequiredEffectiveEntry => !('optional' in spec));

/** The JSON form of a value: seeds as decimal strings (JSON numbers lose digits beyond 2^53). */
export type SettingJson<K extends SettingKind> = K extends 'seed' ? string : SettingValue<K>;
/** Effective settings as a run bundle records them (`workload.mlperfSettings`): any subset, seeds as strings. */
export type EffectiveSettingsJson = { readonly [E in EffectiveEntry as E['field']]?: SettingJson<E['kind']> };

/** The summary line's key as a parser splits it (`min_duration (ms)`). */
export function summaryKey(prefix: string): string {
  return prefix.replace(/\s*:\s*$/, '');
}

/** Whether a setting is logged by a release. */
export function loggedBy(spec: { readonly key: string; readonly only?: LoadgenRelease }, release: LoadgenRelease): boolean {
  return spec.only === undefined || spec.only === release;
}

/** The member initialisers of v4.1 `mlperf::TestSettings` (what LoadGen uses for a key no config sets). */
export const TEST_SETTINGS_DEFAULTS: TestSettings = Object.freeze(
  // Built from the table: each default is checked against its kind by `satisfies` above.
  Object.fromEntries(REQUESTED_SETTINGS.map((s) => [s.field, s.default])) as TestSettings,
);
