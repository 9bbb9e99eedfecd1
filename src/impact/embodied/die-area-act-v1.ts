/**
 * `die-area-act-v1` — die-area-v1 with the second, cited memory-factor set: the processor part
 * is the same (die area × Pirson IC factors), the memory part takes ACT's per-GB factor
 * (Gupta et al. 2022, ISCA: facebookresearch/ACT dram_hynix.yaml, SK hynix-based) for the
 * memory type's DRAM class instead of the study's untraced 280 / 360 / 290 gCO2e/GB. ACT has
 * no HBM or GDDR entry: each type is mapped to the DRAM entry of its process class
 * (data/sources/memory-factors-act.csv says which and why), which understates HBM (no base
 * die or stacking). The default preset spans this model and die-area-v1 in its ranges.
 */
import type { HardwareSpec } from '../types.js';
import {
  DEFAULT_TABLES,
  actMemoryFactorFor,
  dieAreaEnds,
  dieAreaSpan,
  embodiedResult,
  processorCandidates,
  type EmbodiedModel,
  type EmbodiedResult,
  type EmbodiedTables,
} from './common.js';

const FORMULA = 'F_k = die_mm2 × 0.01 × IC_k [kgCO2e/cm2] + memory_GB × ACT_gCO2e_per_GB / 1000';

export function dieAreaActV1(spec: HardwareSpec, tables: EmbodiedTables = DEFAULT_TABLES): EmbodiedResult {
  const act = actMemoryFactorFor(spec, tables.actMemoryFactors);
  const memoryKg = act === undefined ? 0 : (spec.memoryGb * act.gCo2ePerGb) / 1000;
  const totals = (s: HardwareSpec): number[] => processorCandidates(s, tables.icFactors).map((p) => p.processorKg + memoryKg);
  const candidates = processorCandidates(spec, tables.icFactors).map((p) => ({ ...p, memoryKg, totalKg: p.processorKg + memoryKg }));
  const ends = dieAreaEnds(spec);
  return embodiedResult('die-area-act-v1', FORMULA, spec, undefined, candidates, [], {
    ...(act !== undefined ? { actMemoryFactor: act } : {}),
    ...(ends ? { envelope: { lowKg: totals(ends.low), highKg: totals(ends.high), spans: dieAreaSpan(spec) } } : {}),
  });
}

export const dieAreaActV1Model: EmbodiedModel = {
  id: 'die-area-act-v1',
  summary: 'die-area-v1 with ACT memory factors (Gupta et al. 2022, SK hynix-based: 48-65 gCO2e/GB for current DRAM) instead of the study\'s untraced ones',
  formula: FORMULA,
  estimate: dieAreaActV1,
};
