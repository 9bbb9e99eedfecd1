import { errors, isInferprintError, type InferprintError } from '../../errors.js';
import { milliwatts, mwToW } from '../../units/index.js';
import type { NvmlDevice, NvmlLibrary } from './nvml-ffi.js';
import { describeGpuSum, SUM_CHANNEL } from '../gpu-sum.js';
import { startPoller } from '../poller.js';
import type { ChannelInfo, ProbeResult, Sensor, SensorEnv, SensorHandle, SensorSink, StartOptions } from '../types.js';

/**
 * `nvml` — NVIDIA GPUs through the management library itself (libnvidia-ml.so.1, loaded with
 * koffi), the source nvidia-smi, CodeCarbon and Zeus all read. Per tick and per GPU it reads
 * board power (mW → W) and, on Volta and later, the cumulative energy counter (mJ → J since
 * start); where the counter is not supported the recorder integrates power instead, and the
 * sensor's notes say so — the silent 0 J of CodeCarbon#1316 is the bug this avoids.
 * See nvml.md for units, update rates and caveats.
 */

export const DEFAULT_NVML_LIBRARY = 'libnvidia-ml.so.1';

/** `INFERPRINT_NVML_LIB` when set, else the soname for the dynamic loader's search. */
export function nvmlLibraryPath(env: Pick<SensorEnv, 'env'>): string {
  const path = env.env.INFERPRINT_NVML_LIB;
  return path !== undefined && path !== '' ? path : DEFAULT_NVML_LIBRARY;
}

type Ffi = typeof import('./nvml-ffi.js');

