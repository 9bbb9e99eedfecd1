/**
 * The advisor's answer for a workload: per deployment the fleet, its energy and footprint
 * with P5–P95, the sensitivity of its total to each input, and the study's per-run
 * accounting beside it; for each pair of deployments the probability that one emits less.
 * Pure: the measured profiles and the study's per-run values come in from the adapters
 * (`load.ts`). The result is the JSON contract of `inferprint advise --format json`, so its
 * keys are snake_case with units in their names.
 */
import { errors } from '../errors.js';
import type { DefaultUsed } from '../impact/presets.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { fleetPoint, splitTotal, type FleetInputs, type FleetPoint, type Split } from './fleet.js';
import type { MeasuredProfile } from './measured.js';
import { figure, inputEnds, isRanged, probabilityBelow, simulate, type Figure } from './montecarlo.js';
import { INPUT_NAMES, resolveDeployment, type InputName, type Origin, type ResolvedDeployment, type UncertainInput } from './resolve.js';
import type { Placement, Workload } from './workload.js';

export type { Figure } from './montecarlo.js';

export const DEFAULT_DRAWS = 10_000;
export const DEFAULT_SEED = 1;
/**
 * Most Monte Carlo draws one advice takes. The percentiles keep every draw of every
 * deployment (8 bytes each) and the sampler runs ≈ 80 000 deployment-draws/s (docs/benchmarks.md):
 * 10⁶ draws of five deployments is ≈ 40 MB and about a minute. Past that the P5–P95 no longer
 * moves in the digits shown, while 10⁸ draws would need 4 GB and half an hour.
 */
export const MAX_DRAWS = 1_000_000;

/** One input as it went into a deployment: value, range, where from. */
export interface InputUsed {
  readonly name: InputName;
  readonly value: number;
  readonly min: number;
  readonly max: number;
  readonly unit: string;
  readonly origin: Origin;
  readonly source: string;
  /** Number of discrete alternatives (embodied candidates), when there are several. */
  readonly candidates?: number;
}

/** One row of the tornado: the total with this input at its low and high end, the others at their values. */
export interface Sensitivity {
  readonly input: InputName;
  readonly low: number;
  readonly high: number;
  readonly unit: string;
  readonly total_kg_at_low: number;
  readonly total_kg_at_high: number;
  /** |total at high − total at low|, kgCO2e. */
  readonly swing_kg: number;
}

export interface DeploymentAdvice {
  readonly name: string;
  /** Hardware database id, and the name the file gave. */
  readonly hardware: string;
  readonly hardware_name: string;
  readonly category: string;
  readonly placement: Placement;
  readonly devices: Figure;
  readonly capacity_qps: number;
  readonly capacity_basis: FleetPoint['capacityBasis'];
  readonly capacity_bound: 'utilisation' | 'latency' | null;
  readonly capacity_source: string;
  readonly peak_qps: number;
  readonly peak_qps_per_device: number;
  readonly utilisation: { readonly mean: number; readonly peak: number };
  readonly latency_ms: number | null;
  readonly latency_basis: FleetPoint['latencyBasis'];
  readonly slo_met: boolean | null;
  readonly slo_reachable: boolean;
  readonly overloaded: boolean;
  readonly unserved_share: number;
  readonly on_hours_per_day: number;
  readonly powered_device_hours_per_day: number;
  readonly energy_kwh: Figure;
  readonly kwh_per_year: Figure;
  /** Over the horizon, at the inputs' values: the idle baseline of powered devices, the work above it, the host. */
  readonly energy_split_kwh: Split;
  readonly operational_kg: Figure;
  readonly operational_split_kg: Split;
  readonly embodied_kg: Figure;
  readonly embodied_split_kg: { readonly device: number; readonly host: number };
  readonly total_kg: Figure;
  readonly mg_per_query: Figure;
  readonly g_per_user_per_year: Figure;
  readonly inputs: readonly InputUsed[];
  /** Grid, PUE, lifetime and embodied as the impact layer reports them (what `analyze` prints). */
  readonly parameters: readonly DefaultUsed[];
  /** Inputs by how far they swing the total, largest first (ranged inputs only). */
  readonly sensitivity: readonly Sensitivity[];
  /** Measured load–power line (Server runs), when there is one. */
  readonly load_power?: { readonly intercept_w: number; readonly slope_w_per_qps: number; readonly points: readonly { readonly qps: number; readonly power_w: number }[]; readonly source: string };
  readonly notes: readonly string[];
}

