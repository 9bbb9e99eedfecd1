import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChannelKind } from '../../src/sensors/types.js';
import { arrivalTimes, createTegrastatsSensor, tegrastatsSensor } from '../../src/sensors/io/tegrastats.js';
import { CollectingSink, fakeToolEnv } from '../fakes/child-env.js';
import { rejection } from '../helpers/decode.js';

// The fake tegrastats (test/fakes/bin/tegrastats) replays verbatim lines of
// shared/reference/tegrastats_samples.txt for the module FAKE_TEGRASTATS_MODULE names.

const INTERVAL_S = 0.02;

interface Board {
  readonly module: string;
  /** Rails as [name, kind, W] in the order tegrastats prints them; W = the line's first reading / 1000. */
  readonly rails: readonly (readonly [string, ChannelKind, number])[];
  readonly primary: string;
  /** The board prints no input rail: the sensor must say so. */
  readonly noTotal?: true;
  /** The GPU rail also feeds other blocks: the sensor must say so. */
  readonly sharedGpu?: true;
}

const BOARDS: readonly Board[] = [
  { module: 'tx1', primary: 'VDD_GPU', rails: [['VDD_IN', 'board-total', 2.532], ['VDD_CPU', 'cpu', 0.076], ['VDD_GPU', 'gpu', 0.019]] },
  {
    module: 'tx2',
    primary: 'VDD_SYS_GPU',
    rails: [
      ['VDD_SYS_GPU', 'gpu', 0.152],
      ['VDD_SYS_SOC', 'soc', 0.687],
      ['VDD_4V0_WIFI', 'other', 0],
      ['VDD_IN', 'board-total', 3.056],
      ['VDD_SYS_CPU', 'cpu', 0.152],
      ['VDD_SYS_DDR', 'memory', 0.883],
    ],
  },
  { module: 'nano', primary: 'POM_5V_GPU', rails: [['POM_5V_IN', 'board-total', 1.022], ['POM_5V_GPU', 'gpu', 0], ['POM_5V_CPU', 'cpu', 0.204]] },
  {
    module: 'xavier',
    primary: 'GPU',
    noTotal: true,
    rails: [['GPU', 'gpu', 0], ['CPU', 'cpu', 0.311], ['SOC', 'soc', 0.932], ['CV', 'other', 0], ['VDDRQ', 'memory', 0.621], ['SYS5V', 'other', 1.482]],
  },
  {
    module: 'xavier-nx',
    primary: 'VDD_CPU_GPU_CV',
    sharedGpu: true,
    rails: [['VDD_IN', 'board-total', 4.067], ['VDD_CPU_GPU_CV', 'gpu', 0.738], ['VDD_SOC', 'soc', 1.353]],
  },
  {
    module: 'orin-nx',
    primary: 'VDD_CPU_GPU_CV',
    sharedGpu: true,
    rails: [['VDD_IN', 'board-total', 5.299], ['VDD_CPU_GPU_CV', 'gpu', 0.773], ['VDD_SOC', 'soc', 1.424]],
  },
  {
    module: 'orin',
    primary: 'VDD_GPU_SOC',
    noTotal: true,
    sharedGpu: true,
    rails: [['VDD_GPU_SOC', 'gpu', 4.94], ['VDD_CPU_CV', 'cpu', 0.988], ['VIN_SYS_5V0', 'other', 4.442]],
  },
  {
    module: 'orin-r36',
    primary: 'VDD_GPU_SOC',
    noTotal: true,
    sharedGpu: true,
    rails: [['VDD_GPU_SOC', 'gpu', 3.205], ['VDD_CPU_CV', 'cpu', 4.405], ['VIN_SYS_5V0', 'other', 4.767]],
  },
  {
    module: 'orin-jp7',
    primary: 'VDD_GPU_SOC',
    noTotal: true,
    sharedGpu: true,
    rails: [['VDD_GPU_SOC', 'gpu', 5.139], ['VDD_CPU_CV', 'cpu', 3.268], ['VIN_SYS_5V0', 'other', 5.5]],
  },
  {
    module: 'orin-nc',
    primary: 'VDD_GPU_SOC',
    noTotal: true,
    sharedGpu: true,
    rails: [['VDD_GPU_SOC', 'gpu', 2.39], ['VDD_CPU_CV', 'cpu', 0.796], ['VIN_SYS_5V0', 'other', 3.522], ['VDDQ_VDD2_1V8AO', 'memory', 0.301]],
  },
];

