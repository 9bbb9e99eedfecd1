import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importRuns, importRunsReport } from '../../src/app/import.js';
import { analyze } from '../../src/app/analyze.js';
import { runCli } from '../../src/cli/main.js';
import type { AnalysisRow } from '../../src/analysis/types.js';
import { InferprintError } from '../../src/errors.js';
import { readMlperfDetail, scanMlperfLogTree } from '../../src/mlperf/io/log-tree.js';
import { readAnyRunBundle, readRunBundle } from '../../src/runs/io/bundle.js';
import { listRunBundles } from '../../src/runs/io/scan.js';
import { openStore } from '../../src/store/store.js';
import { trapezoidJ } from '../../src/traces/energy.js';
import { SUMMARY_TEXT } from '../serve/helpers.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'inferprint-import-'));

test('import nvidia-smi: a log recorded by other means becomes a bundle with its energy and absolute time', async () => {
  const runsDir = join(dir, 'store-smi');
  const log = join(dir, 'smi.csv');
  writeFileSync(log, ['timestamp, index, power.draw [W]', '2025/05/30 12:00:00.000, 0, 100.00 W', '2025/05/30 12:00:01.000, 0, 100.00 W', '2025/05/30 12:00:02.000, 0, 300.00 W'].join('\n'));
  const [r] = await importRuns({ format: 'nvidia-smi', paths: [log], runsDir, device: 'A100-PCIE-40GB' });
  const b = await readRunBundle(r!.path);
  assert.equal(b.manifest.workload.kind, 'import');
  assert.equal(b.manifest.startedAt, '2025-05-30T12:00:00.000Z');
  assert.equal(b.manifest.device.hardwareId, 'A100-PCIE-40GB');
  assert.equal(b.manifest.energy?.primary.energyJ, 100 + 200);
  assert.equal(b.manifest.sensor.requestedIntervalS, null);
  assert.equal(b.manifest.sensor.measuredIntervalS, 1);
});

test('import tegrastats: rails as channels, GPU rail primary, interval required without timestamps', async () => {
  const runsDir = join(dir, 'store-teg');
  const log = join(dir, 'teg.log');
  const line = 'RAM 2448/62840MB (lfb 2x4MB) SWAP 0/31420MB (cached 0MB) CPU [0%@2201,0%@2201] GR3D_FREQ 0% VDD_GPU_SOC 5000mW/5000mW VDD_CPU_CV 1000mW/1000mW VIN_SYS_5V0 4000mW/4000mW';
  writeFileSync(log, `${[line, line, line].join('\n')}\n`);
  await assert.rejects(importRuns({ format: 'tegrastats', paths: [log], runsDir }), (e: unknown) => e instanceof InferprintError && /interval/.test(e.message));
  const [r] = await importRuns({ format: 'tegrastats', paths: [log], runsDir, intervalS: 0.5, device: 'AGX-Orin' });
  const b = await readRunBundle(r!.path);
  assert.equal(b.manifest.sensor.primaryChannel, 'VDD_GPU_SOC');
  assert.deepEqual(b.manifest.sensor.channels.map((c) => c.kind), ['gpu', 'cpu', 'other']);
  assert.ok(Math.abs(b.manifest.energy!.primary.energyJ - 5 * 1) < 1e-12);
});

test('import bundle: copies a bundle whole, keeps its id, and a second import adds nothing', async () => {
  const a = join(dir, 'store-a');
  const bdir = join(dir, 'store-b');
  const log = join(dir, 'smi2.csv');
  writeFileSync(log, ['timestamp, power.draw [W]', '2025/05/30 12:00:00.000, 50.00 W', '2025/05/30 12:00:00.500, 60.00 W'].join('\n'));
  const [orig] = await importRuns({ format: 'nvidia-smi', paths: [log], runsDir: a });
  const [copy] = await importRuns({ format: 'bundle', paths: [orig!.path], runsDir: bdir });
  assert.equal(copy!.id, orig!.id);
  assert.equal(copy!.added, true);
  const [again] = await importRuns({ format: 'bundle', paths: [orig!.path], runsDir: bdir });
  assert.equal(again!.added, false);
  assert.equal((await listRunBundles(bdir)).length, 1);
  assert.equal(readdirSync(bdir).filter((n) => n.startsWith('.')).length, 0, 'no temporary left behind');
});

