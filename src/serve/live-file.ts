/**
 * Live samples of a measurement in progress, through a file: the measuring process appends
 * JSON lines to `<runsDir>/.live/<pid>.jsonl` and the dashboard tails them and streams them to
 * browsers (Server-Sent Events). A file, rather than a socket, because the two processes need
 * not know about each other: no port to agree on, nothing to do when no dashboard runs, works
 * for a runs directory shared between machines, and a reader can only read.
 *
 * Format (one JSON object per line, UTF-8):
 *   {"type":"header","version":1,"session":"…","pid":…,"host":"…","startedAt":"…Z","label":"…",
 *    "sensor":"nvml","estimated":false,"channels":[{"name":"gpu0","kind":"gpu","device":"…"}],
 *    "primaryChannel":"gpu0","intervalS":0.1}
 *   {"t":0.1,"channel":"gpu0","watts":71.5}          t: s since startedAt
 * The writer removes the file when the measurement ends (and when its process exits without
 * ending it); the bundle is then the record. A file whose writer died (same host, pid gone) is
 * ignored by the dashboard, which is read-only, and removed by the next writing command
 * (`cleanStaleLiveFiles`, called by measure, bench and import).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, mkdirSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { lstat, open, readdir, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { join } from 'node:path';
import { errors, isInferprintError, type InferprintError } from '../errors.js';
import type { ChannelKind, Sensor, SensorHandle, SensorSink } from '../sensors/types.js';
import { isPidAlive } from '../runs/runs-dir.js';

/** Folder of live files inside the runs directory; a dot name, so listings and DuckDB globs skip it. */
export const LIVE_DIR = '.live';
const LIVE_FORMAT_VERSION = 1;
/** `<pid>.jsonl`, or `<pid>-<n>.jsonl` for a second writer open at once in the same process. */
const LIVE_FILE = /^(\d{1,10})(?:-(\d{1,6}))?\.jsonl$/;

export interface LiveChannel {
  readonly name: string;
  readonly kind?: ChannelKind;
  readonly device?: string;
}

/** What the writer's caller says about the measurement. */
export interface LiveMeta {
  readonly label?: string;
  readonly sensor: string;
  readonly estimated?: boolean;
  readonly channels: readonly LiveChannel[];
  readonly primaryChannel?: string;
  /** Requested sampling interval, s. */
  readonly intervalS?: number;
}

export interface LiveHeader extends LiveMeta {
  readonly type: 'header';
  readonly version: typeof LIVE_FORMAT_VERSION;
  /** Random id of this measurement (a pid is reused by the next run of a campaign). */
  readonly session: string;
  readonly pid: number;
  readonly host: string;
  /** Wall-clock time of t = 0 (ISO 8601 UTC). */
  readonly startedAt: string;
}

export interface LiveSample {
  /** Seconds since the header's startedAt. */
  readonly t: number;
  readonly channel: string;
  /** Power in W. */
  readonly watts: number;
}

// ---------------------------------------------------------------------------------------
// Writer

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
      path = join(dir, n === 0 ? `${pid}.jsonl` : `${pid}-${n}.jsonl`);
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
      queue.push(`{"t":${tS},"channel":${JSON.stringify(channel)},"watts":${watts}}\n`);
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
// Tailer

/** A live measurement as the dashboard shows it. */
export interface LiveSessionInfo {
  readonly session: string;
  readonly file: string;
  readonly pid: number;
  readonly host: string;
  readonly label: string;
  readonly sensor: string;
  readonly estimated: boolean;
  readonly channels: readonly LiveChannel[];
  readonly primaryChannel: string | null;
  readonly intervalS: number | null;
  readonly startedAt: string;
  /** Samples received so far. */
  readonly samples: number;
  /** Time of the latest sample, s since startedAt. */
  readonly lastT: number | null;
}

export type LiveEvent =
  | { readonly type: 'session'; readonly session: LiveSessionInfo }
  | { readonly type: 'samples'; readonly session: string; readonly samples: readonly LiveSample[] }
  | { readonly type: 'end'; readonly session: string };

interface FileState {
  readonly name: string;
  readonly ino: number;
  offset: number;
  partial: string;
  /** Keeps a multi-byte character cut by a read boundary until its last byte arrives. */
  readonly decoder: StringDecoder;
  header: LiveHeader | undefined;
  samples: number;
  lastT: number | null;
  recent: LiveSample[];
  /** Refused (bad header) or its writer is gone: not read again while it stays as it is. */
  ignored: boolean;
  lastGrowthMs: number;
}

