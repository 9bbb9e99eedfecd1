import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { measure } from '../../src/app/measure.js';
import { saveMeasureRun } from '../../src/app/measure-bundle.js';
import { readRunBundle } from '../../src/runs/io/bundle.js';
import type { SensorEnv } from '../../src/sensors/types.js';
import { FAKE_BIN } from '../fakes/child-env.js';
import { FakeTree, RAPL_RANGE_UJ, setRaplEnergy, writeHwmonIna3221, writeRaplZones } from '../helpers/fake-sys.js';

/**
 * `measure` end to end (sensor → recorder → summary → impact → bundle) with each sensor that
 * reads files or runs a tool, on fakes: the tegrastats executable, /sys trees, the real /proc.
 */
const node = process.execPath;
const runsDir = mkdtempSync(join(tmpdir(), 'inferprint-measure-sensors-'));

function env(root: string, vars: Record<string, string | undefined> = {}): SensorEnv {
  return { clock: { monotonicS: () => performance.now() / 1000, epochMs: () => Date.now() }, root, env: vars, spawn: (c, a, o) => spawn(c, [...a], o) };
}

async function run(sensor: string, e: SensorEnv, extra: { hardware?: string } = {}) {
  const command = [node, '-e', 'setTimeout(() => {}, 400)'];
  const r = await measure({ command, sensor, intervalS: 0.02, cwd: runsDir, env: e, signals: new EventEmitter(), ...extra });
  const saved = await saveMeasureRun(r, runsDir, { command, cwd: runsDir });
  return { r, bundle: await readRunBundle(saved.path) };
}

test('measure with tegrastats: every rail saved, GPU rail primary, AGX Orin from --hardware', async () => {
  const { r, bundle } = await run('tegrastats', env('/', { PATH: `${FAKE_BIN}${delimiter}${process.env.PATH ?? ''}`, FAKE_TEGRASTATS_MODULE: 'orin' }), { hardware: 'AGX-Orin' });
  assert.equal(r.status.kind, 'completed');
  assert.equal(r.summary.primaryChannel, 'VDD_GPU_SOC');
  assert.ok(r.summary.channels.length >= 3);
  assert.ok(r.impact && r.impact.gwpG.mean > 0 && r.impact.embodiedG.mean > 0);
  assert.deepEqual(bundle.manifest.sensor.channels.map((c) => c.name).sort(), r.summary.channels.map((c) => c.name).sort());
  assert.equal(bundle.manifest.device.hardwareId, 'AGX-Orin');
});

test('measure with rapl: counter energy through the run, power derived, wrap-around unfolded', async () => {
  const tree = new FakeTree();
  const startUj = RAPL_RANGE_UJ - 2_000_000;
  writeRaplZones(tree, [{ id: 'intel-rapl:0', name: 'package-0', energyUj: startUj, maxEnergyRangeUj: RAPL_RANGE_UJ }]);
  // 50 W, wrapping early on. The counter follows the sensor's own clock: every time the
  // clock is read the file is set to the energy at that instant, so the test does not depend
  // on a background timer keeping pace on a loaded machine (a late timer skews ΔE/Δt).
  let t0: number | undefined;
  const base = env(tree.root);
  const e: SensorEnv = {
    ...base,
    clock: {
      epochMs: () => Date.now(),
      monotonicS: () => {
        const t = performance.now() / 1000;
        t0 ??= t;
        setRaplEnergy(tree, 'intel-rapl:0', (startUj + Math.round((t - t0) * 50e6)) % RAPL_RANGE_UJ);
        return t;
      },
    },
  };
  const { r, bundle } = await run('rapl', e);
  const pkg = r.summary.channels.find((c) => c.name === 'package-0')!;
  assert.ok(Math.abs(pkg.meanW - 50) < 5, `mean ${pkg.meanW} W`);
  assert.ok(r.summary.counters.length === 1, 'the counter is compared with the integrated power');
  assert.equal(bundle.counters?.length, 1);
  const energy = bundle.counters[0]!.energyJ;
  assert.ok(energy.every((v, i, a) => i === 0 || v >= a[i - 1]!), 'unfolded counter never decreases');
  assert.ok(energy.at(-1)! > 2, 'the run went past the wrap-around (2 J after the start)');
});

test('measure with ina3221 (hwmon): rails in W from mV × mA', async () => {
  const tree = new FakeTree();
  tree.write('proc/device-tree/model', 'NVIDIA Jetson AGX Orin Developer Kit', false);
  writeHwmonIna3221(tree, 'hwmon1', [
    { label: 'VDD_GPU_SOC', mV: 5000, mA: 1000 },
    { label: 'VDD_CPU_CV', mV: 5000, mA: 200 },
    { label: 'VIN_SYS_5V0', mV: 5000, mA: 800 },
  ]);
  const { r } = await run('ina3221', env(tree.root), { hardware: 'AGX-Orin' });
  assert.equal(r.summary.primaryChannel, 'VDD_GPU_SOC');
  const gpu = r.summary.channels.find((c) => c.name === 'VDD_GPU_SOC')!;
  assert.equal(gpu.maxW, 5);
  assert.equal(gpu.minW, 5);
});

test('measure with the estimator on the real /proc: marked estimated everywhere', async () => {
  // The host's CPU decides whether it resolves to a hardware entry (see measure-estimate.test.ts
  // for the full LCA on a fake /proc); either way the run is marked estimated.
  const { r, bundle } = await run('estimate', env('/'));
  assert.equal(r.recording.info.provenance.kind, 'estimated');
  assert.equal(bundle.manifest.sensor.provenance.kind, 'estimated');
  assert.ok(r.impact !== undefined || (r.operationalOnlyG !== undefined && r.notes.some((n) => /embodied part left out/.test(n))));
});
