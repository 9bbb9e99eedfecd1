/**
 * `die-area-density-v1` — the study's memory method 1 (Plots/plot_impact.py): the memory is
 * costed as silicon too. Its die area follows from capacity and density
 * (GB × 8 Gbit/GB ÷ density Gbit/mm²), and that area takes the same IC factor as the
 * processor in each candidate. Matches `F_GPU_method1_mean` of the study's table.
 */
import type { HardwareSpec } from '../types.js';
import {
  CM2_PER_MM2,
  DEFAULT_TABLES,
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
  const memoryAreaCm2 = mem === undefined ? 0 : ((spec.memoryGb * GBIT_PER_GB) / mem.densityGbitPerMm2) * CM2_PER_MM2;
  // Memory takes the (first) processor die's factor, as the study's method 1 does.
  const candidates = processorCandidates(spec, tables.icFactors).map((p) => {
    const memoryKg = memoryAreaCm2 * p.factor.valueKgPerCm2;
    return { ...p, memoryKg, totalKg: p.processorKg + memoryKg };
  });
  return embodiedResult('die-area-density-v1', FORMULA, spec, mem, candidates);
}

export const dieAreaDensityV1Model: EmbodiedModel = {
  id: 'die-area-density-v1',
  summary: "the study's memory method 1: memory costed as silicon area (capacity ÷ density) × the same IC factor",
  formula: FORMULA,
  estimate: dieAreaDensityV1,
};
