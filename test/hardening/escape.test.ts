// Issue 11, item 9: raw bytes of input (a header cell, a file name) reached the terminal inside
// error messages, ANSI escapes included. Every coded message escapes control characters, and the
// CLI escapes what it prints once more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { errors, escapeControl, quote } from '../../src/errors.js';
import { tempDir } from './helpers.js';

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

test('escapeControl writes control characters as visible escapes, keeps the rest, and is idempotent', () => {
  const raw = 'a\u001b[31mred\u0007\u009b2J\u007f\u202eevil\ttab é ✓';
  const once = escapeControl(raw);
  assert.equal(once, 'a\\u001b[31mred\\u0007\\u009b2J\\u007f\\u202eevil\ttab é ✓');
  assert.doesNotMatch(once, CONTROL);
  assert.equal(escapeControl(once), once);
  assert.doesNotMatch(quote('\u001b]0;title\u0007\u0085'), CONTROL);
});

test('a coded error never carries a control character, in its detail nor in the file it names', () => {
  const e = errors.parse({ file: 'dir/\u001b[2Jname.csv', line: 3, field: 'p\u001b[0m' }, 'unexpected header \u001b[31mRED\u009b31m\nnext');
  assert.doesNotMatch(e.message, CONTROL);
  assert.match(e.message, /^dir\/\\u001b\[2Jname\.csv:3 field 'p\\u001b\[0m': unexpected header \\u001b\[31mRED\\u009b31m next \[PARSE\]$/);
});

test('the CLI prints no escape sequence from a file: header cells and file names come out escaped', async () => {
  const root = tempDir();
  const file = join(root, 'power\u001b[41m.csv');
  writeFileSync(file, 't,\u001b[31mRED\u001b]0;pwned\u0007,p\n0,1,2\n1,1,2\n');
  const run = async (args: string[]): Promise<string> => {
    let err = '';
    const code = await runCli(args, { stdout: () => undefined, stderr: (s) => (err += s), isTTY: false, env: {}, cwd: root });
    assert.equal(code, 1, err);
    return err;
  };
  const missing = await run(['analyze', '--device', 'H100-NVL', '--columns', 't=t,p=zz,unit=W', file]);
  assert.match(missing, /no column "zz"/);
  assert.match(missing, /\\u001b\[31mRED\\u001b\]0;pwned\\u0007/);
  assert.doesNotMatch(missing.replace(/\n$/, ''), CONTROL);
  const notFound = await run(['analyze', join(root, 'gone\u001b[2J.csv')]);
  assert.match(notFound, /gone\\u001b\[2J\.csv/);
  assert.doesNotMatch(notFound.replace(/\n$/, ''), CONTROL);
  rmSync(root, { recursive: true, force: true });
});

test('runs list names a foreign directory whose name holds escape sequences without sending them', async () => {
  const root = tempDir();
  const runsDir = join(root, 'runs');
  mkdirSync(join(runsDir, 'x\u001b]0;pwned\u0007'), { recursive: true });
  let err = '';
  const code = await runCli(['runs', 'list', '--runs-dir', runsDir], { stdout: () => undefined, stderr: (s) => (err += s), isTTY: false, env: {}, cwd: root });
  assert.equal(code, 0, err);
  assert.match(err, /x\\u001b\]0;pwned\\u0007: /);
  assert.doesNotMatch(err.replace(/\n/g, ''), CONTROL);
  rmSync(root, { recursive: true, force: true });
});
