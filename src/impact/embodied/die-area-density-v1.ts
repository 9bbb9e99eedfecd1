/**
 * `die-area-density-v1` — the study's memory method 1 (Plots/plot_impact.py): the memory is
 * costed as silicon too. Its die area follows from capacity and density
 * (GB × 8 Gbit/GB ÷ density Gbit/mm²), and that area takes the same IC factor as the
 * processor in each candidate. Matches `F_GPU_method1_mean` of the study's table.
 *
 * Where a density is contested (HBM: the study's table says 0.274 Gb/mm², its notes 0.137;
 * no primary source settles it), the mean uses the table's value and min/max span both, as
 * they span an untraced die-area range.
 */
import type { HardwareSpec, MemoryFactor } from '../types.js';
import {
  CM2_PER_MM2,
  DEFAULT_TABLES,
  dieAreaEnds,
  dieAreaSpan,
  embodiedResult,
  memoryFactorFor,
  processorCandidates,
  type EmbodiedModel,
  type EmbodiedResult,
  type EmbodiedTables,
} from './common.js';

const FORMULA = 'F_k = (die_mm2 + memory_GB × 8 / density_Gbit_per_mm2) × 0.01 × IC_k [kgCO2e/cm2]';
const GBIT_PER_GB = 8;

export function dieAreaDensityV1(spec: HardwareSpec, tables: EmbodiedTables = DEFAULT_TABLES): EmbodiedResult {
  const mem = memoryFactorFor(spec, tables.memoryFactors);
  const areaCm2 = (density: number): number => (mem === undefined ? 0 : ((spec.memoryGb * GBIT_PER_GB) / density) * CM2_PER_MM2);
  // Memory takes the (first) processor die's factor, as the study's method 1 does.
  const totals = (s: HardwareSpec, memCm2: number): number[] => processorCandidates(s, tables.icFactors).map((p) => p.processorKg + memCm2 * p.factor.valueKgPerCm2);
  const memoryAreaCm2 = mem === undefined ? 0 : areaCm2(mem.densityGbitPerMm2);
  const candidates = processorCandidates(spec, tables.icFactors).map((p) => {
    const memoryKg = memoryAreaCm2 * p.factor.valueKgPerCm2;
    return { ...p, memoryKg, totalKg: p.processorKg + memoryKg };
  });
  const alt = mem?.densityAltGbitPerMm2;
  const ends = dieAreaEnds(spec);
  if (mem === undefined || (alt === undefined && ends === undefined)) return embodiedResult('die-area-density-v1', FORMULA, spec, mem, candidates, [], { untracedMemory: densityUntraced(mem) });
  // Low end: smallest die, densest memory (smallest area); high end: the opposite.
  const dHigh = Math.max(mem.densityGbitPerMm2, alt ?? mem.densityGbitPerMm2);
  const dLow = Math.min(mem.densityGbitPerMm2, alt ?? mem.densityGbitPerMm2);
  const spans = [...dieAreaSpan(spec), ...(alt !== undefined ? [`${mem.memoryType} density ${dLow}–${dHigh} Gb/mm² (contested)`] : [])];
  return embodiedResult('die-area-density-v1', FORMULA, spec, mem, candidates, [], {
    envelope: { lowKg: totals(ends?.low ?? spec, areaCm2(dHigh)), highKg: totals(ends?.high ?? spec, areaCm2(dLow)), spans },
    untracedMemory: densityUntraced(mem),
  });
}

/** Method 1 uses the density, not the per-GB factor: say so for an untraced row. */
function densityUntraced(mem: MemoryFactor | undefined): string | undefined {
  if (mem?.untraced === undefined) return undefined;
  return `memory density ${mem.memoryType} ${mem.densityGbitPerMm2} Gb/mm²${mem.densityAltGbitPerMm2 !== undefined ? ` (other end ${mem.densityAltGbitPerMm2})` : ''}: untraced — ${mem.untraced}`;
}

export const dieAreaDensityV1Model: EmbodiedModel = {
  id: 'die-area-density-v1',
  summary: "the study's memory method 1: memory costed as silicon area (capacity ÷ density) × the same IC factor",
  formula: FORMULA,
  estimate: dieAreaDensityV1,
};
