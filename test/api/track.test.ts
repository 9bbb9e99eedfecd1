import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
// Through the public entry, as a user imports it.
import {
  estimateEmbodied,
  isInferprintError,
  pueFor,
  readRunBundle,
  requireHardware,
  resolveGrid,
  summarizeRecording,
  track,
  type Sensor,
  type SensorEnv,
  type TrackResult,
} from '../../src/index.js';
import { impactFor } from '../../src/app/measure.js';
import { errors } from '../../src/errors.js';
import { assessRun } from '../../src/runs/run-impact.js';
import { windowEnergyJ } from '../../src/traces/energy.js';
import { FAKE_BIN, fakeToolEnv } from '../fakes/child-env.js';
import { fakeNvmlPath, fakeNvmlRefcount, skipWithoutFakeNvml, useScenario } from '../helpers/fake-nvml.js';
import { cpuinfoText, FakeTree, procStatText } from '../helpers/fake-sys.js';
import { gpuTraceName } from '../helpers/replay-trace.js';

const ROOT = resolve(import.meta.dirname, '../..');
const work = mkdtempSync(join(tmpdir(), 'inferprint-track-'));
const close = (a: number, b: number, rel = 1e-12) => Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-300);

function coded(code: string, field?: string) {
  return (e: unknown) => isInferprintError(e) && e.code === code && (field === undefined || e.where.field === field);
}

/** A clock the test moves by hand, so energies are exact and nothing depends on timing. */
function manualClock() {
  let t = 1000;
  return { monotonicS: () => t, epochMs: () => 1.7e12 + t * 1000, advance: (s: number) => (t += s), at: () => t };
}

/** A sensor whose readings the test pushes itself; `starts` counts starts. */
function scriptedSensor() {
  let sink: Parameters<Sensor['start']>[2] | undefined;
  const state = { starts: 0 };
  const sensor: Sensor = {
    name: 'nvml',
    kind: 'measured',
    probe: () => Promise.resolve({ ok: true, detail: 'scripted' }),
    start: (_env, opts, s) => {
      state.starts++;
      sink = s;
      return Promise.resolve({
        info: {
          name: 'nvml',
          provenance: { kind: 'measured', sensor: 'nvml' },
          channels: [
            { name: 'gpu0', kind: 'gpu', device: 'NVIDIA H100 NVL' },
            { name: 'cpu', kind: 'cpu' },
          ],
          primaryChannel: 'gpu0',
          requestedIntervalS: opts.intervalS,
          notes: [],
        },
        stop: () => Promise.resolve(),
      });
    },
  };
  return {
    sensor,
    state,
    push: (ch: string, tS: number, w: number) => {
      sink!.power(ch, tS, w);
    },
    fail: () => {
      sink!.fail(errors.sensorFailed('nvml', 'GPU is lost'));
    },
  };
}

const envOf = (clock: ReturnType<typeof manualClock>): SensorEnv => ({
  clock,
  root: '/',
  env: {},
  spawn: () => {
    throw new Error('no spawn');
  },
});

