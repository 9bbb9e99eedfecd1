import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errors, isInferprintError, type InferprintError } from '../errors.js';
import { errnoCode } from '../io/fs-errors.js';
import { writeRunBundle, type BundleFileInput, type ManifestDraft, type RunBundleInput, type WrittenBundle } from '../runs/io/bundle.js';
import type { ChannelRecord, EnergySummary, GapRecord, Workload } from '../runs/manifest.js';
import type { RecordingSummary } from '../measure/summary.js';
import type { MeasureResult } from './measure.js';

/**
 * Save a measurement as a run bundle (DESIGN.md §4.2): manifest with status, host, sensor,
 * workload, windows, gaps, energy and impact summaries and every parameter used; the trace
 * and counters as Parquet. The bundle is written whatever the outcome — an interrupted or
 * failed run is saved and marked as such.
 */
export async function saveMeasureRun(r: MeasureResult, runsDir: string, workload: CommandWorkload): Promise<WrittenBundle> {
  return writeRunBundle(runsDir, commandBundle(r, workload));
}

/** The wrapped command, as `saveMeasureRun` records it. */
export interface CommandWorkload {
  readonly command: readonly string[];
  readonly cwd: string;
  readonly label?: string | undefined;
}

function commandBundle(r: MeasureResult, workload: CommandWorkload): RunBundleInput {
  // The command's own result: `status` says whether the measurement completed, this says what the command did.
  const commandWorkload: Workload = {
    kind: 'command',
    argv: workload.command,
    cwd: workload.cwd,
    ...(r.commandExit.code !== null ? { exitCode: r.commandExit.code } : {}),
    ...(r.commandExit.signal !== null ? { signal: r.commandExit.signal } : {}),
  };
  return measurementBundle(r, commandWorkload, workload.label ?? workload.command.join(' ').slice(0, 60));
}

// ── Saving without losing the measurement ─────────────────────────────────────────────

/** The name of the file `checkRunsDirWritable` writes and removes: hidden, so listings skip a leftover. */
const PROBE_PREFIX = '.write-check-';

/** Plain words for the errno codes that stop a write, for a message a user acts on. */
const ERRNO_WORDS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'a file, not a directory, is in the way',
};

function causeWords(e: unknown): string {
  const code = errnoCode(e);
  const words = code !== undefined ? ERRNO_WORDS[code] : undefined;
  if (words !== undefined && code !== undefined) return `${words}, ${code}`;
  return e instanceof Error ? e.message : String(e);
}

/**
 * Make sure a bundle can be written in `runsDir` before a measurement starts: create it when
 * missing, then write a small hidden file there and remove it. An IO error naming the directory
 * otherwise. (A permission bit says nothing for root, and a full disk shows only on writing:
 * writing is the test that answers for every user.)
 */
export async function checkRunsDirWritable(runsDir: string): Promise<void> {
  const probe = join(runsDir, `${PROBE_PREFIX}${process.pid}-${randomBytes(3).toString('hex')}`);
  try {
    await mkdir(runsDir, { recursive: true });
    // A few KiB, not an empty file: an empty file needs no data block, so it fits on a full disk.
    await writeFile(probe, Buffer.alloc(4096), { flag: 'wx' });
  } catch (e) {
    await rm(probe, { force: true }).catch(() => undefined);
    throw errors.io(runsDir, new Error(`runs directory not writable (${causeWords(e)}): nothing was run; choose another with --runs-dir or $INFERPRINT_RUNS_DIR`, { cause: e }));
  }
  await rm(probe, { force: true }).catch(() => undefined);
}

/** Where a bundle goes when the runs directory refuses it, in order: the system's temporary directory, then the current one. */
export function fallbackDirs(cwd: string): string[] {
  return [join(tmpdir(), 'inferprint-unsaved'), join(cwd, 'inferprint-unsaved')];
}

/** Where a measurement ended up. */
export type SaveOutcome =
  | { readonly kind: 'saved'; readonly bundle: WrittenBundle }
  /** The runs directory refused it (`error`); it is whole in `bundle.path`, to `inferprint import bundle` later. */
  | { readonly kind: 'fallback'; readonly bundle: WrittenBundle; readonly error: InferprintError }
  /** Nowhere would take it: the printed summary is all that is left. */
  | { readonly kind: 'unsaved'; readonly error: InferprintError; readonly fallbackErrors: readonly { readonly dir: string; readonly error: InferprintError }[] };

export interface SaveOptions {
  /** Tried in order when the runs directory refuses the bundle (default: `fallbackDirs(cwd)`). */
  readonly fallbackDirs?: readonly string[];
  /** The bundle writer; tests inject one that fails. */
  readonly write?: (dir: string, input: RunBundleInput) => Promise<WrittenBundle>;
}

function coded(e: unknown, dir: string): InferprintError {
  return isInferprintError(e) ? e : errors.io(dir, e);
}

/**
 * Save a measurement, and never lose it to a disk that filled up or went read-only while the
 * workload ran: when the runs directory refuses the bundle, the same bundle (written just as
 * atomically) goes to the first fallback directory that takes it.
 */
export async function saveMeasureRunOrFallback(r: MeasureResult, runsDir: string, workload: CommandWorkload, opts: SaveOptions = {}): Promise<SaveOutcome> {
  return saveBundleOrFallback(commandBundle(r, workload), runsDir, workload.cwd, opts);
}

