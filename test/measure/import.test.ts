import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importRuns } from '../../src/app/import.js';
import { analyze } from '../../src/app/analyze.js';
import type { AnalysisRow } from '../../src/analysis/types.js';
import { InferprintError } from '../../src/errors.js';
import { readRunBundle } from '../../src/runs/bundle.js';
import { listRunBundles } from '../../src/runs/runs-dir.js';
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
