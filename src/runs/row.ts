/**
 * The one projection of a run: a listed bundle (`scan.ts`) flattened into a `RunRow`, the row
 * of the store's `runs` view, of `runs list` / `runs export` (CSV, JSON, Parquet) and, renamed
 * for its web page, of the dashboard's listing. Every column is defined once, here, with its SQL
 * type, unit and meaning (src/store/README.md renders the same list); so is how a run's device is
 * matched by name, alias or part of a name. Pure.
 */
import { resolveHardware } from '../impact/hardware.js';
import { MLPERF_SCENARIOS, type MlperfScenario } from '../mlperf/types.js';
import { describeProvenance } from '../traces/provenance.js';
import type { Provenance } from '../traces/types.js';
import type { RunManifest } from './manifest.js';
import { runFootprint } from './run-impact.js';
import type { StoredRun } from './io/scan.js';

export type SqlType = 'VARCHAR' | 'DOUBLE' | 'BIGINT' | 'BOOLEAN' | 'TIMESTAMP' | 'VARCHAR[]' | 'JSON';

export interface ColumnSpec {
  readonly name: string;
  readonly type: SqlType;
  /** Unit of the values (`s`, `W`, `J`, `g`, `ns`), empty for none. */
  readonly unit: string;
  readonly doc: string;
}

export type Specs<R> = { readonly [K in keyof R]-?: Omit<ColumnSpec, 'name'> };

export function columns<R>(specs: Specs<R>): readonly ColumnSpec[] {
  return Object.entries<Omit<ColumnSpec, 'name'>>(specs).map(([name, s]) => ({ name, ...s }));
}

// ---------------------------------------------------------------------------------------
// runs

/** One bundle, flattened. Times are ISO 8601 UTC strings; lists are string arrays. */
export interface RunRow {
  readonly id: string;
  readonly label: string;
  readonly status: 'completed' | 'interrupted' | 'failed';
  readonly status_detail: string | null;
  readonly schema_version: number;
  readonly created_at: string;
  readonly started_at: string;
  readonly ended_at: string;
  readonly duration_s: number;
  readonly tool: string;
  readonly host_os: string | null;
  readonly host_cpu: string | null;
  readonly host_gpus: readonly string[];
  readonly driver_version: string | null;
  readonly host_name: string | null;
  readonly scheduler: string | null;
  readonly job_id: string | null;
  readonly array_job_id: string | null;
  readonly array_task_id: string | null;
  readonly step_id: string | null;
  readonly node: string | null;
  readonly partition: string | null;
  readonly cuda_visible_devices: string | null;
  readonly device: string | null;
  readonly hardware_id: string | null;
  readonly sensor: string | null;
  readonly provenance: 'measured' | 'estimated' | 'replayed' | null;
  readonly provenance_detail: string | null;
  readonly estimate_method: string | null;
  readonly requested_interval_s: number | null;
  readonly measured_interval_s: number | null;
  readonly primary_channel: string | null;
  readonly channels: readonly string[];
  readonly workload: RunManifest['workload']['kind'];
  readonly scenario: string | null;
  readonly model: string | null;
  readonly query_count: number | null;
  readonly command: string | null;
  readonly exit_code: number | null;
  readonly import_format: string | null;
  readonly source_path: string | null;
  readonly energy_j: number | null;
  readonly energy_channel: string | null;
  readonly energy_window_s: number | null;
  readonly mean_w: number | null;
  readonly max_w: number | null;
  readonly samples: number | null;
  readonly counter_energy_j: number | null;
  readonly energy_method: string | null;
  readonly gap_count: number;
  readonly window_names: readonly string[];
  readonly gwp_mg: number | null;
  readonly gwp_min_mg: number | null;
  readonly gwp_max_mg: number | null;
  readonly operational_mg: number | null;
  readonly embodied_mg: number | null;
  readonly impact_scope: 'operational+embodied' | 'operational' | null;
  readonly impact_origin: 'recorded' | 'assessed' | null;
  readonly impact_preset: string | null;
  readonly impact_model: string | null;
  readonly grid_g_per_kwh: number | null;
  readonly pue: number | null;
  readonly lifetime_s: number | null;
  readonly has_mlperf: boolean;
  readonly files: readonly string[];
  readonly path: string;
}

