/**
 * Power usage effectiveness by hardware category and preset. The study applied 1.5 to its
 * data-centre GPUs and 1.0 to everything else; the default preset uses the Uptime Institute
 * 2024 industry average for data-centre hardware, with a range, and no overhead elsewhere.
 */
import { errors, type Where } from '../errors.js';
import { PUE_DEFAULTS } from './data/defaults.generated.js';
import { HARDWARE_CATEGORIES, PRESET_IDS, type HardwareCategory, type PresetId, type PueRow } from './types.js';

export type { PueRow } from './types.js';

export const PUE_TABLE: readonly PueRow[] = PUE_DEFAULTS;

/** Check a preset name from outside the type system (a flag, a file, a library caller). */
export function parsePresetId(raw: string, where: Where = {}): PresetId {
  if ((PRESET_IDS as readonly string[]).includes(raw)) return raw as PresetId;
  throw errors.invalidValue(where, `unknown preset ${JSON.stringify(raw)} (expected ${PRESET_IDS.join(' or ')})`);
}

/** The PUE row for a category under a preset (the generator guarantees exactly one). */
export function pueFor(preset: PresetId, category: HardwareCategory): PueRow {
  // Outside the type system (a library caller in JavaScript, a file) these are input, not bugs.
  parsePresetId(preset, { field: 'preset' });
  if (!(HARDWARE_CATEGORIES as readonly string[]).includes(category)) {
    throw errors.invalidValue({ field: 'category' }, `unknown hardware category ${JSON.stringify(category)} (expected ${HARDWARE_CATEGORIES.join(', ')})`);
  }
  const row = PUE_TABLE.find((p) => p.preset === preset && p.category === category);
  if (!row) throw errors.internal(`no PUE row for ${preset} × ${category}`);
  return row;
}

/** Check a user PUE: a ratio of total facility power to IT power cannot be below 1. */
export function validatePue(pue: number, where: Where = {}): number {
  if (!Number.isFinite(pue) || pue < 1) throw errors.invalidValue(where, `PUE ${pue} is not a ratio ≥ 1`);
  return pue;
}
