// End-to-end overhead of `inferprint measure -- true` against `true` alone, and where the time
// goes. Usage: measure-overhead.ts MODE [REPS]
//   MODE startup                 the stages on their own, each a fresh process: `true`,
//                                `node -e 0`, `inferprint --version`, loading the measure
//                                command's modules, loading DuckDB (import(), as the product
//                                does, and require()), DuckDB writing a tiny Parquet
//   MODE estimate|nvidia-smi|replay
//                                `./bin/inferprint measure --sensor MODE -- true` (nvidia-smi:
//                                the fake on PATH; replay: a 1 s generated CSV) interleaved with
//                                `true`, then the same run through the library API with each
//                                stage timed in-process (module load, sensor start, command +
//                                stop + summary + impact, DuckDB load, bundle write)
// Every run is a fresh process timed from spawn to exit; one untimed warm-up run of each goes
// first (disk cache). Runs go to a temp runs dir, removed at the end. The CLI is the
// current src/ built into a temp package (see privateBuild), not the shared dist/.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FAKE_BIN } from '../../test/fakes/child-env.js';

const MODES = ['startup', 'estimate', 'nvidia-smi', 'replay'] as const;
type Mode = (typeof MODES)[number];
const mode = process.argv[2] as Mode | undefined;
const reps = Number(process.argv[3] ?? 10);
if (mode === undefined || !MODES.includes(mode) || !(reps >= 1)) {
  process.stderr.write(`usage: measure-overhead.ts ${MODES.join('|')} [REPS]\n`);
  process.exit(2);
}

const root = resolve(import.meta.dirname, '../..');

/**
 * A private build of the current src/ in a temp package (package.json, bin/inferprint, dist/,
 * node_modules linked), so the CLI measured is what src/ says now and the shared dist/ of a
 * tree others are editing is never rewritten. tsc emits despite type errors (an in-progress
 * file elsewhere): those are counted in the result and listed on stderr.
 */
function privateBuild(): { pkg: string; typeErrors: number } {
  const pkg = mkdtempSync(join(tmpdir(), 'inferprint-bench-pkg-'));
  copyFileSync(join(root, 'package.json'), join(pkg, 'package.json'));
  mkdirSync(join(pkg, 'bin'));
  copyFileSync(join(root, 'bin/inferprint'), join(pkg, 'bin/inferprint'));
  symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  const tsc = join(root, 'node_modules/typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')], { cwd: root, encoding: 'utf8' });
  if (!existsSync(join(pkg, 'dist/cli/main.js'))) throw new Error(`building src/ into ${pkg} failed:\n${r.stdout}${r.stderr}`);
  const errorLines = r.stdout.split('\n').filter((l) => / error TS\d+:/.test(l));
  if (errorLines.length > 0) process.stderr.write(`measure-overhead: the build has type errors (emitted anyway):\n${errorLines.join('\n')}\n`);
  return { pkg, typeErrors: errorLines.length };
}

const build = privateBuild();
const dist = join(build.pkg, 'dist');
const bin = join(build.pkg, 'bin/inferprint');

const dir = mkdtempSync(join(tmpdir(), 'inferprint-bench-measure-'));
const runsDir = join(dir, 'runs');
const fakePathEnv = { ...process.env, PATH: `${FAKE_BIN}:${process.env.PATH ?? ''}` };

interface Job {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

/** Wall time of one run, ms, from spawn to exit; stdout kept for the stage runs. */
function timeRun(job: Job): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(job.argv[0]!, job.argv.slice(1), { cwd: dir, env: job.env ?? process.env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24 });
  const ms = performance.now() - t0;
  if (r.error !== undefined || r.status !== 0) throw new Error(`${job.name}: exit ${r.status ?? r.signal ?? 'none'} ${r.error?.message ?? ''}\n${r.stderr}`);
  return { ms, stdout: r.stdout };
}

/** Warm up, then `reps` rounds of every job in turn (interleaved, so drift on a shared VM hits all alike). */
function timeJobs(jobs: readonly Job[]): Map<string, { ms: number[]; stdout: string[] }> {
  for (const j of jobs) timeRun(j);
  const out = new Map(jobs.map((j) => [j.name, { ms: [] as number[], stdout: [] as string[] }]));
  for (let i = 0; i < reps; i++) {
    for (const j of jobs) {
      const r = timeRun(j);
      out.get(j.name)!.ms.push(r.ms);
      out.get(j.name)!.stdout.push(r.stdout);
    }
  }
  return out;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Nearest-rank 90th percentile. */
function p90(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.ceil(0.9 * s.length) - 1)]!;
}

const node = process.execPath;
const url = (rel: string): string => pathToFileURL(join(dist, rel)).href;
const duckdbUrl = pathToFileURL(createRequire(join(root, 'package.json')).resolve('@duckdb/node-api')).href;
const result: Record<string, unknown> = { case: `measure-overhead ${mode}`, reps, buildTypeErrors: build.typeErrors };