const RUN_SPECS: Specs<RunRow> = {
  id: { type: 'VARCHAR', unit: '', doc: 'run id = bundle directory name (`<startedAt>-<label>-<hex>`, sorts by start time)' },
  label: { type: 'VARCHAR', unit: '', doc: "user's label (may be empty)" },
  status: { type: 'VARCHAR', unit: '', doc: '`completed`, `interrupted` or `failed`' },
  status_detail: { type: 'VARCHAR', unit: '', doc: 'signal of an interrupted run; `CODE: message` of a failed one' },
  schema_version: { type: 'BIGINT', unit: '', doc: 'manifest schema version on disk (rows are always in the current shape)' },
  created_at: { type: 'TIMESTAMP', unit: 'UTC', doc: 'when the bundle was written' },
  started_at: { type: 'TIMESTAMP', unit: 'UTC', doc: 'start of the measurement (`t_s = 0` of the trace)' },
  ended_at: { type: 'TIMESTAMP', unit: 'UTC', doc: 'end of the measurement' },
  duration_s: { type: 'DOUBLE', unit: 's', doc: '`ended_at − started_at`' },
  tool: { type: 'VARCHAR', unit: '', doc: 'program and version that wrote the bundle, e.g. `inferprint 0.1.0`' },
  host_os: { type: 'VARCHAR', unit: '', doc: 'operating system, e.g. `linux`' },
  host_cpu: { type: 'VARCHAR', unit: '', doc: 'CPU model' },
  host_gpus: { type: 'VARCHAR[]', unit: '', doc: "names of the host's GPUs" },
  driver_version: { type: 'VARCHAR', unit: '', doc: 'GPU driver version' },
  host_name: { type: 'VARCHAR', unit: '', doc: 'host name of the machine that measured (`host.hostname`)' },
  scheduler: { type: 'VARCHAR', unit: '', doc: 'batch scheduler that started the run: `slurm`, `oar`; NULL when none did' },
  job_id: { type: 'VARCHAR', unit: '', doc: "the scheduler's job id (Slurm `SLURM_JOB_ID`: one per array task)" },
  array_job_id: { type: 'VARCHAR', unit: '', doc: 'job array id (`SLURM_ARRAY_JOB_ID`, `OAR_ARRAY_ID`)' },
  array_task_id: { type: 'VARCHAR', unit: '', doc: 'task index in the job array (`SLURM_ARRAY_TASK_ID`, `OAR_ARRAY_INDEX`)' },
  step_id: { type: 'VARCHAR', unit: '', doc: 'Slurm step (`0`, `1`, ... under srun; `batch` in the batch script): `sacct -j JOB.STEP`' },
  node: { type: 'VARCHAR', unit: '', doc: 'node the scheduler ran the job on (`SLURMD_NODENAME`)' },
  partition: { type: 'VARCHAR', unit: '', doc: 'Slurm partition (`SLURM_JOB_PARTITION`)' },
  cuda_visible_devices: { type: 'VARCHAR', unit: '', doc: '`CUDA_VISIBLE_DEVICES` of the job: the GPUs the scheduler gave it' },
  device: { type: 'VARCHAR', unit: '', doc: "device name as recorded (`device.name`), else as the sensor reported it for the primary channel" },
  hardware_id: { type: 'VARCHAR', unit: '', doc: 'hardware database id (`inferprint hardware list`)' },
  sensor: { type: 'VARCHAR', unit: '', doc: 'sensor name: `nvml`, `nvidia-smi`, `tegrastats`, `rapl`, `estimate`, ...; NULL when the run measured no power (imported MLPerf logs)' },
  provenance: { type: 'VARCHAR', unit: '', doc: '`measured`, `estimated` (a model, not a sensor) or `replayed` (a recording played back) power; NULL when the run measured no power' },
  provenance_detail: { type: 'VARCHAR', unit: '', doc: 'the same in words, e.g. `estimated (cpu-tdp-process)`, `replayed from FILE (measured by nvidia-smi)`' },
  estimate_method: { type: 'VARCHAR', unit: '', doc: 'estimation method when `provenance = estimated`' },
  requested_interval_s: { type: 'DOUBLE', unit: 's', doc: 'sampling interval asked for; NULL when unknown' },
  measured_interval_s: { type: 'DOUBLE', unit: 's', doc: 'median interval between samples; NULL with fewer than two' },
  primary_channel: { type: 'VARCHAR', unit: '', doc: 'the channel results are about; NULL without power' },
  channels: { type: 'VARCHAR[]', unit: '', doc: 'every channel of the trace (empty without power)' },
  workload: { type: 'VARCHAR', unit: '', doc: '`command`, `bench`, `import` or `llm`' },
  scenario: { type: 'VARCHAR', unit: '', doc: 'MLPerf scenario (`workload.scenario`: `SingleStream`, `MultiStream`, `Server`, `Offline`), when recorded' },
  model: { type: 'VARCHAR', unit: '', doc: 'model of a bench run' },
  query_count: { type: 'BIGINT', unit: '', doc: 'query count (`workload.queryCount`, a positive whole number), when recorded' },
  command: { type: 'VARCHAR', unit: '', doc: 'command line of a wrapped command, shell-quoted' },
  exit_code: { type: 'BIGINT', unit: '', doc: "wrapped command's exit code" },
  import_format: { type: 'VARCHAR', unit: '', doc: 'importer of an imported run, e.g. `nvidia-smi-csv`' },
  source_path: { type: 'VARCHAR', unit: '', doc: 'original file of an imported run' },
  energy_j: { type: 'DOUBLE', unit: 'J', doc: 'headline energy: primary channel over the measured window' },
  energy_channel: { type: 'VARCHAR', unit: '', doc: 'channel of `energy_j`' },
  energy_window_s: { type: 'DOUBLE', unit: 's', doc: 'duration `energy_j` covers' },
  mean_w: { type: 'DOUBLE', unit: 'W', doc: 'mean power of the primary channel over the trace' },
  max_w: { type: 'DOUBLE', unit: 'W', doc: 'maximum power of the primary channel' },
  samples: { type: 'BIGINT', unit: '', doc: 'samples of the primary channel' },
  counter_energy_j: { type: 'DOUBLE', unit: 'J', doc: "the sensor's own energy counter on the primary channel, when it has one" },
  energy_method: { type: 'VARCHAR', unit: '', doc: 'integration method, e.g. `trapezoid`' },
  gap_count: { type: 'BIGINT', unit: '', doc: 'sampling gaps detected (all channels)' },
  window_names: { type: 'VARCHAR[]', unit: '', doc: 'named windows of the run (`full`, `compute`, `idle-before`, ...)' },
  gwp_mg: { type: 'DOUBLE', unit: 'mg', doc: 'GWP, mgCO2e: operational + embodied when the hardware is known, else operational only (see `impact_scope`)' },
  gwp_min_mg: { type: 'DOUBLE', unit: 'mg', doc: 'lower end of the GWP range (full LCA only): the envelope over the embodied candidates and every ranged parameter' },
  gwp_max_mg: { type: 'DOUBLE', unit: 'mg', doc: 'upper end of the GWP range (full LCA only)' },
  operational_mg: { type: 'DOUBLE', unit: 'mg', doc: 'operational part: energy × grid factor × PUE' },
  embodied_mg: { type: 'DOUBLE', unit: 'mg', doc: 'embodied (manufacturing) part allocated to the run' },
  impact_scope: { type: 'VARCHAR', unit: '', doc: '`operational+embodied`, `operational`, or NULL when the run has no energy to assess' },
  impact_origin: { type: 'VARCHAR', unit: '', doc: '`recorded` (figures written with the run) or `assessed` (computed on reading, with the settings the run was recorded with)' },
  impact_preset: { type: 'VARCHAR', unit: '', doc: 'parameter preset the run is assessed with: `default`, or `thesis-2025` for the study\'s runs' },
  impact_model: { type: 'VARCHAR', unit: '', doc: 'impact model and version, e.g. `berthelot-2022-v1`' },
  grid_g_per_kwh: { type: 'DOUBLE', unit: 'g/kWh', doc: 'grid carbon intensity used, gCO2e/kWh' },
  pue: { type: 'DOUBLE', unit: '', doc: 'power usage effectiveness used' },
  lifetime_s: { type: 'DOUBLE', unit: 's', doc: 'hardware lifetime the embodied part is allocated over (full LCA only)' },
  has_mlperf: { type: 'BOOLEAN', unit: '', doc: 'the bundle carries an `mlperf_log_summary` file (see the `results` view)' },
  files: { type: 'VARCHAR[]', unit: '', doc: "the bundle's extra files" },
  path: { type: 'VARCHAR', unit: '', doc: 'absolute path of the bundle directory' },
};

