import { errors, quote, type Where } from '../errors.js';
import { milliwatts, mwToW } from '../units/index.js';
import { civilTimeConverter, numberedLines, type NumberedLine } from './parse-helpers.js';
import { parsePower } from './parse-number.js';
import type { PowerChannel, PowerSample, PowerTrace } from './types.js';

/**
 * Decoder for `tegrastats` logs (NVIDIA Jetson: TX1, TX2, Nano, AGX Xavier, Xavier NX,
 * AGX Orin, Orin NX/Nano, ...). One line per sample:
 *
 *   [MM-DD-YYYY HH:MM:SS ]RAM 2448/62840MB ... VDD_GPU_SOC 4940mW/4940mW VDD_CPU_CV 988mW/988mW ...
 *
 * Rails are `NAME cur/avg` (old boards, mW implied), `NAME curmW/avgmW`, or
 * `NAME curmW/avgmW/maxmW` (JetPack 7). Every rail becomes its own channel, named as
 * tegrastats prints it, in W; the first value (the instantaneous reading) is used, the
 * running average and the rest are tegrastats' own summaries. Rails named `NC` (not
 * connected; printed by some Orin builds, always 0) are left out.
 *
 * Time, by what the log holds:
 * - no timestamps in the log: `intervalS` (tegrastats `--interval`, ms → s) is required and
 *   sample n is at n × intervalS;
 * - timestamps (1 s resolution) and `intervalS`: the k-th sample within a printed second is
 *   at that second + k × intervalS. If a second holds more samples than the interval
 *   allows, the declared interval is wrong and the decoder says so (INVALID_VALUE);
 * - timestamps only: the n samples printed within one second are spread evenly over it
 *   (second + k/n), so every sample is within 1 s of its true time and the run's length
 *   follows the wall clock rather than a nominal interval that tegrastats does not keep
 *   (the study measured 36–73 ms for a nominal 50 ms).
 * With timestamps, t = 0 is the first printed second, returned as `originEpochMs`;
 * timestamps are the board's local time, read in `timeZone` (default UTC).
 *
 * `createTegrastatsLineDecoder` is the same decoder fed line by line (a live `tegrastats`
 * process); its `record` reads and checks a line without timing it, for callers that use
 * their own clock (the live sensor stamps arrival time).
 */

export interface TegrastatsOptions {
  readonly file?: string;
  /** tegrastats `--interval` in seconds (tegrastats takes ms: 50 ms → 0.05). */
  readonly intervalS?: number;
  /** IANA zone of the board's clock, for the `MM-DD-YYYY HH:MM:SS` prefix; default UTC. */
  readonly timeZone?: string;
}

export interface TegrastatsSummary {
  /** Rail channels in the order tegrastats prints them. */
  readonly rails: readonly string[];
  readonly timing: 'interval' | 'timestamps+interval' | 'timestamps-even';
  readonly originEpochMs?: number;
}

export const TEGRASTATS_FORMAT = 'tegrastats';

/** One rail reading of a line, in W. */
export interface TegrastatsRail {
  readonly name: string;
  readonly powerW: number;
}

/** One tegrastats line, read and checked against the rails of the first line. */
export interface TegrastatsRecord {
  /** Epoch ms of the printed second, when the line has a timestamp. */
  readonly secondMs?: number;
  /** Rails in W, in the order tegrastats prints them (`NC` rails left out). */
  readonly rails: readonly TegrastatsRail[];
}

const STAMP = /^(\d{2})-(\d{2})-(\d{4}) (\d{2}):(\d{2}):(\d{2})\s+/;
const RAM = /^RAM\s+\d+\/\d+[kMG]?B\b/;
/** `NAME value` where NAME is a word and value a whole token with a slash and no `@` (thermals have one). */
const RAIL_PAIRS = /(?:^|\s)([A-Za-z][A-Za-z0-9_]*)\s+([^\s@]*\/[^\s@]*)(?=\s|$)/g;
const MEMORY_VALUE = /^\d+\/\d+[kMG]B/;
// Memory readings share the `a/b` shape; named here too so a line cut inside one (`SWAP 0/31`) is not read as a rail.
const MEMORY_KEYS = new Set(['RAM', 'SWAP', 'IRAM']);
const VALUE_PART = /^([^A-Za-z]*)([A-Za-z]*)$/;

