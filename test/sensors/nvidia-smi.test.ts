import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNvidiaSmiSensor, nvidiaSmiSensor, parseGpuList, zoneOffsetMs } from '../../src/sensors/io/nvidia-smi.js';
import type { SensorHandle } from '../../src/sensors/types.js';
import { CollectingSink, exitOf, fakeToolEnv, type Spawned } from '../fakes/child-env.js';
import { rejection } from '../helpers/decode.js';

// The fake nvidia-smi (test/fakes/bin/nvidia-smi) prints lines in the real format, e.g.
// `2026/07/03 22:10:46.109, 0, 77.71` for timestamp,index,power.draw.instant with nounits.

const INTERVAL_S = 0.02;
const loops = (spawned: readonly Spawned[]) => spawned.filter((s) => s.args.includes('-lms'));

async function startWith(vars: Record<string, string>, opts: { device?: string } = {}) {
  const { env, spawned } = fakeToolEnv(vars);
  const sink = new CollectingSink();
  const handle = await nvidiaSmiSensor.start(env, { intervalS: INTERVAL_S, ...opts }, sink);
  return { env, spawned, sink, handle };
}

async function sampleAndStop(handle: SensorHandle, sink: CollectingSink, n = 5): Promise<void> {
  try {
    await sink.waitFor(handle.info.primaryChannel, n);
  } finally {
    await handle.stop();
  }
}

test('probe: finds the fake on the PATH given to the sensor and lists its GPUs', async () => {
  const { env } = fakeToolEnv({ FAKE_SMI_GPUS: '2' });
  const r = await nvidiaSmiSensor.probe(env);
  assert.ok(r.ok, JSON.stringify(r));
  assert.match(r.detail, /2 GPUs \(0: NVIDIA H200, 1: NVIDIA H200\), power\.draw\.instant$/);
});

