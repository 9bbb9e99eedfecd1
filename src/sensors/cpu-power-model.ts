/**
 * The estimator's power model, `cpu-tdp-utilisation-v1` (machine scope) and
 * `cpu-tdp-process-v1` (process scope; see estimate.md). Pure: values in, watts out; the
 * tables come from data/sources/cpu-tdp.csv and memory-power.csv through
 * data/generate-cpu-tdp.ts.
 *
 * It is the Green Algorithms model (Lannelongue, Grealey & Inouye 2021, "Green Algorithms:
 * Quantifying the Carbon Footprint of Computation", Advanced Science 8(12) 2100707):
 *
 *     P_cpu    = n_cores × (TDP / cores of the chip) × u        u = CPU utilisation in [0, 1]
 *     P_memory = memory (GiB) × 0.3725 W/GiB                    constant while the run lasts
 *
 * with n_cores the physical cores this system sees (a VM sees its vCPUs' share of the host,
 * a two-socket server twice the chip's cores), so the chip's TDP is shared per core the way
 * Green Algorithms does it. TDP is a thermal design figure, not a measurement: the result is
 * an estimate and is always labelled so.
 */

import { matchCpuPattern } from '../impact/cpu-names.js';

export { normaliseCpuModel } from '../impact/cpu-names.js';

/** Machine scope: every process's CPU time (/proc/stat). The id predates the process scope and is kept so older runs stay comparable. */
export const ESTIMATE_METHOD = 'cpu-tdp-utilisation-v1';
/** Process scope: the measured process tree's CPU time (/proc/<pid>/stat), as a share of all CPUs' time. */
export const ESTIMATE_PROCESS_METHOD = 'cpu-tdp-process-v1';

export interface CpuTdpRow {
  /** The model as written in the table (e.g. `Xeon Platinum 8480+`). */
  readonly model: string;
  /** `model` normalised (normaliseCpuModel), matched as whole words inside the normalised `model name`. */
  readonly pattern: string;
  readonly tdpW: number;
  /** Physical cores of one chip. */
  readonly cores: number;
  readonly source: string;
  /** Year of the product launch or of the document cited. */
  readonly year: number;
  readonly note?: string;
}

/** Used when the CPU is not in the table (or the kernel does not name it). */
export interface CpuTdpDefault {
  readonly wPerCore: number;
  readonly source: string;
  readonly year: number;
  readonly note?: string;
}

export interface MemoryPowerFactor {
  /** Watts per GiB of installed memory. */
  readonly wPerGiB: number;
  readonly source: string;
  readonly year: number;
  readonly note?: string;
}

/**
 * The TDP row for a `/proc/cpuinfo` model name: the longest pattern that occurs in it as
 * whole words; undefined when none. The matcher is the hardware database's
 * (src/impact/cpu-names.ts), over the same table, so the TDP and the hardware entry of a CPU
 * always come from the same row.
 */
export function matchCpuTdp(modelName: string, rows: readonly CpuTdpRow[]): CpuTdpRow | undefined {
  return matchCpuPattern(modelName, rows);
}

/** How the CPU's power per core was chosen; results carry it so they explain themselves. */
export type CpuPowerBasis =
  | { readonly kind: 'table'; readonly row: CpuTdpRow; readonly wPerCore: number }
  | { readonly kind: 'default'; readonly reason: string; readonly fallback: CpuTdpDefault; readonly wPerCore: number };

export function cpuPowerBasis(modelName: string | undefined, rows: readonly CpuTdpRow[], fallback: CpuTdpDefault): CpuPowerBasis {
  if (modelName === undefined) {
    return { kind: 'default', reason: 'the kernel does not name the CPU (no "model name" in /proc/cpuinfo)', fallback, wPerCore: fallback.wPerCore };
  }
  const row = matchCpuTdp(modelName, rows);
  if (row === undefined) return { kind: 'default', reason: `CPU "${modelName}" is not in the TDP table`, fallback, wPerCore: fallback.wPerCore };
  return { kind: 'table', row, wPerCore: row.tdpW / row.cores };
}

/** P_cpu = cores × W per core × utilisation (W). */
export function cpuPowerW(utilisation: number, cores: number, wPerCore: number): number {
  return cores * wPerCore * utilisation;
}

/** P_memory = GiB × W/GiB (W). */
export function memoryPowerW(memoryGiB: number, factor: MemoryPowerFactor): number {
  return memoryGiB * factor.wPerGiB;
}

export const KIB_PER_GIB = 1024 * 1024;
