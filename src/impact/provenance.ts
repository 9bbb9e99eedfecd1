/**
 * Where each hardware fact comes from, and the study's own values where they differ.
 *
 * Every fact of an accelerator row cites a reference (`HardwareSpec.factSources` → a key of
 * `REFERENCES`, data/sources/references.csv). A reference with status `untraced` marks a
 * value no source was found for (its citation says what is known); `study` marks a value
 * taken from the study's table and not checked upstream. Pure: no I/O.
 */
import { REFERENCES as REFERENCE_TABLE } from './data/references.generated.js';
import { HARDWARE_FACTS, type HardwareFact, type HardwareSpec, type Reference, type StudyHardwareValues } from './types.js';

export type { HardwareFact, Reference, ReferenceStatus, StudyHardwareValues } from './types.js';
export { HARDWARE_FACTS } from './types.js';

export const REFERENCES: readonly Reference[] = REFERENCE_TABLE;
const BY_KEY: ReadonlyMap<string, Reference> = new Map(REFERENCES.map((r) => [r.key, r]));

export function referenceOf(key: string): Reference | undefined {
  return BY_KEY.get(key);
}

/** One fact of a device with the reference behind it. */
export interface FactProvenance {
  readonly fact: HardwareFact;
  /** The value as people read it (`455 mm²`, `350 W`, `HBM3`). */
  readonly value: string;
  readonly reference: Reference;
}

const FACT_UNITS: Readonly<Record<HardwareFact, (h: HardwareSpec) => string | undefined>> = {
  die_area_mm2: (h) => `${h.dieAreaMm2} mm²${h.dieAreaRangeMm2 ? ` (range ${h.dieAreaRangeMm2.min}–${h.dieAreaRangeMm2.max} mm²)` : ''}`,
  tech_node_nm: (h) => `${h.techNodeNm} nm${h.process ? ` (${h.process})` : ''}`,
  year: (h) => String(h.year),
  foundry: (h) => h.foundry,
  memory_gb: (h) => `${h.memoryGb} GB`,
  memory_type: (h) => h.memoryType,
  tdp_w: (h) => `${h.tdpW} W`,
  gflops_fp32: (h) => (h.gflopsFp32 !== undefined ? `${h.gflopsFp32} GFLOPS` : undefined),
  compute_capability: (h) => h.computeCapability,
};

/** Each fact of the device with its reference, in a fixed order; empty for a row without per-fact sources (CPUs). */
export function factProvenance(spec: HardwareSpec): FactProvenance[] {
  const out: FactProvenance[] = [];
  for (const fact of HARDWARE_FACTS) {
    const key = spec.factSources?.[fact];
    const value = FACT_UNITS[fact](spec);
    const reference = key === undefined ? undefined : BY_KEY.get(key);
    if (reference !== undefined && value !== undefined) out.push({ fact, value, reference });
  }
  return out;
}

/** The facts of a device that no source was found for (reference status `untraced`). */
export function untracedFacts(spec: HardwareSpec): FactProvenance[] {
  return factProvenance(spec).filter((f) => f.reference.status === 'untraced');
}

/** One line per untraced fact, for results: `die area 455 mm² (AGX-Orin): untraced — <what is known>`. */
export function untracedFactLines(spec: HardwareSpec, facts: readonly HardwareFact[] = HARDWARE_FACTS): string[] {
  return untracedFacts(spec)
    .filter((f) => facts.includes(f.fact))
    .map((f) => `${f.fact.replace(/_(mm2|nm|gb|w)$/, '').replace(/_/g, ' ')} ${f.value} (${spec.id}): untraced — ${f.reference.citation}`);
}

/** A fact whose corrected value differs from the study's. */
export interface StudyDifference {
  readonly field: keyof StudyHardwareValues;
  readonly value: number | string;
  readonly studyValue: number | string;
}

/** Where the study's table differs from the corrected row (empty when it agrees). */
export function studyDifferences(spec: HardwareSpec): StudyDifference[] {
  const s = spec.study;
  if (s === undefined) return [];
  const pairs: [keyof StudyHardwareValues, number | string | undefined, number | string | undefined][] = [
    ['dieAreaMm2', spec.dieAreaMm2, s.dieAreaMm2],
    ['year', spec.year, s.year],
    ['memoryType', spec.memoryType, s.memoryType],
    ['tdpW', spec.tdpW, s.tdpW],
    ['computeCapability', spec.computeCapability, s.computeCapability],
  ];
  return pairs.flatMap(([field, value, studyValue]) => (studyValue !== undefined && value !== undefined ? [{ field, value, studyValue }] : []));
}

/**
 * The device as the study saw it: its own values where they differ from the corrected ones,
 * and no die-area range (the study's min/max span the IC factor candidates only). The
 * `thesis-2025` preset computes with this, so the study's published numbers reproduce.
 */
export function thesisSpec(spec: HardwareSpec): HardwareSpec {
  const s = spec.study;
  if (s === undefined && spec.dieAreaRangeMm2 === undefined) return spec;
  const rest: { -readonly [K in keyof HardwareSpec]: HardwareSpec[K] } = { ...spec };
  delete rest.dieAreaRangeMm2;
  return {
    ...rest,
    ...(s?.dieAreaMm2 !== undefined ? { dieAreaMm2: s.dieAreaMm2 } : {}),
    ...(s?.year !== undefined ? { year: s.year } : {}),
    ...(s?.memoryType !== undefined ? { memoryType: s.memoryType } : {}),
    ...(s?.tdpW !== undefined ? { tdpW: s.tdpW } : {}),
    ...(s?.computeCapability !== undefined ? { computeCapability: s.computeCapability } : {}),
  };
}
