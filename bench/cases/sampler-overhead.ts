// Sampler overhead: CPU time this process spends per second of sampling, for one sensor at
// one interval, with the project's fakes where the hardware is absent. Usage:
//   sampler-overhead.ts SENSOR INTERVAL_MS [DURATION_S]
// SENSOR: estimate (real /proc), rapl (fake /sys), nvml (fake libnvidia-ml through koffi),
// nvidia-smi and tegrastats (fake executables on PATH), replay (a generated CSV), or
// poller-floor (the drift-free poller with an empty read: the cost of waking up at all).
//
// Steps: set up; an idle baseline (this process waiting DURATION_S, nothing running); start
// a Recorder on the sensor; then DURATION_S of steady-state sampling between two
// process.cpuUsage() readings (user + system of every thread: koffi's workers, libuv's pool,
// V8's GC). Start-up is timed apart and not counted. For subprocess sensors the child's CPU
// over the same span comes from /proc/<pid>/stat (utime + stime, clock ticks) — the CPU of
// the *fake*, a Node script, not of the real tool.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Recorder } from '../../src/measure/recorder.js';
import { startPoller } from '../../src/sensors/poller.js';
import { getSensor } from '../../src/sensors/io/registry.js';
import type { Sensor, SensorEnv } from '../../src/sensors/types.js';
import { fakeNvmlPath, useScenario } from '../../test/helpers/fake-nvml.js';
import { cpuinfoText, FakeTree, meminfoText, RAPL_RANGE_UJ, writeRaplZones } from '../../test/helpers/fake-sys.js';
import { FAKE_BIN } from '../../test/fakes/child-env.js';

const SENSORS = ['estimate', 'rapl', 'nvml', 'nvidia-smi', 'tegrastats', 'replay', 'poller-floor'] as const;
type BenchSensor = (typeof SENSORS)[number];

const which = process.argv[2] as BenchSensor | undefined;
const intervalMs = Number(process.argv[3] ?? 100);
const durationS = Number(process.argv[4] ?? 3);
if (which === undefined || !SENSORS.includes(which) || !(intervalMs > 0) || !(durationS > 0)) {
  process.stderr.write(`usage: sampler-overhead.ts ${SENSORS.join('|')} INTERVAL_MS [DURATION_S]\n`);
  process.exit(2);
}
const intervalS = intervalMs / 1000;

const clock = { monotonicS: () => performance.now() / 1000, epochMs: () => Date.now() };
const children: ChildProcess[] = [];
const cleanups: (() => void)[] = [];

/** Every process a sensor starts is kept, so its CPU can be read from /proc. */
function baseEnv(root: string, vars: Readonly<Record<string, string | undefined>>): SensorEnv {
  return {
    clock,
    root,
    env: vars,
    spawn: (command, args, options) => {
      const child = spawn(command, [...args], options);
      children.push(child);
      return child;
    },
  };
}

async function setUp(name: Exclude<BenchSensor, 'poller-floor'>): Promise<{ sensor: Sensor; env: SensorEnv }> {
  switch (name) {
    case 'estimate':
      return { sensor: await getSensor('estimate'), env: baseEnv('/', {}) };
    case 'rapl': {
      // A one-package laptop layout; the counters do not move (power 0): reads cost the same.
      const tree = new FakeTree('inferprint-bench-rapl-');
      cleanups.push(() => { tree.remove(); });
      writeRaplZones(tree, [
        { id: 'intel-rapl:0', name: 'package-0', energyUj: 1_000_000, maxEnergyRangeUj: RAPL_RANGE_UJ },
        { id: 'intel-rapl:0:0', name: 'core', energyUj: 500_000, maxEnergyRangeUj: RAPL_RANGE_UJ },
        { id: 'intel-rapl:0:2', name: 'dram', energyUj: 70_000, maxEnergyRangeUj: 65_712_999_613 },
        { id: 'intel-rapl:1', name: 'psys', energyUj: 3_000_000, maxEnergyRangeUj: RAPL_RANGE_UJ },
      ]);
      tree.write('proc/cpuinfo', cpuinfoText({ model: 'Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz', coresPerSocket: 4, threadsPerCore: 2 }), false);
      tree.write('proc/meminfo', meminfoText(16_000_000), false);
      return { sensor: await getSensor('rapl'), env: baseEnv(tree.root, {}) };
    }
    case 'nvml':
      // The library reads its scenario from this process's environment, as in the tests.
      useScenario(['devices 1', 'gpu0.name NVIDIA H200', 'gpu0.power square 120 480 1', 'gpu0.energy_counter supported']);
      return { sensor: await getSensor('nvml'), env: baseEnv('/', { INFERPRINT_NVML_LIB: fakeNvmlPath() }) };
    case 'nvidia-smi':
      return { sensor: await getSensor('nvidia-smi'), env: baseEnv('/nonexistent-root', { ...process.env, PATH: `${FAKE_BIN}:${process.env.PATH ?? ''}` }) };
    case 'tegrastats':
      return {
        sensor: await getSensor('tegrastats'),
        env: baseEnv('/nonexistent-root', { ...process.env, PATH: `${FAKE_BIN}:${process.env.PATH ?? ''}`, FAKE_TEGRASTATS_MODULE: 'orin' }),
      };
    case 'replay': {
      // A study-format CSV spaced at the requested interval, longer than the run (no loop).
      const dir = mkdtempSync(join(tmpdir(), 'inferprint-bench-replay-'));
      cleanups.push(() => { rmSync(dir, { recursive: true, force: true }); });
      // A study CSV says neither W nor mW: its name's tag (H100, a GPU) says W (src/sensors/replay.md).
      const file = join(dir, 'consommation_energie_single_H100_QC_16_1.csv');
      const n = Math.ceil((durationS + 5) / intervalS) + 1;
      const rows = ['timestamp,gpu_power'];
      for (let i = 0; i < n; i++) rows.push(`${(i * intervalS).toFixed(3)},${(100 + (i % 50)).toFixed(1)}`);
      writeFileSync(file, `${rows.join('\n')}\n`);
      return { sensor: await getSensor(`replay:${file}`), env: baseEnv('/', {}) };
    }
  }
}

