import koffi from 'koffi';
import type { KoffiFunc, LibraryHandle, TypeObject } from 'koffi';

/**
 * Bindings to NVIDIA's management library (libnvidia-ml.so.1) through koffi: the few
 * entry points the nvml sensor and the run manifest need, declared with the C signatures,
 * constants and struct layouts of `nvml.h` (NVML API version 12, as shipped with the CUDA
 * toolkit and the driver's development headers). Only this file touches koffi.
 *
 * Every call checks its nvmlReturn_t and throws an `NvmlError` carrying the code, its
 * `nvml.h` name and the library's own `nvmlErrorString` text; the sensor turns those into
 * coded inferprint errors, because only it knows whether a failure means "unavailable"
 * (at start) or "failed" (mid-run).
 */

/** nvmlReturn_t (nvml.h `enum nvmlReturn_enum`). */
export const NVML_RETURN = {
  SUCCESS: 0,
  ERROR_UNINITIALIZED: 1,
  ERROR_INVALID_ARGUMENT: 2,
  ERROR_NOT_SUPPORTED: 3,
  ERROR_NO_PERMISSION: 4,
  ERROR_ALREADY_INITIALIZED: 5,
  ERROR_NOT_FOUND: 6,
  ERROR_INSUFFICIENT_SIZE: 7,
  ERROR_INSUFFICIENT_POWER: 8,
  ERROR_DRIVER_NOT_LOADED: 9,
  ERROR_TIMEOUT: 10,
  ERROR_IRQ_ISSUE: 11,
  ERROR_LIBRARY_NOT_FOUND: 12,
  ERROR_FUNCTION_NOT_FOUND: 13,
  ERROR_CORRUPTED_INFOROM: 14,
  ERROR_GPU_IS_LOST: 15,
  ERROR_RESET_REQUIRED: 16,
  ERROR_OPERATING_SYSTEM: 17,
  ERROR_LIB_RM_VERSION_MISMATCH: 18,
  ERROR_IN_USE: 19,
  ERROR_MEMORY: 20,
  ERROR_NO_DATA: 21,
  ERROR_VGPU_ECC_NOT_SUPPORTED: 22,
  ERROR_INSUFFICIENT_RESOURCES: 23,
  ERROR_FREQ_NOT_SUPPORTED: 24,
  ERROR_ARGUMENT_VERSION_MISMATCH: 25,
  ERROR_DEPRECATED: 26,
  ERROR_NOT_READY: 27,
  ERROR_GPU_NOT_FOUND: 28,
  ERROR_INVALID_STATE: 29,
  ERROR_UNKNOWN: 999,
} as const;

/** `NVML_ERROR_GPU_IS_LOST` for 15, so messages name the constant users can search for. */
export function nvmlReturnName(code: number): string {
  const entry = Object.entries(NVML_RETURN).find(([, v]) => v === code);
  return entry ? `NVML_${entry[0]}` : `nvmlReturn_t ${code}`;
}

/** nvmlClockType_t (nvml.h `enum nvmlClockType_enum`). */
export const NVML_CLOCK_GRAPHICS = 0;
export const NVML_CLOCK_SM = 1;
export const NVML_CLOCK_MEM = 2;
/** nvmlTemperatureSensors_t (nvml.h): the GPU die sensor. */
export const NVML_TEMPERATURE_GPU = 0;

// Buffer sizes nvml.h guarantees large enough (NVML_DEVICE_NAME_V2_BUFFER_SIZE, ...).
const NAME_BUFFER_SIZE = 96;
const UUID_BUFFER_SIZE = 96;
const DRIVER_VERSION_BUFFER_SIZE = 80;

/** A failed NVML call: which function, on which GPU, the nvmlReturn_t and its text. */
export class NvmlError extends Error {
  override readonly name = 'NvmlError';
  constructor(
    readonly symbol: string,
    readonly nvmlReturn: number,
    readonly text: string,
    readonly gpu?: string,
  ) {
    super(`${symbol}${gpu !== undefined ? `(${gpu})` : ''} returned ${nvmlReturnName(nvmlReturn)}: ${text}`);
  }
}

