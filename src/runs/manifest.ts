/**
 * The run manifest (`manifest.json`, DESIGN.md §4.2): the typed record of one run, and a
 * hand-written validator that turns parsed JSON into it. Pure: values in, values out.
 *
 * Reading is strict about what it knows and lenient about what it does not: every required
 * field must be present with the right type (else a coded error naming the file and the field
 * path, e.g. `sensor.channels[2].name`), while unknown extra fields, at any depth, are kept as
 * they are so that a newer writer's additions survive a read-modify-write by an older reader.
 * The format is documented field by field in `README.md` beside this file.
 */
import { jsonDepth } from '../json-depth.js';
import { errors, quote, type InferprintError } from '../errors.js';
import type { ChannelKind } from '../sensors/types.js';
import { checkEnergy, fmt, MAX_CHANNEL_POWER_W } from '../traces/plausibility.js';
import type { Provenance, SensorName } from '../traces/types.js';
import { EMBODIED_MODEL_IDS, type EmbodiedModelId } from '../impact/embodied/index.js';
import { PRESET_IDS, type DefaultUsed, type ImpactSettings, type PresetId } from '../impact/presets.js';
import { MANIFEST_SCHEMA_VERSION, upgradeManifestJson } from './schema.js';
import { EFFECTIVE_SETTINGS, type EffectiveSettingsJson, type SettingKind } from '../mlperf/settings-table.js';
import type { MlperfMode } from '../mlperf/types.js';
import { parseJsonText } from '../json-text.js';

export { MANIFEST_SCHEMA_VERSION };
export const MANIFEST_FILE = 'manifest.json';
export const TRACE_FILE = 'trace.parquet';
export const COUNTERS_FILE = 'counters.parquet';

// ---------------------------------------------------------------------------------------
// Types

/** How the run ended. A command that exits non-zero still *completed* its measurement. */
export type RunStatus =
  | { readonly kind: 'completed' }
  /** Stopped by a signal (Ctrl-C, SIGTERM); the partial run is kept. */
  | { readonly kind: 'interrupted'; readonly signal: string }
  /** The measurement itself failed (e.g. the sensor died); `code` is an inferprint error code. */
  | { readonly kind: 'failed'; readonly code: string; readonly message: string };

export interface HostGpu {
  readonly index: number;
  readonly name: string;
  readonly uuid?: string;
}

/** The machine the run was measured on; every part optional (not every host can say). */
export interface HostInfo {
  /** `os.platform()`-style name, e.g. `linux`. */
  readonly os?: string;
  /** Kernel release, e.g. `6.8.0-45-generic`. */
  readonly kernel?: string;
  readonly cpuModel?: string;
  /** Logical CPU cores. */
  readonly cpuCores?: number;
  /** Total physical memory in bytes. */
  readonly memoryBytes?: number;
  readonly gpus?: readonly HostGpu[];
  readonly driverVersion?: string;
  /** The machine's host name (`os.hostname()`). */
  readonly hostname?: string;
  /** The batch job the run was part of, when a scheduler started it (Slurm, OAR); absent otherwise. */
  readonly scheduler?: SchedulerInfo;
}

/**
 * A scheduler's job around a run, as its environment told the process (`SLURM_JOB_ID`, ...).
 * Ids are strings: Slurm and OAR print them as numbers, but a job array task reads `123_4`.
 */
export interface SchedulerInfo {
  /** `slurm` or `oar`; another scheduler may write its own name. */
  readonly kind: string;
  /** The job's own id (Slurm `SLURM_JOB_ID`: unique per array task; OAR `OAR_JOB_ID`). */
  readonly jobId: string;
  /** Job array: the array's id and this task's index. */
  readonly arrayJobId?: string;
  readonly arrayTaskId?: string;
  /** Slurm step: `0`, `1`, ... under srun; `batch` in the batch script itself. */
  readonly stepId?: string;
  /** The node the run measured (`SLURMD_NODENAME`). */
  readonly node?: string;
  readonly partition?: string;
  readonly cluster?: string;
  readonly jobName?: string;
  /** `CUDA_VISIBLE_DEVICES` as the job saw it: which GPUs the scheduler gave the run. */
  readonly cudaVisibleDevices?: string;
}

export interface ToolInfo {
  readonly name: string;
  readonly version: string;
}

/** A channel in the trace; power is always stored in W whatever the sensor wrote. */
export interface ChannelRecord {
  readonly name: string;
  readonly kind: ChannelKind;
  readonly unit: 'W';
  /** Hardware name as the sensor reports it (e.g. `NVIDIA H200`). */
  readonly device?: string;
}

export interface SensorRecord {
  readonly name: SensorName;
  readonly provenance: Provenance;
  /** Interval asked of the sensor, s; null when unknown (a log imported from elsewhere). */
  readonly requestedIntervalS: number | null;
  /** Median interval between samples actually recorded, s; null with fewer than two samples. */
  readonly measuredIntervalS: number | null;
  readonly channels: readonly ChannelRecord[];
  /** One of `channels[].name`: the channel results are about by default. */
  readonly primaryChannel: string;
  /** How often the underlying value changes, s, when known. */
  readonly updatePeriodS?: number;
  readonly notes: readonly string[];
}

export type MlperfScenario = 'SingleStream' | 'MultiStream' | 'Server' | 'Offline';

/**
 * `workload.mlperfSettings` of a `bench` run (schema 2): the settings LoadGen ran with, keyed by
 * the fields of the LoadGen settings table (`src/mlperf/settings-table.ts`), any subset, seeds
 * as decimal strings (they exceed 2^53); with the release and libstdc++ variant reproduced, and
 * for accuracy runs the samples run and responses logged. Every key the table or this type
 * names is checked on read; other keys (hand-made or older bundles) are kept as written. The
 * JSON is unchanged since schema 0: a change to it needs a step in the upgrade chain (schema.ts).
 */
export type MlperfSettingsRecord = EffectiveSettingsJson & {
  /** The LoadGen release whose semantics were reproduced (`v4.1`). */
  readonly release?: string;
  /** The libstdc++ build whose shuffle and uniform-int results were reproduced. */
  readonly variant?: string;
  /** Accuracy runs: samples run, and responses logged. */
  readonly samples?: number;
  readonly responses?: number;
  readonly [other: string]: unknown;
};

