/**
 * Grid carbon intensity by zone: the study's French factor (FR-ADEME, 79.1 gCO2e/kWh) and
 * Ember's yearly averages per country (ISO 3166-1 alpha-3, also found by alpha-2 and name)
 * and aggregates (WORLD, EU, ...). A number instead of a zone is a user value.
 */
import { errors, type Where } from '../errors.js';
import { GRID_DATASETS, GRID_ZONES } from './data/grid.generated.js';
import { closeMatches, zoneKey } from './names.js';
import type { GridDataset, GridDatasetId, GridZoneRow } from './types.js';

export type { GridDataset, GridZoneRow } from './types.js';

export interface GridFactor {
  /** Canonical zone key (`FRA`, `WORLD`, `FR-ADEME`), or `user` for a number given by the user. */
  readonly zone: string;
  readonly name: string;
  readonly gPerKwh: number;
  /** The year the intensity describes; null where the source does not say. */
  readonly year: number | null;
  readonly source: string;
  readonly licence: string;
  readonly dataset: GridDatasetId | 'user';
  /** Set when the value could not be traced to its source (FR-ADEME): what is known. */
  readonly untraced?: string;
  readonly note?: string;
}

export const GRID_ZONE_ROWS: readonly GridZoneRow[] = GRID_ZONES;

const DATASETS: ReadonlyMap<GridDatasetId, GridDataset> = new Map((GRID_DATASETS as readonly GridDataset[]).map((d) => [d.id, d]));

const BY_KEY: ReadonlyMap<string, GridZoneRow> = new Map(GRID_ZONE_ROWS.flatMap((z) => [z.zone, ...z.aliases].map((n) => [zoneKey(n), z] as const)));

const NUMBER = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function toFactor(z: GridZoneRow): GridFactor {
  const ds = DATASETS.get(z.dataset);
  if (!ds) throw errors.internal(`grid dataset '${z.dataset}' missing from the generated table`);
  const source = z.source && z.dataset === 'study' ? z.source : `${ds.source}${ds.version ? ` (${ds.version})` : ''}`;
  const notes = [z.dataset === 'ember' && z.source ? z.source : undefined, z.note, z.year === null ? ds.note : undefined].filter((n) => n !== undefined);
  return {
    zone: z.zone,
    name: z.name,
    gPerKwh: z.gPerKwh,
    year: z.year,
    source,
    licence: ds.licence,
    dataset: z.dataset,
    ...(z.untraced !== undefined ? { untraced: z.untraced } : {}),
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
  };
}

/** The zone's factor, or undefined when no zone or alias matches. */
export function findGridZone(zone: string): GridFactor | undefined {
  const z = BY_KEY.get(zoneKey(zone));
  return z ? toFactor(z) : undefined;
}

/**
 * Resolve `--grid`: a zone (`FR-ADEME`, `FR`, `FRA`, `France`, `WORLD`, `EU`) or a number in
 * gCO2e/kWh (`56` → a user value). An unknown zone is an UNKNOWN_ZONE error.
 */
export function resolveGrid(spec: string, where: Where = {}): GridFactor {
  const s = spec.trim();
  if (NUMBER.test(s)) {
    const g = Number(s);
    if (!Number.isFinite(g)) throw errors.invalidValue(where, `grid intensity ${s} gCO2e/kWh is not finite`);
    return { zone: 'user', name: 'user value', gPerKwh: g, year: null, source: 'user', licence: '—', dataset: 'user' };
  }
  if (s.startsWith('-') && NUMBER.test(s.slice(1))) throw errors.invalidValue(where, `grid intensity ${s} gCO2e/kWh is negative`);
  const f = findGridZone(s);
  if (f) return f;
  throw errors.unknownZone(spec, where);
}

/** Zones close to an unknown one, for hints. */
export function suggestGridZones(zone: string, limit = 3): string[] {
  return closeMatches(zoneKey(zone), [...BY_KEY].map(([k, z]) => [k, z.zone] as const), limit);
}
