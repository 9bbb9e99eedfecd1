import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importRunsReport, type BundleWriter, type ImportOptions } from '../../src/app/import.js';
import { analyze } from '../../src/app/analyze.js';
import { runCli } from '../../src/cli/main.js';
import { InferprintError } from '../../src/errors.js';
import { readAnyRunBundle, writeRunBundle } from '../../src/runs/io/bundle.js';
import { listRunBundles } from '../../src/runs/io/scan.js';
import { SUMMARY_TEXT } from '../serve/helpers.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';

/**
 * Imports are idempotent (the same source, by content, is not added twice unless --force) and
 * all or nothing (a bad source or a failed write leaves the store as it was, or names exactly
 * what it holds). Issue 8.
 */

const dir = mkdtempSync(join(tmpdir(), 'inferprint-idem-'));
const storeIds = async (runsDir: string): Promise<string[]> => (await listRunBundles(runsDir)).map((b) => b.id);
/** Entries of a runs directory, hidden ones included: nothing left behind by a failed import. */
const entries = (runsDir: string): string[] => (existsSync(runsDir) ? readdirSync(runsDir).sort() : []);

const SMI = ['timestamp, index, name, power.draw [W]', '2025/05/30 12:00:00.000, 0, NVIDIA A100-PCIE-40GB, 100.00 W', '2025/05/30 12:00:01.000, 0, NVIDIA A100-PCIE-40GB, 120.00 W', '2025/05/30 12:00:02.000, 0, NVIDIA A100-PCIE-40GB, 300.00 W'].join('\n');
const TEG_LINE = 'RAM 2448/62840MB (lfb 2x4MB) SWAP 0/31420MB (cached 0MB) CPU [0%@2201,0%@2201] GR3D_FREQ 0% VDD_GPU_SOC 5000mW/5000mW VDD_CPU_CV 1000mW/1000mW VIN_SYS_5V0 4000mW/4000mW';
const CC_HEADER =
  'timestamp,project_name,run_id,duration,emissions,emissions_rate,cpu_power,gpu_power,ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code,region,cloud_provider,cloud_region,os,python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,longitude,latitude,ram_total_size,tracking_mode,on_cloud,pue';
const ccRow = (runId: string, stamp: string): string =>
  `${stamp},bert,${runId},100,0.008,5.3e-05,42.5,300.1,31.3,0.0017,0.0138,0.0013,0.0168,France,FRA,,,,Linux,3.10.12,2.4.2,12,Intel(R) Xeon(R) CPU @ 2.20GHz,1,1 x NVIDIA A100-PCIE-40GB,2.35,48.85,83.47,machine,N,1.0`;

async function twice(opts: ImportOptions): Promise<{ first: Awaited<ReturnType<typeof importRunsReport>>; second: Awaited<ReturnType<typeof importRunsReport>> }> {
  const first = await importRunsReport(opts);
  const second = await importRunsReport(opts);
  return { first, second };
}

