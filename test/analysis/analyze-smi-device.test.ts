import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main.js';

/**
 * `analyze` of an nvidia-smi log takes the device from its `name` column, as `import
 * nvidia-smi` does (the same code: import-device.ts `sourceDevice`), and refuses a --device
 * that contradicts it with the import's words. Before, analyze ignored the column and asked
 * for --device ("name the device that made this trace").
 */

const dir = mkdtempSync(join(tmpdir(), 'inferprint-smi-device-'));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: (s) => (out += s), stderr: (s) => (err += s), isTTY: false, env: {}, cwd: dir });
  return { code, out, err };
}

/** Two GPUs named `gpuName`, 40 samples each, gpu1's stamp 1 ms after gpu0's in each cycle. */
function twoGpuLog(file: string, gpuName: string): string {
  const lines = ['timestamp, index, name, power.draw [W]'];
  for (let i = 0; i < 40; i++) {
    for (const g of [0, 1]) {
      const ms = 50 * i + g;
      const s = 22 + Math.floor(ms / 1000);
      lines.push(`2024/05/14 10:31:${String(s).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}, ${g}, ${gpuName}, ${(g === 0 ? 100 : 150) + (i % 5) * 1.5} W`);
    }
  }
  const path = join(dir, file);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

interface Row {
  device: string;
  energy: { energyJ: number };
  impact?: { gwpG: { mean: number } };
  operationalOnly?: { gwpG: number };
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

test("analyze of an nvidia-smi log without --device takes the GPU from its name column, as import does, to the same GWP", async () => {
  const log = twoGpuLog('smi.csv', 'NVIDIA H100 NVL');
  const r = await cli(['analyze', log, '--channel', 'sum', '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const result = JSON.parse(r.out) as { rows: Row[]; notes: string[] };
  const [row] = result.rows;
  assert.ok(row);
  assert.equal(row.device, 'H100-NVL');
  assert.ok(row.impact, 'the full LCA: operational and embodied');
  assert.ok(result.notes.includes(`${log}: hardware H100-NVL from name column "NVIDIA H100 NVL"`), result.notes.join('\n'));

  // The import finds the same device in the same words, and both routes give one GWP.
  const runsDir = join(dir, 'runs');
  const imported = await cli(['import', 'nvidia-smi', log, '--channel', 'sum', '--runs-dir', runsDir]);
  assert.equal(imported.code, 0, imported.err);
  const listed = await cli(['runs', 'list', '--runs-dir', runsDir, '--format', 'json']);
  const [run] = (JSON.parse(listed.out) as { runs: { hardware_id: string; gwp_mg: number; path: string }[] }).runs;
  assert.equal(run!.hardware_id, 'H100-NVL');
  assert.ok(rel(run!.gwp_mg, row.impact.gwpG.mean * 1000) < 1e-9, `${run!.gwp_mg} vs ${row.impact.gwpG.mean * 1000}`);

  // A --device that agrees with the column, in any spelling the database knows, is fine.
  for (const device of ['H100-NVL', 'NVIDIA H100 NVL']) {
    const same = await cli(['analyze', log, '--channel', 'sum', '--device', device, '--format', 'json']);
    assert.equal(same.code, 0, same.err);
    assert.equal((JSON.parse(same.out) as { rows: Row[] }).rows[0]!.device, 'H100-NVL');
  }
});

test('analyze refuses a --device that contradicts the name column, in the words import uses', async () => {
  const log = twoGpuLog('smi-refused.csv', 'NVIDIA H100 NVL');
  const said = `--device H100 (H100) contradicts what the source names: ${log} names H100-NVL (name column: "NVIDIA H100 NVL")`;
  const a = await cli(['analyze', log, '--channel', 'sum', '--device', 'H100']);
  assert.equal(a.code, 2, a.err);
  assert.equal(a.err.split('\n').filter(Boolean).length, 1, 'one line');
  assert.ok(a.err.startsWith(`inferprint analyze: flag --device: ${said}; `), a.err);
  assert.match(a.err, /drop --device to take the GPU the log names, or relabel it with 'inferprint import nvidia-smi FILE --device H100 --force' \[USAGE\]/);
  const i = await cli(['import', 'nvidia-smi', log, '--channel', 'sum', '--device', 'H100', '--runs-dir', join(dir, 'runs-refused')]);
  assert.equal(i.code, 2);
  assert.ok(i.err.startsWith(`inferprint import: flag --device: ${said}; nothing imported (give --force to relabel)`), i.err);
});

test('a log naming a GPU the database lacks: energy and the operational part of the GWP, and a note saying how to name it', async () => {
  const log = twoGpuLog('smi-unknown.csv', 'NVIDIA Graphics Device 9000');
  const r = await cli(['analyze', log, '--channel', 'sum', '--format', 'json']);
  assert.equal(r.code, 0, r.err);
  const result = JSON.parse(r.out) as { rows: Row[]; notes: string[] };
  const row = result.rows[0]!;
  assert.equal(row.device, '');
  assert.equal(row.impact, undefined);
  assert.ok(row.operationalOnly && row.operationalOnly.gwpG > 0);
  assert.ok(result.notes.includes(`${log}: the hardware database has no "NVIDIA Graphics Device 9000" (name column): give --device to name it`), result.notes.join('\n'));
  // --device names it then, with nothing to contradict.
  const named = await cli(['analyze', log, '--channel', 'sum', '--device', 'H100-NVL', '--format', 'json']);
  assert.equal(named.code, 0, named.err);
  assert.equal((JSON.parse(named.out) as { rows: Row[] }).rows[0]!.device, 'H100-NVL');
});

test("the GPU names come from the log's first cycles: the name scan stops after its prefix, the decoder reads the rest", async () => {
  const { nvidiaSmiGpuNamesOfLines } = await import('../../src/app/import-device.js');
  let read = 0;
  function* lines(): Generator<string> {
    yield 'timestamp, index, name, power.draw [W]';
    for (let i = 0; ; i++) {
      read++;
      yield `2026/07/03 22:10:46.${String(i % 1000).padStart(3, '0')}, ${i % 2}, NVIDIA H100 NVL, 100.00 W`;
    }
  }
  assert.deepEqual(nvidiaSmiGpuNamesOfLines(lines(), 10), ['NVIDIA H100 NVL']);
  assert.equal(read, 10, 'no line past the prefix is pulled from the reader');
});