/** Columns of `runs`, in order. */
export const RUN_COLUMNS = columns(RUN_SPECS);

type Obj = Readonly<Record<string, unknown>>;

function at(v: unknown, ...path: string[]): unknown {
  let cur = v;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Obj)[k];
  }
  return cur;
}

function strAt(v: unknown, ...path: string[]): string | null {
  const x = at(v, ...path);
  return typeof x === 'string' ? x : null;
}

/** A query count an importer recorded: a positive whole number, else none (the column is BIGINT). */
function queryCountAt(v: unknown): number | null {
  const x = at(v, 'queryCount');
  return typeof x === 'number' && Number.isSafeInteger(x) && x > 0 ? x : null;
}

const isScenario = (v: unknown): v is MlperfScenario => typeof v === 'string' && (MLPERF_SCENARIOS as readonly string[]).includes(v);

/** How a run's power was obtained, as the `provenance*` columns (and `measure --format json`) say it. */
export function provenanceColumns(p: Provenance): { readonly provenance: Provenance['kind']; readonly provenance_detail: string; readonly estimate_method: string | null } {
  return { provenance: p.kind, provenance_detail: describeProvenance(p), estimate_method: p.kind === 'estimated' ? p.method : null };
}

/**
 * The device name of a run: as recorded, else the name the sensor reported for its primary
 * channel (an nvidia-smi or NVML run records the GPU's name there).
 */
