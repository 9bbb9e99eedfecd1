import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';

/**
 * A run whose hardware the database does not know has no embodied part, but its operational
 * part is known: `runs list` (and sql, the dashboard, `measure`) show it with scope
 * `operational only`, and `analyze` gives the same number, computed by the same function
 * (run-impact.ts `assessOperational`). Before, analyze left GWP blank for such runs ("energy
 * shown, no GWP") and refused plain power files without --device.
 */

const dir = mkdtempSync(join(tmpdir(), 'inferprint-operational-'));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false, env: {}, cwd: dir });
  return { code, out, err };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

/** A CSV's rows as objects by header (no quoted commas in these). */
function csvRows(text: string): Record<string, string>[] {
  const [header, ...lines] = text.trim().split('\n');
  const cols = header!.split(',');
  return lines.map((l) => Object.fromEntries(l.split(',').map((v, i) => [cols[i]!, v])));
}

interface ListedRun {
  energy_j: number;
  gwp_mg: number;
  gwp_min_mg: number | null;
  operational_mg: number;
  embodied_mg: number | null;
  impact_scope: string;
  grid_g_per_kwh: number;
  pue: number;
  hardware_id: string | null;
}

async function listed(runsDir: string): Promise<ListedRun> {
  const r = await cli(['runs', 'list', '--runs-dir', runsDir, '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const runs = (JSON.parse(r.out) as { runs: ListedRun[] }).runs;
  assert.equal(runs.length, 1);
  return runs[0]!;
}

/** analyze's one row, as CSV (the contract's columns). */
async function analyzedCsv(args: string[]): Promise<Record<string, string>> {
  const r = await cli(['analyze', ...args, '--format', 'csv']);
  assert.equal(r.code, 0, r.err);
  const rows = csvRows(r.out);
  assert.equal(rows.length, 1, r.out);
  return rows[0]!;
}

/** The same GWP by runs list and by analyze, both the operational part alone, and E × grid × PUE by hand. */
function assertSameOperational(run: ListedRun, row: Record<string, string>, what: string): void {
  assert.equal(run.hardware_id, null, `${what}: no hardware`);
  assert.equal(run.impact_scope, 'operational');
  assert.equal(run.embodied_mg, null);
  assert.ok(rel(run.gwp_mg, (run.energy_j / 3.6e6) * run.grid_g_per_kwh * run.pue * 1000) < 1e-12, `${what}: runs list's is E × grid × PUE`);
  assert.equal(row.impact_scope, 'operational', `${what}: analyze's scope`);
  assert.ok(rel(Number(row.energy_j), run.energy_j) < 1e-9, `${what}: energy ${row.energy_j} vs ${run.energy_j}`);
  assert.notEqual(row.gwp_mg, '', `${what}: analyze gives a GWP`);
  assert.ok(rel(Number(row.gwp_mg), run.gwp_mg) < 1e-9, `${what}: analyze ${row.gwp_mg} mg, runs list ${run.gwp_mg} mg`);
  assert.ok(rel(Number(row.operational_mg), run.operational_mg) < 1e-9);
  // Nothing is made up for the part that is unknown: no embodied part, no range.
  assert.equal(row.embodied_mg, '');
  assert.equal(row.gwp_min_mg, '');
  assert.equal(row.gwp_max_mg, '');
  assert.equal(Number(row.grid_g_per_kwh), run.grid_g_per_kwh);
  assert.equal(Number(row.pue), run.pue);
}

test('a generic CSV imported without hardware: analyze RUNS_DIR and analyze FILE give the GWP runs list gives (operational only)', async () => {
  const file = join(dir, 'gen.csv');
  const lines = ['t_ms;power_mw'];
  for (let i = 0; i < 30; i++) lines.push(`${i * 100};${5000 + (i % 7) * 130}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const columns = 't=t_ms,p=power_mw,unit=mW,timeUnit=ms,delim=;';
  const runsDir = join(dir, 'runs-generic');
  const imported = await cli(['import', 'generic', file, '--columns', columns, '--runs-dir', runsDir]);
  assert.equal(imported.code, 0, imported.err);
  const run = await listed(runsDir);
  assertSameOperational(run, await analyzedCsv([runsDir]), 'generic, from the store');
  assertSameOperational(run, await analyzedCsv([file, '--columns', columns]), 'generic, the file itself');

  // The table says what the GWP covers, as runs list does.
  const table = await cli(['analyze', runsDir]);
  assert.equal(table.code, 0, table.err);
  assert.match(table.out, /^gen\.csv .* operational only$/m);
  assert.match(table.out, /their GWP is the operational part alone \(scope 'operational only'/);
  assert.doesNotMatch(table.out, /energy shown, no GWP/);

  // Flags change it as they change any GWP: E × 56 g/kWh × PUE 1.
  const grid = await analyzedCsv([runsDir, '--grid', '56']);
  assert.ok(rel(Number(grid.gwp_mg), (run.energy_j / 3.6e6) * 56 * 1000) < 1e-12, grid.gwp_mg);
});

test('a tegrastats log imported without --device: analyze gives the GWP runs list gives (operational only)', async () => {
  const file = join(dir, 'teg.log');
  const lines: string[] = [];
  for (let i = 0; i < 20; i++) {
    const gpu = 5139 + (i % 4) * 200;
    lines.push(
      `07-25-2026 09:08:${String(i + 10).padStart(2, '0')} RAM 20642/62817MB (lfb 1x2MB) CPU [23%@2201,10%@2201] EMC_FREQ 3%@3199 GR3D_FREQ 12%@[1300,1300] VDD_GPU_SOC ${gpu}mW/${gpu}mW VDD_CPU_CV 3268mW/3268mW VIN_SYS_5V0 5500mW/5500mW`,
    );
  }
  writeFileSync(file, `${lines.join('\n')}\n`);
  const runsDir = join(dir, 'runs-tegrastats');
  const imported = await cli(['import', 'tegrastats', file, '--runs-dir', runsDir]);
  assert.equal(imported.code, 0, imported.err);
  const run = await listed(runsDir);
  assertSameOperational(run, await analyzedCsv([runsDir]), 'tegrastats, from the store');
  assertSameOperational(run, await analyzedCsv([file]), 'tegrastats, the file itself');
});

test('a measure --sensor replay: run (no hardware named): analyze gives the GWP runs list gives (operational only)', async () => {
  const file = join(dir, 'rec.csv');
  const lines = ['timestamp, power.draw [W]'];
  for (let i = 0; i < 12; i++) lines.push(`2024/05/14 10:31:22.${String(i * 50).padStart(3, '0')}, ${(60 + (i % 3)).toFixed(2)}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  const runsDir = join(dir, 'runs-replay');
  const measured = await cli(['measure', '--sensor', `replay:${file}`, '--interval', '50ms', '--label', 'replayed', '--runs-dir', runsDir, '--', process.execPath, '-e', 'setTimeout(() => {}, 300)']);
  assert.equal(measured.code, 0, measured.err);
  const run = await listed(runsDir);
  assertSameOperational(run, await analyzedCsv([runsDir]), 'measure replay');
});

test("the study's files still need their device (W or mW): refused without one, naming the file", async () => {
  const file = join(dir, 'trace.csv');
  writeFileSync(file, 'timestamp,gpu_power\n0,100\n1,120\n');
  const r = await cli(['analyze', file, '--input-format', 'thesis-csv']);
  assert.equal(r.code, 2);
  assert.match(r.err, /trace\.csv: the study's CSVs hold W for GPUs and mW for Jetsons.*--device/);
});
