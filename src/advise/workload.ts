/**
 * The advisor's workload file (YAML or JSON: YAML 1.2 reads both), parsed once into typed
 * values. The file's content is input, not the command line, so a mistake in it exits 1 (as
 * a mistake in a campaign plan does; DESIGN §4.1 keeps exit 2 for the command line) with one
 * coded error naming the file, the line and the key path (`deployments[1].placement`) and what
 * is allowed there: PARSE for text that is not YAML or JSON and for the wrong shape (a wrong
 * type, a missing or unknown key: an unknown key says which known key it is close to),
 * INVALID_VALUE for a value of the right type that is not allowed (out of range, an unknown
 * name), EMPTY_INPUT for an empty file — the campaign plan reader's split. Pure: the text comes
 * in, nothing is read here, so the dashboard can use it.
 *
 * The keys are those of issue 9 (the contract tests and users rely on), plus what a person
 * sizing a deployment expects: a range `{ value, min, max }` wherever a number is uncertain,
 * 24 hourly grid intensities, `autoscale` for pools, `per_run_mg` for published study values.
 */
import type { EnergyMethod } from '../analysis/types.js';
import { errors, type InferprintError, type Where } from '../errors.js';
import { EMBODIED_MODEL_IDS, isEmbodiedModelId, type EmbodiedModelId } from '../impact/embodied/index.js';
import { findGridZone, suggestGridZones } from '../impact/grid.js';
import { resolveHardware, suggestHardware, type HardwareSpec } from '../impact/hardware.js';
import { closeMatches } from '../impact/names.js';
import { parseDurationS } from '../units/index.js';
import { parseYamlText, type KeyPath } from '../yaml-text.js';

/** A number with the range it may take; a plain number has `min = max = value`. */
export interface Ranged {
  readonly value: number;
  readonly min: number;
  readonly max: number;
}

/**
 * `pooled`: devices shared by all the users, sized to the busiest hour (a whole number of them);
 * `dedicated`: one device per `users_per_device` users; `shared`: a slice of a pool that also
 * serves others (a cloud GPU): the workload is charged the fraction of devices its busiest hour
 * needs, idle included.
 */
export type Placement = 'pooled' | 'dedicated' | 'shared';
export const PLACEMENTS: readonly Placement[] = ['pooled', 'dedicated', 'shared'];

export type GridInput =
  | { readonly kind: 'zone'; readonly zone: string }
  | { readonly kind: 'number'; readonly gPerKwh: Ranged }
  /** 24 intensities, hour 0..23 of the same clock as `hourly_profile`. */
  | { readonly kind: 'hourly'; readonly gPerKwh: readonly number[] };

export type EmbodiedInput =
  | { readonly kind: 'model'; readonly model: EmbodiedModelId }
  | { readonly kind: 'kg'; readonly kg: Ranged };

export interface PowerInput {
  readonly idleW?: Ranged;
  readonly busyW?: Ranged;
  readonly hostW?: Ranged;
}

export interface DeploymentInput {
  /** Position in `deployments`, for key paths in later messages, and its line in the file. */
  readonly index: number;
  readonly line?: number;
  readonly name: string;
  /** The name as written, and the device it resolved to. */
  readonly hardwareName: string;
  readonly hardware: HardwareSpec;
  readonly placement: Placement;
  /** Pooled and shared: the highest share of a device's time it may be busy (default 0.7). */
  readonly maxUtilisation: number;
  /** Dedicated: users sharing one device (default 1). */
  readonly usersPerDevice: number;
  /** Pooled and shared: power only the devices each hour needs (the others off); default false (all on). */
  readonly autoscale: boolean;
  readonly grid?: GridInput;
  readonly pue: 'auto' | Ranged;
  readonly power: PowerInput;
  readonly serviceMs?: Ranged;
  readonly capacityQps?: number;
  readonly onHoursPerDay: number;
  readonly lifetimeS?: Ranged;
  readonly embodied?: EmbodiedInput;
  readonly hostKg?: Ranged;
}

