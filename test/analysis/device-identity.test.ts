import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importRunsReport } from '../../src/app/import.js';
import { analyze } from '../../src/app/analyze.js';
import { nvidiaSmiGpuNames } from '../../src/app/import-device.js';
import { runCli } from '../../src/cli/main.js';
import { InferprintError } from '../../src/errors.js';
import { deviceDisplayName, resolveHardware } from '../../src/impact/hardware.js';
import { studyHardware } from '../../src/io/thesis-dataset.js';
import { readAnyRunBundle } from '../../src/runs/io/bundle.js';
import { listRunBundles } from '../../src/runs/io/scan.js';
import { RunsData } from '../../src/serve/data.js';
import { parseRunsQuery } from '../../src/serve/query.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';

/** One device, one id: whatever a source calls it, and a --device that contradicts the source said. Issue 11. */

const dir = mkdtempSync(join(tmpdir(), 'inferprint-devid-'));

test('the usual spellings of a device resolve to one id', () => {
  const cases: [string, string[]][] = [
    ['AGX-Orin', ['Orin', 'orin', 'ORIN', 'AGX Orin', 'AGX-Orin', 'agx_orin', 'Jetson AGX Orin', 'NVIDIA Jetson AGX Orin', 'Jetson AGX Orin Developer Kit', 'Orin_TRT']],
    ['A100-PCIE-40GB', ['A100-PCIE-40GB', 'NVIDIA A100-PCIE-40GB', 'a100-pcie-40gb', 'A100 PCIe', 'A100 PCIe 40GB', 'A100-PCIex1_TRT']],
    ['Tesla-T4', ['T4', 't4', 'Tesla T4', 'Tesla-T4', 'NVIDIA Tesla T4', 'NVIDIA T4', 'T4x1_TRT']],
  ];
  for (const [id, names] of cases) for (const n of names) assert.equal(resolveHardware(n)?.id, id, n);
});

test("the study's tags: its A100 is the A100-PCIE-40GB its logs name; the others resolve as the database says", () => {
  assert.equal(studyHardware('A100')?.id, 'A100-PCIE-40GB');
  assert.equal(studyHardware('a100')?.id, 'A100-PCIE-40GB');
  assert.equal(studyHardware('orin')?.id, 'AGX-Orin');
  assert.equal(studyHardware('Orin')?.id, 'AGX-Orin');
  assert.equal(studyHardware('T4')?.id, 'Tesla-T4');
  // Its H100 row is not the H100 NVL it measured (80 vs 94 GB): not mapped.
  assert.equal(studyHardware('H100')?.id, 'H100');
  // Outside the study's data, A100 stays the database's A100 row.
  assert.equal(resolveHardware('A100')?.id, 'A100');
});

test('one display name per device: the hardware id, else the id the reported name resolves to, else the name', () => {
  assert.equal(deviceDisplayName('AGX-Orin', 'orin'), 'AGX-Orin');
  assert.equal(deviceDisplayName(null, 'orin'), 'AGX-Orin');
  assert.equal(deviceDisplayName(undefined, 'Orin'), 'AGX-Orin');
  assert.equal(deviceDisplayName(null, 'Some Board'), 'Some Board');
  assert.equal(deviceDisplayName(null, null), null);
});

test("nvidia-smi's name column is read only from a header naming it", () => {
  assert.deepEqual(nvidiaSmiGpuNames('timestamp, index, name, power.draw [W]\n2025/05/30 12:00:00.000, 0, NVIDIA T4, 1 W\n2025/05/30 12:00:00.000, 1, NVIDIA L4, 1 W\n'), ['NVIDIA T4', 'NVIDIA L4']);
  assert.deepEqual(nvidiaSmiGpuNames('timestamp, power.draw [W]\n2025/05/30 12:00:00.000, 1 W\n'), []);
});

/** `n` run folders of a log set that hold a readable summary, in the study's layout under `root/Logs`. */
function logSubset(root: string, set: string, n: number): string {
  const from = join(THESIS_DIR, 'Logs', set);
  let copied = 0;
  for (const stamp of readdirSync(from).sort()) {
    if (copied === n) break;
    const hasSummary = (p: string): boolean =>
      readdirSync(p, { withFileTypes: true }).some((d) => (d.isDirectory() ? hasSummary(join(p, d.name)) : d.name === 'mlperf_log_summary.txt' && statSync(join(p, d.name)).size > 0));
    if (!hasSummary(join(from, stamp))) continue;
    cpSync(join(from, stamp), join(root, 'Logs', set, stamp), { recursive: true });
    copied++;
  }
  return join(root, 'Logs', set);
}