export interface LiveTailerOptions {
  /** Poll period, ms (default 250). */
  readonly intervalMs?: number;
  /** Samples kept per session for viewers who connect late (default 3000). */
  readonly recent?: number;
  /** Told about files that are not live files (bad header), once each. */
  readonly onWarning?: (message: string) => void;
  /** Is this pid alive on this host? (default: `process.kill(pid, 0)`) */
  readonly isAlive?: (pid: number) => boolean;
  /** After this long without growth, ask whether the writer is still alive, ms (default 3000). */
  readonly quietMs?: number;
}

/** Bytes read from one file per poll: a burst cannot hold the server's memory. */
const MAX_READ = 4 << 20;
const MAX_LINE = 64 * 1024;
/** A writer flushes every 200 ms; this long without growth, ask whether it is still alive. */
const QUIET_MS = 3000;

const defaultIsAlive = isPidAlive;

/** A line of the live file as a JSON object, or undefined (a torn or foreign line is skipped, not fatal). */
function jsonObject(line: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function parseHeader(line: string): LiveHeader | undefined {
  const h = jsonObject(line);
  if (!h) return undefined;
  if (h.type !== 'header' || h.version !== LIVE_FORMAT_VERSION || typeof h.session !== 'string' || typeof h.pid !== 'number' || typeof h.startedAt !== 'string') return undefined;
  if (typeof h.sensor !== 'string' || !Array.isArray(h.channels)) return undefined;
  const channels = (h.channels as unknown[]).flatMap((c): LiveChannel[] => {
    if (typeof c !== 'object' || c === null) return [];
    const o = c as Record<string, unknown>;
    if (typeof o.name !== 'string') return [];
    return [{ name: o.name, ...(typeof o.kind === 'string' ? { kind: o.kind as ChannelKind } : {}), ...(typeof o.device === 'string' ? { device: o.device } : {}) }];
  });
  return {
    type: 'header',
    version: LIVE_FORMAT_VERSION,
    session: h.session.slice(0, 64),
    pid: h.pid,
    host: typeof h.host === 'string' ? h.host : '',
    startedAt: h.startedAt,
    sensor: h.sensor,
    channels,
    ...(typeof h.label === 'string' ? { label: h.label } : {}),
    ...(typeof h.estimated === 'boolean' ? { estimated: h.estimated } : {}),
    ...(typeof h.primaryChannel === 'string' ? { primaryChannel: h.primaryChannel } : {}),
    ...(typeof h.intervalS === 'number' ? { intervalS: h.intervalS } : {}),
  };
}

function parseSample(line: string): LiveSample | undefined {
  const s = jsonObject(line);
  if (!s) return undefined;
  if (typeof s.t !== 'number' || !Number.isFinite(s.t) || typeof s.channel !== 'string' || s.channel.length > 200 || typeof s.watts !== 'number' || !Number.isFinite(s.watts)) return undefined;
  return { t: s.t, channel: s.channel, watts: s.watts };
}

/**
 * Follows `<runsDir>/.live/`: reports sessions as their header appears, their samples as lines
 * are appended, and their end when the file goes. Reads only regular files directly in that
 * folder (no links). Call `start()` to poll, `stop()` to end.
 */
export class LiveTailer {
  private readonly files = new Map<string, FileState>();
  private readonly listeners = new Set<(e: LiveEvent) => void>();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private readonly intervalMs: number;
  private readonly recentMax: number;
  private readonly isAlive: (pid: number) => boolean;
  private readonly quietMs: number;
  private readonly warned = new Set<string>();

  constructor(
    private readonly runsDir: string,
    private readonly opts: LiveTailerOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 250;
    this.recentMax = opts.recent ?? 3000;
    this.isAlive = opts.isAlive ?? defaultIsAlive;
    this.quietMs = opts.quietMs ?? QUIET_MS;
  }

  start(): void {
    if (this.timer) return;
    const tick = (): void => {
      void this.poll().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, this.intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }

  subscribe(fn: (e: LiveEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Sessions in progress, oldest first. */
  sessions(): LiveSessionInfo[] {
    return [...this.files.values()].filter((f) => f.header && !f.ignored).map((f) => this.info(f)).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  /** The latest samples of a session (at most the `recent` option's count). */
  recent(session: string): readonly LiveSample[] {
    for (const f of this.files.values()) if (f.header?.session === session && !f.ignored) return f.recent.slice(-this.recentMax);
    return [];
  }

  /** Read what changed now (one poll at a time; concurrent callers share it). */
  poll(): Promise<void> {
    this.polling ??= this.pollOnce()
      .catch((e: unknown) => {
        this.warnOnce('poll', `live view: ${e instanceof Error ? e.message : String(e)}`);
      })
      .finally(() => {
        this.polling = undefined;
      });
    return this.polling;
  }

  private emit(e: LiveEvent): void {
    for (const fn of this.listeners) fn(e);
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.opts.onWarning?.(message);
  }

  private info(f: FileState): LiveSessionInfo {
    const h = f.header!;
    return {
      session: h.session,
      file: f.name,
      pid: h.pid,
      host: h.host,
      label: h.label ?? '',
      sensor: h.sensor,
      estimated: h.estimated ?? false,
      channels: h.channels,
      primaryChannel: h.primaryChannel ?? null,
      intervalS: h.intervalS ?? null,
      startedAt: h.startedAt,
      samples: f.samples,
      lastT: f.lastT,
    };
  }

  private drop(name: string): void {
    const f = this.files.get(name);
    if (!f) return;
    this.files.delete(name);
    if (f.header && !f.ignored) this.emit({ type: 'end', session: f.header.session });
  }

  private async pollOnce(): Promise<void> {
    const dir = join(this.runsDir, LIVE_DIR);
    let names: string[] = [];
    try {
      const st = await lstat(dir);
      // A link could lead anywhere: only a real folder is read.
      if (st.isDirectory()) names = (await readdir(dir)).filter((n) => LIVE_FILE.test(n));
    } catch (e) {
      if (!(typeof e === 'object' && e !== null && 'code' in e && e.code === 'ENOENT')) throw e;
    }
    const present = new Set(names);
    for (const name of [...this.files.keys()]) if (!present.has(name)) this.drop(name);
    for (const name of names) await this.pollFile(join(dir, name), name);
  }

  private async pollFile(path: string, name: string): Promise<void> {
    let st;
    try {
      st = await lstat(path);
    } catch {
      this.drop(name);
      return;
    }
    if (!st.isFile()) return;
    let f = this.files.get(name);
    // Replaced (a campaign's next run from the same process) or truncated: a new session.
    if (f && (f.ino !== st.ino || st.size < f.offset)) {
      this.drop(name);
      f = undefined;
    }
    if (!f) {
      f = { name, ino: st.ino, offset: 0, partial: '', decoder: new StringDecoder('utf8'), header: undefined, samples: 0, lastT: null, recent: [], ignored: false, lastGrowthMs: Date.now() };
      this.files.set(name, f);
    }
    if (f.ignored) return;
    if (st.size === f.offset) {
      if (f.header && Date.now() - f.lastGrowthMs >= this.quietMs && f.header.host === hostname() && !this.isAlive(f.header.pid)) {
        // Its writer died without removing the file: the session is over.
        this.emit({ type: 'end', session: f.header.session });
        f.ignored = true;
      }
      return;
    }
    const length = Math.min(st.size - f.offset, MAX_READ);
    const buf = Buffer.alloc(length);
    let got = 0;
    const handle = await open(path, 'r').catch(() => undefined);
    if (!handle) return;
    try {
      while (got < length) {
        const { bytesRead } = await handle.read(buf, got, length - got, f.offset + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
    } finally {
      await handle.close();
    }
    f.offset += got;
    f.lastGrowthMs = Date.now();
    const text = f.partial + f.decoder.write(buf.subarray(0, got));
    const lines = text.split('\n');
    f.partial = lines.pop() ?? '';
    if (f.partial.length > MAX_LINE) f.partial = '';
    const batch: LiveSample[] = [];
    for (const line of lines) {
      if (line.trim() === '') continue;
      if (!f.header) {
        const header = parseHeader(line);
        if (!header) {
          f.ignored = true;
          this.warnOnce(`${name}:${f.ino}`, `live view: ${LIVE_DIR}/${name} does not start with a live header line; ignored`);
          return;
        }
        f.header = header;
        this.emit({ type: 'session', session: this.info(f) });
        continue;
      }
      const s = parseSample(line);
      if (!s) continue;
      batch.push(s);
    }
    if (batch.length === 0 || !f.header) return;
    f.samples += batch.length;
    f.lastT = batch[batch.length - 1]!.t;
    for (const s of batch) f.recent.push(s);
    if (f.recent.length > 2 * this.recentMax) f.recent = f.recent.slice(-this.recentMax);
    this.emit({ type: 'samples', session: f.header.session, samples: batch });
  }
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

/** The header of a live file (its first line, read up to `MAX_LINE` bytes), or undefined. */
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
    const buf = Buffer.alloc(MAX_LINE);
    const { bytesRead } = await handle.read(buf, 0, MAX_LINE, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const nl = text.indexOf('\n');
    return nl < 0 ? undefined : parseHeader(text.slice(0, nl));
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}
