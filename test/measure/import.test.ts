import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importRuns } from '../../src/app/import.js';
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

test("import thesis: one bundle per run file, with the device's unit", { skip: skipWithoutThesis }, async () => {
  const runsDir = join(dir, 'store-thesis');
  const root = mkdtempSync(join(tmpdir(), 'inferprint-import-thesis-'));
  // A subset keeps the test quick: the Orin folder alone, through a root holding Data/.
  const { cpSync } = await import('node:fs');
  cpSync(join(THESIS_DIR, 'Data', 'data_orin_v4.1', 'FULL'), join(root, 'Data', 'data_orin_v4.1', 'FULL'), { recursive: true });
  const runs = await importRuns({ format: 'thesis', paths: [root], runsDir });
  assert.equal(runs.length, 50);
  const b = await readRunBundle(runs[0]!.path);
  assert.match(b.manifest.label, /^orin v4\.1 QC\d+ run\d+ full$/);
  assert.equal(b.manifest.device.hardwareId, 'AGX-Orin');
  assert.ok(b.manifest.energy!.primary.energyJ < 300, 'mW read as mW');
});
