import { cpSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { errors, isInferprintError, type InferprintError } from '../errors.js';
import { requireHardware, resolveHardware, powerUnitOf, type HardwareSpec } from '../impact/hardware.js';
import type { Recording } from '../measure/recorder.js';
import { summarizeRecording, type RecordingSummary } from '../measure/summary.js';
import { energySummary, gapRecords } from './measure-bundle.js';
import { cleanLeftovers } from './leftovers.js';
import { readAnyRunBundle, tempDirName, writeRunBundle, type BundleFileInput, type RunBundleInput, type WrittenBundle } from '../runs/io/bundle.js';
import type { HostInfo, NamedWindow } from '../runs/manifest.js';
import { scanThesisPath, studyHardware } from '../io/thesis-dataset.js';
import { parseThesisFileName } from '../traces/parse-thesis-csv.js';
import { splitLines } from '../io/lines.js';
import { removeRuns } from '../store/remove.js';
import { fileIdentity, folderIdentity, rowIdentity, storedSources, type StoredSource } from './import-source.js';
import { identityKey, recordedIdentity, type SourceIdentity } from '../runs/source-identity.js';
import { deviceConflictMessage, deviceRecord, mlperfRunDevice, namedDevices, nvidiaSmiGpuNames, sourceDevice, type NamedDevice } from './import-device.js';
import { channelKinds, chooseChannels, SUM_CHANNEL, sumChannels, type ChannelKindName } from '../traces/channels.js';
import { samplingStats, trapezoidJ } from '../traces/energy.js';
import type { LatencyStats } from '../analysis/types.js';
import { loadRunDetail, scanMlperfLogTree } from '../mlperf/io/log-tree.js';
import { parseTestDatetimeWallClock } from '../mlperf/parse-detail.js';
import type { MlperfDetail, MlperfRunDir } from '../mlperf/types.js';
import { logDirLatency } from './inputs.js';
import { importCodeCarbonCsv, importGenericCsv, importNvidiaSmiCsv, importTegrastatsLog, importThesisCsv } from '../io/trace-files.js';
import { CODECARBON_TOTAL_CHANNEL, codecarbonMeanPower, parseCodeCarbonGpuModel, type CodeCarbonMeanPower } from '../traces/codecarbon-trace.js';
import { CODECARBON_FORMAT, type CodeCarbonRecord } from '../traces/parse-codecarbon.js';
import { parseGenericCsvSpec } from '../traces/parse-generic-csv.js';
import { civilTimeConverter } from '../traces/parse-helpers.js';
import type { PowerChannel, PowerTrace } from '../traces/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import type { ImpactSettings } from '../impact/presets.js';
import { findGridZone } from '../impact/grid.js';
import { CODECARBON_IT_ENERGY_METHOD, codecarbonSettings, recordImpact, summedGpusEmbodiedNote } from '../runs/run-impact.js';

/**
 * `inferprint import FORMAT PATH...`: bring measurements made elsewhere into the runs store
 * as run bundles, so old measurements sit next to new ones — power logs recorded by other
 * means (nvidia-smi, tegrastats, a generic CSV), CodeCarbon's `emissions.csv` (one bundle per
 * tracked run), MLPerf log trees (one bundle per LoadGen run, no power), the study's dataset
 * (one bundle per run file), and run bundles copied from another machine (kept whole, id
 * unchanged). Imports are idempotent (a source the store holds is not written again) and
 * all or nothing (see importRunsReport).
 */

export const IMPORT_FORMATS = ['nvidia-smi', 'tegrastats', 'generic', 'thesis-csv', 'thesis', 'mlperf', 'codecarbon', 'bundle'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** Writes one bundle; `writeRunBundle` unless a test injects a failing one. */
export type BundleWriter = (runsDir: string, input: RunBundleInput) => Promise<WrittenBundle>;

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
  /**
   * Import sources the store already holds again (a new bundle each), and let `--device`
   * relabel sources that name another device.
   */
  readonly force?: boolean;
  /** The bundle writer (tests inject failures here). */
  readonly writeBundle?: BundleWriter;
  /** Notes (leftovers of crashed runs removed from the runs directory). */
  readonly onStatus?: (line: string) => void;
}

/** A source that is in the store after the import: written now, or there already. */
export interface ImportedRun {
  /** What was read: a file, `file:line` (CodeCarbon), an MLPerf run folder, a bundle. */
  readonly source: string;
  readonly id: string;
  readonly path: string;
  /** True when this import wrote the bundle; false when the store already held the source. */
  readonly added: boolean;
  /**
   * Not added: where the store's copy came from (`storedSource`), and whether that is the same
   * content read from another path, or a source given twice to this import. Added with
   * `--force` over a copy already there: the id of that copy.
   */
  readonly present?: {
    readonly storedSource: string;
    readonly sameContent: boolean;
    readonly inThisImport?: boolean;
  };
  readonly alsoStoredAs?: string;
}

/** Something in a PATH that was not imported, and why (one bad run never hides the others). */
export interface ImportSkipped {
  readonly path: string;
  readonly reason: string;
  /** One line: the coded error's message, or what was found. */
  readonly detail?: string;
}

export interface ImportReport {
  /** Every source now in the store, in the order read: added or already present. */
  readonly imported: ImportedRun[];
  readonly skipped: ImportSkipped[];
  /** One line each: what the user should know (a `--device` that relabelled a source, with --force). */
  readonly warnings: string[];
}

/** Import every PATH; the sources in the store afterwards, in order. */
export async function importRuns(opts: ImportOptions): Promise<ImportedRun[]> {
  return (await importRunsReport(opts)).imported;
}

/**
 * Import every PATH, all or nothing: every source is read, decoded and checked first, and the
 * bundles are written only when all of them are fine; a write that fails midway removes the
 * bundles this import wrote (or, if that fails too, names them). Sources the store already
 * holds (same content, see import-source.ts) are not written again unless `force`. Runs an
 * importer skips by design (an MLPerf folder without a readable summary) are reported with
 * the reason and do not stop the others.
 */
export async function importRunsReport(opts: ImportOptions): Promise<ImportReport> {
  // Outside the type system (a library caller in JavaScript) a typo is input, not a bug: a coded error naming the field.
  if (!(IMPORT_FORMATS as readonly string[]).includes(opts.format)) {
    throw errors.invalidValue({ field: 'format' }, `unknown import format ${JSON.stringify(opts.format)} (expected ${IMPORT_FORMATS.join(', ')})`);
  }
  if (opts.paths.length === 0) throw errors.usage('give at least one PATH to import', 'PATH');
  rejectUnusedOptions(opts);
  await cleanLeftovers(opts.runsDir, opts.onStatus ?? (() => undefined));
  // The study's CSVs name devices by its tags, and --device for them is read the same way (studyHardware: its A100 is the A100-PCIE-40GB).
  const flagDevice =
    opts.device === undefined ? undefined : ((opts.format === 'thesis-csv' ? studyHardware(opts.device) : undefined) ?? requireHardware(opts.device, { flag: '--device' }));
  const plan: Plan = { opts, flagDevice, stored: await storedSources(opts.runsDir), seen: new Map(), items: [], skipped: [], warnings: [], conflicts: [] };
  try {
    for (const raw of opts.paths) {
      const path = resolve(raw);
      if (!existsSync(path)) throw errors.notFound(raw);
      switch (opts.format) {
        case 'bundle':
          await planBundle(path, plan);
          break;
        case 'thesis':
          planThesisDataset(path, plan);
          break;
        case 'mlperf':
          planMlperfLogTree(path, plan);
          break;
        case 'codecarbon':
          planCodeCarbon(path, plan);
          break;
        default:
          planTraceFile(path, plan);
      }
    }
  } catch (e) {
    // Nothing is written before every source has been read: say so on errors about the data.
    if (isInferprintError(e) && e.code !== 'USAGE' && e.code !== 'UNKNOWN_HARDWARE') throw errors.withOutcome(e, 'nothing imported');
    throw e;
  }
  if (plan.conflicts.length > 0) {
    throw errors.usage(`${deviceConflictMessage(opts.device!, flagDevice!, plan.conflicts)}; nothing imported (give --force to relabel)`, '--device');
  }
  return { imported: await writePlan(plan), skipped: plan.skipped, warnings: plan.warnings };
}

// ── planning: read and check everything, write nothing ────────────────────────────────

/** One source of the import, once read. */
type Planned =
  | { readonly kind: 'write'; readonly source: string; readonly input: RunBundleInput; readonly alsoStoredAs?: string }
  | { readonly kind: 'copy'; readonly source: string; readonly id: string }
  | { readonly kind: 'present'; readonly run: ImportedRun }
  /** The same content as an earlier source of this import (its index in `items`). */
  | { readonly kind: 'repeat'; readonly source: string; readonly of: number };

interface Plan {
  readonly opts: ImportOptions;
  readonly flagDevice: HardwareSpec | undefined;
  /** Sources the runs directory holds, by identity key (read once). */
  readonly stored: ReadonlyMap<string, StoredSource>;
  /** Identity key → index in `items` of the source of this import that brings it. */
  readonly seen: Map<string, number>;
  readonly items: Planned[];
  readonly skipped: ImportSkipped[];
  readonly warnings: string[];
  /** `--device` against what sources name, one line each; refused unless --force. */
  readonly conflicts: string[];
}

/**
 * Is this source in the store already, or earlier in this import? Then it is recorded as
 * such and `undefined` returned; else the caller reads it. With --force a stored copy does
 * not stop it (the note says which), but a source given twice to one import is written once.
 */
function claim(plan: Plan, source: string, identity: SourceIdentity): { alsoStoredAs?: string } | undefined {
  const key = identityKey(identity);
  const earlier = plan.seen.get(key);
  if (earlier !== undefined) {
    plan.items.push({ kind: 'repeat', source, of: earlier });
    return undefined;
  }
  const stored = plan.stored.get(key);
  if (stored && !plan.opts.force) {
    const storedSource = stored.source.line !== undefined ? `${stored.source.path}:${stored.source.line}` : stored.source.path;
    plan.items.push({ kind: 'present', run: { source, id: stored.id, path: stored.path, added: false, present: { storedSource, sameContent: stored.source.path !== identity.path } } });
    return undefined;
  }
  plan.seen.set(key, plan.items.length);
  return stored ? { alsoStoredAs: stored.id } : {};
}

/**
 * The device of a source, as `analyze` decides it too (sourceDevice): `--device` when given,
 * checked against what the source names (a contradiction is refused unless --force), else the
 * one device the source names that the database knows. `where` names the source (or log set)
 * in messages.
 */
function chooseDevice(plan: Plan, said: readonly NamedDevice[], where: string): { hw: HardwareSpec | undefined; reportedName: string | undefined; notes: string[] } {
  const d = sourceDevice(plan.flagDevice, said);
  switch (d.kind) {
    case 'unknown':
      return { hw: undefined, reportedName: d.reportedName, notes: [] };
    case 'named':
      return { hw: d.hw, reportedName: d.reportedName, notes: [d.note] };
    case 'flag': {
      const c = d.contradiction;
      if (c === undefined) return { hw: d.hw, reportedName: d.reportedName, notes: [] };
      if (!plan.opts.force) {
        plan.conflicts.push(`${where} names ${c}`);
        return { hw: d.hw, reportedName: d.reportedName, notes: [] };
      }
      plan.warnings.push(`${where}: names ${c}; recorded as ${d.hw.id} (--device ${plan.opts.device!} --force)`);
      return { hw: d.hw, reportedName: d.reportedName, notes: [`the device is ${d.hw.id} as given with --device ${plan.opts.device!} and --force, although the source names ${c}`] };
    }
  }
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
    // The dataset names its devices, units and runs itself.
    thesis: [
      ['--device', opts.device],
      ['--label', opts.label],
      ['--interval', opts.intervalS],
      ['--columns', opts.columns],
      ['--channel', opts.channel],
    ],
  };
  const flag = unused[opts.format]?.find(([, v]) => v !== undefined)?.[0];
  if (flag !== undefined) throw errors.usage(`${flag} does not apply to 'import ${opts.format}'`, flag);
}

