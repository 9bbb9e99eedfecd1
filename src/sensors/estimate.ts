import { errors } from '../errors.js';
import { CPU_TDP, CPU_TDP_DEFAULT, MEMORY_POWER } from './data/cpu-tdp.generated.js';
import { cpuPowerBasis, cpuPowerW, ESTIMATE_METHOD, KIB_PER_GIB, memoryPowerW, type CpuPowerBasis } from './cpu-power-model.js';
import { parseCpuInfo, parseMemTotalKiB, type CpuInfo } from './parse-proc-info.js';
import { cpuUtilisation, parseProcStat, type CpuTimes } from './parse-proc-stat.js';
import { hostPath, nodeSysfsReader, readSysText, startPolledSensor, type SysfsReader } from './sysfs.js';
import type { ChannelInfo, Sensor, SensorEnv, SensorHandle, SensorSink, StartOptions } from './types.js';

/**
 * The fallback when no power sensor exists (VMs, CI): CPU utilisation from `/proc/stat`
 * × the CPU's TDP, plus memory, by the model in cpu-power-model.ts (`cpu-tdp-utilisation-v1`;
 * see estimate.md). Always labelled estimated, never passed off as measured.
 */

export const PROC_STAT = '/proc/stat';
export const PROC_CPUINFO = '/proc/cpuinfo';
export const PROC_MEMINFO = '/proc/meminfo';

export const CPU_CHANNEL = 'cpu';
export const MEMORY_CHANNEL = 'memory';

/** /proc/stat counts time in USER_HZ ticks: 1/100 s on every mainstream architecture. */
const USER_HZ_PERIOD_S = 0.01;

/** What the estimate is built on: read once at start, shown in the notes. */
export interface EstimatePlan {
  readonly cpuModel?: string;
  /** Physical cores the system sees (a VM: its vCPUs' cores). */
  readonly cores: number;
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
  notes.push(
    `estimated, not measured (${ESTIMATE_METHOD}): cpu = cores × TDP per core × utilisation from /proc/stat, the mean of each interval stamped at its midpoint; primary channel cpu, machine = cpu + memory`,
  );
  return {
    cores,
    basis,
    notes,
    ...(cpu?.modelName !== undefined ? { cpuModel: cpu.modelName } : {}),
    ...(memoryW !== undefined && memoryGiB !== undefined ? { memoryW, memoryGiB } : {}),
  };
}

function fmt(v: number): string {
  return Number(v.toPrecision(4)).toString();
}

/**
 * The per-tick arithmetic, apart from the polling so tests drive it with chosen times and
 * snapshots. The first snapshot is the baseline; each later one gives the utilisation of the
 * interval since the previous baseline. A snapshot with no tick elapsed (read faster than
 * USER_HZ) keeps the baseline, so the next value covers the whole span; a counter that went
 * backwards (a CPU went offline) restarts from the new snapshot.
 */
export class CpuEstimator {
  private baseline: { readonly tS: number; readonly times: CpuTimes } | undefined;

  constructor(readonly plan: EstimatePlan) {}

  /** Feed one /proc/stat snapshot taken at tS. */
  sample(tS: number, times: CpuTimes, sink: SensorSink): void {
    if (this.plan.memoryW !== undefined) sink.power(MEMORY_CHANNEL, tS, this.plan.memoryW);
    const base = this.baseline;
    if (base === undefined) {
      this.baseline = { tS, times };
      return;
    }
    const u = cpuUtilisation(base.times, times);
    if (u.kind === 'no-ticks') return;
    this.baseline = { tS, times };
    if (u.kind === 'reset') return;
    sink.power(CPU_CHANNEL, (base.tS + tS) / 2, cpuPowerW(u.utilisation, this.plan.cores, this.plan.basis.wPerCore));
  }
}

async function readStat(reader: SysfsReader, root: string): Promise<{ cpu: CpuTimes; onlineCpus: number }> {
  const file = hostPath(root, PROC_STAT);
  return parseProcStat(await readSysText(reader, file, { what: 'kernel CPU statistics' }), file);
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
  const first = await readStat(reader, env.root);
  const plan = await planEstimate(env.root, first.onlineCpus, reader);
  const estimator = new CpuEstimator(plan);
  const polled = await startPolledSensor(
    env.clock,
    opts.intervalS,
    async (tS) => {
      estimator.sample(tS, (await readStat(reader, env.root)).cpu, sink);
    },
    sink,
    { holdProcess: opts.holdProcess },
  );
  const channels: ChannelInfo[] = [{ name: CPU_CHANNEL, kind: 'cpu', ...(plan.cpuModel !== undefined ? { device: plan.cpuModel } : {}) }];
  if (plan.memoryW !== undefined) channels.push({ name: MEMORY_CHANNEL, kind: 'memory' });
  const notes = [...plan.notes];
  if (opts.intervalS < 0.1) notes.push(`utilisation over ${opts.intervalS} s is coarse: /proc/stat counts in ${USER_HZ_PERIOD_S} s ticks`);
  return {
    info: {
      name: 'estimate',
      provenance: { kind: 'estimated', method: ESTIMATE_METHOD },
      channels,
      primaryChannel: CPU_CHANNEL,
      requestedIntervalS: opts.intervalS,
      updatePeriodS: USER_HZ_PERIOD_S,
      notes,
    },
    stop: () => polled.stop(),
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
