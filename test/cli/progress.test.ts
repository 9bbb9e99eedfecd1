import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatEta, progressReporter } from '../../src/cli/progress.js';
import type { CliContext } from '../../src/cli/command.js';

function ctx(stderrIsTTY: boolean): { c: CliContext; err: () => string } {
  let err = '';
  const c: CliContext = { argv: [], env: {}, cwd: '/', stdout: () => undefined, stderr: (s) => (err += s), isTTY: false, stderrIsTTY, color: false };
  return { c, err: () => err };
}

test('ETA from the pace so far', () => {
  assert.equal(formatEta(42.4), '42s');
  assert.equal(formatEta(65), '1m05s');
  assert.equal(formatEta(Number.NaN), '?');
  let t = 0;
  const { c, err } = ctx(false);
  const p = progressReporter(c, 'bench', () => t);
  p.update(0, 4, 'q16-r0');
  t = 10;
  p.update(1, 4, 'q32-r0');
  t = 20;
  p.update(2, 4, 'q16-r1');
  assert.match(err(), /^bench: 0\/4 q16-r0\nbench: 1\/4 ETA 30s q32-r0\nbench: 2\/4 ETA 20s q16-r1\n$/);
});

test('a bar redrawn in place on a terminal, ended by a newline', () => {
  const { c, err } = ctx(true);
  const p = progressReporter(c, 'analyze', () => 0);
  p.update(1, 2, 'x');
  p.done();
  assert.match(err(), /^\ranalyze \[#{12}\.{12}\] 1\/2/);
  assert.ok(err().endsWith('\n'));
});