/** The library file could not be loaded, or lacks a function every NVML has. */
export class NvmlLoadError extends Error {
  override readonly name = 'NvmlLoadError';
  constructor(
    readonly path: string,
    readonly notFound: boolean,
    detail: string,
  ) {
    super(detail);
  }
}

/** True when `e` says the GPU or driver cannot do this (old architecture, old driver, vGPU). */
export function isNotSupported(e: unknown): e is NvmlError {
  return e instanceof NvmlError && (e.nvmlReturn === NVML_RETURN.ERROR_NOT_SUPPORTED || e.nvmlReturn === NVML_RETURN.ERROR_FUNCTION_NOT_FOUND);
}

declare const handleBrand: unique symbol;
/** nvmlDevice_t: an opaque pointer (koffi 3 passes pointers as BigInt). */
export type NvmlDeviceHandle = bigint & { readonly [handleBrand]: true };

/** A GPU as NVML enumerates it; `index` is NVML's (nvidia-smi's) order, not CUDA's. */
export interface NvmlDevice {
  readonly index: number;
  readonly handle: NvmlDeviceHandle;
}

export interface NvmlUtilization {
  /** % of the last sample period (1/6 s to 1 s by product) with a kernel running. */
  readonly gpuPct: number;
  /** % of the last sample period with device memory being read or written. */
  readonly memoryPct: number;
}

export interface NvmlMemory {
  readonly totalBytes: number;
  readonly freeBytes: number;
  readonly usedBytes: number;
}

/** The subset of NVML inferprint uses, typed, with units in the names. */
export interface NvmlLibrary {
  readonly path: string;
  /** nvmlInit_v2: reference-counted, pair every call with `shutdown`. */
  init(): void;
  shutdown(): void;
  driverVersion(): string;
  deviceCount(): number;
  device(index: number): NvmlDevice;
  name(d: NvmlDevice): string;
  uuid(d: NvmlDevice): string;
  powerUsageMw(d: NvmlDevice): number;
  /** The same read on a koffi worker thread, so a slow driver call never blocks the event loop. */
  powerUsageMwAsync(d: NvmlDevice): Promise<number>;
  /** mJ since the driver was loaded (Volta and later). */
  totalEnergyMj(d: NvmlDevice): number;
  totalEnergyMjAsync(d: NvmlDevice): Promise<number>;
  enforcedPowerLimitMw(d: NvmlDevice): number;
  powerManagementLimitMw(d: NvmlDevice): number;
  utilization(d: NvmlDevice): NvmlUtilization;
  clockMhz(d: NvmlDevice, clockType: number): number;
  temperatureC(d: NvmlDevice, sensor?: number): number;
  memory(d: NvmlDevice): NvmlMemory;
}

// ---- koffi declarations ----

type Spec = string | TypeObject | ReturnType<typeof koffi.out>;
/** Every NVML function returns nvmlReturn_t, a C enum: int-sized. */
type NvmlFn<A extends unknown[]> = KoffiFunc<(...args: A) => number>;
/** An output parameter koffi fills: element 0 holds the value after the call. */
type Out<T> = [T];

const DeviceHandleType = koffi.pointer(koffi.opaque()); // typedef struct nvmlDevice_st* nvmlDevice_t;
// typedef struct nvmlUtilization_st { unsigned int gpu; unsigned int memory; } nvmlUtilization_t;
const UtilizationType = koffi.struct({ gpu: 'unsigned int', memory: 'unsigned int' });
// typedef struct nvmlMemory_st { unsigned long long total, free, used; } nvmlMemory_t;  (v1, bytes)
const MemoryType = koffi.struct({ total: 'unsigned long long', free: 'unsigned long long', used: 'unsigned long long' });
const outU32 = koffi.out(koffi.pointer('unsigned int'));
const outU64 = koffi.out(koffi.pointer('unsigned long long'));

