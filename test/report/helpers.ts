import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trapezoidJ, windowEnergyJ } from '../../src/traces/energy.js';
import { writeRunBundle, type ManifestDraft } from '../../src/runs/io/bundle.js';

export const SNAPSHOT_DIR = join(import.meta.dirname, '__snapshots__');
export const UPDATE_SNAPSHOTS = process.env.INFERPRINT_UPDATE_SNAPSHOTS === '1';

/**
 * An SVG made comparable across machines and runs: decimals inside tags rounded to 4 significant
 * digits (layout arithmetic may differ in the last bits, never in the first four; text content,
 * already formatted, is kept as written: `PUE 1.0`, `inferprint 0.1.0`), ids renumbered in
 * order of appearance, one element per line so a failing diff is readable.
 */
export function normaliseSvg(svg: string): string {
  const ids = new Map<string, string>();
  return svg
    .replace(/<[^>]*>/g, (tag) =>
      tag.replace(/-?\d*\.\d+(?:e[-+]?\d+)?/gi, (m) => {
        const v = Number(m);
        const r = Number(v.toPrecision(4));
        return String(Object.is(r, -0) ? 0 : r);
      }),
    )
    .replace(/\b(id="|url\(#|href="#)([A-Za-z_][\w-]*)/g, (_m, lead: string, id: string) => {
      let n = ids.get(id);
      if (n === undefined) {
        n = `id${ids.size + 1}`;
        ids.set(id, n);
      }
      return `${lead}${n}`;
    })
    .replace(/></g, '>\n<')
    .concat('\n');
}

/**
 * Compare `actual` with the stored snapshot `name`; with INFERPRINT_UPDATE_SNAPSHOTS=1, write
 * it instead. A missing snapshot fails and says how to create it.
 */