test('nvidia-smi: a second import adds nothing and names the run that holds it; a copy under another name is the same content; --force adds', async () => {
  const runsDir = join(dir, 'smi');
  const log = join(dir, 'smi.csv');
  writeFileSync(log, SMI);
  const { first, second } = await twice({ format: 'nvidia-smi', paths: [log], runsDir });
  assert.deepEqual(first.imported.map((r) => r.added), [true]);
  assert.deepEqual(second.imported.map((r) => [r.added, r.id, r.present?.sameContent]), [[false, first.imported[0]!.id, false]]);
  assert.deepEqual(await storeIds(runsDir), [first.imported[0]!.id]);

  // What the bundle records: the file's content identity.
  const m = (await readAnyRunBundle(first.imported[0]!.path)).manifest;
  const source = (m.workload as unknown as { source: { path: string; sha256: string; sizeBytes: number } }).source;
  assert.equal(source.path, log);
  assert.equal(source.sizeBytes, Buffer.byteLength(SMI));
  assert.match(source.sha256, /^[0-9a-f]{64}$/);

  const copy = join(dir, 'smi-renamed.csv');
  copyFileSync(log, copy);
  const renamed = await importRunsReport({ format: 'nvidia-smi', paths: [copy], runsDir });
  assert.deepEqual(renamed.imported.map((r) => [r.added, r.id, r.present]), [[false, first.imported[0]!.id, { storedSource: log, sameContent: true }]]);

  // The same file twice in one import is written once.
  const other = join(dir, 'smi-other.csv');
  writeFileSync(other, SMI.replace('300.00 W', '310.00 W'));
  const both = await importRunsReport({ format: 'nvidia-smi', paths: [other, other], runsDir });
  assert.deepEqual(both.imported.map((r) => r.added), [true, false]);
  assert.equal(both.imported[1]!.present?.inThisImport, true);
  assert.equal(both.imported[1]!.id, both.imported[0]!.id);

  const forced = await importRunsReport({ format: 'nvidia-smi', paths: [log], runsDir, force: true });
  assert.deepEqual(forced.imported.map((r) => [r.added, r.alsoStoredAs]), [[true, first.imported[0]!.id]]);
  assert.equal((await storeIds(runsDir)).length, 3);
  const fm = (await readAnyRunBundle(forced.imported[0]!.path)).manifest;
  assert.ok(fm.notes?.some((n) => n.includes(`imported again with --force: the store already held this source as ${first.imported[0]!.id}`)));
  // analyze sees the two copies of one measurement, even under different paths.
  const a = analyze({ paths: [runsDir], method: 'trapezoid' });
  assert.ok(a.notes.some((n) => /2 runs share 1 source\(s\)/.test(n)), a.notes.join('\n'));
});

test('tegrastats: a second import adds nothing', async () => {
  const runsDir = join(dir, 'teg');
  const log = join(dir, 'teg.log');
  writeFileSync(log, `${[TEG_LINE, TEG_LINE, TEG_LINE].join('\n')}\n`);
  const { first, second } = await twice({ format: 'tegrastats', paths: [log], runsDir, intervalS: 0.5, device: 'orin' });
  assert.deepEqual([first.imported[0]!.added, second.imported[0]!.added], [true, false]);
  assert.equal(second.imported[0]!.id, first.imported[0]!.id);
  assert.equal((await storeIds(runsDir)).length, 1);
});

test('codecarbon: runs are identified by run_id, so a file that grew adds only its new runs', async () => {
  const runsDir = join(dir, 'cc');
  const csv = join(dir, 'emissions.csv');
  writeFileSync(csv, `${[CC_HEADER, ccRow('aaaa1111-0000-0000-0000-000000000001', '2024-05-27T11:31:35')].join('\n')}\n`);
  const { first, second } = await twice({ format: 'codecarbon', paths: [csv], runsDir });
  assert.deepEqual([first.imported.length, first.imported[0]!.added, second.imported[0]!.added], [1, true, false]);
  assert.equal(second.imported[0]!.source, `${csv}:2`);
  // CodeCarbon appends a run: the file's hash changes, the first run is still the same run.
  appendFileSync(csv, `${ccRow('bbbb2222-0000-0000-0000-000000000002', '2024-05-27T12:31:35')}\n`);
  const grown = await importRunsReport({ format: 'codecarbon', paths: [csv], runsDir });
  assert.deepEqual(grown.imported.map((r) => [r.source, r.added]), [[`${csv}:2`, false], [`${csv}:3`, true]]);
  const m = (await readAnyRunBundle(grown.imported[1]!.path)).manifest;
  assert.deepEqual(
    (({ line, part }) => ({ line, part }))((m.workload as unknown as { source: { line: number; part: string } }).source),
    { line: 3, part: 'run_id:bbbb2222-0000-0000-0000-000000000002' },
  );
  assert.equal((await storeIds(runsDir)).length, 2);
});

