import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { removeRuns } from '../../src/store/remove.js';
import { rejection } from '../helpers/decode.js';
import { tempRunsDir, writeRun } from './helpers.js';

test('rm removes whole bundles and leaves no hidden temporary behind', async () => {
  const runsDir = tempRunsDir();
  const a = await writeRun(runsDir, { label: 'a' });
  const b = await writeRun(runsDir, { label: 'b' });
  const c = await writeRun(runsDir, { label: 'c' });
  const removed = await removeRuns(runsDir, [a.id, c.id, a.id]);
  assert.deepEqual(removed, [
    { id: a.id, path: a.path, removed: true },
    { id: c.id, path: c.path, removed: true },
  ]);
  assert.deepEqual(readdirSync(runsDir), [b.id]);
});

test('a corrupt bundle can be removed', async () => {
  const runsDir = tempRunsDir();
  const a = await writeRun(runsDir);
  writeFileSync(join(a.path, 'manifest.json'), '{ broken');
  await removeRuns(runsDir, [a.id]);
  assert.deepEqual(readdirSync(runsDir), []);
});

test('rm refuses anything that is not a bundle directory directly inside the runs directory', async () => {
  const runsDir = tempRunsDir();
  const keep = await writeRun(runsDir, { label: 'keep' });
  const outside = mkdtempSync(join(tmpdir(), 'inferprint-outside-'));
  cpSync(keep.path, join(outside, 'victim'), { recursive: true });
  mkdirSync(join(outside, 'plain'));
  symlinkSync(join(outside, 'victim'), join(runsDir, 'link-to-bundle'));
  symlinkSync(outside, join(runsDir, 'link-to-dir'));
  mkdirSync(join(runsDir, 'foreign'));
  writeFileSync(join(runsDir, 'notes.txt'), 'x');
  mkdirSync(join(runsDir, '.hidden'));
  writeFileSync(join(runsDir, '.hidden', 'manifest.json'), '{}');

  const cases: [string, string, RegExp][] = [
    ['..', 'USAGE', /not a run id/],
    ['.', 'USAGE', /not a run id/],
    ['../victim', 'USAGE', /not a run id/],
    [join(outside, 'victim'), 'USAGE', /not a run id/],
    [`${keep.id}/..`, 'USAGE', /not a run id/],
    ['.hidden', 'USAGE', /not a run id/],
    ['', 'USAGE', /not a run id/],
    ['link-to-bundle', 'INVALID_VALUE', /symbolic link/],
    ['link-to-dir', 'INVALID_VALUE', /symbolic link/],
    ['foreign', 'INVALID_VALUE', /not a run bundle \(no manifest\.json\)/],
    ['notes.txt', 'INVALID_VALUE', /not a directory/],
    ['no-such-run', 'NOT_FOUND', /run does not exist/],
  ];
  for (const [id, code, why] of cases) {
    const e = await rejection(removeRuns(runsDir, [keep.id, id]));
    assert.equal(e.code, code, `${id}: ${e.message}`);
    assert.match(e.message, why, id);
  }
  await rejection(removeRuns(runsDir, []));
  // Nothing was removed, anywhere: checks come before the first removal.
  assert.ok(existsSync(keep.path));
  assert.deepEqual(readdirSync(join(outside, 'victim')).sort(), readdirSync(keep.path).sort());
  assert.ok(existsSync(join(outside, 'plain')));
  assert.deepEqual(readdirSync(runsDir).sort(), ['.hidden', keep.id, 'foreign', 'link-to-bundle', 'link-to-dir', 'notes.txt'].sort());
});

test('rm works through a runs directory that is itself a symbolic link', async () => {
  const real = tempRunsDir();
  const a = await writeRun(real);
  const link = join(mkdtempSync(join(tmpdir(), 'inferprint-link-')), 'runs');
  symlinkSync(real, link);
  await removeRuns(link, [a.id]);
  assert.deepEqual(readdirSync(real), []);
});
