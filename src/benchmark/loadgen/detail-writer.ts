/**
 * `mlperf_log_detail.txt` in LoadGen's exact text: one `:::MLLOG {json}` line per event
 * (logging.h `MLPERF_LOG`), plus builders for the events LoadGen logs, in its order, with its
 * keys and value types (v4.1 and v1.1).
 *
 * A line is `{"key", "value", "time_ms", "namespace", "event_type", "metadata"}` with one space
 * after each `:` and `,` at the top level, none inside values. The value's C++ type decides its
 * text: strings quoted, bools `true`/`false`, integers raw (seeds beyond 2^53 as bigint),
 * doubles `%g` with 6 significant digits (`6.2e+06`, `742.065`, `0.9`), index vectors `[a,b]`,
 * string maps `{"k":"v"}`. So a value carries its C++ type here (`MllogOut`): 6200000 as a
 * double prints `6.2e+06`, as an integer `6200000`. `time_ms` is the emission time since
 * logging started, as integer ms `.` 6-digit ns remainder. One deliberate deviation: every
 * string is JSON-escaped (the reference escapes only the git messages and writes invalid JSON
 * for a SUT name holding a quote); for every string in the real logs the text is the same.
 * Pure: records in, text out.
 */
import { errors } from '../../errors.js';
import type { MllogValue } from '../../mlperf/types.js';
import { earlyStoppingLatencies, type LatencyStats, type PerformanceResults } from './results.js';
import type { EffectiveSettings, LoadgenRelease, TestSettings } from './settings.js';
import { EFFECTIVE_SETTINGS, REQUESTED_SETTINGS, loggedBy, type SettingKind } from '../../mlperf/settings-table.js';
import { earlyStoppingText, formatDouble, percentileLabel } from './summary-writer.js';
import { TOOL_NAME, TOOL_VERSION } from '../../version.js';

/** A value with the C++ type LoadGen logged it as (the type decides the text). */
export type MllogOut =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'int'; readonly value: number | bigint }
  | { readonly type: 'double'; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'ints'; readonly value: readonly number[] }
  | { readonly type: 'map'; readonly value: Readonly<Record<string, string>> };

/** Constructors for `MllogOut`. */
export const mllog = {
  str: (value: string): MllogOut => ({ type: 'string', value }),
  int: (value: number | bigint): MllogOut => ({ type: 'int', value }),
  dbl: (value: number): MllogOut => ({ type: 'double', value }),
  bool: (value: boolean): MllogOut => ({ type: 'bool', value }),
  ints: (value: readonly number[]): MllogOut => ({ type: 'ints', value }),
  map: (value: Readonly<Record<string, string>>): MllogOut => ({ type: 'map', value }),
};

/** An event before it is stamped: what LoadGen logs. */
export interface MllogRecord {
  readonly key: string;
  readonly value: MllogOut;
  /** `MLPERF_LOG_ERROR` (counted in the summary's errors footer). */
  readonly isError?: boolean | undefined;
  /** `MLPERF_LOG_WARNING`. */
  readonly isWarning?: boolean | undefined;
}

/** When and where an event was logged. */
export interface MllogStamp {
  /** Since logging started, integer ns (the line shows it in ms with 6 decimals). */
  readonly elapsedNs: number;
  /** The reference writes the C++ `__FILE__`; inferprint writes the module that logged it. */
  readonly file: string;
  /** The reference writes `__LINE__`; inferprint, which has no meaningful line, writes 0. */
  readonly lineNo: number;
  readonly pid: number;
  readonly tid: number;
}

export type MllogEntry = MllogRecord & MllogStamp;

// ---------------------------------------------------------------------------------------------
// Line formatting

/** JSON string escaping as LoadGen's `EscapeStringJson` does it (`"`, `\`, control characters). */
export function escapeJsonString(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out;
}

const quoted = (s: string): string => `"${escapeJsonString(s)}"`;

/** `time_ms`: integer ms, '.', the ns remainder on 6 digits (`0.013184`, `430.000640`). */
export function formatTimeMs(elapsedNs: number): string {
  if (!Number.isSafeInteger(elapsedNs) || elapsedNs < 0) throw errors.invalidValue({ field: 'elapsedNs' }, `expected a non-negative integer ns, got ${elapsedNs}`);
  const rem = elapsedNs % 1_000_000;
  return `${(elapsedNs - rem) / 1_000_000}.${String(rem).padStart(6, '0')}`;
}

