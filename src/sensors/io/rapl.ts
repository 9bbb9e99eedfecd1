import { join } from 'node:path';
import { errors } from '../../errors.js';
import { counterDeltasJ } from '../../traces/energy.js';
import {
  compareNumericNames,
  hostPath,
  isPermissionDenied,
  listSysDir,
  nodeSysfsReader,
  readCpuInfoIfAny,
  readSysInt,
  readSysText,
  startPolledSensor,
  type SysfsReader,
} from './sysfs.js';
import type { ChannelInfo, ChannelKind, Sensor, SensorEnv, SensorHandle, SensorSink, StartOptions } from '../types.js';

/**
 * RAPL energy counters through the Linux powercap framework (see rapl.md):
 * `/sys/class/powercap/intel-rapl:N[:M]/{name,energy_uj,max_energy_range_uj}`. Each tick reads
 * every zone's counter, unfolds wrap-arounds with `max_energy_range_uj`, and pushes the energy
 * since start (exact, from the counter) and the mean power of the interval just ended.
 */

export const POWERCAP_DIR = '/sys/class/powercap';

/** Zone directories: `intel-rapl:0`, `intel-rapl:0:1`, and `amd-rapl:…` where a kernel names them so. */
const ZONE_DIR = /^(intel-rapl|amd-rapl)((?::\d+)+)$/;

/**
 * Since the PLATYPUS fix (CVE-2020-8694, Linux 5.10 and stable backports) `energy_uj` is
 * readable by root only; `name` and `max_energy_range_uj` stay world-readable.
 */
export const RAPL_PERMISSION_HINT =
  'energy_uj is readable by root only since Linux 5.10 (CVE-2020-8694): run as root or `sudo chmod a+r /sys/class/powercap/intel-rapl:*/energy_uj` (until reboot; a udev rule makes it permanent)';

export interface RaplZone {
  /** Directory name, e.g. `intel-rapl:0:1`. */
  readonly id: string;
  readonly dir: string;
  /** The zone's `name`: `package-0`, `dram`, `core`, `uncore`, `psys`. */
  readonly zoneName: string;
  /** Channel name: top-level zones keep their name (`package-0`, `psys`); sub-zones get their package's number (`dram-0`). */
  readonly channel: string;
  readonly kind: ChannelKind;
  readonly maxEnergyRangeUj: number;
}

/** package-N → package, dram → dram, psys → psys, core (the cores' power plane) → cpu, anything else (uncore = integrated GPU) → other. */
export function raplChannelKind(zoneName: string): ChannelKind {
  if (/^package-\d+$/.test(zoneName)) return 'package';
  if (zoneName === 'dram') return 'dram';
  if (zoneName === 'psys') return 'psys';
  if (zoneName === 'core') return 'cpu';
  return 'other';
}

/** The zones under `<root>/sys/class/powercap`, in numeric order; [] when there are none. */
export async function discoverRaplZones(root: string, reader: SysfsReader = nodeSysfsReader): Promise<RaplZone[]> {
  const base = hostPath(root, POWERCAP_DIR);
  const ids = (await listSysDir(reader, base)).filter((n) => ZONE_DIR.test(n)).sort(compareNumericNames);
  const names = new Map<string, string>();
  for (const id of ids) names.set(id, await readSysText(reader, join(base, id, 'name'), { what: 'RAPL zone name' }));
  const zones: RaplZone[] = [];
  const used = new Set<string>();
  for (const id of ids) {
    const dir = join(base, id);
    const zoneName = names.get(id)!.trim();
    const parts = id.split(':');
    let channel = zoneName;
    if (parts.length > 2) {
      // A sub-zone: name it after its package (intel-rapl:1:0 under package-1 → dram-1).
      const parentName = names.get(parts.slice(0, 2).join(':'));
      const pkg = /^package-(\d+)$/.exec(parentName ?? '')?.[1] ?? parts[1]!;
      channel = `${zoneName}-${pkg}`;
    }
    if (used.has(channel)) channel = `${channel}@${id}`;
    used.add(channel);
    const maxEnergyRangeUj = await readSysInt(reader, join(dir, 'max_energy_range_uj'), { what: 'RAPL counter range' });
    if (!(maxEnergyRangeUj > 0)) throw errors.invalidValue({ file: join(dir, 'max_energy_range_uj') }, `counter range ${maxEnergyRangeUj} µJ must be > 0`);
    zones.push({ id, dir, zoneName, channel, kind: raplChannelKind(zoneName), maxEnergyRangeUj });
  }
  return zones;
}

