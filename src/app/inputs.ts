import { existsSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { errors, isInferprintError } from '../errors.js';
import { hardwareKey, powerUnitOf, requireHardware, resolveHardware, type HardwareSpec } from '../impact/hardware.js';
import type { ImpactSettings } from '../impact/presets.js';
import { latencyByQueryCount } from '../analysis/latency.js';
import type { PerRunEnergy } from '../analysis/trapezoid.js';
import type { LatencyObservation, LatencyStats, RunTrace } from '../analysis/types.js';
import { readLinesSync } from '../io/lines.js';
import { isThesisDataDir, isThesisRoot, scanThesisPath, studyHardware, type Skipped, type ThesisDeviceData } from '../io/thesis-dataset.js';
import { contradiction, deviceConflictMessage, mlperfRunDevice, namedDevices, nvidiaSmiGpuNamesOfLines, sourceDevice } from './import-device.js';
import { identityKey, recordedIdentity } from '../runs/source-identity.js';
import { scanMlperfLogTree } from '../mlperf/io/log-tree.js';
import type { MlperfLogTree, MlperfSummary } from '../mlperf/types.js';
import { parseSummary } from '../mlperf/parse-summary.js';
import { MANIFEST_FILE, parseManifestText, TRACE_FILE, type RunManifest } from '../runs/manifest.js';
import { bundleFileSync, MAX_SUMMARY_BYTES, readBundleFileSync, readManifestFileSync } from '../runs/io/bundle-files.js';
import { codecarbonSettings, itEnergyJ, recordedSettings, settingsKey } from '../runs/run-impact.js';
import { runsDirEntriesSync } from '../runs/io/scan.js';
import { combineProvenance, type PowerBasis } from '../traces/provenance.js';
import type { Provenance } from '../traces/types.js';
import { chooseChannels, type ChannelRule } from '../traces/channels.js';
import { importCodeCarbonCsv, importGenericCsv, importNvidiaSmiCsv, importTegrastatsLog, importThesisCsv, sniffFormat, type FileFormat } from '../io/trace-files.js';
import { decodeGenericCsv, parseGenericCsvSpec } from '../traces/parse-generic-csv.js';
import { decodeNvidiaSmiCsv } from '../traces/parse-nvidia-smi.js';
import { decodeTegrastats } from '../traces/parse-tegrastats.js';
import { decodeThesisCsv, parseThesisFileName } from '../traces/parse-thesis-csv.js';
import { checkSampleCount } from '../traces/plausibility.js';
import { integrateStream } from '../traces/stream-energy.js';
import type { PowerSample, PowerTrace } from '../traces/types.js';
import type { LlmLevelRun } from '../llm/core/aggregate.js';
import type { LatencyLimit } from '../llm/core/limits.js';
import { parseRecordJson, type RequestRecord } from '../llm/core/timeline.js';

/**
 * Turns the PATHs a user gives into groups of repeated runs (device × version × query
 * count), whatever their layout: the study's dataset, MLPerf log trees, or power files
 * (study CSV, nvidia-smi, tegrastats, generic CSV, CodeCarbon).
 */

export type InputFormat = 'auto' | FileFormat;
export const INPUT_FORMATS: readonly InputFormat[] = ['auto', 'thesis-csv', 'nvidia-smi', 'tegrastats', 'generic', 'codecarbon'];
type TraceFormat = Exclude<FileFormat, 'codecarbon'>;

/** Options that describe power files; they mean nothing for a dataset folder or a log tree. */
export interface FileOptions {
  /** Hardware of files that do not name it (also overrides what an MLPerf log tree says). */
  readonly device?: string;
  readonly inputFormat?: InputFormat;
  /** Generic CSV column spec, e.g. `t=timestamp,p=power,unit=mW`. */
  readonly columns?: string;
  /** Channel to integrate (see traces/channels.ts). */
  readonly channel?: ChannelRule;
  /** Sampling interval (s) of logs without timestamps (tegrastats, nvidia-smi without a timestamp column). */
  readonly intervalS?: number;
  /** Read a header-less study CSV as `timestamp,power`. */
  readonly headerless?: boolean;
}

/**
 * One run. `load` reads the whole trace (the study's method interpolates runs onto a
 * common grid); `integrate` streams it through an O(1)-state integrator, so the default
 * method reads traces far larger than memory.
 */
export interface RunSource {
  readonly id: string;
  readonly load: () => RunTrace;
  readonly integrate: () => PerRunEnergy;
}

export interface RunGroup {
  /** Device tag as written in the source folder or file name; empty when there is none. */
  readonly datasetTag: string;
  readonly version: string;
  readonly hardware: HardwareSpec | undefined;
  readonly scenario: string;
  readonly queryCount: number | undefined;
  readonly source: string;
  /** Whole-run power traces (the study's FULL runs), read lazily one group at a time. */
  readonly runs?: readonly RunSource[];
  /** Separate runs covering the compute phase only (the study's CI runs). */
  readonly computeRuns?: readonly RunSource[];
  /** Per-run energies known without a trace (CodeCarbon, run bundles' manifests). */
  readonly energies?: readonly PerRunEnergy[];
  /** The run bundle folder behind each of `energies`, in the same order (bundles may come from several PATHs). */
  readonly bundleDirs?: readonly string[];
  /** The compute-phase window of the same runs, when they recorded one (bench bundles). */
  readonly computeEnergies?: readonly PerRunEnergy[];
  readonly latency?: LatencyStats;
  /**
   * The impact settings the data carry: the study's parameters for the study's data (its
   * dataset, its files, or runs imported from it), what bundles were recorded with, the PUE
   * CodeCarbon already applied. Absent: the default preset.
   */
  readonly recorded?: ImpactSettings;
  /** Where the power figures come from (measured, estimated, replayed, or a mix); null without power. */
  readonly provenance?: PowerBasis | null;
  /** A served-LLM load level: its runs (`energies` are then their steady-state windows). */
  readonly llm?: LlmGroupRuns;
}

/** The runs of one served-LLM level (device × label × model × API × level), for `aggregateLevel`. */
export interface LlmGroupRuns {
  readonly model: string;
  readonly api: string;
  readonly runs: readonly LlmLevelRun[];
  readonly limits: readonly LatencyLimit[];
}

/** The study's own parameters: what its data were assessed with (Table 5.1). */
const STUDY_SETTINGS: ImpactSettings = { preset: 'thesis-2025' };

export interface DiscoveredInputs {
  readonly groups: readonly RunGroup[];
  readonly skipped: readonly Skipped[];
  readonly notes: readonly string[];
}

export function discoverInputs(paths: readonly string[], opts: FileOptions): DiscoveredInputs {
  if (paths.length === 0) throw errors.usage('give at least one PATH to analyse', 'PATH');
  const groups: RunGroup[] = [];
  const skipped: Skipped[] = [];
  const notes: string[] = [];
  const files: string[] = [];
  // Bundles from every PATH are grouped together: repetitions given one by one (`report --runs
  // A,B,C`) or spread over several runs folders are still one group.
  const bundles: string[] = [];
  let logTrees = 0;
  for (const raw of paths) {
    const path = resolve(raw);
    if (!existsSync(path)) throw errors.notFound(raw);
    if (!statSync(path).isDirectory()) {
      files.push(path);
      continue;
    }
    const here = bundleDirs(path);
    if (here.length > 0) {
      bundles.push(...here);
      continue;
    }
    if (isThesisRoot(path) || isThesisDataDir(path)) {
      const ds = scanThesisPath(path);
      skipped.push(...ds.skipped);
      for (const d of ds.devices) groups.push(...thesisGroups(d, skipped));
      if (ds.devices.some((d) => !d.logDir)) notes.push('no MLPerf logs found for some devices: their latency is left empty');
      continue;
    }
    const tree = scanMlperfLogTree(path);
    if (tree.runs.length > 0) {
      skipped.push(...tree.skipped);
      logTrees++;
      groups.push(...logTreeGroups(tree, opts.device, notes));
      notes.push(`${raw}: MLPerf logs only — latency without energy; give power traces for energy`);
      continue;
    }
    // A log tree whose every summary failed is still a log tree: say why, not "not recognised".
    if (tree.skipped.length > 0) throw errors.noData(`an MLPerf log tree with no readable run: ${describeSkipped(tree.skipped)}`, { file: raw });
    throw errors.unknownFormat(
      raw,
      "not a recognised dataset: expected the study's layout (a folder holding Data/ and Logs/), a data_<tag>_<version> folder, an MLPerf log tree, or power files",
    );
  }
  if (bundles.length > 0) groups.push(...bundleGroups([...new Set(bundles)].sort(), skipped, notes));
  if (files.length > 0) groups.push(...fileGroups(files, opts, skipped, notes));
  else rejectFileOnlyOptions(opts, logTrees > 0);
  return { groups, skipped, notes };
}

/** The first few skipped entries with their reasons, in one line. */
function describeSkipped(list: readonly Skipped[], max = 3): string {
  const shown = list.slice(0, max).map((x) => `${x.path}: ${x.reason}${x.detail !== undefined ? ` (${x.detail})` : ''}`);
  return `${list.length} skipped — ${shown.join('; ')}${list.length > max ? `; and ${list.length - max} more` : ''}`;
}

/** Flags that describe power files must not pass silently when there are none. */
function rejectFileOnlyOptions(opts: FileOptions, hasLogTree: boolean): void {
  const given: [string, unknown][] = [
    ['--device', hasLogTree ? undefined : opts.device],
    ['--input-format', opts.inputFormat],
    ['--columns', opts.columns],
    ['--channel', opts.channel],
    ['--interval', opts.intervalS],
    ['--headerless', opts.headerless || undefined],
  ];
  const flag = given.find(([, v]) => v !== undefined)?.[0];
  if (flag) throw errors.usage(`${flag} describes power files, and no power file was given (dataset folders and log trees describe themselves)`, flag);
}

// ── run bundles ────────────────────────────────────────────────────────────────────

/** A bundle folder itself, or a runs folder holding bundles (the entries the one scanner looks at: no dot entries, no links, no `campaigns/`). */
function bundleDirs(path: string): string[] {
  if (existsSync(join(path, MANIFEST_FILE))) return [path];
  return runsDirEntriesSync(path)
    .dirs.filter((name) => existsSync(join(path, name, MANIFEST_FILE)))
    .map((name) => join(path, name))
    .sort();
}

/**
 * Bundles grouped as repetitions: bench runs by hardware × scenario × query count, imported
 * MLPerf logs (runs that measured no power) by hardware × log set × scenario × query count,
 * other runs by hardware × label (a trailing repetition suffix such as `-r3` or ` run3`
 * dropped). Energy is the manifest's primary-channel energy over the run; bench runs also
 * give their `compute` window; every bundle with an MLPerf summary gives its latency. A group
 * of runs without power is latency only, as an MLPerf log tree is.
 */
function bundleGroups(dirs: readonly string[], skipped: Skipped[], notes: string[]): RunGroup[] {
  interface Pending {
    readonly base: Omit<RunGroup, 'energies' | 'bundleDirs' | 'computeEnergies' | 'latency'>;
    /** The study's latency recorded by `import thesis`, used when no bundle holds an MLPerf summary. */
    readonly studyLatency: LatencyStats | undefined;
    readonly energies: PerRunEnergy[];
    readonly dirs: string[];
    readonly compute: PerRunEnergy[];
    readonly latency: LatencyObservation[];
    readonly provenance: Provenance['kind'][];
    powerless: number;
  }
  const groups = new Map<string, Pending>();
  const llm: { dir: string; m: RunManifest; hardware: HardwareSpec | undefined }[] = [];
  // Runs imported from the same source file (and line) are one measurement counted twice.
  const bySource = new Map<string, { readonly label: string; readonly ids: string[] }>();
  for (const dir of dirs) {
    const file = join(dir, MANIFEST_FILE);
    let m: RunManifest;
    try {
      // A plain file, not a link nor a FIFO (bundle-files.ts): the same rule as every reader of bundles.
      m = parseManifestText(readManifestFileSync(dir), file);
      // The trace is read by the report only, but a bundle whose trace is a link or a FIFO is
      // skipped here too, as the store's listing skips it (a missing one is the reader's concern).
      if (m.sensor) plainIfPresent(dir, TRACE_FILE, 'run trace');
    } catch (e) {
      skipped.push({ path: dir, reason: 'invalid run bundle', detail: e instanceof Error ? e.message : String(e) });
      continue;
    }
    // The MLPerf summary is read before the bundle joins a group: one that cannot be read skips
    // its bundle, as a corrupt manifest does, rather than failing the whole store.
    const summaryFile = m.files.find((f) => f.role === 'mlperf_log_summary');
    let summary: MlperfSummary | undefined;
    if (summaryFile) {
      try {
        summary = parseSummary(readBundleFileSync(dir, summaryFile.name, 'MLPerf summary', MAX_SUMMARY_BYTES), join(dir, summaryFile.name));
      } catch (e) {
        if (!isInferprintError(e) || e.code === 'INTERNAL') throw e;
        skipped.push({ path: dir, reason: 'run bundle with an unreadable MLPerf summary', detail: e.message });
        continue;
      }
    }
    const powerless = m.sensor === undefined;
    if (!m.energy && !powerless) {
      skipped.push({ path: dir, reason: 'run bundle without energy (failed before its first sample)' });
      continue;
    }
    const hardware = m.device.hardwareId !== undefined ? resolveHardware(m.device.hardwareId) : undefined;
    const w = m.workload;
    if (w.kind === 'llm') {
      llm.push({ dir, m, hardware });
      continue;
    }
    const bench = w.kind === 'bench' ? w : undefined;
    const release = bench && typeof bench.mlperfSettings?.release === 'string' ? bench.mlperfSettings.release : '';
    const study = studyImport(m);
    const logs = powerless ? mlperfImport(m) : undefined;
    if (powerless && !logs) {
      skipped.push({ path: dir, reason: 'run bundle that measured no power and records no MLPerf scenario and query count: nothing to analyse' });
      continue;
    }
    const label = withoutRepetition(m.label);
    // Runs recorded with different settings (grid, PUE, preset) are not averaged together.
    const settings = recordedSettings(m);
    const sk = settingsKey(settings);
    const key = `${sk}#` + (bench
      ? `${hardware?.id ?? ''}|bench|${bench.scenario}|${bench.queryCount}|${bench.model}`
      : study
        ? `${hardware?.id ?? ''}|thesis|${study.datasetTag}|${study.version}|${study.queryCount}`
        : logs
          ? `${hardware?.id ?? hardwareKey(m.device.name ?? '')}|mlperf|${logs.datasetTag}|${logs.version}|${logs.scenario}|${logs.queryCount}`
          : `${hardware?.id ?? ''}|${label}`);
    let g = groups.get(key);
    if (!g) {
      g = {
        base: {
          datasetTag: bench ? '' : study ? study.datasetTag : logs ? logs.datasetTag : label,
          version: study ? study.version : logs ? logs.version : release,
          hardware,
          scenario: bench ? bench.scenario : study ? 'SingleStream' : logs ? logs.scenario : '',
          queryCount: bench ? bench.queryCount : study ? study.queryCount : logs ? logs.queryCount : undefined,
          source: dirname(dir),
          recorded: settings,
        },
        studyLatency: study?.mlperf,
        energies: [],
        dirs: [],
        compute: [],
        latency: [],
        provenance: [],
        powerless: 0,
      };
      groups.set(key, g);
    }
    if (summary) g.latency.push(latencyObservation(summary));
    // A run that measured no power brings its latency only.
    if (!m.energy) {
      g.powerless++;
      continue;
    }
    if (study?.computeRun) g.compute.push({ id: `${m.id}:compute-run`, energyJ: study.computeRun.energyJ, durationS: study.computeRun.durationS, gaps: 0 });
    const e = itEnergyJ(m)!;
    const primaryChannel = m.energy.perChannel.find((c) => c.channel === m.energy?.primary.channel);
    g.energies.push({
      id: m.id,
      energyJ: e.energyJ,
      durationS: e.durationS,
      gaps: m.gaps.length,
      ...(primaryChannel ? { peakW: primaryChannel.maxW, samples: primaryChannel.samples } : {}),
    });
    if (m.sensor) g.provenance.push(m.sensor.provenance.kind);
    const src = importSource(m);
    if (src !== undefined) {
      const seen = bySource.get(src.key);
      if (seen) seen.ids.push(m.id);
      else bySource.set(src.key, { label: src.label, ids: [m.id] });
    }
    g.dirs.push(dir);
    const cw = m.windows.find((x) => x.name === 'compute');
    const ce = m.energy.perWindow?.find((x) => x.window === 'compute' && x.channel === m.energy?.primary.channel);
    if (cw && ce) g.compute.push({ id: m.id, energyJ: ce.energyJ, durationS: cw.t1S - cw.t0S, gaps: 0 });
  }
  const shared = [...bySource.values()].filter((x) => x.ids.length > 1);
  if (shared.length > 0) {
    const { label, ids } = shared[0]!;
    notes.push(
      `${shared.reduce((n, x) => n + x.ids.length, 0)} runs share ${shared.length} source(s), e.g. ${ids.length} runs imported from ${label} (${ids.join(', ')}): the same measurement is counted more than once; remove the copies (inferprint runs rm ID)`,
    );
  }
  const powerless = [...groups.values()].reduce((n, g) => n + g.powerless, 0);
  if (powerless > 0) notes.push(`${powerless} run bundle(s) measured no power (imported MLPerf logs): they give latency without energy`);
  const ordered = [...groups.values()].sort(
    (a, b) => (a.base.hardware?.id ?? '').localeCompare(b.base.hardware?.id ?? '') || (a.base.queryCount ?? 0) - (b.base.queryCount ?? 0) || a.base.datasetTag.localeCompare(b.base.datasetTag),
  );
  const out: RunGroup[] = ordered.map((g) => {
    const base = g.base;
    const lat = g.latency.length > 0 ? latencyByQueryCount(g.latency) : undefined;
    const l = (lat && base.queryCount !== undefined ? lat.get(base.queryCount) : lat ? [...lat.values()][0] : undefined) ?? g.studyLatency;
    // Energy comes from the runs that measured power only; a group of power-less runs is latency only, as a log tree is.
    const energy =
      g.energies.length > 0 ? { energies: g.energies, bundleDirs: g.dirs, ...(g.compute.length === g.energies.length ? { computeEnergies: g.compute } : {}) } : {};
    return { ...base, ...energy, provenance: combineProvenance(g.provenance), ...(l ? { latency: l } : {}) };
  });
  return [...out, ...llmGroups(llm, skipped, notes)];
}

// ── served-LLM runs (bench --sut openai|ollama) ────────────────────────────────────

/**
 * One group per device × label × model × API × load level, so `analyze` gives one row per
 * concurrency level (or request rate). Each run gives the level's steady-state window as its
 * energy, and its request timelines (`llm_requests.jsonl`) for pooled percentiles.
 */
function llmGroups(runs: readonly { dir: string; m: RunManifest; hardware: HardwareSpec | undefined }[], skipped: Skipped[], notes: string[]): RunGroup[] {
  interface Pending {
    readonly base: Omit<RunGroup, 'energies' | 'llm' | 'provenance'>;
    readonly model: string;
    readonly api: string;
    readonly limits: LatencyLimit[];
    readonly runs: LlmLevelRun[];
    readonly energies: PerRunEnergy[];
    readonly provenance: Provenance['kind'][];
    readonly order: readonly [number, number];
  }
  const groups = new Map<string, Pending>();
  for (const { dir, m, hardware } of runs) {
    const w = m.workload;
    if (w.kind !== 'llm') continue;
    if (w.levels.length === 0) {
      skipped.push({ path: dir, reason: 'served-LLM run without a finished load level' });
      continue;
    }
    const records = llmRecords(dir, m, notes);
    const label = withoutRepetition(m.label);
    const settings = recordedSettings(m);
    for (const level of w.levels) {
      const key = `${settingsKey(settings)}#${hardware?.id ?? ''}|llm|${label}|${w.model}|${w.api}|${level.name}`;
      let g = groups.get(key);
      if (!g) {
        g = {
          base: { datasetTag: label, version: '', hardware, scenario: level.load === 'closed' ? 'llm-closed' : 'llm-poisson', queryCount: undefined, source: dirname(dir), recorded: settings },
          model: w.model,
          api: w.api,
          limits: (w.latencyLimits ?? []).map((l) => ({ name: l.name, source: l.source, ...(l.ttftMs !== undefined ? { ttftMs: l.ttftMs } : {}), ...(l.tpotMs !== undefined ? { tpotMs: l.tpotMs } : {}) })),
          runs: [],
          energies: [],
          provenance: [],
          order: [level.load === 'closed' ? 0 : 1, level.concurrency ?? level.requestRate ?? 0],
        };
        groups.set(key, g);
      }
      const mine = records?.get(level.name);
      g.runs.push({ id: m.id, level, ...(mine ? { records: mine } : {}) });
      if (level.energy && m.sensor) {
        g.energies.push({ id: `${m.id}:${level.name}`, energyJ: level.energy.energyJ, durationS: level.energy.t1S - level.energy.t0S, gaps: m.gaps.filter((x) => x.endS > level.energy!.t0S && x.startS < level.energy!.t1S).length });
        g.provenance.push(m.sensor.provenance.kind);
      }
    }
  }
  return [...groups.values()]
    .sort(
      (a, b) =>
        (a.base.hardware?.id ?? '').localeCompare(b.base.hardware?.id ?? '') ||
        a.base.datasetTag.localeCompare(b.base.datasetTag) ||
        a.model.localeCompare(b.model) ||
        a.order[0] - b.order[0] ||
        a.order[1] - b.order[1],
    )
    .map((g) => ({
      ...g.base,
      ...(g.energies.length > 0 ? { energies: g.energies } : {}),
      provenance: combineProvenance(g.provenance),
      llm: { model: g.model, api: g.api, runs: g.runs, limits: g.limits },
    }));
}

/** Largest `llm_requests.jsonl` read (a token time is about 20 bytes): some 25 000 requests of 500 tokens; beyond, latency comes from the manifest. */
const MAX_LLM_REQUESTS_BYTES = 256 << 20;

/** A run's request timelines by level, or undefined (with a note) when its file cannot be read. */
function llmRecords(dir: string, m: RunManifest, notes: string[]): Map<string, RequestRecord[]> | undefined {
  const f = m.files.find((x) => x.role === 'llm_requests');
  if (!f) {
    notes.push(`${m.id}: no request timelines (llm_requests file): its latency comes from its recorded statistics`);
    return undefined;
  }
  const file = join(dir, f.name);
  let text: string;
  try {
    // A plain file inside the bundle, within a size a run of many levels stays under (bundle-files.ts).
    text = readBundleFileSync(dir, f.name, 'LLM request timelines', MAX_LLM_REQUESTS_BYTES);
  } catch (e) {
    notes.push(`${file}: ${e instanceof Error ? e.message : String(e)}: latency from the run's recorded statistics`);
    return undefined;
  }
  const byLevel = new Map<string, RequestRecord[]>();
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    if (line.trim() === '') continue;
    let parsed: ReturnType<typeof parseRecordJson>;
    try {
      parsed = parseRecordJson(JSON.parse(line));
    } catch {
      parsed = 'not JSON';
    }
    if (typeof parsed === 'string') {
      notes.push(`${file}:${i + 1}: ${parsed}: latency from the run's recorded statistics`);
      return undefined;
    }
    (byLevel.get(parsed.level) ?? byLevel.set(parsed.level, []).get(parsed.level)!).push(parsed.record);
  }
  return byLevel;
}

