// Shared by the dashboard tests: a runs directory with a few real bundles, written through
// writeRunBundle like any producer of runs, and small HTTP helpers.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { V41_SUMMARY_16Q } from '../helpers/mlperf-samples.js';
import { writeRunBundle, type ManifestDraft, type RunBundleInput } from '../../src/runs/io/bundle.js';

/** A v4.1 SingleStream summary (16 queries) as LoadGen 4.1 writes it. */
export const SUMMARY_TEXT = V41_SUMMARY_16Q;

export function tempDir(prefix = 'inferprint-serve-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A power series: `base + amp·sin` sampled every `dtS` for `n` samples, with one spike of `spikeW` at `spikeAt`. */
export function powerSeries(n: number, dtS: number, base: number, amp: number, spikeAt = -1, spikeW = 0): { tS: Float64Array; powerW: Float64Array } {
  const tS = new Float64Array(n);
  const powerW = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    tS[i] = i * dtS;
    powerW[i] = i === spikeAt ? spikeW : base + amp * Math.sin(i / 7);
  }
  return { tS, powerW };
}

export interface RunSpec {
  readonly label: string;
  readonly startedAt: string;
  readonly device: string;
  readonly deviceName: string;
  readonly queryCount?: number;
  readonly scenario?: 'SingleStream' | 'Offline';
  readonly status?: ManifestDraft['status'];
  readonly samples?: number;
  readonly withSummary?: boolean;
  readonly estimated?: boolean;
}