export interface StudyInput {
  /** Dataset or runs folder analysed for the per-run GWP (a path as written; resolved by the caller). */
  readonly source?: string;
  readonly qc: number;
  readonly method: EnergyMethod;
  /** Published per-run GWP (mg) by hardware id, for devices the source does not hold. */
  readonly perRunMg: ReadonlyMap<string, number>;
}

export interface Workload {
  readonly file: string;
  readonly name?: string;
  readonly users: number;
  readonly queriesPerUserPerDay: number;
  readonly hourlyProfile: 'flat' | 'weights';
  /** 24 weights summing to 1, hour 0..23. */
  readonly hourlyWeights: readonly number[];
  readonly slo: { readonly percentile: number; readonly latencyMs: number };
  readonly days: number;
  readonly deployments: readonly DeploymentInput[];
  readonly study?: StudyInput;
  /** Datasets or runs folders to read measured profiles from (paths as written). */
  readonly profilesFrom: readonly string[];
}

export const DEFAULT_MAX_UTILISATION = 0.7;
export const DEFAULT_DAYS = 365;

type Path = KeyPath;

/** `deployments[1].power.idle_w` */
export function keyPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

const TOP_KEYS = ['name', 'description', 'users', 'queries_per_user_per_day', 'hourly_profile', 'slo', 'days', 'deployments', 'study', 'profiles_from'] as const;
const SLO_KEYS = ['percentile', 'latency_ms'] as const;
const DEPLOYMENT_KEYS = [
  'name',
  'description',
  'hardware',
  'placement',
  'max_utilisation',
  'users_per_device',
  'autoscale',
  'grid',
  'pue',
  'power',
  'service_ms',
  'capacity_qps',
  'on_hours_per_day',
  'lifetime',
  'embodied',
] as const;
const POWER_KEYS = ['idle_w', 'busy_w', 'host_w'] as const;
const EMBODIED_KEYS = ['model', 'kg', 'host_kg'] as const;
const STUDY_KEYS = ['source', 'qc', 'method', 'per_run_mg'] as const;
const RANGE_KEYS = ['value', 'min', 'max'] as const;

type Obj = Readonly<Record<string, unknown>>;

/** Reads one document, failing with the file, line and key path of the first bad value. */
class Reader {
  constructor(
    readonly file: string,
    private readonly lineOf: (path: Path) => number | undefined,
  ) {}

  line(path: Path): number | undefined {
    return this.lineOf(path);
  }

  private where(path: Path): Where {
    return { file: this.file, line: this.lineOf(path), field: path.length > 0 ? keyPath(path) : undefined };
  }

  /** The wrong shape: a wrong type, a missing or unknown key. */
  parse(path: Path, detail: string): InferprintError {
    return errors.parse(this.where(path), detail);
  }

  /** A value of the right type that is not allowed here. */
  invalid(path: Path, detail: string): InferprintError {
    return errors.invalidValue(this.where(path), detail);
  }

  object(v: unknown, path: Path, keys: readonly string[]): Obj {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw this.parse(path, `expected a mapping of ${keys.join(', ')}, got ${show(v)}`);
    const o = v as Obj;
    for (const k of Object.keys(o)) {
      if (keys.includes(k)) continue;
      const close = closeMatches(k.toLowerCase(), keys.map((x) => [x, x] as const), 1);
      throw this.parse([...path, k], `unknown key${close.length > 0 ? `; did you mean '${close[0]}'?` : ''} (allowed here: ${keys.join(', ')})`);
    }
    return o;
  }