/** Runs 1–3 of query count 16 of a device (FULL and CI), in the study's layout. */
function dataSubset(root: string, folder: string, tag: string): string {
  for (const [phase, suffix] of [['FULL', ''], ['CI', '_ci']] as const) {
    mkdirSync(join(root, 'Data', folder, phase), { recursive: true });
    for (const run of [1, 2, 3]) {
      const name = `consommation_energie_single_${tag}_QC_16_${run}${suffix}.csv`;
      cpSync(join(THESIS_DIR, 'Data', folder, phase, name), join(root, 'Data', folder, phase, name));
    }
  }
  return join(root, 'Data', folder);
}

test("the study's A100 and Orin, imported from its traces and from its logs, are one device each everywhere", { skip: skipWithoutThesis }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'inferprint-devid-study-'));
  dataSubset(root, 'data_A100_v4.1', 'A100');
  dataSubset(root, 'data_orin_v4.1', 'orin');
  const a100Logs = logSubset(root, 'A100_v4.1_logs', 3);
  const orinLogs = logSubset(root, 'Orin_v4.1_logs', 3);
  const runsDir = join(dir, 'study');
  const traces = await importRunsReport({ format: 'thesis', paths: [root], runsDir });
  const logs = await importRunsReport({ format: 'mlperf', paths: [a100Logs, orinLogs], runsDir });
  assert.equal(traces.imported.length, 6);
  assert.equal(logs.imported.length, 6);

  const bundles = await listRunBundles(runsDir);
  const byId = (ids: readonly string[]) => bundles.filter((b) => ids.includes(b.id)).map((b) => [b.manifest.device.hardwareId, (b.manifest.device as { reportedName?: string }).reportedName]);
  const tracesOf = (tag: string) => traces.imported.filter((r) => r.source.includes(`_${tag}_QC`)).map((r) => r.id);
  assert.deepEqual(new Set(byId(tracesOf('A100')).map((x) => x.join(' '))), new Set(['A100-PCIE-40GB A100']));
  assert.deepEqual(new Set(byId(tracesOf('orin')).map((x) => x.join(' '))), new Set(['AGX-Orin orin']));
  const logsOf = (set: string) => logs.imported.filter((r) => r.source.includes(set)).map((r) => r.id);
  assert.deepEqual(new Set(byId(logsOf('A100_v4.1_logs')).map((x) => x.join(' '))), new Set(['A100-PCIE-40GB NVIDIA A100-PCIE-40GB']));
  assert.deepEqual(new Set(byId(logsOf('Orin_v4.1_logs')).map((x) => x.join(' '))), new Set(['AGX-Orin NVIDIA Jetson AGX Orin Developer Kit']));
  const thesisA100 = bundles.find((b) => b.id === tracesOf('A100')[0])!;
  assert.ok(thesisA100.manifest.notes?.some((n) => /the card it measured is A100-PCIE-40GB/.test(n)));

  // analyze: two devices, whatever the source called them.
  const a = analyze({ paths: [runsDir], method: 'trapezoid' });
  assert.deepEqual([...new Set(a.rows.map((r) => r.device))].sort(), ['A100-PCIE-40GB', 'AGX-Orin']);
  // runs list --device orin finds the Orin runs of both sources (and A100 both of its).
  const list = async (device: string): Promise<string[]> => {
    let out = '';
    const code = await runCli(['runs', 'list', '--runs-dir', runsDir, '--device', device, '--format', 'json'], { stdout: (s) => (out += s), stderr: () => undefined, env: {}, cwd: dir, isTTY: false });
    assert.equal(code, 0);
    return (JSON.parse(out) as { runs: { id: string }[] }).runs.map((r) => r.id).sort();
  };
  const orinIds = [...tracesOf('orin'), ...logsOf('Orin_v4.1_logs')].sort();
  assert.deepEqual(await list('orin'), orinIds);
  assert.deepEqual(await list('Orin'), orinIds);
  assert.deepEqual(await list('Jetson AGX Orin'), orinIds);
  assert.deepEqual(await list('A100'), [...tracesOf('A100'), ...logsOf('A100_v4.1_logs')].sort());
  // The table's device column: the id.
  let table = '';
  await runCli(['runs', 'list', '--runs-dir', runsDir], { stdout: (s) => (table += s), stderr: () => undefined, env: {}, cwd: dir, isTTY: false });
  const [header, , ...rows] = table.trim().split('\n');
  const col = header!.split(/\s{2,}/).indexOf('device');
  assert.deepEqual(new Set(rows.filter((l) => /^\d{4}-/.test(l)).map((l) => l.split(/\s{2,}/)[col])), new Set(['A100-PCIE-40GB', 'AGX-Orin']), 'one spelling per device in the device column');
  // The dashboard: one facet per device.
  const data = new RunsData(runsDir);
  const page = await data.runs(parseRunsQuery(new URLSearchParams()));
  assert.deepEqual(page.facets.devices, ['A100-PCIE-40GB', 'AGX-Orin']);
  const orinPage = await data.runs(parseRunsQuery(new URLSearchParams({ device: 'orin' })));
  assert.deepEqual(orinPage.runs.map((r) => r.id).sort(), orinIds);
});

