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
import { DEFAULT_EMBODIED_MODEL, candidateKey, estimateEmbodied, hasThesisConstants, spanModels, type EmbodiedModelId, type EmbodiedResult } from './embodied/index.js';
import { resolveGrid, type GridFactor } from './grid.js';
import type { ImpactParams, Param } from './lca.js';
import { thesisSpec } from './provenance.js';
import { parsePresetId, pueFor, validatePue } from './pue.js';
import { NO_MEMORY, type HardwareSpec, type LifetimeRow, type PresetId } from './types.js';

export { PRESET_IDS, type PresetId } from './types.js';
export { parsePresetId } from './pue.js';

/**
 * A value chosen when a run was recorded (a flag given to `measure`/`bench`, a fact an importer
 * read, such as CodeCarbon's `pue` column), with why. A run keeps the parameters it was recorded
 * with: whoever reads it later gets them back unless they ask for others.
 */
export interface RecordedSetting<T> {
  readonly value: T;
  readonly why: string;
}

/** What a run was recorded with: its preset, and the values chosen over the preset's defaults. */
export interface ImpactSettings {
  readonly preset: PresetId;
  /** A zone (`FR`, `FR-ADEME`, `WORLD`) or a number in gCO2e/kWh, as text. */
  readonly grid?: RecordedSetting<string>;
  readonly pue?: RecordedSetting<number>;
  readonly lifetimeS?: RecordedSetting<number>;
  readonly embodiedModel?: RecordedSetting<EmbodiedModelId>;
}

export interface ImpactOptions {
  readonly preset: PresetId;
  readonly hardware: HardwareSpec;
  /** A zone (`FR`, `FRA`, `FR-ADEME`, `WORLD`) or a number in gCO2e/kWh. */
  readonly grid?: string;
  readonly pue?: 'auto' | number;
  readonly lifetimeS?: number;
  readonly embodiedModel?: EmbodiedModelId;
  /** Values the run was recorded with: used where the caller gives none, before the preset's. */
  readonly recorded?: Omit<ImpactSettings, 'preset'>;
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
  /** `preset`: chosen by the preset (a default); `user`: given by the caller; `recorded`: kept from when the run was recorded. */
  readonly origin: 'preset' | 'user' | 'recorded';
  readonly why: string;
  /**
   * Inputs behind this value that could not be traced to a source, each with what is known
   * (the study's memory factors, the recovered IC factors, an unpublished die area,
   * FR-ADEME's 79.1 g). Absent when every input is traced.
   */
  readonly untraced?: readonly string[];
}