export function formatMllogValue(v: MllogOut): string {
  switch (v.type) {
    case 'string':
      return quoted(v.value);
    case 'int':
      if (typeof v.value === 'number' && !Number.isSafeInteger(v.value)) {
        throw errors.invalidValue({ field: 'value' }, `integer ${v.value} is not exact: pass a bigint`);
      }
      return v.value.toString();
    case 'double':
      return formatDouble(v.value);
    case 'bool':
      return v.value ? 'true' : 'false';
    case 'ints':
      return `[${v.value.join(',')}]`;
    case 'map':
      return `{${Object.entries(v.value)
        .map(([k, s]) => `${quoted(k)}:${quoted(s)}`)
        .join(',')}}`;
  }
}

/** One `:::MLLOG` line, without its newline. */
export function formatMllogLine(e: MllogEntry): string {
  return (
    `:::MLLOG {"key": ${quoted(e.key)}, "value": ${formatMllogValue(e.value)}, "time_ms": ${formatTimeMs(e.elapsedNs)}, ` +
    `"namespace": "mlperf::logging", "event_type": "POINT_IN_TIME", "metadata": {"is_error": ${e.isError === true}, ` +
    `"is_warning": ${e.isWarning === true}, "file": ${quoted(e.file)}, "line_no": ${e.lineNo}, "pid": ${e.pid}, "tid": ${e.tid}}}`
  );
}

/** The text of `mlperf_log_detail.txt`: one line per entry, each ending with a newline. */
export function writeDetail(entries: readonly MllogEntry[]): string {
  let out = '';
  for (const e of entries) out += `${formatMllogLine(e)}\n`;
  return out;
}

/** Stamp records logged together (LoadGen logs a block from one lambda: same time, file, pid, tid). */
export function stamp(records: readonly MllogRecord[], at: MllogStamp): MllogEntry[] {
  return records.map((r) => ({ ...r, ...at }));
}

// ---------------------------------------------------------------------------------------------
// Reading parsed values back into typed ones

/** Settings LoadGen logs as C++ doubles (an integral double still prints in %g: `6.2e+06`), from the settings table. */
const SETTING_DOUBLE_KEYS = [
  ...REQUESTED_SETTINGS.filter((spec) => spec.kind === 'double').map((spec) => `requested_${spec.key}`),
  ...EFFECTIVE_SETTINGS.filter((spec) => spec.kind === 'double').map((spec) => `effective_${spec.key}`),
];
/** Other keys LoadGen logs as doubles: the results, and `multi_stream_target_qps` (some builds log it; the settings table does not model it). */
const DOUBLE_KEYS = new Set([
  ...SETTING_DOUBLE_KEYS,
  'requested_multi_stream_target_qps',
  'result_qps_with_loadgen_overhead',
  'result_qps_without_loadgen_overhead',
  'result_scheduled_samples_per_sec',
  'result_completed_samples_per_sec',
  'result_samples_per_second',
]);
/** Doubles in v4.1 only (v1.1 declared the expected-latency hints uint64_t). */
const DOUBLE_KEYS_V41 = new Set(REQUESTED_SETTINGS.filter((spec) => spec.kind === 'hint').map((spec) => `requested_${spec.key}`));

function isDoubleKey(key: string, release: LoadgenRelease): boolean {
  return DOUBLE_KEYS.has(key) || (release === 'v4.1' && DOUBLE_KEYS_V41.has(key));
}

/**
 * The typed value of a decoded `:::MLLOG` value (from `parseDetail`), using the key to tell
 * doubles from integers. Lets a parsed log be written back, and tests check the writer on the
 * real logs line by line.
 */
