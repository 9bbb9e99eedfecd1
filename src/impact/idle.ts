/**
 * Power at idle and the host share of a device, for the deployment advisor: what a device
 * draws when it serves nothing (bare, and with a model loaded where known), and its share of
 * the host around it (power and manufacturing footprint). From data/sources/idle-power.csv
 * and host-profiles.csv, each figure with its range, source and how it was obtained
 * (`measured`, `published`, `proxy`, `derived`). Pure: no I/O.
 */
import { HOST_PROFILES as HOST_TABLE, IDLE_POWER as IDLE_TABLE } from './data/idle-power.generated.js';
import { resolveHardware } from './hardware.js';
import type { Param } from './lca.js';
import type { HardwareSpec, HostProfile, IdlePowerRow, IdleStatus, SourcedPower } from './types.js';

export type { HostProfile, IdlePowerRow, IdleStatus, SourcedPower } from './types.js';

export const IDLE_POWER: readonly IdlePowerRow[] = IDLE_TABLE;
export const HOST_PROFILES: readonly HostProfile[] = HOST_TABLE;

const IDLE_BY_ID: ReadonlyMap<string, IdlePowerRow> = new Map(IDLE_POWER.map((r) => [r.hardwareId, r]));
const HOST_BY_ID: ReadonlyMap<string, HostProfile> = new Map(HOST_PROFILES.map((h) => [h.id, h]));

/** A power figure as an LCA parameter (W), with how it was obtained. */
export interface IdleParam extends Param {
  readonly unit: 'W';
  readonly status: IdleStatus;
}

export interface IdleProfile {
  readonly hardwareId: string;
  /** No process on the device. */
  readonly bareW: IdleParam;
  /** A CUDA context with a model loaded, no requests: what a waiting server draws. Absent where unknown. */
  readonly loadedW?: IdleParam;
}

function param(p: SourcedPower): IdleParam {
  return {
    value: p.value,
    min: p.min,
    max: p.max,
    unit: 'W',
    source: p.source,
    ...(p.year !== null ? { year: p.year } : {}),
    ...(p.note !== undefined ? { note: p.note } : {}),
    status: p.status,
  };
}

/** A spec, or any name the hardware database resolves (id, alias, nvidia-smi or tegrastats name). */
const idOf = (hw: HardwareSpec | string): string => (typeof hw === 'string' ? (resolveHardware(hw)?.id ?? hw) : hw.id);

/** The device's idle power, or undefined where the table has none (desktop and gaming GPUs, CPUs). */
export function idlePowerOf(hw: HardwareSpec | string): IdleProfile | undefined {
  const row = IDLE_BY_ID.get(idOf(hw));
  if (row === undefined) return undefined;
  return { hardwareId: row.hardwareId, bareW: param(row.idleW), ...(row.loadedW !== undefined ? { loadedW: param(row.loadedW) } : {}) };
}

/** One device's share of its host: the host's power and footprint ÷ the devices it holds. */
export interface HostShare {
  readonly hardwareId: string;
  /** The host profile (host-profiles.csv id). */
  readonly profile: string;
  readonly profileName: string;
  readonly gpusPerHost: number;
  /** Host power per device, W (0 for a Jetson: the module is its own host). */
  readonly powerW: Param;
  /** Host manufacturing footprint per device, kgCO2e. */
  readonly embodiedKg: Param;
}

/** The device's host share, or undefined where the table has no idle row for it. */
export function hostShareOf(hw: HardwareSpec | string): HostShare | undefined {
  const row = IDLE_BY_ID.get(idOf(hw));
  if (row === undefined) return undefined;
  const h = HOST_BY_ID.get(row.hostProfile);
  if (h === undefined) return undefined; // the generator refuses an unknown profile
  const per = (r: HostProfile['powerW'], unit: string): Param => ({
    value: r.value / h.gpus,
    min: r.min / h.gpus,
    max: r.max / h.gpus,
    unit,
    source: h.source,
    year: h.sourceYear,
    ...(h.note !== undefined ? { note: h.note } : {}),
  });
  return { hardwareId: row.hardwareId, profile: h.id, profileName: h.name, gpusPerHost: h.gpus, powerW: per(h.powerW, 'W'), embodiedKg: per(h.embodiedKg, 'kgCO2e') };
}
