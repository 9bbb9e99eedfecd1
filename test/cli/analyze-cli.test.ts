import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../../src/cli/main.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';

const ROOT = resolve(import.meta.dirname, '../..');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false, env: {}, cwd: ROOT });
  return { code, out, err };
}

const CONTRACT = 'dataset_tag,version,qc,runs,duration_s,energy_j,gwp_mg,gwp_min_mg,gwp_max_mg,operational_mg,embodied_mg,max_latency_ms,latency_runs'.split(',');

test('analyze --method thesis --format csv has the contract columns and one row per cell', { skip: skipWithoutThesis }, async () => {
  const r = await cli(['analyze', THESIS_DIR, '--method', 'thesis', '--format', 'csv']);
  assert.equal(r.code, 0, r.err);
  const [header, ...rows] = r.out.trim().split('\n');
  const cols = header!.split(',');
  for (const c of CONTRACT) assert.ok(cols.includes(c), `column ${c}`);
  assert.equal(rows.length, 15);
  const a100 = rows.map((l) => l.split(',')).find((c) => c[cols.indexOf('dataset_tag')] === 'A100' && c[cols.indexOf('qc')] === '16')!;
  assert.ok(Math.abs(Number(a100[cols.indexOf('gwp_mg')]) - 9.099837015579482) < 1e-9);
});

test('analyze --format json carries the parameters and their sources', { skip: skipWithoutThesis }, async () => {
  const r = await cli(['analyze', join(THESIS_DIR, 'Data', 'data_orin_v4.1'), '--method', 'thesis', '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out) as { rows: unknown[]; parameters: { used: { name: string; source: string }[] }[] };
  assert.equal(j.rows.length, 5);
  const used = j.parameters[0]!.used;
  for (const name of ['grid', 'pue', 'lifetime', 'embodied']) {
    const u = used.find((x) => x.name === name);
    assert.ok(u && u.source.length > 0, `parameter ${name} with a source`);
  }
});

test('flags override the defaults and show in the output', { skip: skipWithoutThesis }, async () => {
  const base = await cli(['analyze', join(THESIS_DIR, 'Data', 'data_T4_v1.1'), '--method', 'thesis', '--format', 'csv']);
  const de = await cli(['analyze', join(THESIS_DIR, 'Data', 'data_T4_v1.1'), '--method', 'thesis', '--format', 'csv', '--grid', '158', '--pue', '1.2', '--lifetime', '3y']);
  assert.equal(de.code, 0, de.err);
  const parse = (out: string) => {
    const [h, first] = out.trim().split('\n');
    const cols = h!.split(',');
    const cells = first!.split(',');
    return (k: string) => Number(cells[cols.indexOf(k)]);
  };
  const b = parse(base.out);
  const d = parse(de.out);
  assert.equal(d('grid_g_per_kwh'), 158);
  assert.equal(d('pue'), 1.2);
  assert.equal(d('lifetime_h'), 3 * 8760);
  // Operational part scales with grid × PUE, embodied part with 1 / lifetime.
  assert.ok(Math.abs(d('operational_mg') / b('operational_mg') - (158 * 1.2) / 79.1) < 1e-9);
  assert.ok(Math.abs(d('embodied_mg') / b('embodied_mg') - 7 / 3) < 1e-9);
});

test('bad usage exits 2 with a one-line message naming the flag', async () => {
  for (const args of [
    ['analyze', '.', '--method', 'magic'],
    ['analyze', '.', '--pue', 'abc'],
    ['analyze', '.', '--lifetime', 'forever'],
    ['analyze', '.', '--format', 'xml'],
    ['analyze', '.', '--no-such-flag'],
    ['analyze', '.', '--grid', 'XX'],
    ['analyze', '.', '--grid', '-5'],
    ['analyze', '.', '--lifetime', '7'],
    ['analyze', '.', '--interval', '50'],
    ['analyze', '.', '--input-format', 'pdf'],
    ['analyze', '.', '--embodied', 'vibes'],
    ['analyze'],
    ['no-such-command'],
  ]) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.ok(!r.err.includes('    at '), 'no stack trace');
  }
  const r = await cli(['analyze', '.', '--pue', 'abc']);
  assert.match(r.err, /flag --pue/);
  assert.equal(r.err.trim().split('\n').length, 1);
});

test('--method: analyze and report refuse an unknown method alike, naming the flag and the methods there are', async () => {
  for (const args of [
    ['analyze', '.', '--method', 'magic'],
    ['report', '--method', 'magic'],
  ]) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.equal(r.err, `inferprint ${args[0]!}: flag --method: unknown method 'magic' (expected thesis or trapezoid) [USAGE]\n`);
  }
});

test("--preset: the CLI refuses an unknown preset with the library's words, as a usage error of the flag", async () => {
  const r = await cli(['analyze', '.', '--preset', 'thesis']);
  assert.equal(r.code, 2, r.err);
  assert.equal(r.err, 'inferprint analyze: flag --preset: unknown preset "thesis" (expected thesis-2025 or default) [USAGE]\n');
});

