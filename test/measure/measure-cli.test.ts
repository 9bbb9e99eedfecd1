import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { readRunBundle } from '../../src/runs/io/bundle.js';
import { FAKE_BIN } from '../fakes/child-env.js';
import { fakeNvmlPath, skipWithoutFakeNvml, useScenario } from '../helpers/fake-nvml.js';
import { gpuTraceName } from '../helpers/replay-trace.js';

/** End to end through the installed entry point, with fake nvidia-smi / NVML standing in for the GPU. */
const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/inferprint');
const skipNoBuild = existsSync(join(ROOT, 'dist/cli/main.js')) ? false : 'dist/ not built: run npm run build';
const node = process.execPath;

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${FAKE_BIN}${delimiter}${process.env.PATH ?? ''}`, ...extra };
}

function runsIn(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith('.')) : [];
}

test('measure --sensor nvidia-smi --format json: contract fields, GPU as primary channel, hardware from the name', { skip: skipNoBuild }, () => {
  const runs = mkdtempSync(join(tmpdir(), 'inferprint-e2e-'));
  const r = spawnSync(BIN, ['measure', '--sensor', 'nvidia-smi', '--interval', '20ms', '--runs-dir', runs, '--format', 'json', '--', node, '-e', 'setTimeout(() => {}, 400)'], {
    encoding: 'utf8',
    env: env({ FAKE_SMI_POWER_W: '150', FAKE_SMI_NAME: 'NVIDIA H200' }),
  });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as Record<string, unknown> & { channels: { name: string; mean_w: number }[]; energy_j: number; duration_s: number };
  for (const k of ['energy_j', 'duration_s', 'sensor', 'estimated', 'channels']) assert.ok(k in j, k);
  assert.equal(j.sensor, 'nvidia-smi');
  assert.equal(j.estimated, false);
  assert.equal(j.primary_channel, 'gpu0');
  assert.equal(j.hardware, 'H200');
  assert.ok(Math.abs(j.channels[0]!.mean_w - 150) < 1e-9);
  assert.ok(Math.abs(j.energy_j - 150 * j.duration_s) < 150 * 0.15, `${j.energy_j} J over ${j.duration_s} s`);
  assert.match(r.stderr, /sensor nvidia-smi/);
  assert.equal(runsIn(runs).length, 1);
});

test('measure exits with the command code; a sensor dying mid-run saves a failed run and exits non-zero', { skip: skipNoBuild }, async () => {
  const runs = mkdtempSync(join(tmpdir(), 'inferprint-e2e-'));
  const code = spawnSync(BIN, ['measure', '--sensor', 'nvidia-smi', '--interval', '20ms', '--runs-dir', runs, '--', node, '-e', 'process.exit(7)'], { encoding: 'utf8', env: env({}) });
  assert.equal(code.status, 7, code.stderr);
  const died = spawnSync(BIN, ['measure', '--sensor', 'nvidia-smi', '--interval', '20ms', '--runs-dir', runs, '--format', 'json', '--', node, '-e', 'setTimeout(() => {}, 800)'], {
    encoding: 'utf8',
    env: env({ FAKE_SMI_DIE_AFTER_MS: '300' }),
  });
  assert.notEqual(died.status, 0);
  const j = JSON.parse(died.stdout) as { status: string; run_path: string; gaps: unknown[]; warnings: string[] };
  assert.equal(j.status, 'failed');
  assert.ok(j.gaps.length > 0, 'the hole after the failure is recorded');
  assert.ok(j.warnings.some((w) => /sensor failed/.test(w)));
  const b = await readRunBundle(j.run_path);
  assert.equal(b.manifest.status.kind, 'failed');
  assert.ok(b.manifest.gaps.length > 0);
});

test('a missing sensor asked for by name fails before the command runs (exit 1, cause named)', { skip: skipNoBuild }, () => {
  const runs = mkdtempSync(join(tmpdir(), 'inferprint-e2e-'));
  const r = spawnSync(BIN, ['measure', '--sensor', 'tegrastats', '--runs-dir', runs, '--', node, '-e', 'console.log("RAN")'], { encoding: 'utf8', env: { ...process.env, PATH: dirname(node) } }); // node only: no tegrastats
  assert.equal(r.status, 1);
  assert.match(r.stderr, /tegrastats.*not found.*\[SENSOR_UNAVAILABLE\]/);
  assert.ok(!r.stdout.includes('RAN'));
  assert.equal(runsIn(runs).length, 0);
});

test('SIGTERM to inferprint is forwarded to the command; the partial run is saved as interrupted', { skip: skipNoBuild }, async () => {
  const runs = mkdtempSync(join(tmpdir(), 'inferprint-e2e-'));
  const child = spawn(BIN, ['measure', '--sensor', 'nvidia-smi', '--interval', '20ms', '--runs-dir', runs, '--format', 'json', '--', node, '-e', 'setTimeout(() => {}, 30000)'], { env: env({}) });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    // Once sampling has started, stop the run as a scheduler would.
    if (/sensor nvidia-smi/.test(err)) setTimeout(() => child.kill('SIGTERM'), 300);
  });
  const code = await new Promise<number | null>((r) => child.on('exit', (c) => { r(c); }));
  assert.equal(code, 143, err);
  const j = JSON.parse(out) as { status: string; run_path: string; channels: { samples: number }[] };
  assert.equal(j.status, 'interrupted');
  assert.ok(j.channels[0]!.samples > 0);
  assert.deepEqual((await readRunBundle(j.run_path)).manifest.status, { kind: 'interrupted', signal: 'SIGTERM' });
});

test('measure --sensor nvml through the real FFI path into the fake library: counter and samples both reported', { skip: skipNoBuild || skipWithoutFakeNvml }, async () => {
  const runs = mkdtempSync(join(tmpdir(), 'inferprint-e2e-'));
  const scenario = useScenario(['devices 1', 'gpu0.name NVIDIA H100 NVL', 'gpu0.power constant 200', 'gpu0.energy_counter supported']);
  const r = spawnSync(BIN, ['measure', '--sensor', 'nvml', '--interval', '20ms', '--runs-dir', runs, '--format', 'json', '--', node, '-e', 'setTimeout(() => {}, 400)'], {
    encoding: 'utf8',
    env: { ...process.env, INFERPRINT_NVML_LIB: fakeNvmlPath(), FAKE_NVML_SCENARIO: scenario },
  });
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout) as { run_path: string; sensor: string; hardware: string; channels: { mean_w: number }[]; counters: { counter_energy_j: number; samples_energy_j: number; difference_j: number }[] };
  assert.equal(j.sensor, 'nvml');
  const host = (await readRunBundle(j.run_path)).manifest.host;
  assert.equal(host.gpus?.[0]?.name, 'NVIDIA H100 NVL', 'the manifest names the GPUs NVML sees');
  assert.ok(host.driverVersion, 'and the driver');
  assert.equal(j.hardware, 'H100-NVL');
  assert.ok(Math.abs(j.channels[0]!.mean_w - 200) < 1e-9);
  const c = j.counters[0]!;
  // Both integrate the same constant curve over the command's window: they agree to within two sampling intervals.
  assert.ok(Math.abs(c.difference_j) <= 200 * 0.04 + 1e-9, JSON.stringify(c));
});

// ---------------------------------------------------------------------------------------
// Saving, the command's own result, the sensor line

/** A replayed 120 W GPU: the same power on any machine. */
function replayFile(dir: string): string {
  const file = join(dir, gpuTraceName());
  writeFileSync(file, `timestamp,gpu_power\n${Array.from({ length: 100 }, (_, i) => `${(i * 0.02).toFixed(2)},120`).join('\n')}\n`);
  return file;
}

test('a runs directory that cannot be written: exit 1 with one IO line naming it, before the command runs', { skip: skipNoBuild }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-e2e-'));
  const file = join(dir, 'file');
  writeFileSync(file, '');
  const runs = join(file, 'runs');
  const r = spawnSync(BIN, ['measure', '--sensor', `replay:${replayFile(dir)}`, '--runs-dir', runs, '--', node, '-e', 'console.log("RAN")'], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stderr, `inferprint measure: ${runs}: runs directory not writable (a part of the path is a file, not a directory, ENOTDIR): nothing was run; choose another with --runs-dir or $INFERPRINT_RUNS_DIR [IO]\n`);
  assert.ok(!r.stdout.includes('RAN'));
});

test('the runs directory goes away during the run: summary printed, bundle in $TMPDIR/inferprint-unsaved, exit 1, and the import it names works', { skip: skipNoBuild }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-e2e-'));
  const runs = join(dir, 'runs');
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  // The command replaces the runs directory with a file (what a full or unmounted disk does to the save).
  const script = `const fs=require('fs');const d=${JSON.stringify(runs)};for(let i=0;i<100;i++){fs.rmSync(d,{recursive:true,force:true});try{fs.writeFileSync(d,'',{flag:'wx'});break}catch{}}`;
  const r = spawnSync(BIN, ['measure', '--sensor', `replay:${replayFile(dir)}`, '--interval', '20ms', '--runs-dir', runs, '--', node, '-e', script], { encoding: 'utf8', env: { ...process.env, TMPDIR: tmp } });
  assert.equal(r.status, 1, r.stderr);
  const id = /^run (\S+) \(completed\) NOT saved in the runs directory: saved in (\S+) instead$/m.exec(r.stdout);
  assert.ok(id, r.stdout);
  const fallback = join(tmp, 'inferprint-unsaved', id[1]!);
  assert.equal(id[2], fallback);
  assert.match(r.stdout, /gpu: [\d.]+ J over/, 'the measurement is printed');
  const last = r.stderr.trimEnd().split('\n').at(-1)!;
  assert.ok(last.startsWith(`inferprint measure: the run could not be saved in ${runs}: `), last);
  assert.ok(last.endsWith(`it was saved in ${fallback} instead, bring it into the runs directory with: inferprint import bundle ${fallback} --runs-dir ${runs}`), last);
  // As the message says: into a runs directory that works again.
  rmSync(runs, { force: true });
  const imp = spawnSync(BIN, ['import', 'bundle', fallback, '--runs-dir', runs], { encoding: 'utf8' });
  assert.equal(imp.status, 0, imp.stderr);
  assert.deepEqual(runsIn(runs), [id[1]]);
});

test('a command that exits 3: the run reads "measurement completed; command exited with code 3", a warning says it, exit 3', { skip: skipNoBuild }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-e2e-'));
  const runs = join(dir, 'runs');
  // The command lasts a few sampling intervals, so the window holds samples however busy the machine is.
  const r = spawnSync(BIN, ['measure', '--sensor', `replay:${replayFile(dir)}`, '--interval', '20ms', '--runs-dir', runs, '--', 'sh', '-c', 'sleep 0.3; exit 3'], { encoding: 'utf8' });
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stdout, /^run \S+ \(measurement completed; command exited with code 3\) saved in /);
  assert.match(r.stderr, /^inferprint: warning: the command exited with code 3; the measurement itself completed$/m);
  const [id] = runsIn(runs);
  const m = (await readRunBundle(join(runs, id!))).manifest;
  assert.equal(m.status.kind, 'completed');
  assert.equal(m.workload.kind === 'command' ? m.workload.exitCode : undefined, 3);
});

test('the sensor line: one short line by default, every reason with --verbose or --debug; the bundle keeps them all', { skip: skipNoBuild }, async () => {
  const runs = mkdtempSync(join(tmpdir(), 'inferprint-e2e-'));
  // No NVIDIA library, no nvidia-smi or tegrastats: auto passes over at least those.
  const e = { ...process.env, PATH: dirname(node), INFERPRINT_NVML_LIB: '/nonexistent/libnvidia-ml.so.1' };
  const sensorLine = (args: string[]) => {
    const r = spawnSync(BIN, ['measure', ...args, '--runs-dir', runs, '--format', 'json', '--', node, '-e', '0'], { encoding: 'utf8', env: e });
    assert.equal(r.status, 0, r.stderr);
    return { line: r.stderr.split('\n').find((l) => l.startsWith('inferprint: sensor '))!, json: JSON.parse(r.stdout) as { run_path: string; sensor_summary: string } };
  };
  const short = sensorLine([]);
  assert.ok(short.line.length <= 120, `${short.line.length} characters: ${short.line}`);
  assert.ok(!short.line.includes('nvml ('), short.line);
  assert.match(short.line, /nvml/);
  const verbose = sensorLine(['--verbose']);
  assert.match(verbose.line, /passed over nvml \(\S*libnvidia-ml\.so\.1 not found.*\), nvidia-smi \(/);
  assert.equal(sensorLine(['--debug']).line, verbose.line);
  const notes = (await readRunBundle(short.json.run_path)).manifest.sensor.notes;
  assert.ok(notes.some((n) => /^chosen: auto: .*passed over nvml \(/.test(n)), notes.join('\n'));
});
