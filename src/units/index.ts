/**
 * Branded physical quantities. A bare `number` carries no unit; these brands make
 * mixing W with mW, or J with kWh, a type error instead of a silent factor of 1000.
 *
 * Conventions used across inferprint: power in W, energy in J (kWh only at the LCA
 * boundary), time in s, GWP in g (mg only when formatting tables).
 */
import { errors } from '../errors.js';

declare const unit: unique symbol;
export type Quantity<U extends string> = number & { readonly [unit]: U };

export type Seconds = Quantity<'s'>;
export type Watts = Quantity<'W'>;
export type Milliwatts = Quantity<'mW'>;
export type Joules = Quantity<'J'>;
export type KilowattHours = Quantity<'kWh'>;
export type GramsCO2e = Quantity<'gCO2e'>;
export type KilogramsCO2e = Quantity<'kgCO2e'>;
export type GramsPerKilowattHour = Quantity<'gCO2e/kWh'>;

export const seconds = (v: number): Seconds => v as Seconds;
export const watts = (v: number): Watts => v as Watts;
export const milliwatts = (v: number): Milliwatts => v as Milliwatts;
export const joules = (v: number): Joules => v as Joules;
export const kilowattHours = (v: number): KilowattHours => v as KilowattHours;
export const gramsCO2e = (v: number): GramsCO2e => v as GramsCO2e;
export const kilogramsCO2e = (v: number): KilogramsCO2e => v as KilogramsCO2e;
export const gramsPerKwh = (v: number): GramsPerKilowattHour => v as GramsPerKilowattHour;

export const JOULES_PER_KWH = 3.6e6;
export const SECONDS_PER_HOUR = 3600;
export const HOURS_PER_YEAR = 8760;

export const mwToW = (p: Milliwatts): Watts => watts(p / 1000);
export const jToKwh = (e: Joules): KilowattHours => kilowattHours(e / JOULES_PER_KWH);
export const kwhToJ = (e: KilowattHours): Joules => joules(e * JOULES_PER_KWH);
export const kgToG = (m: KilogramsCO2e): GramsCO2e => gramsCO2e(m * 1000);
export const gToMg = (m: GramsCO2e): number => m * 1000;

/** The units a power column can be declared in; every importer knows which one its source writes. */
export type PowerUnit = 'W' | 'mW' | 'kW';
export const POWER_UNITS: readonly PowerUnit[] = ['W', 'mW', 'kW'];
/** Factor that turns a value in `unit` into watts. */
export function powerUnitToWatts(unit: PowerUnit): number {
  switch (unit) {
    case 'W':
      return 1;
    case 'mW':
      return 1e-3;
    case 'kW':
      return 1e3;
    default:
      // Only reachable from outside the type system (JavaScript, a cast): say so, never return undefined.
      throw errors.unknownUnit({ field: 'unit' }, String(unit), POWER_UNITS);
  }
}
export function isPowerUnit(s: string): s is PowerUnit {
  return (POWER_UNITS as readonly string[]).includes(s);
}

/** Energy units accepted at input boundaries (counters, CodeCarbon files). */
export type EnergyUnit = 'J' | 'mJ' | 'uJ' | 'Wh' | 'kWh';
export const ENERGY_UNITS: readonly EnergyUnit[] = ['J', 'mJ', 'uJ', 'Wh', 'kWh'];
export function energyUnitToJoules(unit: EnergyUnit): number {
  switch (unit) {
    case 'J':
      return 1;
    case 'mJ':
      return 1e-3;
    case 'uJ':
      return 1e-6;
    case 'Wh':
      return 3600;
    case 'kWh':
      return JOULES_PER_KWH;
    default:
      throw errors.unknownUnit({ field: 'unit' }, String(unit), ENERGY_UNITS);
  }
}

/**
 * Parse a duration such as `7y`, `61320h`, `50ms`, `5s`, `2.5min` into seconds.
 * A year is 8760 h (365 d), as in the study's 7 y = 61 320 h. Returns undefined when malformed.
 */
export function parseDurationS(text: string): Seconds | undefined {
  const m = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|min|h|d|y)?\s*$/.exec(text);
  if (!m) return undefined;
  const v = Number(m[1]);
  const factor: Record<string, number> = { ms: 1e-3, s: 1, min: 60, h: 3600, d: 86400, y: HOURS_PER_YEAR * 3600 };
  return seconds(v * (factor[m[2] ?? 's'] ?? 1));
}