test('import bundle: a folder that is not a valid bundle is refused before anything is copied', async () => {
  const runsDir = join(dir, 'store-c');
  writeFileSync(join(dir, 'x'), '');
  await assert.rejects(importRuns({ format: 'bundle', paths: [dir], runsDir }), (e: unknown) => e instanceof InferprintError && /manifest\.json/.test(e.message));
});

test("import thesis: one bundle per run with the device's unit, its compute run and the MLPerf latency; analyze reads them back", { skip: skipWithoutThesis }, async () => {
  const runsDir = join(dir, 'store-thesis');
  const root = mkdtempSync(join(tmpdir(), 'inferprint-import-thesis-'));
  // A subset keeps the test quick: the Orin device alone (FULL, CI and its logs), in the study's layout.
  const { cpSync } = await import('node:fs');
  for (const phase of ['FULL', 'CI']) cpSync(join(THESIS_DIR, 'Data', 'data_orin_v4.1', phase), join(root, 'Data', 'data_orin_v4.1', phase), { recursive: true });
  cpSync(join(THESIS_DIR, 'Logs', 'Orin_v4.1_logs'), join(root, 'Logs', 'Orin_v4.1_logs'), { recursive: true });
  const runs = await importRuns({ format: 'thesis', paths: [root], runsDir });
  assert.equal(runs.length, 50, '5 query counts × 10 repetitions');
  const b = await readRunBundle(runs[0]!.path);
  assert.match(b.manifest.label, /^orin v4\.1 QC\d+ run\d+$/);
  assert.equal(b.manifest.device.hardwareId, 'AGX-Orin');
  assert.ok(b.manifest.energy!.primary.energyJ < 300, 'mW read as mW');
  const w = b.manifest.workload as unknown as { queryCount: number; repetition: number; computeRun: { energyJ: number }; mlperf: { runs: number; maxLatencyMs: number; linkedToRun: boolean } };
  assert.ok(w.computeRun.energyJ > 0 && w.computeRun.energyJ < b.manifest.energy!.primary.energyJ, 'the compute phase is part of the whole run');
  assert.equal(w.mlperf.linkedToRun, false);

  // Read back through analyze: the same energies and latencies as from the study's own layout.
  const fromBundles = analyze({ paths: [runsDir], method: 'trapezoid' });
  const fromDataset = analyze({ paths: [root], method: 'trapezoid' });
  const key = (r: AnalysisRow) => `${r.queryCount}`;
  const original = new Map(fromDataset.rows.filter((r) => r.energy).map((r) => [key(r), r]));
  assert.equal(fromBundles.rows.length, 5);
  for (const r of fromBundles.rows) {
    const o = original.get(key(r))!;
    assert.equal(r.datasetTag, 'orin');
    assert.equal(r.energy!.runs, 10);
    assert.ok(Math.abs(r.energy!.energyJ - o.energy!.energyJ) <= 1e-9 * o.energy!.energyJ, `QC${r.queryCount} energy ${r.energy!.energyJ} vs ${o.energy!.energyJ}`);
    assert.ok(Math.abs(r.compute!.energyJ - o.compute!.energyJ) <= 1e-9 * o.compute!.energyJ, `QC${r.queryCount} compute energy`);
    assert.equal(r.latency!.maxLatencyMs, o.latency!.maxLatencyMs);
  }
});

// ── CodeCarbon ─────────────────────────────────────────────────────────────────────

const CC_HEADER =
  'timestamp,project_name,run_id,duration,emissions,emissions_rate,cpu_power,gpu_power,ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code,region,cloud_provider,cloud_region,os,python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,longitude,latitude,ram_total_size,tracking_mode,on_cloud,pue';
