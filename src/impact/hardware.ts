/**
 * The hardware database: the study's 17 GPUs (g5k_edge.csv), the cards it actually measured
 * where they differ (A100-PCIE-40GB, H100-NVL), current accelerators, host CPUs (with their
 * dies, and one class entry per CPU class for any CPU not in the table) and, apart, whole
 * servers with declared footprints. Names resolve from what tools print: nvidia-smi,
 * tegrastats / device-tree model strings, the study's dataset tags, log directory prefixes,
 * MLPerf system folders and `/proc/cpuinfo` model names.
 */
import { errors, type Where } from '../errors.js';
import type { PowerUnit } from '../units/index.js';
import { classifyCpuName, matchCpuPattern, type CpuClass } from './cpu-names.js';
import { CPU_MODELS } from './data/cpus.generated.js';
import { HARDWARE_TABLE } from './data/hardware.generated.js';
import { SERVERS as SERVER_TABLE } from './data/servers.generated.js';
import { closeMatches, hardwareKey } from './names.js';
import type { CpuModelRow, HardwareCategory, HardwareSpec, ServerSpec } from './types.js';

export type { CpuModelRow, DieSpec, HardwareCategory, HardwareKind, HardwareSpec, ServerSpec } from './types.js';
export { HARDWARE_CATEGORIES, NO_MEMORY } from './types.js';
export { hardwareKey } from './names.js';
export { CPU_CLASSES, classifyCpuName, normaliseCpuModel, type CpuClass } from './cpu-names.js';

/** Every device, in table order: accelerators (the study's rows first), then CPUs and the CPU class entries. */
export const ALL_HARDWARE: readonly HardwareSpec[] = HARDWARE_TABLE;

/**
 * The accelerators (GPUs, Jetsons): what `HARDWARE` has always held, and what the report's
 * hardware figure and the dashboard list. CPUs are in `CPU_HARDWARE`; both in `ALL_HARDWARE`.
 */
export const HARDWARE: readonly HardwareSpec[] = ALL_HARDWARE.filter((h) => h.kind !== 'cpu');

/** Host CPUs with known dies, then one class entry per CPU class. */
export const CPU_HARDWARE: readonly HardwareSpec[] = ALL_HARDWARE.filter((h) => h.kind === 'cpu');

/** Whole servers with a declared manufacturing footprint (a separate table: they have no die). */
export const SERVERS: readonly ServerSpec[] = SERVER_TABLE;

/** Every CPU model the table names (more than have their own entry: the rest resolve to their class). */
export const CPUS: readonly CpuModelRow[] = CPU_MODELS;

const byKey = <T extends { id: string; name: string; aliases: readonly string[] }>(rows: readonly T[]): ReadonlyMap<string, T> =>
  new Map(rows.flatMap((h) => [h.id, h.name, ...h.aliases].map((n) => [hardwareKey(n), h] as const)));

/** Normalised name → device. The generator has already refused colliding names. */
const BY_KEY = byKey(ALL_HARDWARE);
const SERVER_BY_KEY = byKey(SERVERS);
const BY_ID: ReadonlyMap<string, HardwareSpec> = new Map(ALL_HARDWARE.map((h) => [h.id, h]));

function hardwareById(id: string): HardwareSpec {
  const h = BY_ID.get(id);
  if (!h) throw errors.internal(`hardware table has no entry '${id}'`);
  return h;
}

/** The class entry that stands for any CPU of `cpuClass` the table does not name. */
export function genericCpu(cpuClass: CpuClass): HardwareSpec {
  const h = CPU_HARDWARE.find((x) => x.generic !== undefined && x.cpuClass === cpuClass);
  if (!h) throw errors.internal(`no class entry for ${cpuClass} CPUs`);
  return h;
}

/**
 * How a name became a device: `exact` (an id, name or alias), `cpu-model` (a `/proc/cpuinfo`
 * model name matched in the CPU table: the part's own entry, or its class entry when its dies
 * are not known), `cpu-class` (a CPU the table does not name, placed in its class by family).
 */
