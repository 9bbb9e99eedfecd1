/**
 * Shapes of the impact layer's data tables. The tables themselves are generated from
 * `data/sources/*.csv` by `data/generate.ts` into `src/impact/data/*.generated.ts`, which
 * check themselves against these types (`as const satisfies ...`). Every row carries its
 * source; numbers carry their unit in the field name.
 */

import type { CpuClass } from './cpu-names.js';

/**
 * What a device is, and so how it reports power: NVML / nvidia-smi in W (`gpu`), tegrastats
 * (INA3221) in mW (`jetson`), or a host CPU (`cpu`: RAPL or the `estimate` sensor, in W).
 * Whole servers are a separate table (`ServerSpec`, kind `server`): they carry a declared
 * footprint, not a die.
 */
export type HardwareKind = 'gpu' | 'jetson' | 'cpu';

/** The study's functional categories (`FU` column of g5k_edge.csv); they decide the PUE. */
export type HardwareCategory = 'Large-scale' | 'Desktop' | 'Gaming' | 'Edge';
export const HARDWARE_CATEGORIES: readonly HardwareCategory[] = ['Large-scale', 'Desktop', 'Gaming', 'Edge'];

/**
 * `memoryType` of a part that carries no memory of its own (a CPU: host DRAM is a separate
 * component, not part of the CPU entry). Its `memoryGb` is 0 and no memory factor applies.
 */
export const NO_MEMORY = 'none';

export interface HardwareSpec {
  /** Stable id, as in the study's g5k_edge.csv where the device is there (`A100`, `AGX-Orin`). */
  readonly id: string;
  readonly name: string;
  readonly kind: HardwareKind;
  readonly category: HardwareCategory;
  readonly dieAreaMm2: number;
  /** The node used to match IC factors (TSMC 4N is keyed to 5 nm, as the study did for the H100). */
  readonly techNodeNm: number;
  /** The foundry's process name, for people; IC factors match on `techNodeNm`. */
  readonly process?: string;
  /** Release year, used to match year-based IC factors. */
  readonly year: number;
  readonly foundry: string;
  readonly memoryGb: number;
  /** Key into the memory factor table (`HBM2e`, `GDDR6`, `LPDDR5`, ...). */
  readonly memoryType: string;
  /** Board power (TDP / power limit) in W. */
  readonly tdpW: number;
  readonly gflopsFp32?: number;
  readonly computeCapability?: string;
  /** Other names the device goes by (nvidia-smi, tegrastats, dataset tags, MLPerf systems). */
  readonly aliases: readonly string[];
  readonly source: string;
  readonly sourceYear: number;
  /** What is uncertain or chosen, and why. */
  readonly note?: string;
  /** CPUs: physical cores of one chip. */
  readonly cores?: number;
  /** CPUs: server, desktop or laptop (server → Large-scale, the others → Desktop). */
  readonly cpuClass?: CpuClass;
  /**
   * Multi-die (chiplet) parts: each die type on its own node, so the embodied model can match
   * IC factors die by die. `dieAreaMm2` is then the total, and `techNodeNm`, `process` and
   * `foundry` are those of the first (compute) die. Absent: one monolithic die.
   */
  readonly dies?: readonly DieSpec[];
  /**
   * Set on a class entry, which stands for any CPU of its class that the table does not name.
   * It is not a specific part: its silicon is that of `modelledOn`, the class's median part
   * by total die area among `members` parts with known dies.
   */
  readonly generic?: { readonly modelledOn: string; readonly members: number };
}

/** One kind of die in a package (`8 × CCD 74 mm² TSMC N7`). */
export interface DieSpec {
  /** What the die is (`CCD`, `IOD`, `tile`, `die`). */
  readonly role: string;
  readonly count: number;
  /** Area of one die, mm². */
  readonly areaMm2: number;
  /** The node the IC factors are matched on (keyed as for GPUs: Intel 7 → 7, 14 nm → 16). */
  readonly techNodeNm: number;
  readonly foundry: string;
  /** The foundry's process name, for people. */
  readonly process: string;
}

/**
 * One CPU model of data/sources/cpu-tdp.csv, as the name resolver sees it: the pattern its
 * `/proc/cpuinfo` name is matched on, its class, and the hardware entry it resolves to (its
 * own when its dies are known, else its class's generic entry).
 */
export interface CpuModelRow {
  /** The model as the table writes it (`Xeon Platinum 8480+`). */
  readonly model: string;
  /** `model` normalised (normaliseCpuModel), matched as whole words. */
  readonly pattern: string;
  readonly cpuClass: CpuClass;
  readonly hardwareId: string;
}