/** Run A flushed once then stopped (two cumulative rows), run B on a CPU-only host (gpu_energy 0). */
const CC_ROWS = [
  '2024-05-27T11:26:35,bert,aaaa1111-0000-0000-0000-000000000001,150.5,0.008,5.3e-05,42.5,300.1,31.3,0.0017,0.0138,0.0013,0.0168,Singapore,SGP,,,,Linux,3.10.12,2.4.2,12,Intel(R) Xeon(R) CPU @ 2.20GHz,1,1 x NVIDIA A100-SXM4-40GB,103.85,1.28,83.47,machine,N,1.0',
  '2024-05-27T11:31:35,bert,aaaa1111-0000-0000-0000-000000000001,299.7817449569702,0.016563636840486076,5.5252319793066694e-05,42.5,302.3427402205822,31.303894042968754,0.0035390833232137897,0.027742843305368026,0.00260613401381208,0.03388806064239389,Singapore,SGP,,,,Linux,3.10.12,2.4.2,12,Intel(R) Xeon(R) CPU @ 2.20GHz,1,1 x NVIDIA A100-SXM4-40GB,103.85,1.28,83.47,machine,N,1.0',
  '2024-07-19T15:57:43,cpu-job,bbbb2222-0000-0000-0000-000000000002,554.2081344127655,0.00015379434004080274,2.775028558607534e-07,42.5,0.0,377.7889337539673,0.006542585306697421,0,0.05815249035074544,0.06469507565744285,Canada,CAN,quebec,,,Linux,3.10.12,2.3.5,160,Intel(R) Xeon(R) Platinum 8380 CPU @ 2.30GHz,,,-71.2,46.8,1007.43,process,N,1.0',
];
const J_PER_KWH = 3.6e6;