export function runDeviceName(m: RunManifest): string | null {
  const sensor = m.sensor;
  return m.device.name ?? sensor?.channels.find((c) => c.name === sensor.primaryChannel)?.device ?? null;
}

/** A command line as a shell would take it back: plain words bare, others single-quoted. */
function shellJoin(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export function toRunRow(run: StoredRun): RunRow {
  const m = run.manifest;
  const w = m.workload;
  const primary = m.energy?.primary;
  const sensor = m.sensor;
  const perPrimary = m.energy?.perChannel.find((c) => c.channel === (primary?.channel ?? sensor?.primaryChannel));
  const counter = m.energy?.counters?.find((c) => c.channel === (primary?.channel ?? sensor?.primaryChannel));
  const fp = runFootprint(m);
  const prov = sensor ? provenanceColumns(sensor.provenance) : undefined;
  const sched = m.host.scheduler;
  const mg = (g: number | null): number | null => (g === null ? null : g * 1000);
  // Unknown fields are kept by the manifest reader: an importer may record a query count or
  // scenario on any workload kind, not only on bench runs.
  const wAny = w as Obj;
  return {
    id: run.id,
    label: m.label,
    status: m.status.kind,
    status_detail: m.status.kind === 'interrupted' ? m.status.signal : m.status.kind === 'failed' ? `${m.status.code}: ${m.status.message}` : null,
    schema_version: run.schemaVersion,
    created_at: m.createdAt,
    started_at: m.startedAt,
    ended_at: m.endedAt,
    duration_s: (Date.parse(m.endedAt) - Date.parse(m.startedAt)) / 1000,
    tool: `${m.tool.name} ${m.tool.version}`,
    host_os: m.host.os ?? null,
    host_cpu: m.host.cpuModel ?? null,
    host_gpus: (m.host.gpus ?? []).map((g) => g.name),
    driver_version: m.host.driverVersion ?? null,
    host_name: m.host.hostname ?? null,
    scheduler: sched?.kind ?? null,
    job_id: sched?.jobId ?? null,
    array_job_id: sched?.arrayJobId ?? null,
    array_task_id: sched?.arrayTaskId ?? null,
    step_id: sched?.stepId ?? null,
    node: sched?.node ?? null,
    partition: sched?.partition ?? null,
    cuda_visible_devices: sched?.cudaVisibleDevices ?? null,
    device: runDeviceName(m),
    hardware_id: m.device.hardwareId ?? null,
    // A run without a sensor measured no power: every power column is NULL.
    sensor: sensor?.name ?? null,
    provenance: prov?.provenance ?? null,
    provenance_detail: prov?.provenance_detail ?? null,
    estimate_method: prov?.estimate_method ?? null,
    requested_interval_s: sensor?.requestedIntervalS ?? null,
    measured_interval_s: sensor?.measuredIntervalS ?? null,
    primary_channel: sensor?.primaryChannel ?? null,
    channels: sensor?.channels.map((c) => c.name) ?? [],
    workload: w.kind,
    // What an importer recorded is kept only when it is what the column holds: a scenario
    // MLPerf defines, a positive whole query count (bench runs are validated on reading).
    scenario: w.kind === 'bench' ? w.scenario : isScenario(wAny.scenario) ? wAny.scenario : null,
    model: w.kind === 'bench' ? w.model : strAt(wAny, 'model'),
    query_count: w.kind === 'bench' ? w.queryCount : queryCountAt(wAny),
    command: w.kind === 'command' ? shellJoin(w.argv) : null,
    exit_code: w.kind === 'command' ? (w.exitCode ?? null) : null,
    import_format: w.kind === 'import' ? w.format : null,
    source_path: w.kind === 'import' ? w.sourcePath : null,
    energy_j: primary?.energyJ ?? null,
    energy_channel: primary?.channel ?? null,
    energy_window_s: primary?.durationS ?? null,
    mean_w: perPrimary?.meanW ?? null,
    max_w: perPrimary?.maxW ?? null,
    samples: perPrimary?.samples ?? null,
    counter_energy_j: counter?.energyJ ?? null,
    energy_method: m.energy?.method ?? null,
    gap_count: m.gaps.length,
    window_names: m.windows.map((x) => x.name),
    gwp_mg: mg(fp.gwpG),
    gwp_min_mg: mg(fp.gwpMinG),
    gwp_max_mg: mg(fp.gwpMaxG),
    operational_mg: mg(fp.operationalG),
    embodied_mg: mg(fp.embodiedG),
    impact_scope: fp.scope,
    impact_origin: fp.origin,
    impact_preset: fp.preset,
    impact_model: fp.model,
    grid_g_per_kwh: fp.gridGPerKwh,
    pue: fp.pue,
    lifetime_s: fp.lifetimeS,
    has_mlperf: m.files.some((f) => f.role === 'mlperf_log_summary'),
    files: m.files.map((f) => f.name),
    path: run.path,
  };
}


// ---------------------------------------------------------------------------------------
// devices

/**
 * How a run's device is named for people, the same in every listing: its hardware id, else the
 * id its device name resolves to (`orin` → `AGX-Orin`), else that name; null without either.
 */
export function rowDeviceDisplay(row: Pick<RunRow, 'hardware_id' | 'device'>): string | null {
  if (row.hardware_id !== null) return row.hardware_id;
  if (row.device === null) return null;
  return resolveHardware(row.device)?.id ?? row.device;
}

/**
 * The one device match of `runs list --device`, `runs export --device` and the dashboard's
 * `?device=`, ignoring case. A run's hardware is its hardware id, else the id its device name
 * resolves to (a run that recorded only `orin` is the AGX-Orin).
 *
 * - A query the hardware database knows (an id, a name or an alias: `A100`, `orin`,
 *   `NVIDIA A100-SXM4-40GB`) matches runs of that hardware, and runs whose hardware id contains
 *   the query (`A100` also finds `A100-PCIE-40GB`: a family name finds the family). A run whose
 *   hardware is known is judged by it alone, never by its free-text name.
 * - Any other text matches runs whose hardware id or device name contains it (`jetson`, `NVIDIA`).
 */
export function deviceMatcher(query: string): (row: Pick<RunRow, 'hardware_id' | 'device'>) => boolean {
  const known = resolveHardware(query)?.id;
  const needle = query.toLowerCase();
  return (r) => {
    const hardware = r.hardware_id ?? (r.device !== null ? (resolveHardware(r.device)?.id ?? null) : null);
    const inHardware = hardware !== null && hardware.toLowerCase().includes(needle);
    if (known !== undefined && hardware !== null) return hardware === known || resolveHardware(hardware)?.id === known || inHardware;
    return inHardware || (r.device !== null && r.device.toLowerCase().includes(needle));
  };
}
