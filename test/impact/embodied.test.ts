import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  EMBODIED_MODEL_IDS,
  HARDWARE,
  IC_FACTORS,
  dieAreaDensityV1,
  dieAreaV1,
  estimateEmbodied,
  hasThesisConstants,
  requireHardware,
  selectIcFactors,
  thesis2025Constants,
  thesisSpec,
  type HardwareSpec,
} from '../../src/impact/index.js';
import { FIXTURES_DIR, THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';

const close = (actual: number, expected: number, tol: number, what: string): void => {
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: ${actual} vs ${expected} (tolerance ${tol})`);
};

// thesis-method.md §2: the F_GPU lists perf_show.py used, in its order (kgCO2e).
const STUDY_LISTS: readonly [string, readonly number[]][] = [
  ['A100', [27.6787, 20.469933, 44.8182]],
  ['A40', [26.91352, 41.2068]],
  ['T4', [11.314983, 24.726]],
  ['2080Ti', [11.645243, 30.1992]],
  ['QRTX8000', [24.965243, 43.5192]],
  ['QRTX6000', [16.325243, 34.8792]],
  ['xavier', [8.20742, 16.82]],
  ['H100', [44.27218]],
  ['L40S', [33.64383]],
  ['orin', [25.5397, 35.8955]],
];

void describe('die-area-v1', () => {
  for (const [tag, list] of STUDY_LISTS) {
    void it(`reproduces the study's F_GPU list for ${tag} (1e-6 kg, same order), with the study's values`, () => {
      const e = dieAreaV1(thesisSpec(requireHardware(tag)));
      assert.equal(e.candidatesKg.length, list.length);
      e.candidatesKg.forEach((k, i) => {
        close(k, list[i]!, 1e-6, `${tag} candidate ${i + 1}`);
      });
    });
  }

  void it('breaks each candidate into processor + memory with the factor row used (A100)', () => {
    const e = dieAreaV1(requireHardware('A100'));
    assert.deepEqual(
      e.candidates.map((c) => [c.factor.category, c.factor.matchKey, c.factor.valueKgPerCm2]),
      [
        ['Literature/Database', 'node=7nm', 1.995],
        ['Industry', 'TSMC/2020', 1.122268],
        ['Literature/Database', 'node=7nm', 4.07],
      ],
    );
    for (const c of e.candidates) {
      close(c.memoryKg, 11.2, 1e-12, 'memory part = 40 GB × 280 g/GB');
      close(c.processorKg, 8.26 * c.factor.valueKgPerCm2, 1e-12, 'processor part = 8.26 cm² × factor');
      close(c.totalKg, c.processorKg + c.memoryKg, 1e-12, 'total');
    }
    assert.equal(e.model, 'die-area-v1');
    assert.ok(e.sources.some((s) => s.includes('Pirson')));
    close(e.meanKg, (e.minKg + e.maxKg + 27.6787) / 3, 1e-6, 'mean');
  });

  void it('selects Industry rows by year and foundry, not by year alone (A40 is 2020 Samsung: no TSMC/2020)', () => {
    assert.deepEqual(selectIcFactors(requireHardware('A40'), IC_FACTORS).map((f) => f.id), ['pirson-node8-a', 'pirson-node8-b']);
  });

  void it('covers every device in the database', () => {
    for (const h of HARDWARE) {
      for (const model of ['die-area-v1', 'die-area-density-v1'] as const) {
        const e = estimateEmbodied(model, h);
        assert.ok(e.candidates.length > 0 && e.minKg <= e.meanKg && e.meanKg <= e.maxKg, `${h.id} ${model}`);
      }
    }
  });

  void it('refuses a device no IC factor matches, naming the table to extend', () => {
    const odd: HardwareSpec = { ...requireHardware('H100'), id: 'X3', techNodeNm: 3, year: 2030 };
    assert.throws(() => dieAreaV1(odd), (e: Error) => e.message.includes('ic-factors.csv') && e.message.includes('[INVALID_VALUE]'));
  });
});

void describe('die-area-density-v1', () => {
  void it('matches F_GPU_method1_mean for the A100 (47.768576 kg)', () => {
    close(dieAreaDensityV1(requireHardware('A100')).meanKg, 47.768576, 1e-5, 'A100 method 1');
  });
  void it('costs memory as silicon with the same IC factor per candidate', () => {
    const e = dieAreaDensityV1(requireHardware('orin'));
    const memCm2 = ((64 * 8) / 0.152) * 0.01;
    for (const c of e.candidates) close(c.memoryKg, memCm2 * c.factor.valueKgPerCm2, 1e-9, 'memory part');
  });
});

void describe('thesis-2025-constants', () => {
  void it('exists for exactly the study ten devices, and for the card its A100 was', () => {
    const ids = HARDWARE.filter((h) => hasThesisConstants(h)).map((h) => h.id).sort();
    assert.deepEqual(ids, ['A100', 'A100-PCIE-40GB', 'A40', 'AGX-Orin', 'AGX-Xavier', 'H100', 'L40S', 'Quadro-RTX-6000', 'Quadro-RTX-8000', 'RTX-2080Ti', 'Tesla-T4']);
    // The study's A100 data come from an A100-PCIE-40GB (src/io/thesis-dataset.ts): the same constants, and the same die-area-v1 inputs.
    const pcie = requireHardware('A100-PCIE-40GB');
    assert.deepEqual(thesis2025Constants(pcie).candidatesKg, thesis2025Constants(requireHardware('A100')).candidatesKg);
    assert.deepEqual(dieAreaV1(pcie).candidatesKg, dieAreaV1(requireHardware('A100')).candidatesKg);
  });
  void it('equals the study lists exactly and die-area-v1 to 1e-6 kg, factor by factor', () => {
    for (const [tag, list] of STUDY_LISTS) {
      const spec = requireHardware(tag);
      const k = thesis2025Constants(spec);
      assert.deepEqual(k.candidatesKg, list, tag);
      const v1 = dieAreaV1(thesisSpec(spec));
      assert.deepEqual(k.candidates.map((c) => c.factor.id), v1.candidates.map((c) => c.factor.id), tag);
      k.candidatesKg.forEach((x, i) => {
        close(x, v1.candidatesKg[i]!, 1e-6, `${tag} ${i + 1}`);
      });
    }
  });
  void it('refuses a device the study did not list', () => {
    assert.throws(() => thesis2025Constants(requireHardware('H200')), /use die-area-v1/);
  });
  void it('is a registered model', () => {
    assert.deepEqual([...EMBODIED_MODEL_IDS].sort(), ['die-area-act-v1', 'die-area-density-v1', 'die-area-v1', 'thesis-2025-constants']);
  });
});

// ------------------------------------------------------------------------------------------
// The study's own tables, read in place.

const GPU_EMBODIED = resolve(FIXTURES_DIR, '../reference/gpu_embodied.csv');
const skipWithoutReference: string | false = existsSync(GPU_EMBODIED) ? false : `reference table absent at ${GPU_EMBODIED}`;

function readTable(path: string, sep: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
  const cols = head!.split(sep);
  return lines.map((l) => Object.fromEntries(l.split(sep).map((v, i) => [cols[i]!, v])));
}

void describe('gpu_embodied.csv (all 17 g5k devices)', { skip: skipWithoutReference }, () => {
  void it('F_GPU min / mean / max and the method-1 mean agree to 1e-4 kg, with the same factors', () => {
    const rows = readTable(GPU_EMBODIED, ',');
    assert.equal(rows.length, 17);
    for (const r of rows) {
      // The study's table was made with its own values (L40/L40S 609 mm², ...): compare those.
      const spec = thesisSpec(requireHardware(r.name!));
      assert.equal(spec.id, r.name);
      const e = dieAreaV1(spec);
      close(e.minKg, Number(r.F_GPU_min), 1e-4, `${r.name} min`);
      close(e.meanKg, Number(r.F_GPU_mean), 1e-4, `${r.name} mean`);
      close(e.maxKg, Number(r.F_GPU_max), 1e-4, `${r.name} max`);
      close(e.candidates[0]!.memoryKg, Number(r.F_mem_method2), 1e-9, `${r.name} memory`);
      close(dieAreaDensityV1(spec).meanKg, Number(r.F_GPU_method1_mean), 1e-4, `${r.name} method 1`);
      const want = r.factors_kgCO2e_per_cm2!.split('|').map(Number).sort((a, b) => a - b);
      const got = e.candidates.map((c) => c.factor.valueKgPerCm2).sort((a, b) => a - b);
      assert.equal(got.length, want.length, `${r.name} factor count`);
      got.forEach((g, i) => {
        close(g, want[i]!, 2e-5, `${r.name} factor ${i}`);
      });
    }
  });
});

void describe('hardware.csv study rows', { skip: skipWithoutThesis }, () => {
  void it('equal the study g5k_edge.csv for all 17 devices', () => {
    const rows = readTable(resolve(THESIS_DIR, 'Doc/g5k_edge.csv'), ';');
    assert.equal(rows.length, 17);
    for (const r of rows) {
      // The corrected rows differ where the study was wrong; its own values survive in `study`.
      const h = thesisSpec(requireHardware(r.names!));
      assert.equal(h.id, r.names);
      assert.deepEqual(
        [h.dieAreaMm2, h.tdpW, h.gflopsFp32, h.techNodeNm, h.memoryGb, h.year, h.foundry, h.memoryType, h.computeCapability, h.category],
        [Number(r.Die_area), Number(r.TDP), Number(r.GFLOPS), Number(r.Tech_node), Number(r.Memory), Number(r.date), r.foundry, r.Mem_type, r.Compute_capability, r.FU],
        h.id,
      );
    }
  });
  void it('memory factors equal mem_density.csv', () => {
    for (const r of readTable(resolve(THESIS_DIR, 'Doc/mem_density.csv'), ';')) {
      const h = HARDWARE.find((x) => x.memoryType === r.name);
      if (!h) continue;
      const mf = dieAreaV1(h).memoryFactor;
      assert.ok(mf, r.name);
      assert.equal(mf.gCo2ePerGb, Number(r['gCO2/GB']), r.name);
      assert.equal(mf.densityGbitPerMm2, Number(r.density), r.name);
    }
  });
});