test('import codecarbon: one bundle per run, CodeCarbon energies to the joule, mean-power trace, times from the end stamp', async () => {
  const runsDir = join(dir, 'store-cc');
  const csv = join(dir, 'emissions.csv');
  writeFileSync(csv, `${[CC_HEADER, ...CC_ROWS].join('\n')}\n`);
  const runs = await importRuns({ format: 'codecarbon', paths: [csv], runsDir });
  assert.equal(runs.length, 2, 'two runs: the cumulative rows of run A are one run');
  const [a, b] = await Promise.all(runs.map((r) => readRunBundle(r.path)));

  // Run A: its last row. Energies exactly as CodeCarbon wrote them, kWh → J.
  const ma = a!.manifest;
  assert.equal(ma.sensor.name, 'codecarbon');
  assert.deepEqual(ma.sensor.provenance, { kind: 'measured', sensor: 'codecarbon' });
  assert.equal(ma.sensor.primaryChannel, 'total');
  assert.deepEqual(
    ma.sensor.channels.map((c) => [c.name, c.kind]),
    [
      ['cpu', 'cpu'],
      ['gpu', 'gpu'],
      ['ram', 'memory'],
      ['total', 'other'],
    ],
  );
  const d = 299.7817449569702;
  const expected: Record<string, number> = {
    cpu: 0.0035390833232137897 * J_PER_KWH,
    gpu: 0.027742843305368026 * J_PER_KWH,
    ram: 0.00260613401381208 * J_PER_KWH,
    total: 0.03388806064239389 * J_PER_KWH,
  };
  assert.deepEqual(Object.fromEntries(ma.energy!.perChannel.map((c) => [c.channel, c.energyJ])), expected);
  assert.deepEqual(ma.energy!.primary, { channel: 'total', energyJ: expected.total, durationS: d });
  assert.equal(ma.energy!.method, 'codecarbon-reported-without-pue');
  // The trace: two samples at the run's ends, constant power = energy / duration; its integral is the energy.
  for (const c of a!.trace.channels) {
    assert.deepEqual([...c.tS], [0, d], c.name);
    assert.deepEqual([...c.powerW], [expected[c.name]! / d, expected[c.name]! / d], c.name);
    assert.ok(Math.abs(trapezoidJ(c.tS, c.powerW) - expected[c.name]!) <= 1e-12 * expected[c.name]!, c.name);
  }
  assert.ok(ma.sensor.notes.some((n) => /mean power over the run .* not samples/.test(n)));
  assert.ok(ma.sensor.notes.some((n) => /2 cumulative rows of this run: the last one is imported/.test(n)));
  // CodeCarbon stamps the end of the run; the start is that minus the duration (read as UTC by default).
  const endMs = Date.parse('2024-05-27T11:31:35Z');
  assert.equal(ma.startedAt, new Date(endMs - d * 1000).toISOString());
  assert.equal(ma.startedAt, '2024-05-27T11:26:35.218Z');
  assert.equal(ma.endedAt, '2024-05-27T11:31:35.000Z');
  assert.deepEqual(ma.windows, [{ name: 'full', t0S: 0, t1S: d }]);
  assert.deepEqual(ma.gaps, []);
  assert.equal(ma.label, 'bert');
  assert.equal(ma.device.hardwareId, 'A100', 'one GPU CodeCarbon names, resolved against the database');
  const w = ma.workload as unknown as { format: string; line: number; codecarbon: Record<string, unknown> };
  assert.equal(w.format, 'codecarbon-csv');
  assert.equal(w.line, 3);
  assert.deepEqual(
    [w.codecarbon.emissionsKg, w.codecarbon.countryIsoCode, w.codecarbon.runId, w.codecarbon.projectName, w.codecarbon.trackingMode, w.codecarbon.rowsInRun],
    [0.016563636840486076, 'SGP', 'aaaa1111-0000-0000-0000-000000000001', 'bert', 'machine', 2],
  );

  // Run B: no GPU energy, so no gpu channel, and a note saying why; no GPU to name the hardware.
  const mb = b!.manifest;
  assert.deepEqual(
    mb.sensor.channels.map((c) => c.name),
    ['cpu', 'ram', 'total'],
  );
  assert.ok(mb.sensor.notes.some((n) => /gpu energy is 0 in the file/.test(n)));
  assert.equal(mb.energy!.primary.energyJ, 0.06469507565744285 * J_PER_KWH);
  assert.equal(mb.device.hardwareId, undefined);
  assert.equal(mb.device.name, 'Intel(R) Xeon(R) Platinum 8380 CPU @ 2.30GHz');

  // The same energies through analyze, from the bundles as from the file.
  const fromBundles = analyze({ paths: [runsDir], method: 'trapezoid' });
  const a100 = fromBundles.rows.find((r) => r.device === 'A100')!;
  assert.equal(a100.energy!.energyJ, expected.total);
  // analyze on the file takes its runs as repetitions of one workload: their mean.
  const fromFile = analyze({ paths: [csv], method: 'trapezoid', device: 'A100' });
  assert.equal(fromFile.rows.length, 1);
  const mean = (expected.total! + mb.energy!.primary.energyJ) / 2;
  assert.ok(Math.abs(fromFile.rows[0]!.energy!.energyJ - mean) <= 1e-12 * mean);

  // --time-zone: the stamp was local time on a host in Paris (UTC+2 in May).
  // --channel gpu must name a channel of every run: run B has none, so the whole file is refused.
  await assert.rejects(importRuns({ format: 'codecarbon', paths: [csv], runsDir: join(dir, 'store-cc-tz'), channel: 'gpu' }), (e: unknown) => e instanceof InferprintError && /line 4 has no channel 'gpu'/.test(e.message));
  assert.equal(existsSync(join(dir, 'store-cc-tz')), false);
  const onlyA = join(dir, 'emissions-a.csv');
  writeFileSync(onlyA, `${[CC_HEADER, CC_ROWS[0]!, CC_ROWS[1]!].join('\n')}\n`);
  // The file names an A100: --device H100-NVL relabels it only with --force (test/analysis/device-identity.test.ts).
  const tz = await importRuns({ format: 'codecarbon', paths: [onlyA], runsDir: join(dir, 'store-cc-tz'), timeZone: 'Europe/Paris', device: 'H100-NVL', channel: 'gpu', force: true });
  const mtz = (await readRunBundle(tz[0]!.path)).manifest;
  assert.equal(mtz.startedAt, new Date(endMs - 2 * 3600_000 - d * 1000).toISOString());
  assert.equal(mtz.device.hardwareId, 'H100-NVL');
  assert.deepEqual(mtz.energy!.primary, { channel: 'gpu', energyJ: expected.gpu, durationS: d });
});

