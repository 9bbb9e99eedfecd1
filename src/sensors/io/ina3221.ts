import { join } from 'node:path';
import { errors } from '../../errors.js';
import { tegrastatsRailKinds } from '../../traces/parse-tegrastats.js';
import { compareNumericNames, hostPath, isPermissionDenied, listSysDir, nodeSysfsReader, readDeviceTreeModel, readSysInt, readSysText, startPolledSensor, type SysfsReader } from './sysfs.js';
import type { ChannelInfo, ChannelKind, Sensor, SensorEnv, SensorHandle, SensorSink, StartOptions } from '../types.js';

/**
 * Jetson INA3221 power monitors read straight from sysfs (see ina3221.md), the way
 * jetson-stats and Zeus do when tegrastats is absent or too slow:
 *
 * - hwmon (JetPack 5+, mainline driver): `/sys/class/hwmon/hwmonN/` whose `name` is
 *   `ina3221`; rail N has `inN_label`, `inN_input` (bus voltage, mV) and `currN_input` (mA);
 *   power = V × I.
 * - iio (JetPack 4 and older, NVIDIA's `ina3221x` driver):
 *   `/sys/bus/i2c/drivers/ina3221x/<bus-addr>/iio:deviceK/` with `rail_name_N`,
 *   `in_power{N}_input` (mW), or `in_voltage{N}_input` (mV) × `in_current{N}_input` (mA).
 */

export const HWMON_DIR = '/sys/class/hwmon';
export const IIO_DRIVER_DIR = '/sys/bus/i2c/drivers/ina3221x';

const PERMISSION_HINT = 'run as root, or give your user read access to the INA3221 sysfs files (e.g. with a udev rule)';

/** How a rail's power is read, with the unit of each file. */
export type RailSource =
  | { readonly kind: 'power-mw'; readonly powerFile: string }
  | { readonly kind: 'volts-amps'; readonly voltageMvFile: string; readonly currentMaFile: string };

export interface InaRail {
  /** The rail's label as the board names it (`VDD_GPU_SOC`, `VDD_IN`, `POM_5V_GPU`). */
  readonly name: string;
  readonly layout: 'hwmon' | 'iio';
  readonly source: RailSource;
}

export interface InaDiscovery {
  readonly rails: readonly InaRail[];
  /** The chips' conversion period when the hwmon driver reports it (`update_interval`, ms). */
  readonly updatePeriodS?: number;
}

/** Channels the monitors are wired to but that carry nothing: `NC` (AGX Orin's second chip). */
function isUnconnected(label: string): boolean {
  return label.trim().toUpperCase() === 'NC' || label === '';
}

async function discoverHwmon(root: string, reader: SysfsReader): Promise<{ rails: InaRail[]; updateMs: number[] }> {
  const base = hostPath(root, HWMON_DIR);
  const rails: InaRail[] = [];
  const updateMs: number[] = [];
  for (const entry of (await listSysDir(reader, base)).sort(compareNumericNames)) {
    const dir = join(base, entry);
    const files = await listSysDir(reader, dir);
    if (!files.includes('name')) continue;
    if ((await readSysText(reader, join(dir, 'name'), { permissionHint: PERMISSION_HINT })).trim() !== 'ina3221') continue;
    if (files.includes('update_interval')) updateMs.push(await readSysInt(reader, join(dir, 'update_interval'), { permissionHint: PERMISSION_HINT }));
    const present = new Set(files);
    const channels = files
      .map((f) => /^in(\d+)_label$/.exec(f)?.[1])
      .filter((n): n is string => n !== undefined)
      .sort(compareNumericNames);
    for (const n of channels) {
      // in4–in6 are shunt voltages and in7 their sum ("sum of shunt voltages"): no current file, so not rails.
      if (!present.has(`in${n}_input`) || !present.has(`curr${n}_input`)) continue;
      const label = (await readSysText(reader, join(dir, `in${n}_label`), { permissionHint: PERMISSION_HINT })).trim();
      if (isUnconnected(label) || /sum of shunt/i.test(label)) continue;
      rails.push({ name: label, layout: 'hwmon', source: { kind: 'volts-amps', voltageMvFile: join(dir, `in${n}_input`), currentMaFile: join(dir, `curr${n}_input`) } });
    }
  }
  return { rails, updateMs };
}

