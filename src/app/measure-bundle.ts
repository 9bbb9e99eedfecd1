import { writeRunBundle, type BundleFileInput, type ManifestDraft, type RunBundleInput, type WrittenBundle } from '../runs/bundle.js';
import type { ChannelRecord, EnergySummary, GapRecord, Workload } from '../runs/manifest.js';
import type { RecordingSummary } from '../measure/summary.js';
import type { MeasureResult } from './measure.js';

/**
 * Save a measurement as a run bundle (DESIGN.md §4.2): manifest with status, host, sensor,
 * workload, windows, gaps, energy and impact summaries and every parameter used; the trace
 * and counters as Parquet. The bundle is written whatever the outcome — an interrupted or
 * failed run is saved and marked as such.
 */
export async function saveMeasureRun(
  r: MeasureResult,
  runsDir: string,
  workload: { readonly command: readonly string[]; readonly cwd: string; readonly label?: string | undefined },
): Promise<WrittenBundle> {
  const commandWorkload: Workload = {
    kind: 'command',
    argv: workload.command,
    cwd: workload.cwd,
    ...(r.commandExit.code !== null ? { exitCode: r.commandExit.code } : {}),
    ...(r.commandExit.signal !== null ? { signal: r.commandExit.signal } : {}),
  };
  return writeRunBundle(runsDir, measurementBundle(r, commandWorkload, workload.label ?? workload.command.join(' ').slice(0, 60)));
}

/**
 * A measurement as bundle input (manifest, trace, counters), for any workload: shared by
 * `measure` (a command) and `bench` (a LoadGen run, which adds its logs as `files`).
 */
export function measurementBundle(
  r: Pick<MeasureResult, 'recording' | 'summary' | 'sensorWhy' | 'startedAt' | 'endedAt' | 'status' | 'host' | 'tool' | 'hardware' | 'impact' | 'operationalOnlyG' | 'parameters' | 'notes'>,
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
