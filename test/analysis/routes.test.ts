/**
 * One honest number per question, whatever the route: the study's data give the same GWP from
 * its dataset, from the runs `import thesis` made of it, from the store's listing and from the
 * dashboard's run page; CodeCarbon's PUE is applied once; power that was not measured says so
 * everywhere it is shown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/app/analyze.js';
import { importRuns } from '../../src/app/import.js';
import type { AnalysisRow } from '../../src/analysis/types.js';
import { render } from '../../src/cli/commands/analyze.js';
import { runCli } from '../../src/cli/main.js';
import { resolveGrid } from '../../src/impact/grid.js';
import { assessRun } from '../../src/runs/run-impact.js';
import { RunsData } from '../../src/serve/data.js';
import { openStore } from '../../src/store/store.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';
import { draft, tempRunsDir, writeRun } from '../store/helpers.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
const param = (r: AnalysisRow, name: string) => r.parameters?.find((p) => p.name === name);

/** The A100 and AGX Orin of the study in its own layout (FULL, CI and logs): both PUE categories. */
function studySubset(): string {
  const root = mkdtempSync(join(tmpdir(), 'inferprint-routes-'));
  for (const [data, logs] of [
    ['data_A100_v4.1', 'A100_v4.1_logs'],
    ['data_orin_v4.1', 'Orin_v4.1_logs'],
  ] as const) {
    for (const phase of ['FULL', 'CI']) cpSync(join(THESIS_DIR, 'Data', data, phase), join(root, 'Data', data, phase), { recursive: true });
    cpSync(join(THESIS_DIR, 'Logs', logs), join(root, 'Logs', logs), { recursive: true });
  }
  return root;
}

test("the study's data give one GWP by every route: dataset, imported runs, runs list, the dashboard's run page", { skip: skipWithoutThesis }, async () => {
  const root = studySubset();
  const runsDir = tempRunsDir();
  await importRuns({ format: 'thesis', paths: [root], runsDir });

  const fromDataset = analyze({ paths: [root], method: 'trapezoid' });
  const fromRuns = analyze({ paths: [runsDir], method: 'trapezoid' });
  const thesis = analyze({ paths: [root], method: 'thesis' });
  const key = (r: AnalysisRow) => `${r.device} ${r.queryCount}`;
  const byKey = new Map(fromRuns.rows.map((r) => [key(r), r]));
  assert.equal(fromDataset.rows.length, 10);
  for (const d of fromDataset.rows) {
    const r = byKey.get(key(d))!;
    assert.ok(r, `${key(d)} from the imported runs`);
    // Same energy, same parameters (the study's: FR-ADEME 79.1, PUE 1.5 for the A100, 1.0 for the Orin, 7 y), same GWP.
    assert.ok(rel(r.energy!.energyJ, d.energy!.energyJ) < 1e-9, `${key(d)} energy`);
    for (const row of [d, r]) {
      assert.equal(row.preset, 'thesis-2025');
      assert.equal(param(row, 'grid')?.value, 79.1);
      assert.equal(param(row, 'pue')?.value, d.device === 'A100-PCIE-40GB' ? 1.5 : 1);
      assert.equal(param(row, 'lifetime')?.value, 61320 * 3600);
    }
    for (const k of ['mean', 'min', 'max'] as const) assert.ok(rel(r.impact!.gwpG[k], d.impact!.gwpG[k]) < 1e-9, `${key(d)} GWP ${k}: ${r.impact!.gwpG[k]} vs ${d.impact!.gwpG[k]}`);
  }
  // The energy method does not change the parameters: --method thesis uses the same PUE.
  for (const t of thesis.rows) assert.equal(param(t, 'pue')?.value, t.device === 'A100-PCIE-40GB' ? 1.5 : 1, `${key(t)} PUE under the thesis method`);

  // The store's listing (runs list, sql, exports) and the dashboard's run page give each run the same figure.
  const listing = await openStore(runsDir).list({});
  assert.equal(listing.rows.length, 100);
  const data = new RunsData(runsDir);
  for (const row of listing.rows.filter((_, i) => i % 17 === 0)) {
    assert.equal(row.impact_preset, 'thesis-2025');
    assert.equal(row.grid_g_per_kwh, 79.1);
    const page = await data.run(row.id, { preset: undefined, grid: undefined });
    const shown = (page.impact as { result: { gwpG: { mean: number } } }).result.gwpG.mean * 1000;
    assert.ok(rel(shown, row.gwp_mg!) < 1e-12, `${row.id}: run page ${shown} mg vs listing ${row.gwp_mg} mg`);
    const listed = (await data.runs({ devices: [], scenarios: [], queryCounts: [], statuses: [], ids: [row.id], offset: 0, limit: 10, order: 'asc', label: undefined })).runs[0]!;
    assert.ok(rel(listed.gwpG! * 1000, row.gwp_mg!) < 1e-12, `${row.id}: dashboard listing`);
  }
});