async function discoverIio(root: string, reader: SysfsReader): Promise<InaRail[]> {
  const base = hostPath(root, IIO_DRIVER_DIR);
  const rails: InaRail[] = [];
  for (const device of (await listSysDir(reader, base)).sort(compareNumericNames)) {
    // bind, unbind, uevent and module are files or links, not chips: listSysDir gives [] for them.
    for (const iio of (await listSysDir(reader, join(base, device))).filter((e) => e.startsWith('iio:device')).sort(compareNumericNames)) {
      const dir = join(base, device, iio);
      const files = await listSysDir(reader, dir);
      const present = new Set(files);
      const channels = files
        .map((f) => /^rail_name_(\d+)$/.exec(f)?.[1])
        .filter((n): n is string => n !== undefined)
        .sort(compareNumericNames);
      for (const n of channels) {
        const label = (await readSysText(reader, join(dir, `rail_name_${n}`), { permissionHint: PERMISSION_HINT })).trim();
        if (isUnconnected(label)) continue;
        let source: RailSource;
        if (present.has(`in_power${n}_input`)) source = { kind: 'power-mw', powerFile: join(dir, `in_power${n}_input`) };
        else if (present.has(`in_voltage${n}_input`) && present.has(`in_current${n}_input`)) {
          source = { kind: 'volts-amps', voltageMvFile: join(dir, `in_voltage${n}_input`), currentMaFile: join(dir, `in_current${n}_input`) };
        } else continue;
        rails.push({ name: label, layout: 'iio', source });
      }
    }
  }
  return rails;
}

/** Every INA3221 rail under `root`, hwmon first, in device and channel order; a repeated label gets `-2`, `-3`. */
export async function discoverIna3221(root: string, reader: SysfsReader = nodeSysfsReader): Promise<InaDiscovery> {
  const hwmon = await discoverHwmon(root, reader);
  const found = [...hwmon.rails, ...(await discoverIio(root, reader))];
  const counts = new Map<string, number>();
  const rails = found.map((r) => {
    const k = (counts.get(r.name) ?? 0) + 1;
    counts.set(r.name, k);
    return k === 1 ? r : { ...r, name: `${r.name}-${k}` };
  });
  return hwmon.updateMs.length > 0 ? { rails, updatePeriodS: Math.max(...hwmon.updateMs) / 1000 } : { rails };
}

/**
 * Read one rail in W. mV × mA = µW exactly in integers; one division makes W, so the value
 * is the correctly rounded double of the exact power. A rail near 0 A can read a few mA
 * negative (the shunt voltage is signed): kept as measured, not clamped.
 */
export async function readRailW(rail: InaRail, reader: SysfsReader = nodeSysfsReader): Promise<number> {
  const opts = { permissionHint: PERMISSION_HINT };
  if (rail.source.kind === 'power-mw') return (await readSysInt(reader, rail.source.powerFile, opts)) / 1e3;
  const [mV, mA] = await Promise.all([readSysInt(reader, rail.source.voltageMvFile, opts), readSysInt(reader, rail.source.currentMaFile, opts)]);
  return (mV * mA) / 1e6;
}

/**
 * What each rail is: the same rule as the tegrastats sensor (`tegrastatsRailKinds`: the
 * per-board GPU and input rail names, then CPU / SOC / memory by name), so one board gets
 * the same kinds from either sensor. One addition: when no known GPU rail exists, a rail
 * naming a GPU is the GPU rail (TX2 NX `VDD_CPU_GPU`, shared with the CPU).
 */
export function classifyRails(names: readonly string[]): { kinds: Map<string, ChannelKind>; gpuRail?: string; totalRail?: string } {
  const kinds = new Map<string, ChannelKind>(tegrastatsRailKinds(names).map((r) => [r.name, r.kind]));
  let gpuRail = names.find((n) => kinds.get(n) === 'gpu');
  if (gpuRail === undefined) {
    gpuRail = names.find((n) => /GPU/i.test(n) && kinds.get(n) !== 'board-total');
    if (gpuRail !== undefined) kinds.set(gpuRail, 'gpu');
  }
  const totalRail = names.find((n) => kinds.get(n) === 'board-total');
  return { kinds, ...(gpuRail !== undefined ? { gpuRail } : {}), ...(totalRail !== undefined ? { totalRail } : {}) };
}

