// Device profiles: the arithmetic on measurements, the readers (the study's dataset, run
// bundles in a runs folder), and the order file → measured → database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { advise } from '../../src/advise/advise.js';
import { databaseProfile } from '../../src/advise/database-profile.js';
import { initialPlateau, loadPowerLine, statOf, sweepCapacity, type ServerPoint } from '../../src/advise/measured.js';
import { readMeasuredProfiles } from '../../src/advise/io/measured-io.js';
import { parseWorkloadText } from '../../src/advise/workload.js';
import { benchSettings } from '../../src/app/bench.js';
import { computeResults } from '../../src/benchmark/loadgen/results.js';
import { effectiveSettings, studySettings } from '../../src/benchmark/loadgen/settings.js';
import { writeSummary } from '../../src/benchmark/loadgen/summary-writer.js';
import { requireHardware } from '../../src/impact/hardware.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';
import { tempRunsDir, writeRun } from '../store/helpers.js';

test('initialPlateau: the level a trace starts at, until it moves by more than 5 %', () => {
  const t = [0, 0.15, 0.3, 0.45, 0.6, 0.75, 0.9, 1.05, 1.2];
  const p = initialPlateau(t, [65, 65.2, 64.9, 65.1, 65, 55, 34, 34, 90]);
  assert.ok(p);
  assert.ok(Math.abs(p.powerW - (65 + 65.2 + 64.9 + 65.1 + 65) / 5) < 1e-12);
  assert.ok(Math.abs(p.durationS - 0.6) < 1e-12);
  // Shorter than 0.5 s: no idle level from this trace.
  assert.equal(initialPlateau([0, 0.1, 0.2, 0.3], [10, 10, 10, 50]), undefined);
  assert.equal(initialPlateau([0, 1], [10, 10]), undefined);
});

test('statOf: mean (weighted when asked), 5th–95th percentile range from 10 runs, min–max below', () => {
  const s = statOf([1, 2, 3], 'x')!;
  assert.deepEqual([s.value, s.min, s.max, s.runs], [2, 1, 3, 3]);
  const w = statOf([1, 3], 'x', [3, 1])!;
  assert.equal(w.value, 1.5);
  const many = statOf(Array.from({ length: 21 }, (_, i) => i), 'x')!;
  assert.deepEqual([many.min, many.max], [1, 19]);
  assert.equal(statOf([], 'x'), undefined);
});

const pt = (qps: number, p90Ms: number, powerW?: number): ServerPoint => ({ runId: `r${qps}`, targetQps: qps, latencyNs: { '50.00': p90Ms * 5e5, '90.00': p90Ms * 1e6, '99.00': p90Ms * 2e6 }, ...(powerW !== undefined ? { powerW } : {}) });

test('sweepCapacity: the highest offered load meeting the target at its percentile (or the next printed one above)', () => {
  const pts = [pt(50, 20), pt(100, 60), pt(200, 180), pt(400, 900)];
  const s = sweepCapacity(pts, 90, 130)!;
  assert.deepEqual([s.qps, s.latencyMs, s.percentileKey, s.bracketed], [100, 60, '90.00', true]);
  // p95 is not printed here: the 99th is used (conservative): 2 × p90, so 100 QPS (120 ms) is the last to meet 130 ms.
  const c = sweepCapacity(pts, 95, 130)!;
  assert.deepEqual([c.qps, c.latencyMs, c.percentileKey], [100, 120, '99.00']);
  assert.equal(sweepCapacity(pts, 95, 100)!.qps, 50);
  assert.equal(sweepCapacity(pts.slice(0, 2), 90, 130)!.bracketed, false);
  assert.equal(sweepCapacity(pts, 90, 10)!.qps, undefined);
  assert.equal(sweepCapacity(pts, 99.9, 130), undefined);
  assert.equal(sweepCapacity([], 90, 130), undefined);
});