test('mlperf: a run folder imported twice, or copied elsewhere, is one run', async () => {
  const tree = mkdtempSync(join(tmpdir(), 'inferprint-idem-logs-'));
  mkdirSync(join(tree, 'run1'));
  writeFileSync(join(tree, 'run1', 'mlperf_log_summary.txt'), SUMMARY_TEXT);
  const runsDir = join(dir, 'mlperf');
  const { first, second } = await twice({ format: 'mlperf', paths: [tree], runsDir, device: 'T4' });
  assert.deepEqual([first.imported[0]!.added, second.imported[0]!.added], [true, false]);
  const elsewhere = mkdtempSync(join(tmpdir(), 'inferprint-idem-logs2-'));
  cpSync(tree, elsewhere, { recursive: true });
  const copied = await importRunsReport({ format: 'mlperf', paths: [elsewhere], runsDir, device: 'T4' });
  assert.deepEqual(copied.imported.map((r) => [r.added, r.present?.sameContent]), [[false, true]]);
  assert.equal((await storeIds(runsDir)).length, 1);
});

test("mlperf: the study's T4 log tree imported twice adds nothing the second time; its skipped runs are reported both times", { skip: skipWithoutThesis }, async () => {
  const runsDir = join(dir, 'mlperf-t4');
  const logs = join(THESIS_DIR, 'Logs', 'T4_v1.1_logs');
  const { first, second } = await twice({ format: 'mlperf', paths: [logs], runsDir });
  assert.equal(first.imported.length, 101);
  assert.ok(first.imported.every((r) => r.added));
  assert.ok(second.imported.every((r) => !r.added));
  assert.deepEqual(second.imported.map((r) => r.id), first.imported.map((r) => r.id));
  assert.equal(second.skipped.length, first.skipped.length);
  assert.ok(first.skipped.length > 0);
  assert.equal((await storeIds(runsDir)).length, 101);
});

/** The study's Orin device alone, in its layout (FULL, CI and logs), in a temporary folder. */
function orinSubset(): string {
  const root = mkdtempSync(join(tmpdir(), 'inferprint-idem-thesis-'));
  for (const phase of ['FULL', 'CI']) cpSync(join(THESIS_DIR, 'Data', 'data_orin_v4.1', phase), join(root, 'Data', 'data_orin_v4.1', phase), { recursive: true });
  cpSync(join(THESIS_DIR, 'Logs', 'Orin_v4.1_logs'), join(root, 'Logs', 'Orin_v4.1_logs'), { recursive: true });
  return root;
}

test("thesis: one data_<tag>_<version> folder imports as analyze reads it (its logs found beside it), and a second import adds nothing", { skip: skipWithoutThesis }, async () => {
  const runsDir = join(dir, 'thesis-one');
  // Issue 12: this path was an [INTERNAL] ENOENT.
  const data = join(THESIS_DIR, 'Data', 'data_orin_v4.1');
  const { first, second } = await twice({ format: 'thesis', paths: [data], runsDir });
  assert.equal(first.imported.length, 50);
  assert.ok(first.imported.every((r) => r.added));
  assert.ok(second.imported.every((r) => !r.added));
  assert.equal((await storeIds(runsDir)).length, 50);
  const m = (await readAnyRunBundle(first.imported[0]!.path)).manifest;
  const w = m.workload as unknown as { mlperf?: { logDir: string; runs: number } };
  assert.equal(w.mlperf?.logDir, join(THESIS_DIR, 'Logs', 'Orin_v4.1_logs'), 'the logs found as analyze finds them');
  assert.deepEqual(m.device, { hardwareId: 'AGX-Orin', name: 'NVIDIA Jetson AGX Orin 64GB', reportedName: 'orin' });
  // The same energies and latencies as analyze gives on the folder itself.
  const fromBundles = analyze({ paths: [runsDir], method: 'trapezoid' });
  const fromFolder = analyze({ paths: [data], method: 'trapezoid' });
  for (const r of fromBundles.rows) {
    const o = fromFolder.rows.find((x) => x.queryCount === r.queryCount)!;
    assert.ok(Math.abs(r.energy!.energyJ - o.energy!.energyJ) <= 1e-9 * o.energy!.energyJ);
    assert.equal(r.latency!.maxLatencyMs, o.latency!.maxLatencyMs);
  }
  // Through the CLI, as the issue ran it.
  let out = '';
  let err = '';
  const code = await runCli(['import', 'thesis', data, '--runs-dir', runsDir], { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {}, cwd: dir, isTTY: false });
  assert.equal(code, 0, err);
  assert.match(out, /\n0 added, 50 already present, \d+ skipped/);

  // Without logs beside it: imported without latency, and said.
  const lone = mkdtempSync(join(tmpdir(), 'inferprint-idem-lone-'));
  cpSync(join(data, 'FULL'), join(lone, 'data_orin_v4.1', 'FULL'), { recursive: true });
  const r = await importRunsReport({ format: 'thesis', paths: [join(lone, 'data_orin_v4.1')], runsDir: join(dir, 'thesis-lone') });
  assert.equal(r.imported.length, 50);
  assert.ok(r.skipped.some((x) => x.reason === 'no MLPerf logs found' && /without latency/.test(x.detail ?? '')));
  // A folder that is neither: a coded error naming it, not ENOENT.
  await assert.rejects(importRunsReport({ format: 'thesis', paths: [lone], runsDir: join(dir, 'thesis-none') }), (e: unknown) => e instanceof InferprintError && e.code === 'UNKNOWN_FORMAT' && e.where.file === lone);
});

