import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { delimiter } from 'node:path';
import { InferprintError } from '../../src/errors.js';
import { chooseSensor, getSensor } from '../../src/sensors/registry.js';
import type { SensorEnv } from '../../src/sensors/types.js';
import { FAKE_BIN } from '../fakes/child-env.js';
import { fakeNvmlPath, skipWithoutFakeNvml, useScenario } from '../helpers/fake-nvml.js';
import { FakeTree, RAPL_RANGE_UJ, writeRaplZones } from '../helpers/fake-sys.js';

const PROC_STAT = 'cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 50 0 50 400 0 0 0 0 0 0\ncpu1 50 0 50 400 0 0 0 0 0 0\n';

function env(root: string, vars: Record<string, string | undefined>): SensorEnv {
  return {
    clock: { monotonicS: () => performance.now() / 1000, epochMs: () => Date.now() },
    root,
    env: vars,
    spawn: (c, a, o) => spawn(c, [...a], o),
  };
}

test('auto on a bare VM: nothing measured is available, the estimator is chosen and every reason is given', async () => {
  const tree = new FakeTree();
  tree.write('proc/stat', PROC_STAT, false);
  const choice = await chooseSensor('auto', env(tree.root, { PATH: '/nonexistent', INFERPRINT_NVML_LIB: '/nonexistent/libnvidia-ml.so.1' }));
  assert.equal(choice.sensor.name, 'estimate');
  assert.deepEqual(choice.passedOver.map((p) => p.name), ['nvml', 'nvidia-smi', 'ina3221', 'tegrastats', 'rapl']);
  for (const p of choice.passedOver) assert.ok(p.reason.length > 0);
  assert.match(choice.why, /^auto: .*passed over nvml \(/);
});

test('auto prefers RAPL to the estimator when powercap is readable', async () => {
  const tree = new FakeTree();
  tree.write('proc/stat', PROC_STAT, false);
  writeRaplZones(tree, [{ id: 'intel-rapl:0', name: 'package-0', energyUj: 1000, maxEnergyRangeUj: RAPL_RANGE_UJ }]);
  const choice = await chooseSensor('auto', env(tree.root, { PATH: '/nonexistent', INFERPRINT_NVML_LIB: '/nonexistent/lib.so' }));
  assert.equal(choice.sensor.name, 'rapl');
});

test('auto prefers nvidia-smi to everything below it', async () => {
  const tree = new FakeTree();
  const choice = await chooseSensor('auto', env(tree.root, { PATH: `${FAKE_BIN}${delimiter}${process.env.PATH ?? ''}`, INFERPRINT_NVML_LIB: '/nonexistent/lib.so' }));
  assert.equal(choice.sensor.name, 'nvidia-smi');
});

test('auto takes NVML first when the library loads', { skip: skipWithoutFakeNvml }, async () => {
  useScenario(['devices 1', 'gpu0.name NVIDIA H200']);
  const tree = new FakeTree();
  const choice = await chooseSensor('auto', env(tree.root, { PATH: FAKE_BIN, INFERPRINT_NVML_LIB: fakeNvmlPath() }));
  assert.equal(choice.sensor.name, 'nvml');
  assert.deepEqual(choice.passedOver, []);
});

test('a named sensor that cannot run is refused with its reason; unknown names are usage errors', async () => {
  const tree = new FakeTree();
  await assert.rejects(chooseSensor('rapl', env(tree.root, {})), (e: unknown) => e instanceof InferprintError && e.code === 'SENSOR_UNAVAILABLE' && /rapl/.test(e.message));
  await assert.rejects(getSensor('geiger'), (e: unknown) => e instanceof InferprintError && e.code === 'USAGE' && /flag --sensor/.test(e.message));
  await assert.rejects(getSensor('replay:'), (e: unknown) => e instanceof InferprintError && e.code === 'USAGE');
});