/** A run's label without its repetition suffix (`-r3`, ` run3`, ` run3 ci`): the repetitions of one workload share it. */
function withoutRepetition(label: string): string {
  return label.replace(/(-r\d+| run\d+( \w+)?)$/, '');
}

/** Check that `name` in bundle `dir` is a plain file when it is there at all. */
function plainIfPresent(dir: string, name: string, what: string): void {
  try {
    bundleFileSync(dir, name, what);
  } catch (e) {
    if (!isInferprintError(e) || e.code !== 'NOT_FOUND') throw e;
  }
}

/**
 * What an imported run came from: two runs with the same are one measurement. Its content
 * identity where the import recorded one (the same file under two names is one source), else
 * its file (and line).
 */
function importSource(m: RunManifest): { readonly key: string; readonly label: string } | undefined {
  if (m.workload.kind !== 'import') return undefined;
  const line = m.workload.line;
  const label = typeof line === 'number' ? `${m.workload.sourcePath}:${line}` : m.workload.sourcePath;
  const id = recordedIdentity(m);
  return { key: id ? identityKey(id) : label, label };
}

/** What `import mlperf` records about a run (see src/app/import.ts). */
interface MlperfImport {
  readonly datasetTag: string;
  readonly version: string;
  readonly scenario: string;
  readonly queryCount: number;
}