export type HardwareMatch =
  | { readonly kind: 'exact'; readonly spec: HardwareSpec }
  | { readonly kind: 'cpu-model'; readonly spec: HardwareSpec; readonly model: string }
  | { readonly kind: 'cpu-class'; readonly spec: HardwareSpec; readonly cpuClass: CpuClass };

/**
 * Resolve a name and say how. Exact names first (so every GPU name resolves as before); then
 * a CPU model name as `/proc/cpuinfo` writes it (`Intel(R) Xeon(R) Platinum 8480+`, `AMD EPYC
 * 7763 64-Core Processor`); then a CPU family (`AMD EPYC`, `QEMU Virtual CPU` → the server
 * class, `Core i5-12400F` → desktop, `Core i7-1165G7` → laptop). Undefined otherwise.
 */
export function matchHardware(name: string): HardwareMatch | undefined {
  const exact = BY_KEY.get(hardwareKey(name));
  if (exact) return { kind: 'exact', spec: exact };
  const model = matchCpuPattern(name, CPUS);
  if (model) return { kind: 'cpu-model', spec: hardwareById(model.hardwareId), model: model.model };
  const cpuClass = classifyCpuName(name);
  if (cpuClass) return { kind: 'cpu-class', spec: genericCpu(cpuClass), cpuClass };
  return undefined;
}

/** The device a name refers to, or undefined. Case, spaces, `-`/`_`, `NVIDIA ` and `x1_TRT` do not matter; CPU names fall back to their class. */
export function resolveHardware(name: string): HardwareSpec | undefined {
  return matchHardware(name)?.spec;
}

/** A server by id, name or alias, or undefined. */
export function resolveServer(name: string): ServerSpec | undefined {
  return SERVER_BY_KEY.get(hardwareKey(name));
}

/** One line saying what a resolved device stands for, when it is a class entry rather than the named part; undefined otherwise. */
export function genericNote(name: string, spec: HardwareSpec): string | undefined {
  if (spec.generic === undefined) return undefined;
  return `the hardware database has no dies for '${name}': the ${spec.id} class entry stands for it (not a specific part; silicon of ${spec.generic.modelledOn}, the median of ${spec.generic.members} ${spec.cpuClass ?? ''} parts)`;
}


/**
 * How a run's device is named for people, the same in every table, listing and figure: its
 * hardware id, else the id its reported name resolves to (`orin`, `Orin` → `AGX-Orin`), else
 * that name as written; null without either.
 */
export function deviceDisplayName(hardwareId: string | null | undefined, name: string | null | undefined): string | null {
  if (hardwareId !== undefined && hardwareId !== null) return hardwareId;
  if (name === undefined || name === null) return null;
  return resolveHardware(name)?.id ?? name;
}

/** Ids of devices (and servers) whose names are close to `name`, closest first (for "did you mean"). */
export function suggestHardware(name: string, limit = 3): string[] {
  return closeMatches(hardwareKey(name), [...BY_KEY, ...SERVER_BY_KEY].map(([k, h]) => [k, h.id] as const), limit);
}

/** Like resolveHardware, but an unknown name is an UNKNOWN_HARDWARE error with suggestions. */
export function requireHardware(name: string, where: Where = {}): HardwareSpec {
  const spec = resolveHardware(name);
  if (spec) return spec;
  const close = suggestHardware(name);
  throw errors.unknownHardware(name, where, close.length > 0 ? `did you mean ${close.join(', ')}?` : '');
}

/** Devices of one category (CPUs included), in table order. */
export function hardwareInCategory(category: HardwareCategory): HardwareSpec[] {
  return ALL_HARDWARE.filter((h) => h.category === category);
}

/**
 * The unit the device's power logger writes: tegrastats (INA3221 rails) on Jetson boards
 * writes mW, NVML / nvidia-smi writes W (and so do RAPL and the estimator for CPUs). The
 * study's CSVs keep that unit in `gpu_power`.
 */
export function powerUnitOf(spec: HardwareSpec): PowerUnit {
  return spec.kind === 'jetson' ? 'mW' : 'W';
}