/** The study's accounting for one deployment's hardware: each user a device of their own, one `qc`-query run per user per day. */
export interface StudyRow {
  readonly name: string;
  readonly hardware: string;
  readonly qc: number;
  readonly method: string;
  readonly per_run_mg: number;
  readonly runs_per_user_per_day: number;
  /** users × runs_per_user_per_day × days × per-run GWP, kgCO2e: the study's figure over the same horizon. */
  readonly total_kg: number;
  readonly per_day_kg: number;
  readonly mg_per_query: number;
  readonly source: string;
}

export interface Comparison {
  readonly a: string;
  readonly b: string;
  /** Share of Monte Carlo draws where a's total is below b's. */
  readonly p_a_less: number;
}

export interface AdviceResult {
  readonly tool: { readonly name: string; readonly version: string };
  readonly file: string;
  readonly workload: {
    readonly name?: string;
    readonly users: number;
    readonly queries_per_user_per_day: number;
    readonly queries_per_day: number;
    readonly hourly_profile: 'flat' | 'weights';
    readonly hourly_weights: readonly number[];
    readonly peak_qps: number;
    readonly slo: { readonly percentile: number; readonly latency_ms: number };
    readonly days: number;
  };
  readonly deployments: readonly DeploymentAdvice[];
  readonly study: readonly StudyRow[];
  readonly comparisons: readonly Comparison[];
  readonly montecarlo: { readonly draws: number; readonly seed: number; readonly distribution: string };
  readonly notes: readonly string[];
}

/** A per-run GWP from the study's method applied to a dataset (or given in the file). */
export interface StudyPerRun {
  readonly hardwareId: string;
  readonly perRunG: number;
  readonly source: string;
}

export interface AdviseOptions {
  /** Monte Carlo draws (default 10 000; 0: point values only). */
  readonly draws?: number;
  readonly seed?: number;
}

const SECONDS_PER_YEAR = 8760 * 3600;

/** The model's inputs for a deployment, each input taken through `value` (its value, or a draw). */
export function fleetInputs(w: Workload, r: ResolvedDeployment, value: (x: UncertainInput) => number): FleetInputs {
  const d = r.input;
  const i = r.inputs;
  const grid = value(i.grid);
  const flat = r.gridShape.every((s) => s === 1);
  return {
    placement: d.placement,
    users: w.users,
    queriesPerUserPerDay: w.queriesPerUserPerDay,
    hourlyWeights: w.hourlyWeights,
    percentile: w.slo.percentile,
    latencyMs: w.slo.latencyMs,
    days: w.days,
    maxUtilisation: d.maxUtilisation,
    usersPerDevice: d.usersPerDevice,
    autoscale: d.autoscale,
    onHoursPerDay: d.onHoursPerDay,
    serviceS: value(i.service_ms) / 1000,
    ...(r.capacity ? { capacity: r.capacity } : {}),
    idleW: value(i.idle_w),
    // A draw may put busy below idle when their ranges overlap; a device never draws less busy than idle.
    busyW: Math.max(value(i.busy_w), value(i.idle_w)),
    hostW: value(i.host_w),
    gridGPerKwh: flat ? grid : r.gridShape.map((s) => s * grid),
    pue: value(i.pue),
    lifetimeS: value(i.lifetime) * SECONDS_PER_YEAR,
    deviceKg: value(i.embodied),
    hostKg: value(i.host_kg),
  };
}

const atValue = (x: UncertainInput): number => x.value;
const INPUT_INDEX = Object.fromEntries(INPUT_NAMES.map((n, i) => [n, i])) as Record<InputName, number>;

/** Resolve every deployment against the measured profiles, then advise. */
export function advise(w: Workload, measured: readonly MeasuredProfile[], studyFromSource: readonly StudyPerRun[], opts: AdviseOptions = {}): AdviceResult {
  return adviseResolved(
    w,
    w.deployments.map((d) => resolveDeployment(w, d, measured)),
    studyFromSource,
    opts,
  );
}

const OUTPUTS = ['devices', 'energy', 'operational', 'embodied', 'total'] as const;

/**
 * Advise from resolved deployments. Call it again with another workload (more users, other
 * queries per day, `draws: 0`) to sweep: resolution does not depend on the load, except a
 * measured capacity, which depends on the SLO.
 */
