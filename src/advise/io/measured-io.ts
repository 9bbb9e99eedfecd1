/**
 * Measured device profiles, read through the project's existing readers: the study's dataset
 * layout through `discoverInputs` (power traces) and its MLPerf log folders through
 * `scanMlperfLogTree` (per-run latencies), run bundles through the runs store (`openStore`).
 * I/O adapter: the arithmetic is in `measured.ts`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { discoverInputs } from '../../app/inputs.js';
import { errors, isInferprintError } from '../../errors.js';
import { resolveHardware } from '../../impact/hardware.js';
import { isThesisDataDir, isThesisRoot, scanThesisDataDir, scanThesisDataset } from '../../io/thesis-dataset.js';
import { readMlperfSummary, scanMlperfLogTree } from '../../mlperf/io/log-tree.js';
import { describeProvenance } from '../../traces/provenance.js';
import { readBundleTrace } from '../../runs/io/bundle.js';
import { hasPower, type RunManifest } from '../../runs/manifest.js';
import { openStore } from '../../store/index.js';
import { idleWindowsPowerW, initialPlateau, statOf, type MeasuredProfile, type MeasuredStat, type ServerPoint } from '../measured.js';

export interface ProfileSource {
  /** Absolute path. */
  readonly path: string;
  /** As the user wrote it (shown in the output, so outputs do not carry one machine's paths). */
  readonly shown: string;
  readonly origin: MeasuredProfile['origin'];
  /** The key that named it, for messages (`profiles_from[0]`, `study.source`). */
  readonly key?: string;
  /** The workload file that named it. */
  readonly file?: string;
}

/** Profiles of the hardware ids asked for, from every source, in source order. */
export async function readMeasuredProfiles(sources: readonly ProfileSource[], hardwareIds: ReadonlySet<string>): Promise<MeasuredProfile[]> {
  const out: MeasuredProfile[] = [];
  for (const s of sources) {
    if (s.origin !== 'runs store' && !existsSync(s.path)) throw errors.notFound(s.path, `${s.key ?? 'folder'}${s.file !== undefined ? ` named in ${s.file}` : ''}`);
    out.push(...(isThesisRoot(s.path) || isThesisDataDir(s.path) ? thesisProfiles(s, hardwareIds) : await bundleProfiles(s, hardwareIds)));
  }
  return out;
}

/**
 * The study's layout: idle from the level each FULL trace starts at, busy from the CI runs of
 * the largest query count (up to the FULL traces' peak), service time from every SingleStream
 * summary of the device's log folder (mean latency, weighted by query count).
 */
function thesisProfiles(s: ProfileSource, hardwareIds: ReadonlySet<string>): MeasuredProfile[] {
  const ds = isThesisRoot(s.path) ? scanThesisDataset(s.path) : scanThesisDataDir(s.path);
  const out: MeasuredProfile[] = [];
  for (const id of hardwareIds) {
    const devices = ds.devices.filter((d) => d.hardware.id === id);
    if (devices.length === 0) continue;
    // Only this device's folders: the others' traces and logs are not read at all.
    const found = discoverInputs(devices.map((d) => d.dataDir), {});
    const groups = found.groups.filter((g) => g.hardware?.id === id && g.runs && g.runs.length > 0);
    const logDirs = devices.filter((d) => d.logDir !== undefined).map((d) => d.logDir!);
    if (groups.length === 0 && logDirs.length === 0) continue;
    // Idle: every FULL run's starting level.
    const idle: number[] = [];
    for (const g of groups) {
      for (const r of g.runs!) {
        const t = r.load();
        const p = initialPlateau(t.tS, t.powerW);
        if (p) idle.push(p.powerW);
      }
    }
    // Busy: the compute-phase runs of the largest query count, where the compute share is highest.
    const top = [...groups].filter((g) => g.computeRuns && g.computeRuns.length > 0).sort((a, b) => (b.queryCount ?? 0) - (a.queryCount ?? 0))[0];
    let busy: MeasuredStat | undefined;
    if (top) {
      const ci = top.computeRuns!.map((r) => r.integrate()).filter((e) => e.durationS > 0).map((e) => e.energyJ / e.durationS);
      const peaks = top.runs!.map((r) => {
        const t = r.load();
        let m = -Infinity;
        for (let i = 0; i < t.powerW.length; i++) m = Math.max(m, t.powerW[i]!);
        return m;
      });
      const st = statOf(ci, `mean power of the compute-phase (CI) runs at QC ${top.queryCount}; up to the mean peak of its FULL runs`);
      const peak = peaks.reduce((a, b) => a + b, 0) / peaks.length;
      if (st) busy = { ...st, max: Math.max(st.max, peak) };
    }
    // Service time: SingleStream mean latency of every run, weighted by its query count.
    const lat: number[] = [];
    const weights: number[] = [];
    for (const dir of logDirs) {
      for (const r of scanMlperfLogTree(dir).runs) {
        if (r.summary.scenario !== 'SingleStream' || r.summary.mode !== 'PerformanceOnly') continue;
        lat.push(r.summary.stats.meanLatencyNs / 1e6);
        weights.push(Math.max(1, r.summary.params.minQueryCount));
      }
    }
    const traces = groups.reduce((n, g) => n + g.runs!.length, 0);
    const unsteady = traces - idle.length;
    const idleStat = statOf(idle, `level each FULL trace starts at, before the harness loads the model${unsteady > 0 ? `; ${unsteady} of ${traces} traces start with no steady level and are left out` : ''}`);
    const service = statOf(lat, 'SingleStream mean latency per run, the mean weighted by query count', weights);
    out.push({ hardwareId: id, path: s.shown, origin: s.origin, ...(idleStat ? { idleW: idleStat } : {}), ...(busy ? { busyW: busy } : {}), ...(service ? { serviceMs: service } : {}), server: [] });
  }
  return out;
}