/** Any bundle, saved as `saveMeasureRunOrFallback` saves a measurement (fallbacks from `cwd`). */
export async function saveBundleOrFallback(input: RunBundleInput, runsDir: string, cwd: string, opts: SaveOptions = {}): Promise<SaveOutcome> {
  const write = opts.write ?? writeRunBundle;
  let error: InferprintError;
  try {
    return { kind: 'saved', bundle: await write(runsDir, input) };
  } catch (e) {
    error = coded(e, runsDir);
  }
  const fallbackErrors: { dir: string; error: InferprintError }[] = [];
  for (const dir of opts.fallbackDirs ?? fallbackDirs(cwd)) {
    try {
      return { kind: 'fallback', bundle: await write(dir, input), error };
    } catch (e) {
      fallbackErrors.push({ dir, error: coded(e, dir) });
    }
  }
  return { kind: 'unsaved', error, fallbackErrors };
}

/**
 * A measurement as bundle input (manifest, trace, counters), for any workload: shared by
 * `measure` (a command) and `bench` (a LoadGen run, which adds its logs as `files`).
 */
export function measurementBundle(
  r: Pick<MeasureResult, 'recording' | 'summary' | 'sensorWhy' | 'startedAt' | 'endedAt' | 'status' | 'host' | 'tool' | 'hardware' | 'impact' | 'operationalOnlyG' | 'parameters' | 'impactSettings' | 'notes'>,
  workload: Workload,
  label: string,
  files: readonly BundleFileInput[] = [],
): RunBundleInput {
  const info = r.recording.info;
  const s = r.summary;
  const declared = new Map(info.channels.map((c) => [c.name, c]));
  const channels: ChannelRecord[] = r.recording.channels.map((ch) => {
    const c = declared.get(ch.name);
    return { name: ch.name, kind: c?.kind ?? 'other', unit: 'W', ...(c?.device !== undefined ? { device: c.device } : {}) };
  });
  // A sensor that died before its first sample leaves no channel: keep the declared ones.
  for (const c of info.channels) if (!channels.some((x) => x.name === c.name)) channels.push({ name: c.name, kind: c.kind, unit: 'W', ...(c.device !== undefined ? { device: c.device } : {}) });
  const manifest: ManifestDraft = {
      label,
      startedAt: r.startedAt,
      endedAt: r.endedAt,
      status: r.status,
      host: {
        os: r.host.os,
        kernel: r.host.kernel,
        cpuModel: r.host.cpuModel,
        cpuCores: r.host.cores,
        memoryBytes: r.host.memoryBytes,
        ...(r.host.gpus ? { gpus: r.host.gpus } : {}),
        ...(r.host.driverVersion !== undefined ? { driverVersion: r.host.driverVersion } : {}),
        hostname: r.host.hostname,
        ...(r.host.scheduler ? { scheduler: r.host.scheduler } : {}),
      },
      tool: r.tool,
      sensor: {
        name: info.name,
        provenance: info.provenance,
        requestedIntervalS: info.requestedIntervalS,
        measuredIntervalS: s.measuredIntervalS,
        channels,
        primaryChannel: info.primaryChannel,
        ...(info.updatePeriodS !== undefined ? { updatePeriodS: info.updatePeriodS } : {}),
        notes: [...info.notes, `chosen: ${r.sensorWhy}`],
      },
      workload,
      device: {
        ...(r.hardware ? { hardwareId: r.hardware.id } : {}),
        ...(channels.find((c) => c.name === info.primaryChannel)?.device !== undefined ? { name: channels.find((c) => c.name === info.primaryChannel)!.device! } : {}),
      },
      windows: r.recording.windows,
      gaps: gapRecords(s),
      energy: energySummary(s),
      impact: {
        settings: r.impactSettings,
        ...(r.impact ? { result: r.impact } : {}),
        ...(r.operationalOnlyG !== undefined ? { operationalOnlyG: r.operationalOnlyG } : {}),
        parameters: r.parameters,
        warnings: s.warnings,
        notes: r.notes,
      },
  };
  return {
    manifest,
    trace: r.recording.channels.filter((c) => c.tS.length > 0),
    counters: r.recording.counters.filter((c) => c.tS.length > 0).map((c) => ({ name: c.channel, tS: c.tS, energyJ: c.energyJ })),
    ...(files.length > 0 ? { files } : {}),
  };
}

/** The manifest's gaps, from a recording summary. */
export function gapRecords(s: RecordingSummary): GapRecord[] {
  return s.gaps.map((g) => ({ channel: g.channel, startS: g.startS, endS: g.endS }));
}

/** The manifest's energy block, from a recording summary: every producer of bundles writes it the same way. */
export function energySummary(s: RecordingSummary): EnergySummary {
  return {
    method: 'trapezoid',
    perChannel: s.channels.map((c) => ({ channel: c.name, energyJ: c.energyJ, meanW: c.meanW, maxW: c.maxW, minW: c.minW, samples: c.samples })),
    counters: s.counters.map((c) => ({ channel: c.channel, energyJ: c.counterJ, differenceFromSamplesJ: c.differenceJ })),
    primary: { channel: s.primaryChannel, energyJ: s.primaryEnergyJ, durationS: s.window.t1S - s.window.t0S },
    perWindow: s.windows.flatMap((w) => w.perChannel.map((p) => ({ window: w.name, channel: p.channel, energyJ: p.energyJ, durationS: w.t1S - w.t0S }))),
  };
}
