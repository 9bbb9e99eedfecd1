import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measure } from '../../src/app/measure.js';
import { Recorder, type Recording, type Window } from '../../src/measure/recorder.js';
import { MIN_IDLE_COVERAGE, summarizeRecording } from '../../src/measure/summary.js';
import type { Sensor, SensorEnv, SensorSink } from '../../src/sensors/types.js';
import { cpuinfoText, FakeTree, procStatText } from '../helpers/fake-sys.js';
import { gpuTraceName } from '../helpers/replay-trace.js';

/**
 * The idle baseline (`measure --idle`) for every sensor. The estimator's `cpu` channel starts
 * one interval after the sensor, stamped at that interval's midpoint, and ends half an
 * interval before it stops: the idle windows were never inside its samples, and the idle
 * split was silently missing.
 */

const close = (a: number, b: number, tol = 1e-9) => Math.abs(a - b) <= tol;

/** A recording shaped like the estimator's: cpu values stamped at the midpoints of 0.1 s intervals. */
function estimateLike(windows: readonly Window[], powerAt: (t: number) => number, samples = 30): Recording {
  const tS = Float64Array.from({ length: samples }, (_, i) => 0.05 + 0.1 * i);
  return {
    info: { name: 'estimate', provenance: { kind: 'estimated', method: 'cpu-tdp-utilisation-v1' }, channels: [{ name: 'cpu', kind: 'cpu' }], primaryChannel: 'cpu', requestedIntervalS: 0.1, notes: [] },
    originEpochMs: 1.7e12,
    durationS: 3,
    channels: [{ name: 'cpu', tS, powerW: tS.map(powerAt) }],
    counters: [],
    windows,
    droppedOutOfOrder: 0,
  };
}

const W = (name: string, t0S: number, t1S: number): Window => ({ name, t0S, t1S });

test('idle windows the samples cover only from half an interval in: the baseline is the mean over the covered part', () => {
  // 10 W at idle (up to and including the sample at 1.05 s), 50 W while the command runs, 10 W after.
  const rec = estimateLike([W('idle-before', 0, 1), W('full', 1, 2), W('idle-after', 2, 3)], (t) => (t < 1.1 || t > 2 ? 10 : 50));
  const s = summarizeRecording(rec);
  assert.ok(s.idle, `an idle split (warnings: ${s.warnings.join('; ')})`);
  assert.equal(s.idle.idleWindow, 'idle-before');
  // Covered part [0.05, 1] s, all at 10 W.
  assert.ok(close(s.idle.t0S, 0.05) && s.idle.t1S === 1);
  assert.ok(close(s.idle.idlePowerW, 10));
  // full [1, 2]: 10 W to 1.05 (0.5 J), ramp 10→50 to 1.15 (3 J), 50 W to 1.95 (40 J), ramp 50→10 cut at 2.0 (30 W: 2 J).
  assert.ok(close(s.primaryEnergyJ, 45.5), String(s.primaryEnergyJ));
  assert.ok(close(s.idle.idleJ, 10));
  assert.ok(close(s.idle.dynamicJ, 35.5));
  assert.ok(!s.warnings.some((w) => /idle/.test(w)), s.warnings.join('; '));
});

test('an idle window covered less than half is passed over for the other; when neither will do, a warning says why', () => {
  // idle-before [0, 0.08]: samples from 0.05 cover 37.5 % of it; idle-after [2, 3] is covered to 2.95 (95 %).
  const after = summarizeRecording(estimateLike([W('idle-before', 0, 0.08), W('full', 0.08, 2), W('idle-after', 2, 3)], (t) => (t > 2 ? 12 : 40)));
  assert.equal(after.idle?.idleWindow, 'idle-after');
  // Over [2, 2.95]: the ramp 40→12 between the samples at 1.95 and 2.05 s is at 26 W at 2.0 s, then 12 W.
  const rampJ = ((26 + 12) / 2) * 0.05;
  assert.ok(close(after.idle.idlePowerW, (rampJ + 12 * 0.9) / 0.95), String(after.idle.idlePowerW));

  const neither = summarizeRecording(estimateLike([W('idle-before', 0, 0.08), W('full', 0.08, 2.96), W('idle-after', 2.96, 3.06)], () => 20));
  assert.equal(neither.idle, undefined);
  const warning = neither.warnings.find((w) => w.startsWith('no idle baseline'));
  assert.ok(warning, neither.warnings.join('; '));
  assert.match(warning, /'idle-before' 0\.000–0\.080 s or 'idle-after' 2\.960–3\.060 s/);
  assert.match(warning, new RegExp(`less than ${MIN_IDLE_COVERAGE * 100} %`));
});

test('a primary channel with a single sample gives no idle baseline, and says so', () => {
  const s = summarizeRecording(estimateLike([W('idle-before', 0, 1), W('full', 1, 2)], () => 20, 1));
  assert.equal(s.idle, undefined);
  assert.ok(s.warnings.some((w) => /no idle baseline: the primary channel 'cpu' has 1 sample,/.test(w)), s.warnings.join('; '));
  // No idle window asked for: nothing to say.
  assert.ok(!summarizeRecording(estimateLike([W('full', 1, 2)], () => 20, 1)).warnings.some((w) => /idle/.test(w)));
});

// ---------------------------------------------------------------------------------------
// Recorder.whenSampled

function pushSensor(): { sensor: Sensor; sink: () => SensorSink } {
  let sink: SensorSink | undefined;
  const sensor: Sensor = {
    name: 'estimate',
    kind: 'estimated',
    probe: () => Promise.resolve({ ok: true, detail: 'scripted' }),
    start: (_env, opts, s) => {
      sink = s;
      return Promise.resolve({
        info: { name: 'estimate', provenance: { kind: 'estimated', method: 'x' }, channels: [{ name: 'cpu', kind: 'cpu' }], primaryChannel: 'cpu', requestedIntervalS: opts.intervalS, notes: [] },
        stop: () => Promise.resolve(),
      });
    },
  };
  return { sensor, sink: () => sink! };
}

