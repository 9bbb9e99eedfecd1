import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferprintError } from '../../src/errors.js';
import { readAnyRunBundle, readRunBundle, tempDirName, writeRunBundle, type ManifestDraft, type RunBundleInput } from '../../src/runs/io/bundle.js';
import { withDuckDB } from '../../src/runs/io/parquet.js';
import { cleanStaleTemps, resolveRunsDir, resolveRunsDirFrom } from '../../src/runs/io/runs-dir.js';
import { listRunBundles } from '../../src/runs/io/scan.js';
import { rejection } from '../helpers/decode.js';
import { MANIFEST_SCHEMA_VERSION } from '../../src/runs/manifest.js';
import { withOverrides, type Overrides } from '../helpers/overrides.js';

function tempRunsDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'inferprint-runs-')), 'runs');
}

/** Deterministic doubles with full mantissas (xorshift), so exactness is really tested. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  const next = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return () => next() / 2 ** 32 + next() / 2 ** 64;
}

function channel(name: string, n: number, seed: number): { name: string; tS: Float64Array; powerW: Float64Array } {
  const r = rng(seed);
  const tS = new Float64Array(n);
  const powerW = new Float64Array(n);
  let t = -0.25 + r() * 1e-3; // samples may precede the run's start
  for (let i = 0; i < n; i++) {
    t += 0.001 + r() * 0.1;
    tS[i] = t;
    powerW[i] = 40 + r() * 360;
  }
  return { name, tS, powerW };
}

function draft(over: Overrides<ManifestDraft> = {}): ManifestDraft {
  return withOverrides<ManifestDraft>(
    {
      label: 'bert large',
      startedAt: '2026-11-26T11:42:03.123Z',
      endedAt: '2026-11-26T11:42:09.500Z',
      status: { kind: 'completed' },
      host: { os: 'linux', cpuCores: 16 },
      tool: { name: 'inferprint', version: '0.1.0' },
      sensor: {
        name: 'nvml',
        provenance: { kind: 'measured', sensor: 'nvml' },
        requestedIntervalS: 0.05,
        measuredIntervalS: 0.05,
        channels: [
          { name: 'gpu0', kind: 'gpu', unit: 'W', device: 'NVIDIA H200' },
          { name: 'gpu1', kind: 'gpu', unit: 'W' },
          { name: 'board', kind: 'board-total', unit: 'W' },
        ],
        primaryChannel: 'gpu0',
        notes: [],
      },
      workload: { kind: 'command', argv: ['python', 'infer.py'], cwd: '/tmp' },
      device: { hardwareId: 'nvidia-h200-sxm' },
      windows: [{ name: 'full', t0S: 0, t1S: 6.377 }],
      gaps: [],
    },
    over,
  );
}

function input(over: Partial<RunBundleInput> = {}): RunBundleInput {
  return { manifest: draft(), trace: [channel('gpu0', 5000, 1), channel('gpu1', 3, 2), channel('board', 1, 3)], ...over };
}

test('a 3-channel trace, counters, files and the manifest round-trip exactly', async () => {
  const runsDir = tempRunsDir();
  const src = join(runsDir, '..', 'summary.txt');
  writeFileSync(src, 'Max latency (ns): 123\n');
  const trace = [channel('gpu0', 5000, 1), channel('gpu1', 2049, 2), channel('board', 1, 3)];
  trace[1]!.powerW[0] = 0.1 + 0.2;
  trace[1]!.powerW[1] = 5e-324;
  trace[1]!.powerW[2] = 1.7976931348623157e308;
  const counters = [{ name: 'gpu0', tS: new Float64Array([0.5, 1.5, 2.5]), energyJ: new Float64Array([0, 100.125, 200.0000001]) }];
  const bundleInput: RunBundleInput = {
    manifest: { ...draft(), impact: { operationalOnlyG: 0.25, notes: ['a note'], extra: { kept: true } } as NonNullable<RunBundleInput['manifest']['impact']> },
    trace,
    counters,
    files: [
      { name: 'stdout.txt', role: 'stdout', content: 'hello\n' },
      { name: 'stderr.bin', role: 'stderr', content: Buffer.from([0, 255, 1]) },
      { name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary', fromPath: src },
    ],
  };
  const written = await writeRunBundle(runsDir, bundleInput, { now: () => new Date('2026-11-26T11:43:00Z'), randomSuffix: () => 'ab12' });
  assert.equal(written.id, '2026-11-26T11-42-03.123Z-bert-large-ab12');
  assert.equal(written.path, join(runsDir, written.id));
  assert.deepEqual(readdirSync(runsDir), [written.id]);
  assert.deepEqual(readdirSync(written.path).sort(), ['counters.parquet', 'manifest.json', 'mlperf_log_summary.txt', 'stderr.bin', 'stdout.txt', 'trace.parquet']);

  const back = await readRunBundle(written.path);
  assert.deepEqual(
    back.trace.channels.map((c) => c.name),
    ['gpu0', 'gpu1', 'board'],
  );
  back.trace.channels.forEach((c, i) => {
    assert.deepEqual(c.tS, trace[i]!.tS, c.name);
    assert.deepEqual(c.powerW, trace[i]!.powerW, c.name);
  });
  assert.equal(back.trace.channels[1]!.powerW[0], 0.30000000000000004);
  assert.deepEqual(back.trace.provenance, { kind: 'measured', sensor: 'nvml' });
  assert.equal(back.trace.originEpochMs, Date.parse('2026-11-26T11:42:03.123Z'));
  assert.equal(back.trace.source.unitInSource, 'W');
  assert.deepEqual(back.counters, counters);

  const { createdAt, ...rest } = back.manifest;
  assert.equal(createdAt, '2026-11-26T11:43:00.000Z');
  assert.deepEqual(rest, {
    ...bundleInput.manifest,
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    id: written.id,
    files: [
      { name: 'stdout.txt', role: 'stdout' },
      { name: 'stderr.bin', role: 'stderr' },
      { name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary' },
    ],
  });
  assert.deepEqual(
    back.files.map((f) => [f.role, readFileSync(f.path)]),
    [
      ['stdout', Buffer.from('hello\n')],
      ['stderr', Buffer.from([0, 255, 1])],
      ['mlperf_log_summary', Buffer.from('Max latency (ns): 123\n')],
    ],
  );
  // DuckDB sees the long format the README documents.
  const rows = await withDuckDB(async (con) => {
    const r = await con.runAndReadAll('SELECT channel, count(*)::INTEGER, typeof(any_value(t_s)), typeof(any_value(watts)) FROM read_parquet($p) GROUP BY channel ORDER BY channel', {
      p: join(written.path, 'trace.parquet'),
    });
    return r.getRowsJS();
  });
  assert.deepEqual(rows, [
    ['board', 1, 'DOUBLE', 'DOUBLE'],
    ['gpu0', 5000, 'DOUBLE', 'DOUBLE'],
    ['gpu1', 2049, 'DOUBLE', 'DOUBLE'],
  ]);
});

test('an empty trace (a run that failed before any sample) is a valid bundle', async () => {
  const runsDir = tempRunsDir();
  const manifest = draft({ status: { kind: 'failed', code: 'IO', message: 'sensor died' } });
  const { path } = await writeRunBundle(runsDir, { manifest, trace: [] });
  const back = await readRunBundle(path);
  assert.deepEqual(back.trace.channels, []);
  assert.equal(back.counters, undefined);
  assert.deepEqual(back.manifest.status, { kind: 'failed', code: 'IO', message: 'sensor died' });
});

test('a failure before the rename leaves no bundle and no temporary', async () => {
  const runsDir = tempRunsDir();
  let seen = '';
  const e = await rejection(
    writeRunBundle(runsDir, input(), {
      beforeCommit: (tmp) => {
        seen = tmp;
        assert.ok(existsSync(join(tmp, 'trace.parquet')) && existsSync(join(tmp, 'manifest.json')));
        throw new Error('disk full');
      },
    }),
  );
  assert.equal(e.code, 'IO');
  assert.match(e.message, /disk full/);
  assert.match(seen, /\/\.2026-11-26T11-42-03\.123Z-bert-large-[0-9a-f]{4}\.tmp-\d+$/);
  assert.deepEqual(readdirSync(runsDir), []);
});

test('a crash mid-write leaves only a hidden temporary: listing ignores it, cleaning removes it once stale', async () => {
  const runsDir = tempRunsDir();
  let crashed = '';
  await rejection(
    writeRunBundle(runsDir, input(), {
      randomSuffix: () => 'dead',
      // What a killed process leaves behind: the temporary as it stood, under another pid.
      beforeCommit: (tmp) => {
        crashed = join(runsDir, tempDirName('2026-11-26T11-42-03.123Z-bert-large-dead', 99999));
        cpSync(tmp, crashed, { recursive: true });
        throw new InferprintError('IO', 'killed');
      },
    }),
  );
  assert.deepEqual(readdirSync(runsDir), ['.2026-11-26T11-42-03.123Z-bert-large-dead.tmp-99999']);
  const invalid: string[] = [];
  assert.deepEqual(await listRunBundles(runsDir, { onInvalid: (p) => invalid.push(p) }), []);
  assert.deepEqual(invalid, []);

  assert.deepEqual(await cleanStaleTemps(runsDir), [], 'a fresh temporary may still be being written');
  assert.deepEqual(await cleanStaleTemps(runsDir, { nowMs: Date.now() + 2 * 3600_000 }), [crashed]);
  assert.deepEqual(readdirSync(runsDir), []);
  assert.deepEqual(await cleanStaleTemps(join(runsDir, 'absent')), []);
});

test('listing sorts by id, skips and reports invalid bundles, ignores files and temporaries', async () => {
  const runsDir = tempRunsDir();
  const starts = ['2026-11-26T12:00:00.000Z', '2026-11-26T11:00:00.000Z', '2026-11-26T11:00:00.001Z', '2025-01-01T00:00:00.000Z'];
  const ids: string[] = [];
  for (const [i, startedAt] of starts.entries()) {
    const w = await writeRunBundle(runsDir, input({ manifest: draft({ startedAt, endedAt: '2026-11-27T00:00:00Z', label: `r${i}` }) }));
    ids.push(w.id);
  }
  mkdirSync(join(runsDir, 'no-manifest'));
  mkdirSync(join(runsDir, 'broken'));
  writeFileSync(join(runsDir, 'broken', 'manifest.json'), '{"schemaVersion": 1}');
  cpSync(join(runsDir, ids[0]!), join(runsDir, 'renamed-copy'), { recursive: true });
  writeFileSync(join(runsDir, 'README.txt'), 'not a bundle');
  mkdirSync(join(runsDir, '.other.tmp-1'));

  const invalid: [string, string][] = [];
  const listed = await listRunBundles(runsDir, { onInvalid: (p, e) => invalid.push([p, e.code]) });
  assert.deepEqual(
    listed.map((b) => b.id),
    [...ids].sort(),
  );
  assert.deepEqual(
    listed.map((b) => b.manifest.label),
    ['r3', 'r1', 'r2', 'r0'],
  );
  assert.deepEqual(invalid.sort(), [
    [join(runsDir, 'broken'), 'PARSE'],
    [join(runsDir, 'no-manifest'), 'NOT_FOUND'],
    [join(runsDir, 'renamed-copy'), 'INVALID_VALUE'],
  ]);
  assert.deepEqual(await listRunBundles(join(runsDir, 'does-not-exist')), []);
});

test('an id that is taken gets a fresh suffix', async () => {
  const runsDir = tempRunsDir();
  const suffixes = ['aaaa', 'aaaa', 'bbbb'];
  const opts = { randomSuffix: () => suffixes.shift()! };
  const a = await writeRunBundle(runsDir, input(), opts);
  const b = await writeRunBundle(runsDir, input(), opts);
  assert.equal(a.id, '2026-11-26T11-42-03.123Z-bert-large-aaaa');
  assert.equal(b.id, '2026-11-26T11-42-03.123Z-bert-large-bbbb');
  assert.equal((await readRunBundle(b.path)).manifest.id, b.id);
  assert.deepEqual(readdirSync(runsDir).sort(), [a.id, b.id]);
});

test('bad input is refused before anything is written', async () => {
  const runsDir = tempRunsDir();
  const undeclared = await rejection(writeRunBundle(runsDir, input({ trace: [channel('gpu7', 3, 1)] })));
  assert.equal(undeclared.code, 'INVALID_VALUE');
  assert.equal(undeclared.message, 'field \'trace[0]\': channel "gpu7" is not declared in manifest sensor.channels [INVALID_VALUE]');

  const back = channel('gpu0', 3, 1);
  back.tS[2] = back.tS[1]!;
  assert.equal((await rejection(writeRunBundle(runsDir, input({ trace: [back] })))).code, 'NON_MONOTONIC');
  const nan = channel('gpu0', 3, 1);
  nan.powerW[1] = Number.NaN;
  assert.equal((await rejection(writeRunBundle(runsDir, input({ trace: [nan] })))).code, 'INVALID_VALUE');
  const short = { name: 'gpu0', tS: new Float64Array(3), powerW: new Float64Array(2) };
  assert.equal((await rejection(writeRunBundle(runsDir, input({ trace: [short] })))).code, 'INVALID_VALUE');

  const bad = await rejection(writeRunBundle(runsDir, input({ manifest: draft({ windows: [{ name: 'full', t0S: 2, t1S: 1 }] }) })));
  assert.equal(bad.code, 'INVALID_VALUE');
  assert.equal(bad.where.field, 'windows[0].t1S');
  const reserved = await rejection(writeRunBundle(runsDir, input({ files: [{ name: 'manifest.json', role: 'other', content: '' }] })));
  assert.equal(reserved.where.field, 'files[0].name');
  assert.equal(existsSync(runsDir), false);

  const missing = await rejection(writeRunBundle(runsDir, input({ files: [{ name: 'log.txt', role: 'output', fromPath: join(runsDir, 'nope.txt') }] })));
  assert.equal(missing.code, 'NOT_FOUND');
  assert.deepEqual(readdirSync(runsDir), []);
});

test('reading a broken bundle: coded errors naming the file at fault', async () => {
  const runsDir = tempRunsDir();
  const { path } = await writeRunBundle(runsDir, input({ files: [{ name: 'stdout.txt', role: 'stdout', content: 'x' }] }));
  const tracePath = join(path, 'trace.parquet');
  const good = readFileSync(tracePath);

  writeFileSync(tracePath, 'PAR1 this is not parquet at all');
  const garbage = await rejection(readRunBundle(path));
  assert.equal(garbage.code, 'PARSE');
  assert.equal(garbage.where.file, tracePath);
  assert.match(garbage.message, /trace\.parquet: not a readable Parquet file: .*\[PARSE\]$/);
  assert.doesNotMatch(garbage.message, /\n/);

  writeFileSync(tracePath, good.subarray(0, good.length >> 1));
  assert.equal((await rejection(readRunBundle(path))).where.file, tracePath);

  // A Parquet file of the wrong shape, and one whose times go backwards.
  await withDuckDB(async (con) => {
    await con.run(`COPY (SELECT 1.0::DOUBLE AS t_s, 2.0::DOUBLE AS power, 'gpu0' AS channel) TO '${tracePath}' (FORMAT parquet)`);
  });
  const shape = await rejection(readRunBundle(path));
  assert.equal(shape.message, `${tracePath} field 'watts': column missing (columns: t_s, power, channel) [PARSE]`);
  await withDuckDB(async (con) => {
    await con.run(`COPY (SELECT * FROM (VALUES (1.0::DOUBLE, 5.0::DOUBLE, 'gpu0'), (0.5, 6.0, 'gpu1'), (0.5, 7.0, 'gpu0')) v(t_s, watts, channel)) TO '${tracePath}' (FORMAT parquet)`);
  });
  const backwards = await rejection(readRunBundle(path));
  assert.equal(backwards.message, `${tracePath}:3 field 't_s': timestamp 0.5 does not increase after 1 [NON_MONOTONIC]`);
  await withDuckDB(async (con) => {
    await con.run(`COPY (SELECT 1.0::DOUBLE AS t_s, 5.0::DOUBLE AS watts, 'fan' AS channel) TO '${tracePath}' (FORMAT parquet)`);
  });
  assert.equal((await rejection(readRunBundle(path))).code, 'INVALID_VALUE');
  await withDuckDB(async (con) => {
    await con.run(`COPY (SELECT 1.0::DOUBLE AS t_s, NULL::DOUBLE AS watts, 'gpu0' AS channel) TO '${tracePath}' (FORMAT parquet)`);
  });
  assert.equal((await rejection(readRunBundle(path))).where.field, 'watts');
  writeFileSync(tracePath, good);
  await readRunBundle(path);

  writeFileSync(join(path, 'counters.parquet'), 'garbage');
  assert.equal((await rejection(readRunBundle(path))).where.file, join(path, 'counters.parquet'));
  cpSync(tracePath, join(path, 'counters.parquet'));
  assert.equal((await rejection(readRunBundle(path))).where.field, 'energy_j');

  const { path: p2 } = await writeRunBundle(runsDir, input({ files: [{ name: 'stdout.txt', role: 'stdout', content: 'x' }] }));
  cpSync(join(p2, 'stdout.txt'), join(p2, 'kept.txt'));
  writeFileSync(join(p2, 'stdout.txt'), '');
  await readRunBundle(p2);
  rmSync(join(p2, 'stdout.txt'));
  const lost = await rejection(readRunBundle(p2));
  assert.equal(lost.code, 'NOT_FOUND');
  assert.equal(lost.where.file, join(p2, 'stdout.txt'));
  rmSync(join(p2, 'trace.parquet'));
  assert.equal((await rejection(readRunBundle(p2))).message, `${join(p2, 'trace.parquet')}: run trace does not exist [NOT_FOUND]`);
  rmSync(join(p2, 'manifest.json'));
  assert.equal((await rejection(readRunBundle(p2))).message, `${join(p2, 'manifest.json')}: run manifest does not exist [NOT_FOUND]`);
});

test('runs directory: --runs-dir, else $INFERPRINT_RUNS_DIR, else the XDG data directory', () => {
  const home = '/home/ada';
  const env = { INFERPRINT_RUNS_DIR: '/data/runs', XDG_DATA_HOME: '/xdg' };
  assert.deepEqual(resolveRunsDirFrom({ flag: '/flag/runs', env, home }), { path: '/flag/runs', source: 'flag' });
  assert.deepEqual(resolveRunsDirFrom({ flag: 'rel', env, home, cwd: '/work' }), { path: '/work/rel', source: 'flag' });
  assert.deepEqual(resolveRunsDirFrom({ env, home }), { path: '/data/runs', source: 'env' });
  assert.deepEqual(resolveRunsDirFrom({ flag: undefined, env: { ...env, INFERPRINT_RUNS_DIR: '' }, home }), { path: '/xdg/inferprint/runs', source: 'default' });
  assert.equal(resolveRunsDir({ env: {}, home }), '/home/ada/.local/share/inferprint/runs');
  assert.equal(resolveRunsDir({ env: { XDG_DATA_HOME: 'relative/ignored' }, home }), '/home/ada/.local/share/inferprint/runs');
  const e = (() => {
    try {
      resolveRunsDir({ flag: ' ', env, home });
    } catch (err) {
      return err;
    }
    return undefined;
  })();
  assert.ok(e instanceof InferprintError);
  assert.equal(e.code, 'USAGE');
  assert.equal(e.where.flag, '--runs-dir');
});

/** A run that measured no power (imported MLPerf logs): no sensor, no energy, no gaps. */
function powerlessDraft(): ManifestDraft {
  return draft({ sensor: undefined, workload: { kind: 'import', format: 'mlperf', sourcePath: '/logs/r1' }, windows: [{ name: 'compute', t0S: 0, t1S: 1.5 }] });
}

