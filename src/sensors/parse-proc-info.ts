import { errors } from '../errors.js';

/**
 * `/proc/cpuinfo` and `/proc/meminfo` (proc(5)), the two facts the estimator needs about
 * the machine: which CPU (for its TDP) and how many cores of it this system sees, and how
 * much memory it has. Pure: text in, values out.
 */

export interface CpuInfo {
  /** `model name` of the first processor; absent on most arm64 kernels, which do not write it. */
  readonly modelName?: string;
  /** Number of `processor` entries: logical CPUs (hardware threads, or vCPUs in a VM). */
  readonly logicalCpus: number;
  /**
   * Physical cores: Σ `cpu cores` over distinct `physical id`s (x86). Absent when the kernel
   * does not write them (arm64, some VMs): then each logical CPU is a core.
   */
  readonly physicalCores?: number;
  /**
   * arm64 kernels write no model name but `CPU implementer` and `CPU part`: the core's name
   * when the pair is a known one (`ARM Neoverse-N1`), so the CPU still gets a name.
   */
  readonly armCore?: string;
}

/**
 * Arm core names by `CPU implementer` / `CPU part`, as the Linux kernel defines them
 * (arch/arm64/include/asm/cputype.h: ARM_CPU_PART_*, AMPERE_CPU_PART_AMPERE1). Only cores
 * seen in servers and the common boards; an unknown pair leaves the CPU unnamed.
 */
const ARM_CORES: Readonly<Record<string, string>> = {
  '0x41:0xd03': 'ARM Cortex-A53',
  '0x41:0xd07': 'ARM Cortex-A57',
  '0x41:0xd08': 'ARM Cortex-A72',
  '0x41:0xd09': 'ARM Cortex-A73',
  '0x41:0xd0b': 'ARM Cortex-A76',
  '0x41:0xd0c': 'ARM Neoverse-N1',
  '0x41:0xd40': 'ARM Neoverse-V1',
  '0x41:0xd41': 'ARM Cortex-A78',
  '0x41:0xd42': 'ARM Cortex-A78AE',
  '0x41:0xd49': 'ARM Neoverse-N2',
  '0x41:0xd4f': 'ARM Neoverse-V2',
  '0xc0:0xac3': 'Ampere AmpereOne',
};

export function parseCpuInfo(text: string, file = '/proc/cpuinfo'): CpuInfo {
  let modelName: string | undefined;
  let logicalCpus = 0;
  const coresByPackage = new Map<string, number>();
  let physicalId: string | undefined;
  let cores: number | undefined;
  let implementer: string | undefined;
  let part: string | undefined;
  const flush = (): void => {
    if (physicalId !== undefined && cores !== undefined && !coresByPackage.has(physicalId)) coresByPackage.set(physicalId, cores);
    physicalId = undefined;
    cores = undefined;
  };
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') {
      flush();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (key === 'processor') logicalCpus++;
    else if (key === 'model name' && modelName === undefined && value !== '') modelName = value;
    else if (key === 'physical id') physicalId = value;
    else if (key === 'CPU implementer') implementer ??= value.toLowerCase();
    else if (key === 'CPU part') part ??= value.toLowerCase();
    else if (key === 'cpu cores') {
      if (!/^\d+$/.test(value)) throw errors.notANumber({ file, line: i + 1, field: 'cpu cores' }, value);
      cores = Number(value);
    }
  }
  flush();
  if (logicalCpus === 0) throw errors.parse({ file }, 'no "processor" entry');
  const physicalCores = coresByPackage.size > 0 ? [...coresByPackage.values()].reduce((a, b) => a + b, 0) : undefined;
  const armCore = implementer !== undefined && part !== undefined ? ARM_CORES[`${implementer}:${part}`] : undefined;
  return {
    logicalCpus,
    ...(modelName !== undefined ? { modelName } : {}),
    ...(armCore !== undefined ? { armCore } : {}),
    ...(physicalCores !== undefined && physicalCores > 0 ? { physicalCores } : {}),
  };
}

/** `MemTotal` of `/proc/meminfo`, in KiB (the kernel writes "kB" and means 1024 bytes). */
export function parseMemTotalKiB(text: string, file = '/proc/meminfo'): number {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^MemTotal:\s*(\S+)\s*(\S*)\s*$/.exec(lines[i]!);
    if (!m) continue;
    const [, raw = '', unit = ''] = m;
    if (!/^\d+$/.test(raw)) throw errors.notANumber({ file, line: i + 1, field: 'MemTotal' }, raw);
    if (unit !== 'kB') throw errors.unknownUnit({ file, line: i + 1, field: 'MemTotal' }, unit, ['kB']);
    return Number(raw);
  }
  throw errors.parse({ file }, 'no MemTotal line');
}