function loadTrace(input: { readonly path: string; readonly bytes: Buffer }, opts: ImportOptions, hw: HardwareSpec | undefined): PowerTrace {
  const { path } = input;
  const interval = opts.intervalS !== undefined ? { intervalS: opts.intervalS } : {};
  switch (opts.format) {
    case 'nvidia-smi':
      return importNvidiaSmiCsv(input, { ...interval, ...(opts.timeZone !== undefined ? { timeZone: opts.timeZone } : {}) });
    case 'tegrastats':
      return importTegrastatsLog(input, interval);
    case 'generic':
      if (opts.columns === undefined) throw errors.usage('a generic CSV needs its columns declared, e.g. --columns t=time,p=power,unit=W', '--columns');
      return importGenericCsv(input, parseGenericCsvSpec(opts.columns));
    case 'thesis-csv': {
      if (hw === undefined) throw errors.usage(`${path}: the study's CSVs hold W for GPUs and mW for Jetsons, and this file's name gives no device the database knows: name it with --device`, '--device');
      return importThesisCsv(input, { unit: powerUnitOf(hw) });
    }
    case 'thesis':
    case 'mlperf':
    case 'codecarbon':
    case 'bundle':
      throw errors.internal(`loadTrace called for ${opts.format}`);
  }
}

