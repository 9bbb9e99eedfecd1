/**
 * The live file's format: what a measuring process appends to `<runsDir>/.live/<pid>.jsonl` while
 * it runs, and how a reader parses it. Pure (no I/O): the writer (`live-writer.ts`, beside the
 * recorder) and the dashboard's tailer (`src/serve/live-tailer.ts`) both build on it, so the two
 * sides cannot drift and neither imports the other.
 *
 * A file, rather than a socket, because the two processes need not know about each other: no
 * port to agree on, nothing to do when no dashboard runs, works for a runs directory shared
 * between machines, and a reader can only read.
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
import type { ChannelKind } from '../sensors/types.js';

/** Folder of live files inside the runs directory; a dot name, so listings and DuckDB globs skip it. */
export const LIVE_DIR = '.live';
export const LIVE_FORMAT_VERSION = 1;
/** `<pid>.jsonl`, or `<pid>-<n>.jsonl` for a second writer open at once in the same process. */
export const LIVE_FILE = /^(\d{1,10})(?:-(\d{1,6}))?\.jsonl$/;
/** Longest line a reader keeps (a header is far shorter; a longer line is not ours). */
export const MAX_LIVE_LINE = 64 * 1024;

/** The file name of the `n`-th writer open at once in process `pid` (matches `LIVE_FILE`). */
export function liveFileName(pid: number, n: number): string {
  return n === 0 ? `${pid}.jsonl` : `${pid}-${n}.jsonl`;
}

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

/** The sample line the writer appends (with its newline). */
export function liveSampleLine(channel: string, tS: number, watts: number): string {
  return `{"t":${tS},"channel":${JSON.stringify(channel)},"watts":${watts}}\n`;
}

/** A line of the live file as a JSON object, or undefined (a torn or foreign line is skipped, not fatal). */
function jsonObject(line: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The header line, or undefined when the line is not a header of this format version. */
export function parseLiveHeader(line: string): LiveHeader | undefined {
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

/** A sample line, or undefined when it is torn, foreign or not finite. */
export function parseLiveSample(line: string): LiveSample | undefined {
  const s = jsonObject(line);
  if (!s) return undefined;
  if (typeof s.t !== 'number' || !Number.isFinite(s.t) || typeof s.channel !== 'string' || s.channel.length > 200 || typeof s.watts !== 'number' || !Number.isFinite(s.watts)) return undefined;
  return { t: s.t, channel: s.channel, watts: s.watts };
}
