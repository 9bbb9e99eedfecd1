/**
 * Typed records for what MLPerf Inference LoadGen writes: `mlperf_log_summary.txt`,
 * `mlperf_log_detail.txt` (`:::MLLOG` lines) and the NVIDIA harness side files
 * (`metadata.json` in v4.1 runs, `perf_harness_summary.json` in v1.1 runs).
 *
 * Conventions: latencies are integer nanoseconds as `number` (they fit in 2^53); RNG seeds
 * are uint64 and exceed 2^53, so they are `bigint`; instants are epoch milliseconds (UTC).
 * Percentile maps are keyed by the percentile exactly as LoadGen prints it (`'50.00'`,
 * `'99.90'`), so a key round-trips to the log text.
 */

import type { RequiredEffectiveSettings, SummarySettings } from './settings-table.js';

export const MLPERF_SCENARIOS = ['SingleStream', 'MultiStream', 'Server', 'Offline'] as const;
export type MlperfScenario = (typeof MLPERF_SCENARIOS)[number];

export const MLPERF_MODES = ['PerformanceOnly', 'AccuracyOnly', 'SubmissionRun', 'FindPeakPerformance'] as const;
export type MlperfMode = (typeof MLPERF_MODES)[number];

// ---------------------------------------------------------------------------------------------
// mlperf_log_summary.txt

/** The scenario's headline metric line, e.g. `90th percentile latency (ns) : 1463348`. */
export interface MlperfHeadline {
  /** Key as printed: `90th percentile latency (ns)`, `Scheduled samples per second`, `Samples per second`, ... */
  readonly key: string;
  readonly value: number;
}

/** The indented lines under `Result is :`. `undefined` when the LoadGen version does not print the line. */
export interface MlperfConstraints {
  readonly minDurationMet: boolean;
  /** Newer LoadGens print `Skipped` when max duration is not enforced. */
  readonly minQueriesMet: boolean | 'skipped';
  /** Absent before early stopping existed (v1.1). */
  readonly earlyStoppingMet?: boolean | undefined;
  /** Only Server (and v1.1 MultiStream) print it. */
  readonly performanceConstraintsMet?: boolean | undefined;
}

/** The v4.1 `Early Stopping Result:` block; bullets with their wrapped continuation lines joined. */
export interface MlperfEarlyStopping {
  /** The block's lines as printed (each starts with a space); joined with ' ' they equal the detail log's `early_stopping_result`. */
  readonly lines: readonly string[];
  /** One entry per ` * ` bullet, continuation lines joined with single spaces. */
  readonly bullets: readonly string[];
  /** All bullets joined with a space (normalised; `lines.join(' ')` is the detail log's exact text). */
  readonly text: string;
  /** `Processed at least 64 queries (117237).` → 117237. */
  readonly queriesProcessed?: number | undefined;
  /** `Would discard 11483 highest latency queries.` → 11483. */
  readonly queriesDiscarded?: number | undefined;
  /** `Only processed 16 queries.` / `Need to process at least 64 queries ...` → 64. */
  readonly queriesNeeded?: number | undefined;
  /** `Early stopping 90th percentile estimate: 6312032` → { '90': 6312032 }. */
  readonly estimatesNs: Readonly<Record<string, number>>;
}

/** The `Additional Stats` section. */
export interface MlperfAdditionalStats {
  /** SingleStream only. */
  readonly qpsWithLoadgenOverhead?: number | undefined;
  readonly qpsWithoutLoadgenOverhead?: number | undefined;
  /** Server: `Completed samples per second` (or `Scheduled ...`, whichever is not the headline). */
  readonly samplesPerSecond?: MlperfHeadline | undefined;
  /** True when the latencies are per query (MultiStream's `Per-query latency:` marker). */
  readonly perQuery: boolean;
  readonly minLatencyNs: number;
  readonly maxLatencyNs: number;
  readonly meanLatencyNs: number;
  /** `'50.00' → ns`, every `XX.XX percentile latency (ns)` line. */
  readonly percentilesNs: Readonly<Record<string, number>>;
  /** Any other numeric `key : value` line of the section, by its printed key. */
  readonly other: Readonly<Record<string, number>>;
}

/**
 * The `Test Parameters Used` section, typed where the key is known (the settings table's
 * `summary` lines, `src/mlperf/settings-table.ts`); `raw` holds every line.
 */
export type MlperfTestParameters = SummarySettings & {
  /** Every `key : value` line, key as printed (`min_duration (ms)`), value untouched. */
  readonly raw: Readonly<Record<string, string>>;
};