/** The derived channel summing every package, present when there are two or more. */
export const PACKAGES_CHANNEL = 'packages';

const J_PER_UJ = 1e6;

/**
 * The per-tick arithmetic, separate from the polling so tests drive it with chosen times.
 * Energies are kept as integer µJ (exact below 2^53 µJ ≈ 9 GJ) and divided once per reading.
 */
export class RaplMeter {
  private last: number[] | undefined;
  private lastTS = 0;
  private readonly totalUj: number[];
  private readonly packageIdx: number[];

  constructor(
    readonly zones: readonly RaplZone[],
    private readonly reader: SysfsReader = nodeSysfsReader,
  ) {
    this.totalUj = zones.map(() => 0);
    this.packageIdx = zones.flatMap((z, i) => (z.kind === 'package' ? [i] : []));
  }

  /** Whether a `packages` sum channel is pushed (two or more packages). */
  get hasPackagesSum(): boolean {
    return this.packageIdx.length >= 2;
  }

  async read(tS: number, sink: SensorSink): Promise<void> {
    const readings = await Promise.all(
      this.zones.map((z) => readSysInt(this.reader, join(z.dir, 'energy_uj'), { what: 'RAPL energy counter', permissionHint: RAPL_PERMISSION_HINT })),
    );
    const deltasUj = readings.map((r, i) => {
      const z = this.zones[i]!;
      const where = { file: join(z.dir, 'energy_uj') };
      const prev = this.last?.[i];
      // The first reading is only checked (in [0, range]); later ones give one interval's
      // energy, with one wrap-around at most unfolded (read more often than a counter can wrap).
      const pair = prev === undefined ? [r] : [prev, r];
      return counterDeltasJ(pair, { unitToJ: 1, wrapAt: z.maxEnergyRangeUj, where })[0] ?? 0;
    });
    const first = this.last === undefined;
    const dtS = tS - this.lastTS;
    const midS = this.lastTS + dtS / 2;
    const push = (channel: string, totalUj: number, deltaUj: number): void => {
      sink.energy(channel, tS, totalUj / J_PER_UJ);
      if (!first) sink.power(channel, midS, deltaUj / J_PER_UJ / dtS);
    };
    this.zones.forEach((z, i) => {
      this.totalUj[i]! += deltasUj[i]!;
      push(z.channel, this.totalUj[i]!, deltasUj[i]!);
    });
    if (this.hasPackagesSum) {
      let total = 0;
      let delta = 0;
      for (const i of this.packageIdx) {
        total += this.totalUj[i]!;
        delta += deltasUj[i]!;
      }
      push(PACKAGES_CHANNEL, total, delta);
    }
    this.last = readings;
    this.lastTS = tS;
  }
}

