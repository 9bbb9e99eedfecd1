import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CPUS,
  ALL_HARDWARE,
  CPU_HARDWARE,
  HARDWARE,
  SERVERS,
  classifyCpuName,
  estimateEmbodied,
  genericCpu,
  matchHardware,
  resolveHardware,
  resolveImpactParams,
  resolveServer,
  type HardwareSpec,
} from '../../src/impact/index.js';

/** |a − b| ≤ tol. */
function near(actual: number, expected: number, tol: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (±${tol})`);
}

// `model name` lines of /proc/cpuinfo, as kernels print them, and where they must land.
const CPU_NAMES: readonly [name: string, id: string, how: 'exact' | 'cpu-model' | 'cpu-class'][] = [
  ['Intel(R) Xeon(R) Platinum 8480+', 'Xeon-Platinum-8480+', 'cpu-model'],
  ['AMD EPYC 7763 64-Core Processor', 'EPYC-7763', 'cpu-model'],
  ['AMD EPYC 9654 96-Core Processor', 'EPYC-9654', 'cpu-model'],
  ['12th Gen Intel(R) Core(TM) i7-12700K', 'Core-i7-12700K', 'cpu-model'],
  ['Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz', 'Core-i7-8565U', 'cpu-model'],
  ['AMD Ryzen 9 5950X 16-Core Processor', 'Ryzen-9-5950X', 'cpu-model'],
  // In the TDP table, dies unknown: the class entry, found through the table row.
  ['Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz', 'generic-server-cpu', 'cpu-model'],
  ['Intel(R) Xeon(R) CPU E5-2698 v4 @ 2.20GHz', 'generic-server-cpu', 'cpu-model'],
  // Not in the table: the class by family name.
  ['AMD EPYC', 'generic-server-cpu', 'cpu-class'], // what this project's CI VM prints
  ['Intel(R) Xeon(R) Platinum 8480C', 'generic-server-cpu', 'cpu-class'],
  ['Intel Xeon Processor (Icelake)', 'generic-server-cpu', 'cpu-class'],
  ['QEMU Virtual CPU version 2.5+', 'generic-server-cpu', 'cpu-class'],
  ['Common KVM processor', 'generic-server-cpu', 'cpu-class'],
  ['ARM Neoverse-N1', 'generic-server-cpu', 'cpu-class'],
  ['12th Gen Intel(R) Core(TM) i5-12400F', 'generic-desktop-cpu', 'cpu-class'],
  ['AMD Ryzen 9 7950X3D 16-Core Processor', 'generic-desktop-cpu', 'cpu-class'],
  ['11th Gen Intel(R) Core(TM) i7-1165G7 @ 2.80GHz', 'generic-laptop-cpu', 'cpu-class'],
  ['AMD Ryzen 7 7840HS w/ Radeon 780M Graphics', 'generic-laptop-cpu', 'cpu-class'],
  ['Intel(R) Core(TM) Ultra 7 155H', 'generic-laptop-cpu', 'cpu-class'],
  // Ids and display names still resolve exactly.
  ['EPYC-7763', 'EPYC-7763', 'exact'],
  ['AMD EPYC 7763', 'EPYC-7763', 'exact'],
  ['generic-server-cpu', 'generic-server-cpu', 'exact'],
];

void describe('CPU names → hardware entries', () => {
  for (const [name, id, how] of CPU_NAMES) {
    void it(`${JSON.stringify(name)} → ${id} (${how})`, () => {
      const m = matchHardware(name);
      assert.equal(m?.spec.id, id);
      assert.equal(m.kind, how);
    });
  }
  void it('leaves GPU names and non-CPU names alone', () => {
    assert.equal(resolveHardware('NVIDIA B200'), undefined);
    assert.equal(resolveHardware('NVIDIA GeForce RTX 5090'), undefined);
    assert.equal(resolveHardware('ARM Cortex-A72'), undefined, 'a small Arm core is not placed in a class we have no silicon for');
    assert.equal(resolveHardware('zzzzzzzzzzzz'), undefined);
    assert.equal(resolveHardware('Tesla T4')?.id, 'Tesla-T4');
    assert.equal(classifyCpuName('NVIDIA H100 NVL'), undefined);
  });
  void it('every model of the CPU table resolves to its own entry or its class entry, never to another part', () => {
    for (const m of CPUS) {
      const spec = resolveHardware(m.model);
      assert.equal(spec?.id, m.hardwareId, m.model);
      assert.ok(spec.id === m.model.replace(/\s+/g, '-') || spec.generic !== undefined, m.model);
    }
  });
});

void describe('CPU entries', () => {
  const cpus = CPU_HARDWARE;
  void it('classes decide the category: servers Large-scale (data-centre PUE), desktops and laptops Desktop', () => {
    for (const h of cpus) assert.equal(h.category, h.cpuClass === 'server' ? 'Large-scale' : 'Desktop', h.id);
    assert.equal(resolveImpactParams({ preset: 'default', hardware: genericCpu('server') }).params.pue.value, 1.56);
    assert.equal(resolveImpactParams({ preset: 'default', hardware: genericCpu('laptop') }).params.pue.value, 1);
    assert.equal(resolveImpactParams({ preset: 'thesis-2025', hardware: resolveHardware('EPYC 7763')! }).params.pue.value, 1.5);
  });
  void it('carry no memory of their own, a TDP in W, cores, a source and a year', () => {
    for (const h of cpus) {
      assert.deepEqual([h.memoryGb, h.memoryType], [0, 'none'], h.id);
      assert.ok(h.tdpW > 0 && (h.cores ?? 0) > 0 && h.source.length > 20 && h.sourceYear >= 2019, h.id);
    }
  });
  void it('one class entry per class, marked generic, modelled on the median part of its class by die area', () => {
    for (const c of ['server', 'desktop', 'laptop'] as const) {
      const g = genericCpu(c);
      assert.ok(g.generic !== undefined && /class entry: not a specific part/.test(g.name), g.id);
      const members = cpus.filter((h) => h.cpuClass === c && h.generic === undefined).sort((a, b) => a.dieAreaMm2 - b.dieAreaMm2);
      assert.equal(g.generic.members, members.length);
      const median = members[(members.length - 1) >> 1]!;
      assert.equal(g.dieAreaMm2, median.dieAreaMm2);
      assert.equal(resolveHardware(g.generic.modelledOn)?.dieAreaMm2, g.dieAreaMm2);
    }
  });
  void it('every entry (accelerators, CPUs, class entries) gets an estimate under both die-area models', () => {
    for (const h of ALL_HARDWARE) {
      for (const model of ['die-area-v1', 'die-area-density-v1'] as const) {
        const e = estimateEmbodied(model, h);
        assert.ok(e.candidates.length > 0 && e.minKg > 0 && e.minKg <= e.meanKg && e.meanKg <= e.maxKg, `${h.id} ${model}`);
      }
    }
  });
});

void describe('die-area-v1 on CPUs', () => {
  void it('a chiplet EPYC sums its dies, each on its own node (hand-computed)', () => {
    const e = estimateEmbodied('die-area-v1', resolveHardware('EPYC-7763')!);
    // 8 × 81 mm² CCD (7 nm: 1.995 | 4.07 kg/cm²) + 416 mm² I/O die (14 nm keyed to 16: 3.0 kg/cm²).
    const io = 4.16 * 3.0;
    assert.deepEqual(
      e.candidates.map((c) => c.dies?.map((d) => d.factor.id)),
      [
        ['pirson-node7-a', 'pirson-node16'],
        ['pirson-node7-b', 'pirson-node16'],
      ],
    );
    near(e.candidatesKg[0]!, 6.48 * 1.995 + io, 1e-9, 'candidate 1');
    near(e.candidatesKg[1]!, 6.48 * 4.07 + io, 1e-9, 'candidate 2');
    near(e.meanKg, 6.48 * ((1.995 + 4.07) / 2) + io, 1e-9, 'mean = sum of the dies’ means');
    assert.equal(e.memoryFactor, undefined);
    assert.ok(e.candidates.every((c) => c.memoryKg === 0));
    assert.equal(e.inputs.dies?.length, 2);
  });
  void it('a TSMC die of a year with an Industry row gets it too, the client I/O die its 12 nm factor', () => {
    const e = estimateEmbodied('die-area-v1', resolveHardware('AMD Ryzen 7 5800X')!);
    const io = 1.24 * 3.48;
    assert.deepEqual(
      e.candidates.map((c) => c.dies?.[0]?.factor.id),
      ['pirson-node7-a', 'pirson-tsmc-2020', 'pirson-node7-b'],
    );
    for (const [i, f] of [1.995, 1.122268, 4.07].entries()) near(e.candidatesKg[i]!, 0.81 * f + io, 1e-9, `candidate ${i + 1}`);
  });
  void it('a monolithic Intel die is one die: 14 nm keyed to 16 nm', () => {
    const e = estimateEmbodied('die-area-v1', resolveHardware('Intel(R) Xeon(R) Platinum 8280 CPU @ 2.70GHz')!);
    assert.equal(e.candidates.length, 1);
    assert.equal(e.candidates[0]!.dies, undefined);
    near(e.meanKg, 6.94 * 3.0, 1e-9, '694 mm² × 3.0 kg/cm²');
  });
  void it("agrees in order of magnitude with Boavizta's CPU model (UBA 2021: 1.97 kgCO2e/cm² + 9.14 kg), which adds a package", () => {
    // An independent model: die-only IC factors land near it for large server packages and
    // below it for small client dies, where Boavizta's 9.14 kg per-CPU base dominates.
    for (const h of CPU_HARDWARE) {
      const ratio = estimateEmbodied('die-area-v1', h).meanKg / (h.dieAreaMm2 * 0.0197 + 9.14);
      const [lo, hi] = h.cpuClass === 'server' ? [0.8, 1.3] : [0.3, 1.3];
      assert.ok(ratio >= lo && ratio <= hi, `${h.id}: ratio ${ratio.toFixed(2)}`);
    }
  });
  void it("the preset's 'why' names each die's factor", () => {
    const { used } = resolveImpactParams({ preset: 'default', hardware: resolveHardware('EPYC 9654')! });
    const e = used.find((u) => u.name === 'embodied')!;
    assert.match(e.why, /CCD node=5nm \+ IOD node=7nm/);
  });
});

void describe('servers (declared footprints)', () => {
  void it('a manufacturer PCF: manufacturing = life-cycle total × manufacturing share', () => {
    const r740 = resolveServer('R740')!;
    assert.equal(r740.id, 'PowerEdge-R740');
    assert.equal(r740.embodiedKg, 1313.28); // 8640 kgCO2e × 0.152 (Dell, January 2019)
    assert.match(r740.derivation, /8640 kgCO2e × manufacturing share 0\.152/);
    assert.equal(resolveServer('Dell PowerEdge R640')?.embodiedKg, 1283.18); // 7730 × 0.166
  });
  void it("Boavizta's dellR740 archetype keeps its range; class entries are marked", () => {
    const g = resolveServer('generic-rack-server')!;
    assert.deepEqual([g.embodiedKg, g.embodiedMinKg, g.embodiedMaxKg, g.generic], [950, 760.6, 1186, true]);
    assert.equal(resolveServer('gpu-server-host-8gpu')?.embodiedKg, 5700);
  });
  void it('every server has a source, a year, a Large-scale category and min ≤ value ≤ max', () => {
    for (const s of SERVERS) {
      assert.ok(s.source.length > 20 && s.sourceYear >= 2019, s.id);
      assert.equal(s.kind, 'server');
      assert.ok(s.embodiedMinKg <= s.embodiedKg && s.embodiedKg <= s.embodiedMaxKg, s.id);
    }
  });
  void it('servers are not chips: resolveHardware does not return them', () => {
    assert.equal(resolveHardware('PowerEdge-R740'), undefined);
  });
});

void it('HARDWARE keeps its meaning (the accelerators, for the report and the dashboard); CPUs are apart and all resolve', () => {
  assert.equal(HARDWARE.length, 27);
  assert.ok(HARDWARE.every((h) => h.kind !== 'cpu'));
  assert.deepEqual(ALL_HARDWARE.map((h) => h.id), [...HARDWARE, ...CPU_HARDWARE].map((h) => h.id));
  for (const h of ALL_HARDWARE) assert.equal(resolveHardware(h.id)?.id, h.id);
});

void it('class entries are not passed off as parts: their names say so', () => {
  const generic: HardwareSpec[] = ALL_HARDWARE.filter((h) => h.generic !== undefined);
  assert.equal(generic.length, 3);
  for (const g of generic) assert.match(g.name, /not a specific part/);
});
