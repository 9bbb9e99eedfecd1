/**
 * Query strings of the JSON API, parsed once into typed values. Anything malformed or unknown
 * is a 400 whose reason names the parameter: a typo (`?querycount=16`) is refused rather than
 * silently ignored. Pure.
 */
import { EMBODIED_MODEL_IDS, HARDWARE_CATEGORIES, PRESET_IDS, isEmbodiedModelId, type EmbodiedModelId, type HardwareCategory, type PresetId } from '../impact/index.js';
import { MLPERF_SCENARIOS, type MlperfScenario } from '../mlperf/types.js';
import { isSafeName, type RunStatus } from '../runs/manifest.js';
import { MIN_POINTS } from './downsample.js';
import { badRequest } from './http-error.js';

export type StatusKind = RunStatus['kind'];
const STATUS_KINDS: readonly StatusKind[] = ['completed', 'interrupted', 'failed'];

/** `token` is the dashboard's own and may accompany any request. */
const ALWAYS_ALLOWED = ['token'];
const MAX_VALUE_LENGTH = 200;

function checkKnown(q: URLSearchParams, allowed: readonly string[]): void {
  for (const [key, value] of q) {
    if (!allowed.includes(key) && !ALWAYS_ALLOWED.includes(key)) {
      throw badRequest(`unknown query parameter '${key}'${allowed.length > 0 ? ` (expected ${allowed.join(', ')})` : ' (this endpoint takes none)'}`);
    }
    if (value.length > MAX_VALUE_LENGTH && key !== 'runs' && key !== 'id') throw badRequest(`query parameter '${key}' is longer than ${MAX_VALUE_LENGTH} characters`);
  }
}

