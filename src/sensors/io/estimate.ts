import { errors } from '../../errors.js';
import { CPU_TDP, CPU_TDP_DEFAULT, MEMORY_POWER } from '../data/cpu-tdp.generated.js';
import { cpuPowerBasis, cpuPowerW, ESTIMATE_METHOD, ESTIMATE_PROCESS_METHOD, KIB_PER_GIB, memoryPowerW, type CpuPowerBasis } from '../cpu-power-model.js';
import { parseCpuInfo, parseMemTotalKiB, type CpuInfo } from '../parse-proc-info.js';
import { busyTicks, cpuUtilisation, parseProcStat, totalTicks, type CpuTimes } from '../parse-proc-stat.js';
import { ProcessTreeReader } from './proc-tree.js';
import { hostPath, nodeSysfsReader, readSysText, startPolledSensor, type SysfsReader } from './sysfs.js';
import type { ChannelInfo, EstimateScope, ProcessTreeTarget, Sensor, SensorEnv, SensorHandle, SensorSink, StartOptions } from '../types.js';

/**
 * The fallback when no power sensor exists (VMs, CI): CPU time × the CPU's TDP per core,
 * plus memory, by the model in cpu-power-model.ts (see estimate.md). Two scopes:
 *
 * - `process`: the measured process tree's CPU time (`/proc/<pid>/stat`, reaped children
 *   included) as a share of all CPUs' time (`/proc/stat`) — CodeCarbon's process tracking,
 *   without losing children that exit between samples;
 * - `machine`: every process's CPU time (`/proc/stat`).
 *
 * Either way it watches both, and warns when other processes kept the machine busy. Always
 * labelled estimated, never passed off as measured; the provenance method names the scope.
 */

export const PROC_STAT = '/proc/stat';
export const PROC_CPUINFO = '/proc/cpuinfo';
export const PROC_MEMINFO = '/proc/meminfo';

export const CPU_CHANNEL = 'cpu';
export const MEMORY_CHANNEL = 'memory';

/** /proc/stat and /proc/<pid>/stat count time in USER_HZ ticks: 1/100 s on every mainstream architecture. */
const USER_HZ_PERIOD_S = 0.01;

/**
 * Share of the machine's CPU time that other processes may use before the run is warned
 * about: 5 %, about what an idle desktop's background services use, so a warning means
 * something else was really running.
 */
export const OTHER_LOAD_WARN_SHARE = 0.05;

/** What the estimate is built on: read once at start, shown in the notes. */
export interface EstimatePlan {
  readonly cpuModel?: string;
  /** The name the CPU channel gives the hardware database: the model name, or an arm64 core name. */
  readonly cpuDevice?: string;
  /** Physical cores the system sees (a VM: its vCPUs' cores). */
  readonly cores: number;
  /** Logical CPUs online (from /proc/stat): how many ticks all CPUs together count per USER_HZ period. */
  readonly logicalCpus: number;
  readonly basis: CpuPowerBasis;
  /** Constant memory power, W; absent when /proc/meminfo cannot be read. */
  readonly memoryW?: number;
  readonly memoryGiB?: number;
  readonly notes: readonly string[];
}

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Read the machine's facts. Only /proc/stat is required: without /proc/cpuinfo the CPU is
 * unnamed (default TDP per core, one core per logical CPU), without /proc/meminfo there is no
 * memory channel — each said in the notes, so the result explains what it rests on.
 */