test('loadPowerLine: least squares of power on offered load', () => {
  const l = loadPowerLine([pt(0, 1, 60), pt(100, 1, 110), pt(200, 1, 160)])!;
  assert.ok(Math.abs(l.interceptW - 60) < 1e-9 && Math.abs(l.slopeWPerQps - 0.5) < 1e-12);
  assert.equal(loadPowerLine([pt(100, 1, 60), pt(100, 1, 70)]), undefined);
});

test('databaseProfile: busy = TDP (estimated); idle with a model loaded where known, else bare; the host share; a Jetson is its own host', () => {
  const p = databaseProfile(requireHardware('A100'));
  assert.equal(p.busyW.value, 400);
  assert.equal(p.busyW.estimated, true);
  assert.match(p.busyW.source, /TDP/);
  // The A100's loaded idle is derived (bare + a CUDA context's measured cost): estimated.
  assert.deepEqual([p.idleW?.value, p.idleW?.min, p.idleW?.max, p.idleW?.estimated], [99.2, 85, 112.1, true]);
  assert.match(p.idleW!.source, /idle with a model loaded of A100, derived/);
  // One eighth of an 8-GPU server's non-GPU power and manufacturing (EcoLogits).
  assert.deepEqual([p.hostW?.value, p.hostKg?.value], [150, 712.5]);
  const orin = databaseProfile(requireHardware('AGX-Orin'));
  assert.deepEqual([orin.idleW?.value, orin.idleW?.estimated, orin.hostW?.value, orin.hostKg?.value], [7.9, false, 0, 0]);
  assert.match(orin.idleW!.source, /bare idle \(no figure with a model loaded\)/);
});

test('the study’s fixtures: idle at the level traces start at (A100 ≈ 65 W, T4 ≈ 38 W, Orin GPU rail ≈ 2.8 W), busy, service time', { skip: skipWithoutThesis }, async () => {
  const got = await readMeasuredProfiles([{ path: THESIS_DIR, shown: 'thesis', origin: 'profiles_from' }], new Set(['A100-PCIE-40GB', 'Tesla-T4', 'AGX-Orin', 'H100']));
  const of = (id: string) => got.find((p) => p.hardwareId === id)!;
  assert.equal(got.length, 3, 'no H100 in the fixtures');
  const a100 = of('A100-PCIE-40GB');
  assert.ok(Math.abs(a100.idleW!.value - 65) < 2, `A100 idle ${a100.idleW!.value}`);
  assert.equal(a100.idleW!.runs, 50);
  const t4 = of('Tesla-T4');
  assert.ok(Math.abs(t4.idleW!.value - 38) < 1, `T4 idle ${t4.idleW!.value}`);
  const orin = of('AGX-Orin');
  assert.ok(Math.abs(orin.idleW!.value - 2.794) < 0.01, `Orin idle ${orin.idleW!.value}`);
  // Busy: the CI runs at QC 256 (mean power over each run: energy / duration); up to the FULL peak.
  assert.ok(a100.busyW!.value > 150 && a100.busyW!.value < 180, `A100 busy ${a100.busyW!.value}`);
  assert.ok(a100.busyW!.max > 200);
  // Service time: SingleStream mean latency, weighted by query count: A100 ≈ 1.49 ms, Orin ≈ 6 ms.
  assert.ok(Math.abs(a100.serviceMs!.value - 1.49) < 0.05, `A100 service ${a100.serviceMs!.value}`);
  assert.ok(orin.serviceMs!.value > 5 && orin.serviceMs!.value < 7, `Orin service ${orin.serviceMs!.value}`);
  assert.ok(orin.serviceMs!.runs > 200);
});

function serverSummary(qps: number, latencyNs: number): string {
  const settings = effectiveSettings(benchSettings('Server', 64, qps), 10833, 'v4.1');
  const latencies = Array.from({ length: 64 }, (_, i) => latencyNs + i * 1000);
  const r = computeResults({ sampleLatenciesNs: latencies, queriesIssued: 64, finalQueryScheduledNs: Math.round((64 / qps) * 1e9), finalQueryIssuedNs: Math.round((64 / qps) * 1e9), finalQueryAllSamplesDoneNs: Math.round((64 / qps) * 1e9) + latencyNs }, settings, 'v4.1');
  return writeSummary({ sutName: 'test', settings, results: r, warningCount: 0, errorCount: 0 });
}

