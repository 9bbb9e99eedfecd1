/**
 * The plan file of `inferprint campaign` (YAML, or JSON, which YAML 1.2 reads too), parsed once
 * into a typed `Plan`. Every fault is one coded error naming the file, its line and the key path
 * (`plan.yaml:7 field 'targets[0].max_parallel': expected a positive integer, got 0 [INVALID_VALUE]`);
 * unknown keys are refused, since a misspelt `exclusive` would silently share a node.
 *
 * The keys (README.md in this folder lists them with their defaults):
 *
 * ```yaml
 * name: study-mini
 * targets:
 *   - { name: cpu, executor: slurm, partition: debug, exclusive: true }   # or executor: local
 * runs:
 *   model: synthetic:bert-tiny
 *   scenario: SingleStream
 *   queries: [16, 32]
 *   repetitions: 2
 *   sensor: estimate
 * ```
 *
 * Text in, values out: reading the file is the caller's.
 */
import { errors, type InferprintError } from '../errors.js';
import { MLPERF_SCENARIOS, type MlperfScenario } from '../mlperf/types.js';
import { AUTO_ORDER } from '../sensors/names.js';
import { parseDurationS } from '../units/index.js';
import { parseYamlText, type KeyPath } from '../yaml-text.js';

export type Executor = 'slurm' | 'local';
export const EXECUTORS: readonly Executor[] = ['slurm', 'local'];

/** Where a plan's runs go: a Slurm partition (with what the jobs ask of it), or this machine. */
export interface Target {
  readonly name: string;
  readonly executor: Executor;
  readonly partition?: string;
  /** `--constraint`: node features, e.g. `a100`. */
  readonly constraint?: string;
  /** `--gres`, e.g. `gpu:1`. */
  readonly gres?: string;
  readonly account?: string;
  readonly qos?: string;
  /** `--time`, in Slurm's form: `MM`, `MM:SS`, `HH:MM:SS`, `D-HH[:MM[:SS]]`. */
  readonly timeLimit?: string;
  /** `--exclusive` (default true): a node shared with other jobs makes a run's energy meaningless. */
  readonly exclusive: boolean;
  /** At most this many tasks of the job array at once (`--array=…%N`); absent: as many as Slurm starts. */
  readonly maxParallel?: number;
  readonly cpusPerTask?: number;
  /** `--mem`, e.g. `16G`. */
  readonly mem?: string;
  /** More `sbatch` options, verbatim (`--reservation=x`). */
  readonly sbatchArgs: readonly string[];
  /** Shell lines run before inferprint in each task (`module load nodejs`). */
  readonly setup: readonly string[];
  /** Per-target overrides of `runs`: a GPU partition measures with nvml, computes with CUDA. */
  readonly sensor?: string;
  readonly provider?: 'cpu' | 'cuda' | 'auto';
  readonly hardware?: string;
}

/** What every target runs: the choices of `inferprint bench`. */
export interface RunsSpec {
  /** `synthetic:bert-tiny|bert-base|bert-large` or a path to an `.onnx` file; for `sut: http`, `kserve:NAME@URL`. */
  readonly model: string;
  readonly scenario: MlperfScenario;
  readonly queryCounts: readonly number[];
  readonly repetitions: number;
  readonly targetQps?: number;
  readonly batchSize?: number;
  readonly sensor: string;
  readonly intervalS: number;
  readonly cooldownS: number;
  readonly seed: number;
  readonly provider?: 'cpu' | 'cuda' | 'auto';
  readonly hardware?: string;
  readonly grid?: string;
  readonly label?: string;
  /** A model served over KServe v2 instead of a local ONNX Runtime session. */
  readonly http?: { readonly url: string; readonly modelName: string };
}

export interface Plan {
  readonly name: string;
  readonly targets: readonly Target[];
  readonly runs: RunsSpec;
  /** How a node calls inferprint (a command line; default: this Node and this inferprint, which a shared file system makes visible). */
  readonly inferprint?: string;
  /** The model cache on the nodes (default: each node's `$INFERPRINT_CACHE_DIR`, else its XDG cache). */
  readonly cacheDir?: string;
}

export interface PlanDefaults {
  /** `bench`'s default seed of the run order. */
  readonly seed: number;
}

/** A name that becomes part of file names and job names. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** Slurm's time formats (sbatch(1) `--time`), and its words for no limit. */
const SLURM_TIME = /^(?:\d+-\d{1,2}(?::\d{1,2}){0,2}|\d+(?::\d{1,2}){0,2}|UNLIMITED|INFINITE)$/i;
const SENSORS = new Set<string>([...AUTO_ORDER, 'auto']);

type Path = KeyPath;