void test('track (scripted sensor, hand-moved clock): energy per channel, windows and GWP, exact', async () => {
  const clock = manualClock();
  const s = scriptedSensor();
  const runsDir = join(work, 'runs-exact');
  const t = await track({ sensor: s.sensor, env: envOf(clock), intervalS: 0.5, grid: 'FR', label: 'exact', save: { runsDir } });
  assert.equal(t.sensor.provenanceText, 'measured (nvml)');
  const t0 = clock.at();
  // gpu0: 100 W for 1 s, then a ramp to 200 W and 200 W; cpu a steady 10 W.
  for (const [dt, w] of [[0, 100], [0.5, 100], [1, 100], [1.5, 200], [2, 200]] as const) {
    s.push('gpu0', t0 + dt, w);
    s.push('cpu', t0 + dt, 10);
  }
  clock.advance(1);
  t.begin('compute');
  clock.advance(1);
  const compute = await t.end('compute');
  // [1, 2] s: (100 + 200) / 2 × 0.5 + 200 × 0.5 = 175 J.
  assert.ok(close(compute.energyJ, 175), String(compute.energyJ));
  assert.equal(compute.complete, true);
  assert.deepEqual(compute.channels.map((c) => c.name), ['gpu0', 'cpu']);
  assert.ok(close(compute.channels[1]!.energyJ, 10));

  const r = await t.stop();
  assert.deepEqual(r.status, { kind: 'completed' });
  assert.equal(r.durationS, 2);
  assert.equal(r.primaryChannel, 'gpu0');
  assert.ok(close(r.energyJ, 275), String(r.energyJ));
  const gpu = r.channels.find((c) => c.name === 'gpu0')!;
  assert.deepEqual({ ...gpu, energyJ: Number(gpu.energyJ.toFixed(9)), meanW: Number(gpu.meanW.toFixed(9)) }, { name: 'gpu0', kind: 'gpu', energyJ: 275, meanW: 137.5, maxW: 200, minW: 100, samples: 5 });
  assert.ok(close(r.channels.find((c) => c.name === 'cpu')!.energyJ, 20));
  // The same numbers summarizeRecording gives for the recording, and an independent trapezoid.
  const again = summarizeRecording(r.recording, 'full');
  assert.deepEqual(r.channels.map((c) => c.energyJ), again.channels.map((c) => c.energyJ));
  const ch = r.recording.channels.find((c) => c.name === 'gpu0')!;
  assert.ok(close(windowEnergyJ(ch.tS, ch.powerW, 0, 2), r.energyJ));
  assert.deepEqual(r.windows.map((w) => [w.name, Number(w.energyJ.toFixed(9))]), [['compute', 175]]);

  // The footprint, by hand: 275 J at France's grid factor × the data-centre PUE, plus 2 s of a 7-year life of an H100 NVL.
  assert.equal(r.gwp.scope, 'operational+embodied');
  const hw = requireHardware('H100-NVL');
  assert.equal(r.gwp.hardwareId, hw.id, 'the hardware the sensor names is used when none is given');
  const operational = (275 / 3.6e6) * resolveGrid('FR').gPerKwh * pueFor('default', hw.category).value;
  const embodied = (2 / (7 * 8760 * 3600)) * estimateEmbodied('die-area-v1', hw).meanKg * 1000;
  assert.ok(close(r.gwp.operationalG.mean, operational, 1e-9), `${r.gwp.operationalG.mean} vs ${operational}`);
  assert.ok(close(r.gwp.embodiedG.mean, embodied, 1e-9), `${r.gwp.embodiedG.mean} vs ${embodied}`);
  assert.ok(close(r.gwp.gwpG.mean, operational + embodied, 1e-9));
  assert.ok(r.gwp.gwpG.min <= r.gwp.gwpG.mean && r.gwp.gwpG.mean <= r.gwp.gwpG.max);
  assert.deepEqual(r.gwp.settings, { preset: 'default', grid: { value: 'FR', why: 'given by the user (FR)' } });
  for (const p of r.gwp.parameters) assert.ok(p.source !== '' && 'year' in p && ['preset', 'user', 'recorded'].includes(p.origin), JSON.stringify(p));

  // `measure`'s route for the same data gives the same numbers.
  const viaMeasure = impactFor({ grid: 'FR' }, r.recording, r.summary, []);
  assert.ok(viaMeasure.impact);
  assert.deepEqual(viaMeasure.impact.gwpG, r.gwp.gwpG);
  assert.deepEqual(viaMeasure.impact.embodiedG, r.gwp.embodiedG);

  // Saved as a run bundle: the section, its windows, and settings every reader assesses it with.
  assert.ok(r.run);
  assert.equal(r.saveError, undefined);
  const b = await readRunBundle(r.run.path);
  assert.equal(b.manifest.label, 'exact');
  assert.equal(b.manifest.status.kind, 'completed');
  assert.equal(b.manifest.workload.kind, 'command');
  assert.deepEqual(b.manifest.workload.argv, [process.argv0, ...process.argv.slice(1)]);
  assert.deepEqual(b.manifest.windows.map((w) => w.name).sort(), ['compute', 'full']);
  assert.ok(b.manifest.impact);
  assert.deepEqual(b.manifest.impact.settings, r.gwp.settings);
  assert.ok(b.manifest.sensor.notes.some((n) => /chosen: given by the caller/.test(n)));
  assert.ok(b.manifest.impact.notes?.some((n) => /tracked section/.test(n)));
  const assessed = assessRun(b.manifest);
  assert.equal(assessed.scope, 'operational+embodied');
  for (const k of ['mean', 'min', 'max'] as const) assert.ok(close(assessed.result.gwpG[k], r.gwp.gwpG[k]), k);
});

