/**
 * Parser for LoadGen's `mlperf_log_detail.txt`: one `:::MLLOG {json}` line per event.
 *
 * Two traps make plain `JSON.parse` wrong here. RNG seeds are uint64 and exceed 2^53, so
 * they would be silently rounded (Node 20's reviver gets no source text). And LoadGen prints
 * doubles with `%g`, so a NaN or infinite result comes out as bare `nan` / `inf`, which is not
 * JSON. Both are rewritten, outside string literals, into tagged strings before parsing and
 * turned back into `bigint` / `NaN` / `±Infinity` by the reviver. Pure: text in, record out.
 */
import { defined, group } from '../defined.js';
import { errors, quote, type Where } from '../errors.js';
import { REQUIRED_EFFECTIVE_SETTINGS } from './settings-table.js';
import { isoTimeParts, utcEpochMs } from '../traces/parse-helpers.js';
import {
  MLPERF_MODES,
  MLPERF_SCENARIOS,
  type LoadgenVersion,
  type MlperfDetail,
  type MlperfDetailResults,
  type MlperfEffectiveSettings,
  type MllogEvent,
  type MllogMetadata,
  type MllogValue,
} from './types.js';

const PREFIX = ':::MLLOG ';
// Private-use code point: cannot come from LoadGen's own output, so a tagged string is ours.
const TAG_BIGINT = '\uE000bigint:';
const TAG_DOUBLE = '\uE000double:';
const NEEDS_REWRITE = /\d{16}|\b(?:nan|inf)\b/;

/** Parse the text of an `mlperf_log_detail.txt`. `file` only names the source in errors. */
export function parseDetail(text: string, file?: string): MlperfDetail {
  const name = file ?? '<detail>';
  if (text.trim() === '') throw errors.emptyInput(name);
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  // LoadGen ends every line with a newline: a bad last line without one was cut, not garbled.
  const endsWithNewline = text.endsWith('\n');

  const events: MllogEvent[] = [];
  for (const [i, raw] of lines.entries()) {
    if (raw.trim() === '') continue;
    const where = { file: name, line: i + 1 };
    const cut = i === lines.length - 1 && !endsWithNewline;
    try {
      events.push(parseLine(raw, where));
    } catch (e) {
      if (cut) throw errors.truncated(where, `detail log ends mid-line: ${quote(raw.slice(-40))}`);
      throw e;
    }
  }
  if (events.length === 0) throw errors.emptyInput(name, 'no :::MLLOG lines');
  return interpret(events, name, file, lines.length);
}

/** Decode one `:::MLLOG` line into an event, checking the envelope LoadGen always writes. */
export function parseLine(raw: string, where: Where & { readonly line: number }): MllogEvent {
  if (!raw.startsWith(PREFIX)) throw errors.parse(where, `not an :::MLLOG line: ${quote(raw)}`);
  const decoded = decodeMllogJson(raw.slice(PREFIX.length), where);
  if (!isRecord(decoded)) throw errors.parse(where, 'the :::MLLOG payload is not a JSON object');
  const field = (f: string): Where => ({ ...where, field: f });
  const str = (o: Readonly<Record<string, MllogValue>>, k: string): string => {
    const v = o[k];
    if (typeof v !== 'string') throw errors.parse(field(k), 'missing or not a string');
    return v;
  };
  const numOf = (o: Readonly<Record<string, MllogValue>>, k: string): number => {
    const v = o[k];
    if (typeof v !== 'number') throw errors.parse(field(k), 'missing or not a number');
    return v;
  };
  const bool = (o: Readonly<Record<string, MllogValue>>, k: string): boolean => {
    const v = o[k];
    if (typeof v !== 'boolean') throw errors.parse(field(k), 'missing or not a boolean');
    return v;
  };
  const value = decoded.value;
  if (value === undefined) throw errors.parse(field('value'), 'missing');
  const meta = decoded.metadata;
  if (!isRecord(meta)) throw errors.parse(field('metadata'), 'missing or not an object');
  const metadata: MllogMetadata = {
    isError: bool(meta, 'is_error'),
    isWarning: bool(meta, 'is_warning'),
    file: str(meta, 'file'),
    lineNo: numOf(meta, 'line_no'),
    pid: numOf(meta, 'pid'),
    tid: numOf(meta, 'tid'),
  };
  return {
    key: str(decoded, 'key'),
    value,
    timeMs: numOf(decoded, 'time_ms'),
    namespace: str(decoded, 'namespace'),
    eventType: str(decoded, 'event_type'),
    metadata,
    line: where.line,
  };
}

/**
 * `JSON.parse` that keeps integers beyond 2^53 exact (as `bigint`) and reads LoadGen's
 * `nan` / `inf` doubles. Throws a PARSE error naming `where` on anything else that is not JSON.
 */