/** koffi gives 64-bit integers as numbers when they fit in 2^53, else as BigInt. */
function toNumber(v: number | bigint): number {
  return typeof v === 'bigint' ? Number(v) : v;
}

/** The text up to the first NUL of a C string buffer. */
function cString(buf: Buffer): string {
  const end = buf.indexOf(0);
  return buf.toString('utf8', 0, end < 0 ? buf.length : end);
}

function isMissingLibrary(message: string): boolean {
  return /no such file|cannot open shared object/i.test(message);
}

function bind(path: string): NvmlLibrary {
  let lib: LibraryHandle;
  try {
    lib = koffi.load(path);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const notFound = isMissingLibrary(message);
    throw new NvmlLoadError(
      path,
      notFound,
      notFound
        ? `${path} not found: no NVIDIA driver installed (or set INFERPRINT_NVML_LIB to the path of libnvidia-ml.so.1)`
        : `${path} could not be loaded: ${message}`,
    );
  }
  const required = <A extends unknown[]>(symbol: string, args: Spec[]): NvmlFn<A> => {
    try {
      return lib.func(symbol, 'int', args) as NvmlFn<A>;
    } catch (e) {
      throw new NvmlLoadError(path, false, `${path} is not a usable NVML library: ${e instanceof Error ? e.message : String(e)}`);
    }
  };
  // Functions an old driver may lack: calls then fail as NVML_ERROR_FUNCTION_NOT_FOUND, which
  // the sensor treats as "not supported" instead of refusing the whole library.
  const optional = <A extends unknown[]>(symbol: string, args: Spec[]): NvmlFn<A> | undefined => {
    try {
      return lib.func(symbol, 'int', args) as NvmlFn<A>;
    } catch {
      return undefined;
    }
  };

  // const char* nvmlErrorString(nvmlReturn_t result);
  let nvmlErrorString: KoffiFunc<(code: number) => string | null>;
  try {
    nvmlErrorString = lib.func('nvmlErrorString', 'const char *', ['int']) as KoffiFunc<(code: number) => string | null>;
  } catch (e) {
    throw new NvmlLoadError(path, false, `${path} is not a usable NVML library: ${e instanceof Error ? e.message : String(e)}`);
  }
  const fns = {
    // nvmlReturn_t nvmlInit_v2(void);  nvmlReturn_t nvmlShutdown(void);
    nvmlInit_v2: required<[]>('nvmlInit_v2', []),
    nvmlShutdown: required<[]>('nvmlShutdown', []),
    // nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount);
    nvmlDeviceGetCount_v2: required<[Out<number>]>('nvmlDeviceGetCount_v2', [outU32]),
    // nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device);
    nvmlDeviceGetHandleByIndex_v2: required<[number, Out<bigint | null>]>('nvmlDeviceGetHandleByIndex_v2', [
      'unsigned int',
      koffi.out(koffi.pointer(DeviceHandleType)),
    ]),
    // nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length);
    nvmlDeviceGetName: required<[NvmlDeviceHandle, Buffer, number]>('nvmlDeviceGetName', [DeviceHandleType, 'char *', 'unsigned int']),
    // nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length);
    nvmlDeviceGetUUID: required<[NvmlDeviceHandle, Buffer, number]>('nvmlDeviceGetUUID', [DeviceHandleType, 'char *', 'unsigned int']),
    // nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power);  mW
    nvmlDeviceGetPowerUsage: required<[NvmlDeviceHandle, Out<number>]>('nvmlDeviceGetPowerUsage', [DeviceHandleType, outU32]),
    // nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length);
    nvmlSystemGetDriverVersion: optional<[Buffer, number]>('nvmlSystemGetDriverVersion', ['char *', 'unsigned int']),
    // nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long *energy);  mJ
    nvmlDeviceGetTotalEnergyConsumption: optional<[NvmlDeviceHandle, Out<number | bigint>]>('nvmlDeviceGetTotalEnergyConsumption', [
      DeviceHandleType,
      outU64,
    ]),
    // nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, unsigned int *limit);  mW
    nvmlDeviceGetEnforcedPowerLimit: optional<[NvmlDeviceHandle, Out<number>]>('nvmlDeviceGetEnforcedPowerLimit', [DeviceHandleType, outU32]),
    // nvmlReturn_t nvmlDeviceGetPowerManagementLimit(nvmlDevice_t device, unsigned int *limit);  mW
    nvmlDeviceGetPowerManagementLimit: optional<[NvmlDeviceHandle, Out<number>]>('nvmlDeviceGetPowerManagementLimit', [DeviceHandleType, outU32]),
    // nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization);
    nvmlDeviceGetUtilizationRates: optional<[NvmlDeviceHandle, Partial<{ gpu: number; memory: number }>]>('nvmlDeviceGetUtilizationRates', [
      DeviceHandleType,
      koffi.out(koffi.pointer(UtilizationType)),
    ]),
    // nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, nvmlClockType_t type, unsigned int *clock);  MHz
    nvmlDeviceGetClockInfo: optional<[NvmlDeviceHandle, number, Out<number>]>('nvmlDeviceGetClockInfo', [DeviceHandleType, 'int', outU32]),
    // nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, nvmlTemperatureSensors_t sensorType, unsigned int *temp);  °C
    nvmlDeviceGetTemperature: optional<[NvmlDeviceHandle, number, Out<number>]>('nvmlDeviceGetTemperature', [DeviceHandleType, 'int', outU32]),
    // nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory);  bytes
    nvmlDeviceGetMemoryInfo: optional<
      [NvmlDeviceHandle, Partial<{ total: number | bigint; free: number | bigint; used: number | bigint }>]
    >('nvmlDeviceGetMemoryInfo', [DeviceHandleType, koffi.out(koffi.pointer(MemoryType))]),
  };
  type FnName = keyof typeof fns;

  const errorText = (code: number): string => nvmlErrorString(code) ?? 'Unknown Error';
  const check = (symbol: FnName, code: number, d?: NvmlDevice): void => {
    if (code !== NVML_RETURN.SUCCESS) throw new NvmlError(symbol, code, errorText(code), d ? `gpu${d.index}` : undefined);
  };
  const fn = <S extends FnName>(symbol: S, d?: NvmlDevice): NonNullable<(typeof fns)[S]> => {
    const f = fns[symbol];
    if (f === undefined) {
      const code = NVML_RETURN.ERROR_FUNCTION_NOT_FOUND;
      throw new NvmlError(symbol, code, errorText(code), d ? `gpu${d.index}` : undefined);
    }
    return f;
  };
  /** Runs an NVML call on koffi's worker pool; resolves once its output parameters are filled. */
  const callAsync = <A extends unknown[]>(symbol: FnName, f: NvmlFn<A>, d: NvmlDevice, args: A): Promise<void> =>
    new Promise((resolve, reject) => {
      f.async(...args, (err: unknown, code: number) => {
        if (err !== null && err !== undefined) {
          reject(err instanceof Error ? err : new Error(`koffi async call to ${symbol} failed`));
          return;
        }
        try {
          check(symbol, code, d);
          resolve();
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      });
    });
  const readU32 = (symbol: 'nvmlDeviceGetPowerUsage' | 'nvmlDeviceGetEnforcedPowerLimit' | 'nvmlDeviceGetPowerManagementLimit', d: NvmlDevice): number => {
    const out: Out<number> = [0];
    check(symbol, fn(symbol, d)(d.handle, out), d);
    return out[0];
  };
  const readString = (symbol: 'nvmlDeviceGetName' | 'nvmlDeviceGetUUID', d: NvmlDevice, size: number): string => {
    const buf = Buffer.alloc(size);
    check(symbol, fn(symbol, d)(d.handle, buf, size), d);
    return cString(buf);
  };

  return {
    path,
    init() {
      check('nvmlInit_v2', fns.nvmlInit_v2());
    },
    shutdown() {
      check('nvmlShutdown', fns.nvmlShutdown());
    },
    driverVersion() {
      const buf = Buffer.alloc(DRIVER_VERSION_BUFFER_SIZE);
      check('nvmlSystemGetDriverVersion', fn('nvmlSystemGetDriverVersion')(buf, buf.length));
      return cString(buf);
    },
    deviceCount() {
      const out: Out<number> = [0];
      check('nvmlDeviceGetCount_v2', fns.nvmlDeviceGetCount_v2(out));
      return out[0];
    },
    device(index) {
      const out: Out<bigint | null> = [null];
      check('nvmlDeviceGetHandleByIndex_v2', fns.nvmlDeviceGetHandleByIndex_v2(index, out));
      if (out[0] === null) throw new NvmlError('nvmlDeviceGetHandleByIndex_v2', NVML_RETURN.ERROR_UNKNOWN, 'null device handle', `gpu${index}`);
      return { index, handle: out[0] as NvmlDeviceHandle };
    },
    name: (d) => readString('nvmlDeviceGetName', d, NAME_BUFFER_SIZE),
    uuid: (d) => readString('nvmlDeviceGetUUID', d, UUID_BUFFER_SIZE),
    powerUsageMw: (d) => readU32('nvmlDeviceGetPowerUsage', d),
    async powerUsageMwAsync(d) {
      const out: Out<number> = [0];
      await callAsync('nvmlDeviceGetPowerUsage', fns.nvmlDeviceGetPowerUsage, d, [d.handle, out]);
      return out[0];
    },
    totalEnergyMj(d) {
      const out: Out<number | bigint> = [0];
      check('nvmlDeviceGetTotalEnergyConsumption', fn('nvmlDeviceGetTotalEnergyConsumption', d)(d.handle, out), d);
      return toNumber(out[0]);
    },
    async totalEnergyMjAsync(d) {
      const out: Out<number | bigint> = [0];
      await callAsync('nvmlDeviceGetTotalEnergyConsumption', fn('nvmlDeviceGetTotalEnergyConsumption', d), d, [d.handle, out]);
      return toNumber(out[0]);
    },
    enforcedPowerLimitMw: (d) => readU32('nvmlDeviceGetEnforcedPowerLimit', d),
    powerManagementLimitMw: (d) => readU32('nvmlDeviceGetPowerManagementLimit', d),
    utilization(d) {
      const out: Partial<{ gpu: number; memory: number }> = {};
      check('nvmlDeviceGetUtilizationRates', fn('nvmlDeviceGetUtilizationRates', d)(d.handle, out), d);
      return { gpuPct: out.gpu ?? 0, memoryPct: out.memory ?? 0 };
    },
    clockMhz(d, clockType) {
      const out: Out<number> = [0];
      check('nvmlDeviceGetClockInfo', fn('nvmlDeviceGetClockInfo', d)(d.handle, clockType, out), d);
      return out[0];
    },
    temperatureC(d, sensor = NVML_TEMPERATURE_GPU) {
      const out: Out<number> = [0];
      check('nvmlDeviceGetTemperature', fn('nvmlDeviceGetTemperature', d)(d.handle, sensor, out), d);
      return out[0];
    },
    memory(d) {
      const out: Partial<{ total: number | bigint; free: number | bigint; used: number | bigint }> = {};
      check('nvmlDeviceGetMemoryInfo', fn('nvmlDeviceGetMemoryInfo', d)(d.handle, out), d);
      return { totalBytes: toNumber(out.total ?? 0), freeBytes: toNumber(out.free ?? 0), usedBytes: toNumber(out.used ?? 0) };
    },
  };
}

// One binding per library path for the life of the process: dlopen would return the same
// handle anyway, and re-declaring the functions on every probe would only cost time.
const loaded = new Map<string, NvmlLibrary>();

/** Load and bind NVML from `path` (a file, or a soname for the dynamic loader's search). */
export function loadNvml(path: string): NvmlLibrary {
  let lib = loaded.get(path);
  if (lib === undefined) {
    lib = bind(path);
    loaded.set(path, lib);
  }
  return lib;
}
