import { summarize } from '../traces/stats.js';
import type { EnergyStats } from './types.js';

/**
 * The rigorous default: each run integrated over its own span with the trapezoidal rule
 * (exact for piecewise-linear power; see traces/stream-energy.ts), then the mean across
 * runs with its sample standard deviation and 95 % Student-t confidence interval. Unlike
 * the study's method, no run is cut to the shortest common window.
 */
export interface PerRunEnergy {
  readonly id: string;
  readonly durationS: number;
  readonly energyJ: number;
  /** Sampling gaps in the run (0 when the source has no trace, e.g. CodeCarbon). */
  readonly gaps: number;
  /** Highest power sample, W, and samples integrated, when the source had a trace (for plausibility checks). */
  readonly peakW?: number;
  readonly samples?: number;
}

/** Mean, sd and 95 % CI of per-run energies; mean power = mean energy / mean duration. */
export function summarizeRuns(perRun: readonly PerRunEnergy[]): EnergyStats {
  const e = summarize(perRun.map((r) => r.energyJ));
  const d = summarize(perRun.map((r) => r.durationS));
  return {
    runs: perRun.length,
    durationS: d.mean,
    energyJ: e.mean,
    ...(e.sd === null ? {} : { energySdJ: e.sd }),
    ...(e.ci95 === null ? {} : { energyCi95J: { lo: e.ci95.lo, hi: e.ci95.hi } }),
    meanPowerW: e.mean / d.mean,
    gaps: perRun.reduce((n, r) => n + r.gaps, 0),
  };
}