const show = (path: Path): string => path.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s === '' ? k : `${s}.${k}`), '');

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string') return `'${v.length > 40 ? `${v.slice(0, 40)}…` : v}'`;
  if (typeof v === 'object') return 'a mapping';
  return typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint' ? String(v) : typeof v;
}

/** The reader: values by key path, and errors that name the file, the line and the path. */
class Reader {
  constructor(
    readonly file: string,
    private readonly lineOf: (path: Path) => number | undefined,
  ) {}

  line(path: Path): number | undefined {
    return this.lineOf(path);
  }
  parse(path: Path, detail: string): InferprintError {
    return errors.parse({ file: this.file, line: this.line(path), field: path.length > 0 ? show(path) : undefined }, detail);
  }
  invalid(path: Path, detail: string): InferprintError {
    return errors.invalidValue({ file: this.file, line: this.line(path), field: path.length > 0 ? show(path) : undefined }, detail);
  }

  /** A mapping whose keys are all among `known`. */
  mapping(v: unknown, path: Path, known: readonly string[]): Readonly<Record<string, unknown>> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw this.parse(path, `expected a mapping, got ${describe(v)}`);
    for (const k of Object.keys(v)) if (!known.includes(k)) throw this.parse([...path, k], `unknown key (expected one of ${known.join(', ')})`);
    return v as Record<string, unknown>;
  }
  string(v: unknown, path: Path): string {
    if (typeof v !== 'string') throw this.parse(path, `expected a string, got ${describe(v)}`);
    if (v.trim() === '') throw this.invalid(path, 'must not be empty');
    return v.trim();
  }
  optString(o: Readonly<Record<string, unknown>>, key: string, path: Path): string | undefined {
    return o[key] === undefined || o[key] === null ? undefined : this.string(o[key], [...path, key]);
  }
  positiveInt(v: unknown, path: Path): number {
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw this.parse(path, `expected a positive integer, got ${describe(v)}`);
    if (v < 1) throw this.invalid(path, `expected a positive integer, got ${v}`);
    return v;
  }
  boolean(v: unknown, path: Path): boolean {
    if (typeof v !== 'boolean') throw this.parse(path, `expected true or false, got ${describe(v)}`);
    return v;
  }
  /** `30s`, `100ms`, `2min`, or a number of seconds. */
  duration(v: unknown, path: Path, example: string): number {
    const s = typeof v === 'number' ? v : typeof v === 'string' ? parseDurationS(v) : undefined;
    if (s === undefined || !Number.isFinite(s)) throw this.parse(path, `expected a duration such as ${example} (or a number of seconds), got ${describe(v)}`);
    if (s < 0) throw this.invalid(path, `must not be negative, got ${s}`);
    return s;
  }
  name(v: unknown, path: Path): string {
    const s = this.string(v, path);
    if (!NAME.test(s)) throw this.invalid(path, `'${s}' is not a plain name: letters, digits, '.', '_', '-', at most 64, starting with a letter or digit (it names files and jobs)`);
    return s;
  }
  oneOf<T extends string>(v: unknown, path: Path, allowed: readonly T[]): T {
    const s = this.string(v, path);
    const hit = allowed.find((a) => a.toLowerCase() === s.toLowerCase());
    if (hit === undefined) throw this.invalid(path, `expected one of ${allowed.join(', ')}, got '${s}'`);
    return hit;
  }
  sensor(v: unknown, path: Path): string {
    const s = this.string(v, path);
    if (SENSORS.has(s) || (s.startsWith('replay:') && s.length > 'replay:'.length)) return s;
    throw this.invalid(path, `unknown sensor '${s}' (expected ${[...SENSORS].join(', ')} or replay:FILE)`);
  }
  stringList(v: unknown, path: Path): string[] {
    if (typeof v === 'string') return [this.string(v, path)];
    if (!Array.isArray(v)) throw this.parse(path, `expected a list of strings, got ${describe(v)}`);
    return v.map((x, i) => this.string(x, [...path, i]));
  }
}

const TOP_KEYS = ['name', 'targets', 'runs', 'inferprint', 'cache_dir'] as const;
const TARGET_KEYS = ['name', 'executor', 'partition', 'constraint', 'gres', 'account', 'qos', 'time_limit', 'exclusive', 'max_parallel', 'cpus_per_task', 'mem', 'sbatch_args', 'setup', 'sensor', 'provider', 'hardware'] as const;
const RUNS_KEYS = ['model', 'scenario', 'queries', 'repetitions', 'target_qps', 'batch_size', 'sensor', 'interval', 'cooldown', 'seed', 'provider', 'hardware', 'grid', 'label', 'sut', 'url', 'model_name'] as const;
const PROVIDERS = ['cpu', 'cuda', 'auto'] as const;