test('a run without power: written without trace.parquet, read back by readAnyRunBundle, refused by readRunBundle', async () => {
  const runsDir = tempRunsDir();
  const files = [{ name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary' as const, content: 'summary\n' }];
  const { path, id } = await writeRunBundle(runsDir, { manifest: powerlessDraft(), files });
  assert.deepEqual(readdirSync(path).sort(), ['manifest.json', 'mlperf_log_summary.txt']);
  const b = await readAnyRunBundle(path);
  assert.equal(b.trace, undefined);
  assert.equal(b.manifest.sensor, undefined);
  assert.equal(b.manifest.energy, undefined);
  assert.deepEqual(b.manifest.windows, [{ name: 'compute', t0S: 0, t1S: 1.5 }]);
  assert.deepEqual(
    b.files.map((f) => [f.role, readFileSync(f.path, 'utf8')]),
    [['mlperf_log_summary', 'summary\n']],
  );
  const refused = await rejection(readRunBundle(path));
  assert.equal(refused.code, 'NO_DATA');
  assert.match(refused.message, new RegExp(`run ${id} measured no power`));
  assert.deepEqual((await listRunBundles(runsDir)).map((x) => x.manifest.id), [id]);

  // A run with power reads the same through both.
  const powered = await writeRunBundle(runsDir, input());
  const any = await readAnyRunBundle(powered.path);
  assert.ok(any.trace);
  assert.equal(any.trace.channels.length, 3);

  // Samples with no sensor to say where they came from are refused, before anything is written.
  const before = readdirSync(runsDir).sort();
  const withTrace = await rejection(writeRunBundle(runsDir, { manifest: powerlessDraft(), trace: [channel('gpu0', 3, 1)] }));
  assert.equal(withTrace.code, 'INVALID_VALUE');
  assert.equal(withTrace.where.field, 'trace');
  const withCounters = await rejection(writeRunBundle(runsDir, { manifest: powerlessDraft(), counters: [{ name: 'gpu0', tS: new Float64Array([0]), energyJ: new Float64Array([1]) }] }));
  assert.equal(withCounters.where.field, 'counters');
  const withEnergy = await rejection(
    writeRunBundle(runsDir, { manifest: { ...powerlessDraft(), energy: { perChannel: [], primary: { channel: 'gpu0', energyJ: 1, durationS: 1 } } } }),
  );
  assert.equal(withEnergy.where.field, 'energy');
  assert.deepEqual(readdirSync(runsDir).sort(), before);

  // A Parquet file in a bundle whose manifest has no sensor makes it unreadable, naming the file.
  cpSync(join(powered.path, 'trace.parquet'), join(path, 'trace.parquet'));
  const stray = await rejection(readAnyRunBundle(path));
  assert.equal(stray.code, 'INVALID_VALUE');
  assert.equal(stray.where.file, join(path, 'trace.parquet'));
});