async function startBoard(vars: Record<string, string>, opts: { root?: string } = {}) {
  const { env, spawned } = fakeToolEnv(vars, opts);
  const sink = new CollectingSink();
  const handle = await tegrastatsSensor.start(env, { intervalS: INTERVAL_S }, sink);
  return { env, spawned, sink, handle };
}

test('probe: tegrastats on the PATH given to the sensor, or the reason it is not', async () => {
  const ok = await tegrastatsSensor.probe(fakeToolEnv().env);
  assert.ok(ok.ok);
  assert.match(ok.detail, /fakes\/bin\/tegrastats$/);
  const empty = mkdtempSync(join(tmpdir(), 'inferprint-path-'));
  try {
    const { env } = fakeToolEnv({}, { path: empty });
    assert.deepEqual(await tegrastatsSensor.probe(env), { ok: false, reason: 'tegrastats not found on PATH' });
    const e = await rejection(tegrastatsSensor.start(env, { intervalS: 0.1 }, new CollectingSink()));
    assert.equal(e.code, 'SENSOR_UNAVAILABLE');
    assert.match(e.message, /tegrastats not found on PATH/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

for (const board of BOARDS) {
  test(`${board.module}: every rail a channel in W, GPU rail primary, board input rail identified`, async () => {
    const { spawned, sink, handle } = await startBoard({ FAKE_TEGRASTATS_MODULE: board.module });
    try {
      await sink.waitFor(board.primary, 3);
    } finally {
      await handle.stop();
    }
    assert.equal(spawned.length, 1, 'one tegrastats child for the run');
    assert.deepEqual(spawned[0]!.args, ['--interval', '20']);
    const { info } = handle;
    assert.deepEqual(info.provenance, { kind: 'measured', sensor: 'tegrastats' });
    assert.deepEqual(
      info.channels.map((c) => [c.name, c.kind]),
      board.rails.map(([name, kind]) => [name, kind]),
    );
    assert.equal(info.primaryChannel, board.primary);
    for (const [name, , w] of board.rails) {
      const got = sink.samples.get(name);
      assert.ok(got && got.powerW.length >= 1, `readings on ${name}`);
      for (const v of got.powerW) assert.equal(v, w, name);
    }
    const totalNote = info.notes.some((n) => n.includes('prints no board input rail'));
    assert.equal(totalNote, board.noTotal === true, info.notes.join(' | '));
    const sharedNote = info.notes.some((n) => n.startsWith(`GPU rail ${board.primary} also feeds`));
    assert.equal(sharedNote, board.sharedGpu === true, info.notes.join(' | '));
    // Arrival times on the monotonic clock: strictly increasing on every channel.
    for (const [name] of board.rails) {
      const t = sink.samples.get(name)!.tS;
      for (let i = 1; i < t.length; i++) assert.ok(t[i]! > t[i - 1]!);
    }
  });
}

test('mW → W: a scaled scenario (factor 2.5) reads back as mW / 1000 exactly', async () => {
  const { sink, handle } = await startBoard({ FAKE_TEGRASTATS_MODULE: 'orin-jp7', FAKE_TEGRASTATS_POWER_FACTOR: '2.5' });
  try {
    await sink.waitFor('VDD_GPU_SOC', 2);
  } finally {
    await handle.stop();
  }
  // 5139 mW × 2.5 = 12847.5 → printed 12848 mW (the fake rounds to whole mW, as tegrastats prints).
  assert.ok(sink.samples.get('VDD_GPU_SOC')!.powerW.every((w) => w === 12848 / 1000));
  assert.ok(sink.samples.get('VIN_SYS_5V0')!.powerW.every((w) => w === 13.75));
});

test('the module name from the device tree becomes the channels\' device', async () => {
  const root = mkdtempSync(join(tmpdir(), 'inferprint-root-'));
  try {
    mkdirSync(join(root, 'proc/device-tree'), { recursive: true });
    writeFileSync(join(root, 'proc/device-tree/model'), 'NVIDIA Jetson AGX Orin Developer Kit\0');
    const { sink, handle } = await startBoard({ FAKE_TEGRASTATS_MODULE: 'orin' }, { root });
    await handle.stop();
    assert.equal(sink.failures.length, 0);
    assert.ok(handle.info.channels.every((c) => c.device === 'NVIDIA Jetson AGX Orin Developer Kit'));
    const probe = await tegrastatsSensor.probe(fakeToolEnv({}, { root }).env);
    assert.ok(probe.ok && probe.detail.endsWith('on NVIDIA Jetson AGX Orin Developer Kit'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('a board printing no rails (tegrastats not run as root): start rejects with the decoder\'s reason', async () => {
  const { env, spawned } = fakeToolEnv({ FAKE_TEGRASTATS_MODULE: 'tx1-nonroot' });
  const e = await rejection(tegrastatsSensor.start(env, { intervalS: INTERVAL_S }, new CollectingSink()));
  assert.equal(e.code, 'SENSOR_UNAVAILABLE');
  assert.match(e.message, /tegrastats:1: no power rails in this tegrastats line/);
  assert.notEqual(spawned[0]!.child.exitCode ?? spawned[0]!.child.signalCode, null, 'the child was stopped');
});

test('the child dying mid-run: sink.fail with the exit code and the last stderr line', async () => {
  const { sink, handle } = await startBoard({ FAKE_TEGRASTATS_MODULE: 'nano', FAKE_TEGRASTATS_DIE_AFTER_MS: '150' });
  const e = await sink.nextFailure();
  assert.equal(e.code, 'SENSOR_FAILED');
  assert.match(e.message, /tegrastats exited with code 1 during the run: tegrastats: failed to read the INA3221 power monitor/);
  assert.equal(sink.failures.length, 1);
  await handle.stop();
});

test('stop kills the child: SIGTERM, then SIGKILL after the grace period', async () => {
  const { spawned, sink, handle } = await startBoard({ FAKE_TEGRASTATS_MODULE: 'tx2' });
  await handle.stop();
  assert.equal(spawned[0]!.child.signalCode, 'SIGTERM');
  assert.equal(sink.failures.length, 0);

  const { env, spawned: s2 } = fakeToolEnv({ FAKE_TEGRASTATS_MODULE: 'tx2', FAKE_TEGRASTATS_IGNORE_TERM: '1' });
  const h2 = await createTegrastatsSensor({ killGraceMs: 100 }).start(env, { intervalS: INTERVAL_S }, new CollectingSink());
  await h2.stop();
  assert.equal(s2[0]!.child.signalCode, 'SIGKILL');
});

test('arrival times: one line at its arrival; lines read together spaced back at the interval, never before the previous', () => {
  assert.deepEqual(arrivalTimes(undefined, 10, 1, 0.05), [10]);
  assert.deepEqual(arrivalTimes(9.8, 10, 3, 0.05), [9.9, 9.95, 10]);
  // Spacing back would reach the previous line (9.95): spread evenly over (9.95, 10] instead.
  const t = arrivalTimes(9.95, 10, 2, 0.05);
  assert.ok(Math.abs(t[0]! - 9.975) < 1e-12 && t[1] === 10, String(t));
  assert.deepEqual(arrivalTimes(9, 10, 0, 0.05), []);
});