/**
 * A whole server with a declared (published) manufacturing footprint: a manufacturer's
 * product carbon footprint or a Boavizta value, for a later host-footprint feature. No die,
 * no memory model: the number is the source's, for the configuration it describes.
 */
export interface ServerSpec {
  readonly id: string;
  readonly name: string;
  readonly kind: 'server';
  /** Servers sit in data centres. */
  readonly category: 'Large-scale';
  readonly manufacturer: string;
  /** The configuration the footprint describes, as the source states it. */
  readonly cpus?: number;
  readonly memoryGb?: number;
  readonly storage?: string;
  /** Manufacturing (embodied) footprint, kgCO2e, with the source's range where it gives one. */
  readonly embodiedKg: number;
  readonly embodiedMinKg: number;
  readonly embodiedMaxKg: number;
  /** How `embodiedKg` was obtained from the source (e.g. total × manufacturing share). */
  readonly derivation: string;
  readonly aliases: readonly string[];
  readonly source: string;
  readonly sourceYear: number;
  readonly note?: string;
  /** Set on an entry that stands for a class of servers, not a specific model. */
  readonly generic?: boolean;
}

/**
 * Pirson et al. (2023) per-area IC factor categories. `Literature/Database` marks a row the
 * study matched by node whose exact sheet category (one of the two) cannot be recovered.
 */
export type IcFactorCategory = 'Literature' | 'Database' | 'Literature/Database' | 'Industry' | 'Roadmapping';

export interface IcFactor {
  readonly id: string;
  readonly valueKgPerCm2: number;
  readonly category: IcFactorCategory;
  /** Set for node rows (Literature/Database). */
  readonly techNodeNm?: number;
  /** Set for Industry and Roadmapping rows. */
  readonly year?: number;
  /** Set for Industry rows (the sheet's `Authors`). */
  readonly foundry?: string;
  /** Human-readable match key: `node=7nm`, `TSMC/2020`. */
  readonly matchKey: string;
  /** How the value was recovered and how sure the category is. */
  readonly status: string;
  readonly source: string;
  readonly sourceYear: number;
  readonly note?: string;
}

/**
 * One F_GPU value the study typed into its code (Plots/perf_show.py, 6 decimals): the
 * die-area-v1 result as the study rounded it. The study's published numbers used these.
 */
export interface ThesisFgpuRow {
  readonly hardwareId: string;
  /** 1-based position in the study's list. */
  readonly candidate: number;
  readonly fGpuKg: number;
  /** The IC factor row this value was computed with. */
  readonly icFactorId: string;
  readonly source: string;
  readonly sourceYear: number;
}

export interface MemoryFactor {
  readonly memoryType: string;
  /** Embodied footprint per GB of memory (the study's memory method 2). */
  readonly gCo2ePerGb: number;
  /** Die density in gigabits per mm² (memory method 1). */
  readonly densityGbitPerMm2: number;
  readonly densityArch: string;
  /** Set when no factor exists for this type and another type's values stand in. */
  readonly proxyFor?: string;
  readonly source: string;
  readonly sourceYear: number;
  readonly note?: string;
}

export type GridDatasetId = 'study' | 'ember';

export interface GridDataset {
  readonly id: GridDatasetId;
  readonly source: string;
  readonly licence: string;
  readonly url?: string;
  /** Version of the package or edition the values were taken from. */
  readonly version?: string;
  readonly note?: string;
}

export interface GridZoneRow {
  /** Canonical key: ISO 3166-1 alpha-3 for countries, a name for aggregates, `FR-ADEME` for the study's. */
  readonly zone: string;
  readonly name: string;
  readonly gPerKwh: number;
  /** The year the intensity describes; null where the source does not say. */
  readonly year: number | null;
  /** ISO alpha-2, country names and other keys that resolve to this zone. */
  readonly aliases: readonly string[];
  readonly dataset: GridDatasetId;
  readonly source?: string;
  readonly note?: string;
}

export type PresetId = 'thesis-2025' | 'default';
export const PRESET_IDS: readonly PresetId[] = ['thesis-2025', 'default'];

export interface PueRow {
  readonly preset: PresetId;
  readonly category: HardwareCategory;
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly source: string;
  readonly year: number | null;
  readonly note?: string;
}

export interface LifetimeRow {
  readonly preset: PresetId;
  readonly valueH: number;
  readonly minH: number;
  readonly maxH: number;
  readonly source: string;
  readonly year: number | null;
  readonly note?: string;
}