function parseLine(row: NumberedLine, file: string | undefined, toEpochMs: ReturnType<typeof civilTimeConverter>): TegrastatsRecord {
  const { line, last } = row;
  let text = row.text.trim();
  let secondMs: number | undefined;
  const sm = STAMP.exec(text);
  if (sm) {
    secondMs = toEpochMs({
      month: Number(sm[1]),
      day: Number(sm[2]),
      year: Number(sm[3]),
      hour: Number(sm[4]),
      minute: Number(sm[5]),
      second: Number(sm[6]),
    });
    if (secondMs === undefined) throw errors.parse({ file, line, field: 'timestamp' }, `impossible date ${quote(sm[0].trim())}`);
    text = text.slice(sm[0].length);
  }
  if (!RAM.test(text)) {
    // A last line holding only the start of a record (`07-25-2026 09:0`, `RAM 24`) was cut mid-write.
    if (last && (text.startsWith('RAM') || 'RAM'.startsWith(text) || /^[\d: -]+$/.test(text))) {
      throw errors.truncated({ file, line }, `last line holds only the start of a tegrastats record: ${quote(row.text.trim())}`);
    }
    throw errors.parse(
      { file, line },
      `not a tegrastats line: expected [MM-DD-YYYY HH:MM:SS ]RAM used/totalMB ..., found ${quote(row.text.trim())}`,
    );
  }
  const rails: TegrastatsRail[] = [];
  let endsWithRail = false;
  // One regex pass finds the `NAME a/b` pairs; splitting every line into tokens was 3× slower.
  // Global regex shared across calls: safe because parseLine runs to completion before the next call.
  const pairs = RAIL_PAIRS;
  pairs.lastIndex = 0;
  for (let m = pairs.exec(text); m !== null; m = pairs.exec(text)) {
    const name = m[1]!;
    const value = m[2]!;
    if (MEMORY_KEYS.has(name) || MEMORY_VALUE.test(value)) continue;
    const isFinal = pairs.lastIndex === text.length;
    const powerW = parseRailValue(value, { file, line, field: name }, last && isFinal);
    endsWithRail = isFinal;
    if (name === 'NC') continue;
    if (rails.some((r) => r.name === name)) throw errors.parse({ file, line, field: name }, `rail ${name} appears twice in one line`);
    rails.push({ name, powerW });
  }
  if (last && rails.length > 0 && !endsWithRail) {
    const finalToken = text.slice(text.search(/\S+$/));
    throw errors.truncated({ file, line, field: finalToken }, 'last line ends inside a rail reading (file cut mid-line?)');
  }
  return secondMs === undefined ? { rails } : { secondMs, rails };
}

/**
 * `1234/1300` (mW implied), `1234mW/1300mW` or `1234mW/1300mW/1400mW` → the first reading
 * in W. `cutHere` marks the final token of the file, where an incomplete value means the
 * writer was cut off (TRUNCATED) rather than a malformed reading (PARSE).
 */
function railError(where: Where, detail: string, cutHere: boolean) {
  return cutHere ? errors.truncated(where, `${detail} (file cut mid-line?)`) : errors.parse(where, detail);
}

function parseRailValue(value: string, where: Where, cutHere: boolean): number {
  const parts = value.split('/');
  if (parts.length > 3) throw errors.parse(where, `rail reading ${quote(value)} has ${parts.length} values (expected cur/avg or cur/avg/max)`);
  let unit: string | undefined;
  let first: number | undefined;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const m = VALUE_PART.exec(part);
    if (!m || m[1] === '') {
      if (part === '') throw railError(where, `incomplete rail reading ${quote(value)}`, cutHere);
      throw errors.notANumber(where, part);
    }
    const partUnit = m[2]!;
    if (partUnit !== '' && partUnit !== 'mW') {
      if (cutHere && i === parts.length - 1 && 'mW'.startsWith(partUnit)) throw railError(where, `incomplete rail reading ${quote(value)}`, cutHere);
      throw errors.unknownUnit(where, partUnit, ['mW']);
    }
    if (unit === undefined) unit = partUnit;
    else if (unit !== partUnit) throw railError(where, `rail reading ${quote(value)} mixes values with and without the mW unit`, cutHere);
    const v = parsePower(m[1]!, where);
    first ??= v;
  }
  // Every tegrastats build writes rails in mW, with or without the suffix.
  return mwToW(milliwatts(first!));
}

