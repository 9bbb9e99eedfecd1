/** Bundles for the store's tests: written by the real writer, with values simple enough to check by hand. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeResults } from '../../src/benchmark/loadgen/results.js';
import { effectiveSettings, studySettings } from '../../src/benchmark/loadgen/settings.js';
import { writeSummary } from '../../src/benchmark/loadgen/summary-writer.js';
import { writeRunBundle, type BundleFileInput, type ManifestDraft, type WrittenBundle } from '../../src/runs/io/bundle.js';
import { withOverrides, type Overrides } from '../helpers/overrides.js';

/** A fresh runs directory path (not created: the first write creates it). */
export function tempRunsDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'inferprint-store-')), 'runs');
}

/** `n` samples at 0, 0.1, ... s of constant power `w`: energy over the trace = w × (n − 1) × 0.1 J. */
export function flat(name: string, n: number, w: number): { name: string; tS: Float64Array; powerW: Float64Array } {
  return { name, tS: Float64Array.from({ length: n }, (_, i) => i * 0.1), powerW: new Float64Array(n).fill(w) };
}

export function draft(over: Overrides<ManifestDraft> = {}): ManifestDraft {
  return withOverrides<ManifestDraft>(
    {
      label: 'bert a100',
      startedAt: '2026-11-26T11:42:03.123Z',
      endedAt: '2026-11-26T11:42:04.123Z',
      status: { kind: 'completed' },
      host: { os: 'linux', cpuModel: 'Test CPU', cpuCores: 8, gpus: [{ index: 0, name: 'NVIDIA A100-SXM4-40GB' }] },
      tool: { name: 'inferprint', version: '0.1.0' },
      sensor: {
        name: 'nvml',
        provenance: { kind: 'measured', sensor: 'nvml' },
        requestedIntervalS: 0.1,
        measuredIntervalS: 0.1,
        channels: [
          { name: 'gpu0', kind: 'gpu', unit: 'W', device: 'NVIDIA A100-SXM4-40GB' },
          { name: 'board', kind: 'board-total', unit: 'W' },
        ],
        primaryChannel: 'gpu0',
        notes: [],
      },
      workload: { kind: 'bench', scenario: 'SingleStream', model: 'synthetic:bert-tiny', queryCount: 64 },
      device: { hardwareId: 'A100', name: 'NVIDIA A100-SXM4-40GB' },
      windows: [
        { name: 'full', t0S: 0, t1S: 1 },
        { name: 'compute', t0S: 0.2, t1S: 0.7 },
      ],
      gaps: [],
      energy: {
        method: 'trapezoid',
        perChannel: [
          { channel: 'gpu0', energyJ: 100, meanW: 100, maxW: 100, minW: 100, samples: 11 },
          { channel: 'board', energyJ: 150, meanW: 150, maxW: 150, minW: 150, samples: 11 },
        ],
        counters: [{ channel: 'gpu0', energyJ: 101, differenceFromSamplesJ: 1 }],
        primary: { channel: 'gpu0', energyJ: 100, durationS: 1 },
        perWindow: [
          { window: 'full', channel: 'gpu0', energyJ: 100, durationS: 1 },
          { window: 'compute', channel: 'gpu0', energyJ: 50, durationS: 0.5 },
        ],
      },
      impact: {
        result: {
          model: 'berthelot-2022-v1',
          gwpG: { mean: 0.004, min: 0.003, max: 0.005 },
          operationalG: { mean: 0.0033, min: 0.0025, max: 0.004 },
          embodiedG: { mean: 0.0007, min: 0.0005, max: 0.001 },
          params: { gridGPerKwh: { value: 79.1 }, pue: { value: 1.5 } },
        },
      },
    },
    over,
  );
}

/** A manifest in the pre-release layout (schema 0), as README.md describes it. */
export function schema0Manifest(over: Record<string, unknown> = {}): Record<string, unknown> {
  const d = draft();
  return {
    schemaVersion: 0,
    id: '2026-11-26T11-42-03.123Z-bert-a100-0000',
    label: d.label,
    startedAt: d.startedAt,
    endedAt: d.endedAt,
    status: 'completed',
    host: d.host,
    tool: d.tool,
    sensor: d.sensor,
    workload: d.workload,
    hardwareId: 'A100',
    deviceName: 'NVIDIA A100-SXM4-40GB',
    windows: { full: [0, 1], compute: [0.2, 0.7] },
    energy: d.energy,
    files: ['mlperf_log_summary.txt', 'stdout.txt', 'user.conf', 'notes.md'],
    ...over,
  };
}

/** An `mlperf_log_summary.txt` by the project's LoadGen writer: 64 latencies 1.5 ms + i µs (p90 1.557 ms, max 1.563 ms). */
export function summaryText(): string {
  const settings = effectiveSettings(studySettings('v4.1', 64), 10833, 'v4.1');
  const latencies = Array.from({ length: 64 }, (_, i) => 1_500_000 + i * 1000);
  const r = computeResults(
    { sampleLatenciesNs: latencies, queriesIssued: 64, finalQueryScheduledNs: 95_000_000, finalQueryIssuedNs: 95_000_000, finalQueryAllSamplesDoneNs: 96_600_000 },
    settings,
    'v4.1',
  );
  return writeSummary({ sutName: 'BERT SERVER', settings, results: r, warningCount: 0, errorCount: 1 });
}

let counter = 0;

/** Write a bundle; `suffix` fixes the id's last part (default: a counter). */
export async function writeRun(runsDir: string, over: Overrides<ManifestDraft> = {}, opts: { suffix?: string; files?: BundleFileInput[]; counters?: boolean; power?: number } = {}): Promise<WrittenBundle> {
  const suffix = opts.suffix ?? (counter++).toString(16).padStart(4, '0');
  const w = opts.power ?? 100;
  return writeRunBundle(
    runsDir,
    {
      manifest: draft(over),
      trace: [flat('gpu0', 11, w), flat('board', 11, w * 1.5)],
      ...(opts.counters === true ? { counters: [{ name: 'gpu0', tS: Float64Array.from([0, 1]), energyJ: Float64Array.from([0, 101]) }] } : {}),
      ...(opts.files ? { files: opts.files } : {}),
    },
    { randomSuffix: () => suffix, now: () => new Date('2026-11-26T12:00:00Z') },
  );
}
