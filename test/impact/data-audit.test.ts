/**
 * Issue 10: the hardware and impact data audited. Each correction holds and the study's value
 * survives for the thesis-2025 preset; untraced values are marked wherever they are used; the
 * second (ACT) memory-factor set is its own model and widens the default preset's range; the
 * HBM density is a range; idle power and host shares are looked up with their sources.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hardwareCommand } from '../../src/cli/commands/hardware.js';
import type { CliContext } from '../../src/cli/command.js';
import {
  DEFAULT_TABLES,
  HARDWARE,
  IDLE_POWER,
  dieAreaActV1,
  dieAreaDensityV1,
  dieAreaV1,
  estimateEmbodied,
  factProvenance,
  hostShareOf,
  idlePowerOf,
  requireHardware,
  resolveHardware,
  resolveImpactParams,
  studyDifferences,
  thesisSpec,
  untracedFacts,
} from '../../src/impact/index.js';

const close = (actual: number, expected: number, tol: number, what: string): void => {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tolerance ${tol})`);
};

async function show(...argv: string[]): Promise<string> {
  let out = '';
  const ctx: CliContext = { argv: ['show', ...argv], env: {}, cwd: '/', stdout: (s) => (out += s), stderr: () => undefined, isTTY: false, stderrIsTTY: false, color: false };
  assert.equal(await hardwareCommand.run(ctx), 0);
  return out;
}

void describe('corrections, with the study value kept for thesis-2025', () => {
  // [device, field, corrected, the study's, reference key behind the corrected value]
  const CASES: readonly [string, 'tdpW' | 'year' | 'dieAreaMm2' | 'memoryType' | 'computeCapability', number | string, number | string, string][] = [
    ['L40S', 'tdpW', 350, 300, 'nv-l40s-ds'],
    ['L40S', 'year', 2023, 2022, 'nv-l40s-launch'],
    ['L40S', 'dieAreaMm2', 608.5, 609, 'nv-ada-wp'],
    ['L40', 'dieAreaMm2', 608.5, 609, 'nv-ada-wp'],
    ['H100', 'year', 2022, 2023, 'nv-gtc-2022-09'],
    ['H100', 'memoryType', 'HBM3', 'HBM2e', 'nv-h100-wp'],
    ['Quadro-RTX-6000', 'tdpW', 295, 260, 'nv-qrtx6000-ds'],
    ['Quadro-RTX-8000', 'tdpW', 295, 260, 'nv-qrtx8000-ds'],
    ['A100', 'memoryType', 'HBM2', 'HBM2e', 'nv-a100-ds'],
    ['AGX-Orin', 'computeCapability', '8.7', '7.7', 'cuda-cc'],
  ];
  const FACT = { tdpW: 'tdp_w', year: 'year', dieAreaMm2: 'die_area_mm2', memoryType: 'memory_type', computeCapability: 'compute_capability' } as const;
  for (const [id, field, fixed, study, ref] of CASES) {
    void it(`${id} ${field}: ${fixed} (${ref}); the study's ${study} in thesisSpec`, () => {
      const h = requireHardware(id);
      assert.equal(h[field], fixed);
      assert.equal(h.factSources?.[FACT[field]], ref);
      assert.equal(thesisSpec(h)[field], study);
      assert.deepEqual(
        studyDifferences(h).find((d) => d.field === field),
        { field, value: fixed, studyValue: study },
      );
    });
  }
  void it('V100 and P100: the PCIe cards are 250 W (the study rows), the SXM2 modules 300 W, and their names no longer share a row', () => {
    assert.equal(resolveHardware('Tesla V100-PCIE-32GB')?.id, 'Tesla-V100');
    assert.equal(resolveHardware('Tesla V100-SXM2-32GB')?.id, 'Tesla-V100-SXM2-32GB');
    assert.equal(resolveHardware('Tesla P100-PCIE-16GB')?.id, 'Tesla-P100');
    assert.equal(resolveHardware('Tesla P100-SXM2-16GB')?.id, 'Tesla-P100-SXM2-16GB');
    assert.deepEqual(['Tesla-V100', 'Tesla-V100-SXM2-32GB', 'Tesla-P100', 'Tesla-P100-SXM2-16GB'].map((id) => requireHardware(id).tdpW), [250, 300, 250, 300]);
    // Same die and memory, so the same embodied footprint.
    assert.equal(dieAreaV1(requireHardware('Tesla-V100')).meanKg, dieAreaV1(requireHardware('Tesla-V100-SXM2-32GB')).meanKg);
  });
  void it("L4's die area cites NVIDIA (Ada whitepaper), a primary source", () => {
    const p = factProvenance(requireHardware('L4')).find((f) => f.fact === 'die_area_mm2')!;
    assert.equal(p.reference.key, 'nv-ada-wp');
    assert.equal(p.reference.status, 'primary');
    assert.match(p.reference.citation, /AD104 294\.5 mm²/);
  });
  void it('thesis-2025 computes with the study values: L40S embodied is its 33.643830 kg constant, the breakdown on 609 mm²', () => {
    const { params } = resolveImpactParams({ preset: 'thesis-2025', hardware: requireHardware('L40S') });
    assert.deepEqual(params.embodied.candidatesKg, [33.64383]);
    close(params.embodied.candidates[0]!.processorKg, 6.09 * 2.687, 1e-12, 'processor part on the study die area');
    // The L40 has no study constants: die-area-v1 on the study's 609 mm² reproduces gpu_embodied.csv.
    const l40 = resolveImpactParams({ preset: 'thesis-2025', hardware: requireHardware('L40') }).params.embodied;
    close(l40.meanKg, 6.09 * 2.687 + 17.28, 1e-12, 'L40 thesis (gpu_embodied.csv: 33.643833, read from the figure)');
    close(dieAreaV1(requireHardware('L40')).meanKg, 6.085 * 2.687 + 17.28, 1e-12, 'L40 corrected');
  });
});

void describe('untraced values are marked where they are used', () => {
  void it('the Orin family die area cites an untraced reference with a range', () => {
    for (const id of ['AGX-Orin', 'Orin-NX-16GB', 'Orin-Nano-8GB']) {
      const h = requireHardware(id);
      assert.deepEqual(h.dieAreaRangeMm2, { min: 377.5, max: 455 }, id);
      assert.deepEqual(untracedFacts(h).map((f) => f.fact), ['die_area_mm2'], id);
    }
    assert.deepEqual(untracedFacts(requireHardware('H100')), []);
  });
  void it('the die-area range widens min/max but not the mean (AGX Orin)', () => {
    const e = dieAreaV1(requireHardware('AGX-Orin'));
    close(e.meanKg, 30.7176, 1e-9, 'mean on 455 mm²');
    close(e.minKg, 3.775 * 1.534 + 18.56, 1e-9, 'min on 377.5 mm² with the smaller factor');
    close(e.maxKg, 35.8955, 1e-9, 'max');
    assert.ok(e.spans.some((s) => s.includes('377.5–455')));
  });
  void it('resolveImpactParams: the embodied entry of `used` lists the memory factor, the IC factors and (Orin) the die area; FR-ADEME is untraced, Ember is not', () => {
    const thesis = resolveImpactParams({ preset: 'thesis-2025', hardware: requireHardware('orin') });
    const emb = thesis.used.find((u) => u.name === 'embodied')!;
    assert.ok(emb.untraced?.some((u) => u.startsWith('memory factor LPDDR5 290 gCO2e/GB: untraced')), JSON.stringify(emb.untraced));
    assert.ok(emb.untraced?.some((u) => u.startsWith('IC factors node=8nm 1.534, node=8nm 3.81')));
    assert.ok(emb.untraced?.some((u) => u.startsWith('die area 455 mm²')));
    const grid = thesis.used.find((u) => u.name === 'grid')!;
    assert.match(grid.untraced?.[0] ?? '', /^grid factor FR-ADEME 79\.1 gCO2e\/kWh: untraced — no Base Empreinte entry/);
    const world = resolveImpactParams({ preset: 'default', hardware: requireHardware('H100') }).used.find((u) => u.name === 'grid')!;
    assert.equal(world.untraced, undefined);
    // The mark is in the source too, so every output that prints a parameter's source shows it.
    assert.match(grid.source, / \[UNTRACED: grid factor FR-ADEME 79\.1 gCO2e\/kWh\]$/);
    assert.match(emb.source, /\[UNTRACED: die area 455 mm² .*; IC factors node=8nm .*; memory factor LPDDR5 290 gCO2e\/GB\]$/);
    assert.doesNotMatch(world.source, /UNTRACED/);
  });
  void it('a model with cited memory factors does not mark its memory part (die-area-act-v1)', () => {
    const e = dieAreaActV1(requireHardware('H100'));
    assert.ok(!e.untraced.some((u) => u.startsWith('memory')));
    assert.ok(e.untraced.some((u) => u.startsWith('IC factors')));
  });
  void it('hardware show: untraced facts, the study differences, the idle section and the untraced inputs of the estimate', async () => {
    const orin = await show('orin');
    assert.match(orin, /die area\s+455 mm² \(4\.55 cm²\), range 377\.5–455 mm² \[UNTRACED/);
    assert.match(orin, /UNTRACED inputs of this estimate/);
    assert.match(orin, /- memory factor LPDDR5 290 gCO2e\/GB: untraced/);
    assert.match(orin, /min–max over 2 IC factor candidate\(s\), die area 377\.5–455 mm² \(untraced\)/);
    assert.match(orin, /idle, bare\s+7\.9 W — measured/);
    assert.match(orin, /host share\s+none: Jetson module/);
    const l40s = await show('L40S');
    assert.match(l40s, /TDP\s+350 W \(the study used 300 W: kept in the thesis-2025 preset\)/);
    assert.match(l40s, /year\s+2023 \(the study used 2022/);
    assert.match(l40s, /die area\s+608\.5 mm² .*\(the study used 609 mm²/);
    assert.match(l40s, /idle, bare\s+26\.9 W \(24\.9–29\.2 W\) — PROXY/);
    assert.match(l40s, /- tdp_w|memory_gb, memory_type, tdp_w: NVIDIA L40S datasheet \(2023\)/);
    const j = JSON.parse(await show('H100', '--format', 'json')) as { studyDifferences: unknown[]; idle: { bareW: { value: number } }; hostShare: { powerW: { value: number } }; provenance: { fact: string }[] };
    assert.equal(j.studyDifferences.length, 2);
    assert.equal(j.idle.bareW.value, 75);
    assert.equal(j.hostShare.powerW.value, 150);
    assert.ok(j.provenance.some((p) => p.fact === 'die_area_mm2'));
  });
});

void describe('die-area-act-v1: the second, cited memory-factor set', () => {
  void it('H100 by hand: 8.14 cm² × 2.687 + 80 GB × 65 g/GB (ACT ddr4_10nm) = 27.07218 kg', () => {
    const e = dieAreaActV1(requireHardware('H100'));
    assert.equal(e.model, 'die-area-act-v1');
    assert.equal(e.actMemoryFactor?.actEntry, 'ddr4_10nm');
    close(e.meanKg, 8.14 * 2.687 + 80 * 0.065, 1e-12, 'H100');
    close(e.meanKg, 27.07218, 1e-9, 'H100 written out');
    assert.ok(e.sources.some((s) => s.includes('ACT')));
  });
  void it('A100-PCIE-40GB by hand: 8.26 × {1.995, 1.122268, 4.07} + 40 × 0.065', () => {
    assert.deepEqual(
      dieAreaActV1(requireHardware('A100-PCIE-40GB')).candidatesKg.map((k) => Number(k.toFixed(9))),
      [19.0787, 11.86993368, 36.2182],
    );
  });
  void it('every accelerator has an ACT factor, and is selectable by name', () => {
    for (const h of HARDWARE) assert.ok(estimateEmbodied('die-area-act-v1', h).meanKg > 0, h.id);
    assert.equal(DEFAULT_TABLES.actMemoryFactors.find((f) => f.memoryType === 'LPDDR5')?.gCo2ePerGb, 48);
  });
  void it("the default preset's range spans both memory-factor sets; its mean stays die-area-v1's; thesis-2025 does not widen", () => {
    const a100 = requireHardware('A100');
    const d = resolveImpactParams({ preset: 'default', hardware: a100 });
    const v1 = dieAreaV1(a100);
    const act = dieAreaActV1(a100);
    assert.equal(d.params.embodied.model, 'die-area-v1');
    assert.equal(d.params.embodied.meanKg, v1.meanKg);
    close(d.params.embodied.minKg, 8.26 * 1.122268 + 40 * 0.065, 1e-12, 'min: ACT memory, smallest IC factor');
    assert.equal(d.params.embodied.minKg, act.minKg);
    assert.equal(d.params.embodied.maxKg, v1.maxKg);
    assert.deepEqual(d.params.embodied.alsoSpans?.map((x) => x.model), ['die-area-act-v1']);
    assert.match(d.used.find((u) => u.name === 'embodied')!.why, /memory factors: the study's \(untraced\) and ACT's/);
    // The caller's explicit choice is that model alone.
    assert.equal(resolveImpactParams({ preset: 'default', hardware: a100, embodiedModel: 'die-area-v1' }).params.embodied.minKg, v1.minKg);
    assert.equal(resolveImpactParams({ preset: 'thesis-2025', hardware: a100 }).params.embodied.minKg, 20.469933);
  });
});

void describe('HBM density: 0.274 Gb/mm² (the study table) with 0.137 (its notes) as the range end', () => {
  const atAlt = { ...DEFAULT_TABLES, memoryFactors: DEFAULT_TABLES.memoryFactors.map((m) => ({ ...m, densityGbitPerMm2: m.densityAltGbitPerMm2 ?? m.densityGbitPerMm2 })) };
  void it('A100: 47.768576 kg at 0.274, ~75.7 kg at 0.137; the max spans the 0.137 end', () => {
    const e = dieAreaDensityV1(requireHardware('A100'));
    close(e.meanKg, 47.768576, 1e-5, 'mean at 0.274');
    const alt = dieAreaDensityV1(requireHardware('A100'), atAlt);
    close(alt.meanKg, (8.26 + (40 * 8) / 0.137 / 100) * ((1.995 + 1.122268 + 4.07) / 3), 1e-9, 'mean at 0.137');
    close(alt.meanKg, 75.75, 0.01, 'issue figure');
    close(e.maxKg, (8.26 + (40 * 8) / 0.137 / 100) * 4.07, 1e-9, 'max: 0.137 with the largest factor');
    close(e.minKg, (8.26 + (40 * 8) / 0.274 / 100) * 1.122268, 1e-9, 'min: 0.274 with the smallest factor');
    assert.ok(e.spans.some((s) => s === 'HBM2 density 0.137–0.274 Gb/mm² (contested)'), e.spans.join('; '));
  });
  void it('H200: 132.5 kg at 0.274, ~243 kg at 0.137', () => {
    const h = requireHardware('H200');
    close(dieAreaDensityV1(h).meanKg, (8.14 + (141 * 8) / 0.274 / 100) * 2.687, 1e-9, 'H200');
    close(dieAreaDensityV1(h).meanKg, 132.49, 0.01, 'H200 issue figure');
    close(dieAreaDensityV1(h).maxKg, 243.1, 0.05, 'H200 at 0.137');
  });
  void it('GDDR6 has no contested density: min/max over the candidates only', () => {
    const e = dieAreaDensityV1(requireHardware('A40'));
    assert.deepEqual([e.minKg, e.maxKg], [Math.min(...e.candidatesKg), Math.max(...e.candidatesKg)]);
  });
});

void describe('idle power and host shares', () => {
  void it('every data-centre GPU and every Jetson has an idle row; desktop and gaming cards do not', () => {
    // The study classes the T4 and the M2075 as Desktop, but both are data-centre (Tesla) cards.
    const expected = HARDWARE.filter((h) => h.kind === 'jetson' || h.category === 'Large-scale' || h.id === 'Tesla-T4' || h.id === 'Tesla-M2075').map((h) => h.id).sort();
    assert.deepEqual(IDLE_POWER.map((r) => r.hardwareId).sort(), expected);
    assert.equal(idlePowerOf('RTX-4090'), undefined);
    assert.equal(hostShareOf('RTX-4090'), undefined);
  });
  void it('H100: 75 W bare (measured), 113 W loaded (101–125, derived), host 150 W and 712.5 kg per GPU (EcoLogits ÷ 8)', () => {
    const i = idlePowerOf(requireHardware('H100'))!;
    assert.deepEqual([i.bareW.value, i.bareW.status, i.bareW.unit], [75, 'measured', 'W']);
    assert.deepEqual([i.loadedW?.value, i.loadedW?.min, i.loadedW?.max, i.loadedW?.status], [113, 101, 125, 'derived']);
    const h = hostShareOf('H100')!;
    assert.deepEqual([h.powerW.value, h.powerW.min, h.powerW.max], [150, 125, 150]);
    assert.deepEqual([h.embodiedKg.value, h.embodiedKg.min, h.embodiedKg.max], [712.5, 375, 712.5]);
    assert.equal(h.gpusPerHost, 8);
    assert.match(h.powerW.source, /EcoLogits 0\.9\.1/);
  });
  void it("the study's own traces: A100-PCIE-40GB and T4 in P0 before the model loads (65.8 W, 38.0 W)", () => {
    assert.deepEqual(idlePowerOf('A100-PCIE-40GB')!.loadedW!.value, 65.8);
    assert.deepEqual(idlePowerOf('T4')!.loadedW!.value, 38);
  });
  void it('a Jetson module is its own host: zero host share; every value lies in its range with a source', () => {
    const j = hostShareOf('orin')!;
    assert.deepEqual([j.powerW.value, j.embodiedKg.value], [0, 0]);
    for (const r of IDLE_POWER) {
      for (const p of [r.idleW, r.loadedW]) if (p) assert.ok(p.min <= p.value && p.value <= p.max && p.source.length > 20, r.hardwareId);
    }
  });
});
