/**
 * What every die-area embodied model shares: the study's IC-factor selection rule, the
 * memory factor look-up and the result shape.
 */
import { errors } from '../../errors.js';
import { IC_FACTORS } from '../data/ic-factors.generated.js';
import { MEMORY_FACTORS } from '../data/memory-factors.generated.js';
import { THESIS_FGPU } from '../data/thesis-fgpu.generated.js';
import type { Range } from '../lca.js';
import type { HardwareSpec, IcFactor, MemoryFactor, ThesisFgpuRow } from '../types.js';

export type EmbodiedModelId = 'die-area-v1' | 'die-area-density-v1' | 'thesis-2025-constants';

/** The factor tables a model reads; injectable so tests and users can try other factors. */
export interface EmbodiedTables {
  readonly icFactors: readonly IcFactor[];
  readonly memoryFactors: readonly MemoryFactor[];
  /** The study's typed F_GPU values (thesis-2025-constants only). */
  readonly thesisFgpu: readonly ThesisFgpuRow[];
}

export const DEFAULT_TABLES: EmbodiedTables = { icFactors: IC_FACTORS, memoryFactors: MEMORY_FACTORS, thesisFgpu: THESIS_FGPU };

/** One manufacturing-footprint estimate: one IC factor row, with its processor and memory parts (kgCO2e). */
export interface EmbodiedCandidate {
  readonly factor: IcFactor;
  readonly processorKg: number;
  readonly memoryKg: number;
  readonly totalKg: number;
}

export interface EmbodiedResult {
  readonly model: EmbodiedModelId;
  readonly hardwareId: string;
  readonly formula: string;
  /** totalKg of each candidate, in factor-table order. */
  readonly candidatesKg: readonly number[];
  readonly minKg: number;
  readonly meanKg: number;
  readonly maxKg: number;
  readonly candidates: readonly EmbodiedCandidate[];
  readonly inputs: {
    readonly dieAreaCm2: number;
    readonly techNodeNm: number;
    readonly year: number;
    readonly foundry: string;
    readonly memoryGb: number;
    readonly memoryType: string;
  };
  readonly memoryFactor: MemoryFactor;
  /** Citations behind the numbers: hardware row, IC factors, memory factor. */
  readonly sources: readonly string[];
}

export interface EmbodiedModel {
  readonly id: EmbodiedModelId;
  readonly summary: string;
  readonly formula: string;
  estimate(spec: HardwareSpec, tables?: EmbodiedTables): EmbodiedResult;
}

/** mm² → cm², as the study writes it (`die_area_mm2 × 0.01`). */
export const CM2_PER_MM2 = 0.01;

export const PIRSON_2023 =
  'Pirson et al. 2023, "The Environmental Footprint of IC Production: Review, Analysis, and Lessons from Historical Trends", IEEE Transactions on Semiconductor Manufacturing (per-cm² IC factors, values as recovered from the study\'s code)';

function isNodeRow(f: IcFactor): boolean {
  return f.category === 'Literature' || f.category === 'Database' || f.category === 'Literature/Database';
}

/**
 * The study's rule (Plots/bar_impact.py): Literature/Database rows whose node equals the
 * device's node; Industry rows whose year and foundry equal the device's; Roadmapping rows
 * whose year equals the device's. Rows keep table order, which is the study's list order.
 */
export function selectIcFactors(spec: HardwareSpec, icFactors: readonly IcFactor[]): IcFactor[] {
  const picked = icFactors.filter((f) => {
    if (isNodeRow(f)) return f.techNodeNm === spec.techNodeNm;
    if (f.category === 'Industry') return f.year === spec.year && f.foundry === spec.foundry;
    return f.year === spec.year;
  });
  if (picked.length === 0) {
    throw errors.invalidValue(
      { field: 'tech_node_nm' },
      `no IC factor matches ${spec.id} (node ${spec.techNodeNm} nm, ${spec.foundry} ${spec.year}): add a row to data/sources/ic-factors.csv`,
    );
  }
  return picked;
}

export function memoryFactorFor(spec: HardwareSpec, memoryFactors: readonly MemoryFactor[]): MemoryFactor {
  const m = memoryFactors.find((f) => f.memoryType === spec.memoryType);
  if (!m) throw errors.invalidValue({ field: 'memory_type' }, `no memory factor for '${spec.memoryType}' (${spec.id})`);
  return m;
}

/** Assemble the result from candidates, with min / mean / max over them. */
export function embodiedResult(
  model: EmbodiedModelId,
  formula: string,
  spec: HardwareSpec,
  memoryFactor: MemoryFactor,
  candidates: readonly EmbodiedCandidate[],
  extraSources: readonly string[] = [],
): EmbodiedResult {
  const candidatesKg = candidates.map((c) => c.totalKg);
  const sources = [`hardware: ${spec.source}`, `IC factors: ${PIRSON_2023}`, `memory: ${memoryFactor.source}`, ...extraSources];
  return {
    model,
    hardwareId: spec.id,
    formula,
    candidatesKg,
    minKg: Math.min(...candidatesKg),
    meanKg: candidatesKg.reduce((a, b) => a + b, 0) / candidatesKg.length,
    maxKg: Math.max(...candidatesKg),
    candidates,
    inputs: {
      dieAreaCm2: spec.dieAreaMm2 * CM2_PER_MM2,
      techNodeNm: spec.techNodeNm,
      year: spec.year,
      foundry: spec.foundry,
      memoryGb: spec.memoryGb,
      memoryType: spec.memoryType,
    },
    memoryFactor,
    sources,
  };
}

/**
 * The processor (die) and memory parts of an estimate over its candidates, kg CO2e. The
 * memory part is the same for every candidate under die-area-v1 and the study's constants, but
 * follows the IC factor under die-area-density-v1, so both are ranges.
 */
export function embodiedParts(e: EmbodiedResult): { readonly processorKg: Range; readonly memoryKg: Range } {
  const range = (xs: readonly number[]): Range => ({ mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) });
  return { processorKg: range(e.candidates.map((c) => c.processorKg)), memoryKg: range(e.candidates.map((c) => c.memoryKg)) };
}
