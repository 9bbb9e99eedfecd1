/**
 * The LCA model (Berthelot et al. 2022, as used by Simeu 2025):
 *
 *   I = E_kWh × EGM × PUE  +  (t / lifetime) × F_embodied
 *
 * Every input is a `Param` with a value, a range and a source. The result gives three
 * numbers per quantity:
 * - `mean`: every param at its value and the mean of the embodied candidates; this equals
 *   the mean over per-candidate GWPs, which is what the study reports;
 * - `min` / `max`: the envelope — every param at the end of its range that lowers (raises)
 *   the impact, together with the smallest (largest) embodied candidate. I grows with
 *   energy, EGM, PUE, duration and F and shrinks with lifetime, so the envelope is reached
 *   at those corners. It is a bound, not a confidence interval.
 */
import { errors } from '../errors.js';
import { JOULES_PER_KWH } from '../units/index.js';
import type { EmbodiedResult } from './embodied/index.js';

export const LCA_MODEL = 'berthelot-2022-v1';
export const LCA_FORMULA = 'GWP_g = E_J / 3.6e6 × EGM_g_per_kWh × PUE + (t_s / lifetime_s) × F_kg × 1000';

/** A model input with its uncertainty and provenance. */
export interface Param {
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly unit: string;
  readonly source: string;
  readonly year?: number;
  readonly note?: string;
}

export interface Range {
  readonly mean: number;
  readonly min: number;
  readonly max: number;
}

export interface ImpactParams {
  /** Grid carbon intensity (EGM), gCO2e/kWh. */
  readonly gridGPerKwh: Param;
  /** Power usage effectiveness, ratio ≥ 1. */
  readonly pue: Param;
  /** Hardware lifetime over which the embodied footprint is spread, s. */
  readonly lifetimeS: Param;
  /** Manufacturing footprint candidates, kgCO2e. */
  readonly embodied: EmbodiedResult;
}

export interface ImpactInput {
  readonly energyJ: number;
  /** Time the hardware is held by the workload: the allocation window of the embodied part. */
  readonly durationS: number;
  readonly params: ImpactParams;
}

export interface ImpactResult {
  readonly model: typeof LCA_MODEL;
  readonly formula: string;
  readonly energyJ: number;
  readonly energyKwh: number;
  readonly durationS: number;
  /** t / lifetime: the share of the hardware's life this workload uses. */
  readonly allocation: Range;
  readonly operationalG: Range;
  readonly embodiedG: Range;
  readonly gwpG: Range;
  /** GWP with every param at its value, one per embodied candidate (g), in candidate order. */
  readonly perCandidateG: readonly number[];
  readonly params: ImpactParams;
}

function checkParam(name: string, p: Param, opts: { positive?: boolean } = {}): void {
  const where = { field: name };
  for (const [k, v] of [['value', p.value], ['min', p.min], ['max', p.max]] as const) {
    if (!Number.isFinite(v)) throw errors.invalidValue(where, `${k} ${v} is not finite`);
    if (v < 0 || (opts.positive && v === 0)) throw errors.invalidValue(where, `${k} ${v} must be ${opts.positive ? 'positive' : 'non-negative'}`);
  }
  if (!(p.min <= p.value && p.value <= p.max)) throw errors.invalidValue(where, `value ${p.value} outside its range [${p.min}, ${p.max}]`);
}

function checkInput(input: ImpactInput): void {
  const { energyJ, durationS, params } = input;
  if (!Number.isFinite(energyJ) || energyJ < 0) throw errors.invalidValue({ field: 'energyJ' }, `energy ${energyJ} J must be finite and non-negative`);
  if (!Number.isFinite(durationS) || durationS < 0) throw errors.invalidValue({ field: 'durationS' }, `duration ${durationS} s must be finite and non-negative`);
  checkParam('grid', params.gridGPerKwh);
  checkParam('pue', params.pue);
  checkParam('lifetime', params.lifetimeS, { positive: true });
  const ks = params.embodied.candidatesKg;
  if (ks.length === 0) throw errors.invalidValue({ field: 'embodied' }, 'no embodied candidate');
  if (ks.some((k) => !Number.isFinite(k) || k < 0)) throw errors.invalidValue({ field: 'embodied' }, 'embodied candidates must be finite and non-negative');
}

