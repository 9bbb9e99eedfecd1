// Issue 11, items 3 and 4: a link or a FIFO named like a bundle file. Links were followed
// (a summary linked to a secret file was read and echoed, and copied by `import bundle`); a FIFO
// hung `runs list`, `sql`, `analyze`, `report` and `import bundle`. Every reader now refuses
// both, with a coded error naming the file, and goes on with the other bundles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { discoverInputs } from '../../src/app/inputs.js';
import { isInferprintError } from '../../src/errors.js';
import { readAnyRunBundle, readRunBundle, readRunManifest } from '../../src/runs/io/bundle.js';
import { openStore } from '../../src/store/store.js';
import { cliInChild, mkfifo, tempDir, writeBundle } from './helpers.js';

const SECRET = 'root:x:0:0:SECRET-LINE-FROM-OUTSIDE';

/** A runs directory with a good bundle and a bundle whose `name` is replaced by `spoil(path)`. */
async function spoiled(name: string, spoil: (path: string) => boolean): Promise<{ root: string; runsDir: string; good: string; bad: string; badPath: string } | undefined> {
  const root = tempDir();
  const runsDir = join(root, 'runs');
  const good = await writeBundle(runsDir, 'good run', '2026-11-26T10:00:00.000Z');
  const bad = await writeBundle(runsDir, 'bad run', '2026-11-26T11:00:00.000Z');
  rmSync(join(bad.path, name));
  if (!spoil(join(bad.path, name))) return undefined;
  return { root, runsDir, good: good.id, bad: bad.id, badPath: bad.path };
}

function linkToSecret(root: string): (path: string) => boolean {
  const secret = join(root, 'passwd');
  writeFileSync(secret, `${SECRET}\n`);
  return (path) => {
    symlinkSync(secret, path);
    return true;
  };
}

async function rejects(p: Promise<unknown>, file: RegExp, what: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isInferprintError(e), String(e));
    assert.equal(e.code, 'INVALID_VALUE', e.message);
    assert.match(e.message, file);
    assert.match(e.message, what);
    return true;
  });
}

for (const name of ['mlperf_log_summary.txt', 'manifest.json', 'trace.parquet']) {
  test(`a ${name} that is a symbolic link is refused by every reader, never followed nor copied`, async () => {
    const root = tempDir();
    const fx = (await spoiled(name, linkToSecret(root)))!;
    const nameRe = new RegExp(name.replace('.', '\\.'));
    // The library readers.
    await rejects(readAnyRunBundle(fx.badPath), nameRe, /symbolic link: not followed/);
    if (name === 'manifest.json') await rejects(readRunManifest(fx.badPath), nameRe, /symbolic link/);
    else await rejects(readRunBundle(fx.badPath), nameRe, /symbolic link/);
    // The store lists the good bundle and reports the bad one.
    const listing = await openStore(fx.runsDir).list();
    assert.deepEqual(listing.runs.map((r) => r.id), [fx.good]);
    assert.equal(listing.skipped.length, 1);
    assert.match(listing.skipped[0]!.reason, /symbolic link: not followed/);
    // analyze and report read bundles through discoverInputs: the bad one is skipped, with why.
    const found = discoverInputs([fx.runsDir], {});
    assert.equal(found.skipped.length, 1);
    assert.match(`${found.skipped[0]!.detail}`, /symbolic link: not followed/);

    const [list, show, analyze, imp, sql] = cliInChild([
      ['runs', 'list', '--runs-dir', fx.runsDir],
      ['runs', 'show', fx.bad, '--runs-dir', fx.runsDir],
      ['analyze', fx.runsDir, '--format', 'json'],
      ['import', 'bundle', fx.badPath, '--runs-dir', join(root, 'imported')],
      ['sql', 'SELECT count(*) AS n FROM results', '--runs-dir', fx.runsDir, '--format', 'json'],
    ]);
    for (const r of [list!, show!, analyze!, imp!, sql!]) assert.doesNotMatch(r.out + r.err, /SECRET-LINE/);
    assert.equal(list!.code, 0, list!.err);
    assert.match(list!.err, /symbolic link: not followed/);
    assert.equal(show!.code, 1);
    assert.match(show!.err, /symbolic link: not followed .*\[INVALID_VALUE\]/);
    assert.equal(analyze!.code, 0, analyze!.err);
    assert.equal((JSON.parse(analyze!.out) as { skipped: unknown[] }).skipped.length, 1);
    assert.equal(imp!.code, 1);
    assert.match(imp!.err, /symbolic link: not followed/);
    assert.ok(!existsSync(join(root, 'imported')) || readdirSync(join(root, 'imported')).length === 0, 'nothing imported');
    assert.equal(sql!.code, 0, sql!.err);
    assert.deepEqual(JSON.parse(sql!.out), [{ n: 1 }]);
    rmSync(root, { recursive: true, force: true });
  });
}

