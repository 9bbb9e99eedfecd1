/**
 * What every die-area embodied model shares: the study's IC-factor selection rule, the
 * memory factor look-up and the result shape.
 */
import { errors } from '../../errors.js';
import { IC_FACTORS } from '../data/ic-factors.generated.js';
import { MEMORY_FACTORS, MEMORY_FACTORS_ACT } from '../data/memory-factors.generated.js';
import { THESIS_FGPU } from '../data/thesis-fgpu.generated.js';
import type { Range } from '../lca.js';
import { untracedFactLines } from '../provenance.js';
import { NO_MEMORY, type ActMemoryFactor, type DieSpec, type HardwareSpec, type IcFactor, type MemoryFactor, type ThesisFgpuRow } from '../types.js';

export type EmbodiedModelId = 'die-area-v1' | 'die-area-density-v1' | 'die-area-act-v1' | 'thesis-2025-constants';

/** The factor tables a model reads; injectable so tests and users can try other factors. */
export interface EmbodiedTables {
  readonly icFactors: readonly IcFactor[];
  readonly memoryFactors: readonly MemoryFactor[];
  /** ACT's per-GB memory factors (die-area-act-v1 only). */
  readonly actMemoryFactors: readonly ActMemoryFactor[];
  /** The study's typed F_GPU values (thesis-2025-constants only). */
  readonly thesisFgpu: readonly ThesisFgpuRow[];
}

export const DEFAULT_TABLES: EmbodiedTables = { icFactors: IC_FACTORS, memoryFactors: MEMORY_FACTORS, actMemoryFactors: MEMORY_FACTORS_ACT, thesisFgpu: THESIS_FGPU };

/** The IC factor one die type of a multi-die part took in a candidate, and its part (kgCO2e). */
export interface DieFactor {
  readonly role: string;
  readonly count: number;
  readonly areaMm2: number;
  readonly factor: IcFactor;
  /** count × area × factor, kgCO2e. */
  readonly kg: number;
}

/**
 * One manufacturing-footprint estimate: one IC factor row, with its processor and memory
 * parts (kgCO2e). For a multi-die part, one matching factor per die type: `dies` lists them
 * and `factor` is the first (compute) die's.
 */
export interface EmbodiedCandidate {
  readonly factor: IcFactor;
  readonly processorKg: number;
  readonly memoryKg: number;
  readonly totalKg: number;
  readonly dies?: readonly DieFactor[];
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
    /** Multi-die parts: each die type with its node. */
    readonly dies?: readonly DieSpec[];
  };
  /** Absent for a part without memory of its own (a CPU: host DRAM is not part of the entry). */
  readonly memoryFactor?: MemoryFactor;
  /** die-area-act-v1: the ACT factor used for the memory (memoryFactor is then absent). */
  readonly actMemoryFactor?: ActMemoryFactor;
  /** Citations behind the numbers: hardware row, IC factors, memory factor. */
  readonly sources: readonly string[];
  /**
   * What min–max spans, in words: the IC factor candidates, and any input known only as a
   * range (an untraced die area, a contested density) or another model merged in
   * (`alsoSpans`). The mean is always over the candidates at the inputs' values.
   */
  readonly spans: readonly string[];
  /** Inputs of this estimate that could not be traced to a source, each with what is known. */
  readonly untraced: readonly string[];
  /** Other models whose range this result's min/max also cover (the default preset's second memory-factor set). */
  readonly alsoSpans?: readonly { readonly model: EmbodiedModelId; readonly minKg: number; readonly maxKg: number }[];
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
  return selectFor(spec, spec.id, icFactors);
}

function selectFor(key: { readonly techNodeNm: number; readonly year: number; readonly foundry: string }, what: string, icFactors: readonly IcFactor[]): IcFactor[] {
  const picked = icFactors.filter((f) => {
    if (isNodeRow(f)) return f.techNodeNm === key.techNodeNm;
    if (f.category === 'Industry') return f.year === key.year && f.foundry === key.foundry;
    return f.year === key.year;
  });
  if (picked.length === 0) {
    throw errors.invalidValue(
      { field: 'tech_node_nm' },
      `no IC factor matches ${what} (node ${key.techNodeNm} nm, ${key.foundry} ${key.year}): add a row to data/sources/ic-factors.csv`,
    );
  }
  return picked;
}

/** The processor part of each candidate, before memory. */
export interface ProcessorCandidate {
  readonly factor: IcFactor;
  readonly processorKg: number;
  readonly dies?: readonly DieFactor[];
}

