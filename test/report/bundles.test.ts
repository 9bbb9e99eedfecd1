import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReport } from '../../src/app/report.js';
import { runCli } from '../../src/cli/main.js';
import { REPORT_DATA_SCHEMA, type ReportData } from '../../src/report/data.js';
import { loadReportData } from '../../src/app/report-data.js';
import { reportFigures } from '../../src/report/figures.js';
import { pngSize, svgSize, writeBenchBundle, writeSmallStore } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'inferprint-report-'));
const runsDir = join(root, 'runs');
let ids: string[] = [];
let data: ReportData | undefined;

async function store(): Promise<ReportData> {
  if (!data) {
    ids = await writeSmallStore(runsDir);
    data = await loadReportData({ paths: [runsDir] });
  }
  return data;
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {}, cwd: root, isTTY: false });
  return { code, out, err };
}

test('a runs store of bench bundles becomes report data: series, rows, profiles with their compute window', async () => {
  const d = await store();
  assert.equal(d.schema, REPORT_DATA_SCHEMA);
  assert.deepEqual(
    d.series.map((s) => s.name),
    ['AGX-Orin v4.1', 'H100-NVL v4.1'],
  );
  assert.deepEqual(
    d.rows.map((r) => [r.series, r.queryCount, r.energy?.runs, r.latency?.runs]),
    [
      ['AGX-Orin v4.1', 16, 3, 3],
      ['AGX-Orin v4.1', 64, 3, 3],
      ['H100-NVL v4.1', 16, 3, 3],
      ['H100-NVL v4.1', 64, 3, 3],
    ],
  );
  const h100 = d.rows.find((r) => r.series === 'H100-NVL v4.1' && r.queryCount === 16)!;
  assert.ok(Math.abs(h100.latency!.p90LatencyMs! - 2) < 1e-9);
  assert.ok(h100.gwpPerQueryG && Math.abs(h100.gwpPerQueryG.mean - h100.impact!.gwpG.mean / 16) < 1e-15);
  assert.equal(d.profiles.length, 4);
  for (const p of d.profiles) {
    assert.equal(p.phase, 'full');
    assert.equal(p.runs, 3);
    assert.equal(p.tS.length, 200);
    // The compute window is [1, 1 + 0.5 + QC/64] s in every run of the group.
    const w = p.windows.find((x) => x.name === 'compute');
    assert.ok(w, 'compute window marked');
    assert.ok(Math.abs(w.t0S - 1) < 1e-12 && Math.abs(w.t1S - (1.5 + p.queryCount! / 64)) < 1e-12);
  }
  // Busy power in the middle of the compute window: mean of 300 × (1, 1.01, 1.02), sd 3 W.
  const p = d.profiles.find((x) => x.series === 'H100-NVL v4.1' && x.queryCount === 16)!;
  const k = p.tS.findIndex((t) => t > 1.4 && t < 1.6);
  assert.ok(Math.abs(p.meanW[k]! - 303) < 1e-9, `mean ${p.meanW[k]}`);
  assert.ok(Math.abs(p.sdW[k]! - 3) < 1e-9, `sd ${p.sdW[k]}`);
  assert.deepEqual(
    reportFigures(d).map((f) => f.id),
    ['power-profile', 'gwp-by-query-count', 'latency-by-query-count', 'embodied-by-hardware', 'gwp-per-query-vs-latency', 'operational-embodied-share'],
  );
  assert.ok(d.hardware.find((h) => h.id === 'H100-NVL')?.inReport);
  assert.equal(d.hardware.find((h) => h.id === 'A100')?.inReport, false);
});

test('a store split across two folders: each profile is the mean over every repetition, wherever it lies', async () => {
  const split = join(root, 'split');
  const [first, second] = [join(split, 'a'), join(split, 'b')];
  for (const queryCount of [16, 64]) {
    // Repetitions 0 and 1 in one folder, 2 in the other: one group of three runs.
    for (let repetition = 0; repetition < 3; repetition++) {
      await writeBenchBundle(repetition < 2 ? first : second, { hardwareId: 'H100-NVL', queryCount, repetition, idleW: 60, busyW: 300, p90Ms: 2 });
    }
  }
  const d = await loadReportData({ paths: [first, second] });
  assert.deepEqual(
    d.rows.map((r) => [r.series, r.queryCount, r.energy?.runs]),
    [
      ['H100-NVL v4.1', 16, 3],
      ['H100-NVL v4.1', 64, 3],
    ],
  );
  assert.deepEqual(
    d.profiles.map((p) => [p.series, p.queryCount, p.phase, p.runs]),
    [
      ['H100-NVL v4.1', 16, 'full', 3],
      ['H100-NVL v4.1', 64, 'full', 3],
    ],
  );
  // The same busy power as one folder gives: mean of 300 × (1, 1.01, 1.02), sd 3 W.
  const p = d.profiles[0]!;
  const k = p.tS.findIndex((t) => t > 1.4 && t < 1.6);
  assert.ok(Math.abs(p.meanW[k]! - 303) < 1e-9, `mean ${p.meanW[k]}`);
  assert.ok(Math.abs(p.sdW[k]! - 3) < 1e-9, `sd ${p.sdW[k]}`);
});

test('the parameters are listed under the series names the figures use', async () => {
  const d = await store();
  assert.deepEqual(
    d.parameters.map((p) => p.device),
    ['AGX-Orin v4.1', 'H100-NVL v4.1'],
  );
  for (const p of d.parameters) assert.ok(p.used.length > 0, p.device);
});