  number(v: unknown, path: Path, rule: NumberRule): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.parse(path, `expected ${rule.what}, got ${show(v)}`);
    if (!rule.ok(v)) throw this.invalid(path, `expected ${rule.what}, got ${v}`);
    return v;
  }

  /** A number, or `{ value, min, max }` with min ≤ value ≤ max, each obeying `rule`. */
  ranged(v: unknown, path: Path, rule: NumberRule): Ranged {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      const x = this.number(v, path, { ...rule, what: `${rule.what} (or { value, min, max })` });
      return { value: x, min: x, max: x };
    }
    const o = this.object(v, path, RANGE_KEYS);
    for (const k of RANGE_KEYS) if (o[k] === undefined) throw this.parse([...path, k], `missing: a range needs value, min and max`);
    const r = { value: this.number(o.value, [...path, 'value'], rule), min: this.number(o.min, [...path, 'min'], rule), max: this.number(o.max, [...path, 'max'], rule) };
    if (!(r.min <= r.value && r.value <= r.max)) throw this.invalid(path, `expected min ≤ value ≤ max, got min ${r.min}, value ${r.value}, max ${r.max}`);
    return r;
  }

  string(v: unknown, path: Path, what: string): string {
    if (typeof v !== 'string') throw this.parse(path, `expected ${what}, got ${show(v)}`);
    if (v.trim() === '') throw this.invalid(path, `expected ${what}, got ${show(v)}`);
    return v;
  }

  duration(v: unknown, path: Path): Ranged {
    const one = (x: unknown, p: Path): number => {
      const s = typeof x === 'string' && /[a-z]\s*$/i.test(x) ? parseDurationS(x) : undefined;
      const expected = `expected a positive duration with its unit, such as 7y or 61320h, got ${show(x)}`;
      if (s === undefined) throw this.parse(p, expected);
      if (s <= 0) throw this.invalid(p, expected);
      return s;
    };
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const o = this.object(v, path, RANGE_KEYS);
      for (const k of RANGE_KEYS) if (o[k] === undefined) throw this.parse([...path, k], `missing: a range needs value, min and max`);
      const r = { value: one(o.value, [...path, 'value']), min: one(o.min, [...path, 'min']), max: one(o.max, [...path, 'max']) };
      if (!(r.min <= r.value && r.value <= r.max)) throw this.invalid(path, 'expected min ≤ value ≤ max');
      return r;
    }
    const x = one(v, path);
    return { value: x, min: x, max: x };
  }
}

interface NumberRule {
  readonly what: string;
  readonly ok: (v: number) => boolean;
}

const POSITIVE: NumberRule = { what: 'a positive number', ok: (v) => v > 0 };
const NON_NEGATIVE: NumberRule = { what: 'a number ≥ 0', ok: (v) => v >= 0 };
const POSITIVE_INTEGER: NumberRule = { what: 'a positive whole number', ok: (v) => v > 0 && Number.isInteger(v) };
const PUE_RULE: NumberRule = { what: "'auto' or a ratio ≥ 1", ok: (v) => v >= 1 };
const UTILISATION: NumberRule = { what: 'a share in (0, 1]', ok: (v) => v > 0 && v <= 1 };
const PERCENTILE: NumberRule = { what: 'a percentile strictly between 0 and 100', ok: (v) => v > 0 && v < 100 };
const ON_HOURS: NumberRule = { what: 'a whole number of hours from 1 to 24', ok: (v) => Number.isInteger(v) && v >= 1 && v <= 24 };

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'a mapping';
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : typeof v;
}

/** Parse a workload file's text. `file` names it in messages (and is kept in the result). */
export function parseWorkloadText(text: string, file: string): Workload {
  const { value, lineOf } = parseYamlText(text, file);
  return parseWorkload(value, file, lineOf);
}