test('import codecarbon: malformed rows are refused naming file, line and field, and nothing is written', async () => {
  const runsDir = join(dir, 'store-cc-bad');
  const good = CC_ROWS[2]!;
  const cells = good.split(',');
  const col = (name: string): number => CC_HEADER.split(',').indexOf(name);
  const withCell = (name: string, value: string): string => cells.map((c, i) => (i === col(name) ? value : c)).join(',');
  const cases: [string, string, string, string, RegExp][] = [
    ['empty duration', withCell('duration', ''), 'PARSE', 'duration', /not a number/],
    ['text energy', withCell('energy_consumed', 'lots'), 'PARSE', 'energy_consumed', /not a number/],
    ['negative part', withCell('cpu_energy', '-0.1'), 'INVALID_VALUE', 'cpu_energy', /negative/],
    ['zero duration', withCell('duration', '0'), 'INVALID_VALUE', 'duration', /needs a duration/],
    ['bad timestamp', withCell('timestamp', '27/05/2024 11:31'), 'PARSE', 'timestamp', /not an ISO timestamp/],
  ];
  for (const [what, row, code, field, message] of cases) {
    const csv = join(dir, `cc-bad-${field}.csv`);
    // A good row first: the bad one after it must still leave the store untouched.
    writeFileSync(csv, `${[CC_HEADER, CC_ROWS[0]!, row].join('\n')}\n`);
    await assert.rejects(
      importRuns({ format: 'codecarbon', paths: [csv], runsDir }),
      (e: unknown) => e instanceof InferprintError && e.code === code && e.where.file === csv && e.where.line === 3 && e.where.field === field && message.test(e.message),
      what,
    );
  }
  const noColumn = join(dir, 'cc-no-energy.csv');
  writeFileSync(noColumn, 'timestamp,duration\n2024-05-27T11:31:35,10\n');
  await assert.rejects(importRuns({ format: 'codecarbon', paths: [noColumn], runsDir }), (e: unknown) => e instanceof InferprintError && e.where.field === 'energy_consumed' && e.where.line === 1);
  assert.equal(existsSync(runsDir), false, 'no bundle was written');
});

// ── MLPerf log trees ───────────────────────────────────────────────────────────────