/**
 * The processor candidates of a part. One die: one per matching IC factor (the study's
 * rule), `die_mm2 × 0.01 × IC`. Several die types (chiplets): each die type is matched on its
 * own node, year and foundry, and a candidate is one combination of one factor per die type
 * (every combination, first die type outermost, each in table order); its processor part is
 * the sum of `count × area × 0.01 × IC` over the die types. The mean over candidates is then
 * the sum of the die types' means, and min/max pair the smallest/largest factors.
 */
export function processorCandidates(spec: HardwareSpec, icFactors: readonly IcFactor[]): ProcessorCandidate[] {
  if (spec.dies === undefined) {
    return selectIcFactors(spec, icFactors).map((factor) => ({ factor, processorKg: spec.dieAreaMm2 * CM2_PER_MM2 * factor.valueKgPerCm2 }));
  }
  const perDie = spec.dies.map((d) =>
    selectFor({ techNodeNm: d.techNodeNm, year: spec.year, foundry: d.foundry }, `${spec.id} ${d.role}`, icFactors).map(
      (factor): DieFactor => ({ role: d.role, count: d.count, areaMm2: d.areaMm2, factor, kg: d.count * d.areaMm2 * CM2_PER_MM2 * factor.valueKgPerCm2 }),
    ),
  );
  let combos: DieFactor[][] = [[]];
  for (const options of perDie) combos = combos.flatMap((c) => options.map((o) => [...c, o]));
  return combos.map((dies) => ({ factor: dies[0]!.factor, processorKg: dies.reduce((a, d) => a + d.kg, 0), dies }));
}

/** A candidate's IC factor key(s), for people: `node=7nm`, or per die `CCD node=7nm + IOD node=16nm`. */
export function candidateKey(c: Pick<EmbodiedCandidate, 'factor' | 'dies'>): string {
  return c.dies === undefined ? c.factor.matchKey : c.dies.map((d) => `${d.role} ${d.factor.matchKey}`).join(' + ');
}

/** The memory factor of the part's memory type; undefined for a part with no memory of its own (NO_MEMORY). */
export function memoryFactorFor(spec: HardwareSpec, memoryFactors: readonly MemoryFactor[]): MemoryFactor | undefined {
  if (spec.memoryType === NO_MEMORY) {
    if (spec.memoryGb !== 0) throw errors.invalidValue({ field: 'memory_gb' }, `${spec.id} has memory type '${NO_MEMORY}' but ${spec.memoryGb} GB`);
    return undefined;
  }
  const m = memoryFactors.find((f) => f.memoryType === spec.memoryType);
  if (!m) throw errors.invalidValue({ field: 'memory_type' }, `no memory factor for '${spec.memoryType}' (${spec.id})`);
  return m;
}

/**
 * The candidates' totals with every ranged input at its low (high) end, when the part has
 * such inputs: they widen min (max) beyond the candidates, the mean stays on the candidates.
 */
export interface Envelope {
  readonly lowKg: readonly number[];
  readonly highKg: readonly number[];
  /** What the envelope spans, for `spans`. */
  readonly spans: readonly string[];
}

/** The part with its die area at each end of its range (undefined when it has no range). */
export function dieAreaEnds(spec: HardwareSpec): { readonly low: HardwareSpec; readonly high: HardwareSpec } | undefined {
  const r = spec.dieAreaRangeMm2;
  return r === undefined ? undefined : { low: { ...spec, dieAreaMm2: r.min }, high: { ...spec, dieAreaMm2: r.max } };
}

/** `die area 377.5–455 mm² (untraced)` when the part has a die-area range. */
export function dieAreaSpan(spec: HardwareSpec): string[] {
  const r = spec.dieAreaRangeMm2;
  return r === undefined ? [] : [`die area ${r.min}–${r.max} mm² (untraced)`];
}

/** Untraced inputs common to the die-area models: hardware facts, the IC factors used, the memory factor. */
export function untracedInputs(spec: HardwareSpec, candidates: readonly EmbodiedCandidate[], memory: string | undefined): string[] {
  const factors = new Map<string, IcFactor>();
  for (const c of candidates) for (const f of c.dies ? c.dies.map((d) => d.factor) : [c.factor]) factors.set(f.id, f);
  const ic = [...factors.values()].filter((f) => f.untraced !== undefined);
  const out = untracedFactLines(spec, ['die_area_mm2', 'tech_node_nm', 'year', 'foundry', 'memory_gb', 'memory_type']);
  if (ic.length > 0) out.push(`IC factors ${ic.map((f) => `${f.matchKey} ${f.valueKgPerCm2}`).join(', ')} kgCO2e/cm² (Pirson et al. 2023): untraced — ${ic[0]!.untraced!}`);
  if (memory !== undefined) out.push(memory);
  return out;
}