export async function planEstimate(root: string, onlineCpus: number, reader: SysfsReader = nodeSysfsReader): Promise<EstimatePlan> {
  const notes: string[] = [];
  let cpu: CpuInfo | undefined;
  const cpuinfoFile = hostPath(root, PROC_CPUINFO);
  try {
    cpu = parseCpuInfo(await readSysText(reader, cpuinfoFile), cpuinfoFile);
  } catch (e) {
    notes.push(`CPU unknown (${describeError(e)})`);
  }
  const cores = cpu?.physicalCores ?? cpu?.logicalCpus ?? onlineCpus;
  if (cpu?.physicalCores === undefined) notes.push(`no core count in /proc/cpuinfo: each of the ${cores} logical CPUs is counted as a core`);
  const basis = cpuPowerBasis(cpu?.modelName, CPU_TDP, CPU_TDP_DEFAULT);
  const maxCpuW = cpuPowerW(1, cores, basis.wPerCore);
  if (basis.kind === 'table') {
    const r = basis.row;
    notes.push(`CPU "${cpu?.modelName ?? ''}" matched "${r.model}": ${r.tdpW} W TDP / ${r.cores} cores (${r.source}, ${r.year}); ${cores} cores seen → ${fmt(maxCpuW)} W at full load`);
  } else {
    notes.push(`${basis.reason}: default ${basis.wPerCore} W per core (${basis.fallback.source}); ${cores} cores seen → ${fmt(maxCpuW)} W at full load`);
  }
  const cpuDevice = cpu?.modelName ?? cpu?.armCore;
  if (cpu?.modelName === undefined && cpu?.armCore !== undefined) notes.push(`no model name: the CPU is named by its core, "${cpu.armCore}" (CPU implementer/part in /proc/cpuinfo)`);
  const meminfoFile = hostPath(root, PROC_MEMINFO);
  let memoryGiB: number | undefined;
  try {
    memoryGiB = parseMemTotalKiB(await readSysText(reader, meminfoFile), meminfoFile) / KIB_PER_GIB;
  } catch (e) {
    notes.push(`no memory channel: ${describeError(e)}`);
  }
  const memoryW = memoryGiB === undefined ? undefined : memoryPowerW(memoryGiB, MEMORY_POWER);
  if (memoryGiB !== undefined && memoryW !== undefined) {
    notes.push(`memory: ${fmt(memoryGiB)} GiB × ${MEMORY_POWER.wPerGiB} W/GiB = ${fmt(memoryW)} W, constant (${MEMORY_POWER.source})`);
  }
  return {
    cores,
    logicalCpus: onlineCpus,
    basis,
    notes,
    ...(cpu?.modelName !== undefined ? { cpuModel: cpu.modelName } : {}),
    ...(cpuDevice !== undefined ? { cpuDevice } : {}),
    ...(memoryW !== undefined && memoryGiB !== undefined ? { memoryW, memoryGiB } : {}),
  };
}

function fmt(v: number): string {
  return Number(v.toPrecision(4)).toString();
}

/** CPU time over a whole run, all CPUs together, in ticks. */
export interface RunTicks {
  readonly total: number;
  readonly busy: number;
  /** The process tree's, when one is watched. */
  readonly tree?: number;
}

/**
 * The per-tick arithmetic, apart from the polling so tests drive it with chosen times and
 * snapshots. The first snapshot is the baseline; each later one gives the utilisation of the
 * interval since the previous baseline. A snapshot with no tick elapsed (read faster than
 * USER_HZ) keeps the baseline, so the next value covers the whole span; a counter that went
 * backwards (a CPU went offline) restarts from the new snapshot.
 *
 * With a process tree, each snapshot also carries the tree's CPU ticks. They are counted as
 * a never-decreasing total: a member that leaves the tree without being waited for (or that
 * a read misses) makes the sum dip, and a dip must not be counted twice when it recovers.
 */
export class CpuEstimator {
  private baseline: { readonly tS: number; readonly times: CpuTimes } | undefined;
  /** Highest tree tick count seen: growth beyond it is the tree's new CPU time. */
  private treeHigh: number | undefined;
  private run = { total: 0, busy: 0, tree: 0 };

  constructor(
    readonly plan: EstimatePlan,
    readonly scope: EstimateScope = 'machine',
  ) {}

  /** Feed one /proc/stat snapshot taken at tS, with the process tree's ticks when one is watched (required in process scope). */
  sample(tS: number, times: CpuTimes, sink: SensorSink, treeTicks?: number): void {
    if (this.scope === 'process' && treeTicks === undefined) throw errors.internal('process scope without a process tree reading');
    if (this.plan.memoryW !== undefined) sink.power(MEMORY_CHANNEL, tS, this.plan.memoryW);
    const base = this.baseline;
    if (base === undefined) {
      this.baseline = { tS, times };
      this.treeHigh = treeTicks;
      return;
    }
    const u = cpuUtilisation(base.times, times);
    if (u.kind === 'no-ticks') return;
    this.baseline = { tS, times };
    let treeDelta = 0;
    if (treeTicks !== undefined) {
      treeDelta = Math.max(0, treeTicks - (this.treeHigh ?? treeTicks));
      this.treeHigh = Math.max(this.treeHigh ?? treeTicks, treeTicks);
    }
    if (u.kind === 'reset') return;
    const dTotal = totalTicks(times) - totalTicks(base.times);
    this.run.total += dTotal;
    this.run.busy += busyTicks(times) - busyTicks(base.times);
    this.run.tree += treeDelta;
    // Two files read a moment apart: the tree's share can exceed the machine's by a tick; keep it a share.
    const share = this.scope === 'process' ? Math.min(1, treeDelta / dTotal) : u.utilisation;
    sink.power(CPU_CHANNEL, (base.tS + tS) / 2, cpuPowerW(share, this.plan.cores, this.plan.basis.wPerCore));
  }

