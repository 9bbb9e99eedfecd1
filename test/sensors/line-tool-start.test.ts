import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferprintError } from '../../src/errors.js';
import { prepareLineTool } from '../../src/sensors/io/child-lines.js';
import { fakeToolEnv } from '../fakes/child-env.js';

// The start checks nvidia-smi and tegrastats share (one helper since issue 12): the same errors
// and notes for both, each naming its own tool and flag.

const codeOf = (f: () => unknown): { code: string; message: string } => {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof InferprintError, String(e));
    return { code: e.code, message: e.message };
  }
  assert.fail('expected an error');
};

test('prepareLineTool: the tool found, the interval in whole ms, a note only when rounding changed it', () => {
  const { env } = fakeToolEnv();
  const exact = prepareLineTool('tegrastats', 'tegrastats', '--interval', env, { intervalS: 0.05 });
  assert.match(exact.exe, /tegrastats$/);
  assert.equal(exact.intervalMs, 50);
  assert.equal(exact.roundedNote, undefined);
  const rounded = prepareLineTool('nvidia-smi', 'nvidia-smi', '-lms', env, { intervalS: 0.0504 });
  assert.equal(rounded.intervalMs, 50);
  assert.equal(rounded.roundedNote, 'interval rounded to 50 ms (nvidia-smi -lms takes whole milliseconds)');
  // Below a millisecond: 1 ms, the least either tool takes.
  assert.equal(prepareLineTool('tegrastats', 'tegrastats', '--interval', env, { intervalS: 0.0001 }).intervalMs, 1);
});

test('prepareLineTool: a non-positive interval is a usage error on --interval, checked before the PATH', () => {
  const empty = mkdtempSync(join(tmpdir(), 'inferprint-path-'));
  try {
    const { env } = fakeToolEnv({}, { path: empty });
    for (const intervalS of [0, -1, Number.NaN]) {
      const e = codeOf(() => prepareLineTool('nvidia-smi', 'nvidia-smi', '-lms', env, { intervalS }));
      assert.equal(e.code, 'USAGE');
      assert.match(e.message, /--interval/);
    }
    const missing = codeOf(() => prepareLineTool('tegrastats', 'tegrastats', '--interval', env, { intervalS: 0.1 }));
    assert.equal(missing.code, 'SENSOR_UNAVAILABLE');
    assert.match(missing.message, /tegrastats not found on PATH/);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});