/** Parse a plan file's text. `file` names it in errors. */
export function parsePlan(text: string, file: string, defaults: PlanDefaults): Plan {
  const { value, lineOf } = parseYamlText(text, file);
  if (value === null || value === undefined) throw errors.emptyInput(file, 'the plan is empty: it needs name, targets and runs');
  if (typeof value !== 'object' || Array.isArray(value)) throw errors.parse({ file, line: 1 }, 'expected a mapping with name, targets and runs');
  const r = new Reader(file, lineOf);
  const top = r.mapping(value, [], TOP_KEYS);

  if (top.name === undefined) throw r.parse(['name'], 'required: the campaign name (it prefixes the campaign id and job names)');
  const name = r.name(top.name, ['name']);

  if (top.runs === undefined || top.runs === null) throw r.parse(['runs'], 'required: what to run (model, scenario, queries, repetitions, sensor, ...)');
  const runs = parseRuns(r, top.runs, defaults);

  if (top.targets === undefined) throw r.parse(['targets'], 'required: where to run, e.g. [{ name: cpu, executor: slurm, partition: debug }]');
  if (!Array.isArray(top.targets)) throw r.parse(['targets'], `expected a list of targets, got ${describe(top.targets)}`);
  if (top.targets.length === 0) throw r.invalid(['targets'], 'no targets: give at least one (executor slurm with a partition, or executor local)');
  const targets = top.targets.map((t, i) => parseTarget(r, t, ['targets', i]));
  const seen = new Set<string>();
  for (const [i, t] of targets.entries()) {
    if (seen.has(t.name)) throw r.invalid(['targets', i, 'name'], `target '${t.name}' appears twice`);
    seen.add(t.name);
  }
  return {
    name,
    targets,
    runs,
    ...(top.inferprint !== undefined ? { inferprint: r.string(top.inferprint, ['inferprint']) } : {}),
    ...(top.cache_dir !== undefined ? { cacheDir: r.string(top.cache_dir, ['cache_dir']) } : {}),
  };
}

function parseTarget(r: Reader, v: unknown, path: Path): Target {
  const t = r.mapping(v, path, TARGET_KEYS);
  if (t.name === undefined) throw r.parse([...path, 'name'], 'required: the target name (it names its job array and log files)');
  const name = r.name(t.name, [...path, 'name']);
  const executor = t.executor === undefined ? 'slurm' : r.oneOf(t.executor, [...path, 'executor'], EXECUTORS);
  const str = (k: string) => r.optString(t, k, path);
  const partition = str('partition');
  const timeLimit = t.time_limit === undefined ? undefined : typeof t.time_limit === 'number' ? String(r.positiveInt(t.time_limit, [...path, 'time_limit'])) : r.string(t.time_limit, [...path, 'time_limit']);
  if (timeLimit !== undefined && !SLURM_TIME.test(timeLimit)) {
    throw r.invalid([...path, 'time_limit'], `'${timeLimit}' is not a Slurm time: minutes (30), MM:SS, HH:MM:SS or D-HH:MM:SS`);
  }
  const opt = <K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } => (value === undefined ? {} : ({ [key]: value } as { [P in K]?: T }));
  return {
    name,
    executor,
    ...opt('partition', partition),
    ...opt('constraint', str('constraint')),
    ...opt('gres', str('gres')),
    ...opt('account', str('account')),
    ...opt('qos', str('qos')),
    ...opt('timeLimit', timeLimit),
    exclusive: t.exclusive === undefined ? true : r.boolean(t.exclusive, [...path, 'exclusive']),
    ...opt('maxParallel', t.max_parallel === undefined ? undefined : r.positiveInt(t.max_parallel, [...path, 'max_parallel'])),
    ...opt('cpusPerTask', t.cpus_per_task === undefined ? undefined : r.positiveInt(t.cpus_per_task, [...path, 'cpus_per_task'])),
    ...opt('mem', str('mem')),
    sbatchArgs: t.sbatch_args === undefined ? [] : r.stringList(t.sbatch_args, [...path, 'sbatch_args']),
    setup: t.setup === undefined ? [] : r.stringList(t.setup, [...path, 'setup']),
    ...opt('sensor', t.sensor === undefined ? undefined : r.sensor(t.sensor, [...path, 'sensor'])),
    ...opt('provider', t.provider === undefined ? undefined : r.oneOf(t.provider, [...path, 'provider'], PROVIDERS)),
    ...opt('hardware', str('hardware')),
  };
}

