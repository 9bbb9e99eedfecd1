/**
 * The context line every figure carries inside its own image: grid factor (zone and
 * gCO2e/kWh), PUE (per hardware category when they differ), lifetime, energy method, tool and
 * version. A figure pasted alone into a paper or a slide keeps what it was computed with. Pure.
 *
 * Every value is read from the report data's `parameters` (what `analyze` says it used for each
 * device), never chosen again here; only devices whose rows have a GWP are counted, so a
 * latency-only device does not put its unused PUE on a figure.
 */
import { HARDWARE_CATEGORIES } from '../impact/types.js';
import { GRID_ZONE_ROWS } from '../impact/grid.js';
import type { DefaultUsed } from '../impact/presets.js';
import type { ReportData } from './data.js';

/** Lines under a figure's title: what the numbers in it depend on. */
export interface FigureContext {
  readonly lines: readonly string[];
}

const SECONDS_PER_YEAR = 8760 * 3600;

/** How a category reads in a context line (the study's "large-scale" hardware sits in data centres). */
const CATEGORY_LABEL: Readonly<Record<string, string>> = { 'Large-scale': 'datacenter', Desktop: 'desktop', Gaming: 'gaming', Edge: 'edge' };

/** Four significant digits, no locale. */
function num(x: number): string {
  return String(Number(x.toPrecision(4)));
}

/** A ratio shown with at least one decimal, as PUEs are written (1.0, 1.5, 1.56). */
function ratio(x: number): string {
  return Number.isInteger(x) ? x.toFixed(1) : num(x);
}

/** ` (lo–hi)` when the parameter has a range, else nothing. */
function range(u: DefaultUsed, show: (v: number) => string): string {
  return u.min !== undefined && u.max !== undefined && (u.min !== u.value || u.max !== u.value) ? ` (${show(u.min)}–${show(u.max)})` : '';
}

/**
 * The grid zone a `grid` parameter came from. `analyze` records the zone's table row as the
 * start of its source (`<zone name>: <dataset source>`) and a measurement records `zone X` as
 * its reason; a number given by the user has no zone.
 */
export function gridZoneOf(u: DefaultUsed): string | undefined {
  if (u.source === 'user' || typeof u.value !== 'number') return undefined;
  const row = GRID_ZONE_ROWS.find((z) => z.gPerKwh === u.value && u.source.startsWith(`${z.name}: `));
  return row?.zone ?? /\bzone ([A-Za-z0-9_-]+)/.exec(u.why)?.[1];
}

function gridText(u: DefaultUsed): string {
  const v = typeof u.value === 'number' ? num(u.value) : u.value;
  const zone = gridZoneOf(u);
  return zone !== undefined ? `${zone} ${v} ${u.unit}` : `${v} ${u.unit}${u.origin === 'user' ? ' (user value)' : ''}`;
}

function pueText(u: DefaultUsed): string {
  return typeof u.value === 'number' ? `${ratio(u.value)}${range(u, ratio)}` : u.value;
}

function lifetimeText(u: DefaultUsed): string {
  const y = (s: number): string => num(s / SECONDS_PER_YEAR);
  return typeof u.value === 'number' ? `${y(u.value)}${range(u, y)} y` : u.value;
}

/** Distinct values in first-seen order. */
function distinct(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

/** The context of every figure of a report. */
export function figureContext(data: ReportData): FigureContext {
  const tool = `${data.tool.name} ${data.tool.version}`;
  const withGwp = new Set(data.rows.filter((r) => r.impact !== undefined).map((r) => r.series));
  const used = data.parameters.filter((p) => withGwp.has(p.device));
  const category = new Map(data.series.map((s) => [s.name, s.category]));
  const param = (p: (typeof used)[number], name: DefaultUsed['name']): DefaultUsed | undefined => p.used.find((u) => u.name === name);

  const hasEnergy = data.rows.some((r) => r.energy !== undefined);
  const methodLine = `${hasEnergy ? `energy method ${data.method} · ` : ''}${tool}`;
  if (used.length === 0) {
    const why = hasEnergy ? 'no GWP: no device of these runs is in the hardware database' : 'no power measured (latency only): no energy, no GWP';
    return { lines: [why, methodLine] };
  }

  const grids = distinct(used.flatMap((p) => (param(p, 'grid') ? [gridText(param(p, 'grid')!)] : [])));
  // PUE by category: one value when all agree, else each value with the categories that use it.
  const pueByValue = new Map<string, string[]>();
  for (const p of used) {
    const u = param(p, 'pue');
    if (!u) continue;
    const c = category.get(p.device);
    const label = c ? (CATEGORY_LABEL[c] ?? c.toLowerCase()) : p.device;
    const list = pueByValue.get(pueText(u)) ?? pueByValue.set(pueText(u), []).get(pueText(u))!;
    if (!list.includes(label)) list.push(label);
  }
  const order = (label: string): number => {
    const i = HARDWARE_CATEGORIES.findIndex((c) => (CATEGORY_LABEL[c] ?? c) === label);
    return i === -1 ? HARDWARE_CATEGORIES.length : i;
  };
  const pues = [...pueByValue].map(([v, labels]) => ({ v, labels: labels.sort((a, b) => order(a) - order(b)) })).sort((a, b) => order(a.labels[0]!) - order(b.labels[0]!));
  const pue = pues.length === 1 ? pues[0]!.v : pues.map((x) => `${x.v} ${x.labels.join('/')}`).join(', ');
  const lifetimes = distinct(used.flatMap((p) => (param(p, 'lifetime') ? [lifetimeText(param(p, 'lifetime')!)] : [])));

  const parts = [
    grids.length > 0 ? `grid ${grids.join(', ')}` : undefined,
    pue !== '' ? `PUE ${pue}` : undefined,
    lifetimes.length > 0 ? `lifetime ${lifetimes.join(', ')}` : undefined,
  ].filter((s): s is string => s !== undefined);
  return { lines: [parts.join(' · '), methodLine] };
}
