/**
 * The estimator's power model, `cpu-tdp-utilisation-v1` (see estimate.md). Pure: values in,
 * watts out; the tables come from data/sources/cpu-tdp.csv and memory-power.csv through
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

export const ESTIMATE_METHOD = 'cpu-tdp-utilisation-v1';

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
 * Lower-case, drop trademarks, clock speed, core counts and the filler words vendors put in
 * `/proc/cpuinfo` model names, so `Intel(R) Xeon(R) CPU E5-2698 v4 @ 2.20GHz` becomes
 * `intel xeon e5-2698 v4` and `AMD EPYC 7763 64-Core Processor` becomes `amd epyc 7763`.
 */
export function normaliseCpuModel(name: string): string {
  return name
    .toLowerCase()
    .replace(/\((r|tm)\)|®|™/g, ' ')
    .replace(/@\s*[\d.]+\s*[gm]hz/g, ' ')
    .replace(/\b\d+-cores?\b/g, ' ')
    .replace(/\b(cpu|processor)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const WORD_BEFORE = /[a-z0-9]/;
const WORD_AFTER = /[a-z0-9+]/;

/** Whether `pattern` occurs in `normalised` as whole words (`epyc 7763` is not in `epyc 77630`, `8480` not in `8480+`). */
function occursAsWords(normalised: string, pattern: string): boolean {
  for (let at = normalised.indexOf(pattern); at >= 0; at = normalised.indexOf(pattern, at + 1)) {
    const before = at > 0 ? normalised.charAt(at - 1) : '';
    const after = normalised.charAt(at + pattern.length);
    if (!WORD_BEFORE.test(before) && !WORD_AFTER.test(after)) return true;
  }
  return false;
}

/** The table row for a `/proc/cpuinfo` model name: the longest matching pattern; undefined when none. */
export function matchCpuTdp(modelName: string, rows: readonly CpuTdpRow[]): CpuTdpRow | undefined {
  const normalised = normaliseCpuModel(modelName);
  let best: CpuTdpRow | undefined;
  for (const row of rows) {
    if (occursAsWords(normalised, row.pattern) && (best === undefined || row.pattern.length > best.pattern.length)) best = row;
  }
  return best;
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