void test('track (replay): a constant 100 W, per-channel energy as summarizeRecording gives it, GWP as measure computes it', async () => {
  const trace = join(work, gpuTraceName(1));
  writeFileSync(trace, `timestamp,gpu_power\n${Array.from({ length: 1000 }, (_, i) => `${(i * 0.02).toFixed(2)},100`).join('\n')}\n`);
  const t = await track({ sensor: `replay:${trace}`, intervalS: 0.02, save: false });
  assert.equal(t.runsDir, undefined);
  t.begin('a');
  await new Promise((res) => setTimeout(res, 150));
  const a = await t.end('a');
  await new Promise((res) => setTimeout(res, 50));
  const r = await t.stop();
  assert.equal(r.status.kind, 'completed');
  assert.equal(r.run, undefined);
  assert.equal(r.sensor.provenance.kind, 'replayed');
  assert.ok(r.sensor.provenanceText.startsWith(`replayed from ${trace} `), r.sensor.provenanceText);
  const gpu = r.channels[0]!;
  assert.ok(Math.abs(gpu.meanW - 100) < 1e-9, String(gpu.meanW));
  assert.ok(gpu.samples >= 2);
  const again = summarizeRecording(r.recording, 'full');
  assert.deepEqual(
    r.channels.map((c) => [c.name, c.energyJ, c.samples]),
    again.channels.map((c) => [c.name, c.energyJ, c.samples]),
  );
  // A window's energy is 100 W × its length (the trace is flat), from end() and from stop() alike.
  assert.equal(a.complete, true);
  assert.ok(close(a.energyJ, 100 * a.durationS, 1e-9), `${a.energyJ} vs ${100 * a.durationS}`);
  assert.ok(close(r.windows.find((w) => w.name === 'a')!.energyJ, a.energyJ, 1e-12));
  // No hardware named: the operational part alone, as measure computes it.
  assert.equal(r.gwp.scope, 'operational');
  assert.match(r.gwp.reason, /sensor names no hardware/);
  const viaMeasure = impactFor({}, r.recording, r.summary, []);
  assert.equal(r.gwp.gwpG, viaMeasure.operationalOnlyG);
  assert.ok(close(r.gwp.gwpG, (r.energyJ / 3.6e6) * resolveGrid('WORLD').gPerKwh));

  // With hardware given: the full LCA, equal to measure's.
  const t2 = await track({ sensor: `replay:${trace}`, intervalS: 0.02, save: false, hardware: 'A100-PCIE-40GB', pue: 1.2, lifetimeS: 4 * 8760 * 3600 });
  await new Promise((res) => setTimeout(res, 60));
  const r2 = await t2.stop();
  assert.equal(r2.gwp.scope, 'operational+embodied');
  const m2 = impactFor({ hardware: 'A100-PCIE-40GB', pue: 1.2, lifetimeS: 4 * 8760 * 3600 }, r2.recording, r2.summary, []);
  assert.deepEqual(r2.gwp.gwpG, m2.impact?.gwpG);
  assert.equal(r2.gwp.parameters.find((p) => p.name === 'pue')?.value, 1.2);
});

