/**
 * The hardware database: the study's 17 GPUs (g5k_edge.csv), the cards it actually measured
 * where they differ (A100-PCIE-40GB, H100-NVL) and current hardware. Names resolve from what
 * tools print: nvidia-smi, tegrastats / device-tree model strings, the study's dataset tags,
 * log directory prefixes and MLPerf system folders.
 */
import { errors, type Where } from '../errors.js';
import type { PowerUnit } from '../units/index.js';
import { HARDWARE_TABLE } from './data/hardware.generated.js';
import { closeMatches, hardwareKey } from './names.js';
import type { HardwareCategory, HardwareSpec } from './types.js';

export type { HardwareCategory, HardwareKind, HardwareSpec } from './types.js';
export { HARDWARE_CATEGORIES } from './types.js';
export { hardwareKey } from './names.js';

/** Every device, in table order (the study's rows first). */
export const HARDWARE: readonly HardwareSpec[] = HARDWARE_TABLE;

/** Normalised name → device. The generator has already refused colliding names. */
const BY_KEY: ReadonlyMap<string, HardwareSpec> = new Map(
  HARDWARE.flatMap((h) => [h.id, h.name, ...h.aliases].map((n) => [hardwareKey(n), h] as const)),
);

/** The device a name refers to, or undefined. Case, spaces, `-`/`_`, `NVIDIA ` and `x1_TRT` do not matter. */
export function resolveHardware(name: string): HardwareSpec | undefined {
  return BY_KEY.get(hardwareKey(name));
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

/** Ids of devices whose names are close to `name`, closest first (for "did you mean"). */
export function suggestHardware(name: string, limit = 3): string[] {
  return closeMatches(hardwareKey(name), [...BY_KEY].map(([k, h]) => [k, h.id] as const), limit);
}

/** Like resolveHardware, but an unknown name is an UNKNOWN_HARDWARE error with suggestions. */
export function requireHardware(name: string, where: Where = {}): HardwareSpec {
  const spec = resolveHardware(name);
  if (spec) return spec;
  const close = suggestHardware(name);
  throw errors.unknownHardware(name, where, close.length > 0 ? `did you mean ${close.join(', ')}?` : '');
}

/** Devices of one category, in table order. */
export function hardwareInCategory(category: HardwareCategory): HardwareSpec[] {
  return HARDWARE.filter((h) => h.category === category);
}

/**
 * The unit the device's power logger writes: tegrastats (INA3221 rails) on Jetson boards
 * writes mW, NVML / nvidia-smi writes W. The study's CSVs keep that unit in `gpu_power`.
 */
export function powerUnitOf(spec: HardwareSpec): PowerUnit {
  return spec.kind === 'jetson' ? 'mW' : 'W';
}