test('import bundle refuses a bundle holding any link, even one no manifest lists', async () => {
  const root = tempDir();
  const b = await writeBundle(join(root, 'runs'));
  symlinkSync('/etc/hostname', join(b.path, 'notes.txt'));
  const [imp] = cliInChild([['import', 'bundle', b.path, '--runs-dir', join(root, 'imported')]]);
  assert.equal(imp!.code, 1);
  assert.match(imp!.err, /notes\.txt: file of the bundle is a symbolic link/);
  assert.ok(!existsSync(join(root, 'imported', b.id)));
  rmSync(root, { recursive: true, force: true });
});

for (const name of ['manifest.json', 'trace.parquet', 'mlperf_log_summary.txt']) {
  test(`a FIFO named ${name}: runs list, runs show, sql, analyze, report's reader and import bundle return with a clear error`, { timeout: 240_000 }, async (t) => {
    const fx = await spoiled(name, mkfifo);
    if (!fx) {
      t.skip('mkfifo is not available here');
      return;
    }
    const nameRe = new RegExp(`${name.replace('.', '\\.')}: .*FIFO \\(named pipe\\), not a regular file`);
    const runs = await openStore(fx.runsDir).list();
    assert.deepEqual(runs.runs.map((r) => r.id), [fx.good]);
    assert.match(runs.skipped[0]!.reason, nameRe);
    assert.match(`${discoverInputs([fx.runsDir], {}).skipped[0]!.detail}`, nameRe);

    const [list, show, sql, traces, analyze, imp] = cliInChild([
      ['runs', 'list', '--runs-dir', fx.runsDir],
      ['runs', 'show', fx.bad, '--runs-dir', fx.runsDir],
      ['sql', 'SELECT count(*) AS n FROM results', '--runs-dir', fx.runsDir, '--format', 'json'],
      ['sql', 'SELECT count(*) AS n FROM traces', '--runs-dir', fx.runsDir, '--format', 'json'],
      ['analyze', fx.runsDir, '--format', 'json'],
      ['import', 'bundle', fx.badPath, '--runs-dir', join(fx.root, 'imported')],
    ]);
    assert.equal(list!.code, 0, list!.err);
    assert.match(list!.err, nameRe);
    assert.equal(show!.code, 1);
    assert.match(show!.err, nameRe);
    assert.equal(sql!.code, 0, sql!.err);
    assert.deepEqual(JSON.parse(sql!.out), [{ n: 1 }]);
    assert.equal(traces!.code, 0, traces!.err);
    assert.deepEqual(JSON.parse(traces!.out), [{ n: 22 }]);
    assert.equal(analyze!.code, 0, analyze!.err);
    assert.equal((JSON.parse(analyze!.out) as { skipped: unknown[] }).skipped.length, 1);
    assert.equal(imp!.code, 1);
    assert.match(imp!.err, nameRe);
    rmSync(fx.root, { recursive: true, force: true });
  });
}