/** koffi is a native module: import it only when NVML is wanted, and say so when it cannot load. */
async function loadFfi(): Promise<Ffi> {
  try {
    return await import('./nvml-ffi.js');
  } catch (e) {
    throw new Error(`the koffi FFI module could not be loaded: ${messageOf(e)}`, { cause: e });
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** An NVML or loader failure as a coded error: `unavailable` before sampling starts, `failed` after. */
function sensorError(e: unknown, phase: 'start' | 'run'): InferprintError {
  if (isInferprintError(e)) return e;
  return phase === 'start' ? errors.sensorUnavailable('nvml', messageOf(e)) : errors.sensorFailed('nvml', messageOf(e));
}

/** Load the library and initialise NVML (reference-counted: pair with `lib.shutdown()`). Throws uncoded errors. */
async function openNvml(env: Pick<SensorEnv, 'env'>): Promise<{ lib: NvmlLibrary; ffi: Ffi }> {
  const ffi = await loadFfi();
  const lib = ffi.loadNvml(nvmlLibraryPath(env));
  lib.init();
  return { lib, ffi };
}

function shutdownQuietly(lib: NvmlLibrary): void {
  try {
    lib.shutdown();
  } catch {
    // Only fails when NVML already considers itself shut down: nothing left to release.
  }
}

/** Open NVML, run `fn`, and always shut NVML down again. Throws uncoded errors. */
async function withNvml<T>(env: Pick<SensorEnv, 'env'>, fn: (lib: NvmlLibrary, ffi: Ffi) => T): Promise<T> {
  const { lib, ffi } = await openNvml(env);
  try {
    return fn(lib, ffi);
  } finally {
    shutdownQuietly(lib);
  }
}

interface Gpu {
  readonly device: NvmlDevice;
  readonly channel: string;
  readonly name: string;
  readonly uuid: string;
}

function listGpus(lib: NvmlLibrary): Gpu[] {
  const count = lib.deviceCount();
  return Array.from({ length: count }, (_, index) => {
    const device = lib.device(index);
    return { device, channel: `gpu${index}`, name: lib.name(device), uuid: lib.uuid(device) };
  });
}

/** `--device`: an NVML index (`1`) or a UUID (`GPU-…`, case-insensitive); all GPUs when absent. */
export function selectGpus<G extends { readonly device: { readonly index: number }; readonly uuid: string; readonly name: string }>(
  gpus: readonly G[],
  spec: string | undefined,
): G[] {
  if (spec === undefined) return [...gpus];
  const wanted = spec.trim();
  const match = /^\d+$/.test(wanted)
    ? gpus.filter((g) => g.device.index === Number(wanted))
    : gpus.filter((g) => g.uuid.toLowerCase() === wanted.toLowerCase());
  if (match.length === 0) {
    const known = gpus.map((g) => `${g.device.index}: ${g.name} ${g.uuid}`).join('; ');
    throw errors.usage(`no NVIDIA GPU matches '${spec}' (give an NVML index or UUID; this host has ${known || 'none'})`, '--device');
  }
  return match;
}

// ---- probe ----

async function probe(env: SensorEnv): Promise<ProbeResult> {
  try {
    return await withNvml(env, (lib): ProbeResult => {
      const gpus = listGpus(lib);
      if (gpus.length === 0) return { ok: false, reason: `NVML (${lib.path}) initialised but reports no GPU` };
      const names = gpus.map((g) => `${g.channel} ${g.name}`).join(', ');
      return { ok: true, detail: `NVML ${lib.path}: ${gpus.length} GPU${gpus.length > 1 ? 's' : ''} (${names})` };
    });
  } catch (e) {
    return { ok: false, reason: messageOf(e) };
  }
}

// ---- sampling ----

interface Sampled extends Gpu {
  /** Counter value at the first reading, mJ: energies are reported since start. */
  baseMj?: number;
  lastMj?: number;
  readonly counter: boolean;
}

async function start(env: SensorEnv, opts: StartOptions, sink: SensorSink): Promise<SensorHandle> {
  let lib: NvmlLibrary;
  let ffi: Ffi;
  try {
    ({ lib, ffi } = await openNvml(env));
  } catch (e) {
    throw sensorError(e, 'start');
  }

  const notes: string[] = [];
  let gpus: Sampled[];
  try {
    gpus = selectGpus(listGpus(lib), opts.device).map((g) => {
      try {
        lib.totalEnergyMj(g.device);
        return { ...g, counter: true };
      } catch (e) {
        if (!ffi.isNotSupported(e)) throw e;
        notes.push(
          `${g.channel} (${g.name}): energy counter not supported (${e.message}; it needs Volta or later): energy will be integrated from power samples`,
        );
        return { ...g, counter: false };
      }
    });
    if (gpus.length === 0) throw new Error(`NVML (${lib.path}) initialised but reports no GPU`);
    try {
      notes.unshift(`NVIDIA driver ${lib.driverVersion()}, library ${lib.path}`);
    } catch (e) {
      if (!ffi.isNotSupported(e)) throw e;
    }
  } catch (e) {
    shutdownQuietly(lib);
    throw sensorError(e, 'start');
  }

  // Two or more GPUs: their sum is the primary channel (gpu-sum.ts), as RAPL sums its packages.
  const sum = gpus.length >= 2 ? describeGpuSum(gpus) : undefined;
  if (sum) notes.push(...sum.notes);

  let started = false;
  let onFirst: (() => void) | undefined;
  let onFirstError: ((e: InferprintError) => void) | undefined;
  const firstReading = new Promise<void>((resolve, reject) => {
    onFirst = resolve;
    onFirstError = reject;
  });

  const readAll = async (tS: number): Promise<void> => {
    // allSettled, not all: every call has returned before this tick ends, so stop() never
    // shuts NVML down under a read still running on a worker thread.
    const results = await Promise.allSettled(
      gpus.map(async (g) => {
        const [powerMw, energyMj] = await Promise.all([
          lib.powerUsageMwAsync(g.device),
          g.counter ? lib.totalEnergyMjAsync(g.device) : Promise.resolve(undefined),
        ]);
        return { g, powerMw, energyMj };
      }),
    );
    // A failed read fails the sensor before anything of this tick is pushed: no GPU's
    // sample, and so no sum, from a tick that did not read every GPU.
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw sensorError(failed.reason, started ? 'run' : 'start');
    const reads = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    for (const { g, energyMj } of reads) {
      // The counter counts since the driver loaded and is 64-bit: it cannot wrap in practice,
      // so a decrease means the driver was reloaded under us, not something to unfold.
      if (energyMj !== undefined && g.lastMj !== undefined && energyMj < g.lastMj) {
        throw sensorError(new Error(`${g.channel} energy counter went backwards (${g.lastMj} → ${energyMj} mJ): was the driver reloaded?`), started ? 'run' : 'start');
      }
    }
    let sumW = 0;
    let sumMj = 0;
    for (const { g, powerMw, energyMj } of reads) {
      const powerW = mwToW(milliwatts(powerMw));
      sink.power(g.channel, tS, powerW);
      sumW += powerW;
      if (energyMj === undefined) continue;
      g.baseMj ??= energyMj;
      g.lastMj = energyMj;
      sink.energy(g.channel, tS, (energyMj - g.baseMj) / 1000);
      sumMj += energyMj - g.baseMj;
    }
    // Every GPU is read at this one timestamp, so their sum is exact per tick; its counter
    // is the sum of theirs when every GPU has one.
    if (sum) {
      sink.power(SUM_CHANNEL, tS, sumW);
      if (gpus.every((g) => g.counter)) sink.energy(SUM_CHANNEL, tS, sumMj / 1000);
    }
  };

  let poller: ReturnType<typeof startPoller>;
  try {
    poller = startPoller(
      env.clock,
      opts.intervalS,
      async (tS) => {
        await readAll(tS);
        if (!started) {
          started = true;
          onFirst?.();
        }
      },
      (e) => {
        if (started) sink.fail(e);
        else onFirstError?.(e);
      },
      { holdProcess: opts.holdProcess },
    );
  } catch (e) {
    shutdownQuietly(lib);
    throw sensorError(e, 'start');
  }
  try {
    await firstReading;
  } catch (e) {
    await poller.stop();
    shutdownQuietly(lib);
    throw sensorError(e, 'start');
  }

  const channels: ChannelInfo[] = gpus.map((g) => ({ name: g.channel, kind: 'gpu', device: g.name }));
  if (sum) channels.push(sum.channel);
  let stopping: Promise<void> | undefined;
  return {
    info: {
      name: 'nvml',
      provenance: { kind: 'measured', sensor: 'nvml' },
      channels,
      primaryChannel: sum ? sum.channel.name : channels[0]!.name,
      ...(sum ? { primarySums: sum.sums } : {}),
      requestedIntervalS: opts.intervalS,
      // Unknown in general: NVML does not say how often its power field or counter change
      // (nvml.md lists what is known per architecture); the recorder measures repeats itself.
      notes,
    },
    stop: () =>
      (stopping ??= (async () => {
        await poller.stop();
        shutdownQuietly(lib);
      })()),
  };
}

export const nvmlSensor: Sensor = { name: 'nvml', kind: 'measured', probe, start };

// ---- snapshot for the run manifest ----

export interface NvmlGpuSnapshot {
  readonly index: number;
  readonly channel: string;
  readonly name: string;
  readonly uuid: string;
  /** Each dynamic field is undefined where this GPU or driver answers NVML_ERROR_NOT_SUPPORTED. */
  readonly powerW?: number | undefined;
  readonly powerLimitW?: number | undefined;
  /** Which NVML call gave the limit: the enforced one (all limits combined) when supported. */
  readonly powerLimitSource?: 'enforced' | 'management' | undefined;
  readonly energyCounter: boolean;
  readonly utilization?: { readonly gpuPct: number; readonly memoryPct: number } | undefined;
  readonly clocksMhz?: { readonly graphics: number; readonly sm: number; readonly memory: number } | undefined;
  readonly temperatureC?: number | undefined;
  readonly memory?: { readonly totalBytes: number; readonly freeBytes: number; readonly usedBytes: number } | undefined;
}

export interface NvmlSnapshot {
  readonly library: string;
  readonly driverVersion?: string | undefined;
  readonly gpus: readonly NvmlGpuSnapshot[];
}

/**
 * The GPUs and driver as NVML sees them now, for the run manifest (host GPUs, driver):
 * names, UUIDs, limits, utilisation, clocks, temperature and memory. Rejects with a coded
 * error when NVML cannot be used; a field a GPU does not support is undefined, not guessed.
 */
export async function readNvmlSnapshot(env: Pick<SensorEnv, 'env'>): Promise<NvmlSnapshot> {
  try {
    return await withNvml(env, (lib, ffi) => snapshot(lib, ffi));
  } catch (e) {
    throw sensorError(e, 'start');
  }
}

function snapshot(lib: NvmlLibrary, ffi: Ffi): NvmlSnapshot {
  const optional = <T>(read: () => T): T | undefined => {
    try {
      return read();
    } catch (e) {
      if (ffi.isNotSupported(e)) return undefined;
      throw e;
    }
  };
  const limit = (d: NvmlDevice): Pick<NvmlGpuSnapshot, 'powerLimitW' | 'powerLimitSource'> => {
    const enforced = optional(() => lib.enforcedPowerLimitMw(d));
    if (enforced !== undefined) return { powerLimitW: mwToW(milliwatts(enforced)), powerLimitSource: 'enforced' };
    const management = optional(() => lib.powerManagementLimitMw(d));
    if (management !== undefined) return { powerLimitW: mwToW(milliwatts(management)), powerLimitSource: 'management' };
    return { powerLimitW: undefined, powerLimitSource: undefined };
  };
  const gpus = listGpus(lib).map((g): NvmlGpuSnapshot => {
    const d = g.device;
    const powerMw = optional(() => lib.powerUsageMw(d));
    const graphics = optional(() => lib.clockMhz(d, ffi.NVML_CLOCK_GRAPHICS));
    const sm = optional(() => lib.clockMhz(d, ffi.NVML_CLOCK_SM));
    const memoryClock = optional(() => lib.clockMhz(d, ffi.NVML_CLOCK_MEM));
    return {
      index: d.index,
      channel: g.channel,
      name: g.name,
      uuid: g.uuid,
      powerW: powerMw !== undefined ? mwToW(milliwatts(powerMw)) : undefined,
      ...limit(d),
      energyCounter: optional(() => lib.totalEnergyMj(d)) !== undefined,
      utilization: optional(() => lib.utilization(d)),
      clocksMhz: graphics !== undefined && sm !== undefined && memoryClock !== undefined ? { graphics, sm, memory: memoryClock } : undefined,
      temperatureC: optional(() => lib.temperatureC(d, ffi.NVML_TEMPERATURE_GPU)),
      memory: optional(() => lib.memory(d)),
    };
  });
  const driverVersion = optional(() => lib.driverVersion());
  return { library: lib.path, driverVersion, gpus };
}