/** Validate a workload already read into plain values (JSON.parse, a YAML library, a test). */
export function parseWorkload(raw: unknown, file: string, lineOf: (path: Path) => number | undefined = () => undefined): Workload {
  const r = new Reader(file, lineOf);
  if (raw === null || raw === undefined) throw errors.emptyInput(file, 'the workload file is empty (expected users, queries_per_user_per_day, slo and deployments)');
  const top = r.object(raw, [], TOP_KEYS);
  for (const k of ['users', 'queries_per_user_per_day', 'slo', 'deployments'] as const) {
    if (top[k] === undefined) throw r.parse([k], 'missing: a workload needs users, queries_per_user_per_day, slo and deployments');
  }
  const users = r.number(top.users, ['users'], POSITIVE_INTEGER);
  const queriesPerUserPerDay = r.number(top.queries_per_user_per_day, ['queries_per_user_per_day'], POSITIVE);
  const hourly = parseHourly(r, top.hourly_profile);
  const sloObj = r.object(top.slo, ['slo'], SLO_KEYS);
  if (sloObj.percentile === undefined) throw r.parse(['slo', 'percentile'], 'missing: the latency target needs a percentile, e.g. 90');
  if (sloObj.latency_ms === undefined) throw r.parse(['slo', 'latency_ms'], 'missing: the latency target in ms, e.g. 130');
  const slo = { percentile: r.number(sloObj.percentile, ['slo', 'percentile'], PERCENTILE), latencyMs: r.number(sloObj.latency_ms, ['slo', 'latency_ms'], POSITIVE) };
  const days = top.days === undefined ? DEFAULT_DAYS : r.number(top.days, ['days'], POSITIVE);
  if (!Array.isArray(top.deployments)) throw r.parse(['deployments'], `expected a list of one or more deployments, got ${show(top.deployments)}`);
  if (top.deployments.length === 0) throw r.invalid(['deployments'], 'expected a list of one or more deployments, got an empty list');
  const deployments = top.deployments.map((d, i) => parseDeployment(r, d, i));
  const seen = new Map<string, number>();
  for (const d of deployments) {
    const prev = seen.get(d.name);
    if (prev !== undefined) throw r.invalid(['deployments', d.index, 'name'], `name ${JSON.stringify(d.name)} is already used by deployments[${prev}]: names must be unique`);
    seen.set(d.name, d.index);
  }
  const study = top.study === undefined ? undefined : parseStudy(r, top.study, queriesPerUserPerDay);
  const profilesFrom = top.profiles_from === undefined ? [] : Array.isArray(top.profiles_from) ? top.profiles_from.map((p, i) => r.string(p, ['profiles_from', i], 'a path')) : [r.string(top.profiles_from, ['profiles_from'], 'a path or a list of paths')];
  const name = top.name === undefined ? undefined : r.string(top.name, ['name'], 'a name');
  if (top.description !== undefined) r.string(top.description, ['description'], 'a text');
  return {
    file,
    ...(name !== undefined ? { name } : {}),
    users,
    queriesPerUserPerDay,
    hourlyProfile: hourly.kind,
    hourlyWeights: hourly.weights,
    slo,
    days,
    deployments,
    ...(study ? { study } : {}),
    profilesFrom,
  };
}

function parseHourly(r: Reader, v: unknown): { kind: 'flat' | 'weights'; weights: number[] } {
  if (v === undefined || v === 'flat') return { kind: 'flat', weights: Array.from({ length: 24 }, () => 1 / 24) };
  if (!Array.isArray(v) || v.length !== 24) throw r.parse(['hourly_profile'], `expected 'flat' or 24 relative weights (hour 0 to 23), got ${show(v)}`);
  const w = v.map((x, i) => r.number(x, ['hourly_profile', i], NON_NEGATIVE));
  const sum = w.reduce((a, b) => a + b, 0);
  if (!(sum > 0)) throw r.invalid(['hourly_profile'], 'the 24 weights are all zero: no query would ever arrive');
  return { kind: 'weights', weights: w.map((x) => x / sum) };
}