function mlperfImport(m: RunManifest): MlperfImport | undefined {
  const w = m.workload;
  if (w.kind !== 'import' || w.format !== 'mlperf') return undefined;
  const { datasetTag, version, scenario, queryCount } = w;
  if (typeof scenario !== 'string' || typeof queryCount !== 'number') return undefined;
  return { datasetTag: typeof datasetTag === 'string' ? datasetTag : '', version: typeof version === 'string' ? version : '', scenario, queryCount };
}

/** What `import thesis` records about a run of the study (see src/app/import.ts). */
interface StudyImport {
  readonly datasetTag: string;
  readonly version: string;
  readonly queryCount: number;
  readonly computeRun?: { readonly energyJ: number; readonly durationS: number };
  readonly mlperf?: LatencyStats;
}

function studyImport(m: RunManifest): StudyImport | undefined {
  const w = m.workload;
  if (w.kind !== 'import' || w.dataset !== 'thesis-2025') return undefined;
  const { datasetTag, version, queryCount, computeRun, mlperf } = w;
  if (typeof datasetTag !== 'string' || typeof version !== 'string' || typeof queryCount !== 'number') return undefined;
  const cr = computeRun as { energyJ?: unknown; durationS?: unknown } | undefined;
  const ml = mlperf as { runs?: unknown; maxLatencyMs?: unknown; p90LatencyMs?: unknown; meanLatencyMs?: unknown } | undefined;
  return {
    datasetTag,
    version,
    queryCount,
    ...(cr && typeof cr.energyJ === 'number' && typeof cr.durationS === 'number' ? { computeRun: { energyJ: cr.energyJ, durationS: cr.durationS } } : {}),
    ...(ml && typeof ml.runs === 'number' && typeof ml.maxLatencyMs === 'number'
      ? {
          mlperf: {
            runs: ml.runs,
            maxLatencyMs: ml.maxLatencyMs,
            ...(typeof ml.p90LatencyMs === 'number' ? { p90LatencyMs: ml.p90LatencyMs } : {}),
            ...(typeof ml.meanLatencyMs === 'number' ? { meanLatencyMs: ml.meanLatencyMs } : {}),
          },
        }
      : {}),
  };
}