export function typedMllogValue(key: string, value: MllogValue, release: LoadgenRelease): MllogOut {
  const bad = (what: string): never => {
    throw errors.invalidValue({ field: key }, what);
  };
  if (typeof value === 'string') return mllog.str(value);
  if (typeof value === 'boolean') return mllog.bool(value);
  if (typeof value === 'bigint') return mllog.int(value);
  if (typeof value === 'number') {
    if (isDoubleKey(key, release) || !Number.isInteger(value)) return mllog.dbl(value);
    return mllog.int(value);
  }
  if (value === null) return bad('null is not a value LoadGen logs');
  if (Array.isArray(value)) {
    const ints: number[] = [];
    for (const x of value as readonly MllogValue[]) {
      if (typeof x !== 'number' || !Number.isSafeInteger(x)) return bad('arrays LoadGen logs hold integers only');
      ints.push(x);
    }
    return mllog.ints(ints);
  }
  const map: Record<string, string> = {};
  for (const [k, x] of Object.entries(value as Readonly<Record<string, MllogValue>>)) {
    if (typeof x !== 'string') return bad('maps LoadGen logs hold strings only');
    map[k] = x;
  }
  return mllog.map(map);
}

// ---------------------------------------------------------------------------------------------
// Timestamps

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * `power_begin` / `power_end`: `MM-DD-YYYY HH:MM:SS.mmm` in UTC, milliseconds truncated
 * (utils.cc `DateTimeStringForPower`). MLPerf's power tooling aligns its samples on these.
 */
export function formatPowerTimestamp(epochMs: number): string {
  if (!Number.isFinite(epochMs) || epochMs < 0) throw errors.invalidValue({ field: 'epochMs' }, `expected a time after 1970, got ${epochMs}`);
  const d = new Date(Math.floor(epochMs));
  return (
    `${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}-${d.getUTCFullYear()} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`
  );
}

/**
 * `test_datetime`: LoadGen formats *local* time with `%FT%TZ`, so the `Z` is a lie; pass the
 * host's UTC offset (minutes east of UTC, e.g. `-new Date().getTimezoneOffset()`) to be
 * byte-compatible. Seconds truncated.
 */