test('runs imported before impacts were recorded are assessed with the parameters of what they are (the study: thesis-2025)', async () => {
  const runsDir = tempRunsDir();
  // A study run as `import thesis` wrote it before: no impact block at all.
  const w = await writeRun(runsDir, {
    workload: { kind: 'import', format: 'thesis-csv', sourcePath: '/data/x.csv', ...({ dataset: 'thesis-2025', datasetTag: 'orin', version: 'v4.1', queryCount: 64 } as object) },
    device: { hardwareId: 'AGX-Orin', name: 'NVIDIA Jetson AGX Orin' },
    impact: undefined,
  });
  const [row] = (await openStore(runsDir).list({})).rows;
  assert.equal(row!.id, w.id);
  assert.equal(row!.impact_origin, 'assessed');
  assert.equal(row!.impact_preset, 'thesis-2025');
  assert.equal(row!.grid_g_per_kwh, 79.1);
  assert.equal(row!.pue, 1);
  const page = await new RunsData(runsDir).run(w.id, { preset: undefined, grid: undefined });
  assert.equal(page.impact.source, 'computed');
  assert.ok(rel((page.impact as { result: { gwpG: { mean: number } } }).result.gwpG.mean * 1000, row!.gwp_mg!) < 1e-12, 'listing and run page agree');
});

// ── CodeCarbon ─────────────────────────────────────────────────────────────────────

const CC_HEADER = 'timestamp,project_name,run_id,duration,emissions,energy_consumed,cpu_energy,gpu_energy,ram_energy,country_iso_code,gpu_count,gpu_model,pue';

test("CodeCarbon's energy already includes its PUE: divided back, and that PUE applied once, by file and by import", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-ccpue-'));
  const csv = join(dir, 'emissions.csv');
  // 0.03 kWh as CodeCarbon wrote it, with PUE 1.5: 0.02 kWh of IT energy, in France.
  writeFileSync(csv, `${CC_HEADER}\n2024-05-27T11:31:35,bert,r1,300,0.001,0.03,0.006,0.021,0.003,FRA,1,1 x NVIDIA A100-PCIE-40GB,1.5\n`);
  const fra = resolveGrid('FRA').gPerKwh;
  const check = (r: AnalysisRow, route: string): void => {
    assert.ok(rel(r.energy!.energyJ, 0.02 * 3.6e6) < 1e-12, `${route}: IT energy ${r.energy!.energyJ} J`);
    assert.equal(param(r, 'pue')?.value, 1.5, `${route}: the file's PUE`);
    assert.equal(param(r, 'pue')?.origin, 'recorded');
    // Operational = CodeCarbon's own energy × grid: its PUE counted once.
    assert.ok(rel(r.impact!.operationalG.mean, 0.03 * fra) < 1e-12, `${route}: operational ${r.impact!.operationalG.mean} g vs ${0.03 * fra} g`);
  };
  const byFile = analyze({ paths: [csv], method: 'trapezoid', device: 'A100-PCIE-40GB' });
  // The file names no grid for `analyze` (country is a property of each run): the PUE is what matters here.
  assert.equal(byFile.rows.length, 1);
  assert.ok(rel(byFile.rows[0]!.energy!.energyJ, 0.02 * 3.6e6) < 1e-12);
  assert.equal(param(byFile.rows[0]!, 'pue')?.value, 1.5);

  const runsDir = tempRunsDir();
  const [imported] = await importRuns({ format: 'codecarbon', paths: [csv], runsDir });
  const fromRuns = analyze({ paths: [runsDir], method: 'trapezoid' });
  check(fromRuns.rows[0]!, 'import codecarbon → analyze');
  assert.equal(param(fromRuns.rows[0]!, 'grid')?.value, fra, "the run keeps CodeCarbon's country as its grid zone");
  // A user's --pue still wins.
  const overridden = analyze({ paths: [runsDir], method: 'trapezoid', pue: 1.2 });
  assert.equal(param(overridden.rows[0]!, 'pue')?.value, 1.2);
  const [row] = (await openStore(runsDir).list({})).rows;
  assert.equal(row!.id, imported!.id);
  assert.equal(row!.pue, 1.5);
});

