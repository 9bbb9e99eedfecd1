/**
 * What `inferprint measure` prints, through the CLI in this process (runCli, stdout a terminal
 * or not as the test says): each warning once; the measured command's own options; a command
 * that cannot start; a negative above-idle energy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { readRunBundle } from '../../src/runs/io/bundle.js';
import { CLI_NODE_ARGS } from '../helpers/cli-child.js';
import { gpuTraceName } from '../helpers/replay-trace.js';

const dir = mkdtempSync(join(tmpdir(), 'inferprint-measure-output-'));

/** A replayed GPU trace of `w` watts, 20 ms apart, long enough for any run here. */
function trace(run: number, w: number): string {
  const file = join(dir, gpuTraceName(run));
  writeFileSync(file, `timestamp,gpu_power\n${Array.from({ length: 500 }, (_, i) => `${(i * 0.02).toFixed(2)},${w}`).join('\n')}\n`);
  return file;
}

async function cli(argv: readonly string[], isTTY: boolean): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY, stderrIsTTY: isTTY, cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
  return { code, out, err };
}

const ZERO = trace(1, 0);
const WARNING = /energy is 0 J: channel gpu in window 'full'/;

test('a warning is printed once on a terminal: in the table summary, not again on stderr', async () => {
  const runs = join(dir, 'runs-tty');
  const r = await cli(['measure', '--sensor', `replay:${ZERO}`, '--interval', '20ms', '--runs-dir', runs, '--', 'sh', '-c', 'sleep 0.2'], true);
  assert.equal(r.code, 0, r.err);
  const all = `${r.out}${r.err}`.split('\n').filter((l) => WARNING.test(l));
  assert.equal(all.length, 1, `printed ${all.length} times:\n${r.out}\n${r.err}`);
  assert.match(r.out, /^warning: energy is 0 J: /m, 'in the summary');
  assert.doesNotMatch(r.err, /inferprint: warning: energy is 0 J/);
});

test('with --format json the JSON carries the warnings (unchanged) and stderr says each once', async () => {
  const runs = join(dir, 'runs-json');
  const r = await cli(['measure', '--sensor', `replay:${ZERO}`, '--interval', '20ms', '--runs-dir', runs, '--format', 'json', '--', 'sh', '-c', 'sleep 0.2'], true);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { warnings: string[] };
  assert.equal(j.warnings.filter((w) => WARNING.test(w)).length, 1);
  assert.equal(r.err.split('\n').filter((l) => /^inferprint: warning: energy is 0 J: /.test(l)).length, 1, r.err);
});

// ---------------------------------------------------------------------------------------
// The measured command's own options (a child CLI: the command writes to the real stdout)

const REPO = join(import.meta.dirname, '../..');
const W100 = trace(2, 100);

