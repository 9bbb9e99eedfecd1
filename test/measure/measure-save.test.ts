import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importRuns } from '../../src/app/import.js';
import { commandOutcome, measure, type MeasureOptions } from '../../src/app/measure.js';
import { checkRunsDirWritable, saveMeasureRun, saveMeasureRunOrFallback } from '../../src/app/measure-bundle.js';
import { saveFailureText, toJson } from '../../src/cli/commands/measure.js';
import { errors, InferprintError } from '../../src/errors.js';
import { readRunBundle, writeRunBundle } from '../../src/runs/io/bundle.js';
import { defaultSensorEnv } from '../../src/sensors/io/env.js';

/**
 * A measurement is never lost to its runs directory: one that cannot be written is refused
 * before the command runs, and a save that fails after the run falls back to another place.
 * And a command that fails is said to have failed, though its measurement completed.
 */

const dir = mkdtempSync(join(tmpdir(), 'inferprint-measure-save-'));
const trace = join(dir, 'replay.csv');
writeFileSync(trace, `timestamp,gpu_power\n${Array.from({ length: 50 }, (_, i) => `${(i * 0.02).toFixed(2)},150`).join('\n')}\n`);
const node = process.execPath;
const isRoot = process.getuid?.() === 0;

async function run(command: string[], extra: Partial<MeasureOptions> = {}) {
  const lines: string[] = [];
  const opts: MeasureOptions = { command, sensor: `replay:${trace}`, intervalS: 0.02, cwd: dir, env: await defaultSensorEnv(), signals: new EventEmitter(), hardware: 'H100-NVL', onStatus: (l) => lines.push(l), ...extra };
  return { result: await measure(opts), lines };
}

const isIo = (dirName: string) => (e: unknown) => e instanceof InferprintError && e.code === 'IO' && e.message.startsWith(`${dirName}: runs directory not writable (`) && /nothing was run/.test(e.message) && !e.message.includes('\n');

test('a runs directory under a regular file (unwritable for root too) is refused before the sensor or the command starts', async () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a directory');
  const runsDir = join(file, 'runs');
  const marker = join(dir, 'ran-1');
  await assert.rejects(run([node, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`], { runsDir }), isIo(runsDir));
  assert.equal(existsSync(marker), false, 'the command did not run');
  // The runs directory path itself a file: the same.
  await assert.rejects(checkRunsDirWritable(file), isIo(file));
});

test('a read-only runs directory is refused before the command starts (permission bits bind only non-root users)', { skip: isRoot ? 'running as root: chmod does not stop root writing' : false }, async () => {
  const runsDir = join(dir, 'read-only');
  mkdirSync(runsDir);
  chmodSync(runsDir, 0o555);
  try {
    const marker = join(dir, 'ran-2');
    await assert.rejects(run([node, '-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, '')`], { runsDir }), (e: unknown) => isIo(runsDir)(e) && /permission denied, EACCES/.test((e as Error).message));
    assert.equal(existsSync(marker), false);
  } finally {
    chmodSync(runsDir, 0o755);
  }
});

test('a writable runs directory is created when missing and left as it was: the check leaves no file behind', async () => {
  const runsDir = join(dir, 'new', 'runs');
  await checkRunsDirWritable(runsDir);
  assert.deepEqual(readdirSync(runsDir), []);
});

