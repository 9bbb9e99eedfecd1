/**
 * The measuring side of the live files (format in `live-format.ts`): `openLiveWriter` appends
 * samples to `<runsDir>/.live/<pid>.jsonl`, `publishLive(sensor, …)` tees a sensor's readings into
 * one, and `cleanStaleLiveFiles` removes the files of writers that died. Used by measure, bench and
 * import; the dashboard only reads (`src/serve/live-tailer.ts`).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { lstat, open, readdir, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { errors, isInferprintError, type InferprintError } from '../../errors.js';
import type { Sensor, SensorHandle, SensorSink } from '../../sensors/types.js';
import { isPidAlive } from '../../runs/io/runs-dir.js';
import { LIVE_DIR, LIVE_FILE, LIVE_FORMAT_VERSION, MAX_LIVE_LINE, liveFileName, liveSampleLine, parseLiveHeader, type LiveHeader, type LiveMeta } from '../live-format.js';

export { LIVE_DIR, type LiveChannel, type LiveHeader, type LiveMeta, type LiveSample } from '../live-format.js';

export interface LiveWriter {
  readonly path: string;
  readonly session: string;
  /** Queue one sample; written within `flushIntervalMs`. Never throws: a write failure disables the writer. */
  sample(channel: string, tS: number, watts: number): void;
  /** Write what is queued now. */
  flush(): void;
  /** Flush, close and remove the file. Idempotent. */
  close(): void;
}

export interface LiveWriterOptions {
  /** How often queued samples are written, ms (default 200: smooth enough to watch, few writes). */
  readonly flushIntervalMs?: number;
  /** Wall-clock time of t = 0 (default now). */
  readonly startedAt?: Date;
  /** Told once when writing fails; the measurement carries on without live samples. */
  readonly onError?: (e: InferprintError) => void;
  readonly pid?: number;
}

const openWriters = new Set<string>();
let exitHookInstalled = false;

/**
 * A process that exits with writers still open (an uncaught error, `process.exit` on a second
 * Ctrl-C) removes their files on the way out: they would otherwise read as a live session until
 * a reader noticed the pid was gone. Synchronous, as `exit` listeners must be.
 */
function removeOpenWritersOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const path of openWriters) {
      try {
        unlinkSync(path);
      } catch {
        // Gone already.
      }
    }
  });
}

/**
 * Create `<runsDir>/.live/<pid>.jsonl` with its header line. Throws an IO error when the file
 * cannot be created; afterwards nothing it does throws (live samples are a convenience, never a
 * reason for a measurement to fail).
 */
export function openLiveWriter(runsDir: string, meta: LiveMeta, opts: LiveWriterOptions = {}): LiveWriter {
  const dir = join(runsDir, LIVE_DIR);
  const pid = opts.pid ?? process.pid;
  let fd: number;
  let path: string;
  try {
    mkdirSync(dir, { recursive: true });
    for (let n = 0; ; n++) {
      path = join(dir, liveFileName(pid, n));
      if (openWriters.has(path)) continue;
      try {
        // A file left by a crashed process with a reused pid is replaced: its writer is gone.
        fd = openSync(path, 'w', 0o644);
        break;
      } catch (e) {
        if (n > 100) throw e;
      }
    }
  } catch (e) {
    throw errors.io(dir, e);
  }
  openWriters.add(path);
  removeOpenWritersOnExit();
  const session = randomBytes(6).toString('hex');
  const header: LiveHeader = {
    type: 'header',
    version: LIVE_FORMAT_VERSION,
    session,
    pid,
    host: hostname(),
    startedAt: (opts.startedAt ?? new Date()).toISOString(),
    ...meta,
  };
  let queue: string[] = [];
  let broken = false;
  let closed = false;
  const fail = (e: unknown): void => {
    if (broken) return;
    broken = true;
    queue = [];
    opts.onError?.(errors.io(path, e));
  };
  const write = (text: string): void => {
    try {
      const buf = Buffer.from(text, 'utf8');
      for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off);
    } catch (e) {
      fail(e);
    }
  };
  write(`${JSON.stringify(header)}\n`);
  const flush = (): void => {
    if (broken || closed || queue.length === 0) return;
    const text = queue.join('');
    queue = [];
    write(text);
  };
  const timer = setInterval(flush, opts.flushIntervalMs ?? 200);
  // Never the reason the process stays alive.
  timer.unref();
  return {
    path,
    session,
    sample(channel, tS, watts) {
      if (broken || closed || !Number.isFinite(tS) || !Number.isFinite(watts)) return;
      queue.push(liveSampleLine(channel, tS, watts));
    },
    flush,
    close() {
      if (closed) return;
      flush();
      closed = true;
      clearInterval(timer);
      openWriters.delete(path);
      try {
        closeSync(fd);
      } catch {
        // Closing a descriptor that failed earlier: nothing left to save.
      }
      try {
        unlinkSync(path);
      } catch {
        // Already removed (someone cleaned the folder): the end is signalled either way.
      }
    },
  };
}