test('import mlperf: one power-less bundle per readable run of the study\'s T4 logs; analyze gives the log tree\'s latencies', { skip: skipWithoutThesis }, async () => {
  const logs = join(THESIS_DIR, 'Logs', 'T4_v1.1_logs');
  const runsDir = join(dir, 'store-mlperf');
  const tree = scanMlperfLogTree(logs);
  const report = await importRunsReport({ format: 'mlperf', paths: [logs], runsDir });
  assert.equal(report.imported.length, tree.runs.length, 'one bundle per parsable summary');
  assert.ok(tree.runs.length > 0);
  // Runs that cannot be read are reported, not imported (the T4 set holds one empty summary).
  assert.deepEqual(
    report.skipped.map((s) => [s.path, s.reason]),
    tree.skipped.map((s) => [s.path, s.reason]),
  );
  assert.ok(report.skipped.some((s) => s.reason === 'empty-summary'));

  const bundles = await Promise.all(report.imported.map((r) => readAnyRunBundle(r.path)));
  for (const b of bundles) {
    assert.equal(b.trace, undefined, 'no power');
    assert.equal(b.manifest.sensor, undefined);
    assert.equal(b.manifest.energy, undefined);
    assert.ok(b.files.some((f) => f.role === 'mlperf_log_summary'));
    const w = b.manifest.workload as unknown as { format: string; scenario: string; queryCount: number; mode: string; datasetTag: string; version: string };
    assert.equal(w.format, 'mlperf');
    assert.equal(w.scenario, 'SingleStream');
    assert.ok([16, 32, 64, 128, 256].includes(w.queryCount));
    assert.equal(w.mode, 'PerformanceOnly');
    assert.deepEqual([w.datasetTag, w.version], ['T4', 'v1.1']);
    assert.equal(b.manifest.device.hardwareId, 'Tesla-T4');
  }

  // A run with a detail log: its logs carried by role, times from LoadGen's power_begin/power_end (UTC).
  const withDetail = bundles.find((b) => b.files.some((f) => f.role === 'mlperf_log_detail'))!;
  assert.deepEqual(withDetail.files.map((f) => f.role).sort(), ['mlperf_log_accuracy', 'mlperf_log_detail', 'mlperf_log_summary']);
  const detail = readMlperfDetail(withDetail.files.find((f) => f.role === 'mlperf_log_detail')!.path);
  assert.equal(withDetail.manifest.startedAt, new Date(detail.powerBeginMs!).toISOString());
  assert.equal(withDetail.manifest.endedAt, new Date(detail.powerEndMs!).toISOString());
  assert.deepEqual(withDetail.manifest.windows, [{ name: 'compute', t0S: 0, t1S: (detail.powerEndMs! - detail.powerBeginMs!) / 1000 }]);
  // test_datetime is local time (here UTC+2) despite its Z: power_begin is 2 h earlier.
  assert.equal(detail.hostUtcOffsetMin, 120);
  // A run with only its summary: the run folder's local time, read as UTC by default, and said so.
  const summaryOnly = bundles.find((b) => b.files.length === 1)!;
  const folder = (summaryOnly.manifest.workload as unknown as { sourcePath: string }).sourcePath.split('/').at(-4)!;
  assert.equal(summaryOnly.manifest.startedAt.slice(0, 19), folder.replace(/^(\d+)\.(\d+)\.(\d+)-(\d+)\.(\d+)\.(\d+)$/, '$1-$2-$3T$4:$5:$6'));
  assert.ok(summaryOnly.manifest.notes!.some((n) => /run folder's name .* local time/.test(n)));

  // The store lists them, with no power.
  const listing = await openStore(runsDir).list();
  assert.equal(listing.runs.length, tree.runs.length);
  assert.ok(listing.rows.every((r) => r.sensor === null && r.energy_j === null && r.has_mlperf));

  // analyze RUNSDIR: the same latency per query count as analyze on the log tree itself.
  const fromBundles = analyze({ paths: [runsDir], method: 'trapezoid' });
  const fromTree = analyze({ paths: [logs], method: 'trapezoid' });
  const key = (r: AnalysisRow): string => `${r.device}|${r.version}|${r.scenario}|${r.queryCount}`;
  assert.deepEqual(fromBundles.rows.map(key), fromTree.rows.map(key));
  for (const [i, r] of fromBundles.rows.entries()) {
    assert.equal(r.energy, undefined, 'latency only');
    assert.deepEqual(r.latency, fromTree.rows[i]!.latency, key(r));
  }
  assert.equal(fromBundles.rows.length, 5);

  // --device names the hardware; --time-zone reads the local times in the host's zone.
  const tz = await importRunsReport({ format: 'mlperf', paths: [logs], runsDir: join(dir, 'store-mlperf-tz'), device: 'T4', timeZone: 'Europe/Paris' });
  const again = await Promise.all(tz.imported.map((r) => readAnyRunBundle(r.path)));
  const same = again.find((b) => (b.manifest.workload as unknown as { sourcePath: string }).sourcePath === (summaryOnly.manifest.workload as unknown as { sourcePath: string }).sourcePath)!;
  assert.equal(Date.parse(same.manifest.startedAt), Date.parse(summaryOnly.manifest.startedAt) - 2 * 3600_000);
  const sameDetail = again.find((b) => b.manifest.id.includes(withDetail.manifest.startedAt.replace(/:/g, '-')))!;
  assert.equal(sameDetail.manifest.startedAt, withDetail.manifest.startedAt, 'power_begin is UTC whatever the zone');
});

test('import mlperf: a folder without a readable summary is NO_DATA; a power-less bundle imports as a bundle', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'inferprint-import-nologs-'));
  mkdirSync(join(empty, '2025.05.30-21.09.37'));
  await assert.rejects(importRuns({ format: 'mlperf', paths: [empty], runsDir: join(dir, 'store-none') }), (e: unknown) => e instanceof InferprintError && e.code === 'NO_DATA');
  // Options for power files mean nothing here: refused, not ignored.
  await assert.rejects(importRuns({ format: 'mlperf', paths: [empty], runsDir: join(dir, 'store-none'), intervalS: 0.1 }), (e: unknown) => e instanceof InferprintError && e.code === 'USAGE' && e.where.flag === '--interval');

  // A synthetic run folder: summary only, no log set; the hardware named by --device.
  const tree = mkdtempSync(join(tmpdir(), 'inferprint-import-logs-'));
  const run = join(tree, 'run1');
  mkdirSync(run);
  writeFileSync(join(run, 'mlperf_log_summary.txt'), SUMMARY_TEXT);
  const runsDir = join(dir, 'store-one');
  const [r] = await importRuns({ format: 'mlperf', paths: [tree], runsDir, device: 'A100-PCIE-40GB', label: 'one run' });
  const b = await readAnyRunBundle(r!.path);
  assert.equal(b.manifest.label, 'one run');
  assert.equal(b.manifest.device.hardwareId, 'A100-PCIE-40GB');
  assert.ok(b.manifest.notes!.some((n) => /modification time/.test(n)));
  const [copy] = await importRuns({ format: 'bundle', paths: [r!.path], runsDir: join(dir, 'store-one-copy') });
  assert.equal(copy!.id, r!.id);
  assert.equal(copy!.added, true);
});

