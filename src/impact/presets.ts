/**
 * Presets turn "which device, which method" into the LCA parameters, and say which defaults
 * they chose and why, so every output can show them.
 *
 * - `thesis-2025` — the study's choices, from its code: EGM 79.1 gCO2e/kWh (France, ADEME),
 *   PUE 1.5 for Large-scale and 1.0 otherwise, 7-year lifetime (61 320 h), and the die-area
 *   model with memory by type: for the study's ten devices its typed F_GPU constants
 *   (`thesis-2025-constants`, what made the published numbers), for any other device
 *   `die-area-v1`. Single values, so the range comes from the embodied candidates only.
 * - `default` — grid from the caller's zone or the world average (Ember), PUE by category
 *   from the default table (Uptime 2024 with a range for data centres), lifetime 7 y with
 *   a 3–7 y range, `die-area-v1`.
 *
 * Anything the caller gives (grid, PUE, lifetime, embodied model) replaces the preset's.
 */
import { errors } from '../errors.js';
import { SECONDS_PER_HOUR } from '../units/index.js';
import { LIFETIME_DEFAULTS } from './data/defaults.generated.js';
import { DEFAULT_EMBODIED_MODEL, candidateKey, estimateEmbodied, hasThesisConstants, type EmbodiedModelId, type EmbodiedResult } from './embodied/index.js';
import { resolveGrid, type GridFactor } from './grid.js';
import type { ImpactParams, Param } from './lca.js';
import { pueFor, validatePue } from './pue.js';
import type { HardwareSpec, LifetimeRow, PresetId } from './types.js';

export { PRESET_IDS, type PresetId } from './types.js';

export interface ImpactOptions {
  readonly preset: PresetId;
  readonly hardware: HardwareSpec;
  /** A zone (`FR`, `FRA`, `FR-ADEME`, `WORLD`) or a number in gCO2e/kWh. */
  readonly grid?: string;
  readonly pue?: 'auto' | number;
  readonly lifetimeS?: number;
  readonly embodiedModel?: EmbodiedModelId;
  /** Zone the default preset uses when no grid is given (else WORLD); ignored by thesis-2025. */
  readonly defaultZone?: string;
}

/** One parameter as it went into the result, where it came from and why. */
export interface DefaultUsed {
  readonly name: 'grid' | 'pue' | 'lifetime' | 'embodied';
  readonly value: number | string;
  readonly min?: number;
  readonly max?: number;
  readonly unit: string;
  readonly source: string;
  readonly year: number | null;
  /** `preset`: chosen by the preset (a default); `user`: given by the caller. */
  readonly origin: 'preset' | 'user';
  readonly why: string;
}

export interface ResolvedImpactParams {
  readonly preset: PresetId;
  readonly params: ImpactParams;
  /** Every parameter used, in a fixed order: grid, pue, lifetime, embodied. */
  readonly used: DefaultUsed[];
}

/** The study's grid zone: the French factor it used (ADEME Base Empreinte). */
export const STUDY_GRID_ZONE = 'FR-ADEME';
const DEFAULT_ZONE = 'WORLD';
const SECONDS_PER_YEAR = 8760 * SECONDS_PER_HOUR;

function gridParam(f: GridFactor): Param {
  return {
    value: f.gPerKwh,
    min: f.gPerKwh,
    max: f.gPerKwh,
    unit: 'gCO2e/kWh',
    source: f.dataset === 'user' ? 'user' : `${f.name}: ${f.source}`,
    ...(f.year !== null ? { year: f.year } : {}),
    ...(f.dataset === 'user' ? {} : { note: `zone ${f.zone}; licence: ${f.licence}${f.note ? `; ${f.note}` : ''}` }),
  };
}

function lifetimeRow(preset: PresetId): LifetimeRow {
  const row = (LIFETIME_DEFAULTS as readonly LifetimeRow[]).find((l) => l.preset === preset);
  if (!row) throw errors.internal(`no lifetime row for preset ${preset}`);
  return row;
}

function years(s: number): string {
  return `${Number((s / SECONDS_PER_YEAR).toFixed(2))} y`;
}

/** The preset's embodied model for a device: the study's constants where it typed them. */
function presetEmbodiedModel(preset: PresetId, hardware: HardwareSpec): EmbodiedModelId {
  return preset === 'thesis-2025' && hasThesisConstants(hardware) ? 'thesis-2025-constants' : DEFAULT_EMBODIED_MODEL;
}