test('probe and start without nvidia-smi on PATH: "nvidia-smi not found on PATH"', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'inferprint-path-'));
  try {
    const { env, spawned } = fakeToolEnv({}, { path: empty });
    const r = await nvidiaSmiSensor.probe(env);
    assert.deepEqual(r, { ok: false, reason: 'nvidia-smi not found on PATH' });
    const e = await rejection(nvidiaSmiSensor.start(env, { intervalS: 0.1 }, new CollectingSink()));
    assert.equal(e.code, 'SENSOR_UNAVAILABLE');
    assert.match(e.message, /nvidia-smi not found on PATH/);
    assert.equal(spawned.length, 0);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('probe: a nvidia-smi that is not executable is named, with the cause', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-path-'));
  try {
    writeFileSync(join(dir, 'nvidia-smi'), '#!/bin/sh\n');
    chmodSync(join(dir, 'nvidia-smi'), 0o644);
    const { env } = fakeToolEnv({}, { path: dir });
    const r = await nvidiaSmiSensor.probe(env);
    if (r.ok) assert.fail(`probe should fail: ${r.detail}`);
    assert.match(r.reason, /nvidia-smi found at .*nvidia-smi but not executable \(permission denied\)/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('one child process for the whole run, with the instant field, nounits and -lms in ms', async () => {
  const { spawned, sink, handle } = await startWith({ FAKE_SMI_POWER_W: '123.45' });
  await sampleAndStop(handle, sink, 8);
  const loop = loops(spawned);
  assert.equal(loop.length, 1, 'exactly one sampling child');
  assert.deepEqual(loop[0]!.args, ['--query-gpu=timestamp,index,power.draw.instant', '--format=csv,noheader,nounits', '-lms', '20']);
  // Besides it, only the two one-shot discovery queries ran (GPU list, instant support).
  assert.equal(spawned.length, 3);
  assert.ok(sink.samples.get('gpu0')!.tS.length >= 8);
});

test('power.draw.instant: no update-period claim, no fallback note; samples equal the scenario power', async () => {
  const { sink, handle } = await startWith({ FAKE_SMI_POWER_W: '123.45' });
  await sampleAndStop(handle, sink);
  assert.equal(handle.info.updatePeriodS, undefined);
  assert.ok(!handle.info.notes.some((n) => n.includes('not supported')));
  assert.deepEqual(handle.info.provenance, { kind: 'measured', sensor: 'nvidia-smi' });
  assert.equal(handle.info.requestedIntervalS, INTERVAL_S);
  // Printed with two decimals: 123.45 exactly.
  for (const w of sink.samples.get('gpu0')!.powerW) assert.equal(w, 123.45);
});

test('driver without power.draw.instant: falls back to power.draw, updatePeriodS 1 and a note saying why', async () => {
  const { spawned, sink, handle } = await startWith({ FAKE_SMI_NO_INSTANT: '1', FAKE_SMI_POWER_W: '250' });
  await sampleAndStop(handle, sink);
  assert.equal(loops(spawned)[0]!.args[0], '--query-gpu=timestamp,index,power.draw');
  assert.equal(handle.info.updatePeriodS, 1);
  const note = handle.info.notes.find((n) => n.startsWith('power.draw.instant not supported'));
  assert.ok(note, handle.info.notes.join(' | '));
  assert.match(note, /is not a valid field to query/);
  assert.match(note, /1 s average/);
  for (const w of sink.samples.get('gpu0')!.powerW) assert.equal(w, 250);
});

test('GPU that reports [N/A] for power.draw.instant: the same fallback, naming the value', async () => {
  const { env } = fakeToolEnv({ FAKE_SMI_NO_INSTANT: 'na' });
  const probe = await nvidiaSmiSensor.probe(env);
  assert.ok(probe.ok);
  assert.match(probe.detail, /power\.draw \(1 s average/);
  const { spawned, sink, handle } = await startWith({ FAKE_SMI_NO_INSTANT: 'na' });
  await sampleAndStop(handle, sink);
  assert.equal(loops(spawned)[0]!.args[0], '--query-gpu=timestamp,index,power.draw');
  assert.equal(handle.info.updatePeriodS, 1);
  assert.ok(handle.info.notes.some((n) => n.includes('reports "[N/A]" for power.draw.instant')));
});

test('two GPUs: two channels with their product names, each at its own power, and their sum as the primary', async () => {
  const { sink, handle } = await startWith({ FAKE_SMI_GPUS: '2', FAKE_SMI_POWER_W: '150,300', FAKE_SMI_NAME: 'NVIDIA H100 80GB HBM3' });
  await sink.waitFor('gpu1', 5);
  await handle.stop();
  assert.deepEqual(handle.info.channels, [
    { name: 'gpu0', kind: 'gpu', device: 'NVIDIA H100 80GB HBM3' },
    { name: 'gpu1', kind: 'gpu', device: 'NVIDIA H100 80GB HBM3' },
    { name: 'sum', kind: 'gpu', device: 'NVIDIA H100 80GB HBM3' },
  ]);
  assert.equal(handle.info.primaryChannel, 'sum');
  assert.deepEqual(handle.info.primarySums, ['gpu0', 'gpu1']);
  assert.ok(sink.samples.get('gpu0')!.powerW.every((w) => w === 150));
  assert.ok(sink.samples.get('gpu1')!.powerW.every((w) => w === 300));
});

test('two GPUs at 100 W and 150 W, lines 1 ms apart: one sum sample of 250 W per cycle at its last line, a note, no warning', async () => {
  const { sink, handle } = await startWith({ FAKE_SMI_GPUS: '2', FAKE_SMI_POWER_W: '100,150', FAKE_SMI_STEP_MS: '1' });
  await sampleAndStop(handle, sink, 10);
  assert.equal(handle.info.primaryChannel, 'sum');
  assert.ok(handle.info.notes.includes('sum = gpu0 + gpu1 (all 2 GPUs): the primary channel'), handle.info.notes.join(' | '));
  assert.ok(handle.info.notes.some((n) => n.startsWith("sum is sampled once per nvidia-smi cycle")));
  assert.deepEqual(handle.info.warnings, []);
  const g1 = sink.samples.get('gpu1')!;
  const sum = sink.samples.get('sum')!;
  assert.ok(sum.powerW.every((w) => w === 250), sum.powerW.join(','));
  // Every complete cycle gives one sum sample, stamped with gpu1's line (the cycle's last).
  assert.deepEqual(sum.tS, g1.tS.slice(0, sum.tS.length));
  assert.ok(g1.tS.length - sum.tS.length <= 1, 'at most the cycle cut by stop is left out');
  // Energy = 250 W × the span of the sum's samples (constant power: exact).
  let energyJ = 0;
  for (let i = 1; i < sum.tS.length; i++) energyJ += ((sum.powerW[i]! + sum.powerW[i - 1]!) / 2) * (sum.tS[i]! - sum.tS[i - 1]!);
  assert.ok(Math.abs(energyJ - 250 * (sum.tS.at(-1)! - sum.tS[0]!)) < 1e-9);
});

test('two GPUs, a line dropped in two cycles: no sum sample for those cycles, and a warning counts them', async () => {
  // Cycle 2 loses gpu1's line, cycle 4 loses gpu0's: neither may be summed with a line of another cycle.
  const { sink, handle } = await startWith({ FAKE_SMI_GPUS: '2', FAKE_SMI_POWER_W: '100,150', FAKE_SMI_STEP_MS: '1', FAKE_SMI_DROP: '2:1,4:0' });
  await sampleAndStop(handle, sink, 8);
  const g0 = sink.samples.get('gpu0')!;
  const g1 = sink.samples.get('gpu1')!;
  const sum = sink.samples.get('sum')!;
  assert.ok(sum.powerW.every((w) => w === 250), `never a lone GPU as the sum: ${sum.powerW.join(',')}`);
  // Cycles 0, 1, 3, 5, 6, …: gpu1's lines, less the one of cycle 4 whose gpu0 is missing.
  const complete = g1.tS.filter((_, i) => i !== 3);
  assert.deepEqual(sum.tS, complete.slice(0, sum.tS.length));
  // gpu0 lost one line and gpu1 one; stop may cut the last cycle after gpu0's line.
  assert.ok([0, 1].includes(g0.tS.length - g1.tS.length), `${g0.tS.length} vs ${g1.tS.length} lines`);
  assert.deepEqual(handle.info.warnings, [
    "2 nvidia-smi cycles missed a GPU's line: no sum sample for them (a sum of fewer than 2 GPUs would undercount); the sum trace is bridged linearly over them",
  ]);
});

test('one GPU: unchanged, gpu0 is the primary, no sum channel and no warning', async () => {
  const { sink, handle } = await startWith({ FAKE_SMI_POWER_W: '100' });
  await sampleAndStop(handle, sink, 3);
  assert.deepEqual(handle.info.channels, [{ name: 'gpu0', kind: 'gpu', device: 'NVIDIA H200' }]);
  assert.equal(handle.info.primaryChannel, 'gpu0');
  assert.equal(handle.info.primarySums, undefined);
  assert.deepEqual([...sink.samples.keys()], ['gpu0']);
  assert.deepEqual(handle.info.warnings, []);
});

test('device selection passes -i to every query and to the sampling child; an unknown device fails before sampling', async () => {
  const { spawned, sink, handle } = await startWith({ FAKE_SMI_GPUS: '2', FAKE_SMI_POWER_W: '150,300' }, { device: '1' });
  await sampleAndStop(handle, sink);
  for (const s of spawned) assert.deepEqual(s.args.slice(-2), ['-i', '1']);
  assert.deepEqual(handle.info.channels.map((c) => c.name), ['gpu1']);
  assert.equal(handle.info.primaryChannel, 'gpu1');
  assert.deepEqual([...sink.samples.keys()], ['gpu1']);
  assert.ok(sink.samples.get('gpu1')!.powerW.every((w) => w === 300));

  const { env, spawned: none } = fakeToolEnv({ FAKE_SMI_GPUS: '2' });
  const e = await rejection(nvidiaSmiSensor.start(env, { intervalS: INTERVAL_S, device: '5' }, new CollectingSink()));
  assert.equal(e.code, 'SENSOR_UNAVAILABLE');
  assert.match(e.message, /exited with code 6: No devices were found/);
  assert.equal(loops(none).length, 0);
});

test('sample times: nvidia-smi timestamps in any local zone land on the recorder clock, increasing', async () => {
  // UTC+8:45: a zone offset that is not a whole hour; the child prints its local time.
  const { env } = fakeToolEnv({ TZ: 'Australia/Eucla' });
  const sink = new CollectingSink();
  const before = env.clock.monotonicS();
  const handle = await nvidiaSmiSensor.start(env, { intervalS: INTERVAL_S }, sink);
  await sampleAndStop(handle, sink, 6);
  const after = env.clock.monotonicS();
  const t = sink.samples.get('gpu0')!.tS;
  for (let i = 1; i < t.length; i++) assert.ok(t[i]! > t[i - 1]!, `t[${i}] = ${t[i]} after ${t[i - 1]}`);
  // Every sample was printed after start began and before stop ended; 2 ms for the
  // printed time's truncation to ms. A wrong zone offset would be off by hours.
  assert.ok(t[0]! >= before - 0.002 && t.at(-1)! <= after + 0.002, `${t[0]}..${t.at(-1)} vs ${before}..${after}`);
  assert.ok(handle.info.notes.some((n) => n.includes('nvidia-smi timestamps')));
});

test('zone offset between a printed local time and the real instant: the nearest quarter hour', () => {
  const now = Date.UTC(2026, 6, 3, 22, 10, 46, 109);
  assert.equal(zoneOffsetMs(now + (8 * 60 + 45) * 60_000 - 4, now), (8 * 60 + 45) * 60_000);
  assert.equal(zoneOffsetMs(now - 5 * 3_600_000 - 12, now), -5 * 3_600_000);
  assert.equal(zoneOffsetMs(now - 30, now), 0);
});

test('the GPU list query is read strictly', () => {
  assert.deepEqual(parseGpuList('0, NVIDIA H200, GPU-00000000-0000-0000-0000-000000000000\n1, NVIDIA H200, GPU-1\n'), [
    { index: 0, name: 'NVIDIA H200', uuid: 'GPU-00000000-0000-0000-0000-000000000000' },
    { index: 1, name: 'NVIDIA H200', uuid: 'GPU-1' },
  ]);
  assert.throws(() => parseGpuList('No devices were found'), /expected "index, name, uuid"/);
});

test('the child dying mid-run: sink.fail with the exit code and the last stderr line; stop still resolves', async () => {
  const { sink, handle } = await startWith({ FAKE_SMI_DIE_AFTER_MS: '150' });
  const e = await sink.nextFailure();
  assert.equal(e.code, 'SENSOR_FAILED');
  assert.match(e.message, /nvidia-smi exited with code 1 during the run: Unable to determine the device handle for GPU0000:18:00\.0: GPU is lost/);
  assert.equal(sink.failures.length, 1);
  assert.ok(sink.samples.get('gpu0')!.tS.length >= 1, 'readings before the failure are kept');
  await handle.stop();
});

test('the child dying before its first line: start rejects with the cause', async () => {
  const { env, spawned } = fakeToolEnv({ FAKE_SMI_DIE_AFTER_MS: '0' });
  const e = await rejection(nvidiaSmiSensor.start(env, { intervalS: INTERVAL_S }, new CollectingSink()));
  assert.equal(e.code, 'SENSOR_UNAVAILABLE');
  assert.match(e.message, /exited with code 1 before the first reading: Unable to determine the device handle/);
  assert.equal(loops(spawned).length, 1);
});

test('nothing within the first-sample timeout: start rejects and the child is killed', async () => {
  const { env, spawned } = fakeToolEnv({ FAKE_SMI_SILENT: '1' });
  const sensor = createNvidiaSmiSensor({ firstSampleTimeoutS: 0.3 });
  const e = await rejection(sensor.start(env, { intervalS: INTERVAL_S }, new CollectingSink()));
  assert.equal(e.code, 'SENSOR_UNAVAILABLE');
  assert.match(e.message, /no reading from .*nvidia-smi within 0\.3 s/);
  assert.deepEqual(await exitOf(loops(spawned)[0]!.child), { code: null, signal: 'SIGTERM' });
});

test('stop kills the child with SIGTERM, and with SIGKILL when it ignores SIGTERM', async () => {
  const { spawned, sink, handle } = await startWith({});
  await sampleAndStop(handle, sink, 2);
  const child = loops(spawned)[0]!.child;
  assert.deepEqual({ code: child.exitCode, signal: child.signalCode }, { code: null, signal: 'SIGTERM' });
  assert.equal(sink.failures.length, 0, 'a requested stop is not a failure');

  const stubborn = fakeToolEnv({ FAKE_SMI_IGNORE_TERM: '1' });
  const s2 = new CollectingSink();
  const h2 = await createNvidiaSmiSensor({ killGraceMs: 100 }).start(stubborn.env, { intervalS: INTERVAL_S }, s2);
  await sampleAndStop(h2, s2, 2);
  assert.equal(loops(stubborn.spawned)[0]!.child.signalCode, 'SIGKILL');
  assert.equal(s2.failures.length, 0);
});

test('a non-positive interval is a usage error', async () => {
  const { env } = fakeToolEnv();
  const e = await rejection(nvidiaSmiSensor.start(env, { intervalS: 0 }, new CollectingSink()));
  assert.equal(e.code, 'USAGE');
});
