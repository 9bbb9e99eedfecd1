import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { withDuckDB } from '../../src/runs/io/parquet.js';
import { RUN_COLUMNS, type RunRow } from '../../src/runs/row.js';
import { summaryText, tempRunsDir, writeRun } from './helpers.js';

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false, env, cwd: tmpdir() });
  return { code, out, err };
}

async function twoRuns(): Promise<{ runsDir: string; a: string; b: string }> {
  const runsDir = tempRunsDir();
  const a = await writeRun(runsDir, { label: 'a100, qc64' }, { suffix: 'aaaa', counters: true, files: [{ name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary', content: summaryText() }] });
  const b = await writeRun(
    runsDir,
    {
      label: 'orin qc16',
      startedAt: '2026-11-27T10:00:00.000Z',
      endedAt: '2026-11-27T10:00:02.000Z',
      device: { hardwareId: 'AGX-Orin' },
      workload: { kind: 'bench', scenario: 'SingleStream', model: 'm', queryCount: 16 },
      status: { kind: 'interrupted', signal: 'SIGINT' },
    },
    { suffix: 'bbbb' },
  );
  return { runsDir, a: a.id, b: b.id };
}

test('runs list: a table, filters as flags, JSON and CSV; skipped entries on stderr', async () => {
  const { runsDir, a, b } = await twoRuns();
  mkdirSync(join(runsDir, 'foreign'));
  const t = await cli(['runs', 'list', '--runs-dir', runsDir]);
  assert.equal(t.code, 0, t.err);
  const lines = t.out.trim().split('\n');
  assert.match(lines[0]!, /^id\s+status\s+device\s+sensor\s+scenario\s+queries\s+duration \(s\)\s+energy \(J\)\s+GWP \(mg\)\s+scope\s+label$/);
  assert.ok(lines[2]!.startsWith(a) && lines[3]!.startsWith(b));
  assert.match(lines[3]!, /interrupted\s+AGX-Orin\s+nvml\s+SingleStream\s+16\s+2\.00\s+100\.00/);
  assert.match(t.err, /1 entry of the runs directory skipped:\n {2}foreign: .*not a run bundle/);

  const j = await cli(['runs', 'list', '--runs-dir', runsDir, '--json', '--device', 'orin']);
  assert.equal(j.code, 0, j.err);
  const parsed = JSON.parse(j.out) as { runsDir: string; runs: RunRow[]; skipped: { name: string }[] };
  assert.equal(parsed.runsDir, runsDir);
  assert.deepEqual(
    parsed.runs.map((r) => r.id),
    [b],
  );
  assert.equal(parsed.skipped[0]!.name, 'foreign');

  const filtered = async (...flags: string[]): Promise<string[]> => {
    const r = await cli(['runs', 'list', '--runs-dir', runsDir, '--format', 'json', ...flags]);
    assert.equal(r.code, 0, r.err);
    return (JSON.parse(r.out) as { runs: RunRow[] }).runs.map((x) => x.id);
  };
  assert.deepEqual(await filtered('--queries', '64'), [a]);
  assert.deepEqual(await filtered('--status', 'interrupted'), [b]);
  assert.deepEqual(await filtered('--label', 'QC16', '--scenario', 'singlestream'), [b]);
  assert.deepEqual(await filtered('--since', '2026-11-27'), [b]);
  assert.deepEqual(await filtered('--until', '2026-11-27'), [a]);
  assert.deepEqual(await filtered('--last', '1'), [b]);
  assert.deepEqual(await filtered('--hardware-id', 'A100'), [a]);

  const c = await cli(['runs', 'list', '--runs-dir', runsDir, '--format', 'csv']);
  const [header, first] = c.out.trim().split('\n');
  assert.equal(header, RUN_COLUMNS.map((x) => x.name).join(','));
  assert.ok(first!.startsWith(`${a},"a100, qc64",completed,`));
});

test('the runs directory comes from --runs-dir, else INFERPRINT_RUNS_DIR', async () => {
  const { runsDir, a } = await twoRuns();
  const r = await cli(['runs', 'list', '--json'], { INFERPRINT_RUNS_DIR: runsDir });
  assert.equal((JSON.parse(r.out) as { runs: RunRow[] }).runs[0]!.id, a);
  const empty = await cli(['runs', 'list', '--runs-dir', join(runsDir, 'none')]);
  assert.equal(empty.code, 0);
  assert.match(empty.out, /0 run\(s\)/);
});

test('runs show: summary, energy, impact, MLPerf results and files; JSON too', async () => {
  const { runsDir, a } = await twoRuns();
  const r = await cli(['runs', 'show', a.slice(0, 22), '--runs-dir', runsDir]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`^run +${a}$`, 'm'));
  assert.match(r.out, /^device +NVIDIA A100-SXM4-40GB, hardware id A100$/m);
  assert.match(r.out, /^ {2}100 J on gpu0 over 1 s \(trapezoid\)$/m);
  assert.match(r.out, /^ {2}gpu0 +100\.000 +100\.00 +100\.00 +11 +101\.000$/m);
  assert.match(r.out, /^ {2}compute +0\.200 +0\.700 +gpu0 +50\.000 +100\.00$/m);
  assert.match(r.out, /GWP 4 mgCO2e \(range 3–5 mg\), operational 3\.3 mg, embodied 0\.7 mg/);
  assert.match(r.out, /grid 79\.1 gCO2e\/kWh, PUE 1\.5/);
  assert.match(r.out, /mlperf_log_summary\.txt +SingleStream +INVALID +64 +1\.532 +1\.557 +1\.563/);
  assert.match(r.out, /^ {2}counters\.parquet +counters +\d+$/m);

  const j = await cli(['runs', 'show', a, '--json', '--runs-dir', runsDir]);
  const parsed = JSON.parse(j.out) as { run: RunRow; manifest: { id: string }; results: { p90_latency_ns: number }[]; files: { name: string; bytes: number }[] };
  assert.equal(parsed.run.id, a);
  assert.equal(parsed.manifest.id, a);
  assert.equal(parsed.results[0]!.p90_latency_ns, 1_557_000);
  assert.equal(parsed.files.find((f) => f.name === 'mlperf_log_summary.txt')!.bytes, Buffer.byteLength(summaryText()));

  const ambiguous = await cli(['runs', 'show', '2026-11-2', '--runs-dir', runsDir]);
  assert.equal(ambiguous.code, 2);
  assert.match(ambiguous.err, /matches 2 runs/);
  const missing = await cli(['runs', 'show', 'nope', '--runs-dir', runsDir]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /run does not exist \[NOT_FOUND\]/);
  const bad = await cli(['runs', 'show', '../etc', '--runs-dir', runsDir]);
  assert.equal(bad.code, 2);
});

test('runs rm: --yes required off a terminal; safety checks; removes', async () => {
  const { runsDir, a, b } = await twoRuns();
  const outside = mkdtempSync(join(tmpdir(), 'inferprint-outside-'));
  cpSync(join(runsDir, a), join(outside, 'victim'), { recursive: true });
  symlinkSync(join(outside, 'victim'), join(runsDir, 'link'));

  const noYes = await cli(['runs', 'rm', a, '--runs-dir', runsDir]);
  assert.equal(noYes.code, 2);
  assert.match(noYes.err, /not on a terminal, add --yes/);
  assert.ok(existsSync(join(runsDir, a)));

  for (const id of ['..', join(outside, 'victim'), '../victim', 'link', a.slice(0, 10)]) {
    const r = await cli(['runs', 'rm', id, '--yes', '--runs-dir', runsDir]);
    assert.notEqual(r.code, 0, id);
    assert.equal(r.err.split('\n').filter(Boolean).length, 1, r.err);
  }
  assert.ok(existsSync(join(outside, 'victim', 'manifest.json')));

  const ok = await cli(['runs', 'rm', a, b, '--yes', '--runs-dir', runsDir]);
  assert.equal(ok.code, 0, ok.err);
  assert.equal(ok.out, `removed ${a}\nremoved ${b}\n`);
  assert.deepEqual(readdirSync(runsDir), ['link']);
});

test('runs export: CSV, JSON and Parquet read back with the same values', async () => {
  const { runsDir, a, b } = await twoRuns();
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-export-'));

  const csv = await cli(['runs', 'export', '--all', '--out', join(dir, 'runs.csv'), '--runs-dir', runsDir]);
  assert.equal(csv.code, 0, csv.err);
  assert.match(csv.err, /exported 2 run\(s\)/);
  const text = readFileSync(join(dir, 'runs.csv'), 'utf8');
  const rows = await withDuckDB(async (con) => (await con.runAndReadAll(`SELECT id, label, energy_j::DOUBLE, gwp_mg, query_count, channels, started_at FROM read_csv('${join(dir, 'runs.csv')}') ORDER BY id`)).getRowsJS());
  assert.deepEqual(rows.map((r) => r.slice(0, 6)), [
    [a, 'a100, qc64', 100, 4n, 64n, 'gpu0;board'],
    [b, 'orin qc16', 100, 4n, 16n, 'gpu0;board'],
  ]);
  assert.equal(text.split('\n')[0], RUN_COLUMNS.map((c) => c.name).join(','));

  const json = await cli(['runs', 'export', b, '--format', 'json', '--out', join(dir, 'one.json'), '--runs-dir', runsDir]);
  assert.equal(json.code, 0, json.err);
  // One JSON shape for the runs family: export writes what `runs list --format json` prints.
  const doc = JSON.parse(readFileSync(join(dir, 'one.json'), 'utf8')) as { runsDir: string; runs: RunRow[]; skipped: unknown[] };
  assert.deepEqual(Object.keys(doc), ['runsDir', 'runs', 'skipped']);
  const back = doc.runs;
  assert.equal(back.length, 1);
  assert.equal(back[0]!.id, b);
  assert.equal(back[0]!.status_detail, 'SIGINT');
  assert.deepEqual(Object.keys(back[0]!), RUN_COLUMNS.map((c) => c.name));
  const listed = await cli(['runs', 'list', '--format', 'json', '--runs-dir', runsDir]);
  assert.deepEqual(Object.keys(JSON.parse(listed.out) as object), ['runsDir', 'runs', 'skipped']);

  const pq = await cli(['runs', 'export', '--all', '--device', 'A100', '--out', join(dir, 'runs.parquet'), '--runs-dir', runsDir]);
  assert.equal(pq.code, 0, pq.err);
  const fromParquet = await withDuckDB(async (con) => {
    const r = await con.runAndReadAll(`SELECT id, energy_j, gwp_mg, query_count, channels, started_at, has_mlperf FROM read_parquet('${join(dir, 'runs.parquet')}')`);
    const types = (await con.runAndReadAll(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet('${join(dir, 'runs.parquet')}'))`)).getRowsJS();
    return { rows: r.getRowsJS(), types: Object.fromEntries(types.map((t) => [t[0] as string, t[1] as string])) };
  });
  assert.equal(fromParquet.rows.length, 1);
  const [id, energy, gwp, qc, channels, started, mlperf] = fromParquet.rows[0]!;
  assert.deepEqual([id, energy, gwp, qc, channels, mlperf], [a, 100, 4, 64n, ['gpu0', 'board'], true]);
  assert.equal((started as Date).toISOString(), '2026-11-26T11:42:03.123Z');
  for (const c of RUN_COLUMNS) assert.equal(fromParquet.types[c.name], c.type, c.name);
  // No temporary left beside the outputs.
  assert.deepEqual(readdirSync(dir).sort(), ['one.json', 'runs.csv', 'runs.parquet']);

  const stdout = await cli(['runs', 'export', a, '--format', 'json', '--runs-dir', runsDir]);
  assert.equal((JSON.parse(stdout.out) as { runs: RunRow[] }).runs[0]!.id, a);
});

test('runs: bad usage exits 2 with one line naming the flag or argument', async () => {
  const { runsDir, a } = await twoRuns();
  for (const args of [
    ['runs'],
    ['runs', 'frobnicate'],
    ['runs', 'list', '--status', 'happy'],
    ['runs', 'list', '--queries', 'many'],
    ['runs', 'list', '--since', 'yesterday'],
    ['runs', 'list', '--until', 'later'],
    ['runs', 'list', '--last', '0'],
    ['runs', 'list', '--last', 'x'],
    ['sql', 'SELECT 1', '--format', 'xml'],
    ['sql', 'SELECT 1', '--max-rows', 'lots'],
    ['runs', 'list', '--out', 'x'],
    ['runs', 'list', a],
    ['runs', 'show'],
    ['runs', 'show', a, '--format', 'csv'],
    ['runs', 'export'],
    ['runs', 'export', a, '--all'],
    ['runs', 'export', '--all', '--format', 'xml'],
    ['runs', 'export', '--all', '--format', 'parquet'],
    ['runs', 'export', '--all', '--out', 'runs.xlsx'],
    ['runs', 'export', a, '--device', 'A100', '--format', 'csv'],
    ['runs', 'rm'],
  ]) {
    const r = await cli([...args, '--runs-dir', runsDir]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.err.trim().split('\n').length, 1, r.err);
    assert.match(r.err, /\[USAGE\]/);
  }
});

test('sql: table, CSV and JSON output; read-only refusals exit non-zero and write nothing', async () => {
  const { runsDir, a, b } = await twoRuns();
  const t = await cli(['sql', 'SELECT id, query_count FROM runs ORDER BY id', '--runs-dir', runsDir]);
  assert.equal(t.code, 0, t.err);
  assert.match(t.out, new RegExp(`^${a} +64$`, 'm'));
  assert.match(t.out, /^2 row\(s\)$/m);

  const c = await cli(['sql', 'SELECT', 'id,', 'label', 'FROM', 'runs', 'ORDER', 'BY', 'id', '--format', 'csv', '--runs-dir', runsDir]);
  assert.equal(c.out, `id,label\n${a},"a100, qc64"\n${b},orin qc16\n`);

  const j = await cli(['sql', 'SELECT run_id, max_latency_ns, result_valid FROM results', '--format', 'json', '--runs-dir', runsDir]);
  assert.deepEqual(JSON.parse(j.out), [{ run_id: a, max_latency_ns: 1_563_000, result_valid: false }]);

  const m = await cli(['sql', 'SELECT * FROM traces', '--max-rows', '3', '--format', 'json', '--runs-dir', runsDir]);
  assert.equal((JSON.parse(m.out) as unknown[]).length, 3);
  assert.match(m.err, /only the first 3 rows/);

  const before = readdirSync(runsDir).sort();
  for (const q of [`COPY runs TO '${join(runsDir, 'x.csv')}'`, 'CREATE TABLE t AS SELECT 1', 'INSTALL httpfs', `ATTACH '${join(runsDir, 'x.db')}'`]) {
    const r = await cli(['sql', q, '--runs-dir', runsDir]);
    assert.equal(r.code, 2, `${q}: ${r.err}`);
    assert.match(r.err, /sql is read-only \[USAGE\]/);
  }
  const outside = await cli(['sql', "SELECT * FROM read_text('/etc/passwd')", '--runs-dir', runsDir]);
  assert.equal(outside.code, 1);
  assert.match(outside.err, /sql reads the runs directory only/);
  assert.deepEqual(readdirSync(runsDir).sort(), before);

  writeFileSync(join(runsDir, 'stray.txt'), 'x');
  const empty = await cli(['sql', '', '--runs-dir', runsDir]);
  assert.equal(empty.code, 2);
  const badRows = await cli(['sql', 'SELECT 1', '--max-rows', 'lots', '--runs-dir', runsDir]);
  assert.equal(badRows.code, 2);
});