export interface MlperfSummary {
  /** The file name given to the parser, for messages and provenance. */
  readonly file?: string | undefined;
  readonly sutName: string;
  readonly scenario: MlperfScenario;
  readonly mode: MlperfMode;
  readonly headline: MlperfHeadline;
  /** `Query count :` / `Sample count :` header lines some v4.1 builds print. */
  readonly queryCount?: number | undefined;
  readonly sampleCount?: number | undefined;
  readonly resultValid: boolean;
  readonly constraints: MlperfConstraints;
  /** `Recommendations:` bullets (continuation lines joined); empty when VALID. */
  readonly recommendations: readonly string[];
  /** Absent in v1.1 logs. */
  readonly earlyStopping?: MlperfEarlyStopping | undefined;
  /**
   * Results-section lines this parser has no field for (e.g. token-latency metrics of newer
   * LoadGens), by printed key; other bullet blocks by title, bullets joined with a space.
   */
  readonly extra: Readonly<Record<string, string>>;
  readonly stats: MlperfAdditionalStats;
  readonly params: MlperfTestParameters;
  readonly warningCount: number;
  readonly errorCount: number;
}

// ---------------------------------------------------------------------------------------------
// mlperf_log_detail.txt

/** A decoded `:::MLLOG` value; integers beyond 2^53 are `bigint`, `nan`/`inf` become NaN/±Infinity. */
export type MllogValue = string | number | bigint | boolean | null | readonly MllogValue[] | { readonly [key: string]: MllogValue };

export interface MllogMetadata {
  readonly isError: boolean;
  readonly isWarning: boolean;
  readonly file: string;
  readonly lineNo: number;
  readonly pid: number;
  readonly tid: number;
}

export interface MllogEvent {
  readonly key: string;
  readonly value: MllogValue;
  /** Milliseconds since LoadGen started logging (when the line was emitted, not the event). */
  readonly timeMs: number;
  readonly namespace: string;
  readonly eventType: string;
  readonly metadata: MllogMetadata;
  /** 1-based line in the detail file. */
  readonly line: number;
}

export interface LoadgenVersion {
  /** `'4.1'` from `"4.1 @ 379ee5345a"`. */
  readonly version: string;
  readonly commit: string;
  readonly raw: string;
}

/**
 * The `effective_*` settings LoadGen ran with (after config overrides): those of the settings
 * table a detail log must have, `mode` under the name `testMode`.
 */
export type MlperfEffectiveSettings = Omit<RequiredEffectiveSettings, 'mode'> & {
  readonly testMode: MlperfMode;
  /** Every `effective_*` key, prefix removed, value as decoded. */
  readonly raw: Readonly<Record<string, MllogValue>>;
};

/** The `result_*` block written after the run. */
export interface MlperfDetailResults {
  readonly valid: boolean;
  readonly minDurationMet?: boolean | undefined;
  readonly minQueriesMet?: boolean | undefined;
  readonly perfConstraintsMet?: boolean | undefined;
  /** v4.1 only. */
  readonly earlyStoppingMet?: boolean | undefined;
  readonly earlyStoppingResult?: string | undefined;
  readonly invalidReason?: string | undefined;
  /** v4.1 only. */
  readonly queryCount?: number | undefined;
  readonly qpsWithLoadgenOverhead?: number | undefined;
  readonly qpsWithoutLoadgenOverhead?: number | undefined;
  readonly minLatencyNs: number;
  readonly maxLatencyNs: number;
  readonly meanLatencyNs: number;
  /** `result_90.00_percentile_latency_ns` → { '90.00': ns }. */
  readonly percentilesNs: Readonly<Record<string, number>>;
  /** v4.1 SingleStream `early_stopping_latency_ss` (0 when not enough queries). */
  readonly earlyStoppingLatencySsNs?: number | undefined;
  readonly earlyStoppingLatencyMsNs?: number | undefined;
  /** Every `result_*` key, prefix removed, value as decoded. */
  readonly raw: Readonly<Record<string, MllogValue>>;
}

