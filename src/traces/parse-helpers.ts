import type { PowerUnit } from '../units/index.js';
import { errors, quote } from '../errors.js';

/**
 * Small text helpers shared by the log decoders (nvidia-smi, tegrastats, generic CSV,
 * CodeCarbon). Pure: they take strings and return values, so they run in a browser too.
 */

/** A non-blank source line, its 1-based number, and whether any non-blank line follows. */
export interface NumberedLine {
  readonly text: string;
  readonly line: number;
  /** True for the last non-blank line: where a cut-off write shows up as a truncated record. */
  readonly last: boolean;
}

/**
 * Number the lines (1-based, blank lines counted but not yielded) and hold one line back,
 * so a decoder knows which record is the last one. A record that is incomplete there is
 * reported as TRUNCATED (the logger was killed mid-write); the same defect anywhere else
 * is a PARSE error. Strips a UTF-8 byte-order mark from the first line.
 */
export function* numberedLines(lines: Iterable<string>): Generator<NumberedLine> {
  let pending: { text: string; line: number } | undefined;
  let n = 0;
  for (const raw of lines) {
    n++;
    const text = n === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    if (text.trim() === '') continue;
    if (pending) yield { text: pending.text, line: pending.line, last: false };
    pending = { text, line: n };
  }
  if (pending) yield { text: pending.text, line: pending.line, last: true };
}

export interface SplitRow {
  /** Cells with surrounding whitespace removed (quoted cells keep their inner text). */
  readonly cells: string[];
  /** A quoted cell was still open at the end of the line (multi-line cells are not supported). */
  readonly openQuote: boolean;
  /** Text after a closing quote and before the next delimiter, e.g. `"a"b`. */
  readonly strayAfterQuote: boolean;
}

/**
 * Split one delimited line. Unquoted cells are trimmed (nvidia-smi writes `, ` between
 * cells); RFC 4180 quoting with `""` escapes is honoured for tools that quote (pandas).
 */
export function splitDelimited(text: string, delimiter: string): SplitRow {
  if (!text.includes('"')) return { cells: text.split(delimiter).map((c) => c.trim()), openQuote: false, strayAfterQuote: false };
  const cells: string[] = [];
  let strayAfterQuote = false;
  let i = 0;
  for (;;) {
    let j = i;
    while (j < text.length && (text[j] === ' ' || (text[j] === '\t' && delimiter !== '\t'))) j++;
    if (text[j] !== '"') {
      const end = text.indexOf(delimiter, i);
      if (end < 0) {
        cells.push(text.slice(i).trim());
        return { cells, openQuote: false, strayAfterQuote };
      }
      cells.push(text.slice(i, end).trim());
      i = end + delimiter.length;
      continue;
    }
    let value = '';
    let k = j + 1;
    let closed = false;
    while (k < text.length) {
      const c = text[k]!;
      if (c === '"') {
        if (text[k + 1] === '"') {
          value += '"';
          k += 2;
          continue;
        }
        closed = true;
        k++;
        break;
      }
      value += c;
      k++;
    }
    cells.push(value);
    if (!closed) return { cells, openQuote: true, strayAfterQuote };
    const end = text.indexOf(delimiter, k);
    if (text.slice(k, end < 0 ? undefined : end).trim() !== '') strayAfterQuote = true;
    if (end < 0) return { cells, openQuote: false, strayAfterQuote };
    i = end + delimiter.length;
  }
}