/** Assemble the result from candidates, with the mean over them and min / max over them and the envelope. */
export function embodiedResult(
  model: EmbodiedModelId,
  formula: string,
  spec: HardwareSpec,
  memoryFactor: MemoryFactor | undefined,
  candidates: readonly EmbodiedCandidate[],
  extraSources: readonly string[] = [],
  extra: { readonly envelope?: Envelope; readonly untracedMemory?: string | undefined; readonly actMemoryFactor?: ActMemoryFactor } = {},
): EmbodiedResult {
  const candidatesKg = candidates.map((c) => c.totalKg);
  const memorySource = extra.actMemoryFactor ? [`memory: ${extra.actMemoryFactor.source}`] : memoryFactor ? [`memory: ${memoryFactor.source}`] : [];
  const sources = [`hardware: ${spec.source}`, `IC factors: ${PIRSON_2023}`, ...memorySource, ...extraSources];
  const low = [...candidatesKg, ...(extra.envelope?.lowKg ?? [])];
  const high = [...candidatesKg, ...(extra.envelope?.highKg ?? [])];
  const untracedMemory =
    extra.untracedMemory ?? (memoryFactor?.untraced !== undefined && extra.actMemoryFactor === undefined ? `memory factor ${memoryFactor.memoryType} ${memoryFactor.gCo2ePerGb} gCO2e/GB: untraced — ${memoryFactor.untraced}` : undefined);
  return {
    model,
    hardwareId: spec.id,
    formula,
    candidatesKg,
    minKg: Math.min(...low),
    meanKg: candidatesKg.reduce((a, b) => a + b, 0) / candidatesKg.length,
    maxKg: Math.max(...high),
    candidates,
    inputs: {
      dieAreaCm2: spec.dieAreaMm2 * CM2_PER_MM2,
      techNodeNm: spec.techNodeNm,
      year: spec.year,
      foundry: spec.foundry,
      memoryGb: spec.memoryGb,
      memoryType: spec.memoryType,
      ...(spec.dies !== undefined ? { dies: spec.dies } : {}),
    },
    ...(memoryFactor !== undefined ? { memoryFactor } : {}),
    ...(extra.actMemoryFactor !== undefined ? { actMemoryFactor: extra.actMemoryFactor } : {}),
    sources,
    spans: [`${candidates.length} IC factor candidate(s)`, ...(extra.envelope?.spans ?? [])],
    untraced: untracedInputs(spec, candidates, untracedMemory),
  };
}

/**
 * Widen a result's min–max to cover other models' (the default preset spans both memory-factor
 * sets this way). The mean, the candidates and the model id stay the primary's: the result
 * says which models its range also covers (`alsoSpans`, `spans`).
 */
export function spanModels(primary: EmbodiedResult, others: readonly EmbodiedResult[], why: string): EmbodiedResult {
  if (others.length === 0) return primary;
  return {
    ...primary,
    minKg: Math.min(primary.minKg, ...others.map((o) => o.minKg)),
    maxKg: Math.max(primary.maxKg, ...others.map((o) => o.maxKg)),
    sources: [...primary.sources, ...others.flatMap((o) => o.sources.filter((x) => !primary.sources.includes(x)))],
    spans: [...primary.spans, why],
    alsoSpans: [...(primary.alsoSpans ?? []), ...others.map((o) => ({ model: o.model, minKg: o.minKg, maxKg: o.maxKg }))],
  };
}

/** ACT's factor for the part's memory type; undefined for a part with no memory of its own. */
export function actMemoryFactorFor(spec: HardwareSpec, factors: readonly ActMemoryFactor[]): ActMemoryFactor | undefined {
  if (spec.memoryType === NO_MEMORY) return undefined;
  const m = factors.find((f) => f.memoryType === spec.memoryType);
  if (!m) throw errors.invalidValue({ field: 'memory_type' }, `no ACT memory factor for '${spec.memoryType}' (${spec.id}): add a row to data/sources/memory-factors-act.csv`);
  return m;
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
