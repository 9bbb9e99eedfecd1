import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, test } from 'node:test';
import { InferprintError } from '../../src/errors.js';
import { nvmlLibraryPath, nvmlSensor, readNvmlSnapshot } from '../../src/sensors/io/nvml.js';
import type { SensorEnv, SensorHandle, SensorSink } from '../../src/sensors/types.js';
import { fakeNvmlPath, fakeNvmlRefcount, skipWithoutFakeNvml, useScenario } from '../helpers/fake-nvml.js';
import { rejection } from '../helpers/decode.js';

// Every test runs the real path: koffi → dlopen → the fake libnvidia-ml.so.1 compiled from
// test/fakes/nvml/fake_nvml.c. The library path reaches the sensor only through SensorEnv.

function envWith(libPath: string): SensorEnv {
  return {
    clock: { monotonicS: () => performance.now() / 1000, epochMs: () => Date.now() },
    root: '/',
    env: { INFERPRINT_NVML_LIB: libPath },
    spawn: () => {
      throw new Error('the nvml sensor spawns nothing');
    },
  };
}

interface Reading {
  readonly tS: number;
  readonly value: number;
}

/** A sink that keeps everything and lets a test wait for N power readings or a failure. */
class RecordingSink implements SensorSink {
  readonly powerW = new Map<string, Reading[]>();
  readonly energyJ = new Map<string, Reading[]>();
  readonly failures: InferprintError[] = [];
  private waiters: { channel: string; n: number; resolve: () => void }[] = [];
  private failWaiters: ((e: InferprintError) => void)[] = [];

  power(channel: string, tS: number, powerW: number): void {
    const list = this.powerW.get(channel) ?? [];
    list.push({ tS, value: powerW });
    this.powerW.set(channel, list);
    this.waiters = this.waiters.filter((w) => {
      if ((this.powerW.get(w.channel)?.length ?? 0) < w.n) return true;
      w.resolve();
      return false;
    });
  }
  energy(channel: string, tS: number, energyJ: number): void {
    const list = this.energyJ.get(channel) ?? [];
    list.push({ tS, value: energyJ });
    this.energyJ.set(channel, list);
  }
  fail(error: InferprintError): void {
    this.failures.push(error);
    for (const w of this.failWaiters) w(error);
    this.failWaiters = [];
  }
  samples(channel: string, n: number): Promise<void> {
    if ((this.powerW.get(channel)?.length ?? 0) >= n) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ channel, n, resolve }));
  }
  failure(): Promise<InferprintError> {
    const first = this.failures[0];
    return first ? Promise.resolve(first) : new Promise((resolve) => this.failWaiters.push(resolve));
  }
}


/** Trapezoidal integral of readings, J for W over s. */
function trapezoidJ(readings: readonly Reading[]): number {
  let e = 0;
  for (let i = 1; i < readings.length; i++) e += ((readings[i]!.value + readings[i - 1]!.value) / 2) * (readings[i]!.tS - readings[i - 1]!.tS);
  return e;
}

const H200 = 'GPU-8f2a6c1e-4b7d-4e59-9c3a-0d1e2f3a4b5c';
const H100 = 'GPU-1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const TWO_GPUS = [
  'driver_version 550.54.15',
  'devices 2',
  'gpu0.name NVIDIA H200',
  `gpu0.uuid ${H200}`,
  'gpu1.name NVIDIA H100 80GB HBM3',
  `gpu1.uuid ${H100}`,
];