/** A wall-clock time with whole seconds, as loggers print it without a zone. */
export interface CivilTime {
  readonly year: number;
  readonly month: number; // 1-12
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** Converts a wall-clock time in one zone to Unix epoch ms; undefined for impossible dates (Feb 30). */
export type CivilToEpochMs = (t: CivilTime) => number | undefined;

/**
 * Build a converter from wall-clock time in `timeZone` (IANA name, default UTC) to epoch ms.
 * nvidia-smi, tegrastats and CodeCarbon print local time without a zone, so the caller
 * must say which zone the logging host used. Uses the built-in Intl tables (no Node API).
 * Around a DST change a repeated wall time maps to one of its two instants and a skipped
 * one is shifted by the gap; logs that cross a change should be read with the zone the
 * host really used, or UTC.
 */
export function civilTimeConverter(timeZone = 'UTC'): CivilToEpochMs {
  const utc = timeZone.toUpperCase() === 'UTC' || timeZone === 'Etc/UTC';
  let fmt: Intl.DateTimeFormat | undefined;
  if (!utc) {
    try {
      fmt = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw errors.usage(`unknown time zone ${quote(timeZone)} (give an IANA name such as Europe/Paris, or UTC)`, '--time-zone');
    }
  }
  // Offsets only change at DST/zone transitions, so one cached offset per wall-clock
  // minute keeps Intl (slow) out of the per-line path of long logs.
  let cachedMinute = NaN;
  let cachedOffsetMs = 0;
  const offsetAt = (epochMs: number): number => {
    const parts = fmt!.formatToParts(new Date(epochMs));
    const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
    const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    return wall - Math.floor(epochMs / 1000) * 1000;
  };
  return (t) => {
    const wall = Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
    const check = new Date(wall);
    if (
      !Number.isFinite(wall) ||
      check.getUTCFullYear() !== t.year ||
      check.getUTCMonth() !== t.month - 1 ||
      check.getUTCDate() !== t.day ||
      check.getUTCHours() !== t.hour ||
      check.getUTCMinutes() !== t.minute ||
      check.getUTCSeconds() !== t.second
    ) {
      return undefined;
    }
    if (utc) return wall;
    const minute = Math.floor(wall / 60000);
    if (minute !== cachedMinute) {
      const first = offsetAt(wall);
      const second = offsetAt(wall - first);
      cachedOffsetMs = second;
      cachedMinute = minute;
    }
    return wall - cachedOffsetMs;
  };
}

/** UTC wall-clock fields → epoch ms; undefined for an impossible date (Feb 30, hour 24) instead of rolling over. */
export const utcEpochMs: CivilToEpochMs = civilTimeConverter('UTC');

/** An ISO 8601 date-time as loggers write it, split but not interpreted. */
export interface IsoTimeParts {
  readonly civil: CivilTime;
  /** `T`, or the space some writers (CodeCarbon) put instead. */
  readonly separator: 'T' | ' ';
  /** Fraction of a second as written (`.471`); undefined when there is none. */
  readonly fraction: string | undefined;
  /** `Z`, `+02:00` or `+0200`; undefined when the writer gave no zone (local time). */
  readonly zone: string | undefined;
}

const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})([T ])(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;
const ISO_ZONE = /^([+-])(\d{2}):?(\d{2})$/;

/** `YYYY-MM-DD[T ]HH:MM:SS[.frac][Z|±HH[:]MM]` → its parts; undefined when the text has another shape. */
export function isoTimeParts(text: string): IsoTimeParts | undefined {
  const m = ISO_TIME.exec(text);
  if (!m) return undefined;
  return {
    civil: { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]), hour: Number(m[5]), minute: Number(m[6]), second: Number(m[7]) },
    separator: m[4] === 'T' ? 'T' : ' ',
    fraction: m[8],
    zone: m[9],
  };
}

/**
 * The instant of an ISO date-time, epoch ms (fraction included): an explicit zone wins, since
 * the writer said which one it used; without one the wall time is read with `local` (the zone
 * the caller says the writer's host used). Undefined for an impossible date.
 */
export function isoEpochMs(parts: IsoTimeParts, local: CivilToEpochMs): number | undefined {
  const fracMs = parts.fraction === undefined ? 0 : Number(`0${parts.fraction}`) * 1000;
  if (parts.zone === undefined) {
    const ms = local(parts.civil);
    return ms === undefined ? undefined : ms + fracMs;
  }
  const utc = utcEpochMs(parts.civil);
  if (utc === undefined) return undefined;
  if (parts.zone === 'Z') return utc + fracMs;
  const z = ISO_ZONE.exec(parts.zone);
  if (!z) return undefined;
  const offsetMs = (Number(z[2]) * 60 + Number(z[3])) * 60000 * (z[1] === '-' ? -1 : 1);
  return utc + fracMs - offsetMs;
}

/**
 * A power reading in `unit` → W. Divides for mW rather than multiplying by 1e-3, so the
 * result is the correctly rounded quotient: 69850 mW gives exactly 69.85 W, not 69.85000000000001.
 */
export function toWatts(value: number, unit: PowerUnit): number {
  switch (unit) {
    case 'W':
      return value;
    case 'mW':
      return value / 1000;
    case 'kW':
      return value * 1000;
  }
}