/** A power log (nvidia-smi, tegrastats, generic CSV, one of the study's CSVs): one bundle. */
function planTraceFile(path: string, plan: Plan): void {
  const { identity, bytes } = fileIdentity(path);
  const claimed = claim(plan, path, identity);
  if (!claimed) return;
  const study = plan.opts.format === 'thesis-csv' ? parseThesisFileName(basename(path)) : undefined;
  const said =
    plan.opts.format === 'nvidia-smi'
      ? namedDevices(nvidiaSmiGpuNames(bytes.toString('utf8')), 'name column')
      : study
        ? [{ name: study.tag, from: "the study's file name", hardware: studyHardware(study.tag) }]
        : [];
  const device = chooseDevice(plan, said, path);
  const trace = loadTrace({ path, bytes }, plan.opts, device.hw);
  plan.items.push({
    kind: 'write',
    source: path,
    input: traceBundle(trace, path, plan.opts, { label: plan.opts.label ?? basename(path), identity, device, alsoStoredAs: claimed.alsoStoredAs }),
    ...claimed,
  });
}

/** The device of a trace bundle and what was said about it. */
interface TraceBundleExtras {
  readonly label: string;
  readonly identity: SourceIdentity;
  readonly device: { readonly hw: HardwareSpec | undefined; readonly reportedName: string | undefined; readonly notes: readonly string[] };
  readonly alsoStoredAs?: string | undefined;
  readonly workloadExtra?: Readonly<Record<string, unknown>>;
  readonly settings?: ImpactSettings;
}