test("analyze names the study's A100 as its logs do, and still reproduces Table 5.1 (test/analysis/golden-thesis.test.ts)", { skip: skipWithoutThesis }, () => {
  const fromData = analyze({ paths: [join(THESIS_DIR, 'Data', 'data_A100_v4.1')], method: 'thesis' });
  const fromLogs = analyze({ paths: [join(THESIS_DIR, 'Logs', 'A100_v4.1_logs')], method: 'trapezoid' });
  assert.deepEqual([...new Set(fromData.rows.map((r) => r.device))], ['A100-PCIE-40GB']);
  assert.deepEqual([...new Set(fromLogs.rows.map((r) => r.device))], ['A100-PCIE-40GB']);
  assert.equal(fromData.rows[0]!.datasetTag, 'A100', 'the tag as written in the folder name');
  assert.equal(fromData.rows[0]!.impact!.params.pue.value, 1.5);
});

test('import mlperf --device over log sets that name other devices: refused, one line naming each; --force relabels and says so', { skip: skipWithoutThesis }, async () => {
  const root = mkdtempSync(join(tmpdir(), 'inferprint-devid-mixed-'));
  logSubset(root, 'T4_v1.1_logs', 2);
  logSubset(root, 'Orin_v4.1_logs', 2);
  const tree = join(root, 'Logs');
  const runsDir = join(dir, 'mixed');
  await assert.rejects(importRunsReport({ format: 'mlperf', paths: [tree], runsDir, device: 'A100' }), (e: unknown) => {
    assert.ok(e instanceof InferprintError);
    assert.equal(e.code, 'USAGE');
    assert.equal(e.where.flag, '--device');
    assert.ok(!e.message.includes('\n'));
    assert.match(e.message, /--device A100 \(A100\) contradicts what 2 sources name: /);
    assert.ok(e.message.includes(`${join(tree, 'Orin_v4.1_logs')} names AGX-Orin (metadata.json: "NVIDIA Jetson AGX Orin Developer Kit")`), e.message);
    assert.ok(e.message.includes(`${join(tree, 'T4_v1.1_logs')} names Tesla-T4 (system folder: "T4x1_TRT")`), e.message);
    assert.match(e.message, /nothing imported \(give --force to relabel\)/);
    return true;
  });
  assert.equal(existsSync(runsDir), false, 'nothing written');

  const forced = await importRunsReport({ format: 'mlperf', paths: [tree], runsDir, device: 'A100', force: true });
  assert.equal(forced.imported.length, 4);
  assert.equal(forced.warnings.length, 2, 'one line per log set');
  assert.ok(forced.warnings.some((w) => w.startsWith(`${join(tree, 'T4_v1.1_logs')}: names Tesla-T4`) && w.endsWith('recorded as A100 (--device A100 --force)')));
  for (const r of forced.imported) {
    const m = (await readAnyRunBundle(r.path)).manifest;
    assert.equal(m.device.hardwareId, 'A100');
    assert.ok(m.notes?.some((n) => /^the device is A100 as given with --device A100 and --force, although the source names (Tesla-T4|AGX-Orin)/.test(n)), m.notes?.join('\n'));
  }

  // A flag that agrees with the logs is simply used.
  const agree = await importRunsReport({ format: 'mlperf', paths: [join(tree, 'T4_v1.1_logs')], runsDir: join(dir, 'agree'), device: 'Tesla T4' });
  assert.deepEqual(agree.warnings, []);
  assert.equal(agree.imported.length, 2);

  // analyze has no --force and writes nothing: it relabels, with a note naming both.
  const a = analyze({ paths: [join(tree, 'T4_v1.1_logs')], method: 'trapezoid', device: 'A100' });
  assert.ok(a.rows.every((r) => r.device === 'A100'));
  assert.ok(a.notes.some((n) => n.includes('--device A100 relabels T4_v1.1_logs as A100, but its logs name Tesla-T4 (system folder: "T4x1_TRT")')), a.notes.join('\n'));
});

