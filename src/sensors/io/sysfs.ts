import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errors, isInferprintError, quote, type InferprintError } from '../../errors.js';
import { parseCpuInfo, type CpuInfo } from '../parse-proc-info.js';
import { startPoller } from '../poller.js';
import type { Clock, SensorSink } from '../types.js';
import { errnoCode } from '../../io/fs-errors.js';

/**
 * Small helpers for the sensors that read `/sys` and `/proc` (rapl, ina3221, estimate).
 * Every path is taken under the environment's root, so tests point them at a fake tree;
 * every failure becomes a coded error naming the file; a permission failure says how to
 * fix it, because that is the failure users actually hit (RAPL `energy_uj` is root-only
 * since Linux 5.10).
 */

/** How files are read. Node's fs in production; tests inject failures (EACCES as root cannot be faked with chmod). */
export interface SysfsReader {
  readText(path: string): Promise<string>;
  listDir(path: string): Promise<string[]>;
}

/**
 * Synchronous reads behind the async interface, on purpose: a /proc or /sys file is one
 * small read, and `readFileSync` costs ~20 µs of CPU where `fs.promises.readFile` costs
 * ~170 µs (four thread-pool round trips; measured on /proc/stat), which alone would break
 * the estimator's 1 %-of-a-core budget at 100 ms. The price is that a slow sysfs read (an
 * INA3221 value is an I2C transaction, ~0.1–0.3 ms) blocks the event loop that long.
 */
export const nodeSysfsReader: SysfsReader = {
  readText: (path) => settled(() => readFileSync(path, 'utf8')),
  listDir: (path) => settled(() => readdirSync(path)),
};

/** Run `f` now; its result or its throw, as a promise (a throw in the executor rejects). */
function settled<T>(f: () => T): Promise<T> {
  return new Promise((resolve) => {
    resolve(f());
  });
}

/** An absolute path such as `/sys/class/powercap`, under `root` ('/' in production, a temp dir in tests). */
export function hostPath(root: string, absolutePath: string): string {
  return join(root, absolutePath);
}

export interface ReadOptions {
  /** What the file is, for NOT_FOUND messages (e.g. 'RAPL energy counter'). */
  readonly what?: string;
  /** How to get read access, appended to a permission error (e.g. 'run as root or ...'). */
  readonly permissionHint?: string;
}

const PERMISSION_CODES = new Set(['EACCES', 'EPERM']);


/**
 * Turn an fs error into a coded error: ENOENT → NOT_FOUND; EACCES/EPERM → IO saying
 * "permission denied" and how to fix it; anything else → IO with the system's message.
 */
export function fsErrorToCoded(file: string, e: unknown, options: ReadOptions = {}): InferprintError {
  if (isInferprintError(e)) return e;
  const code = errnoCode(e);
  if (code === 'ENOENT' || code === 'ENOTDIR') return errors.notFound(file, options.what ?? 'file');
  if (code !== undefined && PERMISSION_CODES.has(code)) {
    const hint = options.permissionHint ?? 'run as root or grant read access to the file';
    return errors.io(file, new Error(`permission denied (${code}): ${hint}`, { cause: e }));
  }
  return errors.io(file, e);
}

/** Whether a coded error (or anything in its cause chain) is a refused permission. */
export function isPermissionDenied(e: unknown): boolean {
  for (let cur: unknown = e, depth = 0; cur !== undefined && cur !== null && depth < 8; depth++) {
    const code = errnoCode(cur);
    if (code !== undefined && PERMISSION_CODES.has(code)) return true;
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return false;
}

/** A file's text without the trailing newline sysfs and procfs put there. */
export async function readSysText(reader: SysfsReader, file: string, options: ReadOptions = {}): Promise<string> {
  try {
    return (await reader.readText(file)).replace(/\r?\n$/, '');
  } catch (e) {
    throw fsErrorToCoded(file, e, options);
  }
}

/**
 * A file holding one integer (sysfs counters and readings: `energy_uj`, `in1_input`...).
 * Strict: anything but an optional sign and digits is a PARSE error naming the file.
 */
export async function readSysInt(reader: SysfsReader, file: string, options: ReadOptions = {}): Promise<number> {
  const raw = (await readSysText(reader, file, options)).trim();
  if (!/^-?\d+$/.test(raw)) throw errors.notANumber({ file }, raw);
  const v = Number(raw);
  if (!Number.isSafeInteger(v)) throw errors.invalidValue({ file }, `integer ${quote(raw)} is beyond 2^53 and cannot be represented exactly`);
  return v;
}

/** A directory's entries, sorted; [] when it does not exist (a sensor that is simply absent). */
export async function listSysDir(reader: SysfsReader, dir: string): Promise<string[]> {
  try {
    return (await reader.listDir(dir)).sort();
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw fsErrorToCoded(dir, e);
  }
}

/** Sort names by the integers they contain (`hwmon10` after `hwmon9`, `intel-rapl:0:10` after `:0:9`). */
export function compareNumericNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

// ---------------------------------------------------------------------------------------
// Polling

export interface PolledSensor {
  stop(): Promise<void>;
}

/**
 * Run `read(tS)` now and then every `intervalS` on the drift-free poller; resolve once the
 * first read has succeeded (so a broken sensor fails before the workload starts), reject
 * with its coded error otherwise. Later failures go to `sink.fail` and stop sampling.
 * `stop()` takes one last reading at the stop time, so the trace reaches the end of the
 * run instead of ending up to one interval early.
 */
export function startPolledSensor(
  clock: Clock,
  intervalS: number,
  read: (tS: number) => Promise<void>,
  sink: SensorSink,
  options: { readonly holdProcess?: boolean | undefined } = {},
): Promise<PolledSensor> {
  return new Promise((resolve, reject) => {
    let started = false;
    let failed = false;
    let lastTS = -Infinity;
    const guardedRead = async (tS: number): Promise<void> => {
      // A clock that did not move gives nothing new (and timestamps must increase).
      if (!(tS > lastTS)) return;
      await read(tS);
      lastTS = tS;
    };
    const poller = startPoller(
      clock,
      intervalS,
      async (tS) => {
        await guardedRead(tS);
        if (!started) {
          started = true;
          resolve({
            async stop() {
              await poller.stop();
              if (failed) return;
              try {
                await guardedRead(clock.monotonicS());
              } catch (e) {
                sink.fail(isInferprintError(e) ? e : errors.io('sensor read', e));
              }
            },
          });
        }
      },
      (e) => {
        failed = true;
        if (started) sink.fail(e);
        else reject(e);
      },
      options,
    );
  });
}

// ---------------------------------------------------------------------------------------
// Facts several sensors want

/** `/proc/cpuinfo` under `root`, parsed; undefined when it cannot be read (a note-worthy absence, not a failure). */
export async function readCpuInfoIfAny(reader: SysfsReader, root: string): Promise<CpuInfo | undefined> {
  const file = hostPath(root, '/proc/cpuinfo');
  try {
    return parseCpuInfo(await readSysText(reader, file), file);
  } catch {
    return undefined;
  }
}

export const DEVICE_TREE_MODEL = '/proc/device-tree/model';

/** The board's name from the device tree (`NVIDIA Jetson AGX Orin Developer Kit`); undefined without one (off an ARM board) or when unreadable. */
export async function readDeviceTreeModel(root: string, reader: SysfsReader): Promise<string | undefined> {
  try {
    // The device tree writes a NUL-terminated string.
    const model = (await readSysText(reader, hostPath(root, DEVICE_TREE_MODEL))).replace(/\0/g, '').trim();
    return model === '' ? undefined : model;
  } catch {
    return undefined;
  }
}
