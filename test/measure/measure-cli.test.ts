import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { readRunBundle } from '../../src/runs/bundle.js';
import { FAKE_BIN } from '../fakes/child-env.js';
import { fakeNvmlPath, skipWithoutFakeNvml, useScenario } from '../helpers/fake-nvml.js';

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
