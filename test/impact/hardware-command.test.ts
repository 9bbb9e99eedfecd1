import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hardwareCommand } from '../../src/cli/commands/hardware.js';
import type { CliContext } from '../../src/cli/command.js';
import { isInferprintError } from '../../src/errors.js';
import { ALL_HARDWARE, SERVERS } from '../../src/impact/index.js';

async function run(...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const ctx: CliContext = {
    argv,
    env: {},
    cwd: '/',
    stdout: (s) => (out += s),
    stderr: () => undefined,
    isTTY: false,
    stderrIsTTY: false,
    color: false,
  };
  const code = await hardwareCommand.run(ctx);
  return { code, out };
}

const usageError = (flag?: string) => (e: unknown) => isInferprintError(e) && e.code === 'USAGE' && e.exitCode === 2 && (flag === undefined || e.message.includes(flag));

void describe('inferprint hardware list', () => {
  void it('prints every device as a table with embodied min/mean/max', async () => {
    const { code, out } = await run('list');
    assert.equal(code, 0);
    assert.match(out, /^id\s+name\s+kind/);
    assert.match(out, /A100\s+NVIDIA A100 \(study row\).*20\.47\s+30\.99\s+44\.82/);
    assert.match(out, new RegExp(`${ALL_HARDWARE.length} device\\(s\\) and ${SERVERS.length} server\\(s\\)`));
    assert.equal(ALL_HARDWARE.filter((h) => h.kind === 'gpu' || h.kind === 'jetson').length, 27, 'the accelerators (25 before the V100 and P100 SXM2 rows)');
  });
  void it('filters by category (any case) and writes CSV', async () => {
    const { out } = await run('list', '--category', 'edge', '--format', 'csv');
    const lines = out.trim().split('\n');
    assert.equal(lines[0]!.split(',')[0], 'id');
    assert.deepEqual(lines.slice(1).map((l) => l.split(',')[0]), ['AGX-Xavier', 'AGX-Orin', 'Orin-NX-16GB', 'Orin-Nano-8GB']);
    assert.ok(lines.slice(1).every((l) => l.includes(',mW,')));
  });
  void it('writes JSON with the embodied summary; study constants only where the study has them', async () => {
    const rows = JSON.parse((await run('list', '--format', 'json', '--embodied-model', 'thesis-2025-constants')).out) as {
      id: string;
      powerUnit: string;
      embodied: { meanKg: number } | null;
    }[];
    assert.equal(rows.length, ALL_HARDWARE.length + SERVERS.length);
    assert.equal(rows.find((r) => r.id === 'H200')?.embodied, null);
    assert.ok(Math.abs(rows.find((r) => r.id === 'A100')!.embodied!.meanKg - 30.988944333) < 1e-6);
  });
  void it('rejects unknown flags, categories, models and stray names as usage errors (exit 2)', async () => {
    await assert.rejects(run('list', '--bogus'), usageError('--bogus'));
    await assert.rejects(run('list', '--category', 'Cloud'), usageError('--category'));
    await assert.rejects(run('list', '--embodied-model', 'magic'), usageError('--embodied-model'));
    await assert.rejects(run('list', 'A100'), usageError());
    await assert.rejects(run('list', '--format', 'xml'), usageError('--format'));
    await assert.rejects(run(), usageError());
    await assert.rejects(run('frobnicate'), usageError());
  });
});

void describe('inferprint hardware show', () => {
  void it('prints specs, aliases, each candidate and the sources', async () => {
    const { code, out } = await run('show', 'NVIDIA A100-PCIE-40GB');
    assert.equal(code, 0);
    assert.match(out, /^A100-PCIE-40GB — NVIDIA A100 PCIe 40GB/);
    assert.match(out, /TDP\s+250 W/);
    assert.match(out, /aliases\s+A100-PCIe/);
    assert.match(out, /pirson-tsmc-2020\s+Industry\s+TSMC\/2020\s+1\.122268\s+9\.269934\s+11\.200000\s+20\.469934/);
    assert.match(out, /min 20\.469934\s+mean 30\.988945\s+max 44\.818200/);
    assert.match(out, /Pirson et al\. 2023/);
    assert.match(out, /datasheet/);
  });
  void it('joins an unquoted multi-word name', async () => {
    assert.match((await run('show', 'NVIDIA', 'H100', 'NVL')).out, /^H100-NVL/);
  });
  void it('CSV: one row per candidate with its breakdown', async () => {
    const { out } = await run('show', 'T4', '--format', 'csv', '--embodied-model', 'die-area-density-v1');
    const [head, ...rows] = out.trim().split('\n');
    assert.equal(head, 'hardware_id,model,candidate,factor_id,factor_category,factor_key,factor_kgco2e_per_cm2,processor_kg,memory_kg,total_kg');
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => r.startsWith('Tesla-T4,die-area-density-v1,')));
  });
  void it('JSON: hardware and the full embodied result', async () => {
    const j = JSON.parse((await run('show', 'orin', '--format', 'json')).out) as { hardware: { id: string; powerUnit: string }; embodied: { candidatesKg: number[] } };
    assert.equal(j.hardware.id, 'AGX-Orin');
    assert.equal(j.hardware.powerUnit, 'mW');
    assert.equal(j.embodied.candidatesKg.length, 2);
  });
  void it('an unknown name is UNKNOWN_HARDWARE (exit 1) with suggestions', async () => {
    await assert.rejects(run('show', 'A10O'), (e: unknown) => isInferprintError(e) && e.code === 'UNKNOWN_HARDWARE' && e.exitCode === 1 && e.message.includes('A100'));
  });
  void it('needs a NAME and refuses --category', async () => {
    await assert.rejects(run('show'), usageError());
    await assert.rejects(run('show', 'A100', '--category', 'Edge'), usageError('--category'));
  });
  void it('prints help with --help', async () => {
    const { code, out } = await run('--help');
    assert.equal(code, 0);
    assert.match(out, /inferprint hardware list/);
  });
});