function embodiedUsed(e: EmbodiedResult, origin: DefaultUsed['origin'], preset: PresetId): DefaultUsed {
  return {
    name: 'embodied',
    value: e.meanKg,
    min: e.minKg,
    max: e.maxKg,
    unit: 'kgCO2e',
    source: `${e.model}: ${e.sources.join('; ')}`,
    year: null,
    origin,
    why:
      origin === 'user'
        ? `embodied model ${e.model} chosen by the caller; ${e.candidates.length} candidate(s)`
        : `${preset} preset: embodied model ${e.model}; mean of ${e.candidates.length} candidate(s) (${e.candidates.map(candidateKey).join(', ')})`,
  };
}

/** The LCA parameters for a device under a preset, and the record of what was used. Pure. */
export function resolveImpactParams(opts: ImpactOptions): ResolvedImpactParams {
  const { preset, hardware } = opts;
  const used: DefaultUsed[] = [];

  // Grid
  const zone = opts.grid ?? (preset === 'thesis-2025' ? STUDY_GRID_ZONE : (opts.defaultZone ?? DEFAULT_ZONE));
  const grid = resolveGrid(zone, opts.grid !== undefined ? { field: 'grid' } : {});
  const gridGPerKwh = gridParam(grid);
  used.push({
    name: 'grid',
    value: grid.gPerKwh,
    unit: 'gCO2e/kWh',
    source: gridGPerKwh.source,
    year: grid.year,
    origin: opts.grid !== undefined ? 'user' : 'preset',
    why:
      opts.grid !== undefined
        ? `given by the caller (${opts.grid})`
        : preset === 'thesis-2025'
          ? "thesis-2025 preset: the study's EGM for France (ADEME Base Empreinte)"
          : `default preset, no grid given: zone ${grid.zone}${opts.defaultZone !== undefined ? ' (default zone for this input)' : ' (world average)'}`,
  });

  // PUE
  let pue: Param;
  if (typeof opts.pue === 'number') {
    const v = validatePue(opts.pue, { field: 'pue' });
    pue = { value: v, min: v, max: v, unit: 'ratio', source: 'user' };
    used.push({ name: 'pue', value: v, unit: 'ratio', source: 'user', year: null, origin: 'user', why: 'given by the caller' });
  } else {
    const row = pueFor(preset, hardware.category);
    pue = {
      value: row.value,
      min: row.min,
      max: row.max,
      unit: 'ratio',
      source: row.source,
      ...(row.year !== null ? { year: row.year } : {}),
      ...(row.note !== undefined ? { note: row.note } : {}),
    };
    used.push({
      name: 'pue',
      value: row.value,
      ...(row.min !== row.value || row.max !== row.value ? { min: row.min, max: row.max } : {}),
      unit: 'ratio',
      source: row.source,
      year: row.year,
      origin: 'preset',
      why: `${preset} preset: PUE for ${hardware.category} hardware (${hardware.id})`,
    });
  }

  // Lifetime
  let lifetimeS: Param;
  if (opts.lifetimeS !== undefined) {
    const v = opts.lifetimeS;
    if (!Number.isFinite(v) || v <= 0) throw errors.invalidValue({ field: 'lifetime' }, `lifetime ${v} s must be positive`);
    lifetimeS = { value: v, min: v, max: v, unit: 's', source: 'user' };
    used.push({ name: 'lifetime', value: v, unit: 's', source: 'user', year: null, origin: 'user', why: `given by the caller (${years(v)})` });
  } else {
    const row = lifetimeRow(preset);
    lifetimeS = {
      value: row.valueH * SECONDS_PER_HOUR,
      min: row.minH * SECONDS_PER_HOUR,
      max: row.maxH * SECONDS_PER_HOUR,
      unit: 's',
      source: row.source,
      ...(row.year !== null ? { year: row.year } : {}),
      ...(row.note !== undefined ? { note: row.note } : {}),
    };
    used.push({
      name: 'lifetime',
      value: lifetimeS.value,
      ...(lifetimeS.min !== lifetimeS.value || lifetimeS.max !== lifetimeS.value ? { min: lifetimeS.min, max: lifetimeS.max } : {}),
      unit: 's',
      source: row.source,
      year: row.year,
      origin: 'preset',
      why: `${preset} preset: ${years(lifetimeS.value)} (${row.valueH} h)${lifetimeS.min !== lifetimeS.max ? `, range ${years(lifetimeS.min)}–${years(lifetimeS.max)}` : ''}`,
    });
  }

  // Embodied
  const model = opts.embodiedModel ?? presetEmbodiedModel(preset, hardware);
  const embodied = estimateEmbodied(model, hardware);
  used.push(embodiedUsed(embodied, opts.embodiedModel !== undefined ? 'user' : 'preset', preset));

  return { preset, params: { gridGPerKwh, pue, lifetimeS, embodied }, used };
}