test('writeReport writes HTML, SVG, PNG, the specs and CSV tables into the output folder, leaving no temporary', async () => {
  const d = await store();
  const out = join(root, 'out-lib');
  const r = await writeReport({ paths: [runsDir], outDir: out, data: d });
  assert.equal(r.outDir, out);
  const rel = r.files.map((f) => f.slice(out.length + 1)).sort();
  for (const f of reportFigures(d)) {
    for (const ext of ['svg', 'png', 'vl.json']) assert.ok(rel.includes(`figures/${f.id}.${ext}`), `figures/${f.id}.${ext}`);
    assert.ok(rel.includes(`tables/figure-${f.id}.csv`));
    const svg = readFileSync(join(out, 'figures', `${f.id}.svg`), 'utf8');
    const size = pngSize(readFileSync(join(out, 'figures', `${f.id}.png`)));
    const s = svgSize(svg);
    // PNGs are rendered at 2 pixels per SVG pixel.
    assert.equal(size.width, Math.round(s.width * 2));
    assert.equal(size.height, Math.round(s.height * 2));
  }
  for (const f of ['index.html', 'report.json', 'tables/results.csv', 'tables/hardware.csv', 'tables/parameters.csv']) assert.ok(rel.includes(f), f);
  for (const f of r.files) assert.ok(existsSync(f), f);
  assert.deepEqual(readdirSync(root).filter((n) => n.startsWith('.')), []);
  const csv = readFileSync(join(out, 'tables', 'results.csv'), 'utf8').split('\n');
  assert.equal(csv[0]!.split(',')[0], 'device');
  assert.equal(csv.length, 1 + d.rows.length + 1);
  const json = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { schema: string; rows: unknown[] };
  assert.equal(json.schema, REPORT_DATA_SCHEMA);
  assert.equal(json.rows.length, 4);
});

test('a second report replaces the first as a whole; a folder that holds something else is refused untouched', async () => {
  const d = await store();
  const out = join(root, 'out-replace');
  await writeReport({ paths: [], outDir: out, data: d, formats: ['html'] });
  writeFileSync(join(out, 'stale.txt'), 'from before');
  const second = await writeReport({ paths: [], outDir: out, data: d, formats: ['svg'] });
  assert.equal(existsSync(join(out, 'stale.txt')), false, 'the old folder went as a whole');
  assert.equal(existsSync(join(out, 'index.html')), false, 'html not asked for this time');
  assert.ok(second.files.some((f) => f.endsWith('.svg')));
  assert.equal(second.files.some((f) => f.endsWith('.png')), false);

  const precious = join(root, 'precious');
  mkdirSync(precious);
  writeFileSync(join(precious, 'thesis.tex'), 'keep me');
  await assert.rejects(writeReport({ paths: [], outDir: precious, data: d }), (e: Error) => /not empty and holds no earlier report/.test(e.message) && /--out/.test(e.message));
  assert.deepEqual(readdirSync(precious), ['thesis.tex']);
  const aFile = join(root, 'a-file');
  writeFileSync(aFile, 'keep me');
  await assert.rejects(writeReport({ paths: [], outDir: aFile, data: d }), (e: Error) => /a-file exists and is not a folder/.test(e.message) && /--out/.test(e.message));
  assert.equal(readFileSync(aFile, 'utf8'), 'keep me');
  assert.deepEqual(readdirSync(root).filter((n) => n.startsWith('.')), []);
});

test('inferprint report --runs-dir DIR and --runs ID,ID report on the store', async () => {
  await store();
  const all = await cli(['report', '--runs-dir', runsDir, '--out', 'all', '--formats', 'html,svg']);
  assert.equal(all.code, 0, all.err);
  assert.match(all.out, /files \(6 figures\) written to .*\/all\n/);
  assert.ok(existsSync(join(root, 'all', 'index.html')));
  assert.equal(existsSync(join(root, 'all', 'figures', 'power-profile.png')), false);

  const some = await cli(['report', '--runs-dir', runsDir, '--runs', `${ids[0]!},${ids[3]!}`, '--out', 'some', '--formats', 'svg']);
  assert.equal(some.code, 0, some.err);
  const json = JSON.parse(readFileSync(join(root, 'some', 'report.json'), 'utf8')) as ReportData;
  assert.deepEqual([...new Set(json.rows.map((r) => r.queryCount))].sort(), [16, 64]);
  assert.ok(json.rows.every((r) => r.series === 'H100-NVL v4.1'));
});

test('inferprint report: bad ids, flags and an empty store fail with one line naming the flag', async () => {
  await store();
  const traversal = await cli(['report', '--runs-dir', runsDir, '--runs', '../runs', '--out', 'x']);
  assert.equal(traversal.code, 2);
  assert.match(traversal.err, /flag --runs/);
  const missing = await cli(['report', '--runs-dir', runsDir, '--runs', 'no-such-run', '--out', 'x']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /no-such-run.*\[NOT_FOUND\]/);
  const format = await cli(['report', runsDir, '--formats', 'pdf']);
  assert.equal(format.code, 2);
  assert.match(format.err, /flag --formats: unknown format 'pdf'/);
  const empty = await cli(['report', '--runs-dir', join(root, 'nothing-here')]);
  assert.equal(empty.code, 1);
  assert.match(empty.err, /\[NO_DATA\]/);
  for (const r of [traversal, missing, format, empty]) assert.equal(r.err.trim().split('\n').length, 1, r.err);
  assert.equal(existsSync(join(root, 'x')), false);
});
