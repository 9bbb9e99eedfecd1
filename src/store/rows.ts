/**
 * The store's other tables as plain rows: one `WindowRow` per named window and channel, one
 * `ResultRow` per MLPerf summary, and the column lists of every view. The `runs` row itself is
 * the one projection of a run, `src/runs/row.ts` (shared with the dashboard and the CLI). Every
 * column is defined once, with its SQL type, unit and meaning (README.md renders the same list).
 * Pure.
 */
import type { MlperfSummary } from '../mlperf/types.js';
import { columns, type ColumnSpec } from '../runs/row.js';
import type { StoredRun } from '../runs/io/scan.js';

/** `manifests`: the whole manifest of each run, for fields the flat columns leave out. */
export const MANIFEST_COLUMNS: readonly ColumnSpec[] = [
  { name: 'id', type: 'VARCHAR', unit: '', doc: '`runs.id`' },
  { name: 'manifest', type: 'JSON', unit: '', doc: "the manifest in the current schema, e.g. `manifest->>'$.host.kernel'`" },
];

// ---------------------------------------------------------------------------------------
// windows

export interface WindowRow {
  readonly run_id: string;
  readonly window: string;
  readonly t0_s: number | null;
  readonly t1_s: number | null;
  readonly duration_s: number | null;
  readonly channel: string | null;
  readonly energy_j: number | null;
  readonly mean_w: number | null;
}

export const WINDOW_COLUMNS = columns<WindowRow>({
  run_id: { type: 'VARCHAR', unit: '', doc: '`runs.id`' },
  window: { type: 'VARCHAR', unit: '', doc: 'window name: `full`, `load`, `compute`, `idle-before`, `idle-after`, ...' },
  t0_s: { type: 'DOUBLE', unit: 's', doc: 'start, on the trace time axis (0 = `runs.started_at`)' },
  t1_s: { type: 'DOUBLE', unit: 's', doc: 'end, on the trace time axis' },
  duration_s: { type: 'DOUBLE', unit: 's', doc: '`t1_s − t0_s`' },
  channel: { type: 'VARCHAR', unit: '', doc: 'channel of the energy figure; NULL when the bundle has none for this window' },
  energy_j: { type: 'DOUBLE', unit: 'J', doc: 'energy of the channel over the window (edges interpolated)' },
  mean_w: { type: 'DOUBLE', unit: 'W', doc: '`energy_j / duration_s`' },
});

/** One row per window and channel with an energy figure; a window without any gets one row of NULLs. */
export function toWindowRows(run: StoredRun): WindowRow[] {
  const m = run.manifest;
  const perWindow = m.energy?.perWindow ?? [];
  const rows: WindowRow[] = [];
  const named = new Set<string>();
  for (const w of m.windows) {
    named.add(w.name);
    const energies = perWindow.filter((e) => e.window === w.name);
    const base = { run_id: run.id, window: w.name, t0_s: w.t0S, t1_s: w.t1S, duration_s: w.t1S - w.t0S };
    if (energies.length === 0) rows.push({ ...base, channel: null, energy_j: null, mean_w: null });
    for (const e of energies) rows.push({ ...base, channel: e.channel, energy_j: e.energyJ, mean_w: meanW(e.energyJ, base.duration_s) });
  }
  // An energy figure for a window the manifest does not name (a writer's slip): kept, span unknown.
  for (const e of perWindow) {
    if (!named.has(e.window)) rows.push({ run_id: run.id, window: e.window, t0_s: null, t1_s: null, duration_s: e.durationS, channel: e.channel, energy_j: e.energyJ, mean_w: meanW(e.energyJ, e.durationS) });
  }
  return rows;
}

function meanW(energyJ: number, durationS: number): number | null {
  return durationS > 0 ? energyJ / durationS : null;
}

// ---------------------------------------------------------------------------------------
// traces (a view over the bundles' Parquet files; documented here with the others)

export const TRACE_COLUMNS: readonly ColumnSpec[] = [
  { name: 'run_id', type: 'VARCHAR', unit: '', doc: '`runs.id` (the bundle directory name)' },
  { name: 'channel', type: 'VARCHAR', unit: '', doc: 'channel name (`runs.channels`)' },
  { name: 't_s', type: 'DOUBLE', unit: 's', doc: 'time since `runs.started_at`' },
  { name: 'watts', type: 'DOUBLE', unit: 'W', doc: 'power' },
];

export const COUNTER_COLUMNS: readonly ColumnSpec[] = [
  { name: 'run_id', type: 'VARCHAR', unit: '', doc: '`runs.id`' },
  { name: 'channel', type: 'VARCHAR', unit: '', doc: 'channel name' },
  { name: 't_s', type: 'DOUBLE', unit: 's', doc: 'time since `runs.started_at`' },
  { name: 'energy_j', type: 'DOUBLE', unit: 'J', doc: "the sensor's cumulative energy counter (wrap-around unfolded)" },
];

// ---------------------------------------------------------------------------------------
// results