/** Fast path: tegrastats prints the same rails in the same order on every line. */
function sameRails(rails: readonly TegrastatsRail[], expected: readonly string[]): boolean {
  if (rails.length !== expected.length) return false;
  for (let i = 0; i < rails.length; i++) if (rails[i]!.name !== expected[i]) return false;
  return true;
}

/** Rails missing from the last line mean it was cut off; any other difference is a malformed line. */
function checkRailSet(rails: readonly TegrastatsRail[], expected: { rails: readonly string[]; line: number }, where: Where, last: boolean): void {
  const names = rails.map((r) => r.name);
  const missing = expected.rails.filter((r) => !names.includes(r));
  const extra = names.filter((r) => !expected.rails.includes(r));
  if (missing.length === 0 && extra.length === 0) return; // same rails, other order
  const parts = [...(missing.length > 0 ? [`missing ${missing.join(', ')}`] : []), ...(extra.length > 0 ? [`unexpected ${extra.join(', ')}`] : [])];
  const detail = `rails differ from line ${expected.line}: ${parts.join('; ')}`;
  if (last && extra.length === 0) throw errors.truncated({ ...where, field: missing[0] }, `${detail} (file cut mid-line?)`);
  throw errors.parse({ ...where, field: missing[0] ?? extra[0] }, detail);
}

/**
 * A push-style decoder: feed it one line at a time (a log file, or the stdout of a running
 * `tegrastats --interval N`). `decodeTegrastats` is this decoder driven by a line iterator.
 */
export interface TegrastatsLineDecoder {
  /**
   * Read one line and check it (same rails as the first line, timestamps present on all
   * lines or none, never going back) without timing it: for callers that time samples
   * themselves, such as a live sensor stamping arrival time. Undefined for a blank line.
   * `last` marks the final line of a finished input (a cut-off record is TRUNCATED there).
   */
  record(text: string, lineNo: number, last?: boolean): TegrastatsRecord | undefined;
  /**
   * Read one line and time it by the rules in the module comment. With timestamps and no
   * interval, samples are held until their printed second ends, so a line may return
   * the samples of earlier lines; `flush` returns the ones still held at the end.
   */
  line(text: string, lineNo: number, last?: boolean): PowerSample[];
  flush(): PowerSample[];
  /** Rail names of the first line, once one has been read. */
  readonly rails: readonly string[] | undefined;
  /** What the decoder learnt; throws EMPTY_INPUT when no line was read. */
  summary(): TegrastatsSummary;
}