test('inferprint import mlperf|codecarbon: every source on stdout (added, already present, skipped with the reason), bad flags exit 2', async () => {
  const tree = mkdtempSync(join(tmpdir(), 'inferprint-import-cli-'));
  for (const [name, text] of [
    ['2025.05.30-21.30.13', SUMMARY_TEXT],
    ['2025.05.30-21.31.13', ''],
  ] as const) {
    const run = join(tree, 'T4_v1.1_logs', name, 'T4x1_TRT', 'bert-99', 'SingleStream');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'mlperf_log_summary.txt'), text);
  }
  const runsDir = join(dir, 'store-cli');
  const cli = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {}, cwd: dir, isTTY: false });
    return { code, out, err };
  };
  const r = await cli(['import', 'mlperf', tree, '--runs-dir', runsDir, '--time-zone', 'Europe/Paris']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /\n1 added, 0 already present, 1 skipped \(runs directory /);
  assert.match(r.out, /\nadded +\S+ +\S+2025\.05\.30-21\.30\.13\S+\n/);
  assert.match(r.out, /\nskipped +— +\S+2025\.05\.30-21\.31\.13\S+mlperf_log_summary\.txt +empty-summary — /);
  assert.equal(r.err, '');
  const [b] = await listRunBundles(runsDir);
  assert.equal(b!.manifest.startedAt, '2025-05-30T19:30:13.000Z', 'the folder name read in the host zone');

  const csv = join(dir, 'emissions-cli.csv');
  writeFileSync(csv, `${[CC_HEADER, CC_ROWS[2]!].join('\n')}\n`);
  const j = await cli(['import', 'codecarbon', csv, '--runs-dir', runsDir, '--format', 'json']);
  assert.equal(j.code, 0, j.err);
  const body = JSON.parse(j.out) as { imported: { id: string }[]; skipped: unknown[] };
  assert.equal(body.imported.length, 1);
  assert.deepEqual(body.skipped, []);

  const bad = await cli(['import', 'codecarbon', csv, '--runs-dir', runsDir, '--interval', '50ms']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--interval does not apply to 'import codecarbon'/);
});