export function adviseResolved(w: Workload, resolved: readonly ResolvedDeployment[], studyFromSource: readonly StudyPerRun[], opts: AdviseOptions = {}): AdviceResult {
  const draws = opts.draws ?? DEFAULT_DRAWS;
  if (!Number.isSafeInteger(draws) || draws < 0 || draws > MAX_DRAWS) throw errors.invalidValue({ field: 'draws' }, `expected a whole number of Monte Carlo draws from 0 to ${MAX_DRAWS}, got ${draws}`);
  const seed = opts.seed ?? DEFAULT_SEED;
  const queriesPerDay = w.users * w.queriesPerUserPerDay;
  const queriesHorizon = queriesPerDay * w.days;
  const inputsOf = resolved.map((r) => INPUT_NAMES.map((n) => r.inputs[n]));
  const sims =
    draws > 0
      ? simulate(
          inputsOf,
          OUTPUTS,
          (d, values) => {
            const p = fleetPoint(fleetInputs(w, resolved[d]!, (x) => values[INPUT_INDEX[x.name]]!));
            const embodied = p.embodiedDeviceKg + p.embodiedHostKg;
            return { devices: p.devices, energy: p.energyKwh, operational: splitTotal(p.operationalKg), embodied, total: p.totalKg };
          },
          draws,
          seed,
        )
      : undefined;

  const deployments = resolved.map((r, k): DeploymentAdvice => {
    const d = r.input;
    const p = fleetPoint(fleetInputs(w, r, atValue));
    const sim = sims?.[k];
    const totals = figure(p.totalKg, sim?.total);
    const energies = figure(p.energyKwh, sim?.energy);
    // Per query, per user and per year are the totals scaled by a positive constant: same order, same quantiles.
    const times = (f: Figure, k: number): Figure => ({ value: f.value * k, p5: f.p5 * k, p50: f.p50 * k, p95: f.p95 * k });
    const embodied = p.embodiedDeviceKg + p.embodiedHostKg;
    const sensitivity = inputsOf[k]!.filter(isRanged)
      .map((x): Sensitivity => {
        const [low, high] = inputEnds(x);
        const at = (v: number) => fleetPoint(fleetInputs(w, r, (y) => (y === x ? v : y.value))).totalKg;
        const lo = at(low);
        const hi = at(high);
        return { input: x.name, low, high, unit: x.unit, total_kg_at_low: lo, total_kg_at_high: hi, swing_kg: Math.abs(hi - lo) };
      })
      .sort((a, b) => b.swing_kg - a.swing_kg);
    const notes = [...r.notes];
    if (!p.sloReachable) {
      notes.push(
        `${d.name}: the latency target cannot be met at any load: the service time alone (${fmt(r.inputs.service_ms.value)} ms) gives a p${w.slo.percentile} latency of ${fmt(r.inputs.service_ms.value * -Math.log1p(-w.slo.percentile / 100))} ms > ${w.slo.latencyMs} ms${d.placement !== 'dedicated' && !r.capacity ? ' (the pool is sized by max_utilisation alone)' : ''}`,
      );
    }
    if (p.overloaded) notes.push(`${d.name}: one device cannot keep up with its ${d.usersPerDevice} user(s) in the busiest hour (${fmt(p.peakQpsPerDevice)} queries/s against at most ${fmt(1 / (r.inputs.service_ms.value / 1000))}): lower users_per_device`);
    if (p.unservedShare > 0) notes.push(`${d.name}: ${fmt(p.unservedShare * 100)} % of queries arrive while its devices are off (on_hours_per_day ${d.onHoursPerDay}, the busiest hours): they are not served`);
    return {
      name: d.name,
      hardware: d.hardware.id,
      hardware_name: d.hardwareName,
      category: d.hardware.category,
      placement: d.placement,
      devices: figure(p.devices, sim?.devices),
      capacity_qps: p.capacityQps,
      capacity_basis: p.capacityBasis,
      capacity_bound: p.capacityBound ?? null,
      capacity_source: r.capacity?.source ?? (d.placement !== 'dedicated' ? `queue model: min(${d.maxUtilisation} × μ, μ − ln(1/(1−p))/L), μ = 1/service` : 'dedicated: the device serves its own users'),
      peak_qps: p.peakQps,
      peak_qps_per_device: p.peakQpsPerDevice,
      utilisation: { mean: p.meanUtilisation, peak: p.peakUtilisation },
      latency_ms: p.latencyMs,
      latency_basis: p.latencyBasis,
      slo_met: p.sloMet,
      slo_reachable: p.sloReachable,
      overloaded: p.overloaded,
      unserved_share: p.unservedShare,
      on_hours_per_day: d.onHoursPerDay,
      powered_device_hours_per_day: p.poweredDeviceHoursPerDay,
      energy_kwh: energies,
      kwh_per_year: times(energies, 365 / w.days),
      energy_split_kwh: { idle: p.energyKwhPerDay.idle * w.days, active: p.energyKwhPerDay.active * w.days, host: p.energyKwhPerDay.host * w.days },
      operational_kg: figure(splitTotal(p.operationalKg), sim?.operational),
      operational_split_kg: p.operationalKg,
      embodied_kg: figure(embodied, sim?.embodied),
      embodied_split_kg: { device: p.embodiedDeviceKg, host: p.embodiedHostKg },
      total_kg: totals,
      mg_per_query: times(totals, 1e6 / queriesHorizon),
      g_per_user_per_year: times(totals, (1000 / w.users) * (365 / w.days)),
      inputs: inputsOf[k]!.map((x) => ({
        name: x.name,
        value: x.value,
        min: x.candidates && x.candidates.length > 0 ? Math.min(...x.candidates) : x.min,
        max: x.candidates && x.candidates.length > 0 ? Math.max(...x.candidates) : x.max,
        unit: x.unit,
        origin: x.origin,
        source: x.source,
        ...(x.candidates && x.candidates.length > 1 ? { candidates: x.candidates.length } : {}),
      })),
      parameters: r.parameters,
      sensitivity,
      ...(r.loadPower
        ? { load_power: { intercept_w: r.loadPower.interceptW, slope_w_per_qps: r.loadPower.slopeWPerQps, points: r.loadPower.points.map((x) => ({ qps: x.qps, power_w: x.powerW })), source: r.loadPower.source } }
        : {}),
      notes,
    };
  });

  const comparisons: Comparison[] = [];
  if (sims) {
    for (let a = 0; a < resolved.length; a++) {
      for (let b = a + 1; b < resolved.length; b++) {
        comparisons.push({ a: deployments[a]!.name, b: deployments[b]!.name, p_a_less: probabilityBelow(sims[a]!.total, sims[b]!.total) });
      }
    }
  }

  const study = studyRows(w, studyFromSource);
  const notes: string[] = [];
  if (w.study) {
    for (const d of w.deployments) {
      if (!study.some((s) => s.name === d.name)) notes.push(`study: no per-run GWP for ${d.hardware.id} at QC ${w.study.qc}${w.study.source !== undefined ? ` in ${w.study.source}` : ''} (give study.per_run_mg: { ${d.hardware.id}: MG })`);
    }
  }
  return {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    file: w.file,
    workload: {
      ...(w.name !== undefined ? { name: w.name } : {}),
      users: w.users,
      queries_per_user_per_day: w.queriesPerUserPerDay,
      queries_per_day: queriesPerDay,
      hourly_profile: w.hourlyProfile,
      hourly_weights: w.hourlyWeights,
      peak_qps: (queriesPerDay * Math.max(...w.hourlyWeights)) / 3600,
      slo: { percentile: w.slo.percentile, latency_ms: w.slo.latencyMs },
      days: w.days,
    },
    deployments,
    study,
    comparisons,
    montecarlo: { draws, seed, distribution: 'triangular on [min, max] with mode at the value; embodied candidates equally likely; one draw per input shared by deployments that share it' },
    notes,
  };
}