export type Workload =
  | {
      readonly kind: 'command';
      readonly argv: readonly string[];
      readonly cwd: string;
      readonly exitCode?: number;
      /** Signal that ended the command, e.g. `SIGINT`. */
      readonly signal?: string;
    }
  | {
      readonly kind: 'bench';
      readonly scenario: MlperfScenario;
      readonly model: string;
      readonly queryCount: number;
      /** LoadGen settings as used: the settings table's fields, checked on read (`MlperfSettingsRecord`). */
      readonly mlperfSettings?: MlperfSettingsRecord;
      /** The `inferprint bench` campaign the run belongs to, and its repetition index (from 0). */
      readonly campaignId?: string;
      readonly repetition?: number;
      /** The planned run it is in its campaign (`q16-r0`): what `campaign status` and `bench --task` find it by. */
      readonly campaignKey?: string;
    }
  | {
      readonly kind: 'import';
      /** Importer format, e.g. `thesis-csv`, `nvidia-smi-csv`, `tegrastats`. */
      readonly format: string;
      readonly sourcePath: string;
      /**
       * What each importer adds about its source (src/app/import.ts writes them). Kept as the
       * bundle holds them, never trusted: each reader checks the shape it needs and treats any
       * other as absent (a bundle written by hand or by another tool may carry anything here).
       */
      readonly line?: unknown;
      readonly source?: unknown;
      readonly dataset?: unknown;
      readonly datasetTag?: unknown;
      readonly version?: unknown;
      readonly scenario?: unknown;
      readonly queryCount?: unknown;
      readonly computeRun?: unknown;
      readonly mlperf?: unknown;
    }
  | LlmWorkload;

/** The API an LLM benchmark drove. */
export type LlmApiName = 'openai-chat' | 'openai-completions' | 'ollama-generate' | 'ollama-chat';

