/**
 * What the dashboard reads from the runs directory, over `src/runs`: a listing of run summaries
 * (cached, since a campaign leaves 10⁴ bundles and every page load lists them), one run's
 * detail (manifest, energy, impact, MLPerf statistics) and its power trace, downsampled.
 *
 * Every id from a request goes through `bundleRealPath` (a plain directory directly inside the
 * runs directory, no symbolic link) and every file through `fileInBundle`, so no request can
 * read outside the runs directory. A bundle that cannot be read is reported, never fatal.
 */
import { lstat, realpath, stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { isInferprintError, type InferprintError } from '../errors.js';
import { estimateEmbodied, type DefaultUsed, type EmbodiedResult, type HardwareSpec, type ImpactResult, type PresetId } from '../impact/index.js';
import { assessRun, hardwareOfRun } from '../runs/run-impact.js';
import { parseSummary } from '../mlperf/parse-summary.js';
import type { MlperfScenario, MlperfSummary } from '../mlperf/types.js';
import { readBundleTrace } from '../runs/io/bundle.js';
import { MAX_MANIFEST_BYTES, MAX_SUMMARY_BYTES, readBundleFile } from '../runs/io/bundle-files.js';
import { COUNTERS_FILE, hasPower, MANIFEST_FILE, readManifestText, TRACE_FILE, type LlmLevel, type RunManifest } from '../runs/manifest.js';
import { deviceMatcher, rowDeviceDisplay, toRunRow, type RunRow as StoreRow } from '../runs/row.js';
import { ScanCache, scanRunsDir, type StoredRun } from '../runs/io/scan.js';
import { levelFootprint, type LevelFootprint } from '../llm/impact.js';
import { downsampleMinMax, sliceByTime } from './downsample.js';
import { badRequest, HttpError, notFound } from './http-error.js';
import type { RunQuery, RunsQuery, StatusKind, TraceQuery } from './query.js';
import { bundleRealPath, fileInBundle, OutsideRunsDir } from './security.js';
import { errnoCode } from '../io/fs-errors.js';

/** One run as the listing shows it. */
export interface RunRow {
  readonly id: string;
  readonly label: string;
  readonly status: StatusKind;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationS: number;
  /** What the run measured, for people: hardware id, else the id its device name resolves to, else that name, else null (deviceDisplayName). */
  readonly device: string | null;
  readonly hardwareId: string | null;
  readonly deviceName: string | null;
  /** Sensor name; null when the run measured no power (imported MLPerf logs: no trace, no energy). */
  readonly sensor: string | null;
  readonly estimated: boolean;
  /** Where the power came from: `measured`, `estimated` (a model) or `replayed` (a recording); null without power. */
  readonly provenance: 'measured' | 'estimated' | 'replayed' | null;
  /** The same in words, e.g. `estimated (cpu-tdp)`. */
  readonly provenanceDetail: string | null;
  readonly workload: RunManifest['workload']['kind'];
  /** Exit code of a wrapped command (`completed` is the measurement's status, not the command's); null otherwise. */
  readonly exitCode: number | null;
  readonly scenario: MlperfScenario | null;
  readonly queryCount: number | null;
  readonly model: string | null;
  /** Null when the run measured no power. */
  readonly primaryChannel: string | null;
  /** Energy of the primary channel over the whole trace, J. */
  readonly energyJ: number | null;
  readonly meanW: number | null;
  /** GWP of the run (mean of its range), g: as recorded, else assessed with the settings it was recorded with; null without energy. */
  readonly gwpG: number | null;
  /** What `gwpG` covers: the full LCA, or the operational part alone (hardware unknown). */
  readonly impactScope: 'operational+embodied' | 'operational' | null;
  readonly hasMlperf: boolean;
  /** The scheduler's job around the run (Slurm, OAR): job id, array job and task, node, partition; null when none. */
  readonly jobId: string | null;
  readonly arrayJobId: string | null;
  readonly arrayTaskId: string | null;
  /** The scheduler's node name, else the host name (null for runs written before either was recorded). */
  readonly node: string | null;
  readonly partition: string | null;
}

export interface SkippedBundle {
  readonly id: string;
  readonly error: string;
}

export interface RunsPage {
  readonly total: number;
  readonly offset: number;
  readonly limit: number;
  readonly runs: readonly RunRow[];
  /** Values present in the whole directory, for filter menus. */
  readonly facets: {
    readonly devices: readonly string[];
    readonly scenarios: readonly string[];
    readonly queryCounts: readonly number[];
    readonly statuses: readonly string[];
  };
  /** Directories that are not valid bundles: skipped, with the reason. */
  readonly skipped: readonly SkippedBundle[];
}

export type ImpactView =
  | { readonly source: 'recorded'; readonly result: unknown; readonly parameters: unknown; readonly notes: unknown; readonly operationalOnlyG: unknown }
  | { readonly source: 'computed'; readonly preset: PresetId; readonly result: ImpactResult; readonly parameters: readonly DefaultUsed[] }
  | { readonly source: 'computed'; readonly preset: PresetId; readonly result: null; readonly operationalOnlyG: number; readonly parameters: readonly DefaultUsed[]; readonly notes: readonly string[] }
  | { readonly source: 'none'; readonly reason: string };

export type MlperfView = { readonly file: string; readonly summary: MlperfSummary } | { readonly file: string; readonly error: string };

export interface RunDetail {
  readonly run: RunRow;
  readonly manifest: RunManifest;
  readonly hardware: HardwareSpec | null;
  readonly embodied: EmbodiedResult | null;
  readonly impact: ImpactView;
  readonly mlperf: MlperfView | null;
  readonly files: readonly { readonly name: string; readonly role: string; readonly sizeBytes: number | null }[];
  /** A served-LLM run: each level's footprint over its energy window (with `q.preset`), beside `manifest.workload.levels`. */
  readonly llm?: readonly { readonly level: string; readonly footprint: LevelFootprint }[];
}

export interface TraceView {
  readonly id: string;
  readonly primaryChannel: string;
  readonly window: { readonly name: string; readonly t0S: number; readonly t1S: number } | null;
  readonly maxPoints: number;
  readonly channels: readonly {
    readonly name: string;
    readonly kind: string;
    readonly device: string | null;
    readonly unit: 'W';
    /** Samples in the bundle (in the window, when one is asked for). */
    readonly samples: number;
    readonly downsampled: boolean;
    readonly tS: readonly number[];
    readonly powerW: readonly number[];
  }[];
  readonly windows: RunManifest['windows'];
  readonly gaps: RunManifest['gaps'];
}

/**
 * Trace reads (DuckDB, on libuv's four file-I/O threads) at once: files are checked before
 * DuckDB opens them, but should one still hang (a hung network file system), it holds at most
 * this many threads and the listing keeps its own.
 */
const TRACE_READS_AT_ONCE = 2;
/** Traces answered recently, by query: moving between pages should not reload DuckDB each time. */
const TRACE_CACHE_SIZE = 16;
/**
 * A directory modified this recently may change again within its file system's timestamp
 * resolution (1–2 s on some), so a listing made then is not trusted on the next request.
 */
const RACY_MS = 2000;
const RESCAN_MS = 500;


/**
 * A listing row for the web page: the one projection of a run (`src/runs/row.ts`, the row of
 * `runs list` and the store) under the names this API has always used. Only names change here;
 * every value is the projection's (`device` is its display name, `node` the scheduler's node
 * else the host name, `gwpG` its `gwp_mg` in g).
 */
function runRow(run: StoredRun): RunRow {
  const r: StoreRow = toRunRow(run);
  return {
    id: r.id,
    label: r.label,
    status: r.status,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationS: r.duration_s,
    device: rowDeviceDisplay(r),
    hardwareId: r.hardware_id,
    deviceName: r.device,
    sensor: r.sensor,
    estimated: r.provenance === 'estimated',
    provenance: r.provenance,
    provenanceDetail: r.provenance_detail,
    workload: r.workload,
    exitCode: r.exit_code,
    // The projection keeps only the scenarios MLPerf defines.
    scenario: r.scenario as MlperfScenario | null,
    queryCount: r.query_count,
    model: r.model,
    primaryChannel: r.primary_channel,
    energyJ: r.energy_j,
    meanW: r.mean_w,
    gwpG: r.gwp_mg === null ? null : r.gwp_mg / 1000,
    impactScope: r.impact_scope,
    hasMlperf: r.has_mlperf,
    jobId: r.job_id,
    arrayJobId: r.array_job_id,
    arrayTaskId: r.array_task_id,
    node: r.node ?? r.host_name,
    partition: r.partition,
  };
}

/** A level's footprint as the page shows it; a setting the tables no longer know gives none rather than failing the page. */
function llmFootprint(m: RunManifest, level: LlmLevel, q: RunQuery): LevelFootprint {
  try {
    return levelFootprint(m, level, q.preset !== undefined ? { preset: q.preset } : {});
  } catch (e) {
    if (!isInferprintError(e)) throw e;
    return { scope: 'none', gwpMg: null, operationalMg: null, embodiedMg: null, gwpMgPer1kTokens: null, operationalMgPer1kTokens: null, embodiedMgPer1kTokens: null, reason: e.detail };
  }
}

/** A job filter matches the job id, the job array's id (every task) or `ARRAY_TASK` (`123_4`). */
function jobMatches(r: RunRow, job: string): boolean {
  return r.jobId === job || r.arrayJobId === job || (r.arrayJobId !== null && r.arrayTaskId !== null && `${r.arrayJobId}_${r.arrayTaskId}` === job);
}

/** Does a row match the filters? Devices match as everywhere else (`deviceMatcher`: id, name or alias, else part of a name). */
function rowFilter(q: RunsQuery): (r: RunRow) => boolean {
  const devices = q.devices.map(deviceMatcher);
  const label = q.label?.toLowerCase();
  const ids = new Set(q.ids);
  const nodes = new Set((q.nodes ?? []).map((n) => n.toLowerCase()));
  const jobs = q.jobs ?? [];
  const partitions = q.partitions ?? [];
  return (r) =>
    (ids.size === 0 || ids.has(r.id)) &&
    (devices.length === 0 || devices.some((m) => m({ hardware_id: r.hardwareId, device: r.deviceName }))) &&
    (q.scenarios.length === 0 || (r.scenario !== null && q.scenarios.includes(r.scenario))) &&
    (q.queryCounts.length === 0 || (r.queryCount !== null && q.queryCounts.includes(r.queryCount))) &&
    (label === undefined || r.label.toLowerCase().includes(label)) &&
    (q.statuses.length === 0 || q.statuses.includes(r.status)) &&
    (jobs.length === 0 || jobs.some((j) => jobMatches(r, j))) &&
    (nodes.size === 0 || (r.node !== null && nodes.has(r.node.toLowerCase()))) &&
    (partitions.length === 0 || (r.partition !== null && partitions.includes(r.partition)));
}

const sortedUnique = <T extends string | number>(xs: Iterable<T | null>): T[] =>
  [...new Set([...xs].filter((x): x is T => x !== null))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** JSON with bigints (MLPerf seeds exceed 2^53) written as decimal strings. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

interface Listing {
  readonly mtimeNs: bigint;
  readonly scannedAtMs: number;
  /** Sorted by id. */
  readonly rows: readonly RunRow[];
  readonly facets: RunsPage['facets'];
  readonly skipped: readonly SkippedBundle[];
}

function listingOf(mtimeNs: bigint, scannedAtMs: number, rows: readonly RunRow[], skipped: readonly SkippedBundle[]): Listing {
  return {
    mtimeNs,
    scannedAtMs,
    rows,
    facets: {
      devices: sortedUnique(rows.map((r) => r.device)),
      scenarios: sortedUnique(rows.map((r) => r.scenario)),
      queryCounts: sortedUnique(rows.map((r) => r.queryCount)).sort((a, b) => a - b),
      statuses: sortedUnique(rows.map((r) => r.status)),
    },
    skipped,
  };
}

export interface RunsDataOptions {
  /** Told about directories skipped as invalid, once per listing scan. */
  readonly onSkipped?: (skipped: readonly SkippedBundle[]) => void;
}

export class RunsData {
  readonly runsDir: string;
  private listing: Listing | undefined;
  private scanning: Promise<Listing> | undefined;
  /** Bundles the listing has read (the store's scanner and its cache). */
  private readonly cache = new ScanCache();
  /** Rows by the scanner's run: a run the cache hands back unchanged keeps its row. */
  private readonly rows = new WeakMap<StoredRun, RunRow>();
  private readonly traces = new Map<string, TraceView>();
  private readonly traceReads = new Limiter(TRACE_READS_AT_ONCE);

  constructor(
    runsDir: string,
    private readonly opts: RunsDataOptions = {},
  ) {
    this.runsDir = resolve(runsDir);
  }

  #real: string | undefined;

  /**
   * The runs directory with links resolved (it may be reached through one); as given when it does
   * not exist yet. Resolved once it exists: a server does not move its runs directory.
   */
  async realRunsDir(): Promise<string> {
    if (this.#real !== undefined) return this.#real;
    try {
      return (this.#real = await realpath(this.runsDir));
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return this.runsDir;
      throw e;
    }
  }

  /** Messages name files relative to the runs directory: its location is nobody else's business. */
  private relativeTo(message: string, real: string): string {
    return message
      .split(real + sep)
      .join('')
      .split(this.runsDir + sep)
      .join('')
      .split(real)
      .join('the runs directory')
      .split(this.runsDir)
      .join('the runs directory');
  }

  /** A message with the runs directory's path taken out of the file names it gives. */
  async relative(message: string): Promise<string> {
    return this.relativeTo(message, await this.realRunsDir());
  }

  /** Every valid run (sorted by id) and the directories skipped. */
  async list(): Promise<Listing> {
    let mtimeNs: bigint;
    try {
      mtimeNs = (await stat(this.runsDir, { bigint: true })).mtimeNs;
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') return listingOf(-1n, Date.now(), [], []);
      throw e;
    }
    const cached = this.listing;
    // Unchanged and listed well after its last change: current. Listed just after a change: a
    // second change within the file system's timestamp resolution would go unseen, so list again,
    // but at most every RESCAN_MS, which bounds how stale an answer can be.
    const now = Date.now();
    if (cached && cached.mtimeNs === mtimeNs && (cached.scannedAtMs - Number(mtimeNs / 1_000_000n) > RACY_MS || now - cached.scannedAtMs < RESCAN_MS)) return cached;
    // One scan at a time: concurrent requests share it.
    this.scanning ??= this.scan(mtimeNs).finally(() => {
      this.scanning = undefined;
    });
    return this.scanning;
  }

  private async scan(mtimeNs: bigint): Promise<Listing> {
    const scannedAtMs = Date.now();
    const real = await this.realRunsDir();
    // The one scanner (src/runs/io/scan.ts): the same runs and the same skipped entries as
    // `runs list`; a bundle already read is taken on its name (bundles are written once).
    const scanned = await scanRunsDir(real, { cache: this.cache, reuseByName: true });
    const rows = scanned.runs.map((run) => {
      let row = this.rows.get(run);
      if (row === undefined) this.rows.set(run, (row = runRow(run)));
      return row;
    });
    const skipped = scanned.skipped.map((x) => ({ id: x.name, error: this.relativeTo(x.reason, real) }));
    if (skipped.length > 0) this.opts.onSkipped?.(skipped);
    const listing = listingOf(mtimeNs, scannedAtMs, rows, skipped);
    this.listing = listing;
    return listing;
  }

  /** One page of runs matching the query, newest first unless asked otherwise. */
  async runs(q: RunsQuery): Promise<RunsPage> {
    const { rows, facets, skipped } = await this.list();
    const match = rowFilter(q);
    const matching: RunRow[] = [];
    // Rows are sorted by id (start time): walk them in the order asked for.
    if (q.order === 'asc') rows.forEach((r) => match(r) && matching.push(r));
    else for (let i = rows.length - 1; i >= 0; i--) if (match(rows[i]!)) matching.push(rows[i]!);
    return { total: matching.length, offset: q.offset, limit: q.limit, runs: matching.slice(q.offset, q.offset + q.limit), facets, skipped };
  }

  /** The real path of a run's bundle; 404 when there is no such bundle inside the runs directory. */
  async bundlePath(id: string): Promise<string> {
    const real = await this.realRunsDir();
    try {
      return await bundleRealPath(real, id);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') throw notFound(`no run with id ${JSON.stringify(id)}`);
      if (e instanceof OutsideRunsDir) throw notFound(`no run with id ${JSON.stringify(id)} in the runs directory (${e.message})`);
      throw e;
    }
  }

  /** A coded error about a bundle becomes a 422 naming the file relative to the runs directory. */
  private async unreadable(id: string, e: InferprintError): Promise<HttpError> {
    return new HttpError(422, `run ${id} cannot be read: ${this.relativeTo(e.message, await this.realRunsDir())}`);
  }

  /**
   * One run for its page: its manifest alone, read as every reader reads it (the upgrade chain,
   * plain files only). Not the listing's stricter check (`inspectEntry`): a run the listing skips
   * (a listed file missing, a summary that is a link) still opens, and the page says what is
   * wrong with each part, as it always has.
   */
  private async storedRun(id: string, bundle: string): Promise<StoredRun> {
    try {
      await fileInBundle(bundle, MANIFEST_FILE);
      const file = join(bundle, MANIFEST_FILE);
      const { manifest, schemaVersion } = readManifestText(await readBundleFile(bundle, MANIFEST_FILE, 'run manifest', MAX_MANIFEST_BYTES), file);
      if (manifest.id !== id) throw badRequest(`run ${id}: manifest id ${JSON.stringify(manifest.id)} differs from the directory name`);
      const hasCounters = await lstat(join(bundle, COUNTERS_FILE)).then(() => true, () => false);
      return { id, path: bundle, manifest, schemaVersion, hasCounters };
    } catch (e) {
      throw await this.mapBundleError(id, e);
    }
  }

  private async mapBundleError(id: string, e: unknown): Promise<unknown> {
    if (e instanceof HttpError) return e.status === 400 ? new HttpError(422, e.reason) : e;
    if (isInferprintError(e)) return this.unreadable(id, e);
    if (e instanceof OutsideRunsDir) return new HttpError(422, `run ${id} cannot be read: ${e.message}`);
    if (errnoCode(e) === 'ENOENT') return new HttpError(422, `run ${id} cannot be read: a file it lists is missing`);
    return e;
  }

  /** A run with its energy, impact (recorded, or computed with `q.preset`), embodied breakdown and MLPerf statistics. */
  async run(id: string, q: RunQuery): Promise<RunDetail> {
    const bundle = await this.bundlePath(id);
    const stored = await this.storedRun(id, bundle);
    const manifest = stored.manifest;
    const row = runRow(stored);
    const hardware = hardwareOfRun(manifest);
    const impact = impactOf(manifest, hardware, q);
    // The breakdown of the embodied model the run is assessed with (the study's constants for its runs).
    const embodied = impact.source === 'computed' && impact.result ? impact.result.params.embodied : hardware ? embodiedFor(manifest, hardware) : null;
    const files = await Promise.all(
      manifest.files.map(async (f) => {
        try {
          const st = await stat(await fileInBundle(bundle, f.name));
          return { name: f.name, role: f.role, sizeBytes: st.size };
        } catch {
          return { name: f.name, role: f.role, sizeBytes: null };
        }
      }),
    );
    const w = manifest.workload;
    const llm = w.kind === 'llm' ? w.levels.map((l) => ({ level: l.name, footprint: llmFootprint(manifest, l, q) })) : undefined;
    return { run: row, manifest, hardware: hardware ?? null, embodied, impact, mlperf: await this.mlperfOf(bundle, manifest), files, ...(llm ? { llm } : {}) };
  }

  private async mlperfOf(bundle: string, m: RunManifest): Promise<MlperfView | null> {
    const f = m.files.find((x) => x.role === 'mlperf_log_summary');
    if (!f) return null;
    try {
      await fileInBundle(bundle, f.name);
      // A plain file of at most 4 MiB, not a link nor a FIFO (bundle-files.ts).
      return { file: f.name, summary: parseSummary(await readBundleFile(bundle, f.name, 'MLPerf summary', MAX_SUMMARY_BYTES), f.name) };
    } catch (e) {
      if (isInferprintError(e)) return { file: f.name, error: this.relativeTo(e.message, await this.realRunsDir()) };
      if (e instanceof OutsideRunsDir) return { file: f.name, error: e.message };
      if (errnoCode(e) === 'ENOENT') return { file: f.name, error: `${f.name} is missing` };
      throw e;
    }
  }

  /** The run's power trace, each channel downsampled to at most `q.points` points (min and max kept). */
  async trace(id: string, q: TraceQuery): Promise<TraceView> {
    const key = `${id}\n${q.points}\n${q.channels.join(',')}\n${q.window ?? ''}`;
    const hit = this.traces.get(key);
    const bundle = await this.bundlePath(id);
    if (hit) {
      // Refresh its place in the LRU order.
      this.traces.delete(key);
      this.traces.set(key, hit);
      return hit;
    }
    const manifest = (await this.storedRun(id, bundle)).manifest;
    if (!hasPower(manifest)) throw notFound(`run ${id} has no power trace: it measured no power (its manifest has no sensor)`);
    const sensor = manifest.sensor;
    const known = new Set(sensor.channels.map((c) => c.name));
    for (const c of q.channels) if (!known.has(c)) throw badRequest(`query parameter 'channel': run ${id} has no channel ${JSON.stringify(c.slice(0, 60))} (channels: ${[...known].join(', ')})`);
    const window = q.window === undefined ? null : (manifest.windows.find((w) => w.name === q.window) ?? null);
    if (q.window !== undefined && window === null) {
      throw badRequest(`query parameter 'window': run ${id} has no window ${JSON.stringify(q.window.slice(0, 60))} (windows: ${manifest.windows.map((w) => w.name).join(', ') || 'none'})`);
    }
    let read;
    try {
      // DuckDB would follow a link out of the bundle: check the file it reads first. Only the
      // trace is read (the manifest is in hand; counters are not drawn).
      await fileInBundle(bundle, TRACE_FILE);
      read = await this.traceReads.run(() => readBundleTrace(bundle, manifest, false));
    } catch (e) {
      throw await this.mapBundleError(id, e);
    }
    const wanted = q.channels.length > 0 ? new Set(q.channels) : undefined;
    const view: TraceView = {
      id,
      primaryChannel: sensor.primaryChannel,
      window: window ? { name: window.name, t0S: window.t0S, t1S: window.t1S } : null,
      maxPoints: q.points,
      channels: read.trace.channels
        .filter((c) => !wanted || wanted.has(c.name))
        .map((c) => {
          const info = sensor.channels.find((x) => x.name === c.name);
          const { from, to } = window ? sliceByTime(c.tS, window.t0S, window.t1S) : { from: 0, to: c.tS.length };
          const d = downsampleMinMax({ tS: c.tS.subarray(from, to), powerW: c.powerW.subarray(from, to) }, q.points);
          return { name: c.name, kind: info?.kind ?? 'other', device: info?.device ?? null, unit: 'W' as const, samples: to - from, downsampled: d.downsampled, tS: d.tS, powerW: d.powerW };
        }),
      windows: manifest.windows,
      gaps: manifest.gaps,
    };
    this.traces.set(key, view);
    if (this.traces.size > TRACE_CACHE_SIZE) this.traces.delete(this.traces.keys().next().value!);
    return view;
  }

  /** Bundle paths for the report layer: the runs asked for (each checked), else the whole runs directory. */
  async reportPaths(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [await this.realRunsDir()];
    return Promise.all(ids.map((id) => this.bundlePath(id)));
  }
}

/** At most `n` tasks at once; the others wait their turn. */
class Limiter {
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  constructor(private readonly n: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.n) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running++;
    try {
      return await task();
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }
}

/**
 * The impact recorded with the run, or assessed now: with the settings the run was recorded with
 * (the study's parameters for the study's runs), and the preset or grid the request asks for.
 */
function impactOf(m: RunManifest, hardware: HardwareSpec | undefined, q: RunQuery): ImpactView {
  const recorded = m.impact;
  if (q.preset === undefined && q.grid === undefined && recorded !== undefined && (recorded.result !== undefined || recorded.operationalOnlyG !== undefined)) {
    return { source: 'recorded', result: recorded.result ?? null, parameters: recorded.parameters ?? null, notes: recorded.notes ?? null, operationalOnlyG: recorded.operationalOnlyG ?? null };
  }
  let a;
  try {
    a = assessRun(m, { ...(q.preset !== undefined ? { preset: q.preset } : {}), ...(q.grid !== undefined ? { grid: q.grid } : {}) }, hardware);
  } catch (e) {
    // Only the grid comes from the request; a recorded setting the tables no longer know is the run's problem.
    if (isInferprintError(e) && q.grid !== undefined && e.where.field === 'grid') throw badRequest(`query parameter 'grid': ${e.detail}`);
    if (isInferprintError(e)) return { source: 'none', reason: e.message };
    throw e;
  }
  switch (a.scope) {
    case 'none':
      return { source: 'none', reason: a.reason };
    case 'operational':
      return { source: 'computed', preset: a.settings.preset, result: null, operationalOnlyG: a.operationalG, parameters: a.used, notes: [a.reason] };
    case 'operational+embodied':
      return { source: 'computed', preset: a.resolved.preset, result: a.result, parameters: a.resolved.used };
  }
}

/** The embodied estimate of the model the run is assessed with by default. */
function embodiedFor(m: RunManifest, hardware: HardwareSpec): EmbodiedResult | null {
  try {
    const a = assessRun(m, {}, hardware);
    return a.scope === 'operational+embodied' ? a.resolved.params.embodied : estimateEmbodied('die-area-v1', hardware);
  } catch (e) {
    if (isInferprintError(e)) return null;
    throw e;
  }
}
