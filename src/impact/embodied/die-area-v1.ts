/**
 * `die-area-v1` — the study's embodied model (Simeu 2025 after Morand et al. 2024):
 * processor die area × per-cm² IC factor (Pirson et al. 2023, every matching row is one
 * candidate) plus memory capacity × a per-GB factor by memory type (the study's memory
 * method 2). Reproduces the study's F_GPU lists to 1e-6 kg. A multi-die CPU sums its die
 * types, each on its own node (processorCandidates); a CPU carries no memory of its own.
 * A die area known only as a range (untraced) widens min/max; the mean uses its value.
 */
import type { HardwareSpec } from '../types.js';
import {
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

const FORMULA = 'F_k = die_mm2 × 0.01 × IC_k [kgCO2e/cm2] + memory_GB × mem_gCO2e_per_GB / 1000';

export function dieAreaV1(spec: HardwareSpec, tables: EmbodiedTables = DEFAULT_TABLES): EmbodiedResult {
  const mem = memoryFactorFor(spec, tables.memoryFactors);
  // The memory part does not depend on the IC factor: it is the same for every candidate.
  const memoryKg = mem === undefined ? 0 : (spec.memoryGb * mem.gCo2ePerGb) / 1000;
  const totals = (s: HardwareSpec): number[] => processorCandidates(s, tables.icFactors).map((p) => p.processorKg + memoryKg);
  const candidates = processorCandidates(spec, tables.icFactors).map((p) => ({ ...p, memoryKg, totalKg: p.processorKg + memoryKg }));
  const ends = dieAreaEnds(spec);
  return embodiedResult('die-area-v1', FORMULA, spec, mem, candidates, [], ends ? { envelope: { lowKg: totals(ends.low), highKg: totals(ends.high), spans: dieAreaSpan(spec) } } : {});
}

export const dieAreaV1Model: EmbodiedModel = {
  id: 'die-area-v1',
  summary: "the study's model: die area × Pirson IC factors (by node, year, foundry) + memory GB × factor by memory type",
  formula: FORMULA,
  estimate: dieAreaV1,
};
