/**
 * Every input of a deployment, resolved to a value with its range and where it came from:
 * the file first; then measured runs of that hardware (the datasets the file names, then the
 * runs store); then the hardware database; where nothing gives a value, an error naming the
 * key to set. Grid, PUE, lifetime and the embodied footprint come from the impact layer's
 * presets (`default`), as `analyze` takes them, overridden by the file. Pure.
 */
import { errors, isInferprintError } from '../errors.js';
import { resolveGrid } from '../impact/grid.js';
import { resolveImpactParams, type DefaultUsed } from '../impact/presets.js';
import { SECONDS_PER_HOUR } from '../units/index.js';
import { databaseProfile } from './database-profile.js';
import type { FixedCapacity } from './fleet.js';
import { loadPowerLine, sweepCapacity, type LoadPowerLine, type MeasuredProfile, type MeasuredStat } from './measured.js';
import { pooledCapacity } from './queue.js';
import { keyPath, type DeploymentInput, type Ranged, type Workload } from './workload.js';

/** The inputs a deployment's total depends on that can carry a range (the tornado's rows). */
export type InputName = 'grid' | 'pue' | 'lifetime' | 'embodied' | 'host_kg' | 'idle_w' | 'busy_w' | 'host_w' | 'service_ms';
export const INPUT_NAMES: readonly InputName[] = ['grid', 'pue', 'lifetime', 'embodied', 'host_kg', 'idle_w', 'busy_w', 'host_w', 'service_ms'];

/** Where a value came from: the file, a measurement, the database, an estimate, or the impact layer's preset. */
export type Origin = 'file' | 'measured' | 'database' | 'estimated' | 'preset';

export interface UncertainInput {
  readonly name: InputName;
  readonly unit: string;
  readonly value: number;
  readonly min: number;
  readonly max: number;
  /** Discrete alternatives (embodied candidates): a draw picks one, each equally likely. */
  readonly candidates?: readonly number[];
  readonly origin: Origin;
  /** In words, as the output shows it: `measured: ../data (50 runs; initial plateau of FULL traces)`. */
  readonly source: string;
  /** Inputs with the same key are drawn together (common random numbers across deployments). */
  readonly key: string;
}

export interface ResolvedDeployment {
  readonly input: DeploymentInput;
  readonly inputs: Readonly<Record<InputName, UncertainInput>>;
  /** Hourly grid intensity = `inputs.grid` × shape[h] (all 1 unless 24 values were given). */
  readonly gridShape: readonly number[];
  /** Capacity not from the queue model (the file's capacity_qps, a measured sweep), with where it came from. */
  readonly capacity?: FixedCapacity & { readonly source: string };
  /** Impact parameters as the impact layer reports them (grid, PUE, lifetime, embodied), for the parameter lines. */
  readonly parameters: readonly DefaultUsed[];
  readonly loadPower?: LoadPowerLine & { readonly source: string };
  readonly notes: readonly string[];
}

const HOURS_PER_YEAR = 8760;

function fileInput(name: InputName, unit: string, r: Ranged, key: string, path: (string | number)[]): UncertainInput {
  return { name, unit, ...r, origin: 'file', source: `file: ${keyPath(path)}`, key: `${name}:file:${key}:${r.value}:${r.min}:${r.max}` };
}

function measuredInput(name: InputName, unit: string, s: MeasuredStat, p: MeasuredProfile): UncertainInput {
  return {
    name,
    unit,
    value: s.value,
    min: s.min,
    max: s.max,
    origin: 'measured',
    source: `measured: ${p.path} (${s.runs} run${s.runs === 1 ? '' : 's'}; ${s.how})`,
    key: `${name}:measured:${p.path}:${p.hardwareId}`,
  };
}

function fixed(name: InputName, unit: string, value: number, origin: Origin, source: string): UncertainInput {
  return { name, unit, value, min: value, max: value, origin, source, key: `${name}:fixed:${value}` };
}

/** The first measured profile (in source order) of this hardware that has `pick`. */
function firstMeasured(profiles: readonly MeasuredProfile[], pick: (p: MeasuredProfile) => MeasuredStat | undefined): { stat: MeasuredStat; profile: MeasuredProfile } | undefined {
  for (const p of profiles) {
    const stat = pick(p);
    if (stat) return { stat, profile: p };
  }
  return undefined;
}