void test('track (estimate on a fake /proc): marked estimated, and the CPU is its hardware: a full GWP', async () => {
  const tree = new FakeTree();
  try {
    tree.write('proc/cpuinfo', cpuinfoText({ model: 'AMD EPYC 7763 64-Core Processor', coresPerSocket: 64, threadsPerCore: 2 }), false);
    let origin: number | undefined;
    const clock = {
      epochMs: () => Date.now(),
      // /proc/stat follows the sensor's clock: 1000 ticks a second, half of them busy.
      monotonicS: () => {
        const now = performance.now() / 1000;
        origin ??= now;
        const ticks = Math.floor((now - origin) * 1000);
        tree.write('proc/stat', procStatText({ user: 1000 + Math.floor(ticks / 2), idle: 9000 + ticks - Math.floor(ticks / 2) }), false);
        return now;
      },
    };
    clock.monotonicS();
    const env: SensorEnv = { clock, root: tree.root, env: {}, spawn: () => { throw new Error('no spawn'); } };
    const t = await track({ sensor: 'estimate', intervalS: 0.05, env, save: false });
    t.begin('work');
    await new Promise((res) => setTimeout(res, 400));
    await t.end('work');
    const r = await t.stop();
    assert.equal(r.sensor.provenance.kind, 'estimated');
    assert.match(r.sensor.provenanceText, /^estimated \(/);
    const cpu = r.channels.find((c) => c.name === 'cpu')!;
    // EPYC 7763: 280 W TDP at 50 % utilisation → 140 W ± 2 %.
    assert.ok(Math.abs(cpu.meanW - 140) <= 140 * 0.02, String(cpu.meanW));
    assert.deepEqual(r.channels.map((c) => c.energyJ), summarizeRecording(r.recording, 'full').channels.map((c) => c.energyJ));
    // The CPU is a device of the hardware database: an estimate gets the full LCA, still marked estimated.
    assert.equal(r.gwp.scope, 'operational+embodied');
    assert.equal(r.gwp.hardwareId, 'EPYC-7763');
    assert.deepEqual(r.gwp.gwpG, impactFor({}, r.recording, r.summary, []).impact!.gwpG);
    // Naming hardware the database does not have is a coded error before anything starts.
    await assert.rejects(track({ sensor: 'estimate', env, save: false, hardware: 'Graphcore IPU' }), coded('UNKNOWN_HARDWARE', 'hardware'));
  } finally {
    tree.remove();
  }
});

void test("track: a sensor that dies mid-run is stop()'s status and warning, never a rejection", async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  try {
    const clock = manualClock();
    const s = scriptedSensor();
    const t = await track({ sensor: s.sensor, env: envOf(clock), save: { runsDir: join(work, 'runs-failed') } });
    s.push('gpu0', clock.at(), 100);
    clock.advance(0.5);
    s.push('gpu0', clock.at(), 100);
    s.fail();
    clock.advance(0.5);
    t.begin('late');
    clock.advance(0.5);
    const late = await t.end('late');
    assert.equal(late.complete, false, 'no sample can come after a failure');
    const r = await t.stop();
    assert.deepEqual(r.status, { kind: 'failed', code: 'SENSOR_FAILED', message: 'sensor nvml failed: GPU is lost' });
    assert.ok(r.warnings.some((w) => /the sensor failed at 0\.500 s/.test(w)), r.warnings.join('; '));
    assert.ok(close(r.energyJ, 50));
    assert.equal((await readRunBundle(r.run!.path)).manifest.status.kind, 'failed');
  } finally {
    process.off('unhandledRejection', onUnhandled);
  }
  assert.deepEqual(unhandled, []);
});

