import { cpSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { errors, isInferprintError } from '../errors.js';
import { requireHardware, resolveHardware, powerUnitOf, type HardwareSpec } from '../impact/hardware.js';
import type { Recording } from '../measure/recorder.js';
import { summarizeRecording } from '../measure/summary.js';
import { energySummary, gapRecords } from './measure-bundle.js';
import { readAnyRunBundle, writeRunBundle, type BundleFileInput, type WrittenBundle } from '../runs/bundle.js';
import type { HostInfo, NamedWindow } from '../runs/manifest.js';
import { scanThesisDataset } from '../io/thesis-dataset.js';
import { channelKinds, chooseChannels } from '../traces/channels.js';
import { samplingStats, trapezoidJ } from '../traces/energy.js';
import type { LatencyStats } from '../analysis/types.js';
import { loadRunDetail, scanMlperfLogTree } from '../mlperf/log-tree.js';
import { parseTestDatetimeWallClock } from '../mlperf/parse-detail.js';
import type { MlperfDetail, MlperfRunDir } from '../mlperf/types.js';
import { logDirLatency } from './inputs.js';
import { importCodeCarbonCsv, importGenericCsv, importNvidiaSmiCsv, importTegrastatsLog, importThesisCsv } from '../traces/import-files.js';
import { CODECARBON_TOTAL_CHANNEL, codecarbonMeanPower, parseCodeCarbonGpuModel, type CodeCarbonMeanPower } from '../traces/codecarbon-trace.js';
import { CODECARBON_FORMAT, type CodeCarbonRecord } from '../traces/parse-codecarbon.js';
import { parseGenericCsvSpec } from '../traces/parse-generic-csv.js';
import { civilTimeConverter } from '../traces/parse-helpers.js';
import type { PowerTrace } from '../traces/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { ImpactSettings } from '../impact/presets.js';
import { findGridZone } from '../impact/grid.js';
import { CODECARBON_IT_ENERGY_METHOD, codecarbonSettings, recordImpact } from '../runs/run-impact.js';

/**
 * `inferprint import FORMAT PATH...`: bring measurements made elsewhere into the runs store
 * as run bundles, so old measurements sit next to new ones — power logs recorded by other
 * means (nvidia-smi, tegrastats, a generic CSV), CodeCarbon's `emissions.csv` (one bundle per
 * tracked run), MLPerf log trees (one bundle per LoadGen run, no power), the study's dataset
 * (one bundle per run file), and run bundles copied from another machine (kept whole, id
 * unchanged).
 */

export const IMPORT_FORMATS = ['nvidia-smi', 'tegrastats', 'generic', 'thesis-csv', 'thesis', 'mlperf', 'codecarbon', 'bundle'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportOptions {
  readonly format: ImportFormat;
  readonly paths: readonly string[];
  readonly runsDir: string;
  readonly device?: string;
  readonly label?: string;
  readonly intervalS?: number;
  readonly columns?: string;
  readonly channel?: string;
  /** IANA zone of zone-less local times (nvidia-smi, CodeCarbon, MLPerf's test_datetime); default UTC. */
  readonly timeZone?: string;
}

export interface ImportedRun {
  readonly source: string;
  readonly id: string;
  readonly path: string;
  /** False when the bundle was already in the store (bundle imports are idempotent). */
  readonly added: boolean;
}

/** Something in a PATH that was not imported, and why (one bad run never hides the others). */
export interface ImportSkipped {
  readonly path: string;
  readonly reason: string;
  /** One line: the coded error's message, or what was found. */
  readonly detail?: string;
}

export interface ImportReport {
  readonly imported: ImportedRun[];
  readonly skipped: ImportSkipped[];
}

/** Import every PATH; the runs written, in order. */
export async function importRuns(opts: ImportOptions): Promise<ImportedRun[]> {
  return (await importRunsReport(opts)).imported;
}

/** Import every PATH; the runs written and what was skipped, with the reason. */
export async function importRunsReport(opts: ImportOptions): Promise<ImportReport> {
  if (opts.paths.length === 0) throw errors.usage('give at least one PATH to import', 'PATH');
  rejectUnusedOptions(opts);
  const out: ImportedRun[] = [];
  const skipped: ImportSkipped[] = [];
  for (const raw of opts.paths) {
    const path = resolve(raw);
    if (!existsSync(path)) throw errors.notFound(raw);
    switch (opts.format) {
      case 'bundle':
        out.push(await importBundle(path, opts.runsDir));
        break;
      case 'thesis':
        out.push(...(await importThesisDataset(path, opts, skipped)));
        break;
      case 'mlperf':
        out.push(...(await importMlperfLogTree(path, opts, skipped)));
        break;
      case 'codecarbon':
        out.push(...(await importCodeCarbon(path, opts)));
        break;
      default: {
        const trace = loadTrace(path, opts);
        const w = await saveTrace(trace, path, opts, opts.label ?? basename(path));
        out.push({ source: path, ...w, added: true });
      }
    }
  }
  return { imported: out, skipped };
}

/** Options that mean nothing for a format must not pass silently. */
function rejectUnusedOptions(opts: ImportOptions): void {
  const unused: Partial<Record<ImportFormat, readonly (readonly [string, unknown])[]>> = {
    mlperf: [
      ['--interval', opts.intervalS],
      ['--columns', opts.columns],
      ['--channel', opts.channel],
    ],
    codecarbon: [
      ['--interval', opts.intervalS],
      ['--columns', opts.columns],
    ],
  };
  const flag = unused[opts.format]?.find(([, v]) => v !== undefined)?.[0];
  if (flag !== undefined) throw errors.usage(`${flag} does not apply to 'import ${opts.format}'`, flag);
}

function loadTrace(path: string, opts: ImportOptions): PowerTrace {
  const interval = opts.intervalS !== undefined ? { intervalS: opts.intervalS } : {};
  switch (opts.format) {
    case 'nvidia-smi':
      return importNvidiaSmiCsv(path, { ...interval, ...(opts.timeZone !== undefined ? { timeZone: opts.timeZone } : {}) });
    case 'tegrastats':
      return importTegrastatsLog(path, interval);
    case 'generic':
      if (opts.columns === undefined) throw errors.usage('a generic CSV needs its columns declared, e.g. --columns t=time,p=power,unit=W', '--columns');
      return importGenericCsv(path, parseGenericCsvSpec(opts.columns));
    case 'thesis-csv': {
      if (opts.device === undefined) throw errors.usage("the study's CSVs hold W for GPUs and mW for Jetsons: name the device with --device", '--device');
      return importThesisCsv(path, { unit: powerUnitOf(requireHardware(opts.device, { flag: '--device' })) });
    }
    case 'thesis':
    case 'mlperf':
    case 'codecarbon':
    case 'bundle':
      throw errors.internal(`loadTrace called for ${opts.format}`);
  }
}

async function saveTrace(
  trace: PowerTrace,
  source: string,
  opts: ImportOptions,
  label: string,
  workloadExtra: Readonly<Record<string, unknown>> = {},
  settings: ImpactSettings = { preset: 'default' },
): Promise<WrittenBundle> {
  const names = trace.channels.map((c) => c.name);
  const primary = chooseChannels(names, opts.channel, source)[0]!;
  const kinds = channelKinds(names);
  const pch = trace.channels.find((c) => c.name === primary)!;
  const medianS = pch.tS.length > 1 ? samplingStats(pch.tS).medianIntervalS : null;
  // Imported traces keep their own time axis; t = 0 at the first sample.
  const t0 = Math.min(...trace.channels.map((c) => c.tS[0]!));
  const channels = trace.channels.map((c) => ({ name: c.name, tS: c.tS.map((t) => t - t0), powerW: c.powerW }));
  const durationS = Math.max(...channels.map((c) => c.tS[c.tS.length - 1]!));
  const hw = opts.device !== undefined ? requireHardware(opts.device, { flag: '--device' }) : undefined;
  const recording: Recording = {
    info: {
      name: trace.provenance.kind === 'measured' ? trace.provenance.sensor : trace.provenance.kind === 'replayed' ? 'replay' : 'estimate',
      provenance: trace.provenance,
      channels: kinds.map((k) => ({ ...k, ...(hw && k.name === primary ? { device: hw.name } : {}) })),
      primaryChannel: primary,
      requestedIntervalS: medianS ?? 0,
      notes: [],
    },
    originEpochMs: (trace.originEpochMs ?? statSync(source).mtimeMs) + t0 * 1000,
    durationS,
    channels,
    counters: [],
    windows: [{ name: 'full', t0S: 0, t1S: durationS }],
    droppedOutOfOrder: 0,
  };
  const s = summarizeRecording(recording);
  const startedAt = new Date(recording.originEpochMs).toISOString();
  const notes = trace.originEpochMs === undefined ? ["the source has no absolute time: startedAt is the file's modification time"] : [];
  return writeRunBundle(opts.runsDir, {
    manifest: {
      label,
      startedAt,
      endedAt: new Date(recording.originEpochMs + durationS * 1000).toISOString(),
      status: { kind: 'completed' },
      host: {},
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      sensor: {
        name: recording.info.name,
        provenance: trace.provenance,
        requestedIntervalS: null,
        measuredIntervalS: medianS,
        channels: recording.info.channels.map((c) => ({ ...c, unit: 'W' as const })),
        primaryChannel: primary,
        notes: [`imported from ${source} (${trace.source.format}, power written in ${trace.source.unitInSource})`, ...notes],
      },
      workload: { ...workloadExtra, kind: 'import', format: trace.source.format, sourcePath: source },
      device: hw ? { hardwareId: hw.id, name: hw.name } : {},
      windows: recording.windows,
      gaps: gapRecords(s),
      energy: energySummary(s),
      impact: recordImpact(settings, hw, { energyJ: s.primaryEnergyJ, durationS: s.window.t1S - s.window.t0S }),
    },
    trace: channels,
  });
}

/**
 * The study's dataset: one bundle per run — per FULL trace (the whole benchmark process), so
 * 50 per device (5 query counts × 10 repetitions) and 550 for the study's 11 devices. Each
 * bundle also carries what the study measured about that run's device and query count:
 *
 * - `workload.computeRun`: the CI trace of the same query count and repetition (a separate
 *   run that measured the compute phase alone), its energy by the trapezoid rule;
 * - `workload.mlperf`: latency over the device's MLPerf logs of that query count, computed as
 *   the study did (mean of `Max latency` etc. over every summary with that `min_query_count`).
 *   The study's data do not link a log to a trace, so these are per device × query count,
 *   the same on each of its runs, and say so (`linkedToRun: false`).
 */
async function importThesisDataset(root: string, opts: ImportOptions, skipped: ImportSkipped[]): Promise<ImportedRun[]> {
  const ds = scanThesisDataset(root);
  skipped.push(...ds.skipped.map((x) => ({ path: x.path, reason: x.reason, ...(x.detail !== undefined ? { detail: x.detail } : {}) })));
  const out: ImportedRun[] = [];
  for (const d of ds.devices) {
    const latency = d.logDir !== undefined ? logDirLatency(d.logDir).byQueryCount : new Map<number, LatencyStats>();
    const ciFiles = new Map(d.files.filter((x) => x.phase === 'ci').map((x) => [`${x.qc}-${x.run}`, x]));
    for (const f of d.files.filter((x) => x.phase === 'full')) {
      const trace = importThesisCsv(f.path, { unit: d.unit });
      const ci = ciFiles.get(`${f.qc}-${f.run}`);
      const lat = latency.get(f.qc);
      const extra: Record<string, unknown> = {
        dataset: 'thesis-2025',
        datasetTag: d.tag,
        version: d.version,
        scenario: 'SingleStream',
        queryCount: f.qc,
        repetition: f.run,
      };
      if (ci) {
        const ciTrace = importThesisCsv(ci.path, { unit: d.unit });
        const ch = ciTrace.channels[0]!;
        extra.computeRun = { sourcePath: ci.path, energyJ: trapezoidJ(ch.tS, ch.powerW, { file: ci.path }), durationS: ch.tS[ch.tS.length - 1]! - ch.tS[0]! };
      }
      if (lat && d.logDir !== undefined) extra.mlperf = { logDir: d.logDir, linkedToRun: false, ...lat };
      const label = `${d.tag} ${d.version} QC${f.qc} run${f.run}`;
      // The study's runs keep the study's parameters (grid, PUE, lifetime, embodied constants).
      const w = await saveTrace(trace, f.path, { ...opts, device: d.hardware.id }, label, extra, { preset: 'thesis-2025' });
      out.push({ source: f.path, ...w, added: true });
    }
  }
  return out;
}

/** Copy a bundle into the store whole (id kept), atomically; already there → not added. */
async function importBundle(path: string, runsDir: string): Promise<ImportedRun> {
  const b = await readAnyRunBundle(path); // validates manifest and Parquet before anything is copied
  const dest = join(runsDir, b.manifest.id);
  if (existsSync(dest)) return { source: path, id: b.manifest.id, path: dest, added: false };
  mkdirSync(runsDir, { recursive: true });
  const tmp = join(runsDir, `.${b.manifest.id}.tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    cpSync(path, tmp, { recursive: true });
    renameSync(tmp, dest);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw errors.io(dest, e);
  }
  return { source: path, id: b.manifest.id, path: dest, added: true };
}


// ── CodeCarbon ─────────────────────────────────────────────────────────────────────

/**
 * CodeCarbon's `emissions.csv`: one bundle per tracked run (the last of its cumulative rows:
 * `flush()` appends snapshots of the same `run_id`). CodeCarbon keeps per-run totals and the
 * last measured powers only, so the trace is each component's mean power over the run (see
 * src/traces/codecarbon-trace.ts), and the energies are CodeCarbon's own, exactly: the energy
 * block is written from the file, not integrated. CodeCarbon's own emissions figure (with its
 * grid zone) is kept in `workload.codecarbon`.
 */
async function importCodeCarbon(path: string, opts: ImportOptions): Promise<ImportedRun[]> {
  const zone = opts.timeZone ?? 'UTC';
  const records = importCodeCarbonCsv(path, { timeZone: zone });
  const fileMtimeMs = statSync(path).mtimeMs;
  const forced = opts.device !== undefined ? requireHardware(opts.device, { flag: '--device' }) : undefined;
  const primary = opts.channel ?? CODECARBON_TOTAL_CHANNEL;
  // Every row checked before any bundle is written: a bad row leaves the store as it was.
  const runs = records.map((r) => {
    const mean = codecarbonMeanPower(r);
    const names = mean.channels.map((c) => c.name);
    if (!names.includes(primary)) throw errors.usage(`${path} line ${r.source.line} has no channel '${primary}' (channels: ${names.join(', ')})`, '--channel');
    return { r, mean };
  });
  const out: ImportedRun[] = [];
  for (const { r, mean } of runs) {
    const w = await saveCodeCarbonRun(r, mean, { path, primary, forced, zone, fileMtimeMs }, opts);
    out.push({ source: `${path}:${r.source.line}`, ...w, added: true });
  }
  return out;
}

/** What every run of one CodeCarbon file shares. */
interface CodeCarbonFile {
  readonly path: string;
  /** The channel results are about. */
  readonly primary: string;
  /** Hardware given with --device. */
  readonly forced: HardwareSpec | undefined;
  /** Zone the file's local timestamps are read in. */
  readonly zone: string;
  readonly fileMtimeMs: number;
}

async function saveCodeCarbonRun(r: CodeCarbonRecord, mean: CodeCarbonMeanPower, file: CodeCarbonFile, opts: ImportOptions): Promise<WrittenBundle> {
  const { path, primary, forced, zone, fileMtimeMs } = file;
  const d = mean.durationS;
  const gpu = r.gpuModel !== undefined ? parseCodeCarbonGpuModel(r.gpuModel) : undefined;
  const notes: string[] = [];
  let hw: HardwareSpec | undefined = forced;
  if (!hw && gpu?.count === 1) {
    hw = resolveHardware(gpu.name);
    if (hw) notes.push(`hardware ${hw.id} from CodeCarbon's gpu_model ${JSON.stringify(r.gpuModel)}`);
  }

  // CodeCarbon stamps a row when it writes it, i.e. at the end of the run, in the host's local
  // time without a zone and to the second; the start is that minus the duration.
  const endMs = r.endEpochMs ?? fileMtimeMs;
  const startMs = endMs - d * 1000;
  if (r.endEpochMs === undefined) notes.push("the file has no timestamp column: the run is taken to end at the file's modification time");
  else notes.push(`CodeCarbon's timestamp is the end of the run in the host's local time, to the second, without a zone: read as ${zone}${zone === 'UTC' ? ' (give --time-zone for another)' : ''}`);

  const sensorNotes = [
    `imported from ${path} line ${r.source.line} (CodeCarbon emissions.csv${r.codecarbonVersion !== undefined ? `, CodeCarbon ${r.codecarbonVersion}` : ''})`,
    "the trace is CodeCarbon's mean power over the run (each component's energy ÷ the run's duration), not samples: CodeCarbon keeps per-run totals only",
    `channel '${CODECARBON_TOTAL_CHANNEL}' is CodeCarbon's energy_consumed (CPU + GPU + RAM as CodeCarbon counts them), not a wall or board measurement`,
    "CodeCarbon's RAM power is its own estimate (watts per memory module); its CPU power is RAPL where readable, else an estimate from the CPU's TDP: the file does not say which",
    ...(mean.zeroParts.length > 0 ? [`${mean.zeroParts.join(', ')} energy is 0 in the file (not tracked, or a GPU without NVML's energy counter): no channel for it`] : []),
    ...(r.pue !== undefined && r.pue !== 1
      ? [`CodeCarbon multiplied every energy by its PUE setting ${r.pue}: the energies here are divided by it (IT energy), and that PUE is kept as the run's`]
      : []),
    ...(r.rowsInRun > 1 ? [`the file holds ${r.rowsInRun} cumulative rows of this run: the last one is imported`] : []),
  ];
  const host: HostInfo = {
    ...(r.os !== undefined ? { os: r.os } : {}),
    ...(r.cpuModel !== undefined ? { cpuModel: r.cpuModel } : {}),
    ...(r.cpuCount !== undefined && Number.isInteger(r.cpuCount) ? { cpuCores: r.cpuCount } : {}),
    ...(gpu ? { gpus: Array.from({ length: gpu.count }, (_, index) => ({ index, name: gpu.name })) } : {}),
  };
  const codecarbon = {
    ...(r.emissionsKg !== undefined ? { emissionsKg: r.emissionsKg } : {}),
    ...(r.countryIsoCode !== undefined ? { countryIsoCode: r.countryIsoCode } : {}),
    ...(r.countryName !== undefined ? { countryName: r.countryName } : {}),
    ...(r.region !== undefined ? { region: r.region } : {}),
    ...(r.runId !== undefined ? { runId: r.runId } : {}),
    ...(r.projectName !== undefined ? { projectName: r.projectName } : {}),
    ...(r.experimentId !== undefined ? { experimentId: r.experimentId } : {}),
    ...(r.taskName !== undefined ? { taskName: r.taskName } : {}),
    ...(r.trackingMode !== undefined ? { trackingMode: r.trackingMode } : {}),
    ...(r.pue !== undefined ? { pue: r.pue } : {}),
    energyConsumedJ: r.energyJ,
    ...(r.codecarbonVersion !== undefined ? { codecarbonVersion: r.codecarbonVersion } : {}),
    ...(r.cloudProvider !== undefined ? { cloudProvider: r.cloudProvider } : {}),
    ...(r.cloudRegion !== undefined ? { cloudRegion: r.cloudRegion } : {}),
    ...(r.lastPowerW !== undefined ? { lastPowerW: r.lastPowerW } : {}),
    rowsInRun: r.rowsInRun,
  };
  const label = opts.label ?? ([r.projectName, r.taskName].filter((x) => x !== undefined).join(' ') || basename(path));
  const full: NamedWindow = { name: 'full', t0S: 0, t1S: d };
  const primaryEnergyJ = mean.channels.find((c) => c.name === primary)!.energyJ;
  // The run keeps what CodeCarbon was told: its PUE, and the country it said the run was in.
  const gridZone = r.countryIsoCode !== undefined && findGridZone(r.countryIsoCode) !== undefined ? r.countryIsoCode : undefined;
  const settings: ImpactSettings = { ...codecarbonSettings(r.pue), ...(gridZone !== undefined ? { grid: { value: gridZone, why: `CodeCarbon's country_iso_code ${gridZone}` } } : {}) };
  const perChannel = mean.channels.map((c) => ({ channel: c.name, energyJ: c.energyJ, meanW: c.powerW, maxW: c.powerW, minW: c.powerW, samples: 2 }));
  return writeRunBundle(opts.runsDir, {
    manifest: {
      label,
      startedAt: new Date(startMs).toISOString(),
      endedAt: new Date(Math.max(startMs, endMs)).toISOString(),
      status: { kind: 'completed' },
      host,
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      sensor: {
        name: 'codecarbon',
        provenance: { kind: 'measured', sensor: 'codecarbon' },
        requestedIntervalS: null,
        // Two points at the run's ends are not a sampling interval.
        measuredIntervalS: null,
        channels: mean.channels.map((c) => ({ name: c.name, kind: c.kind, unit: 'W' as const, ...(hw && c.name === 'gpu' ? { device: hw.name } : {}) })),
        primaryChannel: primary,
        notes: sensorNotes,
      },
      workload: { kind: 'import', format: CODECARBON_FORMAT, sourcePath: path, ...({ line: r.source.line, codecarbon } as Readonly<Record<string, unknown>>) },
      device: hw ? { hardwareId: hw.id, name: hw.name } : gpu ? { name: gpu.name } : r.cpuModel !== undefined ? { name: r.cpuModel } : {},
      windows: [full],
      gaps: [],
      energy: {
        method: CODECARBON_IT_ENERGY_METHOD,
        perChannel,
        primary: { channel: primary, energyJ: primaryEnergyJ, durationS: d },
        perWindow: perChannel.map((c) => ({ window: full.name, channel: c.channel, energyJ: c.energyJ, durationS: d })),
      },
      impact: recordImpact(settings, hw, { energyJ: primaryEnergyJ, durationS: d }),
      notes,
    },
    trace: mean.channels.map((c) => ({ name: c.name, tS: Float64Array.of(0, d), powerW: Float64Array.of(c.powerW, c.powerW) })),
  });
}

// ── MLPerf log trees ───────────────────────────────────────────────────────────────

/** Files of a LoadGen run folder the bundle carries, by role. */
const MLPERF_FILES = [
  { name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary' },
  { name: 'mlperf_log_detail.txt', role: 'mlperf_log_detail' },
  { name: 'mlperf_log_accuracy.json', role: 'mlperf_log_accuracy' },
  { name: 'mlperf_log_trace.json', role: 'mlperf_log_trace' },
] as const;

/**
 * An MLPerf log tree: one bundle per LoadGen run (each folder with a readable
 * `mlperf_log_summary.txt`), holding its logs, with no power (no sensor, no trace): what the
 * logs give is latency. Runs whose summary cannot be read are skipped with the reason.
 */
async function importMlperfLogTree(root: string, opts: ImportOptions, skipped: ImportSkipped[]): Promise<ImportedRun[]> {
  if (!statSync(root).isDirectory()) throw errors.unknownFormat(root, 'expected a folder holding MLPerf logs (mlperf_log_summary.txt)');
  const tree = scanMlperfLogTree(root);
  skipped.push(...tree.skipped.map((x) => ({ path: x.path, reason: x.reason, detail: x.detail })));
  if (tree.runs.length === 0) {
    // Said here, with the reasons: the error ends the import before the skipped list is printed.
    const why = tree.skipped.slice(0, 3).map((x) => `${x.path}: ${x.reason} (${x.detail})`);
    const more = tree.skipped.length > 3 ? `; and ${tree.skipped.length - 3} more` : '';
    throw errors.noData(`no readable mlperf_log_summary.txt under ${root}${tree.skipped.length > 0 ? ` (${tree.skipped.length} skipped — ${why.join('; ')}${more})` : ''}`, { file: root });
  }
  const forced = opts.device !== undefined ? requireHardware(opts.device, { flag: '--device' }) : undefined;
  const zone = opts.timeZone ?? 'UTC';
  const out: ImportedRun[] = [];
  for (const run of tree.runs) {
    let detail: MlperfDetail | undefined;
    let detailProblem: string | undefined;
    try {
      detail = loadRunDetail(run);
    } catch (e) {
      if (!isInferprintError(e) || e.code === 'IO') throw e;
      detailProblem = e.message;
      skipped.push({ path: run.detailPath ?? run.dir, reason: 'invalid-detail', detail: `${e.message} (the run is imported without its times)` });
    }
    const w = await saveMlperfRun(run, detail, detailProblem, forced, zone, opts);
    out.push({ source: run.dir, ...w, added: true });
  }
  return out;
}

/** A local wall-clock time (epoch ms of its fields read as UTC) as an instant in `zone`. */
function wallClockIn(wallMs: number, zone: string): number | undefined {
  const d = new Date(wallMs);
  return civilTimeConverter(zone)({
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  });
}

/**
 * When the run happened: LoadGen's `power_begin`/`power_end` (UTC, to the millisecond) when
 * the detail log has them; else its `test_datetime`, which is the host's *local* time despite
 * its `Z` (LoadGen formats localtime with `%FT%TZ`); else the run folder's name (local time
 * too); else the summary file's modification time. Without `power_end` the logs give no end.
 */
function mlperfTimes(run: MlperfRunDir, detail: MlperfDetail | undefined, zone: string): { startMs: number; endMs: number; notes: string[] } {
  if (detail?.powerBeginMs !== undefined) {
    const end = detail.powerEndMs !== undefined && detail.powerEndMs >= detail.powerBeginMs ? detail.powerEndMs : undefined;
    return {
      startMs: detail.powerBeginMs,
      endMs: end ?? detail.powerBeginMs,
      notes: ["startedAt and endedAt are LoadGen's power_begin and power_end (UTC) from mlperf_log_detail.txt", ...(end === undefined ? ['the detail log has no power_end: endedAt = startedAt'] : [])],
    };
  }
  const zoneNote = `read as ${zone}${zone === 'UTC' ? ' (give --time-zone for the host\'s zone)' : ''}; the logs give no end time: endedAt = startedAt`;
  const testWall = detail?.testDatetime !== undefined ? parseTestDatetimeWallClock(detail.testDatetime) : undefined;
  const fromTest = testWall !== undefined ? wallClockIn(testWall, zone) : undefined;
  if (fromTest !== undefined) {
    return { startMs: fromTest, endMs: fromTest, notes: [`startedAt is LoadGen's test_datetime ${detail!.testDatetime!}, the host's local time despite its 'Z', ${zoneNote}`] };
  }
  const fromFolder = run.timestamp !== undefined ? wallClockIn(run.timestamp.wallClockMs, zone) : undefined;
  if (fromFolder !== undefined) {
    return { startMs: fromFolder, endMs: fromFolder, notes: [`startedAt is the run folder's name ${run.timestamp!.folder}, the host's local time, ${zoneNote}`] };
  }
  const mtime = statSync(run.summaryPath).mtimeMs;
  return { startMs: mtime, endMs: mtime, notes: ["the logs give no time: startedAt is mlperf_log_summary.txt's modification time; endedAt = startedAt"] };
}

async function saveMlperfRun(run: MlperfRunDir, detail: MlperfDetail | undefined, detailProblem: string | undefined, forced: HardwareSpec | undefined, zone: string, opts: ImportOptions): Promise<WrittenBundle> {
  const s = run.summary;
  const qc = s.params.minQueryCount;
  // The hardware as `analyze` names it for a log tree: the GPU the harness detected, the log set's tag, the system name.
  const named = run.metadata?.gpuName ?? run.logSet?.tag ?? run.system;
  const hw = forced ?? (named !== undefined ? resolveHardware(named) : undefined);
  const times = mlperfTimes(run, detail, zone);
  const notes = [...times.notes];
  if (detailProblem !== undefined) notes.push(`mlperf_log_detail.txt could not be read: ${detailProblem}`);
  if (!hw && named !== undefined) notes.push(`the hardware database has no ${JSON.stringify(named)}: give --device to name it`);
  const windows: NamedWindow[] =
    detail?.powerBeginMs !== undefined && detail.powerEndMs !== undefined && detail.powerEndMs >= detail.powerBeginMs
      ? [{ name: 'compute', t0S: 0, t1S: (detail.powerEndMs - detail.powerBeginMs) / 1000 }]
      : [];
  const files: BundleFileInput[] = MLPERF_FILES.filter((f) => existsSync(join(run.dir, f.name))).map((f) => ({ name: f.name, role: f.role, fromPath: join(run.dir, f.name) }));
  const host: HostInfo = {
    ...(run.metadata?.cpuName !== undefined ? { cpuModel: run.metadata.cpuName } : {}),
    ...(run.metadata?.gpuName !== undefined ? { gpus: [{ index: 0, name: run.metadata.gpuName }] } : {}),
  };
  const tag = run.logSet?.tag;
  const version = run.logSet?.version;
  const label = opts.label ?? [tag ?? run.system ?? 'mlperf', version, s.scenario, `QC${qc}`].filter((x) => x !== undefined).join(' ');
  // What analyze groups power-less runs by (src/app/inputs.ts): scenario × query count, and the log set.
  const mlperfWorkload: Readonly<Record<string, unknown>> = {
    scenario: s.scenario,
    queryCount: qc,
    mode: s.mode,
    resultValid: s.resultValid,
    sutName: s.sutName,
    ...(tag !== undefined ? { datasetTag: tag } : {}),
    ...(version !== undefined ? { version } : {}),
    ...(run.system !== undefined ? { system: run.system } : {}),
    ...(run.benchmark !== undefined ? { benchmark: run.benchmark } : {}),
    ...(detail?.loadgenVersion !== undefined ? { loadgenVersion: detail.loadgenVersion.version } : {}),
  };
  return writeRunBundle(opts.runsDir, {
    manifest: {
      label,
      startedAt: new Date(times.startMs).toISOString(),
      endedAt: new Date(times.endMs).toISOString(),
      status: { kind: 'completed' },
      host,
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      workload: { kind: 'import', format: 'mlperf', sourcePath: run.dir, ...mlperfWorkload },
      device: hw ? { hardwareId: hw.id, name: hw.name } : named !== undefined ? { name: named } : {},
      windows,
      gaps: [],
      notes: ['imported MLPerf logs: no power was measured (no sensor, no trace, no energy)', ...notes],
    },
    files,
  });
}
