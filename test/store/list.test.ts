import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferprintError } from '../../src/errors.js';
import { tempDirName } from '../../src/runs/io/bundle.js';
import { parseTimeBound } from '../../src/store/filter.js';
import { toRunRow } from '../../src/runs/row.js';
import { toWindowRows } from '../../src/store/rows.js';
import { inspectEntry, ScanCache, scanRunsDir } from '../../src/runs/io/scan.js';
import { openStore } from '../../src/store/store.js';
import { tempRunsDir, writeRun } from './helpers.js';

/** A copy of a good bundle under another name, with its manifest rewritten by `edit`. */
function corruptCopy(runsDir: string, from: string, name: string, edit: (m: Record<string, unknown>) => unknown): string {
  const dest = join(runsDir, name);
  cpSync(join(runsDir, from), dest, { recursive: true });
  const m = JSON.parse(readFileSync(join(dest, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  const out = edit({ ...m, id: name });
  writeFileSync(join(dest, 'manifest.json'), typeof out === 'string' ? out : JSON.stringify(out));
  return dest;
}

test('a listing skips every corrupt or foreign entry with its reason and lists the rest', async () => {
  const runsDir = tempRunsDir();
  const good = await writeRun(runsDir, {}, { suffix: 'aaaa' });
  corruptCopy(runsDir, good.id, 'bad-json', () => '{"schemaVersion": 1, "id": ');
  corruptCopy(runsDir, good.id, 'future', (m) => ({ ...m, schemaVersion: 99 }));
  corruptCopy(runsDir, good.id, 'wrong-field', (m) => ({ ...m, label: 42 }));
  corruptCopy(runsDir, good.id, 'other-id', (m) => ({ ...m, id: 'someone-else' }));
  rmSync(join(corruptCopy(runsDir, good.id, 'no-trace', (m) => m), 'trace.parquet'));
  corruptCopy(runsDir, good.id, 'no-file', (m) => ({ ...m, files: [{ name: 'stdout.txt', role: 'stdout' }] }));
  mkdirSync(join(runsDir, 'foreign-dir'));
  writeFileSync(join(runsDir, 'foreign-dir', 'notes.txt'), 'not a bundle');
  mkdirSync(join(runsDir, 'has space'));
  writeFileSync(join(runsDir, 'README.txt'), 'a plain file: not a bundle, not reported');
  mkdirSync(join(runsDir, tempDirName('2026-11-26T11-42-03.123Z-half-written-0001', 4242)));
  const outside = mkdtempSync(join(tmpdir(), 'inferprint-outside-'));
  cpSync(good.path, join(outside, 'linked'), { recursive: true });
  symlinkSync(join(outside, 'linked'), join(runsDir, 'link'));

  const { runs, skipped } = await scanRunsDir(runsDir);
  assert.deepEqual(
    runs.map((r) => r.id),
    [good.id],
  );
  const why = Object.fromEntries(skipped.map((s) => [s.name, `${s.code} ${s.reason}`]));
  assert.deepEqual(Object.keys(why).sort(), ['bad-json', 'foreign-dir', 'future', 'has space', 'link', 'no-file', 'no-trace', 'other-id', 'wrong-field']);
  assert.match(why['bad-json']!, /^PARSE .*bad-json\/manifest\.json(:\d+)?: not valid JSON/);
  assert.match(why.future!, /^INVALID_VALUE .*field 'schemaVersion': schema version 99 is newer than this inferprint reads/);
  assert.match(why['wrong-field']!, /^PARSE .*field 'label': expected a string, got number 42/);
  assert.match(why['other-id']!, /^INVALID_VALUE .*differs from the directory name/);
  assert.match(why['no-trace']!, /^NOT_FOUND .*no-trace\/trace\.parquet: run trace does not exist/);
  assert.match(why['no-file']!, /^NOT_FOUND .*stdout\.txt/);
  assert.match(why['foreign-dir']!, /^NOT_FOUND .*not a run bundle/);
  assert.match(why['has space']!, /^INVALID_VALUE .*not a run bundle/);
  assert.match(why.link!, /^INVALID_VALUE .*symbolic link, not followed/);

  // The store says the same, and get() gives the bundle's own error.
  const store = openStore(runsDir);
  const listing = await store.list();
  assert.equal(listing.runs.length, 1);
  assert.equal(listing.skipped.length, 9);
  await assert.rejects(store.get('future'), (e: unknown) => e instanceof InferprintError && e.code === 'INVALID_VALUE');
  await assert.rejects(store.get('link'), (e: unknown) => e instanceof InferprintError && /symbolic link/.test(e.message));
  await assert.rejects(store.get('nothing-here'), (e: unknown) => e instanceof InferprintError && e.code === 'NOT_FOUND');
  await assert.rejects(store.get('../outside'), (e: unknown) => e instanceof InferprintError && e.code === 'USAGE');
});

test('a runs directory that does not exist lists as empty; an older-schema bundle lists upgraded', async () => {
  assert.deepEqual(await scanRunsDir(join(tempRunsDir(), 'nope')), { runs: [], skipped: [] });

  const runsDir = tempRunsDir();
  const good = await writeRun(runsDir, {}, { suffix: 'aaaa' });
  const name = '2026-11-20T08-00-00.000Z-old-0000';
  corruptCopy(runsDir, good.id, name, (m) => {
    const dropped = new Set(['status', 'device', 'windows', 'gaps', 'createdAt', 'files']);
    const rest = Object.fromEntries(Object.entries(m).filter(([k]) => !dropped.has(k)));
    return { ...rest, schemaVersion: 0, status: 'interrupted', signal: 'SIGTERM', hardwareId: 'T4', windows: { full: [0, 1] }, files: [], startedAt: '2026-11-20T08:00:00.000Z', endedAt: '2026-11-20T08:00:01.000Z' };
  });
  const { runs, skipped } = await scanRunsDir(runsDir);
  assert.deepEqual(skipped, []);
  const old = runs.find((r) => r.id === name)!;
  assert.equal(old.schemaVersion, 0);
  const row = toRunRow(old);
  assert.equal(row.schema_version, 0);
  assert.equal(row.status, 'interrupted');
  assert.equal(row.status_detail, 'SIGTERM');
  assert.equal(row.hardware_id, 'T4');
  assert.deepEqual(row.window_names, ['full']);
  // Sorted by id, so chronologically.
  assert.deepEqual(
    runs.map((r) => r.id),
    [name, good.id],
  );
});

test('rows flatten the manifest with units in the names', async () => {
  const runsDir = tempRunsDir();
  const w = await writeRun(runsDir, {}, { suffix: 'beef', counters: true });
  const [run] = (await scanRunsDir(runsDir)).runs;
  const r = toRunRow(run!);
  assert.equal(r.id, w.id);
  assert.equal(r.duration_s, 1);
  assert.equal(r.energy_j, 100);
  assert.equal(r.energy_window_s, 1);
  assert.equal(r.mean_w, 100);
  assert.equal(r.counter_energy_j, 101);
  assert.equal(r.gwp_mg, 4);
  assert.equal(r.gwp_min_mg, 3);
  assert.ok(Math.abs(r.operational_mg! - 3.3) < 1e-12);
  assert.ok(Math.abs(r.embodied_mg! - 0.7) < 1e-12);
  assert.equal(r.impact_origin, 'recorded');
  assert.equal(r.impact_scope, 'operational+embodied');
  assert.equal(r.grid_g_per_kwh, 79.1);
  assert.equal(r.pue, 1.5);
  assert.equal(r.scenario, 'SingleStream');
  assert.equal(r.query_count, 64);
  assert.deepEqual(r.channels, ['gpu0', 'board']);
  assert.deepEqual(r.host_gpus, ['NVIDIA A100-SXM4-40GB']);
  assert.equal(r.tool, 'inferprint 0.1.0');
  assert.equal(r.path, w.path);
  assert.equal(run!.hasCounters, true);
  const windows = toWindowRows(run!);
  assert.equal(windows.length, 2);
  const compute = windows.find((x) => x.window === 'compute')!;
  assert.equal(compute.energy_j, 50);
  assert.ok(Math.abs(compute.mean_w! - 100) < 1e-9);

  // Operational-only impact and a wrapped command.
  const cmd = await writeRun(runsDir, { workload: { kind: 'command', argv: ['python', 'run it.py'], cwd: '/tmp', exitCode: 3 }, impact: { operationalOnlyG: 0.002, parameters: [{ name: 'grid', value: 475, unit: 'gCO2e/kWh', source: 'Ember', year: 2024, origin: 'preset', why: 'zone WORLD' }] } }, { suffix: 'cafe' });
  const c = toRunRow((await openStore(runsDir).get(cmd.id)));
  assert.equal(c.command, "python 'run it.py'");
  assert.equal(c.exit_code, 3);
  assert.equal(c.gwp_mg, 2);
  assert.equal(c.impact_scope, 'operational');
  assert.equal(c.embodied_mg, null);
  assert.equal(c.grid_g_per_kwh, 475);
  assert.equal(c.query_count, null);
});

test('filters: device by id, alias or name part; scenario; query count; label; status; time', async () => {
  const runsDir = tempRunsDir();
  await writeRun(runsDir, { label: 'A100 qc16', startedAt: '2026-01-01T00:00:00.000Z', endedAt: '2026-01-01T00:00:01.000Z', workload: { kind: 'bench', scenario: 'SingleStream', model: 'm', queryCount: 16 } });
  await writeRun(runsDir, { label: 'A100 qc64', startedAt: '2026-01-02T00:00:00.000Z', endedAt: '2026-01-02T00:00:01.000Z', status: { kind: 'failed', code: 'SENSOR_FAILED', message: 'x' } });
  await writeRun(runsDir, {
    label: 'Orin qc16',
    startedAt: '2026-01-03T00:00:00.000Z',
    endedAt: '2026-01-03T00:00:01.000Z',
    device: { hardwareId: 'AGX-Orin', name: 'Jetson AGX Orin' },
    workload: { kind: 'bench', scenario: 'Offline', model: 'm', queryCount: 16 },
  });
  const store = openStore(runsDir);
  const labels = async (f: Parameters<typeof store.list>[0]): Promise<string[]> => (await store.list(f)).rows.map((r) => r.label);
  assert.deepEqual(await labels({}), ['A100 qc16', 'A100 qc64', 'Orin qc16']);
  assert.deepEqual(await labels({ device: 'orin' }), ['Orin qc16']);
  assert.deepEqual(await labels({ device: 'NVIDIA A100' }), ['A100 qc16', 'A100 qc64']);
  assert.deepEqual(await labels({ device: 'jetson' }), ['Orin qc16']);
  assert.deepEqual(await labels({ hardwareId: 'AGX-Orin' }), ['Orin qc16']);
  assert.deepEqual(await labels({ scenario: 'offline' }), ['Orin qc16']);
  assert.deepEqual(await labels({ queryCount: 16 }), ['A100 qc16', 'Orin qc16']);
  assert.deepEqual(await labels({ queryCount: 16, device: 'A100' }), ['A100 qc16']);
  assert.deepEqual(await labels({ label: 'QC6' }), ['A100 qc64']);
  assert.deepEqual(await labels({ status: 'failed' }), ['A100 qc64']);
  assert.deepEqual(await labels({ sinceMs: Date.parse('2026-01-02T00:00:00Z') }), ['A100 qc64', 'Orin qc16']);
  assert.deepEqual(await labels({ untilMs: Date.parse('2026-01-02T00:00:00Z') }), ['A100 qc16']);
});

test('time bounds: dates and times are UTC; durations count back from now', () => {
  const now = Date.parse('2026-11-26T12:00:00Z');
  assert.equal(parseTimeBound('2026-11-26', '--since', now), Date.parse('2026-11-26T00:00:00Z'));
  assert.equal(parseTimeBound('2026-11-26T11:42', '--since', now), Date.parse('2026-11-26T11:42:00Z'));
  assert.equal(parseTimeBound('2026-11-26T11:42:03.5+01:00', '--since', now), Date.parse('2026-11-26T10:42:03.5Z'));
  assert.equal(parseTimeBound('36h', '--since', now), now - 36 * 3600 * 1000);
  assert.equal(parseTimeBound('7d', '--until', now), now - 7 * 86400 * 1000);
  for (const bad of ['yesterday', '7', '2026-13-45', '']) {
    assert.throws(() => parseTimeBound(bad, '--since', now), (e: unknown) => e instanceof InferprintError && e.code === 'USAGE' && e.where.flag === '--since');
  }
});

test('a cached listing re-reads only new or replaced manifests and forgets removed ones', async () => {
  const runsDir = tempRunsDir();
  const a = await writeRun(runsDir, { label: 'a' });
  const cache = new ScanCache();
  const first = await scanRunsDir(runsDir, { cache });
  assert.equal(cache.size, 1);
  const b = await writeRun(runsDir, { label: 'b' });
  const second = await scanRunsDir(runsDir, { cache });
  assert.equal(second.runs.length, 2);
  // Unchanged bundle: the very same manifest object comes back from the cache.
  assert.equal(second.runs.find((r) => r.id === a.id)!.manifest, first.runs[0]!.manifest);
  // A manifest replaced in place (same id) is read again.
  const m = JSON.parse(readFileSync(join(b.path, 'manifest.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(b.path, 'manifest.json'), JSON.stringify({ ...m, label: 'b, relabelled' }, null, 2));
  const third = await scanRunsDir(runsDir, { cache });
  assert.equal(third.runs.find((r) => r.id === b.id)!.manifest.label, 'b, relabelled');
  rmSync(a.path, { recursive: true });
  const fourth = await scanRunsDir(runsDir, { cache });
  assert.deepEqual(
    fourth.runs.map((r) => r.id),
    [b.id],
  );
  assert.equal(cache.size, 1);
});

test('an entry removed or renamed away while it is inspected is gone, not corrupt', async () => {
  const runsDir = tempRunsDir();
  const a = await writeRun(runsDir);
  rmSync(a.path, { recursive: true });
  assert.deepEqual(inspectEntry(runsDir, a.id), { kind: 'gone' });
  assert.deepEqual(inspectEntry(runsDir, a.id, undefined, true), { kind: 'gone' });
});

test('readTrace gives the power trace and counters in the manifest channel order', async () => {
  const runsDir = tempRunsDir();
  const w = await writeRun(runsDir, {}, { counters: true, power: 80 });
  const { trace, counters } = await openStore(runsDir).readTrace(w.id.slice(0, 20));
  assert.deepEqual(
    trace.channels.map((c) => c.name),
    ['gpu0', 'board'],
  );
  assert.equal(trace.channels[0]!.powerW[3], 80);
  assert.equal(trace.channels[1]!.powerW[3], 120);
  assert.equal(trace.originEpochMs, Date.parse('2026-11-26T11:42:03.123Z'));
  assert.deepEqual([...counters![0]!.energyJ], [0, 101]);
});
