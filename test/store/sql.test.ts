import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSummary } from '../../src/mlperf/parse-summary.js';
import { RUN_COLUMNS } from '../../src/runs/row.js';
import { RESULT_COLUMNS, WINDOW_COLUMNS } from '../../src/store/rows.js';
import { openStore, type RunStore } from '../../src/store/store.js';
import { rejection } from '../helpers/decode.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';
import { summaryText, tempRunsDir, writeRun } from './helpers.js';

async function storeWithRuns(): Promise<{ store: RunStore; runsDir: string; ids: string[] }> {
  const runsDir = tempRunsDir();
  const a = await writeRun(runsDir, { label: 'a100 run' }, { suffix: 'aaaa', counters: true, files: [{ name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary', content: summaryText() }] });
  const b = await writeRun(
    runsDir,
    { label: 'orin run', startedAt: '2026-11-27T10:00:00.000Z', endedAt: '2026-11-27T10:00:02.000Z', device: { hardwareId: 'AGX-Orin' } },
    { suffix: 'bbbb', power: 10 },
  );
  return { store: openStore(runsDir), runsDir, ids: [a.id, b.id] };
}

test('the runs view has the documented columns, typed, and one row per bundle', async () => {
  const { store, ids } = await storeWithRuns();
  const d = await store.query('DESCRIBE runs');
  const types = new Map(d.rows.map((r) => [r[0] as string, r[1] as string]));
  for (const c of RUN_COLUMNS) assert.equal(types.get(c.name), c.type, c.name);
  assert.equal(types.size, RUN_COLUMNS.length);

  const r = await store.query("SELECT id, energy_j, gwp_mg, started_at, query_count, channels, m.manifest->>'$.host.cpuModel' AS cpu FROM runs JOIN manifests m USING (id) ORDER BY id");
  assert.deepEqual(
    r.columns.map((c) => c.name),
    ['id', 'energy_j', 'gwp_mg', 'started_at', 'query_count', 'channels', 'cpu'],
  );
  assert.deepEqual(r.rows, [
    [ids[0], 100, 4, '2026-11-26T11:42:03.123Z', 64, ['gpu0', 'board'], 'Test CPU'],
    [ids[1], 100, 4, '2026-11-27T10:00:00.000Z', 64, ['gpu0', 'board'], 'Test CPU'],
  ]);
  assert.equal(r.truncated, false);
  const g = await store.query("SELECT hardware_id, count(*) AS n FROM runs WHERE started_at >= TIMESTAMP '2026-11-27' GROUP BY ALL");
  assert.deepEqual(g.rows, [['AGX-Orin', 1]]);
});

test('windows, traces, counters and results views', async () => {
  const { store, ids } = await storeWithRuns();
  const w = await store.query('SELECT * FROM windows ORDER BY run_id, t0_s');
  assert.deepEqual(
    w.columns.map((c) => c.name),
    WINDOW_COLUMNS.map((c) => c.name),
  );
  assert.equal(w.rows.length, 4);
  assert.deepEqual(w.rows[1]!.slice(0, 3), [ids[0], 'compute', 0.2]);

  // Traces: energy of a flat 100 W trace over 1 s by trapezoids in SQL, 10 intervals of 0.1 s.
  const t = await store.query(
    'SELECT run_id, channel, count(*) AS n, sum(dt * (watts + prev) / 2) AS energy_j FROM (SELECT *, t_s - lag(t_s) OVER w AS dt, lag(watts) OVER w AS prev FROM traces WINDOW w AS (PARTITION BY run_id, channel ORDER BY t_s)) GROUP BY ALL ORDER BY ALL',
  );
  assert.equal(t.rows.length, 4);
  const energy = Object.fromEntries(t.rows.map((r) => [`${r[0] as string}/${r[1] as string}`, r[3] as number]));
  assert.ok(Math.abs(energy[`${ids[0]}/gpu0`]! - 100) < 1e-9);
  assert.ok(Math.abs(energy[`${ids[0]}/board`]! - 150) < 1e-9);
  assert.ok(Math.abs(energy[`${ids[1]}/gpu0`]! - 10) < 1e-9);
  assert.deepEqual(t.rows.map((r) => r[2]), [11, 11, 11, 11]);
  // A filter on run_id reads one bundle.
  const one = await store.query(`SELECT count(*) FROM traces WHERE run_id = '${ids[1]!}'`);
  assert.deepEqual(one.rows, [[22]]);

  const c = await store.query('SELECT run_id, t_s, energy_j FROM counters ORDER BY t_s');
  assert.deepEqual(c.rows, [
    [ids[0], 0, 0],
    [ids[0], 1, 101],
  ]);

  const res = await store.query('SELECT * FROM results');
  assert.deepEqual(
    res.columns.map((x) => x.name),
    RESULT_COLUMNS.map((x) => x.name),
  );
  const row = Object.fromEntries(res.columns.map((col, i) => [col.name, res.rows[0]![i]]));
  assert.equal(res.rows.length, 1);
  assert.equal(row.run_id, ids[0]);
  assert.equal(row.scenario, 'SingleStream');
  assert.equal(row.min_query_count, 64);
  assert.equal(row.result_valid, false);
  assert.equal(row.min_latency_ns, 1_500_000);
  assert.equal(row.p90_latency_ns, 1_557_000);
  assert.equal(row.max_latency_ns, 1_563_000);
  assert.equal(row.error_count, 1);
  // A join of runs and results: the study's latency against GWP.
  const j = await store.query('SELECT r.hardware_id, x.max_latency_ns / 1e6 AS max_ms, r.gwp_mg FROM runs r JOIN results x ON x.run_id = r.id');
  assert.deepEqual(j.rows, [['A100', 1.563, 4]]);
});

test('a store with no bundle still has every view, empty', async () => {
  const store = openStore(tempRunsDir());
  for (const v of ['runs', 'manifests', 'windows', 'traces', 'counters', 'results']) {
    const r = await store.query(`SELECT count(*) FROM ${v}`);
    assert.deepEqual(r.rows, [[0]], v);
  }
  const tables = await store.query('SHOW TABLES');
  assert.deepEqual(
    tables.rows.map((r) => r[0]),
    ['counters', 'manifests', 'results', 'runs', 'traces', 'windows'],
  );
});

test('skipped bundles stay out of every view, the traces of those too', async () => {
  const { store, runsDir } = await storeWithRuns();
  // A future-schema bundle with a valid trace, and a foreign directory holding a corrupt one.
  const future = join(runsDir, 'future-run');
  cpSync(join(runsDir, readdirSync(runsDir)[0]!), future, { recursive: true });
  writeFileSync(join(future, 'manifest.json'), JSON.stringify({ schemaVersion: 7, id: 'future-run' }));
  const r = await store.query('SELECT DISTINCT run_id FROM traces');
  assert.equal(r.rows.length, 2);
  assert.equal(r.skipped.length, 1);
  assert.equal(r.skipped[0]!.name, 'future-run');
});

test('a bad MLPerf summary leaves its run out of results and is reported', async () => {
  const runsDir = tempRunsDir();
  await writeRun(runsDir, {}, { files: [{ name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary', content: 'not a summary\n' }] });
  const r = await openStore(runsDir).query('SELECT count(*) FROM results');
  assert.deepEqual(r.rows, [[0]]);
  assert.equal(r.skipped.length, 1);
  assert.match(r.skipped[0]!.reason, /mlperf_log_summary\.txt/);
});

test('maxRows stops reading and says so', async () => {
  const { store } = await storeWithRuns();
  const r = await store.query('SELECT * FROM traces', { maxRows: 5 });
  assert.equal(r.rows.length, 5);
  assert.equal(r.truncated, true);
});

test('sql is read-only: statements that write or change settings are refused before they run', async () => {
  const { store, runsDir } = await storeWithRuns();
  const outside = mkdtempSync(join(tmpdir(), 'inferprint-outside-'));
  const before = readdirSync(runsDir).sort();
  const cases: [string, RegExp][] = [
    [`COPY runs TO '${join(runsDir, 'x.csv')}'`, /got COPY/],
    [`COPY runs TO '${join(outside, 'x.csv')}'`, /got COPY|disabled by configuration/],
    [`COPY (SELECT 1) TO '${join(runsDir, 'y.parquet')}' (FORMAT parquet)`, /got COPY/],
    ['CREATE TABLE t AS SELECT 1', /got CREATE/],
    ['CREATE VIEW v AS SELECT 1', /got CREATE/],
    ['INSERT INTO runs (id) VALUES (1)', /got INSERT/],
    ['WITH x AS (SELECT 1) INSERT INTO runs (id) SELECT * FROM x', /got INSERT/],
    ['DELETE FROM runs', /got DELETE/],
    ['UPDATE runs SET label = 1', /got UPDATE/],
    ['DROP TABLE runs', /got DROP/],
    ['INSTALL httpfs', /got INSTALL/],
    ['LOAD httpfs', /got LOAD/],
    ['FORCE INSTALL httpfs', /got FORCE/],
    [`ATTACH '${join(runsDir, 'x.db')}' AS x`, /got ATTACH/],
    ["SET enable_external_access = true", /got SET/],
    ["SET lock_configuration = false", /got SET/],
    ['PRAGMA enable_profiling', /got PRAGMA enable_profiling/],
    [`PRAGMA profile_output = '${join(runsDir, 'p.txt')}'`, /got PRAGMA profile_output/],
    [`EXPORT DATABASE '${join(runsDir, 'db')}'`, /got EXPORT/],
    [`EXPLAIN ANALYZE COPY runs TO '${join(runsDir, 'z.csv')}'`, /EXPLAIN of COPY/],
    ['/* sneaky */ EXPLAIN ANALYZE CREATE TABLE t AS SELECT 1', /EXPLAIN of CREATE/],
    ['EXPLAIN ANALYZE WITH x AS (SELECT 1) INSERT INTO runs (id) SELECT * FROM x', /EXPLAIN of INSERT/],
    ['EXPLAIN EXPLAIN SELECT 1', /EXPLAIN of EXPLAIN/],
    ['(COPY runs TO \'x.csv\')', /got COPY/],
    ['SELECT 1; SELECT 2', /one statement, got 2/],
    ['CHECKPOINT', /got CHECKPOINT/],
    ['CALL pragma_version()', /got CALL/],
    ['USE memory', /got USE/],
    ['', /give a query/],
    ['-- nothing', /give a query/],
  ];
  for (const [sql, why] of cases) {
    const e = await rejection(store.query(sql));
    // Refused by the statement check (USAGE), or for a path outside the runs directory by DuckDB's lock while binding.
    assert.ok(e.code === 'USAGE' || /disabled by configuration/.test(e.message), `${sql}: ${e.message}`);
    assert.match(e.message, why, sql);
  }
  assert.deepEqual(readdirSync(runsDir).sort(), before);
  assert.deepEqual(readdirSync(outside), []);
});

test('sql cannot read files outside the runs directory, nor reach them through a link', async () => {
  const { store, runsDir } = await storeWithRuns();
  const outside = mkdtempSync(join(tmpdir(), 'inferprint-outside-'));
  writeFileSync(join(outside, 'secret.csv'), 'a,b\n1,2\n');
  mkdirSync(join(outside, 'dir'));
  cpSync(join(runsDir, readdirSync(runsDir)[0]!, 'trace.parquet'), join(outside, 'dir', 'trace.parquet'));
  symlinkSync(join(outside, 'dir'), join(runsDir, 'escape'));
  for (const sql of [
    `SELECT * FROM read_csv('${join(outside, 'secret.csv')}')`,
    `SELECT * FROM read_csv('${runsDir}/../${join(outside, 'secret.csv').split('/').slice(-2).join('/')}')`,
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM glob('/etc/*')",
    `SELECT * FROM read_parquet('${join(runsDir, 'escape', 'trace.parquet')}')`,
    "SELECT * FROM read_parquet('https://example.com/x.parquet')",
    "SELECT * FROM query('COPY runs TO ''/tmp/x.csv''')",
  ]) {
    const e = await rejection(store.query(sql));
    assert.equal(e.code, 'INVALID_VALUE', `${sql}: ${e.message}`);
  }
  // The link is reported as skipped; the traces view still works and does not follow it.
  const r = await store.query('SELECT count(DISTINCT run_id), count(*) FROM traces');
  assert.deepEqual(r.rows, [[2, 44]]);
  assert.ok(r.skipped.some((s) => s.name === 'escape'));
});

test('queries that are allowed: WITH, FROM-first, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PRAGMA show_tables', async () => {
  const { store } = await storeWithRuns();
  for (const sql of [
    'WITH x AS (SELECT id FROM runs) SELECT count(*) FROM x',
    'FROM runs SELECT id',
    'DESCRIBE traces',
    'SHOW TABLES',
    'SUMMARIZE windows',
    'EXPLAIN SELECT * FROM traces',
    'EXPLAIN ANALYZE SELECT count(*) FROM runs',
    'PRAGMA show_tables',
    "PRAGMA table_info('results')",
    'VALUES (1), (2)',
    '  -- a comment first\n  SELECT 1',
  ]) {
    const r = await store.query(sql);
    assert.ok(r.columns.length > 0, sql);
  }
});

test('a DuckDB error is one line naming the query field', async () => {
  const { store } = await storeWithRuns();
  const e = await rejection(store.query('SELECT nope FROM runs'));
  assert.equal(e.code, 'INVALID_VALUE');
  assert.equal(e.where.field, 'query');
  assert.ok(!e.message.includes('\n'));
  assert.match(e.message, /nope/);
  const s = await rejection(store.query('SELECT FROM WHERE'));
  assert.equal(s.code, 'INVALID_VALUE');
});

test('results from the study\'s real MLPerf summaries (v1.1 and v4.1) equal the parser\'s values', { skip: skipWithoutThesis }, async () => {
  const runsDir = tempRunsDir();
  const summaries = ['T4_v1.1_logs', 'Orin_v4.1_logs'].map((d) => findSummary(join(THESIS_DIR, 'Logs', d)));
  for (const [i, path] of summaries.entries()) {
    await writeRun(runsDir, { label: `real ${i}` }, { files: [{ name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary', fromPath: path }] });
  }
  const r = await openStore(runsDir).query('SELECT r.label, x.scenario, x.min_query_count, x.p90_latency_ns, x.max_latency_ns, x.early_stopping_met FROM results x JOIN runs r ON r.id = x.run_id ORDER BY r.label');
  assert.equal(r.skipped.length, 0);
  assert.deepEqual(
    r.rows,
    summaries.map((path, i) => {
      const s = parseSummary(readFileSync(path, 'utf8'), path);
      return [`real ${i}`, s.scenario, s.params.minQueryCount, s.stats.percentilesNs['90.00'] ?? null, s.stats.maxLatencyNs, s.constraints.earlyStoppingMet ?? null];
    }),
  );
  // v1.1 LoadGen had no early stopping.
  assert.equal(r.rows[0]![5], null);
});

/** The first summary under `dir` that parses (the study's tree holds a few truncated ones). */
function findSummary(dir: string): string {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name === 'mlperf_log_summary.txt' ? [join(d, e.name)] : []));
  const found = walk(dir).find((p) => {
    try {
      parseSummary(readFileSync(p, 'utf8'), p);
      return true;
    } catch {
      return false;
    }
  });
  if (found === undefined) throw new Error(`no readable summary under ${dir}`);
  return found;
}