// ── the study's layout ──────────────────────────────────────────────────────────────

/**
 * Latency per query count over an MLPerf log tree, as the study computed it: the mean of
 * `Max latency` etc. over every summary with that `min_query_count`. `skipped` lists the
 * folders of the tree that could not be read.
 */
export function logDirLatency(dir: string): { readonly byQueryCount: Map<number, LatencyStats>; readonly skipped: readonly Skipped[] } {
  // Latency needs the summaries only: no metadata.json nor harness summary opened.
  const tree = scanMlperfLogTree(dir, { metadata: false });
  return { byQueryCount: latencyByQueryCount(tree.runs.map((r) => latencyObservation(r.summary))), skipped: tree.skipped };
}

function thesisGroups(d: ThesisDeviceData, skipped: Skipped[]): RunGroup[] {
  let latency: Map<number, LatencyStats> | undefined;
  if (d.logDir) {
    const logs = logDirLatency(d.logDir);
    skipped.push(...logs.skipped);
    latency = logs.byQueryCount;
  }
  const pue = d.files.filter((f) => f.phase === 'pue');
  if (pue.length > 0) skipped.push({ path: d.dataDir, reason: `${pue.length} board-total runs (the study's PUE campaign) are not part of the energy table` });
  const qcs = [...new Set(d.files.filter((f) => f.phase === 'full').map((f) => f.qc))].sort((a, b) => a - b);
  return qcs.map((qc) => {
    const of = (phase: 'full' | 'ci') => d.files.filter((f) => f.phase === phase && f.qc === qc).map((f) => runSource(f.path, 'thesis-csv', d.hardware, {}));
    const compute = of('ci');
    const lat = latency?.get(qc);
    return {
      datasetTag: d.tag,
      version: d.version,
      hardware: d.hardware,
      scenario: 'SingleStream',
      queryCount: qc,
      source: d.dataDir,
      recorded: STUDY_SETTINGS, // its devices ran in France (Grid'5000, LIG), assessed with its parameters
      provenance: 'measured',
      runs: of('full'),
      ...(compute.length > 0 ? { computeRuns: compute } : {}),
      ...(lat ? { latency: lat } : {}),
    };
  });
}