/** The idle power of one run from its trace's primary channel (see `idleWindowsPowerW`); undefined when its trace cannot be read. */
async function idleOfRun(path: string, m: Parameters<typeof readBundleTrace>[1], windows: readonly { readonly t0S: number; readonly t1S: number }[]): Promise<number | undefined> {
  let channels;
  try {
    channels = (await readBundleTrace(path, m, false)).trace.channels;
  } catch (e) {
    // A bundle whose trace is unreadable gives no idle power; the other commands name it.
    if (isInferprintError(e)) return undefined;
    throw e;
  }
  const c = channels.find((x) => x.name === m.sensor.primaryChannel) ?? channels[0];
  return c ? idleWindowsPowerW(c.tS, c.powerW, windows) : undefined;
}

/** Mean power of a named window on the run's primary channel, W. */
function windowMeanW(m: RunManifest, name: string): number | undefined {
  const e = m.energy;
  if (!e) return undefined;
  const w = e.perWindow?.find((x) => x.window === name && x.channel === e.primary.channel);
  return w && w.durationS > 0 ? w.energyJ / w.durationS : undefined;
}

/**
 * Run bundles (a runs folder, the runs store): idle from `idle-before`/`idle-after` windows
 * (`measure --idle`), busy from SingleStream `compute` windows, service time from SingleStream
 * summaries, capacity and the load–power line from Server runs. Power only from runs whose
 * power was measured (not estimated or replayed), completed runs only.
 */
async function bundleProfiles(s: ProfileSource, hardwareIds: ReadonlySet<string>): Promise<MeasuredProfile[]> {
  const { runs } = await openStore(s.path).list();
  // Completed runs by the hardware they resolve to (each resolved once), in the store's order.
  const byHardware = new Map<string, (typeof runs)[number][]>();
  for (const r of runs) {
    if (r.manifest.status.kind !== 'completed' || r.manifest.device.hardwareId === undefined) continue;
    const id = resolveHardware(r.manifest.device.hardwareId)?.id;
    if (id === undefined || !hardwareIds.has(id)) continue;
    const list = byHardware.get(id);
    if (list) list.push(r);
    else byHardware.set(id, [r]);
  }
  const out: MeasuredProfile[] = [];
  for (const id of hardwareIds) {
    const mine = byHardware.get(id);
    if (!mine) continue;
    const idle: number[] = [];
    const busy: number[] = [];
    const lat: number[] = [];
    const weights: number[] = [];
    const server: ServerPoint[] = [];
    let unusedIdle = 0;
    const unusedHow = new Set<string>();
    for (const r of mine) {
      const m = r.manifest;
      const measured = m.sensor?.provenance.kind === 'measured';
      const idleWindows = m.windows.filter((w) => w.name === 'idle-before' || w.name === 'idle-after');
      if (idleWindows.length > 0 && hasPower(m)) {
        if (measured) {
          const p = await idleOfRun(r.path, m, idleWindows);
          if (p !== undefined) idle.push(p);
        } else {
          unusedIdle++;
          unusedHow.add(describeProvenance(m.sensor.provenance));
        }
      }
      const file = m.files.find((f) => f.role === 'mlperf_log_summary');
      if (!file) continue;
      const summary = readMlperfSummary(join(r.path, file.name));
      if (summary.mode !== 'PerformanceOnly') continue;
      const compute = measured ? windowMeanW(m, 'compute') : undefined;
      if (summary.scenario === 'SingleStream') {
        lat.push(summary.stats.meanLatencyNs / 1e6);
        weights.push(Math.max(1, summary.params.minQueryCount));
        if (compute !== undefined) busy.push(compute);
      } else if (summary.scenario === 'Server' && summary.params.targetQps > 0) {
        server.push({ runId: r.id, targetQps: summary.params.targetQps, latencyNs: summary.stats.percentilesNs, ...(compute !== undefined ? { powerW: compute } : {}) });
      }
    }
    const idleStat = statOf(idle, 'mean power of its idle-before/idle-after windows (measure --idle), over the part the samples cover');
    const busyStat = statOf(busy, 'mean power of SingleStream compute windows');
    const service = statOf(lat, 'SingleStream mean latency per run, the mean weighted by query count', weights);
    if (!idleStat && !busyStat && !service && server.length === 0 && unusedIdle === 0) continue;
    out.push({
      hardwareId: id,
      path: s.shown,
      origin: s.origin,
      ...(idleStat ? { idleW: idleStat } : {}),
      ...(busyStat ? { busyW: busyStat } : {}),
      ...(service ? { serviceMs: service } : {}),
      server,
      ...(unusedIdle > 0 ? { unusedIdle: { runs: unusedIdle, provenance: [...unusedHow].join(', ') } } : {}),
    });
  }
  return out;
}