export interface ResolvedImpactParams {
  readonly preset: PresetId;
  readonly params: ImpactParams;
  /** Every parameter used, in a fixed order: grid, pue, lifetime, embodied. */
  readonly used: DefaultUsed[];
  /** The settings to record with a run so it can be assessed again the same way. */
  readonly settings: ImpactSettings;
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

function gridUntraced(f: GridFactor): { untraced?: string[] } {
  return f.untraced !== undefined ? { untraced: [`grid factor ${f.zone} ${f.gPerKwh} gCO2e/kWh: untraced — ${f.untraced}`] } : {};
}

/**
 * ` [UNTRACED: a; b]` after a source, naming (not explaining) the untraced inputs, so every
 * output that prints a parameter's source shows the mark; `untraced` has the full text.
 */
export function untracedMark(untraced: readonly string[] | undefined): string {
  if (untraced === undefined || untraced.length === 0) return '';
  return ` [UNTRACED: ${untraced.map((u) => u.split(': untraced')[0]!).join('; ')}]`;
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

function embodiedUsed(e: EmbodiedResult, origin: DefaultUsed['origin'], preset: PresetId, recordedWhy?: string): DefaultUsed {
  const spans = e.spans.length > 1 ? `; range spans ${e.spans.join(', ')}` : '';
  return {
    name: 'embodied',
    value: e.meanKg,
    min: e.minKg,
    max: e.maxKg,
    unit: 'kgCO2e',
    source: `${e.model}: ${e.sources.join('; ')}${untracedMark(e.untraced)}`,
    year: null,
    origin,
    why:
      (origin === 'user'
        ? `embodied model ${e.model} chosen by the caller; ${e.candidates.length} candidate(s)`
        : origin === 'recorded'
          ? `recorded with the run: ${recordedWhy ?? e.model}; ${e.candidates.length} candidate(s)`
          : `${preset} preset: embodied model ${e.model}; mean of ${e.candidates.length} candidate(s) (${e.candidates.map(candidateKey).join(', ')})`) + spans,
    ...(e.untraced.length > 0 ? { untraced: e.untraced } : {}),
  };
}

/**
 * A PUE option from outside the type system: `'auto'`, a number, or absent. Anything else
 * would otherwise be ignored in favour of the preset's value without a word.
 */
function checkPueOption(pue: unknown): void {
  if (pue !== undefined && pue !== 'auto' && typeof pue !== 'number') throw errors.invalidValue({ field: 'pue' }, `PUE ${JSON.stringify(pue)} is neither 'auto' nor a number`);
}

/**
 * The embodied estimate a preset makes. `thesis-2025` computes with the device as the study
 * saw it (its own TDP, year, die area, memory type: `thesisSpec`), so Table 5.1 reproduces.
 * `default`, when the model is its own choice (die-area-v1), spans both memory-factor sets
 * in min/max: the study's (untraced) and ACT's (cited), so the spread between sources shows.
 */
function presetEmbodied(preset: PresetId, model: EmbodiedModelId, hardware: HardwareSpec, origin: DefaultUsed['origin']): EmbodiedResult {
  if (preset === 'thesis-2025') return estimateEmbodied(model, thesisSpec(hardware));
  const e = estimateEmbodied(model, hardware);
  if (origin !== 'preset' || model !== 'die-area-v1' || hardware.memoryType === NO_MEMORY) return e;
  return spanModels(e, [estimateEmbodied('die-area-act-v1', hardware)], "memory factors: the study's (untraced) and ACT's (die-area-act-v1)");
}

/** The LCA parameters for a device under a preset, and the record of what was used. Pure. */
export function resolveImpactParams(opts: ImpactOptions): ResolvedImpactParams {
  const preset = parsePresetId(opts.preset, { field: 'preset' });
  const { hardware } = opts;
  // `resolveHardware` answers undefined for a name it does not know; passed on, that must not become a TypeError here.
  if ((hardware as HardwareSpec | undefined) === undefined) {
    throw errors.invalidValue({ field: 'hardware' }, 'no hardware given (resolveHardware returns undefined for an unknown name: requireHardware(name) says which names are close)');
  }
  checkPueOption(opts.pue);
  const rec = opts.recorded ?? {};
  const used: DefaultUsed[] = [];
  const settings: { -readonly [K in keyof ImpactSettings]: ImpactSettings[K] } = { preset };

  // Grid: the caller's, else the run's, else the preset's.
  const gridOrigin: DefaultUsed['origin'] = opts.grid !== undefined ? 'user' : rec.grid !== undefined ? 'recorded' : 'preset';
  const zone = opts.grid ?? rec.grid?.value ?? (preset === 'thesis-2025' ? STUDY_GRID_ZONE : (opts.defaultZone ?? DEFAULT_ZONE));
  const grid = resolveGrid(zone, gridOrigin === 'user' ? { field: 'grid' } : gridOrigin === 'recorded' ? { field: 'impact.settings.grid' } : {});
  const gridGPerKwh = gridParam(grid);
  if (gridOrigin !== 'preset') settings.grid = { value: zone, why: gridOrigin === 'user' ? `given by the user (${zone})` : rec.grid!.why };
  used.push({
    name: 'grid',
    value: grid.gPerKwh,
    unit: 'gCO2e/kWh',
    source: `${gridGPerKwh.source}${untracedMark(gridUntraced(grid).untraced)}`,
    year: grid.year,
    origin: gridOrigin,
    why:
      gridOrigin === 'user'
        ? `given by the caller (${zone})`
        : gridOrigin === 'recorded'
          ? `recorded with the run: ${rec.grid!.why}`
          : preset === 'thesis-2025'
            ? "thesis-2025 preset: the study's EGM for France (ADEME Base Empreinte)"
            : `default preset, no grid given: zone ${grid.zone}${opts.defaultZone !== undefined ? ' (default zone for this input)' : ' (world average)'}`,
    ...gridUntraced(grid),
  });

  // PUE
  let pue: Param;
  const givenPue = typeof opts.pue === 'number' ? { value: opts.pue, origin: 'user' as const } : opts.pue === undefined && rec.pue !== undefined ? { value: rec.pue.value, origin: 'recorded' as const } : undefined;
  if (givenPue) {
    const v = validatePue(givenPue.value, { field: givenPue.origin === 'user' ? 'pue' : 'impact.settings.pue' });
    const why = givenPue.origin === 'user' ? 'given by the caller' : `recorded with the run: ${rec.pue!.why}`;
    const source = givenPue.origin === 'user' ? 'user' : rec.pue!.why;
    pue = { value: v, min: v, max: v, unit: 'ratio', source };
    settings.pue = { value: v, why: givenPue.origin === 'user' ? 'given by the user' : rec.pue!.why };
    used.push({ name: 'pue', value: v, unit: 'ratio', source, year: null, origin: givenPue.origin, why });
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
  const givenLife = opts.lifetimeS !== undefined ? { value: opts.lifetimeS, origin: 'user' as const } : rec.lifetimeS !== undefined ? { value: rec.lifetimeS.value, origin: 'recorded' as const } : undefined;
  if (givenLife) {
    const v = givenLife.value;
    if (!Number.isFinite(v) || v <= 0) throw errors.invalidValue({ field: givenLife.origin === 'user' ? 'lifetime' : 'impact.settings.lifetimeS' }, `lifetime ${v} s must be positive`);
    const source = givenLife.origin === 'user' ? 'user' : rec.lifetimeS!.why;
    lifetimeS = { value: v, min: v, max: v, unit: 's', source };
    settings.lifetimeS = { value: v, why: givenLife.origin === 'user' ? 'given by the user' : rec.lifetimeS!.why };
    used.push({
      name: 'lifetime',
      value: v,
      unit: 's',
      source,
      year: null,
      origin: givenLife.origin,
      why: givenLife.origin === 'user' ? `given by the caller (${years(v)})` : `recorded with the run (${years(v)}): ${rec.lifetimeS!.why}`,
    });
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
  const embodiedOrigin: DefaultUsed['origin'] = opts.embodiedModel !== undefined ? 'user' : rec.embodiedModel !== undefined ? 'recorded' : 'preset';
  const model = opts.embodiedModel ?? rec.embodiedModel?.value ?? presetEmbodiedModel(preset, hardware);
  const embodied = presetEmbodied(preset, model, hardware, embodiedOrigin);
  if (embodiedOrigin !== 'preset') settings.embodiedModel = { value: model, why: embodiedOrigin === 'user' ? 'given by the user' : rec.embodiedModel!.why };
  used.push(embodiedUsed(embodied, embodiedOrigin, preset, rec.embodiedModel?.why));

  return { preset, params: { gridGPerKwh, pue, lifetimeS, embodied }, used, settings };
}

/**
 * What the min–max range of a result spans, in words: the embodied candidates, and every
 * other parameter that has a range. For footnotes, so nobody reads an envelope over PUE and
 * lifetime as the spread of the embodied estimate alone.
 */
export function rangeSpans(used: readonly DefaultUsed[]): string[] {
  const spans: string[] = [];
  for (const u of used) {
    if (u.name === 'embodied') {
      if (u.min !== undefined && u.max !== undefined && u.min !== u.max) spans.push('embodied candidates');
    } else if (u.min !== undefined && u.max !== undefined && u.min !== u.max) {
      spans.push(u.name === 'lifetime' ? 'lifetime' : u.name === 'pue' ? 'PUE' : 'grid factor');
    }
  }
  return spans;
}

/** Grid and PUE for a run whose hardware the database does not know: the operational part alone. */
export interface OperationalParams {
  readonly gridGPerKwh: number;
  readonly pue: number;
  readonly used: DefaultUsed[];
  readonly settings: ImpactSettings;
}

/**
 * The operational parameters alone, for hardware the database does not know (so no category
 * decides the PUE): grid as `resolveImpactParams` takes it; PUE as given or recorded, else 1
 * (no facility overhead assumed), said in its `why`. Pure.
 */
export function resolveOperationalParams(opts: Omit<ImpactOptions, 'hardware' | 'embodiedModel' | 'lifetimeS'>): OperationalParams {
  const preset = parsePresetId(opts.preset, { field: 'preset' });
  checkPueOption(opts.pue);
  const rec = opts.recorded ?? {};
  const settings: { -readonly [K in keyof ImpactSettings]: ImpactSettings[K] } = { preset };
  const gridOrigin: DefaultUsed['origin'] = opts.grid !== undefined ? 'user' : rec.grid !== undefined ? 'recorded' : 'preset';
  const zone = opts.grid ?? rec.grid?.value ?? (preset === 'thesis-2025' ? STUDY_GRID_ZONE : (opts.defaultZone ?? DEFAULT_ZONE));
  const grid = resolveGrid(zone, gridOrigin === 'user' ? { field: 'grid' } : gridOrigin === 'recorded' ? { field: 'impact.settings.grid' } : {});
  if (gridOrigin !== 'preset') settings.grid = { value: zone, why: gridOrigin === 'user' ? `given by the user (${zone})` : rec.grid!.why };
  const gp = gridParam(grid);
  const used: DefaultUsed[] = [
    {
      name: 'grid',
      value: grid.gPerKwh,
      unit: 'gCO2e/kWh',
      source: `${gp.source}${untracedMark(gridUntraced(grid).untraced)}`,
      year: grid.year,
      origin: gridOrigin,
      why: gridOrigin === 'user' ? `given by the caller (${zone})` : gridOrigin === 'recorded' ? `recorded with the run: ${rec.grid!.why}` : `${preset} preset: zone ${grid.zone}`,
      ...gridUntraced(grid),
    },
  ];
  const pueOrigin: DefaultUsed['origin'] = typeof opts.pue === 'number' ? 'user' : opts.pue === undefined && rec.pue !== undefined ? 'recorded' : 'preset';
  const pue = pueOrigin === 'user' ? validatePue(opts.pue as number, { field: 'pue' }) : pueOrigin === 'recorded' ? validatePue(rec.pue!.value, { field: 'impact.settings.pue' }) : 1;
  if (pueOrigin !== 'preset') settings.pue = { value: pue, why: pueOrigin === 'user' ? 'given by the user' : rec.pue!.why };
  used.push({
    name: 'pue',
    value: pue,
    unit: 'ratio',
    source: pueOrigin === 'user' ? 'user' : pueOrigin === 'recorded' ? rec.pue!.why : 'no facility overhead assumed: the hardware (and so its category) is unknown',
    year: null,
    origin: pueOrigin,
    why: pueOrigin === 'user' ? 'given by the caller' : pueOrigin === 'recorded' ? `recorded with the run: ${rec.pue!.why}` : 'unknown hardware: PUE 1',
  });
  return { gridGPerKwh: grid.gPerKwh, pue, used, settings };
}