// ── MLPerf log trees (latency only) ────────────────────────────────────────────────

export function latencyObservation(s: MlperfSummary): LatencyObservation {
  const p90 = s.stats.percentilesNs['90.00'];
  return {
    queryCount: s.params.minQueryCount,
    maxLatencyNs: s.stats.maxLatencyNs,
    ...(p90 !== undefined ? { p90LatencyNs: p90 } : {}),
    meanLatencyNs: s.stats.meanLatencyNs,
  };
}

/**
 * A log tree's groups, named by what the logs say (mlperfRunDevice, as `import mlperf` names
 * them). `--device` overrides that; where the logs name another device the database knows,
 * a note says so (analyze writes nothing, so it relabels with a note rather than refusing).
 */
function logTreeGroups(tree: MlperfLogTree, device: string | undefined, notes: string[]): RunGroup[] {
  // One group per log set (e.g. `Orin_v4.1_logs`) × scenario × query count.
  const sets = new Map<string, MlperfLogTree['runs'][number][]>();
  for (const r of tree.runs) {
    const key = `${r.logSet?.tag ?? ''}\u0000${r.logSet?.version ?? ''}\u0000${r.summary.scenario}`;
    const list = sets.get(key);
    if (list) list.push(r);
    else sets.set(key, [r]);
  }
  const out: RunGroup[] = [];
  for (const runs of sets.values()) {
    const first = runs[0]!;
    const named = mlperfRunDevice(first);
    let hardware: HardwareSpec | undefined;
    if (device !== undefined) {
      hardware = requireHardware(device, { flag: '--device' });
      const said = [...new Map(runs.flatMap((r) => mlperfRunDevice(r) ?? []).map((n) => [n.name, n])).values()];
      const c = contradiction(hardware, said);
      if (c !== undefined) notes.push(`--device ${device} relabels ${first.logSet?.folder ?? tree.root} as ${hardware.id}, but its logs name ${c}`);
    } else if (named !== undefined) {
      hardware = named.hardware ?? requireHardware(named.name, { file: first.dir });
    }
    const byQc = latencyByQueryCount(runs.map((r) => latencyObservation(r.summary)));
    for (const [qc, latency] of [...byQc].sort((a, b) => a[0] - b[0])) {
      out.push({
        datasetTag: first.logSet?.tag ?? '',
        version: first.logSet?.version ?? '',
        hardware,
        scenario: first.summary.scenario,
        queryCount: qc,
        source: tree.root,
        latency,
      });
    }
  }
  return out;
}