void describe('inferprint hardware: CPUs and servers', () => {
  void it('show a /proc/cpuinfo name: how it resolved, the dies, per-die factors, no memory', async () => {
    const { code, out } = await run('show', 'AMD EPYC 7763 64-Core Processor');
    assert.equal(code, 0);
    assert.match(out, /^EPYC-7763 — AMD EPYC 7763/);
    assert.match(out, /resolved\s+'AMD EPYC 7763 64-Core Processor' → EPYC-7763 \(CPU model 'EPYC 7763'/);
    assert.match(out, /8 × CCD 81 mm², TSMC N7 \(IC factors keyed to 7 nm\)/);
    assert.match(out, /1 × IOD 416 mm², GlobalFoundries 14 nm \(IC factors keyed to 16 nm\)/);
    assert.match(out, /pirson-node7-a \+ pirson-node16\s+.*CCD node=7nm \+ IOD node=16nm\s+1\.995 \+ 3\s+25\.407600/);
    assert.match(out, /memory: none \(host DRAM is not part of a CPU entry\)/);
    assert.match(out, /TechPowerUp/);
  });
  void it('show an unnamed CPU: the class entry, marked as not a specific part', async () => {
    const { out } = await run('show', 'AMD', 'EPYC');
    assert.match(out, /^generic-server-cpu — Generic server CPU \(class entry: not a specific part\)/);
    assert.match(out, /resolved\s+'AMD EPYC' → generic-server-cpu \(not in the CPU table: a server CPU by its family name/);
    assert.match(out, /CLASS ENTRY\s+not a specific part/);
    const j = JSON.parse((await run('show', 'QEMU Virtual CPU version 2.5+', '--format', 'json')).out) as { hardware: { generic?: object }; resolvedFrom: { how: string } };
    assert.ok(j.hardware.generic);
    assert.equal(j.resolvedFrom.how, 'cpu-class');
  });
  void it('show a server: its declared footprint and how it was derived', async () => {
    const { out } = await run('show', 'R740');
    assert.match(out, /^PowerEdge-R740 — Dell PowerEdge R740/);
    assert.match(out, /1313\.28 kgCO2e \(no range given by the source\): life-cycle total 8640 kgCO2e × manufacturing share 0\.152/);
    const csv = (await run('show', 'generic-rack-server', '--format', 'csv')).out.trim().split('\n');
    assert.equal(csv[0], 'id,name,embodied_kg,embodied_min_kg,embodied_max_kg,derivation,source');
    assert.match(csv[1]!, /^generic-rack-server,.*,950,760\.6,1186,as published,/);
  });
  void it('list --category Desktop holds the desktop and laptop CPUs, class entries marked in CSV', async () => {
    const lines = (await run('list', '--category', 'Desktop', '--format', 'csv')).out.trim().split('\n');
    const rows = lines.slice(1).map((l) => l.split(','));
    const ids = rows.map((r) => r[0]);
    for (const id of ['Core-i7-12700K', 'Core-i7-8565U', 'generic-desktop-cpu', 'generic-laptop-cpu', 'A5000']) assert.ok(ids.includes(id), id);
    assert.ok(!ids.includes('generic-server-cpu') && !ids.includes('PowerEdge-R740'));
    assert.equal(rows.find((r) => r[0] === 'generic-desktop-cpu')?.at(-1), 'yes');
    assert.equal(rows.find((r) => r[0] === 'Core-i7-12700K')?.at(-1), '');
  });
});
