/**
 * What `inferprint measure` prints, through the CLI in this process (runCli, stdout a terminal
 * or not as the test says): each warning once; the measured command's own options; a command
 * that cannot start; a negative above-idle energy.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
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