// ── power files ────────────────────────────────────────────────────────────────────

/** Arrays of the chosen channel(s); summing point by point needs channels sampled at the same instants. */
function traceRun(trace: PowerTrace, id: string, rule: ChannelRule): RunTrace {
  const chosen = chooseChannels(trace.channels.map((c) => c.name), rule, id);
  const channels = trace.channels.filter((c) => chosen.includes(c.name));
  const first = channels[0]!;
  // The builder saw some channel with 2 samples; the chosen one needs them too.
  for (const c of channels) checkSampleCount(c.tS.length, { file: id }, trace.channels.length > 1 ? c.name : undefined);
  if (channels.length === 1) return { id, tS: first.tS, powerW: first.powerW };
  for (const c of channels) {
    if (c.tS.length !== first.tS.length || c.tS.some((t, i) => t !== first.tS[i])) {
      throw errors.usage(`cannot sum the channels of ${id} point by point: they are not sampled at the same instants`, '--channel');
    }
  }
  const powerW = new Float64Array(first.tS.length);
  for (const c of channels) for (let i = 0; i < powerW.length; i++) powerW[i]! += c.powerW[i]!;
  return { id, tS: first.tS, powerW };
}

function genericSpec(opts: FileOptions) {
  if (opts.columns === undefined) throw errors.usage('a generic CSV needs its columns declared, e.g. --columns t=time,p=power,unit=W', '--columns');
  return parseGenericCsvSpec(opts.columns);
}

