import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errors } from '../../src/errors.js';
import { Recorder } from '../../src/measure/recorder.js';
import { summarizeRecording } from '../../src/measure/summary.js';
import { startPoller } from '../../src/sensors/poller.js';
import { replaySensor } from '../../src/sensors/io/replay.js';
import type { Clock, Sensor, SensorEnv } from '../../src/sensors/types.js';
import { gpuTraceName } from '../helpers/replay-trace.js';

/** A clock the test moves by hand: the recorder's arithmetic is checked without waiting. */
function manualClock(): Clock & { advance(s: number): void } {
  let t = 1000;
  return { monotonicS: () => t, epochMs: () => 1.7e12 + t * 1000, advance: (s) => (t += s) };
}

/** A sensor whose readings the test pushes itself. */
function scriptedSensor(): { sensor: Sensor; push: (ch: string, tS: number, w: number) => void; energy: (ch: string, tS: number, j: number) => void; fail: () => void } {
  let sink: Parameters<Sensor['start']>[2] | undefined;
  const sensor: Sensor = {
    name: 'estimate',
    kind: 'measured',
    probe: () => Promise.resolve({ ok: true, detail: 'scripted' }),
    start: (_env, opts, s) => {
      sink = s;
      return Promise.resolve({
        info: { name: 'estimate', provenance: { kind: 'measured', sensor: 'estimate' }, channels: [{ name: 'gpu0', kind: 'gpu' }, { name: 'cpu', kind: 'cpu' }], primaryChannel: 'gpu0', requestedIntervalS: opts.intervalS, notes: [] },
        stop: () => Promise.resolve(),
      });
    },
  };
  return {
    sensor,
    push: (ch, t, w) => { sink!.power(ch, t, w); },
    energy: (ch, t, j) => { sink!.energy(ch, t, j); },
    fail: () => { sink!.fail(errors.sensorFailed('scripted', 'process exited with code 1')); },
  };
}

const env = (clock: Clock): SensorEnv => ({ clock, root: '/', env: {}, spawn: () => { throw new Error('no spawn'); } });

test('windows may overlap; energy per channel and per window; counter vs samples', async () => {
  const clock = manualClock();
  const s = scriptedSensor();
  const rec = await Recorder.start({ sensor: s.sensor, env: env(clock), intervalS: 0.1 });
  const t0 = clock.monotonicS();
  // gpu0: 100 W for 1 s then 200 W for 1 s, sampled every 0.5 s; a counter that reads 1 % high.
  for (const [dt, w] of [[0, 100], [0.5, 100], [1, 100], [1.5, 200], [2, 200]] as const) {
    s.push('gpu0', t0 + dt, w);
    s.push('cpu', t0 + dt, 10);
  }
  s.energy('gpu0', t0, 0);
  s.energy('gpu0', t0 + 2, 1.01 * 325);
  rec.beginWindow('full');
  clock.advance(1);
  rec.beginWindow('compute');
  clock.advance(1);
  rec.endWindow('full');
  rec.endWindow('compute');
  const r = await rec.stop();
  assert.deepEqual(r.windows.map((w) => [w.name, w.t0S, w.t1S]), [['full', 0, 2], ['compute', 1, 2]]);
  const sum = summarizeRecording(r);
  // 100 W·1 s + ramp 100→200 over 0.5 s (75 J) + 200 W·0.5 s = 275 J… by trapezoid over the samples:
  // [0,1]: 100 J; [1,1.5]: 75 J; [1.5,2]: 100 J → 275 J.
  assert.equal(sum.primaryEnergyJ, 275);
  assert.equal(sum.channels.find((c) => c.name === 'cpu')!.energyJ, 20);
  assert.equal(sum.windows.find((w) => w.name === 'compute')!.primaryEnergyJ, 175);
  const c = sum.counters[0]!;
  assert.ok(Math.abs(c.counterJ - 328.25) < 1e-9);
  assert.ok(Math.abs(c.differenceJ - (328.25 - 275)) < 1e-9);
});