const sleep = (s: number) => new Promise<void>((r) => setTimeout(r, s * 1000));
const cpuUs = (u: NodeJS.CpuUsage): number => u.user + u.system;

let clkTck = 100;
try {
  clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch {
  // getconf absent: Linux's USER_HZ is 100 on every mainstream architecture.
}

/** utime + stime of a live process, in s; undefined once it has gone. */
function procCpuS(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces, so cut at its closing paren).
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(rest[11]) + Number(rest[12])) / clkTck;
  } catch {
    return undefined;
  }
}

function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Samples within [t0S, t1S]: rate and median spacing. */
function rate(tS: ArrayLike<number>, t0S: number, t1S: number): { n: number; perS: number; medianMs: number } {
  const inside: number[] = [];
  for (let i = 0; i < tS.length; i++) if (tS[i]! >= t0S && tS[i]! <= t1S) inside.push(tS[i]!);
  const gaps = inside.slice(1).map((t, i) => (t - inside[i]!) * 1000);
  return { n: inside.length, perS: inside.length / (t1S - t0S), medianMs: median(gaps) };
}

// Set up first (imports, fake trees, compiling the fake NVML), so none of it lands in a measurement.
const setup = which === 'poller-floor' ? undefined : await setUp(which);

// Baseline: this same process, idle for the same wall time.
const b0 = process.cpuUsage();
const bw0 = performance.now();
await sleep(durationS);
const baselinePct = (cpuUs(process.cpuUsage(b0)) / ((performance.now() - bw0) * 1000)) * 100;

let startMs: number;
let window: { t0S: number; t1S: number };
let primary: ArrayLike<number>;
let busiest: ArrayLike<number>;
let c0: NodeJS.CpuUsage;
let cpuDeltaUs: number;
let wallS: number;
let childCpuS: number | undefined;
let sensorNotes: readonly string[] = [];

if (setup === undefined) {
  // The poller alone: a timer wake-up and an array push per tick, no Recorder, no I/O.
  const t: number[] = [];
  const s0 = performance.now();
  const poller = startPoller(clock, intervalS, (tS) => { t.push(tS); }, (e) => { throw e; });
  startMs = performance.now() - s0;
  c0 = process.cpuUsage();
  const w0 = performance.now();
  await sleep(durationS);
  cpuDeltaUs = cpuUs(process.cpuUsage(c0));
  wallS = (performance.now() - w0) / 1000;
  await poller.stop();
  window = { t0S: w0 / 1000, t1S: w0 / 1000 + wallS };
  primary = t;
  busiest = t;
} else {
  const s0 = performance.now();
  const rec = await Recorder.start({ sensor: setup.sensor, env: setup.env, intervalS });
  startMs = performance.now() - s0;
  sensorNotes = rec.info.notes;
  const live = children.filter((c) => c.exitCode === null && c.signalCode === null && c.pid !== undefined);
  const childAt = (): number | undefined => {
    const v = live.map((c) => procCpuS(c.pid!));
    return v.some((x) => x === undefined) ? undefined : v.reduce<number>((a, x) => a + x!, 0);
  };
  const ch0 = childAt();
  c0 = process.cpuUsage();
  const w0 = performance.now();
  rec.beginWindow('bench');
  await sleep(durationS);
  const w = rec.endWindow('bench');
  cpuDeltaUs = cpuUs(process.cpuUsage(c0));
  wallS = (performance.now() - w0) / 1000;
  const ch1 = childAt();
  if (live.length > 0 && ch0 !== undefined && ch1 !== undefined) childCpuS = ch1 - ch0;
  const recording = await rec.stop();
  if (recording.failure) throw recording.failure.error;
  window = w;
  const prim = recording.channels.find((c) => c.name === recording.info.primaryChannel);
  primary = prim?.tS ?? [];
  busiest = recording.channels.reduce<ArrayLike<number>>((best, c) => (c.tS.length > best.length ? c.tS : best), []);
}
for (const c of cleanups) c();

const rawPct = (cpuDeltaUs / (wallS * 1e6)) * 100;
const p = rate(primary, window.t0S, window.t1S);
const reads = rate(busiest, window.t0S, window.t1S);
const result: Record<string, unknown> = {
  case: `sampler ${which} @${intervalMs} ms`,
  durationS: Number(wallS.toFixed(3)),
  startMs,
  baselinePct,
  rawPct,
  netPct: rawPct - baselinePct,
  samplesPerS: p.perS,
  readsPerS: reads.perS,
  medianIntervalMs: p.medianMs,
  // Net CPU per read: what one tick costs this process, comparable across intervals.
  netUsPerRead: reads.n > 0 ? ((rawPct - baselinePct) / 100) * wallS * 1e6 / reads.n : NaN,
};
if (childCpuS !== undefined) result.fakeChildPct = (childCpuS / wallS) * 100;
if (process.env.BENCH_VERBOSE) process.stderr.write(`${sensorNotes.join('\n')}\n`);
process.stdout.write(`${JSON.stringify(result)}\n`);