export function formatTestDatetime(epochMs: number, utcOffsetMin: number): string {
  if (!Number.isFinite(epochMs) || !Number.isInteger(utcOffsetMin)) {
    throw errors.invalidValue({ field: 'epochMs' }, `expected an instant and an integer offset, got ${epochMs}, ${utcOffsetMin}`);
  }
  const d = new Date(Math.floor(epochMs / 1000) * 1000 + utcOffsetMin * 60_000);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}Z`;
}

// ---------------------------------------------------------------------------------------------
// The events LoadGen logs, in its order

/** What version.cc logs about the LoadGen build. */
export interface LoadgenBuildInfo {
  /** `"<version> @ <commit>"`, e.g. `4.1 @ 379ee5345a`. */
  readonly loadgenVersion: string;
  readonly buildDateLocal: string;
  readonly buildDateUtc: string;
  readonly gitCommitDate: string;
  readonly gitLogMessage: string;
  /** Non-empty (and not "NA") makes LoadGen log an `error_uncommitted_loadgen_changes`. */
  readonly gitStatusMessage: string;
  readonly fileSha1: Readonly<Record<string, string>>;
}

/** What a test logs before it starts issuing, in LoadGen's order: build, test start, requested and effective settings. */
export interface TestHeader {
  readonly startEpochMs: number;
  readonly release: LoadgenRelease;
  readonly requested: TestSettings;
  readonly effective: EffectiveSettings;
  readonly sutName: string;
  readonly qslName: string;
  readonly qslTotalCount: number;
  readonly qslPerformanceCount: number;
}

export function testHeaderRecords(h: TestHeader): MllogRecord[] {
  const offsetMin = -new Date(h.startEpochMs).getTimezoneOffset();
  return [
    ...versionRecords(loadgenBuildInfo(h.startEpochMs)),
    ...testStartRecords(
      { testDatetime: formatTestDatetime(h.startEpochMs, offsetMin), sutName: h.sutName, sutNameDurationNs: 0, qslName: h.qslName, qslTotalCount: h.qslTotalCount, qslPerformanceCount: h.qslPerformanceCount },
      h.release,
    ),
    ...requestedSettingsRecords(h.requested, h.release),
    ...effectiveSettingsRecords(h.effective, h.release),
  ];
}

/** What this LoadGen logs about its build (no C++ build: the tool's own version). */
export function loadgenBuildInfo(epochMs: number): LoadgenBuildInfo {
  const iso = new Date(epochMs).toISOString().replace('Z', '');
  return {
    loadgenVersion: `4.1 @ ${TOOL_NAME}-${TOOL_VERSION}`,
    buildDateLocal: iso,
    buildDateUtc: iso,
    gitCommitDate: iso,
    gitLogMessage: `${TOOL_NAME} TypeScript LoadGen (v4.1 semantics)`,
    gitStatusMessage: '',
    fileSha1: {},
  };
}

export function versionRecords(info: LoadgenBuildInfo): MllogRecord[] {
  const records: MllogRecord[] = [
    { key: 'loadgen_version', value: mllog.str(info.loadgenVersion) },
    { key: 'loadgen_build_date_local', value: mllog.str(info.buildDateLocal) },
    { key: 'loadgen_build_date_utc', value: mllog.str(info.buildDateUtc) },
    { key: 'loadgen_git_commit_date', value: mllog.str(info.gitCommitDate) },
    { key: 'loadgen_git_log_message', value: mllog.str(info.gitLogMessage) },
    { key: 'loadgen_git_status_message', value: mllog.str(info.gitStatusMessage) },
  ];
  if (info.gitStatusMessage !== '' && info.gitStatusMessage !== 'NA') {
    records.push({ key: 'error_uncommitted_loadgen_changes', value: mllog.str('Loadgen built with uncommitted changes!'), isError: true });
  }
  records.push({ key: 'loadgen_file_sha1', value: mllog.map(info.fileSha1) });
  return records;
}

/** What `StartTest` logs about the test and the SUT/QSL. */
export interface TestStartInfo {
  /** See `formatTestDatetime`. */
  readonly testDatetime: string;
  readonly sutName: string;
  /** v4.1 only: how long `sut->Name()` took, ns. */
  readonly sutNameDurationNs?: number | undefined;
  readonly qslName: string;
  readonly qslTotalCount: number;
  readonly qslPerformanceCount: number;
}

export function testStartRecords(info: TestStartInfo, release: LoadgenRelease): MllogRecord[] {
  const records: MllogRecord[] = [
    { key: 'test_datetime', value: mllog.str(info.testDatetime) },
    { key: 'sut_name', value: mllog.str(info.sutName) },
  ];
  if (release === 'v4.1') {
    if (info.sutNameDurationNs === undefined) throw errors.invalidValue({ field: 'sutNameDurationNs' }, 'v4.1 logs get_sut_name_duration_ns');
    records.push({ key: 'get_sut_name_duration_ns', value: mllog.int(info.sutNameDurationNs) });
  }
  records.push(
    { key: 'qsl_name', value: mllog.str(info.qslName) },
    { key: 'qsl_reported_total_count', value: mllog.int(info.qslTotalCount) },
    { key: 'qsl_reported_performance_count', value: mllog.int(info.qslPerformanceCount) },
  );
  return records;
}

/**
 * A setting's value with the C++ type LoadGen logs it as (its `kind` in the settings table): the
 * expected-latency hints were uint64 in v1.1 and doubles in v4.1.
 */
function settingOut(kind: SettingKind, value: number | bigint | boolean | string, release: LoadgenRelease): MllogOut {
  if (typeof value === 'string') return mllog.str(value);
  if (typeof value === 'boolean') return mllog.bool(value);
  if (typeof value === 'bigint' || kind === 'int' || (kind === 'hint' && release === 'v1.1')) return mllog.int(value);
  return mllog.dbl(value);
}

/** `LogRequestedTestSettings`: scenario and mode, the scenario's own keys, then the overrides (the table's order). */
export function requestedSettingsRecords(s: TestSettings, release: LoadgenRelease): MllogRecord[] {
  if (release === 'v1.1' && s.scenario === 'MultiStream') throw errors.invalidValue({ field: 'scenario' }, 'MultiStream is modelled with v4.1 semantics only');
  const records: MllogRecord[] = [];
  for (const spec of REQUESTED_SETTINGS) {
    if (!loggedBy(spec, release) || ('scenario' in spec && spec.scenario !== s.scenario)) continue;
    records.push({ key: `requested_${spec.key}`, value: settingOut(spec.kind, s[spec.field], release) });
  }
  return records;
}

/** `LogEffectiveSettings`. */
export function effectiveSettingsRecords(s: EffectiveSettings, release: LoadgenRelease): MllogRecord[] {
  const records: MllogRecord[] = [];
  for (const spec of EFFECTIVE_SETTINGS) {
    if (loggedBy(spec, release)) records.push({ key: `effective_${spec.key}`, value: settingOut(spec.kind, s[spec.field], release) });
  }
  return records;
}

/** `generic_message`, e.g. `Starting performance mode`. */
export function messageRecord(text: string): MllogRecord {
  return { key: 'generic_message', value: mllog.str(text) };
}

/** The QSL sample indices loaded for the run (the first loadable set in performance mode). */
export function loadedQslSetRecord(indices: readonly number[]): MllogRecord {
  return { key: 'loaded_qsl_set', value: mllog.ints(indices) };
}

export interface GeneratedQueries {
  readonly queryCount: number;
  readonly samplesPerQuery: number;
  /** Scheduled time of the last generated query, ns. */
  readonly durationNs: number;
}

export function generatedQueriesRecords(g: GeneratedQueries): MllogRecord[] {
  return [
    { key: 'generated_query_count', value: mllog.int(g.queryCount) },
    { key: 'generated_samples_per_query', value: mllog.int(g.samplesPerQuery) },
    { key: 'generated_query_duration', value: mllog.int(g.durationNs) },
  ];
}

/** Why issuing stopped (issue_query_controller.cc / loadgen.cc). */
export type IssueEnd =
  | { readonly kind: 'natural' }
  | { readonly kind: 'max-query-count'; readonly queryCount: number }
  | { readonly kind: 'max-duration'; readonly durationNs: number }
  | { readonly kind: 'too-many-outstanding'; readonly issued: number; readonly outstanding: number }
  | { readonly kind: 'ran-out-of-queries' };

/** The line(s) logged when issuing ends; every reason but the natural one is an error. */
export function issueEndRecord(end: IssueEnd): MllogRecord {
  const error = (text: string): MllogRecord => ({ key: 'error_runtime', value: mllog.str(text), isError: true });
  switch (end.kind) {
    case 'natural':
      return messageRecord('Ending naturally: Minimum query count and test duration met.');
    case 'max-query-count':
      return error(`IssueQueryThread 0 Ending early: Max query count reached. query_count ${end.queryCount}`);
    case 'max-duration':
      return error(`IssueQueryThread 0 Ending early: Max test duration reached. duration_ns ${end.durationNs}`);
    case 'too-many-outstanding':
      return error(`IssueQueryThread 0 Ending early: Too many outstanding queries. issued ${end.issued} outstanding ${end.outstanding}`);
    case 'ran-out-of-queries':
      return error(
        'Ending early: Ran out of generated queries to issue before the minimum query count and test duration were reached. ' +
          'Please update the relevant expected latency or target qps in the TestSettings so they are more accurate.',
      );
  }
}

/** The reference logger's contention counters, logged when the test ends (always 0 for inferprint's logger). */
export const LOGGER_COUNTER_KEYS = [
  'logger_swap_request_slots_retry_count',
  'logger_swap_request_slots_retry_retry_count',
  'logger_swap_request_slots_retry_reencounter_count',
  'logger_start_reading_entries_retry_count',
  'logger_tls_total_log_cas_fail_count',
  'logger_tls_total_swap_buffers_slot_retry_count',
] as const;

export function loggerCounterRecords(counts: Partial<Record<(typeof LOGGER_COUNTER_KEYS)[number], number>> = {}): MllogRecord[] {
  return LOGGER_COUNTER_KEYS.map((key) => ({ key, value: mllog.int(counts[key] ?? 0) }));
}

/**
 * `power_begin` / `power_end`, wall-clock epoch ms: begin is read just before issuing starts;
 * end is begin + (last completion − issue start) on the monotonic clock, not a second
 * wall-clock reading (loadgen.cc). MLPerf Power keeps samples strictly between them.
 */
export function powerRecords(beginEpochMs: number, endEpochMs: number): MllogRecord[] {
  if (!(endEpochMs >= beginEpochMs)) throw errors.invalidValue({ field: 'power_end' }, `power_end ${endEpochMs} precedes power_begin ${beginEpochMs}`);
  return [
    { key: 'power_begin', value: mllog.str(formatPowerTimestamp(beginEpochMs)) },
    { key: 'power_end', value: mllog.str(formatPowerTimestamp(endEpochMs)) },
  ];
}

function latencyRecords(prefix: string, suffix: string, stats: LatencyStats): MllogRecord[] {
  return [
    { key: `${prefix}min_${suffix}`, value: mllog.int(stats.minNs) },
    { key: `${prefix}max_${suffix}`, value: mllog.int(stats.maxNs) },
    { key: `${prefix}mean_${suffix}`, value: mllog.int(stats.meanNs) },
  ];
}

/**
 * The result block (`PerformanceSummary::LogDetail`, v4.1; v1.1 without the early-stopping and
 * query-count keys), in LoadGen's order. The validity here is recomputed like the reference's
 * detail does it: min queries always count (the summary does the same in v4.1 and v1.1).
 */
export function resultRecords(r: PerformanceResults): MllogRecord[] {
  const v41 = r.release === 'v4.1';
  const v = r.validity;
  const out: MllogRecord[] = [{ key: 'result_validity', value: mllog.str(v.valid ? 'VALID' : 'INVALID') }];
  if (r.scenario === 'Server') out.push({ key: 'result_perf_constraints_met', value: mllog.bool(v.perfConstraintsMet) });
  out.push({ key: 'result_min_duration_met', value: mllog.bool(v.minDurationMet) }, { key: 'result_min_queries_met', value: mllog.bool(v.minQueriesMet) });
  if (v41) out.push({ key: 'early_stopping_met', value: mllog.bool(v.earlyStoppingMet ?? true) });
  if (r.invalidReason !== undefined) out.push({ key: 'result_invalid_reason', value: mllog.str(r.invalidReason) });
  if (v41) {
    const text = r.earlyStopping === undefined ? '' : earlyStoppingText(r.earlyStopping).replaceAll('\n', ' ');
    out.push({ key: 'early_stopping_result', value: mllog.str(text) }, { key: 'result_query_count', value: mllog.int(r.queriesIssued) });
    if (r.scenario === 'Server') out.push({ key: 'result_overlatency_query_count', value: mllog.int(r.overlatencyCount ?? 0) });
  }
  const es = earlyStoppingLatencies(r.earlyStopping);
  const tp = r.throughput;
  switch (tp.scenario) {
    case 'SingleStream':
      out.push(
        { key: 'result_qps_with_loadgen_overhead', value: mllog.dbl(tp.qpsWithLoadgenOverhead) },
        { key: 'result_qps_without_loadgen_overhead', value: mllog.dbl(tp.qpsWithoutLoadgenOverhead) },
      );
      if (v41) {
        out.push({ key: 'early_stopping_latency_ss', value: mllog.int(es.ssNs) }, { key: 'early_stopping_latency_ms', value: mllog.int(es.msNs) });
      }
      break;
    case 'MultiStream': {
      const q = r.queryLatency;
      if (q === undefined) throw errors.invalidValue({ field: 'queryLatency' }, 'MultiStream results need per-query latencies');
      out.push(...latencyRecords('result_', 'query_latency_ns', q));
      for (const p of q.percentiles) out.push({ key: `result_${percentileLabel(p.percentile)}_percentile_per_query_latency_ns`, value: mllog.int(p.latencyNs) });
      out.push({ key: 'early_stopping_latency_ms', value: mllog.int(es.msNs) });
      break;
    }
    case 'Server':
      out.push(
        { key: 'result_scheduled_samples_per_sec', value: mllog.dbl(tp.scheduledSamplesPerSecond) },
        { key: 'result_completed_samples_per_sec', value: mllog.dbl(tp.completedSamplesPerSecond) },
      );
      break;
    case 'Offline':
      out.push({ key: 'result_samples_per_second', value: mllog.dbl(tp.samplesPerSecond) });
      break;
  }
  out.push(...latencyRecords('result_', 'latency_ns', r.sampleLatency));
  for (const p of r.sampleLatency.percentiles) out.push({ key: `result_${percentileLabel(p.percentile)}_percentile_latency_ns`, value: mllog.int(p.latencyNs) });
  return out;
}