export function decodeMllogJson(json: string, where: Where): MllogValue {
  const source = NEEDS_REWRITE.test(json) ? tagSpecialLiterals(json) : json;
  try {
    return JSON.parse(source, revive) as MllogValue;
  } catch (e) {
    throw errors.parse(where, `invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function revive(_key: string, value: unknown): unknown {
  if (typeof value !== 'string' || value.charCodeAt(0) !== 0xe000) return value;
  if (value.startsWith(TAG_BIGINT)) return BigInt(value.slice(TAG_BIGINT.length));
  if (value.startsWith(TAG_DOUBLE)) {
    const lit = value.slice(TAG_DOUBLE.length);
    if (lit.endsWith('nan')) return NaN;
    return lit.startsWith('-') ? -Infinity : Infinity;
  }
  return value;
}

function isTokenChar(c: number): boolean {
  // digits, letters, '.', '+', '-': everything a JSON number or bare word is made of
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 46 || c === 43 || c === 45;
}

/** Replace, outside string literals, unsafe integers and nan/inf words by tagged strings. */
function tagSpecialLiterals(json: string): string {
  let out = '';
  let copied = 0;
  let i = 0;
  const n = json.length;
  while (i < n) {
    const c = json.charCodeAt(i);
    if (c === 34) {
      // skip a string literal, honouring backslash escapes
      i++;
      while (i < n) {
        const d = json.charCodeAt(i);
        if (d === 92) i += 2;
        else {
          i++;
          if (d === 34) break;
        }
      }
      continue;
    }
    if (!isTokenChar(c)) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < n && isTokenChar(json.charCodeAt(j))) j++;
    const token = json.slice(i, j);
    let tagged: string | undefined;
    if (/^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))) tagged = TAG_BIGINT + token;
    else if (/^-?(?:nan|inf)$/.test(token)) tagged = TAG_DOUBLE + token;
    if (tagged !== undefined) {
      out += json.slice(copied, i) + JSON.stringify(tagged);
      copied = j;
    }
    i = j;
  }
  return copied === 0 ? json : out + json.slice(copied);
}

/** A value as text for messages; bigint-safe, unlike JSON.stringify. */
function describe(v: MllogValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

function isRecord(v: MllogValue | undefined): v is Readonly<Record<string, MllogValue>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------

const LOADGEN_VERSION = /^(\S+) @ (\S+)$/;
const POWER_TIME = /^(\d{2})-(\d{2})-(\d{4}) (\d{2}):(\d{2}):(\d{2})\.(\d{3})$/;
const PERCENTILE_RESULT = /^(\d+(?:\.\d+)?)_percentile_latency_ns$/;

/**
 * `power_begin` / `power_end` text (`"05-30-2025 19:34:17.471"`, UTC, ms truncated) → epoch ms.
 * Returns undefined when the text does not have that exact shape or names an impossible instant.
 */
export function parsePowerTimestamp(text: string): number | undefined {
  const m = POWER_TIME.exec(text);
  if (!m) return undefined;
  const [month, day, year, hour, minute, second, ms] = m.slice(1).map(Number) as [number, number, number, number, number, number, number];
  const whole = utcEpochMs({ year, month, day, hour, minute, second });
  return whole === undefined ? undefined : whole + ms;
}

/** `test_datetime` (`"2025-05-30T12:48:45Z"`, really local time) → its wall-clock fields as if UTC. */
export function parseTestDatetimeWallClock(text: string): number | undefined {
  // LoadGen's `%FT%TZ` exactly: `T`, whole seconds, `Z` (which here names no zone).
  const parts = isoTimeParts(text);
  if (parts === undefined || parts.separator !== 'T' || parts.fraction !== undefined || parts.zone !== 'Z') return undefined;
  return utcEpochMs(parts.civil);
}

/** `"4.1 @ 379ee5345a"` → { version: '4.1', commit: '379ee5345a' }. */
export function parseLoadgenVersion(text: string): LoadgenVersion | undefined {
  const m = LOADGEN_VERSION.exec(text);
  return m ? { version: group(m, 1), commit: group(m, 2), raw: text } : undefined;
}

function interpret(events: readonly MllogEvent[], name: string, file: string | undefined, lastLine: number): MlperfDetail {
  // Last occurrence wins: settings and results are logged once per run.
  const byKey = new Map<string, MllogEvent>();
  const requested: Record<string, MllogValue> = {};
  const effectiveRaw: Record<string, MllogValue> = {};
  const resultRaw: Record<string, MllogValue> = {};
  for (const ev of events) {
    byKey.set(ev.key, ev);
    if (ev.key.startsWith('requested_')) requested[ev.key.slice('requested_'.length)] = ev.value;
    else if (ev.key.startsWith('effective_')) effectiveRaw[ev.key.slice('effective_'.length)] = ev.value;
    else if (ev.key.startsWith('result_')) resultRaw[ev.key.slice('result_'.length)] = ev.value;
  }
  const where = (ev: MllogEvent): Where => ({ file: name, line: ev.line, field: ev.key });
  const text = (key: string): { ev: MllogEvent; value: string } | undefined => {
    const ev = byKey.get(key);
    if (ev === undefined) return undefined;
    if (typeof ev.value !== 'string') throw errors.parse(where(ev), `expected a string, found ${quote(describe(ev.value))}`);
    return { ev, value: ev.value };
  };

  const version = text('loadgen_version');
  const loadgenVersion = version && (parseLoadgenVersion(version.value) ?? badFormat(version, 'expected "<version> @ <commit>"'));
  const instant = (key: 'power_begin' | 'power_end'): number | undefined => {
    const t = text(key);
    return t && (parsePowerTimestamp(t.value) ?? badFormat(t, 'expected "MM-DD-YYYY HH:MM:SS.mmm" (UTC)'));
  };
  const powerBeginMs = instant('power_begin');
  const powerEndMs = instant('power_end');
  const testDatetime = text('test_datetime');
  let hostUtcOffsetMin: number | undefined;
  if (testDatetime !== undefined && powerBeginMs !== undefined) {
    const wall = parseTestDatetimeWallClock(testDatetime.value) ?? badFormat(testDatetime, 'expected "YYYY-MM-DDTHH:MM:SSZ"');
    // test_datetime precedes power_begin by well under a minute; zones are whole quarter hours.
    hostUtcOffsetMin = Math.round((wall - powerBeginMs) / 900_000) * 15;
  }

  const qsl = byKey.get('loaded_qsl_set');
  let loadedQslSet: number[] | undefined;
  if (qsl !== undefined) {
    const v = qsl.value;
    if (!Array.isArray(v) || !v.every((x): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) {
      throw errors.parse(where(qsl), 'expected an array of sample indices');
    }
    loadedQslSet = v;
  }

  return {
    file,
    events,
    loadgenVersion,
    testDatetime: testDatetime?.value,
    powerBeginMs,
    powerEndMs,
    hostUtcOffsetMin,
    requested,
    effective: byKey.has('effective_scenario') ? readEffective(byKey, effectiveRaw, name, missingKey(isEffectiveKey)) : undefined,
    results: byKey.has('result_validity') ? readResults(byKey, resultRaw, name, missingKey(isResultKey)) : undefined,
    errors: events.filter((e) => e.metadata.isError),
    warnings: events.filter((e) => e.metadata.isWarning),
    loadedQslSet,
  };

  /**
   * A block's key is missing: when the log's last event belongs to that block the file was cut
   * there (TRUNCATED); otherwise the block itself is incomplete (PARSE).
   */
  function missingKey(inBlock: (key: string) => boolean): (key: string) => never {
    // interpret() is only called with events (parseDetail refuses a log without any).
    const tail = defined(events.at(-1), 'the last event of the detail log');
    return (key) => {
      if (inBlock(tail.key)) throw errors.truncated({ file: name, line: lastLine, field: key }, `detail log ends before '${key}'`);
      throw errors.parse({ file: name, field: key }, 'key missing from the detail log');
    };
  }

  function badFormat(t: { ev: MllogEvent; value: string }, expected: string): never {
    throw errors.parse(where(t.ev), `${expected}, found ${quote(t.value)}`);
  }
}

/** Typed readers over events, each naming the event's line and key when the value is wrong. */
function valueReaders(byKey: ReadonlyMap<string, MllogEvent>, name: string, onMissing: (key: string) => never) {
  const get = (key: string): MllogEvent => byKey.get(key) ?? onMissing(key);
  const where = (ev: MllogEvent): Where => ({ file: name, line: ev.line, field: ev.key });
  const num = (ev: MllogEvent): number => {
    if (typeof ev.value !== 'number') throw errors.notANumber(where(ev), describe(ev.value));
    return ev.value;
  };
  // Every integer LoadGen logs is unsigned (latencies, counts, durations, seeds: uint64 in its
  // TestSettings and results): a negative one is corruption, and would pass for a latency.
  const int = (ev: MllogEvent): number => {
    const v = num(ev);
    if (!Number.isSafeInteger(v)) throw errors.invalidValue(where(ev), `expected an integer, found ${v}`);
    if (v < 0) throw errors.invalidValue(where(ev), `expected a non-negative integer (LoadGen logs it unsigned), found ${v}`);
    return v;
  };
  // Rates and fractions (QPS, a percentile): never negative; LoadGen's `nan` and `inf` stay as they are.
  const rate = (ev: MllogEvent): number => {
    const v = num(ev);
    if (v < 0) throw errors.invalidValue(where(ev), `expected a non-negative number, found ${v}`);
    return v;
  };
  const seed = (ev: MllogEvent): bigint => {
    if (typeof ev.value === 'bigint') return ev.value;
    return BigInt(int(ev));
  };
  const bool = (ev: MllogEvent): boolean => {
    if (typeof ev.value !== 'boolean') throw errors.parse(where(ev), `expected true or false, found ${quote(describe(ev.value))}`);
    return ev.value;
  };
  const str = (ev: MllogEvent): string => {
    if (typeof ev.value !== 'string') throw errors.parse(where(ev), `expected a string, found ${quote(describe(ev.value))}`);
    return ev.value;
  };
  const opt = <T>(key: string, read: (ev: MllogEvent) => T): T | undefined => {
    const ev = byKey.get(key);
    return ev === undefined ? undefined : read(ev);
  };
  return { get, where, num, int, rate, seed, bool, str, opt };
}

const isEffectiveKey = (key: string): boolean => key.startsWith('effective_');
const isResultKey = (key: string): boolean => key.startsWith('result_') || key.startsWith('early_stopping_');

function readEffective(byKey: ReadonlyMap<string, MllogEvent>, raw: Record<string, MllogValue>, name: string, missing: (key: string) => never): MlperfEffectiveSettings {
  const r = valueReaders(byKey, name, missing);
  const enumOf = <T extends string>(key: string, allowed: readonly T[]): T => {
    const ev = r.get(key);
    const v = r.str(ev);
    const found = allowed.find((a) => a === v);
    if (found === undefined) throw errors.parse(r.where(ev), `unknown value ${quote(v)} (expected one of ${allowed.join(', ')})`);
    return found;
  };
  const typed: Record<string, string | number | bigint> = {};
  for (const spec of REQUIRED_EFFECTIVE_SETTINGS) {
    const key = `effective_${spec.key}`;
    switch (spec.kind) {
      case 'scenario':
        typed[spec.field] = enumOf(key, MLPERF_SCENARIOS);
        break;
      case 'mode':
        // The parsed record has always called it `testMode` (the log's name).
        typed.testMode = enumOf(key, MLPERF_MODES);
        break;
      case 'int':
        typed[spec.field] = r.int(r.get(key));
        break;
      // Rates and fractions: a double LoadGen logs may be `nan` or `inf`, kept as such.
      case 'double':
        typed[spec.field] = r.rate(r.get(key));
        break;
      case 'seed':
        typed[spec.field] = r.seed(r.get(key));
        break;
    }
  }
  // Every required setting was read above, by the table that defines the type.
  return { ...(typed as Omit<MlperfEffectiveSettings, 'raw'>), raw };
}

function readResults(byKey: ReadonlyMap<string, MllogEvent>, raw: Record<string, MllogValue>, name: string, missing: (key: string) => never): MlperfDetailResults {
  const r = valueReaders(byKey, name, missing);
  const validity = r.get('result_validity');
  const v = r.str(validity);
  if (v !== 'VALID' && v !== 'INVALID') throw errors.parse(r.where(validity), `expected VALID or INVALID, found ${quote(v)}`);
  const percentilesNs: Record<string, number> = {};
  for (const [key, ev] of byKey) {
    const m = key.startsWith('result_') ? PERCENTILE_RESULT.exec(key.slice('result_'.length)) : null;
    if (m) percentilesNs[group(m, 1)] = r.int(ev);
  }
  return {
    valid: v === 'VALID',
    minDurationMet: r.opt('result_min_duration_met', r.bool),
    minQueriesMet: r.opt('result_min_queries_met', r.bool),
    perfConstraintsMet: r.opt('result_perf_constraints_met', r.bool),
    earlyStoppingMet: r.opt('early_stopping_met', r.bool),
    earlyStoppingResult: r.opt('early_stopping_result', r.str),
    invalidReason: r.opt('result_invalid_reason', r.str),
    queryCount: r.opt('result_query_count', r.int),
    qpsWithLoadgenOverhead: r.opt('result_qps_with_loadgen_overhead', r.rate),
    qpsWithoutLoadgenOverhead: r.opt('result_qps_without_loadgen_overhead', r.rate),
    minLatencyNs: r.int(r.get('result_min_latency_ns')),
    maxLatencyNs: r.int(r.get('result_max_latency_ns')),
    meanLatencyNs: r.int(r.get('result_mean_latency_ns')),
    percentilesNs,
    earlyStoppingLatencySsNs: r.opt('early_stopping_latency_ss', r.int),
    earlyStoppingLatencyMsNs: r.opt('early_stopping_latency_ms', r.int),
    raw,
  };
}