/** Operational + embodied GWP of one workload, with its range. Pure. */
export function computeImpact(input: ImpactInput): ImpactResult {
  checkInput(input);
  const { energyJ, durationS, params } = input;
  const { gridGPerKwh: grid, pue, lifetimeS: life, embodied } = params;
  const energyKwh = energyJ / JOULES_PER_KWH;

  const operationalG: Range = {
    mean: energyKwh * grid.value * pue.value,
    min: energyKwh * grid.min * pue.min,
    max: energyKwh * grid.max * pue.max,
  };
  const allocation: Range = {
    mean: durationS / life.value,
    min: durationS / life.max,
    max: durationS / life.min,
  };
  const embodiedG: Range = {
    mean: allocation.mean * embodied.meanKg * 1000,
    min: allocation.min * embodied.minKg * 1000,
    max: allocation.max * embodied.maxKg * 1000,
  };
  const gwpG: Range = {
    mean: operationalG.mean + embodiedG.mean,
    min: operationalG.min + embodiedG.min,
    max: operationalG.max + embodiedG.max,
  };
  const perCandidateG = embodied.candidatesKg.map((k) => operationalG.mean + allocation.mean * k * 1000);
  return { model: LCA_MODEL, formula: LCA_FORMULA, energyJ, energyKwh, durationS, allocation, operationalG, embodiedG, gwpG, perCandidateG, params };
}

export function scaleRange(r: Range, factor: number): Range {
  return { mean: r.mean * factor, min: r.min * factor, max: r.max * factor };
}

/** Functional units: the whole run, one query, or a thousand queries. */
export type FunctionalUnit = 'run' | 'query' | '1000 queries';
export const FUNCTIONAL_UNITS: readonly FunctionalUnit[] = ['run', 'query', '1000 queries'];

export interface FunctionalImpact {
  readonly unit: FunctionalUnit;
  /** Queries in the run the result describes (1 for `run` when not given). */
  readonly queries: number;
  readonly operationalG: Range;
  readonly embodiedG: Range;
  readonly gwpG: Range;
}

/**
 * Express a run's impact per functional unit. `queries` is the number of queries the run
 * served; every query is charged an equal share (the run's idle and set-up time included).
 */
export function perFunctionalUnit(result: ImpactResult, unit: FunctionalUnit, queries = 1): FunctionalImpact {
  if (!FUNCTIONAL_UNITS.includes(unit)) throw errors.invalidValue({ field: 'unit' }, `unknown functional unit ${JSON.stringify(unit)} (expected ${FUNCTIONAL_UNITS.map((u) => `'${u}'`).join(', ')})`);
  if (unit !== 'run' && (!Number.isInteger(queries) || queries < 1)) {
    throw errors.invalidValue({ field: 'queries' }, `a per-query figure needs a positive whole number of queries, got ${queries}`);
  }
  // Divide rather than multiply by 1/queries, so a per-query figure is the run's value / n exactly.
  const per = (v: number): number => (unit === 'run' ? v : unit === 'query' ? v / queries : (v * 1000) / queries);
  const map = (r: Range): Range => ({ mean: per(r.mean), min: per(r.min), max: per(r.max) });
  return { unit, queries, operationalG: map(result.operationalG), embodiedG: map(result.embodiedG), gwpG: map(result.gwpG) };
}

/** Per-query GWP range, the common case. */
export function perQuery(result: ImpactResult, queries: number): Range {
  return perFunctionalUnit(result, 'query', queries).gwpG;
}