/** A latency distribution over a level's requests, ms (`distribution` in src/llm/core/stats.ts computes one, in any unit). */
export interface LlmDistribution {
  readonly count: number;
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** A level's energy over its steady-state window (or the whole level when it has none: `note` says why); computed by `levelEnergy` (src/llm/core/energy.ts). */
export interface LlmLevelEnergy {
  /** `steady`: the steady-state window; `level`: the whole level (no steady state: `note` says why). */
  readonly window: 'steady' | 'level';
  readonly t0S: number;
  readonly t1S: number;
  readonly energyJ: number;
  readonly meanPowerW: number;
  /** Output tokens generated inside the window. */
  readonly outputTokens: number;
  /** null when the window holds no token. */
  readonly jPerOutputToken: number | null;
  /** J per output token × the mean output tokens of a request that ended well (ML.ENERGY's energy per generation); null without one. */
  readonly jPerRequest: number | null;
  /** The whole level (first request sent to last one ended), for comparison. */
  readonly levelEnergyJ: number;
  readonly levelDurationS: number;
  /** Energy of the level split by each request's first token (`phaseIntervals`); `approximate` when requests overlapped. */
  readonly split: { readonly prefillJ: number; readonly decodeJ: number; readonly idleJ: number; readonly approximate: boolean };
  /** Share of the window the power samples cover (1 = all). */
  readonly coverage: number;
  readonly note?: string;
}

/** A latency limit checked on a level's p99; computed by `checkLimits` (src/llm/core/limits.ts). */
export interface LlmLimitCheck {
  readonly name: string;
  readonly ttftLimitMs: number | null;
  readonly tpotLimitMs: number | null;
  readonly ttftP99Ms: number | null;
  readonly tpotP99Ms: number | null;
  /** Each limit on its p99: true within it, false over it (or no request ended well to check it on), null when there is no such limit. */
  readonly ttftPass: boolean | null;
  readonly tpotPass: boolean | null;
  /** Every limit met. */
  readonly pass: boolean;
}

/** One load level of an LLM benchmark: N closed-loop clients, or Poisson arrivals at a rate. */
export interface LlmLevel {
  /** `c4`, `r2.5`: also the name of the level's window in `windows` (its steady state: `<name>-steady`). */
  readonly name: string;
  readonly load: 'closed' | 'poisson';
  readonly concurrency?: number;
  /** Requests per second (Poisson). */
  readonly requestRate?: number;
  readonly requests: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Requests per outcome (`ok`, `http-error`, `truncated`, `timeout`, `connection`, `protocol`, `aborted`). */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly finishReasons: Readonly<Record<string, number>>;
  readonly emptyResponses: number;
  /** Prompt tokens the server reported; null when it reported none. */
  readonly inputTokens: number | null;
  readonly outputTokens: number;
  readonly outputTokensSource: 'usage' | 'stream' | 'mixed';
  readonly durationS: number;
  readonly ttftMs: LlmDistribution | null;
  readonly tpotMs: LlmDistribution | null;
  readonly itlMs: LlmDistribution | null;
  readonly e2eMs: LlmDistribution | null;
  /** Absent when nothing was sent. */
  readonly energy?: LlmLevelEnergy;
  readonly limits?: readonly LlmLimitCheck[];
}

/** `inferprint bench --sut openai|ollama`: a served LLM driven at load levels; per-request timelines in the `llm_requests` file. */
export interface LlmWorkload {
  readonly kind: 'llm';
  readonly sut: 'openai' | 'ollama';
  readonly api: LlmApiName;
  /** The server's base URL. */
  readonly url: string;
  /** The model's name on the server. */
  readonly model: string;
  readonly requestsPerLevel: number;
  /** Most tokens asked per request; absent: the server's default. */
  readonly maxTokens?: number;
  readonly ignoreEos: boolean;
  /** Whether requests asked for token usage in the stream (`stream_options.include_usage`). */
  readonly streamUsage: boolean;
  /** Where the prompts came from (free-form: `source` `file` with path and SHA-256, or `synthetic` with lengths and seed). */
  readonly prompts: Readonly<Record<string, unknown>>;
  readonly latencyLimits?: readonly { readonly name: string; readonly ttftMs?: number; readonly tpotMs?: number; readonly source: string }[];
  readonly levels: readonly LlmLevel[];
}

/** The hardware measured, resolved against the hardware database when possible. */
export interface DeviceRef {
  readonly hardwareId?: string;
  readonly name?: string;
}

/** A named span of the trace's time axis; windows may overlap. */
export interface NamedWindow {
  readonly name: string;
  readonly t0S: number;
  readonly t1S: number;
}

/** A sampling hole on one channel, on the trace's time axis. */
export interface GapRecord {
  readonly channel: string;
  readonly startS: number;
  readonly endS: number;
}

export interface ChannelEnergy {
  readonly channel: string;
  readonly energyJ: number;
  readonly meanW: number;
  readonly maxW: number;
  readonly minW?: number;
  /** Number of samples integrated. */
  readonly samples: number;
}

export interface CounterEnergy {
  readonly channel: string;
  /** Energy the sensor's own counter reports over the run. */
  readonly energyJ: number;
  /** Counter energy minus the integrated samples' energy on the same channel. */
  readonly differenceFromSamplesJ: number;
}

export interface WindowEnergy {
  readonly window: string;
  readonly channel: string;
  readonly energyJ: number;
  readonly durationS: number;
}

export interface EnergySummary {
  /** Integration method and version, e.g. `trapezoid`. */
  readonly method?: string;
  readonly perChannel: readonly ChannelEnergy[];
  readonly counters?: readonly CounterEnergy[];
  readonly primary: { readonly channel: string; readonly energyJ: number; readonly durationS: number };
  readonly perWindow?: readonly WindowEnergy[];
}

/** Roles of the extra files a bundle may carry. */
export type FileRole =
  | 'mlperf_log_summary'
  | 'mlperf_log_detail'
  | 'mlperf_log_accuracy'
  | 'mlperf_log_trace'
  | 'mlperf_config'
  | 'stdout'
  | 'stderr'
  | 'output'
  | 'source'
  /** An LLM benchmark's per-request timelines (JSON lines). */
  | 'llm_requests'
  | 'other';

export interface BundleFile {
  /** Plain file name inside the bundle directory. */
  readonly name: string;
  readonly role: FileRole;
}

export interface RunManifest {
  readonly schemaVersion: typeof MANIFEST_SCHEMA_VERSION;
  /** Also the bundle's directory name: `<startedAt>-<label>-<4 hex>`, sortable by start time. */
  readonly id: string;
  readonly label: string;
  /** When the bundle was written (ISO 8601 UTC). */
  readonly createdAt: string;
  /** Start and end of the measurement (ISO 8601 UTC); `t_s = 0` in the trace is `startedAt`. */
  readonly startedAt: string;
  readonly endedAt: string;
  readonly status: RunStatus;
  readonly host: HostInfo;
  readonly tool: ToolInfo;
  /**
   * How power was sampled. Absent when the run measured no power (imported MLPerf logs): such
   * a bundle has no `trace.parquet`, no `counters.parquet`, no `energy` and no `gaps`.
   */
  readonly sensor?: SensorRecord;
  readonly workload: Workload;
  readonly device: DeviceRef;
  readonly windows: readonly NamedWindow[];
  readonly gaps: readonly GapRecord[];
  /** Absent only when there is nothing to integrate (a run that failed before any sample). */
  readonly energy?: EnergySummary;
  /** The impact as assessed when the run was recorded, and the settings to assess it again the same way. */
  readonly impact?: RecordedImpact;
  readonly files: readonly BundleFile[];
  /** Facts about the run as a whole, e.g. how its times were obtained. */
  readonly notes?: readonly string[];
}

/** A low–mean–high figure, g (the impact layer's `Range`). */
export interface RecordedRange {
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

/** The LCA result as the impact layer wrote it (`ImpactResult`); the figures readers use are checked, the rest kept as written. */
export interface RecordedImpactResult {
  readonly model: string;
  readonly gwpG: RecordedRange;
  readonly operationalG: RecordedRange;
  readonly embodiedG: RecordedRange;
  /** The LCA inputs (`ImpactParams`); listings show the grid factor, PUE and lifetime from here. */
  readonly params?: RecordedImpactParams;
}

/** A recorded LCA input (the impact layer's `Param`): its value is checked, the rest kept as written. */
export interface RecordedParam {
  readonly value: number;
}

export interface RecordedImpactParams {
  readonly gridGPerKwh?: RecordedParam;
  readonly pue?: RecordedParam;
  readonly lifetimeS?: RecordedParam;
}

/**
 * `impact`: what the run's footprint was when it was recorded. `settings` (absent in bundles
 * written before it existed) is what to assess it with again: every reader that recomputes
 * (analyze, the store, the dashboard) starts from it, so a run gives the same number by every
 * route. `result` is the full LCA when the hardware is known; `operationalOnlyG` the
 * operational part alone when it is not.
 */
export interface RecordedImpact {
  readonly settings?: ImpactSettings;
  readonly result?: RecordedImpactResult;
  readonly operationalOnlyG?: number;
  /** The parameters used, with source and why. */
  readonly parameters?: readonly DefaultUsed[];
  readonly warnings?: readonly string[];
  readonly notes?: readonly string[];
}

/** A manifest of a run that sampled power: it has a trace. */
export type PoweredManifest = RunManifest & { readonly sensor: SensorRecord };

/** Whether the run sampled power (has a sensor, a trace and possibly energy). */
export function hasPower(m: RunManifest): m is PoweredManifest {
  return m.sensor !== undefined;
}

// ---------------------------------------------------------------------------------------
// Closed sets, checked against their types at compile time

const SENSOR_NAMES: Record<SensorName, true> = {
  nvml: true,
  'nvidia-smi': true,
  tegrastats: true,
  ina3221: true,
  rapl: true,
  codecarbon: true,
  generic: true,
  estimate: true,
  replay: true,
  unknown: true,
};
const CHANNEL_KINDS: Record<ChannelKind, true> = {
  gpu: true,
  'board-total': true,
  cpu: true,
  soc: true,
  memory: true,
  package: true,
  dram: true,
  psys: true,
  other: true,
};
const SCENARIOS: Record<MlperfScenario, true> = { SingleStream: true, MultiStream: true, Server: true, Offline: true };
const FILE_ROLES: Record<FileRole, true> = {
  mlperf_log_summary: true,
  mlperf_log_detail: true,
  mlperf_log_accuracy: true,
  mlperf_log_trace: true,
  mlperf_config: true,
  stdout: true,
  stderr: true,
  output: true,
  source: true,
  llm_requests: true,
  other: true,
};
export const FILE_ROLE_NAMES = Object.keys(FILE_ROLES) as readonly FileRole[];

/** Names the bundle itself uses; extra files may not take them. */
const RESERVED_NAMES = new Set([MANIFEST_FILE, TRACE_FILE, COUNTERS_FILE]);
/** A plain, portable file or directory name: no separators, no leading dot (dot names are temporaries). */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,199}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

export function isSafeName(name: string): boolean {
  return SAFE_NAME.test(name);
}

// ---------------------------------------------------------------------------------------
// Validation primitives: each takes a raw value and where it sits, returns it typed or throws

type Json = Readonly<Record<string, unknown>>;

/** A position in the manifest: the file and a field path such as `sensor.channels[2].name`. */
class At {
  constructor(
    readonly file: string,
    readonly path: string,
  ) {}
  key(k: string): At {
    return new At(this.file, this.path === '' ? k : `${this.path}.${k}`);
  }
  index(i: number): At {
    return new At(this.file, `${this.path}[${i}]`);
  }
  /** Wrong shape: missing, wrong type. */
  parse(detail: string): InferprintError {
    return errors.parse({ file: this.file, field: this.path === '' ? undefined : this.path }, detail);
  }
  /** Right shape, impossible value. */
  invalid(detail: string): InferprintError {
    return errors.invalidValue({ file: this.file, field: this.path === '' ? undefined : this.path }, detail);
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `string ${quote(v)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  return typeof v === 'object' ? 'an object' : typeof v;
}

function object(v: unknown, at: At): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw at.parse(`expected an object, got ${describe(v)}`);
  return v as Json;
}

function string(v: unknown, at: At): string {
  if (typeof v !== 'string') throw at.parse(`expected a string, got ${describe(v)}`);
  return v;
}

function nonEmptyString(v: unknown, at: At): string {
  const s = string(v, at);
  if (s === '') throw at.invalid('must not be empty');
  return s;
}

function finite(v: unknown, at: At): number {
  if (typeof v !== 'number') throw at.parse(`expected a number, got ${describe(v)}`);
  // JSON cannot hold NaN or Infinity, but a caller handing us a value before writing can.
  if (!Number.isFinite(v)) throw at.invalid(`expected a finite number, got ${v}`);
  return v;
}

function nonNegative(v: unknown, at: At): number {
  const n = finite(v, at);
  if (n < 0) throw at.invalid(`must not be negative, got ${n}`);
  return n;
}

function positive(v: unknown, at: At): number {
  const n = finite(v, at);
  if (n <= 0) throw at.invalid(`must be positive, got ${n}`);
  return n;
}

function integer(v: unknown, at: At): number {
  const n = finite(v, at);
  if (!Number.isInteger(n)) throw at.invalid(`expected an integer, got ${n}`);
  return n;
}

function count(v: unknown, at: At): number {
  const n = integer(v, at);
  if (n < 0) throw at.invalid(`must not be negative, got ${n}`);
  return n;
}

function boolean(v: unknown, at: At): boolean {
  if (typeof v !== 'boolean') throw at.parse(`expected true or false, got ${describe(v)}`);
  return v;
}

function positiveOrNull(v: unknown, at: At): number | null {
  return v === null ? null : positive(v, at);
}

function oneOf<T extends string>(set: Record<T, true>): (v: unknown, at: At) => T {
  return (v, at) => {
    const s = string(v, at);
    if (!Object.hasOwn(set, s)) throw at.invalid(`unknown value ${quote(s)} (expected one of ${Object.keys(set).join(', ')})`);
    return s as T;
  };
}

function isoUtc(v: unknown, at: At): string {
  const s = string(v, at);
  if (!ISO_UTC.test(s) || !Number.isFinite(Date.parse(s))) throw at.invalid(`expected an ISO 8601 UTC time such as 2026-11-26T11:42:03.123Z, got ${JSON.stringify(s)}`);
  return s;
}

function array<T>(item: (v: unknown, at: At) => T): (v: unknown, at: At) => T[] {
  return (v, at) => {
    if (!Array.isArray(v)) throw at.parse(`expected an array, got ${describe(v)}`);
    return v.map((x: unknown, i) => item(x, at.index(i)));
  };
}

/** Field access on a validated object; a required field that is absent is a parse error. */
class Fields {
  constructor(
    readonly raw: Json,
    readonly at: At,
  ) {}
  static of(v: unknown, at: At): Fields {
    return new Fields(object(v, at), at);
  }
  req<T>(key: string, read: (v: unknown, at: At) => T): T {
    const v = this.raw[key];
    if (v === undefined) throw this.at.key(key).parse('required field is missing');
    return read(v, this.at.key(key));
  }
  /** `{}` when absent, `{ [key]: value }` when present, ready to spread into the result. */
  opt<K extends string, T>(key: K, read: (v: unknown, at: At) => T): { [P in K]?: T } {
    const v = this.raw[key];
    if (v === undefined) return {};
    return { [key]: read(v, this.at.key(key)) } as { [P in K]?: T };
  }
}

// ---------------------------------------------------------------------------------------
// Readers for each part

function readStatus(v: unknown, at: At): RunStatus {
  const f = Fields.of(v, at);
  const kind = f.req('kind', oneOf({ completed: true, interrupted: true, failed: true }));
  switch (kind) {
    case 'completed':
      return { ...f.raw, kind };
    case 'interrupted':
      return { ...f.raw, kind, signal: f.req('signal', nonEmptyString) };
    case 'failed':
      return { ...f.raw, kind, code: f.req('code', nonEmptyString), message: f.req('message', string) };
  }
}

function readHost(v: unknown, at: At): HostInfo {
  const f = Fields.of(v, at);
  const gpu = (g: unknown, gAt: At): HostGpu => {
    const gf = Fields.of(g, gAt);
    return { ...gf.raw, index: gf.req('index', count), name: gf.req('name', string), ...gf.opt('uuid', string) };
  };
  return {
    ...f.raw,
    ...f.opt('os', string),
    ...f.opt('kernel', string),
    ...f.opt('cpuModel', string),
    ...f.opt('cpuCores', count),
    ...f.opt('memoryBytes', count),
    ...f.opt('gpus', array(gpu)),
    ...f.opt('driverVersion', string),
    ...f.opt('hostname', string),
    ...f.opt('scheduler', readScheduler),
  };
}

function readScheduler(v: unknown, at: At): SchedulerInfo {
  const f = Fields.of(v, at);
  return {
    ...f.raw,
    kind: f.req('kind', nonEmptyString),
    jobId: f.req('jobId', nonEmptyString),
    ...f.opt('arrayJobId', string),
    ...f.opt('arrayTaskId', string),
    ...f.opt('stepId', string),
    ...f.opt('node', string),
    ...f.opt('partition', string),
    ...f.opt('cluster', string),
    ...f.opt('jobName', string),
    ...f.opt('cudaVisibleDevices', string),
  };
}

function readTool(v: unknown, at: At): ToolInfo {
  const f = Fields.of(v, at);
  return { ...f.raw, name: f.req('name', nonEmptyString), version: f.req('version', nonEmptyString) };
}

/** A replay of a replay of ... is still one recording: a few levels are plenty, and bound the recursion. */
const MAX_PROVENANCE_DEPTH = 4;

function readProvenance(v: unknown, at: At, depth = 0): Provenance {
  const f = Fields.of(v, at);
  const kind = f.req('kind', oneOf({ measured: true, estimated: true, replayed: true }));
  switch (kind) {
    case 'measured':
      return { ...f.raw, kind, sensor: f.req('sensor', oneOf(SENSOR_NAMES)) };
    case 'estimated':
      return { ...f.raw, kind, method: f.req('method', nonEmptyString) };
    case 'replayed':
      if (depth >= MAX_PROVENANCE_DEPTH) throw at.invalid(`replays nested more than ${MAX_PROVENANCE_DEPTH} deep`);
      return { ...f.raw, kind, file: f.req('file', nonEmptyString), original: f.req('original', (o, oAt) => readProvenance(o, oAt, depth + 1)) };
  }
}

function readChannel(v: unknown, at: At): ChannelRecord {
  const f = Fields.of(v, at);
  return {
    ...f.raw,
    name: f.req('name', nonEmptyString),
    kind: f.req('kind', oneOf(CHANNEL_KINDS)),
    unit: f.req('unit', oneOf({ W: true })),
    ...f.opt('device', string),
  };
}

function readSensor(v: unknown, at: At): SensorRecord {
  const f = Fields.of(v, at);
  const channels = f.req('channels', array(readChannel));
  const names = uniqueNames(channels.map((c) => c.name), at.key('channels'), 'name');
  const primaryChannel = f.req('primaryChannel', nonEmptyString);
  if (!names.has(primaryChannel)) throw at.key('primaryChannel').invalid(`${JSON.stringify(primaryChannel)} is not one of sensor.channels`);
  return {
    ...f.raw,
    name: f.req('name', oneOf(SENSOR_NAMES)),
    provenance: f.req('provenance', (p, pAt) => readProvenance(p, pAt)),
    requestedIntervalS: f.req('requestedIntervalS', positiveOrNull),
    measuredIntervalS: f.req('measuredIntervalS', positiveOrNull),
    channels,
    primaryChannel,
    ...f.opt('updatePeriodS', positive),
    notes: f.req('notes', array(string)),
  };
}

function readWorkload(v: unknown, at: At): Workload {
  const f = Fields.of(v, at);
  const kind = f.req('kind', oneOf({ command: true, bench: true, import: true, llm: true }));
  switch (kind) {
    case 'command': {
      const argv = f.req('argv', array(string));
      if (argv.length === 0) throw at.key('argv').invalid('must hold at least the program');
      return { ...f.raw, kind, argv, cwd: f.req('cwd', string), ...f.opt('exitCode', integer), ...f.opt('signal', nonEmptyString) };
    }
    case 'bench':
      return {
        ...f.raw,
        kind,
        scenario: f.req('scenario', oneOf(SCENARIOS)),
        model: f.req('model', nonEmptyString),
        queryCount: f.req('queryCount', count),
        ...f.opt('mlperfSettings', readMlperfSettings),
        ...f.opt('campaignId', nonEmptyString),
        ...f.opt('repetition', count),
        ...f.opt('campaignKey', nonEmptyString),
      };
    case 'import':
      return { ...f.raw, kind, format: f.req('format', nonEmptyString), sourcePath: f.req('sourcePath', nonEmptyString) };
    case 'llm':
      return readLlmWorkload(f);
  }
}

const MLPERF_MODE_SET: Record<MlperfMode, true> = { PerformanceOnly: true, AccuracyOnly: true, SubmissionRun: true, FindPeakPerformance: true };
const UINT64_MAX = 2n ** 64n - 1n;

/** A uint64 seed as the bench layer records it: its decimal digits. */
function seedString(v: unknown, at: At): string {
  const s = string(v, at);
  if (!/^\d+$/.test(s) || BigInt(s) > UINT64_MAX) throw at.invalid(`expected a uint64 seed in decimal digits, got ${JSON.stringify(s)}`);
  return s;
}

/** How each setting of the table is recorded (its kind), as a reader. */
const SETTING_READERS: Readonly<Record<SettingKind, (v: unknown, at: At) => unknown>> = {
  int: count,
  double: nonNegative,
  hint: nonNegative,
  seed: seedString,
  bool: boolean,
  scenario: oneOf(SCENARIOS),
  mode: oneOf(MLPERF_MODE_SET),
};

function readMlperfSettings(v: unknown, at: At): MlperfSettingsRecord {
  const f = Fields.of(v, at);
  const typed: Record<string, unknown> = {};
  for (const spec of EFFECTIVE_SETTINGS) Object.assign(typed, f.opt(spec.field, SETTING_READERS[spec.kind]));
  return {
    ...f.raw,
    ...typed,
    ...f.opt('release', nonEmptyString),
    ...f.opt('variant', nonEmptyString),
    ...f.opt('samples', count),
    ...f.opt('responses', count),
  };
}

const LLM_APIS: Record<LlmApiName, true> = { 'openai-chat': true, 'openai-completions': true, 'ollama-generate': true, 'ollama-chat': true };

function nullable<T>(read: (v: unknown, at: At) => T): (v: unknown, at: At) => T | null {
  return (v, at) => (v === null ? null : read(v, at));
}

function countsRecord(v: unknown, at: At): Record<string, number> {
  const o = object(v, at);
  return Object.fromEntries(Object.entries(o).map(([k, n]) => [k, count(n, at.key(k))]));
}

function readDistribution(v: unknown, at: At): LlmDistribution {
  const f = Fields.of(v, at);
  const d = {
    ...f.raw,
    count: f.req('count', count),
    mean: f.req('mean', nonNegative),
    p50: f.req('p50', nonNegative),
    p90: f.req('p90', nonNegative),
    p99: f.req('p99', nonNegative),
    max: f.req('max', nonNegative),
  };
  if (!(d.p50 <= d.p90 && d.p90 <= d.p99 && d.p99 <= d.max)) throw at.invalid(`percentiles out of order: p50 ${d.p50}, p90 ${d.p90}, p99 ${d.p99}, max ${d.max}`);
  return d;
}

function readLevelEnergy(v: unknown, at: At): LlmLevelEnergy {
  const f = Fields.of(v, at);
  const [t0S, t1S] = span(f, 't0S', 't1S', false);
  const split = (s: unknown, sAt: At): LlmLevelEnergy['split'] => {
    const sf = Fields.of(s, sAt);
    return { ...sf.raw, prefillJ: sf.req('prefillJ', energyJ), decodeJ: sf.req('decodeJ', energyJ), idleJ: sf.req('idleJ', energyJ), approximate: sf.req('approximate', boolean) };
  };
  const e = {
    ...f.raw,
    window: f.req('window', oneOf({ steady: true, level: true })),
    t0S,
    t1S,
    energyJ: f.req('energyJ', energyJ),
    meanPowerW: f.req('meanPowerW', powerW),
    outputTokens: f.req('outputTokens', nonNegative),
    jPerOutputToken: f.req('jPerOutputToken', nullable(nonNegative)),
    jPerRequest: f.req('jPerRequest', nullable(nonNegative)),
    levelEnergyJ: f.req('levelEnergyJ', energyJ),
    levelDurationS: f.req('levelDurationS', nonNegative),
    split: f.req('split', split),
    coverage: f.req('coverage', nonNegative),
    ...f.opt('note', string),
  };
  plausibleEnergy(e.energyJ, t1S - t0S, at.key('energyJ'));
  plausibleEnergy(e.levelEnergyJ, e.levelDurationS, at.key('levelEnergyJ'));
  return e;
}

function readLimitCheck(v: unknown, at: At): LlmLimitCheck {
  const f = Fields.of(v, at);
  const ms = nullable(nonNegative);
  const pass = nullable(boolean);
  return {
    ...f.raw,
    name: f.req('name', nonEmptyString),
    ttftLimitMs: f.req('ttftLimitMs', ms),
    tpotLimitMs: f.req('tpotLimitMs', ms),
    ttftP99Ms: f.req('ttftP99Ms', ms),
    tpotP99Ms: f.req('tpotP99Ms', ms),
    ttftPass: f.req('ttftPass', pass),
    tpotPass: f.req('tpotPass', pass),
    pass: f.req('pass', boolean),
  };
}

function readLevel(v: unknown, at: At): LlmLevel {
  const f = Fields.of(v, at);
  const load = f.req('load', oneOf({ closed: true, poisson: true }));
  const level: LlmLevel = {
    ...f.raw,
    name: f.req('name', nonEmptyString),
    load,
    ...(load === 'closed' ? { concurrency: f.req('concurrency', (x, xAt) => { const n = count(x, xAt); if (n < 1) throw xAt.invalid('must be at least 1'); return n; }) } : {}),
    ...(load === 'poisson' ? { requestRate: f.req('requestRate', positive) } : {}),
    requests: f.req('requests', count),
    succeeded: f.req('succeeded', count),
    failed: f.req('failed', count),
    outcomes: f.req('outcomes', countsRecord),
    finishReasons: f.req('finishReasons', countsRecord),
    emptyResponses: f.req('emptyResponses', count),
    inputTokens: f.req('inputTokens', nullable(count)),
    outputTokens: f.req('outputTokens', count),
    outputTokensSource: f.req('outputTokensSource', oneOf({ usage: true, stream: true, mixed: true })),
    durationS: f.req('durationS', nonNegative),
    ttftMs: f.req('ttftMs', nullable(readDistribution)),
    tpotMs: f.req('tpotMs', nullable(readDistribution)),
    itlMs: f.req('itlMs', nullable(readDistribution)),
    e2eMs: f.req('e2eMs', nullable(readDistribution)),
    ...f.opt('energy', readLevelEnergy),
    ...f.opt('limits', array(readLimitCheck)),
  };
  if (level.succeeded + level.failed !== level.requests) throw at.key('failed').invalid(`succeeded ${level.succeeded} + failed ${level.failed} is not the ${level.requests} requests`);
  return level;
}

function readLlmWorkload(f: Fields): LlmWorkload {
  const limit = (v: unknown, at: At) => {
    const lf = Fields.of(v, at);
    return { ...lf.raw, name: lf.req('name', nonEmptyString), ...lf.opt('ttftMs', positive), ...lf.opt('tpotMs', positive), source: lf.req('source', string) };
  };
  const levels = f.req('levels', array(readLevel));
  uniqueNames(levels.map((l) => l.name), f.at.key('levels'), 'name');
  return {
    ...f.raw,
    kind: 'llm',
    sut: f.req('sut', oneOf({ openai: true, ollama: true })),
    api: f.req('api', oneOf(LLM_APIS)),
    url: f.req('url', nonEmptyString),
    model: f.req('model', nonEmptyString),
    requestsPerLevel: f.req('requestsPerLevel', count),
    ...f.opt('maxTokens', count),
    ignoreEos: f.req('ignoreEos', boolean),
    streamUsage: f.req('streamUsage', boolean),
    prompts: f.req('prompts', object),
    ...f.opt('latencyLimits', array(limit)),
    levels,
  };
}

function readDevice(v: unknown, at: At): DeviceRef {
  const f = Fields.of(v, at);
  return { ...f.raw, ...f.opt('hardwareId', nonEmptyString), ...f.opt('name', string) };
}

/** Both ends finite and in order; shared by windows, gaps and energy windows. */
function span(f: Fields, k0: string, k1: string, strict: boolean): [number, number] {
  const a = f.req(k0, finite);
  const b = f.req(k1, finite);
  if (strict ? !(a < b) : !(a <= b)) throw f.at.key(k1).invalid(`${k1} ${b} must be ${strict ? 'after' : 'at or after'} ${k0} ${a}`);
  return [a, b];
}

function readWindow(v: unknown, at: At): NamedWindow {
  const f = Fields.of(v, at);
  const name = f.req('name', nonEmptyString);
  const [t0S, t1S] = span(f, 't0S', 't1S', false);
  return { ...f.raw, name, t0S, t1S };
}

function readGap(v: unknown, at: At): GapRecord {
  const f = Fields.of(v, at);
  const channel = f.req('channel', nonEmptyString);
  const [startS, endS] = span(f, 'startS', 'endS', true);
  return { ...f.raw, channel, startS, endS };
}

/** An energy integrated from power samples: never negative (plausibility.ts). */
function energyJ(v: unknown, at: At): number {
  const n = finite(v, at);
  if (n < 0) throw at.invalid(`negative energy ${n} J: a device draws energy, it cannot give it back`);
  return n;
}

/** A power a channel read: not negative, below the ceiling no one channel reaches. */
function powerW(v: unknown, at: At): number {
  const n = finite(v, at);
  if (n < 0) throw at.invalid(`negative power ${n} W`);
  if (n > MAX_CHANNEL_POWER_W) throw at.invalid(`power ${fmt(n)} W is above ${fmt(MAX_CHANNEL_POWER_W)} W, more than any one power channel can draw`);
  return n;
}

/** Energy over a duration: its mean power must be one a channel can draw (1e308 J over a minute is refused). */
function plausibleEnergy(e: number, durationS: number, at: At): void {
  checkEnergy(e, durationS, { file: at.file, field: at.path === '' ? undefined : at.path });
}

function readEnergy(v: unknown, at: At): EnergySummary {
  const f = Fields.of(v, at);
  const perChannel = (c: unknown, cAt: At): ChannelEnergy => {
    const cf = Fields.of(c, cAt);
    return {
      ...cf.raw,
      channel: cf.req('channel', nonEmptyString),
      energyJ: cf.req('energyJ', energyJ),
      meanW: cf.req('meanW', powerW),
      maxW: cf.req('maxW', powerW),
      ...cf.opt('minW', powerW),
      samples: cf.req('samples', count),
    };
  };
  const counter = (c: unknown, cAt: At): CounterEnergy => {
    const cf = Fields.of(c, cAt);
    return {
      ...cf.raw,
      channel: cf.req('channel', nonEmptyString),
      energyJ: cf.req('energyJ', finite),
      differenceFromSamplesJ: cf.req('differenceFromSamplesJ', finite),
    };
  };
  const primary = (p: unknown, pAt: At): EnergySummary['primary'] => {
    const pf = Fields.of(p, pAt);
    const r = { ...pf.raw, channel: pf.req('channel', nonEmptyString), energyJ: pf.req('energyJ', energyJ), durationS: pf.req('durationS', nonNegative) };
    plausibleEnergy(r.energyJ, r.durationS, pAt.key('energyJ'));
    return r;
  };
  const perWindow = (w: unknown, wAt: At): WindowEnergy => {
    const wf = Fields.of(w, wAt);
    const r = {
      ...wf.raw,
      window: wf.req('window', nonEmptyString),
      channel: wf.req('channel', nonEmptyString),
      energyJ: wf.req('energyJ', energyJ),
      durationS: wf.req('durationS', nonNegative),
    };
    plausibleEnergy(r.energyJ, r.durationS, wAt.key('energyJ'));
    return r;
  };
  const summary: EnergySummary = {
    ...f.raw,
    ...f.opt('method', nonEmptyString),
    perChannel: f.req('perChannel', array(perChannel)),
    ...f.opt('counters', array(counter)),
    primary: f.req('primary', primary),
    ...f.opt('perWindow', array(perWindow)),
  };
  // Channel energies cover the primary's span: their mean power over it must be plausible too.
  summary.perChannel.forEach((c, i) => {
    plausibleEnergy(c.energyJ, summary.primary.durationS, at.key('perChannel').index(i).key('energyJ'));
  });
  return summary;
}

function readRange(v: unknown, at: At): RecordedRange {
  const f = Fields.of(v, at);
  const mean = f.req('mean', nonNegative);
  const min = f.req('min', nonNegative);
  const max = f.req('max', nonNegative);
  if (!(min <= mean * (1 + 1e-9) && mean <= max * (1 + 1e-9))) throw at.invalid(`mean ${mean} is outside [min ${min}, max ${max}]`);
  return { ...f.raw, mean, min, max };
}

function readSetting<T>(read: (v: unknown, at: At) => T): (v: unknown, at: At) => { value: T; why: string } {
  return (v, at) => {
    const f = Fields.of(v, at);
    return { ...f.raw, value: f.req('value', read), why: f.req('why', string) };
  };
}

const PRESETS = Object.fromEntries(PRESET_IDS.map((p) => [p, true])) as Record<PresetId, true>;
const EMBODIED_IDS = Object.fromEntries(EMBODIED_MODEL_IDS.map((p) => [p, true])) as Record<EmbodiedModelId, true>;

function readSettings(v: unknown, at: At): ImpactSettings {
  const f = Fields.of(v, at);
  return {
    ...f.raw,
    preset: f.req('preset', oneOf(PRESETS)),
    ...f.opt('grid', readSetting(nonEmptyString)),
    ...f.opt('pue', readSetting(positive)),
    ...f.opt('lifetimeS', readSetting(positive)),
    ...f.opt('embodiedModel', readSetting(oneOf(EMBODIED_IDS))),
  };
}

const PARAMETER_NAMES: Record<DefaultUsed['name'], true> = { grid: true, pue: true, lifetime: true, embodied: true };
const ORIGINS: Record<DefaultUsed['origin'], true> = { preset: true, user: true, recorded: true };

function readParameter(v: unknown, at: At): DefaultUsed {
  const f = Fields.of(v, at);
  const value = f.req('value', (x, xAt) => (typeof x === 'string' ? x : finite(x, xAt)));
  const year = f.raw.year;
  return {
    ...f.raw,
    name: f.req('name', oneOf(PARAMETER_NAMES)),
    value,
    ...f.opt('min', finite),
    ...f.opt('max', finite),
    unit: f.req('unit', string),
    source: f.req('source', string),
    year: year === undefined || year === null ? null : integer(year, at.key('year')),
    origin: f.raw.origin === undefined ? 'preset' : f.req('origin', oneOf(ORIGINS)),
    why: f.raw.why === undefined ? '' : f.req('why', string),
  };
}

function readImpact(v: unknown, at: At): RecordedImpact {
  const f = Fields.of(v, at);
  const result = (r: unknown, rAt: At): RecordedImpactResult => {
    const rf = Fields.of(r, rAt);
    return {
      ...rf.raw,
      model: rf.req('model', nonEmptyString),
      gwpG: rf.req('gwpG', readRange),
      operationalG: rf.req('operationalG', readRange),
      embodiedG: rf.req('embodiedG', readRange),
      ...rf.opt('params', readImpactParams),
    };
  };
  return {
    ...f.raw,
    ...f.opt('settings', readSettings),
    ...f.opt('result', result),
    ...f.opt('operationalOnlyG', nonNegative),
    ...f.opt('parameters', array(readParameter)),
    ...f.opt('warnings', array(string)),
    ...f.opt('notes', array(string)),
  };
}

function readImpactParams(v: unknown, at: At): RecordedImpactParams {
  const f = Fields.of(v, at);
  const param = (p: unknown, pAt: At): RecordedParam => {
    const pf = Fields.of(p, pAt);
    return { ...pf.raw, value: pf.req('value', nonNegative) };
  };
  return { ...f.raw, ...f.opt('gridGPerKwh', param), ...f.opt('pue', param), ...f.opt('lifetimeS', param) };
}

function readFile(v: unknown, at: At): BundleFile {
  const f = Fields.of(v, at);
  const name = f.req('name', string);
  if (!isSafeName(name) || RESERVED_NAMES.has(name)) {
    throw at.key('name').invalid(`${JSON.stringify(name)} is not a plain file name (letters, digits, . _ + -; not ${[...RESERVED_NAMES].join(', ')})`);
  }
  return { ...f.raw, name, role: f.req('role', oneOf(FILE_ROLES)) };
}

function readId(v: unknown, at: At): string {
  const id = string(v, at);
  if (!isSafeName(id)) throw at.invalid(`${JSON.stringify(id)} is not a valid run id (letters, digits, . _ + -; no leading dot)`);
  return id;
}

function uniqueNames(names: readonly string[], at: At, key: string): Set<string> {
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) throw at.index(i).key(key).invalid(`duplicate ${JSON.stringify(n)}`);
    seen.add(n);
  });
  return seen;
}

/**
 * Every channel a gap or an energy figure names must be declared in `sensor.channels`; a run
 * without a sensor measured no power, so it can have neither.
 */
function checkChannelRefs(m: RunManifest, at: At): void {
  if (m.sensor === undefined) {
    if (m.energy !== undefined) throw at.key('energy').invalid('a run without a sensor measured no power: it cannot have energy');
    if (m.gaps.length > 0) throw at.key('gaps').invalid('a run without a sensor measured no power: it cannot have sampling gaps');
    return;
  }
  const declared = new Set(m.sensor.channels.map((c) => c.name));
  const check = (channel: string, where: At): void => {
    if (!declared.has(channel)) throw where.invalid(`channel ${JSON.stringify(channel)} is not one of sensor.channels`);
  };
  m.gaps.forEach((g, i) => {
    check(g.channel, at.key('gaps').index(i).key('channel'));
  });
  if (m.energy === undefined) return;
  const e = at.key('energy');
  m.energy.perChannel.forEach((c, i) => {
    check(c.channel, e.key('perChannel').index(i).key('channel'));
  });
  m.energy.counters?.forEach((c, i) => {
    check(c.channel, e.key('counters').index(i).key('channel'));
  });
  check(m.energy.primary.channel, e.key('primary').key('channel'));
  m.energy.perWindow?.forEach((w, i) => {
    check(w.channel, e.key('perWindow').index(i).key('channel'));
  });
}

// ---------------------------------------------------------------------------------------
// Entry points

/**
 * Validate parsed JSON as a run manifest of the current schema version (what writers hand in;
 * readers of bundles on disk go through `readManifestJson`, which upgrades older versions
 * first). `file` names it in errors (the manifest's path). Returns a new object: known fields
 * typed, unknown fields carried over untouched.
 */
export function parseManifest(json: unknown, file: string = MANIFEST_FILE): RunManifest {
  const root = new At(file, '');
  const f = Fields.of(json, root);
  const version = f.req('schemaVersion', integer);
  if (version !== MANIFEST_SCHEMA_VERSION) {
    throw root.key('schemaVersion').invalid(`unsupported schema version ${version} (this inferprint reads ${MANIFEST_SCHEMA_VERSION}; upgrade it to read this run)`);
  }
  const startedAt = f.req('startedAt', isoUtc);
  const endedAt = f.req('endedAt', isoUtc);
  if (Date.parse(endedAt) < Date.parse(startedAt)) throw root.key('endedAt').invalid(`${endedAt} is before startedAt ${startedAt}`);
  const files = f.req('files', array(readFile));
  uniqueNames(files.map((x) => x.name), root.key('files'), 'name');
  const manifest: RunManifest = {
    ...f.raw,
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    id: f.req('id', readId),
    label: f.req('label', string),
    createdAt: f.req('createdAt', isoUtc),
    startedAt,
    endedAt,
    status: f.req('status', readStatus),
    host: f.req('host', readHost),
    tool: f.req('tool', readTool),
    ...f.opt('sensor', readSensor),
    workload: f.req('workload', readWorkload),
    device: f.req('device', readDevice),
    windows: f.req('windows', array(readWindow)),
    gaps: f.req('gaps', array(readGap)),
    ...f.opt('energy', readEnergy),
    ...f.opt('impact', readImpact),
    files,
    ...f.opt('notes', array(string)),
  };
  checkChannelRefs(manifest, root);
  return manifest;
}

export interface VersionedManifest {
  readonly manifest: RunManifest;
  /** The version found on disk, before any upgrade. */
  readonly schemaVersion: number;
}

/**
 * Parsed manifest JSON of any readable version → a validated current-version manifest, upgraded
 * in memory (`schema.ts`). A version newer than this code, or one it never knew, is refused.
 */
export function readManifestJson(json: unknown, file: string = MANIFEST_FILE): VersionedManifest {
  // What is not an object at all: the validator's own error, which says what it is instead.
  object(json, new At(file, ''));
  const { json: upgraded, fromVersion } = upgradeManifestJson(json, file);
  return { manifest: parseManifest(upgraded, file), schemaVersion: fromVersion };
}

/** Deepest nesting a manifest may have (see `readManifestText`). */
export const MAX_MANIFEST_DEPTH = 64;

/** `manifest.json` text of any readable version → a validated current-version manifest; invalid JSON is a parse error naming the file. */
export function readManifestText(text: string, file: string = MANIFEST_FILE): VersionedManifest {
  // Unknown fields are kept and written back: one nested 100 000 levels deep would read here and
  // overflow the stack in JSON.stringify later. The format needs 6 levels; newer writers get room.
  const depth = jsonDepth(text, MAX_MANIFEST_DEPTH);
  if (depth > MAX_MANIFEST_DEPTH) throw errors.parse({ file }, `JSON nested deeper than ${MAX_MANIFEST_DEPTH} levels`);
  return readManifestJson(parseJsonText(text, file), file);
}

/** `manifest.json` text of any readable version → a validated current-version manifest (see `readManifestText`). */
export function parseManifestText(text: string, file: string = MANIFEST_FILE): RunManifest {
  return readManifestText(text, file).manifest;
}

/** The manifest as written to disk: two-space indented JSON and a final newline. */
export function formatManifest(m: RunManifest): string {
  return `${JSON.stringify(m, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------
// Run ids

/** A label reduced to what is safe in a directory name: `[A-Za-z0-9._-]`, at most 48 characters. */
export function labelSlug(label: string): string {
  const slug = label
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 48)
    .replace(/[-._]+$/, '');
  return slug === '' ? 'run' : slug;
}

/**
 * `2026-11-26T11-42-03.123Z-<label>-<suffix>`: the start time first, so ids (and directory
 * listings) sort chronologically; milliseconds, because a campaign starts several short runs
 * per second; a random suffix, so two machines writing the same label at once never collide.
 */
export function formatRunId(startedAt: string, label: string, suffix: string): string {
  const ms = Date.parse(startedAt);
  if (!Number.isFinite(ms)) throw errors.invalidValue({ field: 'startedAt' }, `not a time: ${JSON.stringify(startedAt)}`);
  if (!/^[0-9a-f]{1,16}$/.test(suffix)) throw errors.internal(`run id suffix must be lowercase hex, got ${JSON.stringify(suffix)}`);
  return `${new Date(ms).toISOString().replace(/:/g, '-')}-${labelSlug(label)}-${suffix}`;
}