function parseRuns(r: Reader, v: unknown, defaults: PlanDefaults): RunsSpec {
  const path = ['runs'];
  const o = r.mapping(v, path, RUNS_KEYS);
  const at = (k: string): Path => [...path, k];
  const scenario = o.scenario === undefined ? 'SingleStream' : r.oneOf(o.scenario, at('scenario'), MLPERF_SCENARIOS);

  let queryCounts: number[];
  if (o.queries === undefined) queryCounts = [16, 32, 64, 128, 256];
  else if (typeof o.queries === 'number') queryCounts = [r.positiveInt(o.queries, at('queries'))];
  else if (Array.isArray(o.queries)) queryCounts = o.queries.map((q, i) => r.positiveInt(q, [...at('queries'), i]));
  else throw r.parse(at('queries'), `expected a list of query counts such as [16, 32], got ${describe(o.queries)}`);
  if (queryCounts.length === 0) throw r.invalid(at('queries'), 'no query counts: the plan has no runs (give e.g. [16, 32])');
  const dup = queryCounts.findIndex((q, i) => queryCounts.indexOf(q) !== i);
  if (dup >= 0) throw r.invalid([...at('queries'), dup], `query count ${queryCounts[dup]} appears twice`);

  const repetitions = o.repetitions === undefined ? 10 : r.positiveInt(o.repetitions, at('repetitions'));
  let targetQps: number | undefined;
  if (o.target_qps !== undefined) {
    if (typeof o.target_qps !== 'number' || !Number.isFinite(o.target_qps)) throw r.parse(at('target_qps'), `expected a rate in queries/s, got ${describe(o.target_qps)}`);
    if (o.target_qps <= 0) throw r.invalid(at('target_qps'), `expected a positive rate, got ${o.target_qps}`);
    if (scenario !== 'Server') throw r.invalid(at('target_qps'), `target_qps is the Server scenario's arrival rate; ${scenario} issues as fast as the system answers`);
    targetQps = o.target_qps;
  } else if (scenario === 'Server') {
    throw r.parse(at('target_qps'), 'required for the Server scenario: its arrival rate in queries/s');
  }
  const seed = o.seed === undefined ? defaults.seed : typeof o.seed === 'number' && Number.isSafeInteger(o.seed) && o.seed >= 0 && o.seed <= 0xffffffff ? o.seed : (() => { throw r.invalid(at('seed'), `expected an integer in [0, 2^32), got ${describe(o.seed)}`); })();
  const intervalS = o.interval === undefined ? 0.1 : r.duration(o.interval, at('interval'), '100ms');
  if (!(intervalS > 0)) throw r.invalid(at('interval'), 'must be positive');

  const sut = o.sut === undefined ? 'onnxruntime' : r.oneOf(o.sut, at('sut'), ['onnxruntime', 'http'] as const);
  let http: RunsSpec['http'];
  let model: string;
  if (sut === 'http') {
    if (o.url === undefined) throw r.parse(at('url'), "required with sut: http: the server's base URL, e.g. http://gpu-box:8000");
    if (o.model !== undefined) throw r.invalid(at('model'), 'with sut: http the model lives on the server: name it with model_name');
    if (o.provider !== undefined) throw r.invalid(at('provider'), 'with sut: http the server chooses its execution provider');
    http = { url: r.string(o.url, at('url')), modelName: o.model_name === undefined ? 'bert' : r.string(o.model_name, at('model_name')) };
    model = `kserve:${http.modelName}@${http.url}`;
  } else {
    for (const k of ['url', 'model_name'] as const) if (o[k] !== undefined) throw r.invalid(at(k), `${k} is for sut: http`);
    if (o.model === undefined) throw r.parse(at('model'), "required: synthetic:bert-tiny, synthetic:bert-base, synthetic:bert-large (the study's) or a path to an .onnx file");
    model = r.string(o.model, at('model'));
    if (!model.startsWith('synthetic:') && !model.toLowerCase().endsWith('.onnx')) throw r.invalid(at('model'), `expected synthetic:bert-tiny|bert-base|bert-large or a path to an .onnx file, got '${model}'`);
  }
  const opt = <K extends string, T>(key: K, value: T | undefined): { [P in K]?: T } => (value === undefined ? {} : ({ [key]: value } as { [P in K]?: T }));
  return {
    model,
    scenario,
    queryCounts,
    repetitions,
    ...opt('targetQps', targetQps),
    ...opt('batchSize', o.batch_size === undefined ? undefined : r.positiveInt(o.batch_size, at('batch_size'))),
    sensor: o.sensor === undefined ? 'auto' : r.sensor(o.sensor, at('sensor')),
    intervalS,
    cooldownS: o.cooldown === undefined ? 0 : r.duration(o.cooldown, at('cooldown'), '30s'),
    seed,
    ...opt('provider', o.provider === undefined ? undefined : r.oneOf(o.provider, at('provider'), PROVIDERS)),
    ...opt('hardware', r.optString(o, 'hardware', path)),
    ...opt('grid', o.grid === undefined ? undefined : typeof o.grid === 'number' ? String(o.grid) : r.string(o.grid, at('grid'))),
    ...opt('label', r.optString(o, 'label', path)),
    ...opt('http', http),
  };
}