/**
 * The study's rows: for each deployment whose hardware has a per-run GWP (the file's
 * `per_run_mg` first, then the source analysed), users × runs per user per day × days × per-run GWP.
 */
export function studyRows(w: Workload, fromSource: readonly StudyPerRun[]): StudyRow[] {
  if (!w.study) return [];
  const s = w.study;
  const runsPerUserPerDay = w.queriesPerUserPerDay / s.qc;
  return w.deployments.flatMap((d): StudyRow[] => {
    const given = s.perRunMg.get(d.hardware.id);
    const found = given !== undefined ? { perRunG: given / 1000, source: `file: study.per_run_mg.${d.hardware.id}` } : fromSource.find((x) => x.hardwareId === d.hardware.id);
    if (!found) return [];
    const perDayKg = (w.users * runsPerUserPerDay * found.perRunG) / 1000;
    return [
      {
        name: d.name,
        hardware: d.hardware.id,
        qc: s.qc,
        method: s.method,
        per_run_mg: found.perRunG * 1000,
        runs_per_user_per_day: runsPerUserPerDay,
        total_kg: perDayKg * w.days,
        per_day_kg: perDayKg,
        mg_per_query: (found.perRunG * 1000) / s.qc,
        source: found.source,
      },
    ];
  });
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(4)));
}