function singleStreamSummary(meanNs: number): string {
  const settings = effectiveSettings(studySettings('v4.1', 64), 10833, 'v4.1');
  const latencies = Array.from({ length: 64 }, () => meanNs);
  const r = computeResults({ sampleLatenciesNs: latencies, queriesIssued: 64, finalQueryScheduledNs: 64 * meanNs, finalQueryIssuedNs: 64 * meanNs, finalQueryAllSamplesDoneNs: 65 * meanNs }, settings, 'v4.1');
  return writeSummary({ sutName: 'test', settings, results: r, warningCount: 0, errorCount: 0 });
}

const WINDOWS = (idleW: number, computeW: number) => ({
  windows: [
    { name: 'full', t0S: 0, t1S: 1 },
    { name: 'idle-before', t0S: 0, t1S: 0.2 },
    { name: 'compute', t0S: 0.2, t1S: 0.7 },
  ],
  energy: {
    method: 'trapezoid',
    perChannel: [{ channel: 'gpu0', energyJ: 100, meanW: 100, maxW: 100, minW: 100, samples: 11 }],
    primary: { channel: 'gpu0', energyJ: 100, durationS: 1 },
    perWindow: [
      { window: 'idle-before', channel: 'gpu0', energyJ: idleW * 0.2, durationS: 0.2 },
      { window: 'compute', channel: 'gpu0', energyJ: computeW * 0.5, durationS: 0.5 },
    ],
  },
});