  /** Ticks over the run so far (intervals that gave a value). */
  runTicks(): RunTicks {
    return { total: this.run.total, busy: this.run.busy, ...(this.treeHigh !== undefined ? { tree: this.run.tree } : {}) };
  }

  /**
   * The warning about other processes, when they used more than OTHER_LOAD_WARN_SHARE of the
   * machine's CPU time over the run; undefined otherwise or without a tree to compare with.
   */
  otherLoadWarning(): string | undefined {
    const r = this.runTicks();
    if (r.tree === undefined || r.total === 0) return undefined;
    const other = Math.max(0, r.busy - r.tree) / r.total;
    if (other <= OTHER_LOAD_WARN_SHARE) return undefined;
    const otherW = cpuPowerW(other, this.plan.cores, this.plan.basis.wPerCore);
    const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
    const head = `other processes kept ${pct(other)} of the machine's CPU time busy during the run (the measured process tree: ${pct(r.tree / r.total)}), ≈ ${fmt(otherW)} W by this model`;
    return this.scope === 'process'
      ? `${head}: not charged to the run (estimate scope: process), but they share the CPU and can slow it`
      : `${head}, charged to the run because the estimate scope is machine: use --estimate-scope process to count the command's processes only`;
  }
}

async function readStat(reader: SysfsReader, root: string): Promise<{ cpu: CpuTimes; onlineCpus: number }> {
  const file = hostPath(root, PROC_STAT);
  return parseProcStat(await readSysText(reader, file, { what: 'kernel CPU statistics' }), file);
}

/** The scope a start asks for: `process` needs a tree; without one, machine. */
function scopeOf(opts: StartOptions): { scope: EstimateScope; tree?: ProcessTreeTarget } {
  const wanted = opts.estimateScope ?? (opts.processTree !== undefined ? 'process' : 'machine');
  if (wanted === 'process' && opts.processTree === undefined) throw errors.usage('the process estimate scope needs the process to watch (none given by the caller)', '--estimate-scope');
  return { scope: wanted, ...(opts.processTree !== undefined ? { tree: opts.processTree } : {}) };
}

/** Why the estimate repeats values exactly, for the recording summary's warning (checked on real traces: see estimate.md). */
export function repeatCause(plan: EstimatePlan, intervalS: number, scope: EstimateScope): string {
  const ticks = Math.max(1, Math.round((intervalS / USER_HZ_PERIOD_S) * plan.logicalCpus));
  const stepW = cpuPowerW(1, plan.cores, plan.basis.wPerCore) / ticks;
  const idle = scope === 'process' ? 'a command that waits (sleep, I/O) uses no tick and gives 0 W' : 'an idle machine gives 0 W';
  return (
    `not a slow sensor: it updates every interval, but CPU time is counted in whole ${USER_HZ_PERIOD_S * 1000} ms ticks (USER_HZ), ` +
    `so over ${fmt(intervalS * 1000)} ms on ${plan.logicalCpus} CPUs the ${scope === 'process' ? "process tree's" : "machine's"} utilisation is a count out of ${ticks} ticks ` +
    `and the estimate moves in steps of ${fmt(stepW)} W; ${idle} and a steady load gives the same step again`
  );
}

async function probe(env: SensorEnv, reader: SysfsReader): Promise<{ ok: true; detail: string } | { ok: false; reason: string }> {
  try {
    const stat = await readStat(reader, env.root);
    const plan = await planEstimate(env.root, stat.onlineCpus, reader);
    const what = plan.basis.kind === 'table' ? plan.basis.row.model : `unknown CPU, ${plan.basis.wPerCore} W per core`;
    return { ok: true, detail: `estimate from /proc/stat utilisation × TDP (${what}, ${plan.cores} cores)` };
  } catch (e) {
    return { ok: false, reason: describeError(e) };
  }
}