const realEnv = (): SensorEnv => ({ clock: { monotonicS: () => performance.now() / 1000, epochMs: () => Date.now() }, root: '/', env: {}, spawn: () => { throw new Error('no spawn'); } });

test('whenSampled: true once the channel has a sample (at once if it has one), false on stop or sensor failure', async () => {
  const p = pushSensor();
  const rec = await Recorder.start({ sensor: p.sensor, env: realEnv(), intervalS: 0.1 });
  const waiting = rec.whenSampled('cpu', 600);
  p.sink().power('memory', performance.now() / 1000, 5);
  p.sink().power('cpu', performance.now() / 1000 + 1e-6, 20);
  assert.equal(await waiting, true);
  assert.equal(await rec.whenSampled('cpu', 600), true);
  const never = rec.whenSampled('gpu0', 600);
  await rec.stop();
  assert.equal(await never, false, 'stopping answers every waiter');

  const q = pushSensor();
  const rec2 = await Recorder.start({ sensor: q.sensor, env: realEnv(), intervalS: 0.1 });
  const w2 = rec2.whenSampled('cpu', 600);
  q.sink().fail(new (await import('../../src/errors.js')).InferprintError('SENSOR_FAILED', 'gone'));
  assert.equal(await w2, false);
  await rec2.stop();
});

// ---------------------------------------------------------------------------------------
// measure --idle, end to end

const node = process.execPath;
const work = mkdtempSync(join(tmpdir(), 'inferprint-idle-'));

test('measure --idle with the estimator on a fake /proc: the idle split is there, from idle-before, at the estimated idle power', async () => {
  const tree = new FakeTree();
  try {
    // EPYC 7763: 280 W over 64 cores; /proc/stat moves 1000 ticks a second, half of them busy.
    tree.write('proc/cpuinfo', cpuinfoText({ model: 'AMD EPYC 7763 64-Core Processor', coresPerSocket: 64, threadsPerCore: 2 }), false);
    let t0: number | undefined;
    const clock = {
      epochMs: () => Date.now(),
      // /proc/stat follows the sensor's own clock (as in the RAPL test): whenever the clock is read, the file is brought to that instant.
      monotonicS: () => {
        const t = performance.now() / 1000;
        t0 ??= t;
        const ticks = Math.floor((t - t0) * 1000);
        tree.write('proc/stat', procStatText({ user: 1000 + Math.floor(ticks / 2), idle: 9000 + ticks - Math.floor(ticks / 2) }), false);
        return t;
      },
    };
    clock.monotonicS();
    const env: SensorEnv = { clock, root: tree.root, env: {}, spawn: (c, a, o) => spawn(c, [...a], o) };
    const lines: string[] = [];
    const r = await measure({ command: [node, '-e', 'setTimeout(() => {}, 200)'], sensor: 'estimate', estimateScope: 'machine', intervalS: 0.05, idleS: 0.3, cwd: work, env, signals: new EventEmitter(), onStatus: (l) => lines.push(l) });
    assert.equal(r.recording.info.primaryChannel, 'cpu');
    assert.ok(r.summary.idle, `idle split missing; warnings: ${r.summary.warnings.join('; ')}`);
    assert.equal(r.summary.idle.idleWindow, 'idle-before');
    // u = 0.5 ± one tick in the ≥ 50 ticks of an interval → 140 W ± 2 %.
    assert.ok(Math.abs(r.summary.idle.idlePowerW - 140) <= 140 * 0.02 + 1e-9, String(r.summary.idle.idlePowerW));
    // The whole idle window lies within the cpu channel's samples: measure waited for the first one.
    const idle = r.recording.windows.find((w) => w.name === 'idle-before')!;
    const cpu = r.recording.channels.find((c) => c.name === 'cpu')!;
    assert.ok(idle.t0S >= cpu.tS[0]!, `idle-before starts at ${idle.t0S} s, first cpu sample at ${cpu.tS[0]} s`);
    assert.ok(!r.summary.warnings.some((w) => /no idle baseline/.test(w)));
  } finally {
    tree.remove();
  }
});

test('measure --idle with the replay sensor: the idle power is the replayed one; a replay too sparse for a baseline says so', async () => {
  const dense = join(work, gpuTraceName(1));
  // 100 W for 10 s, sampled every 20 ms.
  writeFileSync(dense, `timestamp,gpu_power\n${Array.from({ length: 500 }, (_, i) => `${(i * 0.02).toFixed(2)},100`).join('\n')}\n`);
  const base = { command: [node, '-e', 'setTimeout(() => {}, 100)'], intervalS: 0.02, idleS: 0.2, cwd: work, env: realEnv(), signals: new EventEmitter() };
  const r = await measure({ ...base, sensor: `replay:${dense}` });
  assert.equal(r.summary.idle?.idleWindow, 'idle-before');
  assert.ok(close(r.summary.idle.idlePowerW, 100), String(r.summary.idle.idlePowerW));

  const sparse = join(work, gpuTraceName(2));
  // One sample every 30 s: a run of well under that holds one sample, no baseline.
  writeFileSync(sparse, 'timestamp,gpu_power\n0,100\n30,100\n60,100\n');
  const lines: string[] = [];
  const s = await measure({ ...base, sensor: `replay:${sparse}`, onStatus: (l) => lines.push(l) });
  assert.equal(s.summary.idle, undefined);
  assert.ok(lines.some((l) => /warning: no idle baseline: the primary channel 'gpu' has 1 sample/.test(l)), lines.join('\n'));
});
