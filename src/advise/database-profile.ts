/**
 * What the hardware database says about a device's power when neither the workload file nor
 * a measurement does: the last step of the advisor's profile chain, and the only place that
 * reads power figures from the database. Pure.
 */
import type { HardwareSpec } from '../impact/hardware.js';
import { hostShareOf, idlePowerOf } from '../impact/idle.js';

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
 * marked estimated. Idle power = the database's idle figure with a model loaded where known (a
 * deployment keeps its model loaded between queries), else bare idle; marked estimated when the
 * figure is not a measurement or publication of that device (a proxy or a derived value). Host
 * power and manufacturing = the device's share of its host (zero for a Jetson module, which
 * carries its own). Each with its range and source (src/impact/idle.ts, data/sources/idle-power.csv).
 */
export function databaseProfile(hw: HardwareSpec): DatabaseProfile {
  const idle = idlePowerOf(hw);
  const host = hostShareOf(hw);
  const idleParam = idle?.loadedW ?? idle?.bareW;
  const cite = (p: { readonly source: string; readonly year?: number }): string => `${p.source}${p.year !== undefined ? ` (${p.year})` : ''}`;
  return {
    busyW: { value: hw.tdpW, source: `${hw.source} (${hw.sourceYear}): board power (TDP) of ${hw.id}, an upper bound for the busy power`, estimated: true },
    ...(idleParam
      ? {
          idleW: {
            value: idleParam.value,
            min: idleParam.min,
            max: idleParam.max,
            source: `${cite(idleParam)}: ${idle?.loadedW ? 'idle with a model loaded' : 'bare idle (no figure with a model loaded)'} of ${hw.id}, ${idleParam.status}`,
            estimated: idleParam.status === 'proxy' || idleParam.status === 'derived',
          },
        }
      : {}),
    ...(host
      ? {
          hostW: { value: host.powerW.value, min: host.powerW.min, max: host.powerW.max, source: `${cite(host.powerW)}: ${host.profileName}, 1/${host.gpusPerHost} per device`, estimated: false },
          hostKg: { value: host.embodiedKg.value, min: host.embodiedKg.min, max: host.embodiedKg.max, source: `${cite(host.embodiedKg)}: ${host.profileName}, 1/${host.gpusPerHost} per device`, estimated: false },
        }
      : {}),
  };
}