void test('track (fake nvidia-smi): the tool dying mid-run gives a failed status; the GPU it names gives the embodied part', async () => {
  const { env, spawned } = fakeToolEnv({ FAKE_SMI_DIE_AFTER_MS: '200', FAKE_SMI_POWER_W: '150' });
  const t = await track({ sensor: 'nvidia-smi', intervalS: 0.05, env, save: false });
  const loop = spawned.at(-1)!.child;
  // The running sampler does not keep this process alive (by design): a timer does, while the test waits for the tool to die.
  const keepAlive = setInterval(() => undefined, 1000);
  if (loop.exitCode === null && loop.signalCode === null) await new Promise((res) => loop.once('close', res));
  clearInterval(keepAlive);
  const r = await t.stop();
  assert.equal(r.status.kind, 'failed');
  assert.ok(r.warnings.some((w) => /the sensor failed/.test(w)));
  assert.equal(r.gwp.scope, 'operational+embodied');
  assert.equal(r.gwp.hardwareId, 'H200');
});

void test('track (fake libnvidia-ml): counter energy beside the integrated power, the GPU it names, NVML released', { skip: skipWithoutFakeNvml }, async () => {
  useScenario(['devices 1', 'gpu0.name NVIDIA H100 NVL', 'gpu0.power constant 200', 'gpu0.energy_counter supported']);
  const env: SensorEnv = {
    clock: { monotonicS: () => performance.now() / 1000, epochMs: () => Date.now() },
    root: '/',
    env: { INFERPRINT_NVML_LIB: fakeNvmlPath() },
    spawn: () => {
      throw new Error('no spawn');
    },
  };
  const t = await track({ sensor: 'nvml', intervalS: 0.02, env, save: false });
  assert.equal(t.sensor.provenanceText, 'measured (nvml)');
  await new Promise((res) => setTimeout(res, 300));
  const r = await t.stop();
  assert.equal(r.status.kind, 'completed');
  const gpu = r.channels.find((c) => c.name === r.primaryChannel)!;
  assert.ok(Math.abs(gpu.meanW - 200) < 1e-6, String(gpu.meanW));
  assert.equal(r.counters.length, 1);
  // The fake's counter is the exact integral of its power; each reading is timed when its tick
  // began, which on a busy machine is up to a tick before the library answered (as the nvml
  // sensor test allows): two intervals at 200 W bound the gap.
  const c = r.counters[0]!;
  assert.ok(Math.abs(c.differenceJ) <= 200 * 0.04, JSON.stringify(c));
  assert.ok(close(c.counterJ - c.samplesJ, c.differenceJ, 1e-9));
  assert.equal(r.gwp.scope, 'operational+embodied');
  assert.equal(r.gwp.hardwareId, 'H100-NVL');
  assert.equal(await fakeNvmlRefcount(), 0, 'NVML shut down at stop');
});

void test('track: stop() is idempotent; windows after it, a reserved or unknown name are usage errors; await using stops', async () => {
  const clock = manualClock();
  const s = scriptedSensor();
  const t = await track({ sensor: s.sensor, env: envOf(clock), save: false });
  assert.throws(() => {
    t.begin('full');
  }, coded('USAGE'));
  t.begin('x');
  assert.throws(() => {
    t.begin('x');
  }, coded('USAGE'));
  await assert.rejects(t.end('never-opened'), coded('USAGE'));
  s.push('gpu0', clock.at(), 100);
  clock.advance(1);
  s.push('gpu0', clock.at(), 100);
  const p1 = t.stop();
  const p2 = t.stop();
  assert.equal(p1, p2);
  const [r1, r2] = await Promise.all([p1, p2]);
  assert.equal(r1, r2);
  assert.equal(await t.stop(), r1);
  assert.ok(close(r1.energyJ, 100));
  // A window left open is closed at stop, as measure's recorder does.
  assert.deepEqual(r1.windows.map((w) => w.name), ['x']);
  assert.throws(() => {
    t.begin('y');
  }, coded('USAGE'));
  await assert.rejects(t.end('x'), coded('USAGE'));

  let handle: Awaited<ReturnType<typeof track>> | undefined;
  {
    await using scoped = await track({ sensor: scriptedSensor().sensor, env: envOf(manualClock()), save: false });
    handle = scoped;
  }
  const disposed: TrackResult = await handle.stop();
  assert.equal(disposed.status.kind, 'completed');
  assert.equal(handle.stop(), handle.stop());
});