export function matchSnapshot(name: string, actual: string): void {
  const file = join(SNAPSHOT_DIR, name);
  if (UPDATE_SNAPSHOTS) {
    mkdirSync(SNAPSHOT_DIR, { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `no snapshot ${file}: run the tests with INFERPRINT_UPDATE_SNAPSHOTS=1 to create it, then review it`);
  const expected = readFileSync(file, 'utf8');
  if (actual === expected) return;
  // Point at the first differing line rather than dumping two large documents.
  const a = actual.split('\n');
  const e = expected.split('\n');
  const i = a.findIndex((line, k) => line !== e[k]);
  const at = i === -1 ? Math.min(a.length, e.length) : i;
  assert.fail(
    `${name} differs from its snapshot at line ${at + 1} (${a.length} vs ${e.length} lines)\n  expected: ${e[at] ?? '<end>'}\n  actual:   ${a[at] ?? '<end>'}\n` +
      'If the change is intended, rerun with INFERPRINT_UPDATE_SNAPSHOTS=1 and review the diff.',
  );
}

/** The text an SVG shows (every text node, entities decoded), one node per line. */
export function svgText(svg: string): string {
  const decode = (t: string): string => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  return [...svg.matchAll(/>([^<>]+)</g)].map((m) => decode(m[1]!)).join('\n');
}

/** WCAG 2.1 contrast ratio of two `#rrggbb` colours (1 to 21). */
export function contrastRatio(a: string, b: string): number {
  const luminance = (hex: string): number => {
    const [r, g, bl] = [1, 3, 5].map((i) => {
      const c = parseInt(hex.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

/** Width and height from a PNG's signature and IHDR chunk; throws when the bytes are not a PNG. */
export function pngSize(bytes: Uint8Array): { width: number; height: number } {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  assert.deepEqual([...bytes.subarray(0, 8)], signature, 'PNG signature');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.equal(view.getUint32(8), 13, 'IHDR length');
  assert.equal(String.fromCharCode(...bytes.subarray(12, 16)), 'IHDR', 'first chunk is IHDR');
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** The `width` and `height` attributes of an SVG's root element. */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /^<svg\b[^>]*>/.exec(svg)?.[0] ?? '';
  const w = /\bwidth="([\d.]+)"/.exec(root)?.[1];
  const h = /\bheight="([\d.]+)"/.exec(root)?.[1];
  assert.ok(w !== undefined && h !== undefined, 'SVG root has width and height');
  return { width: Number(w), height: Number(h) };
}

// ── a small runs store ─────────────────────────────────────────────────────────────

/** A LoadGen summary with the fields the importers read (SingleStream). */
export function summaryText(qc: number, p90Ns: number, maxNs: number): string {
  return `================================================
MLPerf Results Summary
================================================
SUT name : ORT
Scenario : SingleStream
Mode     : PerformanceOnly
90th percentile latency (ns) : ${p90Ns}
Result is : INVALID
  Min duration satisfied : NO
  Min queries satisfied : Yes
  Early stopping satisfied: Yes
Recommendations:
 * Increase the target QPS so the loadgen pre-generates more queries.
Early Stopping Result:
 * Processed at least 64 queries (${qc}).

================================================
Additional Stats
================================================
QPS w/ loadgen overhead         : 100.00
QPS w/o loadgen overhead        : 101.00

Min latency (ns)                : ${Math.round(p90Ns / 2)}
Max latency (ns)                : ${maxNs}
Mean latency (ns)               : ${Math.round((p90Ns * 3) / 4)}
50.00 percentile latency (ns)   : ${Math.round((p90Ns * 2) / 3)}
90.00 percentile latency (ns)   : ${p90Ns}
95.00 percentile latency (ns)   : ${p90Ns + 1}
97.00 percentile latency (ns)   : ${p90Ns + 2}
99.00 percentile latency (ns)   : ${p90Ns + 3}
99.90 percentile latency (ns)   : ${maxNs}

================================================
Test Parameters Used
================================================
samples_per_query : 1
target_qps : 100
target_latency (ns): 0
max_async_queries : 1
min_duration (ms): 0
max_duration (ms): 0
min_query_count : ${qc}
max_query_count : ${qc}
qsl_rng_seed : 1
sample_index_rng_seed : 2
schedule_rng_seed : 3
accuracy_log_rng_seed : 0
accuracy_log_probability : 0
accuracy_log_sampling_target : 0
print_timestamps : 0
performance_issue_unique : 0
performance_issue_same : 0
performance_issue_same_index : 0
performance_sample_count : 10833

No warnings encountered during test.

No errors encountered during test.
`;
}

export interface BenchRun {
  readonly hardwareId: string;
  readonly queryCount: number;
  readonly repetition: number;
  /** Idle and busy power, W. */
  readonly idleW: number;
  readonly busyW: number;
  readonly p90Ms: number;
}

/**
 * A bench bundle: 1 s idle, a compute window whose length grows with the query count, 1 s
 * idle, sampled every 50 ms; its energy summary integrated from the same samples.
 */
export async function writeBenchBundle(runsDir: string, run: BenchRun): Promise<string> {
  const computeS = 0.5 + run.queryCount / 64;
  const endS = 2 + computeS;
  const n = Math.round(endS / 0.05) + 1;
  const tS = new Float64Array(n);
  const powerW = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = i * 0.05;
    tS[i] = t;
    // A little run-to-run spread so the profile has a standard deviation.
    powerW[i] = (t >= 1 && t <= 1 + computeS ? run.busyW : run.idleW) * (1 + 0.01 * run.repetition);
  }
  const energyJ = trapezoidJ(tS, powerW);
  const computeEnergyJ = windowEnergyJ(tS, powerW, 1, 1 + computeS);
  const started = new Date(Date.UTC(2026, 0, 1, 0, 0, run.repetition) + run.queryCount * 60_000);
  const manifest: ManifestDraft = {
    label: `${run.hardwareId} qc${run.queryCount} r${run.repetition}`,
    startedAt: started.toISOString(),
    endedAt: new Date(started.getTime() + endS * 1000).toISOString(),
    status: { kind: 'completed' },
    host: { os: 'linux' },
    tool: { name: 'inferprint', version: '0.1.0' },
    sensor: {
      name: 'replay',
      provenance: { kind: 'measured', sensor: 'replay' },
      requestedIntervalS: 0.05,
      measuredIntervalS: 0.05,
      channels: [{ name: 'gpu', kind: 'gpu', unit: 'W' }],
      primaryChannel: 'gpu',
      notes: [],
    },
    workload: { kind: 'bench', scenario: 'SingleStream', model: 'synthetic:bert-tiny', queryCount: run.queryCount, mlperfSettings: { release: 'v4.1' }, repetition: run.repetition },
    device: { hardwareId: run.hardwareId },
    windows: [
      { name: 'full', t0S: 0, t1S: endS },
      { name: 'compute', t0S: 1, t1S: 1 + computeS },
    ],
    gaps: [],
    energy: {
      method: 'trapezoid',
      perChannel: [{ channel: 'gpu', energyJ, meanW: energyJ / endS, maxW: Math.max(...powerW), minW: Math.min(...powerW), samples: n }],
      primary: { channel: 'gpu', energyJ, durationS: endS },
      perWindow: [{ window: 'compute', channel: 'gpu', energyJ: computeEnergyJ, durationS: computeS }],
    },
  };
  const p90Ns = Math.round(run.p90Ms * 1e6);
  const written = await writeRunBundle(
    runsDir,
    {
      manifest,
      trace: [{ name: 'gpu', tS, powerW }],
      files: [{ name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary', content: summaryText(run.queryCount, p90Ns, Math.round(p90Ns * 1.5)) }],
    },
    { randomSuffix: () => `${run.queryCount.toString(16).padStart(2, '0')}${run.repetition}${run.hardwareId === 'AGX-Orin' ? 'a' : 'b'}` },
  );
  return written.id;
}

/** Two devices × two query counts × three repetitions. */
export async function writeSmallStore(runsDir: string): Promise<string[]> {
  const ids: string[] = [];
  for (const [hardwareId, idleW, busyW, p90Ms] of [
    ['H100-NVL', 60, 300, 2],
    ['AGX-Orin', 3, 25, 9],
  ] as const) {
    for (const queryCount of [16, 64]) {
      for (let repetition = 0; repetition < 3; repetition++) ids.push(await writeBenchBundle(runsDir, { hardwareId, queryCount, repetition, idleW, busyW, p90Ms }));
    }
  }
  return ids;
}

/** An `import mlperf` bundle of a Tesla T4 run: its summary, no sensor, no trace, no energy. */
export async function writePowerless(runsDir: string, queryCount: number, repetition: number, p90Ms: number): Promise<string> {
  const started = new Date(Date.UTC(2026, 1, 1, 0, 0, repetition) + queryCount * 60_000);
  const p90Ns = Math.round(p90Ms * 1e6);
  const w = await writeRunBundle(
    runsDir,
    {
      manifest: {
        label: `T4 v1.1 SingleStream QC${queryCount}`,
        startedAt: started.toISOString(),
        endedAt: new Date(started.getTime() + 1000).toISOString(),
        status: { kind: 'completed' },
        host: {},
        tool: { name: 'inferprint', version: '0.1.0' },
        workload: { kind: 'import', format: 'mlperf', sourcePath: '/logs', ...({ scenario: 'SingleStream', queryCount, datasetTag: 'T4', version: 'v1.1' } as object) },
        device: { hardwareId: 'Tesla-T4', name: 'NVIDIA Tesla T4' },
        windows: [],
        gaps: [],
      },
      files: [{ name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary', content: summaryText(queryCount, p90Ns, Math.round(p90Ns * 1.5)) }],
    },
    { randomSuffix: () => `${queryCount.toString(16).padStart(2, '0')}${repetition}c` },
  );
  return w.id;
}
