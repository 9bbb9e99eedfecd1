import { cpSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { errors } from '../errors.js';
import { requireHardware, powerUnitOf } from '../impact/hardware.js';
import type { Recording } from '../measure/recorder.js';
import { summarizeRecording } from '../measure/summary.js';
import { energySummary, gapRecords } from './measure-bundle.js';
import { readRunBundle, writeRunBundle, type WrittenBundle } from '../runs/bundle.js';
import { scanThesisDataset } from '../io/thesis-dataset.js';
import { channelKinds, chooseChannels } from '../traces/channels.js';
import { samplingStats, trapezoidJ } from '../traces/energy.js';
import { latencyByQueryCount } from '../analysis/latency.js';
import type { LatencyStats } from '../analysis/types.js';
import { scanMlperfLogTree } from '../mlperf/log-tree.js';
import { latencyObservation } from './inputs.js';
import { importGenericCsv, importNvidiaSmiCsv, importTegrastatsLog, importThesisCsv } from '../traces/import-files.js';
import { parseGenericCsvSpec } from '../traces/parse-generic-csv.js';
import type { PowerTrace } from '../traces/types.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

/**
 * `inferprint import FORMAT PATH...`: bring measurements made elsewhere into the runs store
 * as run bundles, so old measurements sit next to new ones — power logs recorded by other
 * means (nvidia-smi, tegrastats, a generic CSV), the study's dataset (one bundle per run
 * file), and run bundles copied from another machine (kept whole, id unchanged).
 */

export const IMPORT_FORMATS = ['nvidia-smi', 'tegrastats', 'generic', 'thesis-csv', 'thesis', 'bundle'] as const;
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
}

export interface ImportedRun {
  readonly source: string;
  readonly id: string;
  readonly path: string;
  /** False when the bundle was already in the store (bundle imports are idempotent). */
  readonly added: boolean;
}

export async function importRuns(opts: ImportOptions): Promise<ImportedRun[]> {
  if (opts.paths.length === 0) throw errors.usage('give at least one PATH to import', 'PATH');
  const out: ImportedRun[] = [];
  for (const raw of opts.paths) {
    const path = resolve(raw);
    if (!existsSync(path)) throw errors.notFound(raw);
    switch (opts.format) {
      case 'bundle':
        out.push(await importBundle(path, opts.runsDir));
        break;
      case 'thesis':
        out.push(...(await importThesisDataset(path, opts)));
        break;
      default: {
        const trace = loadTrace(path, opts);
        const w = await saveTrace(trace, path, opts, opts.label ?? basename(path));
        out.push({ source: path, ...w, added: true });
      }
    }
  }
  return out;
}

function loadTrace(path: string, opts: ImportOptions): PowerTrace {
  const interval = opts.intervalS !== undefined ? { intervalS: opts.intervalS } : {};
  switch (opts.format) {
    case 'nvidia-smi':
      return importNvidiaSmiCsv(path, interval);
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
    case 'bundle':
      throw errors.internal(`loadTrace called for ${opts.format}`);
  }
}

async function saveTrace(trace: PowerTrace, source: string, opts: ImportOptions, label: string, workloadExtra: Readonly<Record<string, unknown>> = {}): Promise<WrittenBundle> {
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
      name: trace.provenance.kind === 'measured' ? trace.provenance.sensor : 'estimate',
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
async function importThesisDataset(root: string, opts: ImportOptions): Promise<ImportedRun[]> {
  const ds = scanThesisDataset(root);
  const out: ImportedRun[] = [];
  for (const d of ds.devices) {
    const latency = d.logDir !== undefined ? latencyByQueryCount(scanMlperfLogTree(d.logDir).runs.map((r) => latencyObservation(r.summary))) : new Map<number, LatencyStats>();
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
      const w = await saveTrace(trace, f.path, { ...opts, device: d.hardware.id }, label, extra);
      out.push({ source: f.path, ...w, added: true });
    }
  }
  return out;
}

/** Copy a bundle into the store whole (id kept), atomically; already there → not added. */
async function importBundle(path: string, runsDir: string): Promise<ImportedRun> {
  const b = await readRunBundle(path); // validates manifest and Parquet before anything is copied
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

