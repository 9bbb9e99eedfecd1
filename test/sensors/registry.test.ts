import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { InferprintError } from '../../src/errors.js';
import { chooseSensor, getSensor, shortCause, SUMMARY_MAX_CHARS } from '../../src/sensors/io/registry.js';
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
  // One short line by default (the full reasons above run to hundreds of characters).
  assert.equal(choice.summary, 'estimate (auto: no power sensor: nvml, nvidia-smi, ina3221, tegrastats, rapl absent)');
  assert.ok(choice.why.length > 2 * choice.summary.length);
});

test('the short line: causes in a word or two from the sensors\' own reasons, grouped; never longer than the limit', async () => {
  const cases: [string, string][] = [
    ['libnvidia-ml.so.1 not found: no NVIDIA driver installed (or set INFERPRINT_NVML_LIB to the path of libnvidia-ml.so.1)', 'absent'],
    ['nvidia-smi not found on PATH', 'absent'],
    ['nvidia-smi found at /usr/bin/nvidia-smi but not executable (permission denied)', 'no permission'],
    ['tegrastats found at /usr/bin/tegrastats but not executable', 'not executable'],
    ['nvidia-smi --list-gpus did not answer within 10 s', 'no answer'],
    ['NVML (/usr/lib/libnvidia-ml.so.1) initialised but reports no GPU', 'no GPU'],
    ['no RAPL zones under /sys/class/powercap (not an x86 CPU, a VM without RAPL, or the intel_rapl_common module not loaded)', 'absent'],
    ['permission denied reading RAPL energy counters: /sys/class/powercap/intel-rapl:0/energy_uj: permission denied (EACCES) [IO]', 'no permission'],
    ['no INA3221 power monitor (not a Jetson, or its rails are not exposed): /sys/class/hwmon: does not exist [NOT_FOUND]', 'absent'],
    ['nvidia-smi --query-gpu exited with code 9: GPU is lost', 'failed'],
  ];
  for (const [reason, short] of cases) assert.equal(shortCause(reason), short, reason);
  // A long detail (a deep path, many rails) is cut, the count of passed-over sensors kept.
  const tree = new FakeTree();
  const deep = join(tree.root, 'a'.repeat(150));
  mkdirSync(deep);
  const smi = join(deep, 'nvidia-smi');
  copyFileSync(join(FAKE_BIN, 'nvidia-smi'), smi);
  chmodSync(smi, 0o755);
  const choice = await chooseSensor('auto', env(tree.root, { PATH: `${deep}${delimiter}${process.env.PATH ?? ''}`, INFERPRINT_NVML_LIB: '/nonexistent/lib.so' }));
  assert.equal(choice.sensor.name, 'nvidia-smi');
  assert.ok(choice.summary.length <= SUMMARY_MAX_CHARS, choice.summary);
  assert.match(choice.summary, /^nvidia-smi \(auto: .*…; 1 better one passed over\)$/);
  assert.ok(choice.why.includes(deep), 'the full reasons keep the whole path');
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