describe('nvml sensor through the fake libnvidia-ml.so.1', { skip: skipWithoutFakeNvml }, () => {
  afterEach(async () => {
    // Every path (probe, failed start, stop after a failure) must pair nvmlInit_v2 with nvmlShutdown.
    assert.equal(await fakeNvmlRefcount(), 0, 'NVML left initialised');
  });

  test('library path: INFERPRINT_NVML_LIB from the injected env, else the soname', () => {
    assert.equal(nvmlLibraryPath({ env: { INFERPRINT_NVML_LIB: '/opt/x/libnvidia-ml.so.1' } }), '/opt/x/libnvidia-ml.so.1');
    assert.equal(nvmlLibraryPath({ env: {} }), 'libnvidia-ml.so.1');
    assert.equal(nvmlLibraryPath({ env: { INFERPRINT_NVML_LIB: '' } }), 'libnvidia-ml.so.1');
  });

  test('probe: ok with the GPUs it found', async () => {
    useScenario(TWO_GPUS);
    const r = await nvmlSensor.probe(envWith(fakeNvmlPath()));
    assert.ok(r.ok, JSON.stringify(r));
    assert.equal(r.detail, `NVML ${fakeNvmlPath()}: 2 GPUs (gpu0 NVIDIA H200, gpu1 NVIDIA H100 80GB HBM3)`);
  });

  test('library missing: probe says not found, start rejects SENSOR_UNAVAILABLE naming the library', async () => {
    const missing = join(tmpdir(), 'inferprint-no-such-dir', 'libnvidia-ml.so.1');
    const env = envWith(missing);
    const r = await nvmlSensor.probe(env);
    assert.deepEqual(r, {
      ok: false,
      reason: `${missing} not found: no NVIDIA driver installed (or set INFERPRINT_NVML_LIB to the path of libnvidia-ml.so.1)`,
    });
    const e = await rejection(nvmlSensor.start(env, { intervalS: 0.02 }, new RecordingSink()));
    assert.equal(e.code, 'SENSOR_UNAVAILABLE');
    assert.match(e.message, /sensor nvml unavailable: .*libnvidia-ml\.so\.1 not found: no NVIDIA driver installed/);
  });

  test('nvmlInit_v2 error: the message names the NVML code and its nvmlErrorString text', async () => {
    useScenario(['init_error 9']);
    const env = envWith(fakeNvmlPath());
    assert.deepEqual(await nvmlSensor.probe(env), { ok: false, reason: 'nvmlInit_v2 returned NVML_ERROR_DRIVER_NOT_LOADED: Driver Not Loaded' });
    const e = await rejection(nvmlSensor.start(env, { intervalS: 0.02 }, new RecordingSink()));
    assert.equal(e.code, 'SENSOR_UNAVAILABLE');
    assert.equal(e.message, 'flag --sensor: sensor nvml unavailable: nvmlInit_v2 returned NVML_ERROR_DRIVER_NOT_LOADED: Driver Not Loaded [SENSOR_UNAVAILABLE]');
    await assert.rejects(readNvmlSnapshot(env), /Driver Not Loaded/);
  });

  test('two GPUs: both listed as gpu channels with their NVML names, plus their sum; square wave read as its two levels', async () => {
    useScenario([...TWO_GPUS, 'gpu0.power constant 150', 'gpu1.power square 100 300 0.1']);
    const sink = new RecordingSink();
    const handle = await nvmlSensor.start(envWith(fakeNvmlPath()), { intervalS: 0.01 }, sink);
    try {
      // Two models: the sum names no hardware, and a note says why.
      assert.deepEqual(handle.info.channels, [
        { name: 'gpu0', kind: 'gpu', device: 'NVIDIA H200' },
        { name: 'gpu1', kind: 'gpu', device: 'NVIDIA H100 80GB HBM3' },
        { name: 'sum', kind: 'gpu' },
      ]);
      assert.equal(handle.info.primaryChannel, 'sum');
      assert.deepEqual(handle.info.primarySums, ['gpu0', 'gpu1']);
      assert.ok(handle.info.notes.some((n) => n.startsWith('the GPUs are of different models (NVIDIA H200, NVIDIA H100 80GB HBM3)')), handle.info.notes.join(' | '));
      assert.equal(handle.info.name, 'nvml');
      assert.deepEqual(handle.info.provenance, { kind: 'measured', sensor: 'nvml' });
      assert.equal(handle.info.requestedIntervalS, 0.01);
      assert.equal(handle.info.updatePeriodS, undefined);
      assert.ok(handle.info.notes.some((n) => n.includes('driver 550.54.15')));
      await sink.samples('gpu1', 20);
    } finally {
      await handle.stop();
    }
    assert.ok(sink.powerW.get('gpu0')!.every((r) => r.value === 150));
    const levels = new Set(sink.powerW.get('gpu1')!.map((r) => r.value));
    assert.ok([...levels].every((w) => w === 100 || w === 300), `levels ${[...levels].join(', ')}`);
    // Both GPUs are read at the same tick, with the same timestamp.
    assert.deepEqual(
      sink.powerW.get('gpu0')!.map((r) => r.tS),
      sink.powerW.get('gpu1')!.map((r) => r.tS),
    );
  });

  test('two GPUs at 100 W and 150 W: primary `sum`, 250 W per tick, its counter the sum of theirs, energy 250 W × duration', async () => {
    const same = 'NVIDIA H100 80GB HBM3';
    useScenario(['devices 2', `gpu0.name ${same}`, `gpu1.name ${same}`, 'gpu0.power constant 100', 'gpu1.power constant 150', 'gpu0.energy_offset_mj 5000000', 'gpu1.energy_offset_mj 123456789']);
    const sink = new RecordingSink();
    const handle = await nvmlSensor.start(envWith(fakeNvmlPath()), { intervalS: 0.02 }, sink);
    await sink.samples('sum', 16);
    await handle.stop();
    assert.deepEqual(handle.info.channels, [
      { name: 'gpu0', kind: 'gpu', device: same },
      { name: 'gpu1', kind: 'gpu', device: same },
      { name: 'sum', kind: 'gpu', device: same },
    ]);
    assert.equal(handle.info.primaryChannel, 'sum');
    assert.deepEqual(handle.info.primarySums, ['gpu0', 'gpu1']);
    assert.ok(handle.info.notes.includes('sum = gpu0 + gpu1 (all 2 GPUs): the primary channel'), handle.info.notes.join(' | '));
    assert.ok(!handle.info.notes.some((n) => n.includes('different models')));
    const [g0, g1, sum] = (['gpu0', 'gpu1', 'sum'] as const).map((c) => sink.powerW.get(c)!);
    // Per-GPU channels are still recorded, and the sum is pushed on every tick at the same time.
    assert.ok(g0!.every((r) => r.value === 100) && g1!.every((r) => r.value === 150));
    assert.ok(sum!.every((r) => r.value === 250), sum!.map((r) => r.value).join(','));
    assert.deepEqual(sum!.map((r) => r.tS), g0!.map((r) => r.tS));
    // The counters: the sum's is theirs added, tick by tick (exact: integer mJ / 1000).
    const [e0, e1, eSum] = (['gpu0', 'gpu1', 'sum'] as const).map((c) => sink.energyJ.get(c)!);
    assert.equal(eSum!.length, e0!.length);
    eSum!.forEach((r, i) => {
      assert.ok(Math.abs(r.value - (e0![i]!.value + e1![i]!.value)) < 1e-9, `tick ${i}: ${r.value} J`);
    });
    // Energy = 250 W × duration: exactly for the samples; the counter within the tolerance of the
    // one-GPU test below (two sampling intervals of the summed power, for the dispatch lag).
    const durationS = sum!.at(-1)!.tS - sum![0]!.tS;
    assert.ok(Math.abs(trapezoidJ(sum!) - 250 * durationS) < 1e-9, `${trapezoidJ(sum!)} J over ${durationS} s`);
    assert.ok(Math.abs(eSum!.at(-1)!.value - 250 * durationS) <= 250 * 0.04, `counter ${eSum!.at(-1)!.value} J vs ${250 * durationS} J`);
  });

  test('two GPUs, one without an energy counter: the sum has power but no counter', async () => {
    useScenario([...TWO_GPUS, 'gpu0.power constant 100', 'gpu1.power constant 150', 'gpu1.energy_counter unsupported']);
    const sink = new RecordingSink();
    const handle = await nvmlSensor.start(envWith(fakeNvmlPath()), { intervalS: 0.01 }, sink);
    await sink.samples('sum', 3);
    await handle.stop();
    assert.ok(sink.powerW.get('sum')!.every((r) => r.value === 250));
    assert.deepEqual([...sink.energyJ.keys()], ['gpu0']);
  });

  test('two GPUs, one lost mid-run: the sensor fails and no tick gives a sum without that GPU', async () => {
    useScenario([...TWO_GPUS, 'gpu0.power constant 100', 'gpu1.power constant 150', 'gpu1.lost_after_s 0.1']);
    const sink = new RecordingSink();
    let handle: SensorHandle | undefined;
    try {
      handle = await nvmlSensor.start(envWith(fakeNvmlPath()), { intervalS: 0.01 }, sink);
      const e = await sink.failure();
      assert.equal(e.code, 'SENSOR_FAILED');
      assert.match(e.message, /\(gpu1\) returned NVML_ERROR_GPU_IS_LOST/);
    } finally {
      await handle?.stop();
    }
    const sum = sink.powerW.get('sum')!;
    assert.ok(sum.length >= 1);
    assert.ok(sum.every((r) => r.value === 250), 'every sum sample has both GPUs');
    assert.equal(sum.length, sink.powerW.get('gpu1')!.length);
    assert.equal(sum.length, sink.powerW.get('gpu0')!.length, 'the failed tick pushed nothing');
  });

  test('one GPU: unchanged, gpu0 is the primary and there is no sum channel', async () => {
    useScenario(['devices 1', 'gpu0.name NVIDIA H200', 'gpu0.power constant 100']);
    const sink = new RecordingSink();
    const handle = await nvmlSensor.start(envWith(fakeNvmlPath()), { intervalS: 0.01 }, sink);
    await sink.samples('gpu0', 3);
    await handle.stop();
    assert.deepEqual(handle.info.channels, [{ name: 'gpu0', kind: 'gpu', device: 'NVIDIA H200' }]);
    assert.equal(handle.info.primaryChannel, 'gpu0');
    assert.equal(handle.info.primarySums, undefined);
    assert.deepEqual([...sink.powerW.keys()], ['gpu0']);
    assert.deepEqual([...sink.energyJ.keys()], ['gpu0']);
    assert.ok(!handle.info.notes.some((n) => n.startsWith('sum =')));
  });

  test('constant 150 W at 20 ms: power ≈ 150 W and counter energy = integrated samples', async () => {
    // energy_offset: the real counter counts from driver load; the sensor must report J since start.
    useScenario(['gpu0.power constant 150', 'gpu0.energy_offset_mj 987654321']);
    const sink = new RecordingSink();
    const handle = await nvmlSensor.start(envWith(fakeNvmlPath()), { intervalS: 0.02 }, sink);
    // start resolves after the first reading.
    assert.equal(sink.powerW.get('gpu0')?.length, 1);
    await sink.samples('gpu0', 16); // ~0.3 s
    await handle.stop();
    const power = sink.powerW.get('gpu0')!;
    const energy = sink.energyJ.get('gpu0')!;
    assert.ok(power.every((r) => r.value === 150), 'mW converted to W');
    assert.equal(energy.length, power.length);
    assert.equal(energy[0]!.value, 0, 'energy is J since start');
    for (let i = 1; i < energy.length; i++) assert.ok(energy[i]!.value >= energy[i - 1]!.value, 'counter never decreases');
    assert.deepEqual(
      energy.map((r) => r.tS),
      power.map((r) => r.tS),
    );
    // The fake's counter is the exact integral of its power curve, so the only difference
    // between counter energy and the trapezoid of the samples is when each counter read ran
    // compared with its JS timestamp: 150 W × (δ_last − δ_first), δ being the async dispatch
    // lag (µs, but the first async call of a process also starts koffi's worker threads,
    // ~15 ms). Two sampling intervals, 150 W × 0.04 s = 6 J (13 % of ~45 J), leave room for a
    // loaded machine and still catch a unit slip (×1000) or a missing baseline (987 654 J).
    const integratedJ = trapezoidJ(power);
    const counterJ = energy.at(-1)!.value;
    assert.ok(Math.abs(counterJ - integratedJ) <= 150 * 0.04, `counter ${counterJ} J vs integrated ${integratedJ} J`);
    assert.ok(counterJ > 150 * 0.02 * 14, `counter ${counterJ} J covers the run`);
  });

  test('energy counter NOT_SUPPORTED: no energy channel, a note says power is integrated instead', async () => {
    useScenario(['gpu0.name Tesla P100-PCIE-16GB', 'gpu0.power constant 90', 'gpu0.energy_counter unsupported']);
    const sink = new RecordingSink();
    const handle = await nvmlSensor.start(envWith(fakeNvmlPath()), { intervalS: 0.01 }, sink);
    await sink.samples('gpu0', 5);
    await handle.stop();
    assert.equal(sink.energyJ.size, 0);
    assert.ok(sink.powerW.get('gpu0')!.every((r) => r.value === 90));
    const note = handle.info.notes.find((n) => n.includes('energy counter not supported'));
    assert.ok(note, handle.info.notes.join(' | '));
    assert.match(note, /^gpu0 \(Tesla P100-PCIE-16GB\): .*NVML_ERROR_NOT_SUPPORTED: Not Supported.*integrated from power samples$/);
  });

  test('GPU lost mid-run: sink.fail gets SENSOR_FAILED naming NVML_ERROR_GPU_IS_LOST; stop still releases NVML', async () => {
    useScenario(['gpu0.power constant 200', 'gpu0.lost_after_s 0.1']);
    const sink = new RecordingSink();
    let handle: SensorHandle | undefined;
    try {
      handle = await nvmlSensor.start(envWith(fakeNvmlPath()), { intervalS: 0.01 }, sink);
      const e = await sink.failure();
      assert.equal(e.code, 'SENSOR_FAILED');
      assert.match(e.message, /^sensor nvml failed: nvmlDevice(GetPowerUsage|GetTotalEnergyConsumption)\(gpu0\) returned NVML_ERROR_GPU_IS_LOST: GPU is lost \[SENSOR_FAILED\]$/);
      assert.equal(sink.failures.length, 1, 'reported once; sampling stops');
      assert.ok(sink.powerW.get('gpu0')!.length >= 1);
    } finally {
      await handle?.stop();
    }
  });

  test('GPU lost before the first reading: start rejects instead of resolving', async () => {
    useScenario(['gpu0.lost_after_s 0']);
    const e = await rejection(nvmlSensor.start(envWith(fakeNvmlPath()), { intervalS: 0.01 }, new RecordingSink()));
    assert.equal(e.code, 'SENSOR_UNAVAILABLE');
    assert.match(e.message, /NVML_ERROR_GPU_IS_LOST: GPU is lost/);
  });

  for (const [how, device] of [
    ['index', '1'],
    ['UUID', H100],
    ['UUID in lower case', H100.toLowerCase()],
  ] as const) {
    test(`device selection by ${how}: only that GPU, as the primary channel`, async () => {
      useScenario([...TWO_GPUS, 'gpu0.power constant 150', 'gpu1.power constant 250']);
      const sink = new RecordingSink();
      const handle = await nvmlSensor.start(envWith(fakeNvmlPath()), { intervalS: 0.01, device }, sink);
      await handle.stop();
      assert.deepEqual(handle.info.channels, [{ name: 'gpu1', kind: 'gpu', device: 'NVIDIA H100 80GB HBM3' }]);
      assert.equal(handle.info.primaryChannel, 'gpu1');
      assert.deepEqual([...sink.powerW.keys()], ['gpu1']);
      assert.equal(sink.powerW.get('gpu1')![0]!.value, 250);
    });
  }

  for (const device of ['7', 'GPU-00000000-dead-beef-0000-000000000000']) {
    test(`device selection: '${device}' matches nothing → USAGE naming --device and the GPUs there are`, async () => {
      useScenario(TWO_GPUS);
      const e = await rejection(nvmlSensor.start(envWith(fakeNvmlPath()), { intervalS: 0.01, device }, new RecordingSink()));
      assert.equal(e.code, 'USAGE');
      assert.equal(e.where.flag, '--device');
      assert.ok(e.message.includes(`0: NVIDIA H200 ${H200}; 1: NVIDIA H100 80GB HBM3 ${H100}`), e.message);
    });
  }

  test('a non-positive interval is a USAGE error, and NVML is released', async () => {
    useScenario([]);
    const e = await rejection(nvmlSensor.start(envWith(fakeNvmlPath()), { intervalS: 0 }, new RecordingSink()));
    assert.equal(e.code, 'USAGE');
    assert.equal(e.where.flag, '--interval');
  });

  test('snapshot: static and dynamic values per GPU for the run manifest', async () => {
    useScenario([
      ...TWO_GPUS,
      'gpu0.power constant 151.25',
      'gpu0.enforced_power_limit_mw 700000',
      'gpu0.utilization 87 41',
      'gpu0.clocks 1980 1980 3201',
      'gpu0.temperature 56',
      'gpu0.memory 150754820096 10737418240 140017401856',
      'gpu1.power constant 61',
      'gpu1.energy_counter unsupported',
      'gpu1.enforced_power_limit_mw unsupported',
      'gpu1.power_limit_mw 350000',
      'gpu1.utilization 0 0',
      'gpu1.clocks 345 345 2619',
      'gpu1.temperature 31',
      'gpu1.memory 85520809984 85014347776 506462208',
    ]);
    const snap = await readNvmlSnapshot(envWith(fakeNvmlPath()));
    assert.deepEqual(snap, {
      library: fakeNvmlPath(),
      driverVersion: '550.54.15',
      gpus: [
        {
          index: 0,
          channel: 'gpu0',
          name: 'NVIDIA H200',
          uuid: H200,
          powerW: 151.25,
          powerLimitW: 700,
          powerLimitSource: 'enforced',
          energyCounter: true,
          utilization: { gpuPct: 87, memoryPct: 41 },
          clocksMhz: { graphics: 1980, sm: 1980, memory: 3201 },
          temperatureC: 56,
          memory: { totalBytes: 150754820096, freeBytes: 10737418240, usedBytes: 140017401856 },
        },
        {
          index: 1,
          channel: 'gpu1',
          name: 'NVIDIA H100 80GB HBM3',
          uuid: H100,
          powerW: 61,
          powerLimitW: 350,
          powerLimitSource: 'management',
          energyCounter: false,
          utilization: { gpuPct: 0, memoryPct: 0 },
          clocksMhz: { graphics: 345, sm: 345, memory: 2619 },
          temperatureC: 31,
          memory: { totalBytes: 85520809984, freeBytes: 85014347776, usedBytes: 506462208 },
        },
      ],
    });
  });
});