test('thesis: a corrupt file in the middle of the dataset leaves the store as it was, with a one-line error naming the file and line', { skip: skipWithoutThesis }, async () => {
  const root = orinSubset();
  const bad = join(root, 'Data', 'data_orin_v4.1', 'FULL', 'consommation_energie_single_orin_QC_64_5.csv');
  const lines = readFileSync(bad, 'utf8').split('\n');
  lines[7] = `${lines[7]!.split(',')[0]!},lots`;
  writeFileSync(bad, lines.join('\n'));
  const runsDir = join(dir, 'thesis-corrupt');
  // Something already in the store: it must still be there, alone, afterwards.
  const log = join(dir, 'smi-keep.csv');
  writeFileSync(log, SMI);
  await importRunsReport({ format: 'nvidia-smi', paths: [log], runsDir });
  const before = entries(runsDir);
  await assert.rejects(importRunsReport({ format: 'thesis', paths: [root], runsDir }), (e: unknown) => {
    assert.ok(e instanceof InferprintError);
    assert.equal(e.where.file, bad);
    assert.equal(e.where.line, 8);
    assert.ok(!e.message.includes('\n'));
    assert.match(e.message, /; nothing imported \[PARSE\]$/);
    return true;
  });
  assert.deepEqual(entries(runsDir), before);
});

/** A writer that fails on its `n`-th bundle, after writing the ones before for real. */
function failingOn(n: number, before?: (runsDir: string, written: readonly string[]) => void): BundleWriter {
  let calls = 0;
  const written: string[] = [];
  return async (runsDir, input) => {
    if (++calls === n) {
      before?.(runsDir, written);
      throw new InferprintError('IO', 'no space left on device', { file: join(runsDir, 'injected') });
    }
    const w = await writeRunBundle(runsDir, input);
    written.push(w.id);
    return w;
  };
}