function parseDeployment(r: Reader, v: unknown, i: number): DeploymentInput {
  const at = (...k: (string | number)[]): Path => ['deployments', i, ...k];
  const o = r.object(v, at(), DEPLOYMENT_KEYS);
  if (o.name === undefined) throw r.parse(at('name'), 'missing: every deployment needs a name');
  if (o.hardware === undefined) throw r.parse(at('hardware'), 'missing: a hardware database name or alias (see: inferprint hardware list)');
  if (o.placement === undefined) throw r.parse(at('placement'), `missing: expected ${PLACEMENTS.join(' or ')}`);
  const name = r.string(o.name, at('name'), 'a name');
  const hardwareName = r.string(o.hardware, at('hardware'), 'a hardware name');
  const hardware = resolveHardware(hardwareName);
  if (!hardware) {
    const close = suggestHardware(hardwareName);
    throw r.invalid(at('hardware'), `no hardware matches ${JSON.stringify(hardwareName)}${close.length > 0 ? `; did you mean ${close.join(', ')}?` : ''} (see: inferprint hardware list)`);
  }
  if (typeof o.placement !== 'string' || !(PLACEMENTS as readonly string[]).includes(o.placement)) {
    throw r.invalid(at('placement'), `expected pooled (shared by all users, sized to the peak hour), dedicated (one device per users_per_device users) or shared (a slice of a pool serving others too), got ${show(o.placement)}`);
  }
  const placement = o.placement as Placement;
  if (placement === 'dedicated' && o.max_utilisation !== undefined) throw r.invalid(at('max_utilisation'), 'applies to pooled and shared deployments only (a dedicated device serves its own users whatever their load)');
  if (placement === 'dedicated' && o.autoscale !== undefined) throw r.invalid(at('autoscale'), 'applies to pooled and shared deployments only');
  if (placement === 'dedicated' && o.capacity_qps !== undefined) throw r.invalid(at('capacity_qps'), "applies to pooled and shared deployments only (a dedicated device's load is its own users')");
  if (placement !== 'dedicated' && o.users_per_device !== undefined) throw r.invalid(at('users_per_device'), 'applies to dedicated deployments only (a pool is sized from the load)');
  const maxUtilisation = o.max_utilisation === undefined ? DEFAULT_MAX_UTILISATION : r.number(o.max_utilisation, at('max_utilisation'), UTILISATION);
  const usersPerDevice = o.users_per_device === undefined ? 1 : r.number(o.users_per_device, at('users_per_device'), POSITIVE_INTEGER);
  if (o.autoscale !== undefined && typeof o.autoscale !== 'boolean') throw r.parse(at('autoscale'), `expected true or false, got ${show(o.autoscale)}`);
  const autoscale = o.autoscale === true;
  const grid = o.grid === undefined ? undefined : parseGrid(r, o.grid, at('grid'));
  const pue = o.pue === undefined || o.pue === 'auto' ? 'auto' : r.ranged(o.pue, at('pue'), PUE_RULE);
  const p = o.power === undefined ? {} : r.object(o.power, at('power'), POWER_KEYS);
  const power: PowerInput = {
    ...(p.idle_w !== undefined ? { idleW: r.ranged(p.idle_w, at('power', 'idle_w'), NON_NEGATIVE) } : {}),
    ...(p.busy_w !== undefined ? { busyW: r.ranged(p.busy_w, at('power', 'busy_w'), POSITIVE) } : {}),
    ...(p.host_w !== undefined ? { hostW: r.ranged(p.host_w, at('power', 'host_w'), NON_NEGATIVE) } : {}),
  };
  if (power.idleW && power.busyW && power.idleW.value > power.busyW.value) {
    throw r.invalid(at('power'), `idle_w ${power.idleW.value} W is above busy_w ${power.busyW.value} W: a device draws more when it works`);
  }
  const serviceMs = o.service_ms === undefined ? undefined : r.ranged(o.service_ms, at('service_ms'), POSITIVE);
  const capacityQps = o.capacity_qps === undefined ? undefined : r.number(o.capacity_qps, at('capacity_qps'), POSITIVE);
  const onHoursPerDay = o.on_hours_per_day === undefined ? 24 : r.number(o.on_hours_per_day, at('on_hours_per_day'), ON_HOURS);
  const lifetimeS = o.lifetime === undefined ? undefined : r.duration(o.lifetime, at('lifetime'));
  let embodied: EmbodiedInput | undefined;
  let hostKg: Ranged | undefined;
  if (o.embodied !== undefined) {
    const e = r.object(o.embodied, at('embodied'), EMBODIED_KEYS);
    if (e.model !== undefined && e.kg !== undefined) throw r.invalid(at('embodied'), 'give model or kg, not both');
    if (e.model !== undefined) {
      if (typeof e.model !== 'string' || !isEmbodiedModelId(e.model)) throw r.invalid(at('embodied', 'model'), `expected one of ${EMBODIED_MODEL_IDS.join(', ')}, got ${show(e.model)}`);
      embodied = { kind: 'model', model: e.model };
    } else if (e.kg !== undefined) {
      embodied = { kind: 'kg', kg: r.ranged(e.kg, at('embodied', 'kg'), NON_NEGATIVE) };
    }
    if (e.host_kg !== undefined) hostKg = r.ranged(e.host_kg, at('embodied', 'host_kg'), NON_NEGATIVE);
  }
  const line = r.line(at());
  return {
    index: i,
    ...(line !== undefined ? { line } : {}),
    name,
    hardwareName,
    hardware,
    placement,
    maxUtilisation,
    usersPerDevice,
    autoscale,
    ...(grid ? { grid } : {}),
    pue,
    power,
    ...(serviceMs ? { serviceMs } : {}),
    ...(capacityQps !== undefined ? { capacityQps } : {}),
    onHoursPerDay,
    ...(lifetimeS ? { lifetimeS } : {}),
    ...(embodied ? { embodied } : {}),
    ...(hostKg ? { hostKg } : {}),
  };
}