try {
  if (mode === 'startup') {
    const parquetScript = [
      `const { writeSeriesParquetFile } = await import(${JSON.stringify(url('runs/io/parquet.js'))});`,
      'const tS = Float64Array.from({ length: 50 }, (_, i) => i * 0.1);',
      `writeSeriesParquetFile(${JSON.stringify(join(dir, 'tiny.parquet'))}, [{ name: 'gpu0', tS, values: tS.map((t) => 100 + t) }], 'watts');`,
    ].join('\n');
    const jobs: Job[] = [
      { name: 'true', argv: ['true'] },
      { name: 'nodeE0', argv: [node, '-e', '0'] },
      { name: 'version', argv: [node, bin, '--version'] },
      // What `measure` loads before it samples: main.js and the measure command's module graph (DuckDB is lazy).
      { name: 'loadMeasureModules', argv: [node, '--input-type=module', '-e', `await import(${JSON.stringify(url('cli/main.js'))}); await import(${JSON.stringify(url('cli/commands/measure.js'))});`] },
      { name: 'loadDuckdb', argv: [node, '--input-type=module', '-e', `await import(${JSON.stringify(duckdbUrl)});`] },
      // The same CommonJS package through require(): import() of CommonJS also runs Node's
      // export lexer over every file the package re-exports, which require() skips.
      { name: 'loadDuckdbViaRequire', argv: [node, '--input-type=module', '-e', `import { createRequire } from 'node:module'; createRequire(${JSON.stringify(duckdbUrl)})('@duckdb/node-api');`] },
      { name: 'duckdbTinyParquet', argv: [node, '--input-type=module', '-e', parquetScript] },
    ];
    for (const [name, r] of timeJobs(jobs)) {
      result[`${name}MedianMs`] = median(r.ms);
      result[`${name}P90Ms`] = p90(r.ms);
    }
  } else {
    let sensor: string = mode;
    const env = mode === 'nvidia-smi' ? fakePathEnv : process.env;
    if (mode === 'replay') {
      // A study CSV says neither W nor mW: its name's tag (H100, a GPU) says W (src/sensors/replay.md).
      const file = join(dir, 'consommation_energie_single_H100_QC_16_1.csv');
      const rows = ['timestamp,gpu_power'];
      for (let i = 0; i <= 50; i++) rows.push(`${(i * 0.02).toFixed(3)},${(100 + i).toFixed(1)}`);
      writeFileSync(file, `${rows.join('\n')}\n`);
      sensor = `replay:${file}`;
    }
    // The same run through the library API, each stage stamped with performance.now()
    // (ms since this process started, so the first stamp is Node's own start-up).
    const stageScript = `
const tBoot = performance.now();
await import(${JSON.stringify(url('cli/commands/measure.js'))});
const { measure } = await import(${JSON.stringify(url('app/measure.js'))});
const { saveMeasureRun } = await import(${JSON.stringify(url('app/measure-bundle.js'))});
const { defaultSensorEnv } = await import(${JSON.stringify(url('sensors/types.js'))});
const tLoaded = performance.now();
const base = await defaultSensorEnv();
let tSensor;
const tCall = performance.now();
const r = await measure({ command: ['true'], sensor: ${JSON.stringify(sensor)}, intervalS: 0.1, cwd: process.cwd(), env: { ...base, env: process.env }, signals: process, onStatus: () => { tSensor ??= performance.now(); } });
const tMeasured = performance.now();
await import(${JSON.stringify(duckdbUrl)});
const tDuck = performance.now();
await saveMeasureRun(r, ${JSON.stringify(runsDir)}, { command: ['true'], cwd: process.cwd() });
const tSaved = performance.now();
process.stdout.write(JSON.stringify({ boot: tBoot, load: tLoaded - tBoot, sensorStart: tSensor - tCall, runStop: tMeasured - tSensor, duckdbLoad: tDuck - tMeasured, bundleWrite: tSaved - tDuck, total: tSaved }) + '\\n');
`;
    const jobs: Job[] = [
      { name: 'true', argv: ['true'] },
      { name: 'measure', argv: [node, bin, 'measure', '--sensor', sensor, '--runs-dir', runsDir, '--', 'true'], env },
      { name: 'stages', argv: [node, '--input-type=module', '-e', stageScript], env },
    ];
    const r = timeJobs(jobs);
    const trueMs = r.get('true')!.ms;
    const measureMs = r.get('measure')!.ms;
    result.trueMedianMs = median(trueMs);
    result.measureMedianMs = median(measureMs);
    result.measureP90Ms = p90(measureMs);
    result.overheadMs = median(measureMs) - median(trueMs);
    const stages = r.get('stages')!;
    const parsed = stages.stdout.map((s) => JSON.parse(s.trim().split('\n').pop()!) as Record<string, number>);
    for (const k of ['boot', 'load', 'sensorStart', 'runStop', 'duckdbLoad', 'bundleWrite'] as const) result[`${k}Ms`] = median(parsed.map((p) => p[k]!));
    // Spawn, exit and native teardown: the stage run's wall time not covered by its stamps.
    result.exitMs = median(stages.ms.map((ms, i) => ms - parsed[i]!.total!));
    result.stagesWallMedianMs = median(stages.ms);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  rmSync(build.pkg, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(result)}\n`);