test('a CodeCarbon PUE below 1 is refused with the file, line and field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-ccpue-'));
  const csv = join(dir, 'emissions.csv');
  writeFileSync(csv, `${CC_HEADER}\n2024-05-27T11:31:35,bert,r1,300,0.001,0.03,0.006,0.021,0.003,FRA,1,1 x NVIDIA A100-PCIE-40GB,0\n`);
  assert.throws(() => analyze({ paths: [csv], method: 'trapezoid', device: 'A100-PCIE-40GB' }), /emissions\.csv:2 field 'pue': PUE 0 is not a ratio ≥ 1 \[INVALID_VALUE\]/);
});

// ── Power that was not measured says so ─────────────────────────────────────────────

test('estimated and replayed power are marked in analyze, runs list, exports and the dashboard', async () => {
  const runsDir = tempRunsDir();
  const estimate = { name: 'estimate' as const, provenance: { kind: 'estimated' as const, method: 'cpu-tdp-process' }, requestedIntervalS: 0.1, measuredIntervalS: 0.1, channels: [{ name: 'gpu0', kind: 'cpu' as const, unit: 'W' as const }, { name: 'board', kind: 'other' as const, unit: 'W' as const }], primaryChannel: 'gpu0', notes: [] };
  const replay = { ...draft().sensor!, name: 'replay' as const, provenance: { kind: 'replayed' as const, file: '/rec/a100.csv', original: { kind: 'measured' as const, sensor: 'nvidia-smi' as const } } };
  const e = await writeRun(runsDir, { label: 'est', sensor: estimate, workload: { kind: 'bench', scenario: 'SingleStream', model: 'm', queryCount: 16 } });
  await writeRun(runsDir, { label: 'rep', sensor: replay, workload: { kind: 'bench', scenario: 'SingleStream', model: 'm', queryCount: 32 } });
  await writeRun(runsDir, { label: 'meas', workload: { kind: 'bench', scenario: 'SingleStream', model: 'm', queryCount: 64 } });

  const result = analyze({ paths: [runsDir], method: 'trapezoid' });
  const byQc = new Map(result.rows.map((r) => [r.queryCount, r]));
  assert.equal(byQc.get(16)!.provenance, 'estimated');
  assert.equal(byQc.get(32)!.provenance, 'replayed');
  assert.equal(byQc.get(64)!.provenance, 'measured');
  const table = render(result, 'table');
  assert.match(table, /^device +power +.*$/m, 'a power column when any row is not measured');
  assert.match(table, /^A100 +ESTIMATED +/m);
  assert.match(table, /^A100 +REPLAYED +/m);
  assert.match(table, /^A100 +measured +/m);
  assert.match(table, /rest on power that was not measured/);
  const csv = render(result, 'csv').split('\n');
  const power = csv[0]!.split(',').indexOf('power');
  assert.deepEqual(csv.slice(1, 4).map((l) => l.split(',')[power]), ['ESTIMATED', 'REPLAYED', 'measured']);

  const out: string[] = [];
  const code = await runCli(['runs', 'list', '--runs-dir', runsDir], { stdout: (s) => out.push(s), stderr: () => undefined });
  assert.equal(code, 0);
  assert.match(out.join(''), /estimate \(ESTIMATED\)/);
  assert.match(out.join(''), /replay \(REPLAYED\)/);
  const rows = (await openStore(runsDir).list({})).rows;
  assert.deepEqual(Object.fromEntries(rows.map((r) => [r.label, [r.provenance, r.provenance_detail]])), {
    est: ['estimated', 'estimated (cpu-tdp-process)'],
    rep: ['replayed', 'replayed from /rec/a100.csv (measured by nvidia-smi)'],
    meas: ['measured', 'measured (nvml)'],
  });
  const dash = await new RunsData(runsDir).runs({ devices: [], scenarios: [], queryCounts: [], statuses: [], ids: [e.id], offset: 0, limit: 10, order: 'asc', label: undefined });
  assert.equal(dash.runs[0]!.provenance, 'estimated');
  assert.equal(dash.runs[0]!.provenanceDetail, 'estimated (cpu-tdp-process)');
  // An estimate still gets a GWP when its hardware is known.
  assert.equal(assessRun((await openStore(runsDir).get(e.id)).manifest).scope, 'operational+embodied');
});

test('the range footnote says what min–max spans: embodied candidates, and PUE and lifetime under the default preset', async () => {
  const runsDir = tempRunsDir();
  await writeRun(runsDir, { impact: { settings: { preset: 'default' } } });
  const d = analyze({ paths: [runsDir], method: 'trapezoid' });
  assert.deepEqual(d.rangeSpans, ['PUE', 'lifetime', 'embodied candidates']);
  assert.match(render(d, 'table'), /min–max: the envelope over PUE, lifetime, embodied candidates/);
  const t = analyze({ paths: [runsDir], method: 'trapezoid', preset: 'thesis-2025' });
  assert.deepEqual(t.rangeSpans, ['embodied candidates']);
});