test('a write that fails midway removes what the import wrote; the error says so', async () => {
  const runsDir = join(dir, 'write-fail');
  const logs = [1, 2, 3, 4].map((i) => {
    const p = join(dir, `smi-w${i}.csv`);
    writeFileSync(p, SMI.replace('300.00 W', `${300 + i}.00 W`));
    return p;
  });
  await importRunsReport({ format: 'nvidia-smi', paths: [logs[0]!], runsDir });
  const before = entries(runsDir);
  // logs[0] is present already; logs[1] and logs[2] are written, logs[3] fails.
  await assert.rejects(importRunsReport({ format: 'nvidia-smi', paths: logs, runsDir, writeBundle: failingOn(3) }), (e: unknown) => {
    assert.ok(e instanceof InferprintError);
    assert.equal(e.code, 'IO');
    assert.match(e.message, /no space left on device; import stopped after 2 of 3 bundle\(s\): the 2 written were removed, nothing imported \[IO\]$/);
    return true;
  });
  assert.deepEqual(entries(runsDir), before, 'the store is as it was, no temporary left');
  // A failure on the first write: nothing to undo.
  await assert.rejects(importRunsReport({ format: 'nvidia-smi', paths: logs, runsDir, writeBundle: failingOn(1) }), /after 0 of 3 bundle\(s\): nothing imported/);
  assert.deepEqual(entries(runsDir), before);
});

test('a write that fails, and whose undo fails too, names exactly the bundles it left', async () => {
  const runsDir = join(dir, 'write-fail-undo');
  const logs = [1, 2, 3].map((i) => {
    const p = join(dir, `smi-u${i}.csv`);
    writeFileSync(p, SMI.replace('300.00 W', `${400 + i}.00 W`));
    return p;
  });
  let left: string[] = [];
  // Before failing, the first bundle written is swapped for a link, which removal refuses to follow.
  const writer = failingOn(3, (dirPath, written) => {
    left = [...written];
    const target = join(dir, 'moved-away');
    cpSync(join(dirPath, written[0]!), target, { recursive: true });
    rmSync(join(dirPath, written[0]!), { recursive: true });
    symlinkSync(target, join(dirPath, written[0]!));
  });
  await assert.rejects(importRunsReport({ format: 'nvidia-smi', paths: logs, runsDir, writeBundle: writer }), (e: unknown) => {
    assert.ok(e instanceof InferprintError);
    assert.ok(e.message.includes(`these bundles were written and could not be removed`), e.message);
    assert.ok(e.message.endsWith(`: ${left.join(', ')} [IO]`), e.message);
    return true;
  });
  assert.equal(left.length, 2);
});

test('inferprint import prints each source as added or already present, the totals, and exits 0; --force adds', async () => {
  const runsDir = join(dir, 'cli');
  const log = join(dir, 'smi-cli.csv');
  writeFileSync(log, SMI.replace('300.00 W', '250.00 W'));
  const cli = async (args: string[]): Promise<{ code: number; out: string; err: string }> => {
    let out = '';
    let err = '';
    const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), env: {}, cwd: dir, isTTY: false });
    return { code, out, err };
  };
  const a = await cli(['import', 'nvidia-smi', log, '--runs-dir', runsDir]);
  assert.equal(a.code, 0, a.err);
  assert.match(a.out, /\n1 added, 0 already present, 0 skipped/);
  const [id] = await storeIds(runsDir);
  const b = await cli(['import', 'nvidia-smi', log, '--runs-dir', runsDir]);
  assert.equal(b.code, 0, b.err);
  assert.match(b.out, new RegExp(`\\nalready present +${id!} +${log.replace(/[.]/g, '\\.')} +already in the store; --force to import again\\n`));
  assert.match(b.out, /\n0 added, 1 already present, 0 skipped/);
  const j = await cli(['import', 'nvidia-smi', log, '--runs-dir', runsDir, '--format', 'json']);
  const body = JSON.parse(j.out) as { added: number; alreadyPresent: number; skipped: unknown[]; imported: { id: string; added: boolean }[] };
  assert.deepEqual([body.added, body.alreadyPresent, body.imported[0]!.id, body.imported[0]!.added], [0, 1, id, false]);
  const c = await cli(['import', 'nvidia-smi', log, '--runs-dir', runsDir, '--force']);
  assert.equal(c.code, 0, c.err);
  assert.match(c.out, /\n1 added, 0 already present, 0 skipped/);
  assert.equal((await storeIds(runsDir)).length, 2);
  const help = await cli(['import', '--help']);
  assert.match(help.out, /--force/);
});