/** The same file read two ways: whole (through the importer) or streamed (through its decoder). */
function runSource(file: string, format: TraceFormat, hw: HardwareSpec | undefined, opts: FileOptions): RunSource {
  const interval = opts.intervalS !== undefined ? { intervalS: opts.intervalS } : {};
  const thesisUnit = () => {
    if (!hw) throw errors.internal(`${file}: a study CSV without a device reached the importer`);
    return { unit: powerUnitOf(hw), ...(opts.headerless ? { headerless: 'timestamp,power' as const } : {}) };
  };
  const load = (): PowerTrace => {
    switch (format) {
      case 'thesis-csv':
        return importThesisCsv(file, thesisUnit());
      case 'nvidia-smi':
        return importNvidiaSmiCsv(file, interval);
      case 'tegrastats':
        return importTegrastatsLog(file, interval);
      case 'generic':
        return importGenericCsv(file, genericSpec(opts));
    }
  };
  const decode = (): Iterable<PowerSample> => {
    const lines = readLinesSync(file);
    switch (format) {
      case 'thesis-csv':
        return decodeThesisCsv(lines, { ...thesisUnit(), file });
      case 'nvidia-smi':
        return decodeNvidiaSmiCsv(lines, { ...interval, file });
      case 'tegrastats':
        return decodeTegrastats(lines, { ...interval, file });
      case 'generic':
        return decodeGenericCsv(lines, { ...genericSpec(opts), file });
    }
  };
  return {
    id: file,
    load: () => traceRun(load(), file, opts.channel),
    integrate: () => {
      const r = integrateStream(decode(), opts.channel, file);
      return { id: file, energyJ: r.energyJ, durationS: r.durationS, gaps: r.gaps, peakW: r.peakW, samples: r.samples };
    },
  };
}

/** What nvidia-smi logs said about their GPUs, gathered over the files: contradictions of --device, and notes (one per fact, not per file). */
class DeviceNotes {
  readonly conflicts: string[] = [];
  private readonly facts = new Map<string, string[]>();

  note(fact: string, file: string): void {
    (this.facts.get(fact) ?? this.facts.set(fact, []).get(fact)!).push(file);
  }

  lines(): string[] {
    return [...this.facts].map(([fact, fs]) => `${fs.length === 1 ? fs[0]! : `${fs[0]!} and ${fs.length - 1} more file(s)`}: ${fact}`);
  }
}

/** Data lines read for an nvidia-smi log's GPU names: 256 cycles of a 16-GPU node. */
const SMI_NAME_SCAN_LINES = 4096;

/**
 * The device of an nvidia-smi log, from its `name` column as `import nvidia-smi` reads it:
 * --device when given (a log naming another GPU the database knows is a conflict), else the
 * one GPU the log names that the database knows, else none (the GWP is then operational only).
 */
function smiDevice(file: string, device: string | undefined, told: DeviceNotes): HardwareSpec | undefined {
  const flag = device !== undefined ? requireHardware(device, { flag: '--device' }) : undefined;
  // nvidia-smi prints every GPU in every sampling cycle, so the first cycles name them all: a
  // prefix is read here (the decoder reads the whole log later), not the log twice.
  const said = namedDevices(nvidiaSmiGpuNamesOfLines(readLinesSync(file), SMI_NAME_SCAN_LINES), 'name column');
  const d = sourceDevice(flag, said);
  switch (d.kind) {
    case 'flag':
      if (d.contradiction !== undefined) told.conflicts.push(`${file} names ${d.contradiction}`);
      return d.hw;
    case 'named':
      told.note(d.note, file);
      return d.hw;
    case 'unknown': {
      const known = [...new Set(said.flatMap((n) => (n.hardware ? [n.hardware.id] : [])))];
      if (known.length > 1) told.note(`the log names several GPUs (${known.join(', ')}), so no one device for the embodied part: give --device to name one`, file);
      else if (said.length > 0) told.note(`the hardware database has no ${said.map((n) => JSON.stringify(n.name)).join(', ')} (name column): give --device to name it`, file);
      return undefined;
    }
  }
}

