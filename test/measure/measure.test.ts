import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measure, type MeasureOptions } from '../../src/app/measure.js';
import { saveMeasureRun } from '../../src/app/measure-bundle.js';
import { InferprintError } from '../../src/errors.js';
import { readRunBundle } from '../../src/runs/io/bundle.js';
import { defaultSensorEnv } from '../../src/sensors/io/env.js';
import { toJson } from '../../src/cli/commands/measure.js';

const dir = mkdtempSync(join(tmpdir(), 'inferprint-measure-'));
const runsDir = join(dir, 'runs');
const trace = join(dir, 'replay.csv');
// 100 W then 200 W, 20 ms apart: replayed as a live GPU.
writeFileSync(trace, `timestamp,gpu_power\n${Array.from({ length: 50 }, (_, i) => `${(i * 0.02).toFixed(2)},${i < 25 ? 100 : 200}`).join('\n')}\n`);
const node = process.execPath;

async function run(command: string[], extra: Partial<MeasureOptions> = {}) {
  const env = await defaultSensorEnv();
  const opts: MeasureOptions = { command, sensor: `replay:${trace}`, intervalS: 0.02, cwd: dir, env, signals: new EventEmitter(), hardware: 'H100-NVL', ...extra };
  const result = await measure(opts);
  const saved = await saveMeasureRun(result, runsDir, { command, cwd: dir });
  return { result, saved };
}

test('measure: runs the command, saves a completed bundle, JSON has the contract fields', async () => {
  const { result, saved } = await run([node, '-e', 'setTimeout(() => {}, 300)']);
  assert.equal(result.exitCode, 0);
  assert.equal(result.status.kind, 'completed');
  const j = toJson(result, saved);
  assert.equal(j.sensor, 'replay');
  assert.equal(j.estimated, false);
  assert.ok(j.duration_s >= 0.3 && j.duration_s < 5, String(j.duration_s));
  assert.ok(j.energy_j > 100 * j.duration_s * 0.5, String(j.energy_j));
  assert.deepEqual(Object.keys(j.channels[0]!).sort(), ['energy_j', 'kind', 'max_w', 'mean_w', 'name', 'samples', 'unit']);
  assert.equal(j.channels[0]!.unit, 'W');
  assert.ok(j.gwp_mg && j.gwp_mg.mean > 0);
  assert.equal(j.impact_scope, 'operational+embodied');
  // A replay is neither measured nor estimated: it says what it plays back.
  assert.equal(j.provenance, 'replayed');
  assert.equal(j.provenance_detail, `replayed from ${trace} (measured by nvidia-smi)`);
  const b = await readRunBundle(saved.path);
  assert.deepEqual(b.manifest.sensor.provenance, { kind: 'replayed', file: trace, original: { kind: 'measured', sensor: 'nvidia-smi' } });
  // The settings the run was assessed with are recorded, so every later reader assesses it alike.
  assert.deepEqual(b.manifest.impact?.settings, { preset: 'default' });
  assert.equal(b.manifest.status.kind, 'completed');
  assert.equal(b.manifest.workload.kind, 'command');
  assert.equal(b.manifest.sensor.name, 'replay');
  assert.ok(b.manifest.windows.some((w) => w.name === 'full'));
  assert.equal(b.trace.channels[0]!.tS.length, result.recording.channels[0]!.tS.length);
});

test("measure: the command's exit code is handed back, and the run is still saved", async () => {
  const { result, saved } = await run([node, '-e', 'process.exit(3)']);
  assert.equal(result.exitCode, 3);
  assert.equal(result.status.kind, 'completed', 'the measurement completed; the command failed');
  assert.ok(existsSync(join(saved.path, 'manifest.json')));
});

test('measure: a command that does not exist exits 127 and is saved as failed', async () => {
  const { result, saved } = await run(['no-such-command-inferprint']);
  assert.equal(result.exitCode, 127);
  assert.equal(result.status.kind, 'failed');
  assert.match(result.commandExit.spawnError ?? '', /command not found/);
  assert.equal((await readRunBundle(saved.path)).manifest.status.kind, 'failed');
});

test('measure: Ctrl-C is forwarded to the command and the partial run is saved as interrupted', async () => {
  const signals = new EventEmitter();
  setTimeout(() => signals.emit('SIGINT'), 400);
  const t0 = Date.now();
  const { result, saved } = await run([node, '-e', 'setTimeout(() => {}, 20000)'], { signals });
  assert.ok(Date.now() - t0 < 15000, 'the command was stopped, not waited for');
  assert.deepEqual(result.status, { kind: 'interrupted', signal: 'SIGINT' });
  assert.equal(result.exitCode, 130);
  const b = await readRunBundle(saved.path);
  assert.deepEqual(b.manifest.status, { kind: 'interrupted', signal: 'SIGINT' });
  assert.ok(b.trace.channels[0]!.tS.length > 0, 'the samples up to the interrupt are kept');
});

test('measure: a sensor asked for by name that cannot run fails before the command starts', async () => {
  const marker = join(dir, 'ran');
  const env = { ...(await defaultSensorEnv()), env: { PATH: join(dir, 'empty-path') } };
  await assert.rejects(
    measure({ command: [node, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`], sensor: 'nvidia-smi', intervalS: 0.05, cwd: dir, env, signals: new EventEmitter() }),
    (e: unknown) => e instanceof InferprintError && e.code === 'SENSOR_UNAVAILABLE' && /nvidia-smi/.test(e.message),
  );
  assert.equal(existsSync(marker), false);
});

test('measure: idle windows before and after give an idle baseline', async () => {
  const { result } = await run([node, '-e', 'setTimeout(() => {}, 200)'], { idleS: 0.2 });
  const names = result.recording.windows.map((w) => w.name);
  assert.deepEqual(names, ['idle-before', 'full', 'idle-after']);
  assert.ok(result.summary.idle && result.summary.idle.idlePowerW > 0);
});

test('measure with a runs directory: samples are published to its live file while the command runs, and the file goes at the end', async () => {
  const liveRuns = join(dir, 'live-runs');
  const liveFile = join(liveRuns, '.live', `${process.pid}.jsonl`);
  // The command itself waits until the live file holds samples (or gives up after 20 s).
  const script = `const fs=require('fs');const f=${JSON.stringify(liveFile)};const t0=Date.now();(function w(){let n=0;try{n=fs.readFileSync(f,'utf8').split('\\n').filter((l)=>l.includes('"watts"')).length}catch{}if(n>=2)process.exit(0);if(Date.now()-t0>20000)process.exit(9);setTimeout(w,20)})()`;
  const { result } = await run([node, '-e', script], { runsDir: liveRuns, label: 'live' });
  assert.equal(result.exitCode, 0, 'the command saw samples in the live file');
  assert.equal(existsSync(liveFile), false, 'the live file is removed when the measurement ends');
});
