/**
 * The impact parameters behind a GWP, as lines under a table: name, value with its unit, source,
 * year, and whether the user gave it. Written for `bench`; `analyze` prints the same block.
 */

/** One parameter as the impact layer records it (`DefaultUsed`), read back from a bundle. */
export interface ParameterLike {
  readonly name: string;
  readonly value: number | string;
  readonly unit: string;
  readonly source: string;
  readonly year: number | null;
  readonly origin: 'preset' | 'user';
}

/** A value with its unit; a lifetime in seconds is shown in hours and years. */
export function showParameterValue(u: Pick<ParameterLike, 'value' | 'unit'>): string {
  if (u.unit === 's' && typeof u.value === 'number') return `${u.value / 3600} h (${(u.value / 3600 / 8760).toFixed(2)} y)`;
  if (typeof u.value === 'number') return `${Number(u.value.toPrecision(6))} ${u.unit}`;
  return `${u.value} ${u.unit}`;
}

/** `  grid      472.94 gCO2e/kWh — Ember … (2024)`, one per parameter. */
export function parameterLines(used: readonly ParameterLike[], indent = '  '): string[] {
  return used.map((u) => `${indent}${u.name.padEnd(9)} ${showParameterValue(u)} — ${u.source}${u.year !== null ? ` (${u.year})` : ''}${u.origin === 'user' ? ' [given by you]' : ''}`);
}