export function createTegrastatsLineDecoder(opts: TegrastatsOptions = {}): TegrastatsLineDecoder {
  const file = opts.file;
  const toEpochMs = civilTimeConverter(opts.timeZone);
  const intervalS = opts.intervalS;
  if (intervalS !== undefined && !(Number.isFinite(intervalS) && intervalS > 0)) {
    throw errors.usage(`sampling interval must be a positive number of seconds, got ${intervalS}`, '--interval');
  }
  let expected: { rails: readonly string[]; line: number; stamped: boolean } | undefined;
  let lastSecondMs: number | undefined;
  let origin: number | undefined;
  let index = 0;
  // timestamps-even: the samples of the current printed second, held until it ends.
  let pending: { secondMs: number; samples: { rails: readonly TegrastatsRail[]; line: number }[] } | undefined;
  // timestamps+interval: the second being filled and how many samples it has had.
  let current: { secondMs: number; k: number } | undefined;
  // Set when `record` is called from outside before any line: the caller times samples, no interval needed.
  let timedByCaller = false;

  const flushPending = (out: PowerSample[]): void => {
    if (!pending) return;
    const n = pending.samples.length;
    const base = (pending.secondMs - origin!) / 1000;
    for (let k = 0; k < n; k++) {
      const s = pending.samples[k]!;
      for (const r of s.rails) out.push({ channel: r.name, tS: base + k / n, powerW: r.powerW, line: s.line });
    }
    pending = undefined;
  };

  const record = (text: string, line: number, last = false): TegrastatsRecord | undefined => {
    if (text.trim() === '') return undefined;
    const parsed = parseLine({ text, line, last }, file, toEpochMs);
    const stamped = parsed.secondMs !== undefined;
    if (!expected) {
      if (parsed.rails.length === 0) {
        throw errors.parse(
          { file, line },
          'no power rails in this tegrastats line (rails are printed when tegrastats runs as root on a board with INA3221 monitors)',
        );
      }
      if (!stamped && intervalS === undefined && !timedByCaller) {
        throw errors.usage(
          `${file ?? 'input'}:${line}: the tegrastats log has no timestamps; give the sampling interval (tegrastats --interval)`,
          '--interval',
        );
      }
      expected = { rails: parsed.rails.map((r) => r.name), line, stamped };
    } else {
      if (stamped !== expected.stamped) {
        throw errors.parse({ file, line, field: 'timestamp' }, `line ${stamped ? 'has' : 'lacks'} a timestamp unlike line ${expected.line}`);
      }
      if (!sameRails(parsed.rails, expected.rails)) checkRailSet(parsed.rails, expected, { file, line }, last);
    }
    if (stamped) {
      origin ??= parsed.secondMs;
      if (lastSecondMs !== undefined && parsed.secondMs < lastSecondMs) {
        throw errors.nonMonotonic({ file, line, field: 'timestamp' }, (lastSecondMs - origin) / 1000, (parsed.secondMs - origin) / 1000);
      }
      lastSecondMs = parsed.secondMs;
    }
    return parsed;
  };
  return {
    record(text, lineNo, last) {
      if (!expected) timedByCaller = true;
      return record(text, lineNo, last);
    },
    line(text, line, last = false) {
      const parsed = record(text, line, last);
      if (!parsed) return [];
      const out: PowerSample[] = [];
      let tS: number;
      if (parsed.secondMs === undefined) {
        tS = index * intervalS!;
        index++;
      } else {
        const secondMs = parsed.secondMs;
        if (intervalS === undefined) {
          if (pending && pending.secondMs !== secondMs) flushPending(out);
          pending ??= { secondMs, samples: [] };
          pending.samples.push({ rails: parsed.rails, line });
          return out;
        }
        if (current?.secondMs !== secondMs) current = { secondMs, k: 0 };
        const offsetS = current.k * intervalS;
        if (offsetS >= 1) {
          throw errors.invalidValue(
            { file, line, field: 'timestamp' },
            `${current.k + 1} samples within one printed second do not fit a ${intervalS} s interval; the declared interval is longer than the real one (leave it out to spread samples over each second)`,
          );
        }
        current.k++;
        tS = (secondMs - origin!) / 1000 + offsetS;
      }
      for (const r of parsed.rails) out.push({ channel: r.name, tS, powerW: r.powerW, line });
      return out;
    },
    flush() {
      const out: PowerSample[] = [];
      flushPending(out);
      return out;
    },
    get rails() {
      return expected?.rails;
    },
    summary() {
      if (!expected) throw errors.emptyInput(file ?? '(input)');
      const timing = !expected.stamped ? 'interval' : intervalS !== undefined ? 'timestamps+interval' : 'timestamps-even';
      return origin === undefined ? { rails: expected.rails, timing } : { rails: expected.rails, timing, originEpochMs: origin };
    },
  };
}

/** Pull form of the decoder: samples from an iterable of lines, the summary as the return value. */
export function* decodeTegrastats(lines: Iterable<string>, opts: TegrastatsOptions = {}): Generator<PowerSample, TegrastatsSummary> {
  const decoder = createTegrastatsLineDecoder(opts);
  for (const row of numberedLines(lines)) yield* decoder.line(row.text, row.line, row.last);
  yield* decoder.flush();
  return decoder.summary();
}

/** Channel names of a tegrastats trace (its rails). */
export function listRails(trace: PowerTrace): string[] {
  return trace.channels.map((c) => c.name);
}

/**
 * GPU rails by board, most specific first. Dedicated GPU rails: `VDD_GPU` (TX1, TX2
 * emulator), `GPU` (AGX Xavier), `POM_5V_GPU` (Nano), `VDD_SYS_GPU` (TX2). Shared rails,
 * used only when no dedicated one exists: `VDD_GPU_SOC` (AGX Orin: GPU + SoC),
 * `VDD_CPU_GPU_CV` (Xavier NX, Orin NX/Nano: CPU + GPU + CV).
 */
export const GPU_RAILS = ['VDD_GPU', 'GPU', 'POM_5V_GPU', 'VDD_SYS_GPU', 'VDD_GPU_SOC', 'VDD_CPU_GPU_CV', 'VDD_CPU_GPU'] as const;

