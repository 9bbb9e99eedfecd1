import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { InferprintError } from '../../src/errors.js';
import type { CpuTimes } from '../../src/sensors/parse-proc-stat.js';
import { nodeSysfsReader, type SysfsReader } from '../../src/sensors/io/sysfs.js';
import type { SensorEnv, SensorSink } from '../../src/sensors/types.js';

/**
 * Fake `/sys` and `/proc` trees in a temp dir, for the sensors that read files (rapl,
 * ina3221, estimate). Files are replaced atomically (write a sibling, rename), so a sensor
 * polling while a test updates a value reads the old or the new content, never half of it.
 */
export class FakeTree {
  readonly root: string;
  private seq = 0;

  constructor(prefix = 'inferprint-fake-sys-') {
    this.root = mkdtempSync(join(tmpdir(), prefix));
  }

  path(rel: string): string {
    return join(this.root, rel);
  }

  /** Write (or replace) a file; sysfs files end with a newline, so this adds one. */
  write(rel: string, content: string | number, newline = true): void {
    const path = this.path(rel);
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}-${this.seq++}`;
    writeFileSync(tmp, `${content}${newline ? '\n' : ''}`);
    renameSync(tmp, path);
  }

  mkdir(rel: string): void {
    mkdirSync(this.path(rel), { recursive: true });
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------
// RAPL

export interface FakeRaplZone {
  /** `intel-rapl:0`, `intel-rapl:0:1`, ... */
  readonly id: string;
  readonly name: string;
  readonly energyUj: number;
  readonly maxEnergyRangeUj: number;
}

/** A typical Intel client/server counter range (2^32 units of 61.035 µJ). */
export const RAPL_RANGE_UJ = 262143328850;

export function writeRaplZones(tree: FakeTree, zones: readonly FakeRaplZone[]): void {
  // The control-type directory itself has no counter; the sensor must skip it.
  tree.write('sys/class/powercap/intel-rapl/enabled', 1);
  for (const z of zones) {
    const dir = `sys/class/powercap/${z.id}`;
    tree.write(`${dir}/name`, z.name);
    tree.write(`${dir}/energy_uj`, z.energyUj);
    tree.write(`${dir}/max_energy_range_uj`, z.maxEnergyRangeUj);
    tree.write(`${dir}/enabled`, 1);
    tree.write(`${dir}/constraint_0_name`, 'long_term');
  }
}

export function setRaplEnergy(tree: FakeTree, id: string, energyUj: number): void {
  tree.write(`sys/class/powercap/${id}/energy_uj`, energyUj);
}

// ---------------------------------------------------------------------------------------
// INA3221

export interface FakeRail {
  readonly label: string;
  readonly mV: number;
  readonly mA: number;
}

/**
 * A mainline-driver INA3221 under /sys/class/hwmon/hwmonN: rails in1–in3 with labels,
 * bus voltage (mV) and current (mA), plus what the driver also exposes and the sensor must
 * not take for rails — shunt voltages in4–in6, their sum in7 (labelled), the summed current
 * curr4, limits.
 */
export function writeHwmonIna3221(tree: FakeTree, hwmon: string, rails: readonly FakeRail[], updateIntervalMs?: number): void {
  const dir = `sys/class/hwmon/${hwmon}`;
  tree.write(`${dir}/name`, 'ina3221');
  if (updateIntervalMs !== undefined) tree.write(`${dir}/update_interval`, updateIntervalMs);
  rails.forEach((r, i) => {
    const n = i + 1;
    tree.write(`${dir}/in${n}_label`, r.label);
    tree.write(`${dir}/in${n}_input`, r.mV);
    tree.write(`${dir}/curr${n}_input`, r.mA);
    tree.write(`${dir}/curr${n}_max`, 32760);
    tree.write(`${dir}/in${n + 3}_input`, 40);
  });
  tree.write(`${dir}/in7_label`, 'sum of shunt voltages');
  tree.write(`${dir}/in7_input`, 120);
  tree.write(`${dir}/curr4_input`, 999);
}

export function setHwmonRail(tree: FakeTree, hwmon: string, n: number, mV: number, mA: number): void {
  tree.write(`sys/class/hwmon/${hwmon}/in${n}_input`, mV);
  tree.write(`sys/class/hwmon/${hwmon}/curr${n}_input`, mA);
}

export interface FakeIioRail {
  readonly name: string;
  /** in_power{N}_input, mW; absent → the sensor must use V × I. */
  readonly mW?: number;
  readonly mV: number;
  readonly mA: number;
}

/** NVIDIA's `ina3221x` iio layout (JetPack 4): /sys/bus/i2c/drivers/ina3221x/<bus-addr>/iio:deviceK. */
export function writeIioIna3221(tree: FakeTree, busAddr: string, iio: string, rails: readonly FakeIioRail[]): void {
  const driver = 'sys/bus/i2c/drivers/ina3221x';
  tree.write(`${driver}/uevent`, 'DRIVER=ina3221x');
  tree.write(`${driver}/bind`, '', false);
  const dir = `${driver}/${busAddr}/${iio}`;
  tree.write(`${driver}/${busAddr}/name`, 'ina3221x');
  tree.write(`${dir}/name`, 'ina3221x');
  rails.forEach((r, n) => {
    tree.write(`${dir}/rail_name_${n}`, r.name);
    if (r.mW !== undefined) tree.write(`${dir}/in_power${n}_input`, r.mW);
    tree.write(`${dir}/in_voltage${n}_input`, r.mV);
    tree.write(`${dir}/in_current${n}_input`, r.mA);
    tree.write(`${dir}/crit_current_limit_${n}`, 3000);
  });
}

// ---------------------------------------------------------------------------------------
// /proc

export function procStatText(cpu: Partial<CpuTimes>, onlineCpus = 2): string {
  const t: CpuTimes = { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0, guest: 0, guestNice: 0, ...cpu };
  const fields = [t.user, t.nice, t.system, t.idle, t.iowait, t.irq, t.softirq, t.steal, t.guest, t.guestNice];
  const perCpu = Array.from({ length: onlineCpus }, (_, i) => `cpu${i} ${fields.map((v) => Math.floor(v / onlineCpus)).join(' ')}`);
  return [`cpu  ${fields.join(' ')}`, ...perCpu, 'intr 12345 0 0', 'ctxt 987654', 'btime 1700000000', 'processes 4242', 'procs_running 2', 'procs_blocked 0', ''].join('\n');
}

export interface FakeCpu {
  /** `model name`; absent → the line is not written (arm64). */
  readonly model?: string;
  readonly sockets?: number;
  readonly coresPerSocket?: number;
  readonly threadsPerCore?: number;
  /** Write `physical id` / `cpu cores` (x86 does; arm64 does not). */
  readonly topology?: boolean;
}

export function cpuinfoText(cpu: FakeCpu): string {
  const sockets = cpu.sockets ?? 1;
  const cores = cpu.coresPerSocket ?? 2;
  const threads = cpu.threadsPerCore ?? 1;
  const blocks: string[] = [];
  let processor = 0;
  for (let s = 0; s < sockets; s++) {
    for (let c = 0; c < cores * threads; c++) {
      const lines = [`processor\t: ${processor++}`, 'vendor_id\t: GenuineIntel'];
      if (cpu.model !== undefined) lines.push(`model name\t: ${cpu.model}`);
      if (cpu.topology ?? true) lines.push(`physical id\t: ${s}`, `siblings\t: ${cores * threads}`, `core id\t\t: ${c % cores}`, `cpu cores\t: ${cores}`);
      lines.push('flags\t\t: fpu vme de pse tsc msr');
      blocks.push(lines.join('\n'));
    }
  }
  return `${blocks.join('\n\n')}\n`;
}

export function meminfoText(memTotalKiB: number): string {
  return [`MemTotal:       ${memTotalKiB} kB`, 'MemFree:         1234567 kB', 'MemAvailable:    2345678 kB', 'HugePages_Total:       0', ''].join('\n');
}

// ---------------------------------------------------------------------------------------
// Environment, sink, failing reader

/** A SensorEnv over a fake root with the real monotonic clock (tests assert values, never timing). */
export function fakeEnv(root: string): SensorEnv {
  return {
    clock: { monotonicS: () => performance.now() / 1000, epochMs: () => Date.now() },
    root,
    env: {},
    spawn: () => {
      throw new Error('these sensors spawn nothing');
    },
  };
}

export interface Reading {
  readonly channel: string;
  readonly tS: number;
  readonly value: number;
}

/** Collects what a sensor pushes; `waitFor` resolves once a condition holds (with a generous safety timeout). */
export class CollectingSink implements SensorSink {
  readonly powers: Reading[] = [];
  readonly energies: Reading[] = [];
  readonly failures: InferprintError[] = [];
  private waiters: { check: () => boolean; resolve: () => void }[] = [];

  power(channel: string, tS: number, powerW: number): void {
    this.powers.push({ channel, tS, value: powerW });
    this.wake();
  }
  energy(channel: string, tS: number, energyJ: number): void {
    this.energies.push({ channel, tS, value: energyJ });
    this.wake();
  }
  fail(error: InferprintError): void {
    this.failures.push(error);
    this.wake();
  }

  of(kind: 'power' | 'energy', channel: string): Reading[] {
    return (kind === 'power' ? this.powers : this.energies).filter((r) => r.channel === channel);
  }

  last(kind: 'power' | 'energy', channel: string): Reading | undefined {
    return this.of(kind, channel).at(-1);
  }

  waitFor(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`timed out waiting for ${what}; failures: ${this.failures.map((f) => f.message).join('; ') || 'none'}`));
      }, timeoutMs);
      this.waiters.push({
        check,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  private wake(): void {
    this.waiters = this.waiters.filter((w) => {
      if (!w.check()) return true;
      w.resolve();
      return false;
    });
  }
}

/**
 * The real reader, except that reading a path `deny` matches fails with EACCES — what a
 * non-root user gets from `energy_uj` since Linux 5.10. (Tests run as root here, where
 * chmod 000 does not stop a read.)
 */
export function permissionDeniedReader(deny: (path: string) => boolean): SysfsReader {
  return {
    readText: (path) => {
      if (deny(path)) {
        const e = Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES', errno: -13, syscall: 'open', path });
        return Promise.reject(e);
      }
      return nodeSysfsReader.readText(path);
    },
    listDir: (path) => nodeSysfsReader.listDir(path),
  };
}