test('run bundles: idle windows, SingleStream service and busy power, Server capacity at the SLO, load–power line', async () => {
  const dir = tempRunsDir();
  const files = (name: string, content: string) => [{ name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary' as const, content }];
  // The idle level is read from each trace (flat at `power` here), over its idle window.
  await writeRun(dir, { ...WINDOWS(60, 240), workload: { kind: 'bench', scenario: 'SingleStream', model: 'm', queryCount: 64 } }, { files: files('s', singleStreamSummary(2_000_000)), power: 60 });
  await writeRun(dir, { ...WINDOWS(64, 260), workload: { kind: 'bench', scenario: 'SingleStream', model: 'm', queryCount: 64 } }, { files: files('s', singleStreamSummary(2_200_000)), power: 64 });
  // Server at 100, 200, 400 QPS: p90 ≈ 50 ms, 100 ms, 300 ms; compute power 120, 170, 270 W.
  for (const [qps, lat, w] of [[100, 50e6, 120], [200, 100e6, 170], [400, 300e6, 270]] as const) {
    await writeRun(dir, { ...WINDOWS(62, w), workload: { kind: 'bench', scenario: 'Server', model: 'm', queryCount: 64 } }, { files: files('s', serverSummary(qps, lat)), power: 62 });
  }
  // An estimated run's power is not a measurement: left out of idle and busy.
  await writeRun(dir, { ...WINDOWS(500, 900), sensor: { name: 'estimate', provenance: { kind: 'estimated', method: 'tdp' }, requestedIntervalS: 0.1, measuredIntervalS: 0.1, channels: [{ name: 'gpu0', kind: 'gpu', unit: 'W' }, { name: 'board', kind: 'board-total', unit: 'W' }], primaryChannel: 'gpu0', notes: [] }, workload: { kind: 'bench', scenario: 'SingleStream', model: 'm', queryCount: 64 } }, { files: files('s', singleStreamSummary(2_100_000)), power: 500 });
  const [p] = await readMeasuredProfiles([{ path: dir, shown: 'runs', origin: 'runs store' }], new Set(['A100']));
  assert.ok(p);
  assert.deepEqual([p.idleW!.value, p.idleW!.runs], [62, 5]);
  assert.deepEqual([p.busyW!.value, p.busyW!.runs], [250, 2]);
  assert.ok(Math.abs(p.serviceMs!.value - 2.1) < 1e-9, String(p.serviceMs!.value));
  assert.equal(p.server.length, 3);

  const w = parseWorkloadText(
    `users: 1000000
queries_per_user_per_day: 10
slo: { percentile: 90, latency_ms: 130 }
days: 1
deployments:
  - { name: pool, hardware: A100, placement: pooled }
  - { name: given, hardware: A100, placement: pooled, power: { idle_w: 70 }, capacity_qps: 50 }
`,
    'w.yaml',
  );
  const r = advise(w, [p], [], { draws: 0 });
  const pool = r.deployments[0]!;
  // Measured: 200 QPS met 130 ms at p90, 400 did not: capacity 200; 10 M queries/day flat = 115.7/s → 1 device.
  assert.equal(pool.capacity_basis, 'measured');
  assert.equal(pool.capacity_qps, 200);
  assert.equal(pool.devices.value, 1);
  assert.equal(pool.latency_basis, 'measured');
  assert.ok(pool.latency_ms! > 100 && pool.latency_ms! < 130);
  const src = (d: typeof pool, n: string) => d.inputs.find((i) => i.name === n)!;
  assert.equal(src(pool, 'idle_w').value, 62);
  assert.match(src(pool, 'idle_w').source, /^measured: runs \(5 runs; mean power of its idle-before\/idle-after windows \(measure --idle\), over the part the samples cover\)$/);
  assert.equal(src(pool, 'busy_w').value, 250);
  assert.equal(src(pool, 'service_ms').origin, 'measured');
  assert.ok(pool.load_power && Math.abs(pool.load_power.slope_w_per_qps - 0.5) < 1e-9);
  // The file wins over the measurement; capacity_qps over the sweep.
  const given = r.deployments[1]!;
  assert.equal(src(given, 'idle_w').value, 70);
  assert.equal(src(given, 'idle_w').origin, 'file');
  assert.equal(given.capacity_basis, 'given');
  assert.equal(given.devices.value, Math.ceil(1e7 / 86400 / 50));
});

test('the database is the last resort: busy = TDP (estimated), the host share of a datacenter GPU; without a host share, a note', () => {
  const w = parseWorkloadText(
    `users: 10
queries_per_user_per_day: 10
slo: { percentile: 90, latency_ms: 130 }
deployments:
  - { name: pool, hardware: H100, placement: pooled, power: { idle_w: 75 }, service_ms: 1.5 }
`,
    'w.yaml',
  );
  const d = advise(w, [], [], { draws: 0 }).deployments[0]!;
  const busy = d.inputs.find((i) => i.name === 'busy_w')!;
  assert.equal(busy.value, 700);
  assert.equal(busy.origin, 'estimated');
  assert.match(busy.source, /^database: .*TDP/);
  const host = d.inputs.find((i) => i.name === 'host_w')!;
  assert.equal(host.value, 150);
  assert.equal(host.origin, 'database');
  assert.match(host.source, /EcoLogits/);
  assert.ok(!d.notes.some((n) => /host around each H100/.test(n)));
  // A datacenter GPU the idle table does not cover (the generic server CPU is no GPU, but a Large-scale device without a host share): a note.
  const w2 = parseWorkloadText(
    `users: 10
queries_per_user_per_day: 10
slo: { percentile: 90, latency_ms: 130 }
deployments:
  - { name: cpu, hardware: generic-server-cpu, placement: pooled, power: { idle_w: 75 }, service_ms: 1.5 }
`,
    'w.yaml',
  );
  const c = advise(w2, [], [], { draws: 0 }).deployments[0]!;
  assert.equal(c.inputs.find((i) => i.name === 'host_w')!.value, 0);
  assert.ok(c.notes.some((n) => /host around each generic-server-cpu .* is not counted; set deployments\[0\]\.power\.host_w/.test(n)));
});

test('profiles_from: a runs folder given in the file, read before the runs store', { skip: skipWithoutThesis }, async () => {
  const p = await readMeasuredProfiles([{ path: join(THESIS_DIR, 'Data', 'data_orin_v4.1'), shown: 'orin', origin: 'profiles_from' }], new Set(['AGX-Orin']));
  assert.equal(p.length, 1);
  assert.equal(p[0]!.idleW!.runs, 50);
});