function child(argv: readonly string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [...CLI_NODE_ARGS, ...argv], { cwd: REPO, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("measure CMD --label x: the option is the command's (echo prints it), the run keeps its default label", async () => {
  const runs = join(dir, 'runs-label');
  const r = child(['measure', '--sensor', `replay:${W100}`, '--interval', '20ms', '--runs-dir', runs, 'echo', '--label', 'x']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.split('\n')[0], '--label x', r.out);
  const [id] = readdirSync(runs).filter((n) => !n.startsWith('.'));
  assert.equal((await readRunBundle(join(runs, id!))).manifest.label, 'echo --label x');
});

test('measure ls -la runs ls -la; measure -- CMD still works, and so does measure --label L CMD', async () => {
  const runs = join(dir, 'runs-ls');
  const r = child(['measure', '--sensor', `replay:${W100}`, '--interval', '20ms', '--runs-dir', runs, 'ls', '-la', dir]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^d[rwxsStT-]{9}.* \.$/m, 'the long listing of ls -la, . included');
  const dd = child(['measure', '--sensor', `replay:${W100}`, '--interval', '20ms', '--runs-dir', runs, '--label', 'mine', '--', 'echo', '--label', 'y']);
  assert.equal(dd.code, 0, dd.err);
  assert.equal(dd.out.split('\n')[0], '--label y');
  const labels = await Promise.all(readdirSync(runs).filter((n) => !n.startsWith('.')).map(async (n) => (await readRunBundle(join(runs, n))).manifest.label));
  assert.deepEqual(labels.sort(), ['ls -la ' + dir, 'mine'].sort());
});

// ---------------------------------------------------------------------------------------
// A command that cannot be started

const runsIn = (runs: string): string[] => (existsSync(runs) ? readdirSync(runs).filter((n) => !n.startsWith('.')) : []);

test('a command that does not exist: one line says so first, no table, no run saved, exit 127 (table and json alike)', async () => {
  for (const format of ['table', 'json']) {
    const runs = join(dir, `runs-enoent-${format}`);
    const r = await cli(['measure', '--sensor', `replay:${W100}`, '--interval', '20ms', '--runs-dir', runs, '--format', format, '--', '/nonexistent/cmd', '-x'], true);
    assert.equal(r.code, 127, r.err);
    assert.equal(r.out, '', 'no energy table, no JSON of a run that did not happen');
    const lines = r.err.trimEnd().split('\n');
    assert.match(lines[0]!, /^inferprint: sensor replay/);
    assert.deepEqual(lines.slice(1), ['inferprint measure: could not start the command: /nonexistent/cmd: command not found; nothing was measured, no run saved']);
    assert.deepEqual(runsIn(runs), []);
  }
});

test('a command that is not executable: exit 126, said in one line, no run saved', async () => {
  const script = join(dir, 'not-executable.sh');
  writeFileSync(script, '#!/bin/sh\necho hi\n', { mode: 0o644 });
  const runs = join(dir, 'runs-eacces');
  const r = await cli(['measure', '--sensor', `replay:${W100}`, '--interval', '20ms', '--runs-dir', runs, script], false);
  assert.equal(r.code, 126, r.err);
  assert.equal(r.out, '');
  assert.match(r.err, new RegExp(`^inferprint measure: could not start the command: ${script.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: permission denied \\(not an executable file\\); nothing was measured, no run saved$`, 'm'));
  assert.deepEqual(runsIn(runs), []);
});

test('a command that starts and fails is unchanged: measured, saved as completed, its code handed back', async () => {
  const runs = join(dir, 'runs-exit3');
  const r = await cli(['measure', '--sensor', `replay:${W100}`, '--interval', '20ms', '--runs-dir', runs, 'sh', '-c', 'sleep 0.2; exit 3'], false);
  assert.equal(r.code, 3, r.err);
  assert.match(r.out, /^run \S+ \(measurement completed; command exited with code 3\) saved in /);
  assert.equal(runsIn(runs).length, 1);
});

// ---------------------------------------------------------------------------------------
// A negative above-idle energy

test('--idle whose capture drew more than the run: the negative above-idle energy is kept and a warning says what it means (table and json)', async () => {
  // 300 W for the first second, then 50 W: power never rises, so the idle window (first) averages
  // more than the run after it, which reaches the 50 W part (it ends after 1.8 s) — whatever the timing.
  const file = join(dir, gpuTraceName(3));
  writeFileSync(file, `timestamp,gpu_power\n${Array.from({ length: 1000 }, (_, i) => `${(i * 0.02).toFixed(2)},${i * 0.02 < 1 ? 300 : 50}`).join('\n')}\n`);
  const argv = (format: string) => ['measure', '--sensor', `replay:${file}`, '--interval', '20ms', '--idle', '300ms', '--runs-dir', join(dir, 'runs-idle'), '--format', format, 'sleep', '1.5'];
  const t = await cli(argv('table'), true);
  assert.equal(t.code, 0, t.err);
  const above = /^idle ([\d.]+) W \(idle-before\): idle part [\d.]+ J, above idle (-[\d.]+) J$/m.exec(t.out);
  assert.ok(above, t.out);
  assert.match(t.out, new RegExp(`^warning: above-idle energy is negative \\(${above[2]!.replace('.', '\\.')} J\\): the idle window 'idle-before' drew ${above[1]!.replace('.', '\\.')} W on average, more than the run's [\\d.]+ W, so it is no baseline of this device at rest .*the above-idle figure is not the command's own energy`, 'm'));
  const j = await cli(argv('json'), true);
  assert.equal(j.code, 0, j.err);
  const json = JSON.parse(j.out) as { idle: { dynamic_energy_j: number }; warnings: string[] };
  assert.ok(json.idle.dynamic_energy_j < 0, String(json.idle.dynamic_energy_j));
  assert.equal(json.warnings.filter((w) => w.startsWith('above-idle energy is negative')).length, 1);
});
