/**
 * The dashboard's side of the live files (format in `src/measure/live-format.ts`): follows
 * `<runsDir>/.live/` and turns what measuring processes append into events the server streams to
 * browsers (Server-Sent Events). Read-only: a file whose writer died is ignored here and removed
 * by the next writing command (`cleanStaleLiveFiles`).
 */
import { lstat, open, readdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { join } from 'node:path';
import { LIVE_DIR, LIVE_FILE, MAX_LIVE_LINE, parseLiveHeader, parseLiveSample, type LiveChannel, type LiveHeader, type LiveSample } from '../measure/live-format.js';
import { isPidAlive } from '../runs/io/runs-dir.js';

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
/** A writer flushes every 200 ms; this long without growth, ask whether it is still alive. */
const QUIET_MS = 3000;

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
    this.isAlive = opts.isAlive ?? isPidAlive;
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
    if (f.partial.length > MAX_LIVE_LINE) f.partial = '';
    const batch: LiveSample[] = [];
    for (const line of lines) {
      if (line.trim() === '') continue;
      if (!f.header) {
        const header = parseLiveHeader(line);
        if (!header) {
          f.ignored = true;
          this.warnOnce(`${name}:${f.ino}`, `live view: ${LIVE_DIR}/${name} does not start with a live header line; ignored`);
          return;
        }
        f.header = header;
        this.emit({ type: 'session', session: this.info(f) });
        continue;
      }
      const s = parseLiveSample(line);
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