test('handled errors exit 1 naming the path', async () => {
  const missing = await cli(['analyze', '/no/such/dataset']);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /\/no\/such\/dataset: .*does not exist \[NOT_FOUND\]/);
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-cli-'));
  const unknown = await cli(['analyze', dir]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /UNKNOWN_FORMAT/);
  // A data folder for a device the hardware database does not know.
  const bogus = join(dir, 'data_Bogus9000_v4.1');
  mkdirSync(join(bogus, 'FULL'), { recursive: true });
  writeFileSync(join(bogus, 'FULL', 'consommation_energie_single_Bogus9000_QC_16_1.csv'), 'timestamp,gpu_power\n0,1\n1,1\n');
  const hw = await cli(['analyze', bogus]);
  assert.equal(hw.code, 1);
  assert.match(hw.err, /Bogus9000.*\[UNKNOWN_HARDWARE\]/);
});

test('a corrupt trace inside a dataset fails with file and line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-cli-'));
  const data = join(dir, 'data_T4_v1.1', 'FULL');
  mkdirSync(data, { recursive: true });
  writeFileSync(join(data, 'consommation_energie_single_T4_QC_16_1.csv'), 'timestamp,gpu_power\n0.1,30\n0.2,oops\n');
  const r = await cli(['analyze', join(dir, 'data_T4_v1.1')]);
  assert.equal(r.code, 1);
  assert.match(r.err, /consommation_energie_single_T4_QC_16_1\.csv:3 field 'gpu_power': not a number: "oops" \[PARSE\]/);
});

test('the installed bin runs (built by npm install)', { skip: existsSync(join(ROOT, 'dist/cli/main.js')) ? false : 'dist/ not built: run npm run build' }, () => {
  const r = spawnSync(join(ROOT, 'bin/inferprint'), ['--version'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^\d+\.\d+\.\d+\n$/);
  const h = spawnSync(join(ROOT, 'bin/inferprint'), ['analyze', '--help'], { encoding: 'utf8' });
  assert.equal(h.status, 0);
  assert.match(h.stdout, /--method thesis\|trapezoid/);
});

test('flags that describe power files are refused for a dataset folder', { skip: skipWithoutThesis }, async () => {
  for (const flag of [['--device', 'H100'], ['--channel', 'gpu1'], ['--columns', 't=a,p=b,unit=W'], ['--interval', '50ms'], ['--headerless']]) {
    const r = await cli(['analyze', join(THESIS_DIR, 'Data', 'data_T4_v1.1'), ...flag]);
    assert.equal(r.code, 2, `${flag.join(' ')}: ${r.err}`);
    assert.match(r.err, new RegExp(`flag ${flag[0]!}`));
  }
});

test('the table shows units in headers, ranges, and the parameters with their sources', { skip: skipWithoutThesis }, async () => {
  const r = await cli(['analyze', join(THESIS_DIR, 'Data', 'data_orin_v4.1')]);
  assert.equal(r.code, 0, r.err);
  const [header] = r.out.split('\n');
  for (const h of ['energy (J)', 'GWP (mg CO2e)', 'min (mg)', 'max (mg)', 'E 95% CI lo (J)', 'compute E (J)', 'max latency (ms)']) assert.ok(header!.includes(h), h);
  assert.match(r.out, /Method: trapezoid/);
  assert.match(r.out, /grid\s+79\.1 gCO2e\/kWh — .*ADEME/);
  assert.match(r.out, /lifetime\s+61320 h \(7\.00 y\)/);
  // Not a TTY: progress goes to stderr as a few plain lines, never into the table.
  assert.ok(!r.out.includes('analyze:'));
  assert.match(r.err, /^analyze: 0\/5/m);
});

test('--embodied die-area-density-v1 changes only the embodied part', { skip: skipWithoutThesis }, async () => {
  const json = async (extra: string[]) =>
    JSON.parse((await cli(['analyze', join(THESIS_DIR, 'Data', 'data_T4_v1.1'), '--format', 'json', ...extra])).out) as {
      rows: { impact: { operationalG: { mean: number }; embodiedG: { mean: number }; params: { embodied: { model: string } } } }[];
    };
  const a = (await json([])).rows[0]!.impact;
  const b = (await json(['--embodied', 'die-area-density-v1'])).rows[0]!.impact;
  assert.equal(b.params.embodied.model, 'die-area-density-v1');
  assert.equal(a.operationalG.mean, b.operationalG.mean);
  assert.notEqual(a.embodiedG.mean, b.embodiedG.mean);
});

test('--headerless reads a legacy file without a header; without it the error says how', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-cli-'));
  const f = join(dir, 'consommation_energie_jetson_pue.csv');
  writeFileSync(f, '13.125,32937\n13.2,32900\n13.3,33000\n');
  const refused = await cli(['analyze', f, '--device', 'AGX-Xavier']);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /:1: no header .*--headerless .*\[PARSE\]/);
  const ok = await cli(['analyze', f, '--device', 'AGX-Xavier', '--headerless', '--format', 'csv']);
  assert.equal(ok.code, 0, ok.err);
  assert.match(ok.out.split('\n')[1]!, /^,,/); // no dataset tag, no version: the file names none
});