export interface MlperfDetail {
  readonly file?: string | undefined;
  readonly events: readonly MllogEvent[];
  readonly loadgenVersion?: LoadgenVersion | undefined;
  /**
   * `test_datetime` as written: local wall-clock time with a misleading `Z` suffix
   * (LoadGen formats `localtime` with `%FT%TZ`). Not an instant; see `hostUtcOffsetMin`.
   */
  readonly testDatetime?: string | undefined;
  /** `power_begin` / `power_end` as epoch ms (LoadGen writes them in UTC, ms truncated). */
  readonly powerBeginMs?: number | undefined;
  readonly powerEndMs?: number | undefined;
  /**
   * The host's UTC offset inferred from `test_datetime` (local) minus `power_begin` (UTC),
   * rounded to 15 min: lets local folder timestamps be turned into instants.
   */
  readonly hostUtcOffsetMin?: number | undefined;
  readonly requested: Readonly<Record<string, MllogValue>>;
  readonly effective?: MlperfEffectiveSettings | undefined;
  readonly results?: MlperfDetailResults | undefined;
  /** Events flagged `is_error` / `is_warning` (e.g. `error_runtime` "Max query count reached"). */
  readonly errors: readonly MllogEvent[];
  readonly warnings: readonly MllogEvent[];
  /** `loaded_qsl_set`: the QSL sample indices loaded for the run. */
  readonly loadedQslSet?: readonly number[] | undefined;
}

// ---------------------------------------------------------------------------------------------
// Harness side files

/** v4.1 NVIDIA harness `metadata.json`. */
export interface MlperfRunMetadata {
  readonly systemName?: string | undefined;
  readonly configName?: string | undefined;
  readonly benchmark?: string | undefined;
  readonly scenario?: string | undefined;
  readonly testMode?: string | undefined;
  readonly tensorrtVersion?: string | undefined;
  /** The Python repr of the detected system, as written. */
  readonly detectedSystem?: string | undefined;
  /** `GPU(name="NVIDIA A100-PCIE-40GB", ...)` → `NVIDIA A100-PCIE-40GB`. */
  readonly gpuName?: string | undefined;
  readonly cpuName?: string | undefined;
  readonly raw: Readonly<Record<string, unknown>>;
}

/** One entry of a v1.1 `perf_harness_summary.json`: `{config: {benchmark: text}}`. */
export interface MlperfHarnessSummaryEntry {
  readonly configName: string;
  readonly benchmark: string;
  readonly text: string;
  /** `result_90.00_percentile_latency_ns: 10949526, Result is INVALID` → key, value and validity. */
  readonly metricKey?: string | undefined;
  readonly metricValue?: number | undefined;
  readonly valid?: boolean | undefined;
}

// ---------------------------------------------------------------------------------------------
// Log trees

/** `Logs/<tag>_v<version>_logs/` */
export interface MlperfLogSet {
  readonly folder: string;
  /** `T4` from `T4_v1.1_logs`. */
  readonly tag?: string | undefined;
  /** `v1.1` from `T4_v1.1_logs`. */
  readonly version?: string | undefined;
}

/** A run folder name `YYYY.MM.DD-HH.MM.SS` (local time of the benchmark host, zone unknown). */
export interface MlperfRunTimestamp {
  readonly folder: string;
  /** ISO 8601 without a zone: `2025-05-30T21:30:13`. */
  readonly localIso: string;
  /** The wall-clock fields read as if UTC; subtract the host offset to get an instant. */
  readonly wallClockMs: number;
}

export interface MlperfRunDir {
  /** Folder holding `mlperf_log_summary.txt`. */
  readonly dir: string;
  /** `dir` relative to the scanned root, `/`-separated. */
  readonly relDir: string;
  readonly summaryPath: string;
  readonly detailPath?: string | undefined;
  readonly logSet?: MlperfLogSet | undefined;
  readonly timestamp?: MlperfRunTimestamp | undefined;
  /** `A100-PCIex1_TRT`, `GeForce RTX 2080 Tix1_TRT`, ... */
  readonly system?: string | undefined;
  /** `bert-99` */
  readonly benchmark?: string | undefined;
  /** The scenario folder name (the summary's own `scenario` is authoritative). */
  readonly scenarioFolder?: string | undefined;
  readonly summary: MlperfSummary;
  /** Parsed only when asked (`{ detail: true }`). */
  readonly detail?: MlperfDetail | undefined;
  readonly metadata?: MlperfRunMetadata | undefined;
  readonly harnessSummary?: MlperfHarnessSummaryEntry | undefined;
}

export type SkipReason =
  | 'empty-summary'
  | 'truncated-summary'
  | 'invalid-summary'
  | 'no-summary'
  | 'invalid-detail'
  | 'invalid-metadata';

export interface SkippedRun {
  readonly path: string;
  readonly reason: SkipReason;
  /** One line: the coded error's message, or what the folder holds. */
  readonly detail: string;
}

export interface MlperfLogTree {
  readonly root: string;
  readonly runs: readonly MlperfRunDir[];
  readonly skipped: readonly SkippedRun[];
}
