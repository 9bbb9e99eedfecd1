// Issue 11, items 1 and 8 (SQL): the database may read the runs directory and nothing else
// (DuckDB used to add its temporary directory, `<cwd>/.tmp`, to the allowed ones), and the
// `traces` view refuses a trace every other reader refuses (time going backwards).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isInferprintError } from '../../src/errors.js';
import { readRunBundle } from '../../src/runs/io/bundle.js';
import { encodeSeriesParquet } from '../../src/runs/io/parquet.js';
import { openStore } from '../../src/store/store.js';
import { cliInChild, tempDir, writeBundle } from './helpers.js';

test("sql: allowed_directories is exactly the runs directory; <cwd>/.tmp is not readable", async () => {
  const root = tempDir();
  const runsDir = join(root, 'runs');
  await writeBundle(runsDir);
  const cwd = join(root, 'cwd');
  mkdirSync(join(cwd, '.tmp'), { recursive: true });
  writeFileSync(join(cwd, '.tmp', 's.txt'), 'secret\n');
  const before = process.cwd();
  // DuckDB resolves its default temporary directory against the process's directory.
  process.chdir(cwd);
  try {
    const store = openStore(runsDir);
    const r = await store.query("SELECT current_setting('allowed_directories')::VARCHAR[] AS dirs, current_setting('temp_directory') AS tmp");
    assert.deepEqual(r.rows, [[[`${runsDir}/`], '']]);
    for (const q of ["SELECT * FROM read_text('.tmp/s.txt')", `SELECT * FROM read_text('${join(cwd, '.tmp', 's.txt')}')`]) {
      await assert.rejects(store.query(q), (e: unknown) => isInferprintError(e) && /Permission Error/.test(e.message) && !/secret/.test(e.message), q);
    }
    // The runs directory itself is still readable.
    const ok = await store.query('SELECT count(*) FROM traces');
    assert.deepEqual(ok.rows, [[22]]);
  } finally {
    process.chdir(before);
    rmSync(root, { recursive: true, force: true });
  }
});

test('the traces view leaves out a trace whose time goes backwards and says which file and row; the other runs stay', async () => {
  const root = tempDir();
  const runsDir = join(root, 'runs');
  const good = await writeBundle(runsDir, 'good', '2026-11-26T10:00:00.000Z');
  const bad = await writeBundle(runsDir, 'flipped', '2026-11-26T11:00:00.000Z');
  // One flipped bit in a time: 0.5 s becomes a negative time, in the middle of channel gpu0.
  const tS = Float64Array.from({ length: 11 }, (_, i) => i * 0.1);
  tS[5] = -tS[5]!;
  const powerW = new Float64Array(11).fill(100);
  writeFileSync(join(bad.path, 'trace.parquet'), encodeSeriesParquet([{ name: 'gpu0', tS, values: powerW }, { name: 'board', tS: Float64Array.from({ length: 11 }, (_, i) => i * 0.1), values: powerW }], 'watts'));
  try {
    const store = openStore(runsDir);
    // The other readers refuse it…
    await assert.rejects(readRunBundle(bad.path), (e: unknown) => isInferprintError(e) && e.code === 'NON_MONOTONIC');
    // …and the view leaves it out, reporting the file, the row and the channel.
    const all = await store.query('SELECT run_id, count(*) FROM traces GROUP BY run_id');
    assert.deepEqual(all.rows, [[good.id, 22]]);
    assert.equal(all.skipped.length, 1);
    assert.equal(all.skipped[0]!.name, bad.id);
    assert.match(all.skipped[0]!.reason, new RegExp(`${bad.id}/trace\\.parquet: row 6 \\(channel gpu0\\): time does not increase after the previous sample of the channel; the file is corrupt, left out of the traces view \\[INVALID_VALUE\\]`));
    const none = await store.query(`SELECT count(*) FROM traces WHERE run_id = '${bad.id}'`);
    assert.deepEqual(none.rows, [[0]]);
    // Queries that do not use the Parquet views do not read them.
    const runs = await store.query('SELECT count(*) FROM runs');
    assert.deepEqual(runs.rows, [[2]]);
    assert.equal(runs.skipped.length, 0);
    // The CLI names it.
    const [cli] = cliInChild([['sql', 'SELECT count(*) AS n FROM traces', '--runs-dir', runsDir, '--format', 'json']]);
    assert.equal(cli!.code, 0, cli!.err);
    assert.deepEqual(JSON.parse(cli!.out), [{ n: 22 }]);
    assert.match(cli!.err, /left out of the views:\n {2}.*flipped.*: .*row 6 \(channel gpu0\): time does not increase/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('the traces view leaves out non-finite samples too', async () => {
  const root = tempDir();
  const runsDir = join(root, 'runs');
  const b = await writeBundle(runsDir);
  const tS = Float64Array.from({ length: 4 }, (_, i) => i);
  writeFileSync(join(b.path, 'trace.parquet'), encodeSeriesParquet([{ name: 'gpu0', tS, values: Float64Array.from([1, Number.POSITIVE_INFINITY, 1, 1]) }], 'watts'));
  try {
    const r = await openStore(runsDir).query('SELECT * FROM traces');
    assert.equal(r.rows.length, 0);
    assert.match(r.skipped[0]!.reason, /row 2 \(channel gpu0\): a time or watts that is not finite/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