async function start(env: SensorEnv, opts: StartOptions, sink: SensorSink, reader: SysfsReader): Promise<SensorHandle> {
  if (!(opts.intervalS > 0)) throw errors.usage(`sampling interval must be positive, got ${opts.intervalS}`, '--interval');
  const { scope, tree } = scopeOf(opts);
  const first = await readStat(reader, env.root);
  const plan = await planEstimate(env.root, first.onlineCpus, reader);
  let treeReader = tree !== undefined ? new ProcessTreeReader(reader, env.root, tree) : undefined;
  const estimator = new CpuEstimator(plan, scope);
  const warnings: string[] = [];
  // Machine-wide, the tree only serves the other-load warning: a tree that cannot be read costs
  // that warning, not the measurement. Per process it is the measurement.
  const readTree = async (): Promise<number | undefined> => {
    if (!treeReader) return undefined;
    if (scope === 'process') return (await treeReader.read()).ticks;
    try {
      return (await treeReader.read()).ticks;
    } catch (e) {
      treeReader = undefined;
      warnings.push(`the process tree could not be read (${describeError(e)}): other processes' load is not told apart`);
      return undefined;
    }
  };
  const polled = await startPolledSensor(
    env.clock,
    opts.intervalS,
    async (tS) => {
      // The tree first: its members' time is then never ahead of the machine total read after it.
      const treeTicks = await readTree();
      estimator.sample(tS, (await readStat(reader, env.root)).cpu, sink, treeTicks);
    },
    sink,
    { holdProcess: opts.holdProcess },
  );
  const channels: ChannelInfo[] = [{ name: CPU_CHANNEL, kind: 'cpu', ...(plan.cpuDevice !== undefined ? { device: plan.cpuDevice } : {}) }];
  if (plan.memoryW !== undefined) channels.push({ name: MEMORY_CHANNEL, kind: 'memory' });
  const method = scope === 'process' ? ESTIMATE_PROCESS_METHOD : ESTIMATE_METHOD;
  const notes = [...plan.notes];
  const who = tree === undefined ? '' : tree.includeRoot ? `process ${tree.rootPid} and its descendants` : `the descendants of process ${tree.rootPid} (the measured command and its children)`;
  notes.push(
    scope === 'process'
      ? `estimated, not measured (${method}), estimate scope process: cpu = cores × TDP per core × the CPU time of ${who} (/proc/<pid>/stat utime+stime, and cutime+cstime for exited children once reaped; found ${treeReader?.how === 'scan' ? 'by scanning /proc for parent links' : 'through /proc/<pid>/task/*/children'}) ÷ the time of all CPUs (/proc/stat), the mean of each interval stamped at its midpoint — CodeCarbon's process tracking; other processes are not charged; primary channel cpu, machine = cpu + memory`
      : `estimated, not measured (${method}), estimate scope machine: cpu = cores × TDP per core × utilisation of all CPUs by every process (/proc/stat), the mean of each interval stamped at its midpoint; primary channel cpu, machine = cpu + memory${tree === undefined ? '; no process tree given, so other processes cannot be told apart' : ''}`,
  );
  if (opts.intervalS < 0.1) notes.push(`utilisation over ${opts.intervalS} s is coarse: /proc/stat counts in ${USER_HZ_PERIOD_S} s ticks`);
  return {
    info: {
      name: 'estimate',
      provenance: { kind: 'estimated', method },
      channels,
      primaryChannel: CPU_CHANNEL,
      requestedIntervalS: opts.intervalS,
      updatePeriodS: USER_HZ_PERIOD_S,
      notes,
      warnings,
      repeatCause: repeatCause(plan, opts.intervalS, scope),
    },
    async stop() {
      await polled.stop();
      // A run-level finding: known only now, read by the recorder after stop().
      const w = estimator.otherLoadWarning();
      if (w !== undefined) warnings.push(w);
    },
  };
}

/** An estimator reading /proc through `reader` (tests inject failures). */
export function createEstimateSensor(reader: SysfsReader = nodeSysfsReader): Sensor {
  return {
    name: 'estimate',
    kind: 'estimated',
    probe: (env) => probe(env, reader),
    start: (env, opts, sink) => start(env, opts, sink, reader),
  };
}

export const estimateSensor: Sensor = createEstimateSensor();