test('import nvidia-smi --device against the GPU the log names; without --device, the log names it', async () => {
  const log = join(dir, 'smi-a100.csv');
  writeFileSync(log, ['timestamp, index, name, power.draw [W]', '2025/05/30 12:00:00.000, 0, NVIDIA A100-PCIE-40GB, 100.00 W', '2025/05/30 12:00:01.000, 0, NVIDIA A100-PCIE-40GB, 120.00 W'].join('\n'));
  await assert.rejects(
    importRunsReport({ format: 'nvidia-smi', paths: [log], runsDir: join(dir, 'smi-refused'), device: 'T4' }),
    (e: unknown) => e instanceof InferprintError && e.code === 'USAGE' && e.message.includes(`${log} names A100-PCIE-40GB (name column: "NVIDIA A100-PCIE-40GB")`),
  );
  assert.equal(existsSync(join(dir, 'smi-refused')), false);
  const named = await importRunsReport({ format: 'nvidia-smi', paths: [log], runsDir: join(dir, 'smi-named') });
  const m = (await readAnyRunBundle(named.imported[0]!.path)).manifest;
  assert.deepEqual(m.device, { hardwareId: 'A100-PCIE-40GB', name: 'NVIDIA A100 PCIe 40GB', reportedName: 'NVIDIA A100-PCIE-40GB' });
  const same = await importRunsReport({ format: 'nvidia-smi', paths: [log], runsDir: join(dir, 'smi-same'), device: 'a100 pcie' });
  assert.deepEqual(same.warnings, []);
  const forced = await importRunsReport({ format: 'nvidia-smi', paths: [log], runsDir: join(dir, 'smi-forced'), device: 'T4', force: true });
  assert.equal(forced.warnings.length, 1);
  const fm = (await readAnyRunBundle(forced.imported[0]!.path)).manifest;
  assert.equal(fm.device.hardwareId, 'Tesla-T4');
  assert.ok(fm.notes?.some((n) => n.includes('although the source names A100-PCIE-40GB')));
});

test("import codecarbon --device against its gpu_model", async () => {
  const header = 'timestamp,project_name,run_id,duration,emissions,cpu_energy,gpu_energy,ram_energy,energy_consumed,gpu_count,gpu_model';
  const csv = join(dir, 'cc-device.csv');
  writeFileSync(csv, `${header}\n2024-05-27T11:31:35,bert,cccc3333-0000-0000-0000-000000000003,100,0.008,0.0017,0.0138,0.0013,0.0168,1,1 x NVIDIA Tesla T4\n`);
  await assert.rejects(
    importRunsReport({ format: 'codecarbon', paths: [csv], runsDir: join(dir, 'cc-refused'), device: 'orin' }),
    (e: unknown) => e instanceof InferprintError && e.code === 'USAGE' && e.message.includes(`${csv} names Tesla-T4 (gpu_model: "NVIDIA Tesla T4")`),
  );
  const ok = await importRunsReport({ format: 'codecarbon', paths: [csv], runsDir: join(dir, 'cc-ok'), device: 'T4' });
  const m = (await readAnyRunBundle(ok.imported[0]!.path)).manifest;
  assert.equal(m.device.hardwareId, 'Tesla-T4');
  assert.equal((m.device as { reportedName?: string }).reportedName, 'NVIDIA Tesla T4');
});

test("import thesis-csv: the study's file names its device, and --device is read as the study's tags are", { skip: skipWithoutThesis }, async () => {
  const file = join(THESIS_DIR, 'Data', 'data_A100_v4.1', 'FULL', 'consommation_energie_single_A100_QC_16_1.csv');
  const byName = await importRunsReport({ format: 'thesis-csv', paths: [file], runsDir: join(dir, 'tcsv-name') });
  const m = (await readAnyRunBundle(byName.imported[0]!.path)).manifest;
  assert.deepEqual([m.device.hardwareId, (m.device as { reportedName?: string }).reportedName], ['A100-PCIE-40GB', 'A100']);
  const byFlag = await importRunsReport({ format: 'thesis-csv', paths: [file], runsDir: join(dir, 'tcsv-flag'), device: 'A100' });
  assert.equal((await readAnyRunBundle(byFlag.imported[0]!.path)).manifest.device.hardwareId, 'A100-PCIE-40GB');
  assert.deepEqual(byFlag.warnings, []);
  await assert.rejects(importRunsReport({ format: 'thesis-csv', paths: [file], runsDir: join(dir, 'tcsv-bad'), device: 'orin' }), (e: unknown) => e instanceof InferprintError && e.code === 'USAGE' && /names A100-PCIE-40GB \(the study's file name: "A100"\)/.test(e.message));
  // The same file through `import thesis` afterwards: already there.
  const data = mkdtempSync(join(tmpdir(), 'inferprint-devid-tcsv-'));
  cpSync(file, join(data, 'data_A100_v4.1', 'FULL', 'consommation_energie_single_A100_QC_16_1.csv'));
  const again = await importRunsReport({ format: 'thesis', paths: [join(data, 'data_A100_v4.1')], runsDir: join(dir, 'tcsv-name') });
  assert.deepEqual(again.imported.map((r) => [r.added, r.id, r.present?.sameContent]), [[false, byName.imported[0]!.id, true]]);
});