test('readings out of order are dropped and counted; a sensor failure is kept with the time it happened', async () => {
  const clock = manualClock();
  const s = scriptedSensor();
  const rec = await Recorder.start({ sensor: s.sensor, env: env(clock), intervalS: 0.1 });
  const t0 = clock.monotonicS();
  s.push('gpu0', t0 + 0.2, 50);
  s.push('gpu0', t0 + 0.1, 60);
  clock.advance(0.5);
  s.fail();
  s.push('gpu0', t0 + 0.6, 70); // after the failure: ignored
  clock.advance(0.5);
  const r = await rec.stop();
  assert.equal(r.droppedOutOfOrder, 1);
  assert.equal(r.channels[0]!.tS.length, 1);
  assert.equal(r.failure?.tS, 0.5);
  assert.equal(r.failure.error.code, 'SENSOR_FAILED');
  const sum = summarizeRecording(r);
  assert.ok(sum.warnings.some((w) => /sensor failed/.test(w)));
  assert.ok(sum.gaps.some((g) => g.channel === 'gpu0' && g.endS === 1));
});

test('window misuse is a usage error', async () => {
  const rec = await Recorder.start({ sensor: scriptedSensor().sensor, env: env(manualClock()), intervalS: 0.1 });
  rec.beginWindow('a');
  assert.throws(() => { rec.beginWindow('a'); }, /already open/);
  assert.throws(() => rec.endWindow('b'), /never opened/);
  const r = await rec.stop();
  assert.deepEqual(r.windows.map((w) => w.name), ['a'], 'open windows close at stop');
});

test('repeated values and short windows produce warnings', async () => {
  const clock = manualClock();
  const s = scriptedSensor();
  const rec = await Recorder.start({ sensor: s.sensor, env: env(clock), intervalS: 0.05 });
  const t0 = clock.monotonicS();
  // Sampled every 50 ms, value changes every 200 ms (75 % repeats).
  for (let i = 0; i <= 40; i++) s.push('gpu0', t0 + i * 0.05, 100 + Math.floor(i / 4));
  rec.beginWindow('full');
  clock.advance(0.1);
  rec.endWindow('full');
  clock.advance(1.9);
  const sum = summarizeRecording(await rec.stop());
  assert.ok(sum.warnings.some((w) => /repeats values .* every 200 ms/.test(w)), sum.warnings.join('; '));
  assert.ok(sum.warnings.some((w) => /window 'full' \(100 ms\) is shorter than the sensor's update period \(200 ms\)/.test(w)), sum.warnings.join('; '));
});

test('the poller keeps a drift-free schedule and stops cleanly', async () => {
  const clock = { monotonicS: () => performance.now() / 1000, epochMs: () => Date.now() };
  const ticks: number[] = [];
  const p = startPoller(clock, 0.01, (t) => void ticks.push(t), () => undefined);
  await new Promise((r) => setTimeout(r, 120));
  await p.stop();
  const n = ticks.length;
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(ticks.length, n, 'no tick after stop');
  assert.ok(n >= 3, `ticked ${n} times`);
  for (let i = 1; i < n; i++) assert.ok(ticks[i]! > ticks[i - 1]!);
});

test('replay: a recorded trace plays back in real time, looping', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-replay-'));
  const f = join(dir, gpuTraceName());
  writeFileSync(f, 'timestamp,gpu_power\n0,100\n0.01,100\n0.02,300\n');
  const clock = { monotonicS: () => performance.now() / 1000, epochMs: () => Date.now() };
  const rec = await Recorder.start({ sensor: replaySensor(f), env: env(clock), intervalS: 0.005 });
  await new Promise((r) => setTimeout(r, 80));
  const r = await rec.stop();
  const ch = r.channels[0]!;
  assert.equal(r.info.name, 'replay');
  assert.ok(ch.tS.length > 3, 'looped past the end of the file');
  assert.deepEqual([...ch.powerW.slice(0, 4)], [100, 100, 300, 100]);
  assert.ok(Math.abs(ch.tS[1]! - ch.tS[0]! - 0.01) < 1e-9, 'keeps the recorded spacing');
});