test('saving fails after the run (disk full): the bundle goes whole to the fallback, JSON and message name both, import brings it back', async () => {
  const runsDir = join(dir, 'runs-full');
  const { result } = await run([node, '-e', 'setTimeout(() => {}, 100)'], { runsDir });
  const fallback = join(dir, 'fallback');
  const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const saved = await saveMeasureRunOrFallback(result, runsDir, { command: ['x'], cwd: dir }, {
    fallbackDirs: [fallback],
    write: (d, input) => (d === runsDir ? Promise.reject(errors.io(join(runsDir, '.tmp'), enospc)) : writeRunBundle(d, input)),
  });
  if (saved.kind !== 'fallback') return assert.fail(`expected a fallback save, got ${saved.kind}`);
  assert.equal(saved.bundle.path, join(fallback, saved.bundle.id));
  assert.match(saved.error.message, /ENOSPC/);
  const b = await readRunBundle(saved.bundle.path);
  assert.equal(b.manifest.status.kind, 'completed');
  assert.equal(b.trace.channels[0]!.tS.length, result.recording.channels[0]!.tS.length, 'every sample is in the fallback bundle');

  const j = toJson(result, saved);
  assert.equal(j.saved, 'fallback');
  assert.equal(j.run_path, saved.bundle.path);
  assert.match(j.save_error ?? '', /ENOSPC/);
  assert.ok(j.energy_j > 0, 'the measurement itself is in the output');

  const text = saveFailureText(saved, runsDir);
  assert.ok(!text.includes('\n'));
  assert.ok(text.includes(`could not be saved in ${runsDir}`) && text.includes('ENOSPC'), text);
  assert.ok(text.includes(`inferprint import bundle ${saved.bundle.path} --runs-dir ${runsDir}`), text);

  // The command it gives works: the run lands in the runs directory, id unchanged.
  const [imported] = await importRuns({ format: 'bundle', paths: [saved.bundle.path], runsDir });
  assert.equal(imported?.id, saved.bundle.id);
  assert.equal((await readRunBundle(join(runsDir, saved.bundle.id))).manifest.id, saved.bundle.id);
});

test('when no place takes the bundle, the outcome says so with every reason (the summary is all that is left)', async () => {
  const { result } = await run([node, '-e', '0']);
  const file = join(dir, 'blocker');
  writeFileSync(file, '');
  const saved = await saveMeasureRunOrFallback(result, join(file, 'runs'), { command: ['x'], cwd: dir }, { fallbackDirs: [join(file, 'a'), join(file, 'b')] });
  if (saved.kind !== 'unsaved') return assert.fail(`expected no save, got ${saved.kind}`);
  assert.equal(saved.error.code, 'IO');
  assert.deepEqual(saved.fallbackErrors.map((f) => f.dir), [join(file, 'a'), join(file, 'b')]);
  const j = toJson(result, saved);
  assert.equal(j.saved, 'unsaved');
  assert.equal(j.run_path, null);
  assert.match(saveFailureText(saved, join(file, 'runs')), /nor in .*blocker\/a .*blocker\/b .*the summary above is all that is left/);
});

test('a command that exits 3: the measurement is completed, the command failure is warned about, recorded and in the JSON', async () => {
  const { result, lines } = await run([node, '-e', 'process.exit(3)']);
  assert.equal(result.status.kind, 'completed');
  assert.equal(result.exitCode, 3);
  assert.ok(lines.includes('inferprint: warning: the command exited with code 3; the measurement itself completed'), lines.join('\n'));
  const saved = await saveMeasureRun(result, join(dir, 'runs-exit'), { command: ['x'], cwd: dir });
  const m = (await readRunBundle(saved.path)).manifest;
  assert.equal(m.status.kind, 'completed');
  assert.equal(m.workload.kind === 'command' ? m.workload.exitCode : undefined, 3);
  const j = toJson(result, saved);
  assert.equal(j.status, 'completed');
  assert.equal(j.command_exit_code, 3);
  assert.equal(j.command_signal, null);
  assert.equal(j.saved, 'runs-dir');
});

test('commandOutcome: a failure in words for a non-zero code or a signal, nothing for success, a missing command or a user interrupt', async () => {
  assert.equal(commandOutcome({ code: 0, signal: null }), undefined);
  assert.equal(commandOutcome({ code: 3, signal: null }), 'the command exited with code 3');
  assert.equal(commandOutcome({ code: null, signal: 'SIGKILL' }), 'the command was ended by SIGKILL');
  assert.equal(commandOutcome({ code: 127, signal: null, spawnError: 'x: command not found' }), undefined);
  assert.equal(commandOutcome({ code: null, signal: 'SIGINT' }, 'SIGINT'), undefined);
  const { result, lines } = await run([node, '-e', "process.kill(process.pid, 'SIGKILL')"]);
  assert.equal(result.exitCode, 137);
  assert.ok(lines.some((l) => l === 'inferprint: warning: the command was ended by SIGKILL; the measurement itself completed'), lines.join('\n'));
});