interface FileGroup {
  readonly tag: string;
  /** Undefined when nothing names the device: energy, and the operational part of the GWP. */
  readonly hw: HardwareSpec | undefined;
  readonly qc: number | undefined;
  readonly format: FileFormat;
  readonly full: string[];
  readonly compute: string[];
}

function fileGroups(files: readonly string[], opts: FileOptions, skipped: Skipped[], notes: string[]): RunGroup[] {
  // Files of one device, query count and format are repetitions of one workload; the
  // study's `_ci` files are separate runs of the compute phase of that workload.
  const groups = new Map<string, FileGroup>();
  const told = new DeviceNotes();
  for (const f of files) {
    const format = opts.inputFormat && opts.inputFormat !== 'auto' ? opts.inputFormat : opts.columns ? 'generic' : sniffFormat(f);
    const named = parseThesisFileName(basename(f));
    if (named?.phase === 'pue') {
      skipped.push({ path: f, reason: "board-total run (the study's PUE campaign): not part of the energy table" });
      continue;
    }
    if (format === 'nvidia-smi' && !named) {
      // The log names its GPUs: the device as `import nvidia-smi` takes it (sourceDevice), --device checked against it.
      const hw = smiDevice(f, opts.device, told);
      const key = `${hw?.id ?? ''}\u0000\u0000${format}`;
      const g = groups.get(key) ?? groups.set(key, { tag: '', hw, qc: undefined, format, full: [], compute: [] }).get(key)!;
      g.full.push(f);
      continue;
    }
    const name = opts.device ?? named?.tag;
    // The study's CSVs hold W for GPUs and mW for Jetsons: the device decides the unit. Other
    // files say their unit; without a device their GWP is the operational part alone.
    if (name === undefined && format === 'thesis-csv') {
      throw errors.usage(`${f}: the study's CSVs hold W for GPUs and mW for Jetsons, and this file's name gives no device: name it (e.g. --device H100-NVL; see inferprint hardware list)`, '--device');
    }
    // A tag in one of the study's file names stands for the card the study measured (studyHardware).
    // Named as the study names its files, --device is read as the study's tags are.
    const hw = name === undefined ? undefined : ((named ? studyHardware(name) : undefined) ?? requireHardware(name, opts.device !== undefined ? { flag: '--device' } : { file: f }));
    const key = `${hw?.id ?? ''}\u0000${named?.qc ?? ''}\u0000${format}`;
    let g = groups.get(key);
    if (!g) {
      g = { tag: named?.tag ?? '', hw, qc: named?.qc, format, full: [], compute: [] };
      groups.set(key, g);
    }
    (named?.phase === 'ci' ? g.compute : g.full).push(f);
  }
  if (told.conflicts.length > 0) {
    // analyze has no --force: it does not relabel a log that names its GPU; import --force does, and records it.
    throw errors.usage(
      `${deviceConflictMessage(opts.device!, requireHardware(opts.device!, { flag: '--device' }), told.conflicts)}; drop --device to take the GPU the log names, or relabel it with 'inferprint import nvidia-smi FILE --device ${opts.device!} --force'`,
      '--device',
    );
  }
  notes.push(...told.lines());
  return [...groups.values()].map((g) => {
    // The study's own files (named as its dataset names them) keep the study's parameters.
    const base = {
      datasetTag: g.tag,
      version: '',
      hardware: g.hw,
      scenario: '',
      queryCount: g.qc,
      source: [...g.full, ...g.compute].join(', '),
      provenance: 'measured' as const,
      ...(g.tag !== '' ? { recorded: STUDY_SETTINGS } : {}),
    };
    const format = g.format;
    if (format === 'codecarbon') {
      // CodeCarbon multiplies every energy by its `pue` setting: divided back to the IT energy, and
      // that PUE kept as the one the runs were recorded with, so it is applied once, not twice.
      const records = g.full.flatMap((f) => importCodeCarbonCsv(f).map((r, i) => ({ f, r, i })));
      const pues = new Set(records.map(({ r }) => r.pue ?? 1));
      const energies = records.map(({ f, r, i }) => ({ id: `${f}#${r.label || i + 1}`, energyJ: r.energyJ / (r.pue ?? 1), durationS: r.durationS, gaps: 0 }));
      if (pues.size > 1) {
        notes.push(
          `${g.full.join(', ')}: CodeCarbon runs recorded with different PUE settings (${[...pues].join(', ')}): each energy divided by its own, and the default PUE applied to all (give --pue to choose)`,
        );
        return { ...base, energies, recorded: { preset: 'default' } };
      }
      return { ...base, energies, recorded: codecarbonSettings(records[0]?.r.pue) };
    }
    const sources = (list: string[]) => list.map((f) => runSource(f, format, g.hw, opts));
    return {
      ...base,
      ...(g.full.length > 0 ? { runs: sources(g.full) } : {}),
      ...(g.compute.length > 0 ? { computeRuns: sources(g.compute) } : {}),
    };
  });
}
