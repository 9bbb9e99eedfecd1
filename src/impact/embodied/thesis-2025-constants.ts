/**
 * `thesis-2025-constants` — the F_GPU values the study typed into Plots/perf_show.py. They
 * are die-area-v1 results rounded by the study to 1e-6 kg (from factor values with more
 * digits than were recovered), and they made the published numbers: reproducing Table 5.1
 * to 1e-9 needs them, not the recomputation. Only the study's ten measured devices have
 * them; `hasThesisConstants` says which.
 *
 * Each candidate keeps the recomputed breakdown (processor and memory parts from
 * die-area-v1) for display; its `totalKg` is the study's constant, which differs from
 * processor + memory by less than 1e-6 kg.
 */
import { errors } from '../../errors.js';
import { thesisSpec } from '../provenance.js';
import type { HardwareSpec } from '../types.js';
import {
  CM2_PER_MM2,
  DEFAULT_TABLES,
  embodiedResult,
  memoryFactorFor,
  type EmbodiedModel,
  type EmbodiedResult,
  type EmbodiedTables,
} from './common.js';

const FORMULA = "F_k = the study's typed constant (perf_show.py) = die_mm2 × 0.01 × IC_k + memory_GB × mem_gCO2e_per_GB / 1000, rounded to 1e-6 kg";

export function hasThesisConstants(spec: HardwareSpec, tables: EmbodiedTables = DEFAULT_TABLES): boolean {
  return tables.thesisFgpu.some((r) => r.hardwareId === spec.id);
}

export function thesis2025Constants(given: HardwareSpec, tables: EmbodiedTables = DEFAULT_TABLES): EmbodiedResult {
  // The study's constants came from the study's own values (its die area, memory type): the
  // breakdown is recomputed from those too, and its min/max span the candidates only.
  const spec = thesisSpec(given);
  const rows = tables.thesisFgpu.filter((r) => r.hardwareId === spec.id);
  if (rows.length === 0) {
    throw errors.invalidValue({ field: 'embodied model' }, `the study gives no F_GPU constants for ${spec.id}: use die-area-v1`);
  }
  const mem = memoryFactorFor(spec, tables.memoryFactors);
  const memoryKg = mem === undefined ? 0 : (spec.memoryGb * mem.gCo2ePerGb) / 1000;
  const candidates = rows.map((r) => {
    const factor = tables.icFactors.find((f) => f.id === r.icFactorId);
    if (!factor) throw errors.internal(`IC factor ${r.icFactorId} missing for ${spec.id}`);
    return { factor, processorKg: spec.dieAreaMm2 * CM2_PER_MM2 * factor.valueKgPerCm2, memoryKg, totalKg: r.fGpuKg };
  });
  return embodiedResult('thesis-2025-constants', FORMULA, spec, mem, candidates, [`F_GPU constants: ${rows[0]!.source}`]);
}

export const thesis2025ConstantsModel: EmbodiedModel = {
  id: 'thesis-2025-constants',
  summary: "the study's typed F_GPU values (die-area-v1 rounded to 1e-6 kg); only for its ten measured devices",
  formula: FORMULA,
  estimate: thesis2025Constants,
};