void test('track: every option is checked before the sensor starts, as a coded error naming it', async () => {
  const s = scriptedSensor();
  const env = envOf(manualClock());
  const base = { sensor: s.sensor, env, save: false } as const;
  const bad: [Record<string, unknown>, string, string | undefined][] = [
    [{ grid: 'Atlantis' }, 'UNKNOWN_ZONE', 'grid'],
    [{ grid: '-5' }, 'INVALID_VALUE', 'grid'],
    [{ pue: 0.5 }, 'INVALID_VALUE', 'pue'],
    [{ pue: 'x' }, 'INVALID_VALUE', 'pue'],
    [{ lifetimeS: -1 }, 'INVALID_VALUE', 'lifetimeS'],
    [{ preset: 'thesis' }, 'INVALID_VALUE', 'preset'],
    [{ embodiedModel: 'bogus' }, 'INVALID_VALUE', 'embodiedModel'],
    [{ hardware: 'H200', embodiedModel: 'thesis-2025-constants' }, 'INVALID_VALUE', 'embodied model'],
    [{ hardware: 'Graphcore IPU' }, 'UNKNOWN_HARDWARE', 'hardware'],
    [{ intervalS: 0 }, 'INVALID_VALUE', 'intervalS'],
    [{ save: 'yes' }, 'INVALID_VALUE', 'save'],
    [{ save: { runsDir: '' } }, 'INVALID_VALUE', 'save.runsDir'],
  ];
  for (const [opts, code, field] of bad) {
    await assert.rejects(track({ ...base, ...opts }), coded(code, field), JSON.stringify(opts));
  }
  await assert.rejects(track({ sensor: 'bogus', env, save: false }), coded('USAGE'));
  // A runs directory that cannot be written: refused before anything runs, as measure does.
  const file = join(work, 'a-file');
  writeFileSync(file, 'x');
  await assert.rejects(track({ ...base, save: { runsDir: join(file, 'runs') } }), coded('IO'));
  assert.equal(s.state.starts, 0, 'no sensor was started');
});

void test('track: save defaults to the runs directory inferprint uses ($INFERPRINT_RUNS_DIR)', async () => {
  const dir = join(work, 'env-runs');
  const before = process.env.INFERPRINT_RUNS_DIR;
  process.env.INFERPRINT_RUNS_DIR = dir;
  try {
    const clock = manualClock();
    const s = scriptedSensor();
    const t = await track({ sensor: s.sensor, env: envOf(clock) });
    assert.equal(t.runsDir, dir);
    s.push('gpu0', clock.at(), 10);
    clock.advance(1);
    s.push('gpu0', clock.at(), 10);
    const r = await t.stop();
    assert.ok(r.run?.path.startsWith(dir));
    assert.equal(readdirSync(dir).filter((n) => !n.startsWith('.')).length, 1);
  } finally {
    if (before === undefined) delete process.env.INFERPRINT_RUNS_DIR;
    else process.env.INFERPRINT_RUNS_DIR = before;
  }
});

// ---------------------------------------------------------------------------------------
// In a process of its own