export interface ResultRow {
  readonly run_id: string;
  readonly file: string;
  readonly sut_name: string;
  readonly scenario: string;
  readonly mode: string;
  readonly result_valid: boolean;
  readonly min_query_count: number;
  readonly samples_per_query: number;
  readonly headline_key: string;
  readonly headline_value: number;
  readonly qps_with_overhead: number | null;
  readonly qps_without_overhead: number | null;
  readonly min_latency_ns: number;
  readonly mean_latency_ns: number;
  readonly max_latency_ns: number;
  readonly p50_latency_ns: number | null;
  readonly p90_latency_ns: number | null;
  readonly p95_latency_ns: number | null;
  readonly p97_latency_ns: number | null;
  readonly p99_latency_ns: number | null;
  readonly p999_latency_ns: number | null;
  readonly target_latency_ns: number;
  readonly early_stopping_met: boolean | null;
  readonly warning_count: number;
  readonly error_count: number;
}

export const RESULT_COLUMNS = columns<ResultRow>({
  run_id: { type: 'VARCHAR', unit: '', doc: '`runs.id`' },
  file: { type: 'VARCHAR', unit: '', doc: 'summary file in the bundle (role `mlperf_log_summary`)' },
  sut_name: { type: 'VARCHAR', unit: '', doc: 'system under test as LoadGen printed it' },
  scenario: { type: 'VARCHAR', unit: '', doc: '`SingleStream`, `MultiStream`, `Server`, `Offline`' },
  mode: { type: 'VARCHAR', unit: '', doc: '`PerformanceOnly`, `AccuracyOnly`, ...' },
  result_valid: { type: 'BOOLEAN', unit: '', doc: '`Result is : VALID`' },
  min_query_count: { type: 'BIGINT', unit: '', doc: '`min_query_count` (the study\'s query count)' },
  samples_per_query: { type: 'BIGINT', unit: '', doc: '`samples_per_query`' },
  headline_key: { type: 'VARCHAR', unit: '', doc: "the scenario's headline metric as printed, e.g. `90th percentile latency (ns)`" },
  headline_value: { type: 'DOUBLE', unit: '', doc: 'its value (unit in `headline_key`)' },
  qps_with_overhead: { type: 'DOUBLE', unit: '1/s', doc: 'SingleStream: QPS with LoadGen overhead' },
  qps_without_overhead: { type: 'DOUBLE', unit: '1/s', doc: 'SingleStream: QPS without LoadGen overhead' },
  min_latency_ns: { type: 'BIGINT', unit: 'ns', doc: 'minimum latency' },
  mean_latency_ns: { type: 'BIGINT', unit: 'ns', doc: 'mean latency (LoadGen integer mean)' },
  max_latency_ns: { type: 'BIGINT', unit: 'ns', doc: 'maximum latency' },
  p50_latency_ns: { type: 'BIGINT', unit: 'ns', doc: '50th percentile latency' },
  p90_latency_ns: { type: 'BIGINT', unit: 'ns', doc: '90th percentile latency' },
  p95_latency_ns: { type: 'BIGINT', unit: 'ns', doc: '95th percentile latency' },
  p97_latency_ns: { type: 'BIGINT', unit: 'ns', doc: '97th percentile latency' },
  p99_latency_ns: { type: 'BIGINT', unit: 'ns', doc: '99th percentile latency' },
  p999_latency_ns: { type: 'BIGINT', unit: 'ns', doc: '99.9th percentile latency' },
  target_latency_ns: { type: 'BIGINT', unit: 'ns', doc: '`target_latency (ns)` setting' },
  early_stopping_met: { type: 'BOOLEAN', unit: '', doc: 'early stopping satisfied; NULL for LoadGens before early stopping (v1.1)' },
  warning_count: { type: 'BIGINT', unit: '', doc: 'warnings LoadGen reported' },
  error_count: { type: 'BIGINT', unit: '', doc: 'errors LoadGen reported' },
});

export function toResultRow(runId: string, file: string, s: MlperfSummary): ResultRow {
  const p = (k: string): number | null => s.stats.percentilesNs[k] ?? null;
  return {
    run_id: runId,
    file,
    sut_name: s.sutName,
    scenario: s.scenario,
    mode: s.mode,
    result_valid: s.resultValid,
    min_query_count: s.params.minQueryCount,
    samples_per_query: s.params.samplesPerQuery,
    headline_key: s.headline.key,
    headline_value: s.headline.value,
    qps_with_overhead: s.stats.qpsWithLoadgenOverhead ?? null,
    qps_without_overhead: s.stats.qpsWithoutLoadgenOverhead ?? null,
    min_latency_ns: s.stats.minLatencyNs,
    mean_latency_ns: s.stats.meanLatencyNs,
    max_latency_ns: s.stats.maxLatencyNs,
    p50_latency_ns: p('50.00'),
    p90_latency_ns: p('90.00'),
    p95_latency_ns: p('95.00'),
    p97_latency_ns: p('97.00'),
    p99_latency_ns: p('99.00'),
    p999_latency_ns: p('99.90'),
    target_latency_ns: s.params.targetLatencyNs,
    early_stopping_met: s.constraints.earlyStoppingMet ?? null,
    warning_count: s.warningCount,
    error_count: s.errorCount,
  };
}