function usedToInput(name: InputName, u: DefaultUsed, key: string, scale = 1): UncertainInput {
  const v = typeof u.value === 'number' ? u.value : Number(u.value);
  return {
    name,
    unit: u.unit,
    value: v * scale,
    min: (u.min ?? v) * scale,
    max: (u.max ?? v) * scale,
    origin: u.origin === 'user' ? 'file' : 'preset',
    source: `${u.source}${u.year !== null ? ` (${u.year})` : ''}`,
    key,
  };
}

/**
 * Resolve one deployment. `measured` holds the profiles of every source, in priority order;
 * only those of this deployment's hardware are used.
 */
export function resolveDeployment(w: Workload, d: DeploymentInput, measured: readonly MeasuredProfile[]): ResolvedDeployment {
  const hw = d.hardware;
  const at = (...k: (string | number)[]) => ['deployments', d.index, ...k];
  const where = (...k: (string | number)[]) => ({ file: w.file, line: d.line, field: keyPath(at(...k)) });
  const mine = measured.filter((p) => p.hardwareId === hw.id);
  const db = databaseProfile(hw);
  const notes: string[] = [];

  // Grid, PUE, lifetime, embodied: the impact layer's default preset, with the file's values over it.
  const gridSpec = d.grid?.kind === 'zone' ? d.grid.zone : d.grid?.kind === 'number' ? String(d.grid.gPerKwh.value) : d.grid?.kind === 'hourly' ? String(mean(d.grid.gPerKwh)) : undefined;
  let resolved: ReturnType<typeof resolveImpactParams>;
  try {
    resolved = resolveImpactParams({
      preset: 'default',
      hardware: hw,
      ...(gridSpec !== undefined ? { grid: gridSpec } : {}),
      ...(d.pue !== 'auto' ? { pue: d.pue.value } : {}),
      ...(d.lifetimeS ? { lifetimeS: d.lifetimeS.value } : {}),
      ...(d.embodied?.kind === 'model' ? { embodiedModel: d.embodied.model } : {}),
    });
  } catch (e) {
    // A value the file chose that the impact layer refuses (an embodied model without data for
    // this device, say) is a mistake in the file: name its key (INVALID_VALUE, exit 1).
    if (!isInferprintError(e) || e.code === 'INTERNAL') throw e;
    const field = e.where.field ?? '';
    const key = /embodied/.test(field) ? ['embodied', 'model'] : field === 'pue' ? ['pue'] : field === 'lifetime' ? ['lifetime'] : field === 'grid' ? ['grid'] : [];
    throw errors.invalidValue(where(...key), `${hw.id}: ${e.detail}`);
  }
  const used = resolved.used.map((u): DefaultUsed => {
    if (u.name === 'grid' && d.grid?.kind === 'number') return { ...u, min: d.grid.gPerKwh.min, max: d.grid.gPerKwh.max, source: `file: ${keyPath(at('grid'))}` };
    if (u.name === 'grid' && d.grid?.kind === 'hourly') return { ...u, source: `file: ${keyPath(at('grid'))} (24 hourly values; mean shown)` };
    if (u.name === 'grid' && d.grid?.kind === 'zone') return { ...u, why: `${u.why}; ${keyPath(at('grid'))}` };
    if (u.name === 'pue' && d.pue !== 'auto') return { ...u, min: d.pue.min, max: d.pue.max, source: `file: ${keyPath(at('pue'))}` };
    if (u.name === 'lifetime' && d.lifetimeS) return { ...u, min: d.lifetimeS.min, max: d.lifetimeS.max, source: `file: ${keyPath(at('lifetime'))}` };
    if (u.name === 'embodied' && d.embodied?.kind === 'kg') {
      return { ...u, value: d.embodied.kg.value, min: d.embodied.kg.min, max: d.embodied.kg.max, source: `file: ${keyPath(at('embodied', 'kg'))}`, origin: 'user', why: 'given in the workload file' };
    }
    return u;
  });
  const usedOf = (n: DefaultUsed['name']): DefaultUsed => used.find((u) => u.name === n)!;
  const gridUsed = usedOf('grid');
  const gridKey = d.grid?.kind === 'zone' ? `grid:zone:${resolveGrid(d.grid.zone).zone}` : `grid:${JSON.stringify(d.grid ?? 'default')}`;
  const grid = usedToInput('grid', gridUsed, gridKey);
  const gridShape = d.grid?.kind === 'hourly' && grid.value > 0 ? d.grid.gPerKwh.map((g) => g / grid.value) : Array.from({ length: 24 }, () => 1);
  const pue = usedToInput('pue', usedOf('pue'), d.pue === 'auto' ? `pue:auto:${hw.category}` : `pue:file:${JSON.stringify(d.pue)}`);
  // Lifetime in years in the output; the model takes seconds.
  const lifeUsed = usedOf('lifetime');
  const lifetime = { ...usedToInput('lifetime', lifeUsed, `lifetime:${lifeUsed.value}:${lifeUsed.min ?? ''}:${lifeUsed.max ?? ''}`, 1 / (SECONDS_PER_HOUR * HOURS_PER_YEAR)), unit: 'y' };
  const embUsed = usedOf('embodied');
  const embodied: UncertainInput =
    d.embodied?.kind === 'kg'
      ? fileInput('embodied', 'kgCO2e', d.embodied.kg, hw.id, at('embodied', 'kg'))
      : {
          ...usedToInput('embodied', embUsed, `embodied:${resolved.params.embodied.model}:${hw.id}`),
          candidates: resolved.params.embodied.candidatesKg,
        };

  // Host manufacturing share: the file's, else the database's (none yet), else none counted.
  const hostKg = d.hostKg
    ? fileInput('host_kg', 'kgCO2e', d.hostKg, hw.id, at('embodied', 'host_kg'))
    : db.hostKg
      ? { ...fixed('host_kg', 'kgCO2e', db.hostKg.value, 'database', `database: ${db.hostKg.source}`), min: db.hostKg.min ?? db.hostKg.value, max: db.hostKg.max ?? db.hostKg.value, key: `host_kg:db:${hw.id}` }
      : fixed('host_kg', 'kgCO2e', 0, 'estimated', `none counted: no embodied.host_kg in the file and no host share in the hardware database for ${hw.id}`);

  // Power and service time: file, measured, database.
  const line = mine.map((p) => ({ p, line: loadPowerLine(p.server) })).find((x) => x.line !== undefined);
  const power = (name: 'idle_w' | 'busy_w' | 'host_w', fromFile: Ranged | undefined, pick: (p: MeasuredProfile) => MeasuredStat | undefined, fromDb: ReturnType<typeof databaseProfile>['idleW']): UncertainInput | undefined => {
    if (fromFile) return fileInput(name, 'W', fromFile, hw.id, at('power', name));
    const m = firstMeasured(mine, pick);
    if (m) return measuredInput(name, 'W', m.stat, m.profile);
    if (fromDb) return { ...fixed(name, 'W', fromDb.value, fromDb.estimated ? 'estimated' : 'database', `database: ${fromDb.source}`), min: fromDb.min ?? fromDb.value, max: fromDb.max ?? fromDb.value, key: `${name}:db:${hw.id}` };
    return undefined;
  };
  const serviceFile = d.serviceMs ? fileInput('service_ms', 'ms', d.serviceMs, hw.id, at('service_ms')) : undefined;
  const serviceMeasured = firstMeasured(mine, (p) => p.serviceMs);
  const service = serviceFile ?? (serviceMeasured ? measuredInput('service_ms', 'ms', serviceMeasured.stat, serviceMeasured.profile) : undefined);
  // A value no source gives: the deployment as written cannot be sized. The file is at fault
  // (INVALID_VALUE naming the key to set, exit 1), not the command line.
  if (!service) {
    throw errors.invalidValue(
      where('service_ms'),
      `no service time for ${hw.id}: set it (mean ms per query at batch 1), or point profiles_from at SingleStream runs of this hardware (a dataset with MLPerf logs, or bench runs)`,
    );
  }
  const lineIdle = line?.line && line.line.interceptW > 0 ? line : undefined;
  const idle =
    power('idle_w', d.power.idleW, (p) => p.idleW, db.idleW) ??
    (lineIdle?.line ? { ...fixed('idle_w', 'W', lineIdle.line.interceptW, 'measured', `measured: ${lineIdle.p.path} (zero-load intercept of the load–power line of ${lineIdle.line.points.length} Server runs)`), key: `idle_w:line:${lineIdle.p.path}:${hw.id}` } : undefined);
  // Idle captures whose power a model estimated (no sensor) are never taken as measured: say so.
  const unused = mine.find((p) => p.unusedIdle !== undefined);
  const u = unused?.unusedIdle;
  const unusedText = u ? `${u.runs} idle capture${u.runs === 1 ? '' : 's'} of ${hw.id} in ${unused.path} ${u.runs === 1 ? 'was' : 'were'} passed over: ${u.runs === 1 ? 'its' : 'their'} power is ${u.provenance}, not measured` : undefined;
  if (!idle) {
    throw errors.invalidValue(
      where('power', 'idle_w'),
      `no idle power for ${hw.id}: set it (W drawn with the model loaded and no query), or measure it with a power sensor (inferprint measure --idle 30s -- sleep 0) and point profiles_from at the runs${unusedText !== undefined ? ` (${unusedText})` : ''}`,
    );
  }
  if (unusedText !== undefined && idle.origin !== 'file' && idle.origin !== 'measured') notes.push(`${d.name}: ${unusedText}; idle power from ${idle.source}`);
  const busy = power('busy_w', d.power.busyW, (p) => p.busyW, db.busyW)!;
  const hostW =
    power('host_w', d.power.hostW, () => undefined, db.hostW) ??
    fixed('host_w', 'W', 0, 'estimated', `none counted: no power.host_w in the file and no host share in the hardware database for ${hw.id}`);
  if (hw.category === 'Large-scale' && hostW.origin === 'estimated') {
    notes.push(`${d.name}: the host around each ${hw.id} (CPU, memory, fans, PSU losses) is not counted; set ${keyPath(at('power', 'host_w'))} and ${keyPath(at('embodied', 'host_kg'))}`);
  }
  if (busy.value < idle.value) notes.push(`${d.name}: busy power ${fmt(busy.value)} W (${busy.source}) is below idle power ${fmt(idle.value)} W (${idle.source}); check the profile`);

  // Capacity: the file's, else a measured Server sweep at the latency target, else the queue model.
  let capacity: ResolvedDeployment['capacity'];
  if (d.capacityQps !== undefined) {
    capacity = { qps: d.capacityQps, basis: 'given', source: `file: ${keyPath(at('capacity_qps'))}` };
  } else if (d.placement !== 'dedicated') {
    for (const p of mine) {
      const s = sweepCapacity(p.server, w.slo.percentile, w.slo.latencyMs);
      if (!s) continue;
      const model = pooledCapacity(service.value / 1000, d.maxUtilisation, w.slo.percentile, w.slo.latencyMs / 1000).qps;
      const src = `measured: ${p.path} (${s.runs} Server runs, ${fmt(s.lowestQps)}–${fmt(s.highestQps)} QPS, p${s.percentileKey} latency)`;
      if (s.qps === undefined) {
        capacity = { qps: Math.min(model, s.lowestQps), basis: 'measured', source: `${src}: every tested load missed ${w.slo.latencyMs} ms` };
        notes.push(`${d.name}: every measured Server load of ${hw.id} (from ${fmt(s.lowestQps)} QPS) missed the latency target; capacity taken as at most the lowest tested load`);
      } else if (s.bracketed) {
        capacity = { qps: s.qps, basis: 'measured', ...(s.latencyMs !== undefined ? { latencyMs: s.latencyMs } : {}), source: src };
      } else {
        // Every tested load met the target: the device can do at least the highest one.
        capacity = { qps: Math.max(model, s.qps), basis: 'measured', ...(model <= s.qps && s.latencyMs !== undefined ? { latencyMs: s.latencyMs } : {}), source: `${src}: every tested load met the target, so at least ${fmt(s.qps)} QPS` };
        if (model > s.qps) notes.push(`${d.name}: measured Server loads of ${hw.id} up to ${fmt(s.qps)} QPS all met the target; the queue model's ${fmt(model)} QPS is used above them (sweep higher loads to measure it)`);
      }
      break;
    }
  }
  const loadPower = line?.line ? { ...line.line, source: `measured: ${line.p.path}` } : undefined;
  return {
    input: d,
    inputs: { grid, pue, lifetime, embodied, host_kg: hostKg, idle_w: idle, busy_w: busy, host_w: hostW, service_ms: service },
    gridShape,
    ...(capacity ? { capacity } : {}),
    parameters: used,
    ...(loadPower ? { loadPower } : {}),
    notes,
  };
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(4)));
}