function parseGrid(r: Reader, v: unknown, path: Path): GridInput {
  if (typeof v === 'string') {
    if (findGridZone(v)) return { kind: 'zone', zone: v };
    const close = suggestGridZones(v);
    throw r.invalid(path, `no grid factor for zone ${JSON.stringify(v)}${close.length > 0 ? `; did you mean ${close.join(', ')}?` : ''} (a zone such as FR, DEU, WORLD, FR-ADEME, a number in gCO2e/kWh, or 24 hourly numbers)`);
  }
  if (Array.isArray(v)) {
    if (v.length !== 24) throw r.parse(path, `expected 24 hourly intensities in gCO2e/kWh (hour 0 to 23), got a list of ${v.length}`);
    return { kind: 'hourly', gPerKwh: v.map((x, i) => r.number(x, [...path, i], NON_NEGATIVE)) };
  }
  return { kind: 'number', gPerKwh: r.ranged(v, path, { what: 'a zone, a number in gCO2e/kWh ≥ 0, or 24 hourly numbers', ok: (x) => x >= 0 }) };
}

function parseStudy(r: Reader, v: unknown, queriesPerUserPerDay: number): StudyInput {
  const o = r.object(v, ['study'], STUDY_KEYS);
  const source = o.source === undefined ? undefined : r.string(o.source, ['study', 'source'], 'a dataset or runs folder');
  const qc = o.qc === undefined ? queriesPerUserPerDay : r.number(o.qc, ['study', 'qc'], POSITIVE_INTEGER);
  if (o.method !== undefined && o.method !== 'thesis' && o.method !== 'trapezoid') throw r.invalid(['study', 'method'], `expected thesis or trapezoid, got ${show(o.method)}`);
  const method: EnergyMethod = o.method === 'trapezoid' ? 'trapezoid' : 'thesis';
  const perRunMg = new Map<string, number>();
  if (o.per_run_mg !== undefined) {
    if (typeof o.per_run_mg !== 'object' || o.per_run_mg === null || Array.isArray(o.per_run_mg)) throw r.parse(['study', 'per_run_mg'], 'expected a mapping of hardware name to the per-run GWP in mg, e.g. { H100: 13.235 }');
    for (const [k, x] of Object.entries(o.per_run_mg as Obj)) {
      const hw = resolveHardware(k);
      if (!hw) {
        const close = suggestHardware(k);
        throw r.invalid(['study', 'per_run_mg', k], `no hardware matches ${JSON.stringify(k)}${close.length > 0 ? `; did you mean ${close.join(', ')}?` : ''}`);
      }
      perRunMg.set(hw.id, r.number(x, ['study', 'per_run_mg', k], POSITIVE));
    }
  }
  if (source === undefined && perRunMg.size === 0) throw r.parse(['study'], 'give source (a dataset or runs folder to analyse) or per_run_mg (published per-run values)');
  return { ...(source !== undefined ? { source } : {}), qc, method, perRunMg };
}
