/**
 * What the hardware database says about a device's power when neither the workload file nor
 * a measurement does: the last step of the advisor's profile chain, and the only place that
 * reads power figures from the database. Pure.
 */
import type { HardwareSpec } from '../impact/hardware.js';

export interface DatabaseValue {
  readonly value: number;
  readonly min?: number;
  readonly max?: number;
  /** The database row's citation, and what the value stands for. */
  readonly source: string;
  /** True when the value stands in for a measurement it is not (TDP for busy power). */
  readonly estimated: boolean;
}

export interface DatabaseProfile {
  readonly busyW: DatabaseValue;
  readonly idleW?: DatabaseValue;
  /** The host's power share per device (CPU, memory, fans, PSU losses), W. */
  readonly hostW?: DatabaseValue;
  /** The host's manufacturing share per device, kgCO2e. */
  readonly hostKg?: DatabaseValue;
}

/**
 * Busy power = the board power (TDP / power limit), an upper bound for inference at batch 1,
 * marked estimated. Idle and host power are undefined for now: the database's idle-power and
 * host-share tables (being added on another branch) plug in here, and every caller picks them
 * up through this one function.
 */
export function databaseProfile(hw: HardwareSpec): DatabaseProfile {
  return {
    busyW: { value: hw.tdpW, source: `${hw.source} (${hw.sourceYear}): board power (TDP) of ${hw.id}, an upper bound for the busy power`, estimated: true },
  };
}