function traceBundle(trace: PowerTrace, source: string, opts: ImportOptions, x: TraceBundleExtras): RunBundleInput {
  const hw = x.device.hw;
  const names = trace.channels.map((c) => c.name);
  const chosen = chooseChannels(names, opts.channel, source);
  // Several channels chosen (`--channel sum`): the run's primary is their sum, a channel of its own.
  const summed = chosen.length > 1 ? chosen : undefined;
  const primary = summed ? SUM_CHANNEL : chosen[0]!;
  const kinds = channelKinds(names);
  const pch = trace.channels.find((c) => c.name === chosen[0])!;
  const medianS = pch.tS.length > 1 ? samplingStats(pch.tS).medianIntervalS : null;
  // Imported traces keep their own time axis; t = 0 at the first sample.
  const t0 = Math.min(...trace.channels.map((c) => c.tS[0]!));
  const own = trace.channels.map((c) => ({ name: c.name, tS: c.tS.map((t) => t - t0), powerW: c.powerW }));
  const sum = summed ? summedChannel(own, summed, source) : undefined;
  const channels = sum ? [...own, sum] : own;
  const durationS = Math.max(...own.map((c) => c.tS[c.tS.length - 1]!));
  // The hardware named goes with the channels that measured it: the primary one, or each GPU of a sum.
  const onDevice = (k: { name: string; kind: string }) => (summed ? summed.includes(k.name) && k.kind === 'gpu' : k.name === primary);
  const channelInfo = [...kinds, ...(summed ? [{ name: SUM_CHANNEL, kind: sumKind(kinds, summed) }] : [])];
  const recording: Recording = {
    info: {
      name: trace.provenance.kind === 'measured' ? trace.provenance.sensor : trace.provenance.kind === 'replayed' ? 'replay' : 'estimate',
      provenance: trace.provenance,
      channels: channelInfo.map((k) => ({ ...k, ...(hw && onDevice(k) ? { device: hw.name } : {}) })),
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
  const s = summed ? withSummedEnergy(summarizeRecording(recording), summed) : summarizeRecording(recording);
  const startedAt = new Date(recording.originEpochMs).toISOString();
  const notes = [
    ...(trace.originEpochMs === undefined ? ["the source has no absolute time: startedAt is the file's modification time"] : []),
    ...x.device.notes,
    ...(x.alsoStoredAs !== undefined ? [`imported again with --force: the store already held this source as ${x.alsoStoredAs}`] : []),
  ];
  return {
    manifest: {
      label: x.label,
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
        notes: [
          `imported from ${source} (${trace.source.format}, power written in ${trace.source.unitInSource})`,
          ...(summed
            ? [
                `${SUM_CHANNEL} = ${summed.join(' + ')} (--channel sum): its energy is the sum of theirs, each integrated over its own samples; its samples add them up at their instants where all of them have samples`,
              ]
            : []),
        ],
      },
      workload: { ...(x.workloadExtra ?? {}), kind: 'import', format: trace.source.format, sourcePath: source, ...({ source: x.identity } as Readonly<Record<string, unknown>>) },
      device: deviceRecord(hw, x.device.reportedName),
      windows: recording.windows,
      gaps: gapRecords(s),
      energy: energySummary(s),
      impact: recordImpact(x.settings ?? { preset: 'default' }, hw, { energyJ: s.primaryEnergyJ, durationS: s.window.t1S - s.window.t0S }, sumImpactNotes(hw, kinds, summed)),
      ...(notes.length > 0 ? { notes } : {}),
    },
    trace: channels,
  };
}

/** The channel `--channel sum` adds: the chosen channels summed (see sumChannels); refused when it cannot be made. */
function summedChannel(channels: readonly PowerChannel[], chosen: readonly string[], source: string): PowerChannel {
  if (channels.some((c) => c.name === SUM_CHANNEL)) {
    throw errors.usage(`${source} already has a channel named '${SUM_CHANNEL}', the name of the sum --channel sum records: import one channel with --channel NAME`, '--channel');
  }
  const sum = sumChannels(channels.filter((c) => chosen.includes(c.name)));
  if (!sum) throw errors.usage(`cannot add up the channels of ${source} (${chosen.join(', ')}): they have no span of time in common; import one with --channel NAME`, '--channel');
  return sum;
}

/** What a sum of channels is: their kind when they share one (GPUs), else `other`. */
function sumKind(kinds: readonly { readonly name: string; readonly kind: ChannelKindName }[], chosen: readonly string[]): ChannelKindName {
  const of = new Set(kinds.filter((k) => chosen.includes(k.name)).map((k) => k.kind));
  return of.size === 1 ? [...of][0]! : 'other';
}

/**
 * The summary with the sum channel's energy made the sum of its channels' energies, each over
 * its own samples: what `analyze FILE --channel sum` reports (energy is additive), and exact
 * also where the channels were sampled at other instants (its trace covers only their common
 * span). The same for every window.
 */
function withSummedEnergy(s: RecordingSummary, chosen: readonly string[]): RecordingSummary {
  const total = (list: readonly { readonly name?: string; readonly channel?: string; readonly energyJ: number }[]) =>
    list.filter((c) => chosen.includes(c.name ?? c.channel ?? '')).reduce((a, c) => a + c.energyJ, 0);
  const energyJ = total(s.channels);
  const spanS = s.window.t1S - s.window.t0S;
  return {
    ...s,
    primaryEnergyJ: energyJ,
    channels: s.channels.map((c) => (c.name === SUM_CHANNEL ? { ...c, energyJ, meanW: spanS > 0 ? energyJ / spanS : c.meanW } : c)),
    windows: s.windows.map((w) => {
      const e = total(w.perChannel);
      return { ...w, primaryEnergyJ: e, perChannel: w.perChannel.map((p) => (p.channel === SUM_CHANNEL ? { ...p, energyJ: e } : p)) };
    }),
  };
}

/** What the recorded impact of a sum of GPUs leaves out: the embodied part is one device's. */
function sumImpactNotes(hw: HardwareSpec | undefined, kinds: readonly { readonly name: string; readonly kind: ChannelKindName }[], summed: readonly string[] | undefined): string[] {
  const gpus = summed ? kinds.filter((k) => summed.includes(k.name) && k.kind === 'gpu').length : 0;
  if (!hw || gpus < 2) return [];
  return [summedGpusEmbodiedNote(gpus, hw.id, '--channel sum')];
}

/**
 * The study's dataset — its root, or one `data_<tag>_<version>` folder as `analyze` takes it:
 * one bundle per run — per FULL trace (the whole benchmark process), so 50 per device (5
 * query counts × 10 repetitions) and 550 for the study's 11 devices. Each bundle also carries
 * what the study measured about that run's device and query count:
 *
 * - `workload.computeRun`: the CI trace of the same query count and repetition (a separate
 *   run that measured the compute phase alone), its energy by the trapezoid rule;
 * - `workload.mlperf`: latency over the device's MLPerf logs of that query count, computed as
 *   the study did (mean of `Max latency` etc. over every summary with that `min_query_count`).
 *   The study's data do not link a log to a trace, so these are per device × query count,
 *   the same on each of its runs, and say so (`linkedToRun: false`).
 *
 * A run's identity is its FULL file's content.
 */
function planThesisDataset(root: string, plan: Plan): void {
  const ds = scanThesisPath(root);
  plan.skipped.push(...ds.skipped.map((x) => ({ path: x.path, reason: x.reason, ...(x.detail !== undefined ? { detail: x.detail } : {}) })));
  for (const d of ds.devices) {
    if (d.logDir === undefined) plan.skipped.push({ path: d.dataDir, reason: 'no MLPerf logs found', detail: `no Logs/<tag>_${d.version}_logs beside the data: its runs are imported without latency` });
    const logs = d.logDir !== undefined ? logDirLatency(d.logDir) : undefined;
    const latency = logs?.byQueryCount ?? new Map<number, LatencyStats>();
    const ciFiles = new Map(d.files.filter((x) => x.phase === 'ci').map((x) => [`${x.qc}-${x.run}`, x]));
    for (const f of d.files.filter((x) => x.phase === 'full')) {
      const { identity, bytes } = fileIdentity(f.path);
      const claimed = claim(plan, f.path, identity);
      if (!claimed) continue;
      const trace = importThesisCsv({ path: f.path, bytes }, { unit: d.unit });
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
      const notes = d.hardware.id !== resolveHardware(d.tag)?.id ? [`the study's tag ${JSON.stringify(d.tag)} names its hardware-table row; the card it measured is ${d.hardware.id} (see src/io/thesis-dataset.ts)`] : [];
      plan.items.push({
        kind: 'write',
        source: f.path,
        // The study's runs keep the study's parameters (grid, PUE, lifetime, embodied constants).
        input: traceBundle(trace, f.path, plan.opts, {
          label: `${d.tag} ${d.version} QC${f.qc} run${f.run}`,
          identity,
          device: { hw: d.hardware, reportedName: d.tag, notes },
          alsoStoredAs: claimed.alsoStoredAs,
          workloadExtra: extra,
          settings: { preset: 'thesis-2025' },
        }),
        ...claimed,
      });
    }
  }
}

/** A bundle from elsewhere, copied whole (id kept). Already there (same id, or a run of the same source) → not copied. */
async function planBundle(path: string, plan: Plan): Promise<void> {
  const b = await readAnyRunBundle(path); // validates manifest and Parquet before anything is copied
  const id = b.manifest.id;
  const dest = join(plan.opts.runsDir, id);
  if (existsSync(dest)) {
    plan.items.push({ kind: 'present', run: { source: path, id, path: dest, added: false, present: { storedSource: dest, sameContent: false } } });
    return;
  }
  const identity = recordedIdentity(b.manifest);
  if (identity) {
    // An import made on another machine of a source this store holds: the same measurement.
    const claimed = claim(plan, path, identity);
    if (!claimed) return;
  }
  plan.items.push({ kind: 'copy', source: path, id });
}

// ── writing: all of the plan, or none of it ──────────────────────────────────────────

async function writePlan(plan: Plan): Promise<ImportedRun[]> {
  const { runsDir } = plan.opts;
  const write = plan.opts.writeBundle ?? ((dir: string, input: RunBundleInput) => writeRunBundle(dir, input));
  const done: ImportedRun[] = [];
  const written: string[] = [];
  const toWrite = plan.items.filter((p) => p.kind === 'write' || p.kind === 'copy').length;
  for (const item of plan.items) {
    try {
      switch (item.kind) {
        case 'write': {
          const w = await write(runsDir, item.input);
          written.push(w.id);
          done.push({ source: item.source, ...w, added: true, ...(item.alsoStoredAs !== undefined ? { alsoStoredAs: item.alsoStoredAs } : {}) });
          break;
        }
        case 'copy': {
          const w = copyBundle(item.source, item.id, runsDir);
          written.push(w.id);
          done.push({ source: item.source, ...w, added: true });
          break;
        }
        case 'present':
          done.push(item.run);
          break;
        case 'repeat': {
          const first = done[item.of]!;
          done.push({ source: item.source, id: first.id, path: first.path, added: false, present: { storedSource: first.source, sameContent: first.source !== item.source, inThisImport: true } });
          break;
        }
      }
    } catch (e) {
      throw await undo(runsDir, written, toWrite, isInferprintError(e) ? e : errors.io(runsDir, e));
    }
  }
  return done;
}

/** After a failed write: remove what this import wrote, and say what the store holds now. */
async function undo(runsDir: string, written: readonly string[], planned: number, cause: InferprintError): Promise<InferprintError> {
  const at = `import stopped after ${written.length} of ${planned} bundle(s)`;
  if (written.length === 0) return errors.withOutcome(cause, `${at}: nothing imported`);
  try {
    await removeRuns(runsDir, written);
    return errors.withOutcome(cause, `${at}: the ${written.length} written were removed, nothing imported`);
  } catch (e) {
    const why = isInferprintError(e) ? e.message : String(e);
    return errors.withOutcome(cause, `${at}: these bundles were written and could not be removed (${why}): ${written.join(', ')}`);
  }
}

/** Copy a bundle into the store whole (id kept), atomically. */
function copyBundle(path: string, id: string, runsDir: string): WrittenBundle {
  const dest = join(runsDir, id);
  mkdirSync(runsDir, { recursive: true });
  const tmp = join(runsDir, tempDirName(id));
  rmSync(tmp, { recursive: true, force: true });
  try {
    cpSync(path, tmp, { recursive: true });
    renameSync(tmp, dest);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw errors.io(dest, e);
  }
  return { id, path: dest };
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
function planCodeCarbon(path: string, plan: Plan): void {
  const { opts } = plan;
  const zone = opts.timeZone ?? 'UTC';
  const { identity, bytes } = fileIdentity(path);
  const records = importCodeCarbonCsv({ path, bytes }, { timeZone: zone });
  const lines = splitLines(bytes.toString('utf8'));
  const fileMtimeMs = statSync(path).mtimeMs;
  const primary = opts.channel ?? CODECARBON_TOTAL_CHANNEL;
  // --device against the GPUs the file names, once per file.
  const gpus = records.flatMap((r) => {
    const g = r.gpuModel !== undefined ? parseCodeCarbonGpuModel(r.gpuModel) : undefined;
    return g ? [g.name] : [];
  });
  const flagged = plan.flagDevice ? chooseDevice(plan, namedDevices(gpus, 'gpu_model'), path) : undefined;
  for (const r of records) {
    const line = r.source.line ?? 0;
    const source = `${path}:${line}`;
    const rowId = rowIdentity(identity, line, lines[line - 1] ?? '', r.runId);
    const claimed = claim(plan, source, rowId);
    if (!claimed) continue;
    const mean = codecarbonMeanPower(r);
    const names = mean.channels.map((c) => c.name);
    if (!names.includes(primary)) throw errors.usage(`${path} line ${r.source.line} has no channel '${primary}' (channels: ${names.join(', ')})`, '--channel');
    const input = codecarbonBundle(r, mean, { path, primary, flagged, zone, fileMtimeMs, identity: rowId, alsoStoredAs: claimed.alsoStoredAs }, opts);
    plan.items.push({ kind: 'write', source, input, ...claimed });
  }
}

/** What every run of one CodeCarbon file shares. */
interface CodeCarbonFile {
  readonly path: string;
  /** The channel results are about. */
  readonly primary: string;
  /** The device given with --device, as checked against the file's GPUs. */
  readonly flagged: ReturnType<typeof chooseDevice> | undefined;
  /** Zone the file's local timestamps are read in. */
  readonly zone: string;
  readonly fileMtimeMs: number;
  /** This run's identity (the file's, its line, its run_id or row). */
  readonly identity: SourceIdentity;
  readonly alsoStoredAs: string | undefined;
}

function codecarbonBundle(r: CodeCarbonRecord, mean: CodeCarbonMeanPower, file: CodeCarbonFile, opts: ImportOptions): RunBundleInput {
  const { path, primary, flagged, zone, fileMtimeMs } = file;
  const d = mean.durationS;
  const gpu = r.gpuModel !== undefined ? parseCodeCarbonGpuModel(r.gpuModel) : undefined;
  const notes: string[] = [...(flagged?.notes ?? [])];
  let hw: HardwareSpec | undefined = flagged?.hw;
  if (!hw && gpu?.count === 1) {
    hw = resolveHardware(gpu.name);
    if (hw) notes.push(`hardware ${hw.id} from CodeCarbon's gpu_model ${JSON.stringify(r.gpuModel)}`);
  }
  if (file.alsoStoredAs !== undefined) notes.push(`imported again with --force: the store already held this run as ${file.alsoStoredAs}`);

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
  return {
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
      workload: { kind: 'import', format: CODECARBON_FORMAT, sourcePath: path, ...({ line: r.source.line, codecarbon, source: file.identity } as Readonly<Record<string, unknown>>) },
      device: deviceRecord(hw, gpu?.name ?? r.cpuModel),
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
  };
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
function planMlperfLogTree(root: string, plan: Plan): void {
  if (!statSync(root).isDirectory()) throw errors.unknownFormat(root, 'expected a folder holding MLPerf logs (mlperf_log_summary.txt)');
  const tree = scanMlperfLogTree(root);
  plan.skipped.push(...tree.skipped.map((x) => ({ path: x.path, reason: x.reason, detail: x.detail })));
  if (tree.runs.length === 0) {
    // Said here, with the reasons: the error ends the import before the skipped list is printed.
    const why = tree.skipped.slice(0, 3).map((x) => `${x.path}: ${x.reason} (${x.detail})`);
    const more = tree.skipped.length > 3 ? `; and ${tree.skipped.length - 3} more` : '';
    throw errors.noData(`no readable mlperf_log_summary.txt under ${root}${tree.skipped.length > 0 ? ` (${tree.skipped.length} skipped — ${why.join('; ')}${more})` : ''}`, { file: root });
  }
  const zone = plan.opts.timeZone ?? 'UTC';
  // --device is checked once per log set (e.g. T4_v1.1_logs), against what its runs name.
  const flagged = new Map<string, ReturnType<typeof chooseDevice>>();
  if (plan.flagDevice) {
    const sets = new Map<string, NamedDevice[]>();
    for (const run of tree.runs) {
      const named = mlperfRunDevice(run);
      const key = logSetName(run, root);
      const list = sets.get(key) ?? [];
      if (named && !list.some((n) => n.name === named.name)) list.push(named);
      sets.set(key, list);
    }
    for (const [key, said] of sets) flagged.set(key, chooseDevice(plan, said, key));
  }
  for (const run of tree.runs) {
    const hashed = [basename(run.summaryPath), ...(existsSync(join(run.dir, 'mlperf_log_detail.txt')) ? ['mlperf_log_detail.txt'] : [])];
    const identity = folderIdentity(run.dir, hashed);
    const claimed = claim(plan, run.dir, identity);
    if (!claimed) continue;
    let detail: MlperfDetail | undefined;
    let detailProblem: string | undefined;
    try {
      detail = loadRunDetail(run);
    } catch (e) {
      if (!isInferprintError(e) || e.code === 'IO') throw e;
      detailProblem = e.message;
      plan.skipped.push({ path: run.detailPath ?? run.dir, reason: 'invalid-detail', detail: `${e.message} (the run is imported without its times)` });
    }
    const named = mlperfRunDevice(run);
    const device = flagged.get(logSetName(run, root)) ?? { hw: named?.hardware, reportedName: named?.name, notes: [] };
    const input = mlperfBundle(run, detail, { detailProblem, device, named, zone, identity, alsoStoredAs: claimed.alsoStoredAs }, plan.opts);
    plan.items.push({ kind: 'write', source: run.dir, input, ...claimed });
  }
}

/** How messages name a run's log set: its folder (`T4_v1.1_logs`), else the tree given. */
function logSetName(run: MlperfRunDir, root: string): string {
  return run.logSet ? join(root, run.relDir.split('/').slice(0, run.relDir.split('/').indexOf(run.logSet.folder) + 1).join('/')) : root;
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

/** What one MLPerf run's bundle needs besides its logs. */
interface MlperfRunExtras {
  readonly detailProblem: string | undefined;
  /** The device: --device (checked against the log set), else what the logs name. */
  readonly device: ReturnType<typeof chooseDevice>;
  /** What the logs name (as `analyze` reads it: the detected GPU, the system folder, the log set's tag). */
  readonly named: NamedDevice | undefined;
  readonly zone: string;
  readonly identity: SourceIdentity;
  readonly alsoStoredAs: string | undefined;
}

function mlperfBundle(run: MlperfRunDir, detail: MlperfDetail | undefined, x: MlperfRunExtras, opts: ImportOptions): RunBundleInput {
  const s = run.summary;
  const qc = s.params.minQueryCount;
  const { named } = x;
  const hw = x.device.hw;
  const times = mlperfTimes(run, detail, x.zone);
  const notes = [...times.notes, ...x.device.notes];
  if (x.detailProblem !== undefined) notes.push(`mlperf_log_detail.txt could not be read: ${x.detailProblem}`);
  if (!hw && named !== undefined) notes.push(`the hardware database has no ${JSON.stringify(named.name)} (${named.from}): give --device to name it`);
  if (x.alsoStoredAs !== undefined) notes.push(`imported again with --force: the store already held this run as ${x.alsoStoredAs}`);
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
  return {
    manifest: {
      label,
      startedAt: new Date(times.startMs).toISOString(),
      endedAt: new Date(times.endMs).toISOString(),
      status: { kind: 'completed' },
      host,
      tool: { name: TOOL_NAME, version: TOOL_VERSION },
      workload: { kind: 'import', format: 'mlperf', sourcePath: run.dir, ...mlperfWorkload, ...({ source: x.identity } as Readonly<Record<string, unknown>>) },
      device: deviceRecord(hw, x.device.reportedName ?? named?.name),
      windows,
      gaps: [],
      notes: ['imported MLPerf logs: no power was measured (no sensor, no trace, no energy)', ...notes],
    },
    files,
  };
}
