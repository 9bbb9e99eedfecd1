/**
 * The impact parameters behind a GWP, as lines under a table: name, value with its unit, source,
 * year, and whether the user gave it. Written for `bench`; `analyze` prints the same block.
 */

import type { DefaultUsed } from '../impact/presets.js';

/** One parameter as the impact layer records it. */
export type ParameterLike = Pick<DefaultUsed, 'name' | 'value' | 'min' | 'max' | 'unit' | 'source' | 'year' | 'origin'>;

/** A value with its unit; a lifetime in seconds is shown in hours and years. */
export function showParameterValue(u: Pick<ParameterLike, 'value' | 'unit'>): string {
  if (u.unit === 's' && typeof u.value === 'number') return `${u.value / 3600} h (${(u.value / 3600 / 8760).toFixed(2)} y)`;
  if (typeof u.value === 'number') return `${Number(u.value.toPrecision(6))} ${u.unit}`;
  return `${u.value} ${u.unit}`;
}

/** `  grid      472.94 gCO2e/kWh — Ember … (2024)`, one per parameter, with its range and where it came from. */
export function parameterLines(used: readonly ParameterLike[], indent = '  '): string[] {
  return used.map((u) => {
    const range = u.min !== undefined && u.max !== undefined && u.min !== u.max ? ` [range ${showParameterValue({ ...u, value: u.min })} – ${showParameterValue({ ...u, value: u.max })}]` : '';
    const origin = u.origin === 'user' ? ' [given by you]' : u.origin === 'recorded' ? ' [recorded with the runs]' : '';
    return `${indent}${u.name.padEnd(9)} ${showParameterValue(u)}${range} — ${u.source}${u.year !== null ? ` (${u.year})` : ''}${origin}`;
  });
}