/** The rail that carries the GPU on this board, by known names; undefined when none matches. */
export function gpuRailName(channels: readonly string[]): string | undefined {
  return GPU_RAILS.find((r) => channels.includes(r));
}

/**
 * Board input rails: `VDD_IN` (TX1, TX2, Xavier NX, Orin NX/Nano) and `POM_5V_IN` (Nano).
 * AGX Xavier and AGX Orin print no input rail (`VIN_SYS_5V0` is the 5 V system rail, not
 * the board input), as jetson_stats also notes.
 */
export const BOARD_TOTAL_RAILS = ['VDD_IN', 'POM_5V_IN'] as const;

export function boardTotalRailName(channels: readonly string[]): string | undefined {
  return BOARD_TOTAL_RAILS.find((r) => channels.includes(r));
}

/** What a rail feeds, as far as its name tells. */
export type TegrastatsRailKind = 'gpu' | 'board-total' | 'cpu' | 'soc' | 'memory' | 'other';

/**
 * The kind of each rail of a board: its GPU rail (`gpuRailName`) and board input rail
 * (`boardTotalRailName`), then by name — `CPU` (VDD_CPU, POM_5V_CPU, VDD_SYS_CPU, AGX
 * Xavier `CPU`, AGX Orin `VDD_CPU_CV`), `SOC` (VDD_SOC, VDD_SYS_SOC, `SOC`), memory
 * (`DDR` rails, AGX Xavier `VDDRQ`, Orin `VDDQ_*`); the rest (Wi-Fi, CV, 5 V system rails)
 * are `other`. Rails shared by several blocks take the kind of the block they are chosen
 * for: `VDD_GPU_SOC` is the GPU rail on AGX Orin, `VDD_CPU_GPU_CV` on Xavier NX / Orin NX.
 */
export function tegrastatsRailKinds(rails: readonly string[]): { readonly name: string; readonly kind: TegrastatsRailKind }[] {
  const gpu = gpuRailName(rails);
  const total = boardTotalRailName(rails);
  return rails.map((name) => {
    const upper = name.toUpperCase();
    const kind: TegrastatsRailKind =
      name === gpu
        ? 'gpu'
        : name === total
          ? 'board-total'
          : /(^|_)CPU(_|$)/.test(upper)
            ? 'cpu'
            : /(^|_)SOC(_|$)/.test(upper)
              ? 'soc'
              : /DDR|^VDDRQ$|^VDDQ_/.test(upper)
                ? 'memory'
                : 'other';
    return { name, kind };
  });
}

export interface BoardTotal {
  /** The board input rail itself, or a channel named `TOTAL` holding the sum of every rail. */
  readonly channel: PowerChannel;
  readonly method: 'input-rail' | 'sum-of-rails';
  /** Rails the total comes from. */
  readonly rails: readonly string[];
}

/**
 * Board power: the input rail when the board has one (`VDD_IN`, `POM_5V_IN`), else the
 * sum of all rails sample by sample (AGX Xavier, AGX Orin) — the rule jetson_stats uses.
 * The sum misses what no monitor sees (regulator losses, carrier board), so it is a lower
 * bound of the wall power; `method` says which one was used.
 */
export function boardTotalPower(trace: PowerTrace): BoardTotal {
  const names = trace.channels.map((c) => c.name);
  const input = boardTotalRailName(names);
  if (input !== undefined) {
    return { channel: trace.channels.find((c) => c.name === input)!, method: 'input-rail', rails: [input] };
  }
  const first = trace.channels[0];
  if (!first) throw errors.invalidValue({ file: trace.source.path }, 'trace has no rails to sum');
  const powerW = new Float64Array(first.tS.length);
  for (const ch of trace.channels) {
    if (ch.tS.length !== first.tS.length || ch.tS.some((t, i) => t !== first.tS[i])) {
      throw errors.invalidValue(
        { file: trace.source.path, field: ch.name },
        `rail ${ch.name} is not sampled at the same instants as ${first.name}; resample the rails before summing`,
      );
    }
    for (let i = 0; i < powerW.length; i++) powerW[i] = powerW[i]! + ch.powerW[i]!;
  }
  return { channel: { name: 'TOTAL', tS: first.tS.slice(), powerW }, method: 'sum-of-rails', rails: names };
}