export interface PublishLiveOptions {
  readonly runsDir: string;
  readonly label?: string;
  /** Told when live samples cannot be written; the measurement goes on. */
  readonly onError?: (e: InferprintError) => void;
  readonly flushIntervalMs?: number;
}

/**
 * `sensor`, also publishing every power reading to a live file while it runs, so that
 * `inferprint serve` shows the measurement as it happens. Readings before the sensor's first
 * reading resolves `start` (channels unknown yet) are held and written with the header. The
 * file is removed when the sensor stops.
 */
export function publishLive(sensor: Sensor, opts: PublishLiveOptions): Sensor {
  return {
    name: sensor.name,
    kind: sensor.kind,
    probe: (env) => sensor.probe(env),
    async start(env, startOpts, sink): Promise<SensorHandle> {
      const t0 = env.clock.monotonicS();
      const startedAt = new Date(env.clock.epochMs());
      const early: [string, number, number][] = [];
      let writer: LiveWriter | undefined;
      let off = false;
      const tee: SensorSink = {
        power(channel, tS, powerW) {
          sink.power(channel, tS, powerW);
          if (writer) writer.sample(channel, tS - t0, powerW);
          else if (!off && early.length < 10_000) early.push([channel, tS - t0, powerW]);
        },
        energy: (channel, tS, energyJ) => {
          sink.energy(channel, tS, energyJ);
        },
        fail: (error) => {
          sink.fail(error);
        },
      };
      const handle = await sensor.start(env, startOpts, tee);
      const info = handle.info;
      try {
        writer = openLiveWriter(
          opts.runsDir,
          {
            ...(opts.label !== undefined ? { label: opts.label } : {}),
            sensor: info.name,
            estimated: info.provenance.kind === 'estimated',
            channels: info.channels.map((c) => ({ name: c.name, kind: c.kind, ...(c.device !== undefined ? { device: c.device } : {}) })),
            primaryChannel: info.primaryChannel,
            intervalS: info.requestedIntervalS,
          },
          { startedAt, ...(opts.onError ? { onError: opts.onError } : {}), ...(opts.flushIntervalMs !== undefined ? { flushIntervalMs: opts.flushIntervalMs } : {}) },
        );
        for (const [c, t, w] of early) writer.sample(c, t, w);
        writer.flush();
      } catch (e) {
        off = true;
        if (isInferprintError(e)) opts.onError?.(e);
        else throw e;
      }
      early.length = 0;
      return {
        info,
        async stop() {
          try {
            await handle.stop();
          } finally {
            writer?.close();
          }
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------------
// Cleaner

export interface CleanLiveOptions {
  /** Is this pid alive on this host? (default `isPidAlive`) */
  readonly isAlive?: (pid: number) => boolean;
  /** This host's name, as writers put it in their header (default `os.hostname()`). */
  readonly host?: string;
}

/** A removed live file and the writer it belonged to. */
export interface RemovedLiveFile {
  readonly path: string;
  readonly pid: number;
}

/**
 * Remove live files whose writer died without removing them (a `kill -9`, a power cut): files
 * directly in `<runsDir>/.live/` (regular files, not links) whose header names this host and a
 * pid that is not a live process (never this process). Another host's files, files whose header
 * cannot be read, and files of live pids are left alone: the pid of another machine means
 * nothing here, and a file without its header yet is being created.
 */
export async function cleanStaleLiveFiles(runsDir: string, opts: CleanLiveOptions = {}): Promise<RemovedLiveFile[]> {
  const dir = join(runsDir, LIVE_DIR);
  const isAlive = opts.isAlive ?? isPidAlive;
  const host = opts.host ?? hostname();
  let names: string[];
  try {
    const st = await lstat(dir);
    if (!st.isDirectory()) return [];
    names = (await readdir(dir)).filter((n) => LIVE_FILE.test(n)).sort();
  } catch (e) {
    if (typeof e === 'object' && e !== null && 'code' in e && e.code === 'ENOENT') return [];
    throw errors.io(dir, e);
  }
  const removed: RemovedLiveFile[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if (openWriters.has(path)) continue;
    const header = await readLiveHeader(path);
    if (header === undefined || header.host !== host || header.pid === process.pid || isAlive(header.pid)) continue;
    try {
      await unlink(path);
      removed.push({ path, pid: header.pid });
    } catch (e) {
      if (!(typeof e === 'object' && e !== null && 'code' in e && e.code === 'ENOENT')) throw errors.io(path, e);
    }
  }
  return removed;
}

/** The header of a live file (its first line, read up to `MAX_LIVE_LINE` bytes), or undefined. */
async function readLiveHeader(path: string): Promise<LiveHeader | undefined> {
  let handle;
  try {
    const st = await lstat(path);
    if (!st.isFile()) return undefined;
    // Not following a link swapped in after the check.
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const buf = Buffer.alloc(MAX_LIVE_LINE);
    const { bytesRead } = await handle.read(buf, 0, MAX_LIVE_LINE, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const nl = text.indexOf('\n');
    return nl < 0 ? undefined : parseLiveHeader(text.slice(0, nl));
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}