// .mts: an ES module wherever it lies (the temp dir has no package.json saying so).
const script = join(work, 'tracked.mts');
writeFileSync(
  script,
  `import { track } from ${JSON.stringify(join(ROOT, 'src/index.ts'))};
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const [mode, trace, runsDir] = process.argv.slice(2);
if (mode === 'replay') {
  await track({ sensor: 'replay:' + trace, intervalS: 0.02, save: false });
} else if (mode === 'estimate') {
  const root = mkdtempSync(join(tmpdir(), 'inferprint-track-proc-'));
  const { mkdirSync } = await import('node:fs');
  mkdirSync(join(root, 'proc'));
  writeFileSync(join(root, 'proc/cpuinfo'), 'processor\\t: 0\\nmodel name\\t: AMD EPYC 7763 64-Core Processor\\n\\nprocessor\\t: 1\\nmodel name\\t: AMD EPYC 7763 64-Core Processor\\n');
  writeFileSync(join(root, 'proc/stat'), 'cpu  100 0 100 800 0 0 0 0 0 0\\ncpu0 50 0 50 400 0 0 0 0 0 0\\ncpu1 50 0 50 400 0 0 0 0 0 0\\n');
  const clock = { monotonicS: () => performance.now() / 1000, epochMs: () => Date.now() };
  await track({ sensor: 'estimate', intervalS: 0.02, save: false, env: { clock, root, env: {}, spawn: () => { throw new Error('no spawn'); } } });
} else if (mode === 'nvidia-smi') {
  const { spawn } = await import('node:child_process');
  const clock = { monotonicS: () => performance.now() / 1000, epochMs: () => Date.now() };
  await track({ sensor: 'nvidia-smi', intervalS: 0.05, save: false, env: { clock, root: '/', env: { ...process.env, PATH: ${JSON.stringify(FAKE_BIN)} + ':' + process.env.PATH }, spawn: (c, a, o) => spawn(c, [...a], o) } });
} else if (mode === 'nvml') {
  const clock = { monotonicS: () => performance.now() / 1000, epochMs: () => Date.now() };
  await track({ sensor: 'nvml', intervalS: 0.02, save: false, env: { clock, root: '/', env: { INFERPRINT_NVML_LIB: trace }, spawn: () => { throw new Error('no spawn'); } } });
} else if (mode === 'signal') {
  await track({ sensor: 'replay:' + trace, intervalS: 0.02, save: { runsDir }, saveOnSignal: true });
  process.kill(process.pid, 'SIGINT');
  setInterval(() => undefined, 1000); // alive until the tracker has saved and let the signal through
}
console.log('started');
`,
);
const flat = join(work, gpuTraceName(2));
writeFileSync(flat, `timestamp,gpu_power\n${Array.from({ length: 200 }, (_, i) => `${(i * 0.02).toFixed(2)},100`).join('\n')}\n`);

function runScript(...args: string[]) {
  // The limit only stops a hang from holding the suite; nothing is asserted about time.
  return spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
}

for (const mode of ['replay', 'estimate', 'nvidia-smi', 'nvml']) {
  void test(`track: a program that never calls stop() still exits (${mode} sensor)`, { skip: mode === 'nvml' ? skipWithoutFakeNvml : false }, () => {
    const r = runScript(mode, mode === 'nvml' ? fakeNvmlPath() : flat);
    assert.equal(r.signal, null, `killed by ${r.signal}: the tracker kept the process alive; stderr: ${r.stderr}`);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /started/);
  });
}

void test('track saveOnSignal: Ctrl-C saves the run as interrupted, then ends the program as the signal would', () => {
  const runsDir = join(work, 'runs-signal');
  const r = runScript('signal', flat, runsDir);
  assert.equal(r.signal, 'SIGINT', `status ${r.status}; stderr: ${r.stderr}`);
  const bundles = readdirSync(runsDir).filter((n) => !n.startsWith('.'));
  assert.equal(bundles.length, 1);
  return readRunBundle(join(runsDir, bundles[0]!)).then((b) => {
    assert.deepEqual(b.manifest.status, { kind: 'interrupted', signal: 'SIGINT' });
  });
});