/** A bench-like bundle: two channels, windows, energy summary, optional MLPerf summary. */
export function bundleInput(spec: RunSpec): RunBundleInput {
  const n = spec.samples ?? 200;
  const dt = 0.05;
  const gpu = powerSeries(n, dt, 150, 40, Math.floor(n / 2), 400);
  const board = powerSeries(n, dt, 60, 5);
  const durationS = (n - 1) * dt;
  let energyJ = 0;
  for (let i = 1; i < n; i++) energyJ += ((gpu.powerW[i]! + gpu.powerW[i - 1]!) / 2) * dt;
  const endedAt = new Date(Date.parse(spec.startedAt) + durationS * 1000).toISOString();
  const workload: ManifestDraft['workload'] =
    spec.queryCount !== undefined
      ? { kind: 'bench', scenario: spec.scenario ?? 'SingleStream', model: 'synthetic:bert-tiny', queryCount: spec.queryCount }
      : { kind: 'command', argv: ['python', 'infer.py'], cwd: '/tmp' };
  return {
    manifest: {
      label: spec.label,
      startedAt: spec.startedAt,
      endedAt,
      status: spec.status ?? { kind: 'completed' },
      host: { os: 'linux', cpuCores: 16 },
      tool: { name: 'inferprint', version: '0.1.0' },
      sensor: {
        name: spec.estimated ? 'estimate' : 'nvml',
        provenance: spec.estimated ? { kind: 'estimated', method: 'tdp' } : { kind: 'measured', sensor: 'nvml' },
        requestedIntervalS: dt,
        measuredIntervalS: dt,
        channels: [
          { name: 'gpu0', kind: 'gpu', unit: 'W', device: spec.deviceName },
          { name: 'board', kind: 'board-total', unit: 'W' },
        ],
        primaryChannel: 'gpu0',
        notes: [],
      },
      workload,
      device: { hardwareId: spec.device, name: spec.deviceName },
      windows: [
        { name: 'full', t0S: 0, t1S: durationS },
        { name: 'compute', t0S: durationS * 0.25, t1S: durationS * 0.75 },
      ],
      gaps: [],
      energy: {
        method: 'trapezoid',
        perChannel: [
          { channel: 'gpu0', energyJ, meanW: energyJ / durationS, maxW: 400, minW: 110, samples: n },
          { channel: 'board', energyJ: 60 * durationS, meanW: 60, maxW: 65, minW: 55, samples: n },
        ],
        primary: { channel: 'gpu0', energyJ, durationS },
      },
    },
    trace: [
      { name: 'gpu0', ...gpu },
      { name: 'board', ...board },
    ],
    ...(spec.withSummary ? { files: [{ name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary' as const, content: SUMMARY_TEXT }] } : {}),
  };
}

/**
 * A run that measured no power, as `inferprint import mlperf` writes it: its MLPerf summary, a
 * compute window, notes, and no sensor, trace or energy.
 */
export function powerlessInput(label: string, startedAt: string): RunBundleInput {
  return {
    manifest: {
      label,
      startedAt,
      endedAt: new Date(Date.parse(startedAt) + 1048).toISOString(),
      status: { kind: 'completed' },
      host: {},
      tool: { name: 'inferprint', version: '0.1.0' },
      workload: { kind: 'import', format: 'mlperf', sourcePath: '/logs/T4_v1.1_logs/run', ...({ scenario: 'SingleStream', queryCount: 16, mode: 'PerformanceOnly' } as object) },
      device: { hardwareId: 'Tesla-T4', name: 'NVIDIA Tesla T4' },
      windows: [{ name: 'compute', t0S: 0, t1S: 1.048 }],
      gaps: [],
      notes: ['imported MLPerf logs: no power was measured (no sensor, no trace, no energy)'],
    },
    files: [{ name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary', content: SUMMARY_TEXT }],
  };
}

export const RUNS: readonly RunSpec[] = [
  { label: 'a100 qc16', startedAt: '2026-01-10T10:00:00.000Z', device: 'A100', deviceName: 'NVIDIA A100-SXM4-40GB', queryCount: 16, withSummary: true, samples: 5000 },
  { label: 'a100 qc32', startedAt: '2026-01-10T10:05:00.000Z', device: 'A100', deviceName: 'NVIDIA A100-SXM4-40GB', queryCount: 32, withSummary: true },
  { label: 'orin qc16', startedAt: '2026-01-10T11:00:00.000Z', device: 'AGX-Orin', deviceName: 'Orin', queryCount: 16 },
  { label: 'orin offline', startedAt: '2026-01-10T11:10:00.000Z', device: 'AGX-Orin', deviceName: 'Orin', queryCount: 64, scenario: 'Offline', status: { kind: 'interrupted', signal: 'SIGINT' } },
  { label: 'wrapped command', startedAt: '2026-01-10T12:00:00.000Z', device: 'H100', deviceName: 'NVIDIA H100 80GB HBM3', estimated: true },
];

export interface Fixture {
  readonly root: string;
  readonly runsDir: string;
  readonly ids: Record<string, string>;
}

/** A runs directory holding RUNS, one corrupt bundle, and a writer's temporary. */
export async function makeRunsDir(): Promise<Fixture> {
  const root = tempDir();
  const runsDir = join(root, 'runs');
  const ids: Record<string, string> = {};
  let k = 0;
  for (const spec of RUNS) {
    const w = await writeRunBundle(runsDir, bundleInput(spec), { randomSuffix: () => (0xa000 + k++).toString(16) });
    ids[spec.label] = w.id;
  }
  // A directory that is not a bundle: listed as skipped, never fatal.
  mkdirSync(join(runsDir, 'not-a-bundle'));
  writeFileSync(join(runsDir, 'not-a-bundle', 'manifest.json'), '{"schemaVersion": 1, "id": ');
  // A writer's temporary: ignored.
  mkdirSync(join(runsDir, '.2026-01-10T13-00-00.000Z-x-beef.tmp-1234'));
  return { root, runsDir, ids };
}

export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * One HTTP request with the raw target sent as is (fetch would normalise `..` away, which is
 * exactly what the server must be tested against).
 */
export function rawRequest(base: string, target: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const headers = { ...(opts.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(opts.body)) } : {}), ...opts.headers };
    const req = request({ host: u.hostname, port: u.port, method: opts.method ?? 'GET', path: target, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

// The caller names the shape it expects, as with a cast of JSON.parse.
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters
export async function getJson<T = Record<string, unknown>>(base: string, target: string, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Reply['headers'] }> {
  const r = await rawRequest(base, target, { headers });
  return { status: r.status, body: JSON.parse(r.body) as T, headers: r.headers };
}