/** Channels, primary channel and notes for a set of zones (what `start` reports). */
export function describeRaplZones(zones: readonly RaplZone[], cpuModel?: string): { channels: ChannelInfo[]; primaryChannel: string; notes: string[] } {
  const withDevice = (c: ChannelInfo): ChannelInfo => (cpuModel !== undefined && (c.kind === 'package' || c.kind === 'cpu') ? { ...c, device: cpuModel } : c);
  const channels: ChannelInfo[] = zones.map((z) => withDevice({ name: z.channel, kind: z.kind }));
  const packages = zones.filter((z) => z.kind === 'package');
  const notes = ['power is ΔE/Δt of the energy counter over each sampling interval, stamped at the interval midpoint; energy is the counter itself'];
  let primaryChannel: string;
  if (packages.length >= 2) {
    channels.push(withDevice({ name: PACKAGES_CHANNEL, kind: 'package' }));
    primaryChannel = PACKAGES_CHANNEL;
    notes.push(`${PACKAGES_CHANNEL} = ${packages.map((z) => z.channel).join(' + ')} (all CPU sockets)`);
  } else {
    primaryChannel = packages[0]?.channel ?? zones.find((z) => z.kind === 'psys')?.channel ?? zones[0]!.channel;
  }
  if (zones.some((z) => z.kind === 'dram')) notes.push('dram zones are outside the packages: CPU + memory = packages + dram');
  if (zones.some((z) => z.zoneName === 'core' || z.zoneName === 'uncore')) notes.push('core and uncore are parts of their package: do not add them to it');
  if (zones.some((z) => z.kind === 'psys')) notes.push('psys is the whole platform (SoC and more) and already includes the packages: do not add them to it');
  if (packages.length === 0) notes.push(`no package zone: primary channel is ${primaryChannel}`);
  return { channels, primaryChannel, notes };
}

async function probe(env: SensorEnv, reader: SysfsReader): Promise<{ ok: true; detail: string } | { ok: false; reason: string }> {
  const base = hostPath(env.root, POWERCAP_DIR);
  let zones: RaplZone[];
  try {
    zones = await discoverRaplZones(env.root, reader);
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
  if (zones.length === 0) {
    return { ok: false, reason: `no RAPL zones under ${base} (not an x86 CPU, a VM without RAPL, or the intel_rapl_common module not loaded)` };
  }
  try {
    for (const z of zones) await readSysInt(reader, join(z.dir, 'energy_uj'), { what: 'RAPL energy counter', permissionHint: RAPL_PERMISSION_HINT });
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, reason: isPermissionDenied(e) ? `permission denied reading RAPL energy counters: ${message}` : message };
  }
  return { ok: true, detail: `${zones.length} RAPL zone${zones.length > 1 ? 's' : ''}: ${zones.map((z) => z.channel).join(', ')}` };
}

async function start(env: SensorEnv, opts: StartOptions, sink: SensorSink, reader: SysfsReader): Promise<SensorHandle> {
  const zones = await discoverRaplZones(env.root, reader);
  if (zones.length === 0) throw errors.notFound(join(hostPath(env.root, POWERCAP_DIR), 'intel-rapl:*'), 'RAPL zone');
  const cpu = await readCpuInfoIfAny(reader, env.root);
  const meter = new RaplMeter(zones, reader);
  const polled = await startPolledSensor(env.clock, opts.intervalS, (tS) => meter.read(tS, sink), sink, { holdProcess: opts.holdProcess });
  const { channels, primaryChannel, notes } = describeRaplZones(zones, cpu?.modelName);
  return {
    info: {
      name: 'rapl',
      provenance: { kind: 'measured', sensor: 'rapl' },
      channels,
      primaryChannel,
      requestedIntervalS: opts.intervalS,
      // The energy status registers update about every millisecond (Intel SDM vol. 3B, RAPL).
      updatePeriodS: 0.001,
      notes,
    },
    stop: () => polled.stop(),
  };
}

/** A RAPL sensor reading files through `reader` (tests inject failures the root user cannot get from chmod). */
export function createRaplSensor(reader: SysfsReader = nodeSysfsReader): Sensor {
  return {
    name: 'rapl',
    kind: 'measured',
    probe: (env) => probe(env, reader),
    start: (env, opts, sink) => start(env, opts, sink, reader),
  };
}

export const raplSensor: Sensor = createRaplSensor();
