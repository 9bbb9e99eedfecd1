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
  /**
   * Set when the die area has no traceable source and is known only as a range: the
   * embodied models span it in their min/max; `dieAreaMm2` is the value used for the mean.
   */
  readonly dieAreaRangeMm2?: { readonly min: number; readonly max: number };
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
  /** Board power (TDP / power limit) in W: the maximum the board may draw, not a graphics-power figure. */
  readonly tdpW: number;
  readonly gflopsFp32?: number;
  readonly computeCapability?: string;
  /** Other names the device goes by (nvidia-smi, tegrastats, dataset tags, MLPerf systems). */
  readonly aliases: readonly string[];
  /** Citations behind the row, in one line (for accelerators: the distinct references of `factSources`). */
  readonly source: string;
  /** Latest year among the row's citations. */
  readonly sourceYear: number;
  /**
   * Accelerators: the reference (a key of `REFERENCES`) behind each fact, so every number
   * can be traced to its document; a reference with status `untraced` marks a value no
   * source was found for. CPU rows carry their citations in `source` only.
   */
  readonly factSources?: Readonly<Partial<Record<HardwareFact, string>>>;
  /**
   * The study's own values where they differ from the corrected ones (Simeu 2025,
   * Doc/g5k_edge.csv): the `thesis-2025` preset uses them, so its published numbers still
   * reproduce; every other use takes the corrected fields.
   */
  readonly study?: StudyHardwareValues;
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

/** The facts of an accelerator row that each need a reference (hardware.csv `sources`). */
export const HARDWARE_FACTS = ['die_area_mm2', 'tech_node_nm', 'year', 'foundry', 'memory_gb', 'memory_type', 'tdp_w', 'gflops_fp32', 'compute_capability'] as const;
export type HardwareFact = (typeof HARDWARE_FACTS)[number];

/** The study's values of the facts it got wrong (see HardwareSpec.study). */
export interface StudyHardwareValues {
  readonly dieAreaMm2?: number;
  readonly year?: number;
  readonly memoryType?: string;
  readonly tdpW?: number;
  readonly computeCapability?: string;
}

/**
 * How far a reference can be trusted: `primary` (the maker's document), `secondary` (a
 * database or the press), `study` (the study's own table, not checked upstream), `untraced`
 * (no source found: the note says what is known).
 */
export type ReferenceStatus = 'primary' | 'secondary' | 'study' | 'untraced';
export const REFERENCE_STATUSES: readonly ReferenceStatus[] = ['primary', 'secondary', 'study', 'untraced'];

/** One document cited by the hardware table (data/sources/references.csv). */
export interface Reference {
  readonly key: string;
  readonly citation: string;
  readonly year: number;
  readonly status: ReferenceStatus;
  /** What this audit saw of it: seen, corroborated by ..., or not retrieved. */
  readonly checked: string;
  readonly note?: string;
}

/**
 * How an idle figure was obtained: `measured` (a published measurement of this device),
 * `published` (a tool's or vendor's table value, not a measurement), `proxy` (another
 * device's measurement: same die or board class), `derived` (computed from a cited rule).
 */
export type IdleStatus = 'measured' | 'published' | 'proxy' | 'derived';
export const IDLE_STATUSES: readonly IdleStatus[] = ['measured', 'published', 'proxy', 'derived'];

/** A power figure with its range and where it comes from. */
export interface SourcedPower {
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly status: IdleStatus;
  readonly source: string;
  readonly year: number | null;
  readonly note?: string;
}

/** A device's power when it serves nothing (data/sources/idle-power.csv). */
export interface IdlePowerRow {
  readonly hardwareId: string;
  /** Bare idle: no process on the device, W. */
  readonly idleW: SourcedPower;
  /** Idle with a CUDA context and a model loaded (the state of a server waiting for requests), W. */
  readonly loadedW?: SourcedPower;
  /** The host the device sits in (a HostProfile id). */
  readonly hostProfile: string;
}

/** The host (CPUs, memory, storage, chassis) around a device, shared by its GPUs (data/sources/host-profiles.csv). */
export interface HostProfile {
  readonly id: string;
  readonly name: string;
  /** Devices sharing the host. */
  readonly gpus: number;
  /** The host's power, W (the whole host, not per GPU). */
  readonly powerW: { readonly value: number; readonly min: number; readonly max: number };
  /** The host's manufacturing footprint, kgCO2e (the whole host). */
  readonly embodiedKg: { readonly value: number; readonly min: number; readonly max: number };
  readonly source: string;
  readonly sourceYear: number;
  readonly note?: string;
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
  /** Set when the value could not be traced to its source: what is known. */
  readonly untraced?: string;
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
  /** The other end of the density's range, where its sources disagree (HBM: 0.137 vs 0.274). */
  readonly densityAltGbitPerMm2?: number;
  readonly densityArch: string;
  /** Set when no factor exists for this type and another type's values stand in. */
  readonly proxyFor?: string;
  readonly source: string;
  readonly sourceYear: number;
  /** Set when the values could not be traced to their source: what is known. */
  readonly untraced?: string;
  readonly note?: string;
}

/** A per-GB memory factor from ACT (Gupta et al. 2022): the second, cited memory-factor set. */
export interface ActMemoryFactor {
  readonly memoryType: string;
  readonly gCo2ePerGb: number;
  /** The ACT entry (dram_hynix.yaml) the type is mapped to, e.g. `ddr4_10nm`. */
  readonly actEntry: string;
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
  /** Set when the value could not be traced to its source: what is known. */
  readonly untraced?: string;
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
