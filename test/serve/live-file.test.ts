// Live files: the writer's format and clean-up, the sensor wrapper that publishes readings, and
// the tailer that turns appended lines into session / samples / end events.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { errors } from '../../src/errors.js';
import type { Sensor, SensorEnv, SensorSink } from '../../src/sensors/types.js';
import { LIVE_DIR, openLiveWriter, publishLive } from '../../src/measure/io/live-writer.js';
import { LiveTailer, type LiveEvent } from '../../src/serve/live-tailer.js';
import { tempDir } from './helpers.js';

const META = { label: 'bert', sensor: 'nvml', channels: [{ name: 'gpu0', kind: 'gpu' as const, device: 'NVIDIA H200' }], primaryChannel: 'gpu0', intervalS: 0.05 };

function lines(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('the writer appends a header and one JSON line per sample, and removes its file on close', () => {
  const runsDir = join(tempDir(), 'runs');
  const w = openLiveWriter(runsDir, META, { startedAt: new Date('2026-03-01T10:00:00.000Z'), flushIntervalMs: 60_000 });
  assert.equal(w.path, join(runsDir, LIVE_DIR, `${process.pid}.jsonl`));
  const second = openLiveWriter(runsDir, META, { flushIntervalMs: 60_000 });
  assert.equal(second.path, join(runsDir, LIVE_DIR, `${process.pid}-1.jsonl`), 'a second writer in the same process gets its own file');
  second.close();

  w.sample('gpu0', 0.05, 71.5);
  w.sample('gpu0', 0.1, 0.1 + 0.2);
  w.sample('gpu0', Number.NaN, 5); // not a sample: dropped
  w.flush();
  const [header, ...samples] = lines(w.path);
  assert.deepEqual(header, {
    type: 'header',
    version: 1,
    session: w.session,
    pid: process.pid,
    host: hostname(),
    startedAt: '2026-03-01T10:00:00.000Z',
    ...META,
  });
  assert.deepEqual(samples, [
    { t: 0.05, channel: 'gpu0', watts: 71.5 },
    { t: 0.1, channel: 'gpu0', watts: 0.30000000000000004 },
  ]);
  w.close();
  w.close();
  assert.ok(!existsSync(w.path));
  assert.deepEqual(readdirSync(join(runsDir, LIVE_DIR)), []);
});

test('a writer that cannot create its file fails at open with an IO error; later failures only report', () => {
  const root = tempDir();
  writeFileSync(join(root, 'runs'), 'not a directory');
  assert.throws(
    () => openLiveWriter(join(root, 'runs'), META),
    (e: unknown) => e instanceof Error && /\[IO\]$/.test(e.message),
  );
});

function fakeEnv(): SensorEnv {
  let t = 1000;
  return {
    clock: { monotonicS: () => (t += 0.01), epochMs: () => Date.parse('2026-03-01T10:00:00.000Z') },
    root: '/',
    env: {},
    spawn: () => {
      throw new Error('no processes here');
    },
  };
}

/** A sensor that delivers one reading before `start` resolves and more on demand. */
function fakeSensor(): { sensor: Sensor; emit: (w: number) => void } {
  let sink: SensorSink | undefined;
  let t = 2000;
  const sensor: Sensor = {
    name: 'nvml',
    kind: 'measured',
    probe: () => Promise.resolve({ ok: true, detail: 'fake' }),
    start(_env, opts, s) {
      sink = s;
      s.power('gpu0', (t += 0.05), 50);
      return Promise.resolve({
        info: { name: 'nvml', provenance: { kind: 'measured', sensor: 'nvml' }, channels: [{ name: 'gpu0', kind: 'gpu', device: 'NVIDIA H200' }], primaryChannel: 'gpu0', requestedIntervalS: opts.intervalS, notes: [] },
        stop: () => Promise.resolve(),
      });
    },
  };
  return { sensor, emit: (w) => sink?.power('gpu0', (t += 0.05), w) };
}

test('publishLive passes every reading to the recorder and to the live file, and cleans up on stop', async () => {
  const runsDir = join(tempDir(), 'runs');
  const { sensor, emit } = fakeSensor();
  const got: [string, number, number][] = [];
  const sink: SensorSink = { power: (c, t, w) => got.push([c, t, w]), energy: () => undefined, fail: () => undefined };
  const live = publishLive(sensor, { runsDir, label: 'campaign run 3', flushIntervalMs: 60_000 });
  assert.equal(live.name, 'nvml');
  assert.equal(live.kind, 'measured');
  const handle = await live.start(fakeEnv(), { intervalS: 0.05 }, sink);
  emit(60);
  emit(70);
  assert.deepEqual(
    got.map(([, , w]) => w),
    [50, 60, 70],
    'the recorder sees every reading, unchanged',
  );
  const file = join(runsDir, LIVE_DIR, `${process.pid}.jsonl`);
  // The header and the early reading are written at once; later ones at the next flush (not yet, with a 60 s period).
  const [header, first] = lines(file);
  assert.equal(header!.label, 'campaign run 3');
  assert.equal(header!.intervalS, 0.05);
  assert.deepEqual(header!.channels, [{ name: 'gpu0', kind: 'gpu', device: 'NVIDIA H200' }]);
  assert.equal(first!.watts, 50);
  await handle.stop();
  assert.ok(!existsSync(file), 'removed when the sensor stops');
});

test('publishLive never fails a measurement because the live file cannot be written', async () => {
  const root = tempDir();
  writeFileSync(join(root, 'runs'), 'not a directory');
  const { sensor, emit } = fakeSensor();
  const got: number[] = [];
  const problems: string[] = [];
  const live = publishLive(sensor, { runsDir: join(root, 'runs'), onError: (e) => problems.push(e.code) });
  const handle = await live.start(fakeEnv(), { intervalS: 0.05 }, { power: (_c, _t, w) => got.push(w), energy: () => undefined, fail: () => undefined });
  emit(60);
  await handle.stop();
  assert.deepEqual(got, [50, 60]);
  assert.deepEqual(problems, ['IO']);
});

test('publishLive opens nothing when the sensor fails to start', async () => {
  const runsDir = join(tempDir(), 'runs');
  const broken: Sensor = {
    name: 'nvml',
    kind: 'measured',
    probe: () => Promise.resolve({ ok: false, reason: 'no GPU' }),
    start: () => Promise.reject(errors.sensorUnavailable('nvml', 'no GPU')),
  };
  await assert.rejects(publishLive(broken, { runsDir }).start(fakeEnv(), { intervalS: 0.1 }, { power: () => undefined, energy: () => undefined, fail: () => undefined }), /no GPU/);
  assert.ok(!existsSync(join(runsDir, LIVE_DIR)));
});

/** Poll until `pred` holds (each poll reads what changed); a bound on polls guards against hangs, not time. */
async function pollUntil(tailer: LiveTailer, pred: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    await tailer.poll();
    if (pred()) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  assert.fail(`never saw ${what}`);
}

test('the tailer reports sessions, samples (whole lines only) and ends', async () => {
  const runsDir = join(tempDir(), 'runs');
  const tailer = new LiveTailer(runsDir);
  const events: LiveEvent[] = [];
  tailer.subscribe((e) => events.push(e));
  await tailer.poll();
  assert.deepEqual(tailer.sessions(), [], 'no live folder yet: nothing');

  const w = openLiveWriter(runsDir, META, { flushIntervalMs: 60_000 });
  await tailer.poll();
  assert.equal(events[0]?.type, 'session');
  const [info] = tailer.sessions();
  assert.equal(info!.session, w.session);
  assert.equal(info!.label, 'bert');
  assert.equal(info!.samples, 0);

  // Half a line is held back until its end arrives.
  appendFileSync(w.path, '{"t":0.5,"channel":"gpu0","wa');
  await tailer.poll();
  assert.equal(events.filter((e) => e.type === 'samples').length, 0);
  appendFileSync(w.path, 'tts":80}\nnot json\n{"t":"x","channel":"gpu0","watts":1}\n{"t":0.6,"channel":"gpu0","watts":81}\n');
  await tailer.poll();
  const samples = events.flatMap((e) => (e.type === 'samples' ? e.samples : []));
  assert.deepEqual(samples, [
    { t: 0.5, channel: 'gpu0', watts: 80 },
    { t: 0.6, channel: 'gpu0', watts: 81 },
  ]);
  assert.equal(tailer.sessions()[0]!.samples, 2);
  assert.equal(tailer.sessions()[0]!.lastT, 0.6);
  assert.deepEqual(
    tailer.recent(w.session).map((s) => s.watts),
    [80, 81],
  );

  w.close();
  await tailer.poll();
  assert.deepEqual(events[events.length - 1], { type: 'end', session: w.session });
  assert.deepEqual(tailer.sessions(), []);
  tailer.stop();
});

test('a file replaced under the same name is a new session', async () => {
  const runsDir = join(tempDir(), 'runs');
  const tailer = new LiveTailer(runsDir);
  const events: LiveEvent[] = [];
  tailer.subscribe((e) => events.push(e));
  const a = openLiveWriter(runsDir, META, { flushIntervalMs: 60_000 });
  await tailer.poll();
  // The next run of a campaign, same process, same file name: written aside and renamed in.
  const b = openLiveWriter(runsDir, { ...META, label: 'next' }, { flushIntervalMs: 60_000 });
  a.close();
  renameSync(b.path, a.path);
  await tailer.poll();
  assert.deepEqual(
    events.map((e) => e.type),
    ['session', 'end', 'session'],
  );
  assert.equal(tailer.sessions()[0]!.label, 'next');
  rmSync(a.path);
  b.close();
  tailer.stop();
});

test('the tailer ignores foreign files, links, a linked live folder, and writers that died', async () => {
  const root = tempDir();
  const runsDir = join(root, 'runs');
  const live = join(runsDir, LIVE_DIR);
  mkdirSync(live, { recursive: true });
  const warnings: string[] = [];
  let alive = true;
  const tailer = new LiveTailer(runsDir, { onWarning: (m) => warnings.push(m), isAlive: () => alive, quietMs: 0 });
  const events: LiveEvent[] = [];
  tailer.subscribe((e) => events.push(e));

  writeFileSync(join(live, '77.jsonl'), '{"t":1,"channel":"gpu0","watts":5}\n');
  writeFileSync(join(live, 'notes.txt'), 'hello');
  const outside = join(root, 'outside.jsonl');
  writeFileSync(outside, `${JSON.stringify({ type: 'header', version: 1, session: 'x', pid: 1, host: 'h', startedAt: '2026-01-01T00:00:00Z', sensor: 'nvml', channels: [] })}\n`);
  symlinkSync(outside, join(live, '78.jsonl'));
  await tailer.poll();
  assert.deepEqual(tailer.sessions(), []);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /77\.jsonl does not start with a live header/);

  // A writer that died without removing its file: once quiet and its pid gone, the session ends.
  const w = openLiveWriter(runsDir, META, { pid: 424242, flushIntervalMs: 60_000 });
  await pollUntil(tailer, () => tailer.sessions().length === 1, 'the session');
  alive = false;
  await pollUntil(tailer, () => events.some((e) => e.type === 'end'), 'the end of a dead writer');
  assert.deepEqual(tailer.sessions(), []);
  w.close();
  tailer.stop();

  // A live folder that is a link is not followed.
  const other = join(root, 'runs2');
  mkdirSync(other);
  const elsewhere = join(root, 'elsewhere');
  mkdirSync(elsewhere);
  const w2 = openLiveWriter(join(root, 'elsewhere-runs'), META);
  symlinkSync(join(root, 'elsewhere-runs', LIVE_DIR), join(other, LIVE_DIR));
  const t2 = new LiveTailer(other);
  await t2.poll();
  assert.deepEqual(t2.sessions(), []);
  w2.close();
  t2.stop();
});

test('a multi-byte character cut by a read boundary arrives whole', async () => {
  const runsDir = join(tempDir(), 'runs');
  const tailer = new LiveTailer(runsDir);
  const events: LiveEvent[] = [];
  tailer.subscribe((e) => events.push(e));
  const w = openLiveWriter(runsDir, META, { flushIntervalMs: 60_000 });
  await tailer.poll();
  const line = Buffer.from('{"t":1,"channel":"rail é","watts":5}\n', 'utf8');
  const cut = line.indexOf(0xc3) + 1; // between the two bytes of 'é'
  appendFileSync(w.path, line.subarray(0, cut));
  await tailer.poll();
  appendFileSync(w.path, line.subarray(cut));
  await tailer.poll();
  const samples = events.flatMap((e) => (e.type === 'samples' ? e.samples : []));
  assert.deepEqual(samples, [{ t: 1, channel: 'rail é', watts: 5 }]);
  w.close();
  tailer.stop();
});