/** Channels, primary channel and notes for the rails found (what `start` reports). */
export function describeRails(rails: readonly InaRail[], boardModel?: string): { channels: ChannelInfo[]; primaryChannel: string; notes: string[] } {
  const names = rails.map((r) => r.name);
  const { kinds, gpuRail, totalRail } = classifyRails(names);
  const channels = names.map((name): ChannelInfo => ({ name, kind: kinds.get(name)!, ...(boardModel !== undefined ? { device: boardModel } : {}) }));
  const notes = [`rails read from ${[...new Set(rails.map((r) => r.layout))].join(' and ')} sysfs; instantaneous readings stamped at the read`];
  if (gpuRail === 'VDD_GPU_SOC') notes.push('GPU rail VDD_GPU_SOC also powers the SoC (AGX Orin)');
  else if (gpuRail !== undefined && /CPU/i.test(gpuRail)) notes.push(`GPU rail ${gpuRail} also powers the CPU (shared rail)`);
  if (totalRail === undefined) {
    notes.push(
      names.includes('VIN_SYS_5V0')
        ? 'no board input rail: VIN_SYS_5V0 is the 5 V system rail, not the board total (AGX Orin); the sum of rails is a lower bound of board power'
        : 'no board input rail (VDD_IN / POM_5V_IN): the sum of rails is a lower bound of board power',
    );
  }
  const primaryChannel = gpuRail ?? totalRail ?? names[0]!;
  if (gpuRail === undefined) notes.push(`no GPU rail found: primary channel is ${primaryChannel}`);
  return { channels, primaryChannel, notes };
}

function notFound(root: string): Error {
  return errors.notFound(`${hostPath(root, HWMON_DIR)}/hwmon*/name (ina3221) or ${hostPath(root, IIO_DRIVER_DIR)}/*/iio:device*`, 'INA3221 power monitor');
}

async function probe(env: SensorEnv, reader: SysfsReader): Promise<{ ok: true; detail: string } | { ok: false; reason: string }> {
  try {
    const { rails } = await discoverIna3221(env.root, reader);
    if (rails.length === 0) return { ok: false, reason: `no INA3221 power monitor (not a Jetson, or its rails are not exposed): ${notFound(env.root).message}` };
    for (const r of rails) await readRailW(r, reader);
    return { ok: true, detail: `${rails.length} INA3221 rail${rails.length > 1 ? 's' : ''} (${rails[0]!.layout}): ${rails.map((r) => r.name).join(', ')}` };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, reason: isPermissionDenied(e) ? `permission denied reading INA3221 rails: ${message}` : message };
  }
}

async function start(env: SensorEnv, opts: StartOptions, sink: SensorSink, reader: SysfsReader): Promise<SensorHandle> {
  const { rails, updatePeriodS } = await discoverIna3221(env.root, reader);
  if (rails.length === 0) throw notFound(env.root);
  const boardModel = await readDeviceTreeModel(env.root, reader);
  const read = async (tS: number): Promise<void> => {
    const watts = await Promise.all(rails.map((r) => readRailW(r, reader)));
    rails.forEach((r, i) => {
      sink.power(r.name, tS, watts[i]!);
    });
  };
  const polled = await startPolledSensor(env.clock, opts.intervalS, read, sink, { holdProcess: opts.holdProcess });
  const { channels, primaryChannel, notes } = describeRails(rails, boardModel);
  return {
    info: {
      name: 'ina3221',
      provenance: { kind: 'measured', sensor: 'ina3221' },
      channels,
      primaryChannel,
      requestedIntervalS: opts.intervalS,
      ...(updatePeriodS !== undefined ? { updatePeriodS } : {}),
      notes,
    },
    stop: () => polled.stop(),
  };
}

/** An INA3221 sensor reading files through `reader` (tests inject failures). */
export function createIna3221Sensor(reader: SysfsReader = nodeSysfsReader): Sensor {
  return {
    name: 'ina3221',
    kind: 'measured',
    probe: (env) => probe(env, reader),
    start: (env, opts, sink) => start(env, opts, sink, reader),
  };
}

export const ina3221Sensor: Sensor = createIna3221Sensor();