/** Every value of a parameter, repeated (`?a=1&a=2`) or comma-separated (`?a=1,2`), trimmed, empties dropped. */
function values(q: URLSearchParams, key: string): string[] {
  return q
    .getAll(key)
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function single(q: URLSearchParams, key: string): string | undefined {
  const all = q.getAll(key);
  if (all.length > 1) throw badRequest(`query parameter '${key}' given ${all.length} times (expected once)`);
  return all[0];
}

function integer(q: URLSearchParams, key: string, min: number, max: number, fallback: number): number {
  const raw = single(q, key);
  if (raw === undefined) return fallback;
  if (!/^\d{1,9}$/.test(raw)) throw badRequest(`query parameter '${key}' must be a whole number, got ${JSON.stringify(raw.slice(0, 40))}`);
  const n = Number(raw);
  if (n < min || n > max) throw badRequest(`query parameter '${key}' must be between ${min} and ${max}, got ${n}`);
  return n;
}

function oneOf<T extends string>(raw: string, key: string, allowed: readonly T[]): T {
  const hit = allowed.find((a) => a.toLowerCase() === raw.toLowerCase());
  if (hit === undefined) throw badRequest(`query parameter '${key}' must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw.slice(0, 40))}`);
  return hit;
}

// ---------------------------------------------------------------------------------------
// /api/runs

export interface RunsQuery {
  /** Only these run ids (any of them). */
  readonly ids: readonly string[];
  /** Hardware id or device name, case-insensitive; any of them. */
  readonly devices: readonly string[];
  readonly scenarios: readonly MlperfScenario[];
  readonly queryCounts: readonly number[];
  /** Case-insensitive substring of the label. */
  readonly label: string | undefined;
  readonly statuses: readonly StatusKind[];
  /** Scheduler jobs: a job id, a job array id or `ARRAY_TASK`; any of them (absent or empty: all). */
  readonly jobs?: readonly string[];
  /** Node names (the scheduler's, else the host name), case-insensitive; any of them. */
  readonly nodes?: readonly string[];
  /** Slurm partitions; any of them. */
  readonly partitions?: readonly string[];
  readonly limit: number;
  readonly offset: number;
  /** By id, which is by start time: `desc` (newest first) by default. */
  readonly order: 'asc' | 'desc';
}

const MAX_PAGE = 1000;
const DEFAULT_PAGE = 100;

export function parseRunsQuery(q: URLSearchParams): RunsQuery {
  checkKnown(q, ['id', 'device', 'scenario', 'queryCount', 'label', 'status', 'job', 'node', 'partition', 'limit', 'offset', 'order']);
  const ids = values(q, 'id');
  for (const id of ids) if (!isSafeName(id)) throw badRequest(`query parameter 'id': ${JSON.stringify(id.slice(0, 60))} is not a run id`);
  const queryCounts = values(q, 'queryCount').map((v) => {
    if (!/^\d{1,9}$/.test(v) || Number(v) < 1) throw badRequest(`query parameter 'queryCount' must be a positive whole number, got ${JSON.stringify(v.slice(0, 40))}`);
    return Number(v);
  });
  const order = single(q, 'order');
  return {
    ids,
    devices: values(q, 'device'),
    scenarios: values(q, 'scenario').map((v) => oneOf(v, 'scenario', MLPERF_SCENARIOS)),
    queryCounts,
    label: single(q, 'label')?.trim() || undefined,
    statuses: values(q, 'status').map((v) => oneOf(v, 'status', STATUS_KINDS)),
    jobs: values(q, 'job'),
    nodes: values(q, 'node'),
    partitions: values(q, 'partition'),
    limit: integer(q, 'limit', 1, MAX_PAGE, DEFAULT_PAGE),
    offset: integer(q, 'offset', 0, 1e9, 0),
    order: order === undefined ? 'desc' : oneOf(order, 'order', ['asc', 'desc'] as const),
  };
}

// ---------------------------------------------------------------------------------------
// /api/runs/:id

export interface RunQuery {
  /** Recompute the impact with this preset (and grid) instead of showing the recorded one. */
  readonly preset: PresetId | undefined;
  readonly grid: string | undefined;
}

export function parseRunQuery(q: URLSearchParams): RunQuery {
  checkKnown(q, ['preset', 'grid']);
  const preset = single(q, 'preset');
  const grid = single(q, 'grid')?.trim();
  if (grid === '') throw badRequest("query parameter 'grid' is empty (give a zone such as FR or a number in gCO2e/kWh)");
  return { preset: preset === undefined ? undefined : oneOf(preset, 'preset', PRESET_IDS), grid };
}

// ---------------------------------------------------------------------------------------
// /api/runs/:id/trace

export interface TraceQuery {
  /** At most this many points per channel. */
  readonly points: number;
  /** Channel names; all when empty. */
  readonly channels: readonly string[];
  /** Clip to this named window. */
  readonly window: string | undefined;
}

const DEFAULT_POINTS = 2000;
const MAX_POINTS = 20000;

export function parseTraceQuery(q: URLSearchParams): TraceQuery {
  checkKnown(q, ['points', 'channel', 'window']);
  return { points: integer(q, 'points', MIN_POINTS, MAX_POINTS, DEFAULT_POINTS), channels: values(q, 'channel'), window: single(q, 'window') };
}

// ---------------------------------------------------------------------------------------
// /api/hardware

export interface HardwareQuery {
  readonly category: HardwareCategory | undefined;
  readonly model: EmbodiedModelId;
}

export function parseHardwareQuery(q: URLSearchParams, opts: { withCategory: boolean }): HardwareQuery {
  checkKnown(q, opts.withCategory ? ['category', 'model'] : ['model']);
  const category = single(q, 'category');
  const model = single(q, 'model') ?? 'die-area-v1';
  if (!isEmbodiedModelId(model)) throw badRequest(`query parameter 'model' must be one of ${EMBODIED_MODEL_IDS.join(', ')}, got ${JSON.stringify(model.slice(0, 40))}`);
  return { category: category === undefined ? undefined : oneOf(category, 'category', HARDWARE_CATEGORIES), model };
}

// ---------------------------------------------------------------------------------------
// /api/figures

export interface FiguresQuery {
  /** Run ids; every run in the directory when empty. */
  readonly runs: readonly string[];
  readonly method: 'thesis' | 'trapezoid' | undefined;
  readonly grid: string | undefined;
}

const MAX_FIGURE_RUNS = 5000;

export function parseFiguresQuery(q: URLSearchParams): FiguresQuery {
  checkKnown(q, ['runs', 'method', 'grid']);
  const runs = values(q, 'runs');
  if (runs.length > MAX_FIGURE_RUNS) throw badRequest(`query parameter 'runs' names ${runs.length} runs (at most ${MAX_FIGURE_RUNS})`);
  for (const id of runs) if (!isSafeName(id)) throw badRequest(`query parameter 'runs': ${JSON.stringify(id.slice(0, 60))} is not a run id`);
  const method = single(q, 'method');
  const grid = single(q, 'grid')?.trim();
  return { runs, method: method === undefined ? undefined : oneOf(method, 'method', ['thesis', 'trapezoid'] as const), grid: grid === '' ? undefined : grid };
}

/** For endpoints without parameters. */
export function parseNoQuery(q: URLSearchParams): void {
  checkKnown(q, []);
}
