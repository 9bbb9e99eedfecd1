/** The README's example of `analyze --format csv` shows columns and values the command really prints. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/app/analyze.js';
import { render } from '../../src/cli/commands/analyze.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';

test("README's analyze CSV example: every column it names exists, in that order, with the values shown", { skip: skipWithoutThesis }, () => {
  const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
  const block = /Example \(`analyze --method thesis --format csv`[\s\S]*?```\n([^`]+)```/.exec(readme)?.[1];
  assert.ok(block, 'the example block');
  const [header, row] = block.trim().split('\n').map((l) => l.split(','));
  const csv = render(analyze({ paths: [THESIS_DIR], method: 'thesis' }), 'csv').trim().split('\n');
  const realHeader = csv[0]!.split(',');
  const realRow = csv.find((l) => l.startsWith('A100,v4.1,16,'))!.split(',');
  let last = -1;
  header!.forEach((name, i) => {
    if (name === '...') return;
    const at = realHeader.indexOf(name);
    assert.ok(at > last, `column ${name} exists and comes after the ones before it`);
    last = at;
    assert.equal(row![i], realRow[at], `value of ${name}`);
  });
});
