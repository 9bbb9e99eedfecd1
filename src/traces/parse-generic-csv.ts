import { errors, quote, type Where } from '../errors.js';
import { isPowerUnit, POWER_UNITS, type PowerUnit } from '../units/index.js';
import { numberedLines, splitDelimited, toWatts, type SplitRow } from './parse-helpers.js';
import { parseDecimal, parsePower } from './parse-number.js';
import type { PowerSample } from './types.js';

/**
 * Decoder for any power CSV whose columns the caller declares: a time column (numbers in
 * `timeUnit`), one or more power columns in `unit`, optionally a channel column for "long"
 * files (one row per channel and instant). A header line is required; columns are found by
 * exact name. Nothing is inferred from the numbers: the caller states both units.
 *
 * - Wide files (`t,gpu0,gpu1`): one channel per power column, named after it. Every power
 *   cell must hold a number; an empty cell is an error, not a missing sample.
 * - Long files (`t,device,watts` with `channelColumn: 'device'`): the channel is the cell.
 * - Times are kept as written (× unit factor) so a log relative to a run start keeps its
 *   offset; with `epoch: true` they are Unix times, t = 0 is the first row and its instant
 *   is returned as `originEpochMs`.
 * - Quoted cells (RFC 4180) are read; a cell spanning lines is not supported.
 */

export type TimeUnit = 's' | 'ms' | 'us' | 'ns';
export const TIME_UNITS: readonly TimeUnit[] = ['s', 'ms', 'us', 'ns'];
export type CsvDelimiter = ',' | ';' | '\t';

export interface GenericCsvOptions {
  readonly timeColumn: string;
  readonly powerColumn: string | readonly string[];
  readonly unit: PowerUnit;
  readonly timeUnit?: TimeUnit;
  readonly delimiter?: CsvDelimiter;
  /** Column naming the channel of each row (long format); needs exactly one power column. */
  readonly channelColumn?: string;
  /** The time column holds Unix epoch times in `timeUnit`. */
  readonly epoch?: boolean;
}

export interface GenericCsvSummary {
  readonly unitInSource: PowerUnit;
  readonly originEpochMs?: number;
}

export const GENERIC_CSV_FORMAT = 'generic-csv';

const SECONDS_PER: Record<TimeUnit, number> = { s: 1, ms: 1e-3, us: 1e-6, ns: 1e-9 };
const MS_PER: Record<TimeUnit, number> = { s: 1000, ms: 1, us: 1e-3, ns: 1e-6 };

function isTimeUnit(s: string): s is TimeUnit {
  return (TIME_UNITS as readonly string[]).includes(s);
}

function finite(v: number, where: Where): number {
  if (!Number.isFinite(v)) throw errors.invalidValue(where, `value ${v} is not finite`);
  return v;
}

export function* decodeGenericCsv(
  lines: Iterable<string>,
  opts: GenericCsvOptions & { readonly file?: string },
): Generator<PowerSample, GenericCsvSummary> {
  const file = opts.file;
  // Typed, but checked: options also arrive from JSON configs and untyped callers.
  const delimiter: string = opts.delimiter ?? ',';
  if (!(delimiter === ',' || delimiter === ';' || delimiter === '\t')) {
    throw errors.usage(`unsupported delimiter ${quote(delimiter)} (expected comma, semicolon or tab)`, '--columns');
  }
  const powerColumns = typeof opts.powerColumn === 'string' ? [opts.powerColumn] : [...opts.powerColumn];
  if (powerColumns.length === 0) throw errors.usage('no power column given', '--columns');
  if (opts.channelColumn !== undefined && powerColumns.length !== 1) {
    throw errors.usage('a channel column needs exactly one power column', '--columns');
  }
  const it = numberedLines(lines);
  const first = it.next();
  if (first.done) throw errors.emptyInput(file ?? '(input)');
  const headerLine = first.value.line;
  const headerWhere: Where = { file, line: headerLine };
  const headerRow = splitDelimited(first.value.text, delimiter);
  if (headerRow.openQuote || headerRow.strayAfterQuote) throw errors.parse(headerWhere, 'malformed quoting in the header');
  const header = headerRow.cells;

  if (!isPowerUnit(opts.unit)) throw errors.unknownUnit({ ...headerWhere, field: powerColumns[0] }, opts.unit, POWER_UNITS);
  const timeUnit = opts.timeUnit ?? 's';
  if (!isTimeUnit(timeUnit)) throw errors.unknownUnit({ ...headerWhere, field: opts.timeColumn }, timeUnit, TIME_UNITS);
  const toS = SECONDS_PER[timeUnit];

  const column = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) {
      throw errors.parse({ ...headerWhere, field: name }, `no column ${quote(name)} in the header (columns: ${header.join(', ')})`);
    }
    return i;
  };
  const timeCol = column(opts.timeColumn);
  const powerCols = powerColumns.map((name) => ({ name, index: column(name) }));
  const channelCol = opts.channelColumn === undefined ? -1 : column(opts.channelColumn);

  let originTime: number | undefined;
  let rows = 0;
  for (const { text, line, last } of it) {
    const row: SplitRow = splitDelimited(text, delimiter);
    const cells = row.cells;
    if (row.openQuote) {
      if (last) throw errors.truncated({ file, line }, 'quoted cell not closed at the end of the file (file cut mid-line?)');
      throw errors.parse({ file, line }, 'quoted cell not closed on this line (cells spanning lines are not supported)');
    }
    if (row.strayAfterQuote) throw errors.parse({ file, line }, 'text after a closing quote');
    if (cells.length !== header.length) {
      const detail = `expected ${header.length} cells, found ${cells.length}`;
      if (cells.length < header.length && last) throw errors.truncated({ file, line }, `${detail} (file cut mid-line?)`);
      throw errors.parse({ file, line }, detail);
    }
    // A final empty cell on the last line is what a writer cut after the delimiter leaves.
    if (last && cells[cells.length - 1] === '' && [timeCol, channelCol, ...powerCols.map((p) => p.index)].includes(cells.length - 1)) {
      throw errors.truncated({ file, line, field: header[cells.length - 1] }, 'empty last cell at the end of the file (file cut mid-line?)');
    }
    rows++;
    const tWhere: Where = { file, line, field: opts.timeColumn };
    const t = finite(parseDecimal(cells[timeCol]!, tWhere), tWhere);
    let tS: number;
    if (opts.epoch) {
      originTime ??= t;
      tS = (t - originTime) * toS;
    } else {
      tS = t * toS;
    }
    for (const p of powerCols) {
      const pWhere: Where = { file, line, field: p.name };
      const powerW = toWatts(finite(parsePower(cells[p.index]!, pWhere), pWhere), opts.unit);
      let channel = p.name;
      if (channelCol >= 0) {
        channel = cells[channelCol]!;
        if (channel === '') throw errors.parse({ file, line, field: opts.channelColumn }, 'empty channel cell');
      }
      yield { channel, tS, powerW, line };
    }
  }
  if (rows === 0) throw errors.headerOnly(file ?? '(input)');
  return originTime === undefined
    ? { unitInSource: opts.unit }
    : { unitInSource: opts.unit, originEpochMs: originTime * MS_PER[timeUnit] };
}

const DELIMITERS: Record<string, CsvDelimiter> = { ',': ',', comma: ',', ';': ';', semicolon: ';', tab: '\t', '\\t': '\t', '\t': '\t' };

/**
 * Parse the CLI spec of `--columns`: `t=timestamp,p=gpu_power,unit=mW[,timeUnit=ms][,delim=;]`.
 * Keys: `t`/`time`, `p`/`power` (repeat for several power columns), `unit`, `timeUnit`,
 * `delim`/`delimiter` (`,` `;` `tab`, or the words `comma` `semicolon`), `channel`, `epoch`
 * (`true`/`false`).
 */
export function parseGenericCsvSpec(spec: string): GenericCsvOptions {
  const flag = '--columns';
  // `delim=,` cannot survive a split on commas: name it before splitting.
  const normalized = spec.trim().replace(/(^|,)(delim|delimiter)=,(?=,|$)/g, '$1$2=comma');
  if (normalized === '') throw errors.usage('empty column spec (expected t=COLUMN,p=COLUMN,unit=W|mW|kW)', flag);
  let time: string | undefined;
  const power: string[] = [];
  let unit: PowerUnit | undefined;
  let timeUnit: TimeUnit | undefined;
  let delimiter: CsvDelimiter | undefined;
  let channel: string | undefined;
  let epoch: boolean | undefined;
  for (const part of normalized.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw errors.usage(`expected key=value, found ${quote(part)}`, flag);
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (value === '') throw errors.usage(`empty value for ${key}`, flag);
    switch (key) {
      case 't':
      case 'time':
        if (time !== undefined) throw errors.usage('time column given twice', flag);
        time = value;
        break;
      case 'p':
      case 'power':
        power.push(value);
        break;
      case 'unit':
        if (!isPowerUnit(value)) throw errors.unknownUnit({ flag }, value, POWER_UNITS);
        unit = value;
        break;
      case 'timeUnit':
      case 'tu':
        if (!isTimeUnit(value)) throw errors.unknownUnit({ flag }, value, TIME_UNITS);
        timeUnit = value;
        break;
      case 'delim':
      case 'delimiter': {
        const d = DELIMITERS[value];
        if (d === undefined) throw errors.usage(`unknown delimiter ${quote(value)} (expected comma, semicolon or tab)`, flag);
        delimiter = d;
        break;
      }
      case 'channel':
        channel = value;
        break;
      case 'epoch':
        if (value !== 'true' && value !== 'false') throw errors.usage(`epoch must be true or false, found ${quote(value)}`, flag);
        epoch = value === 'true';
        break;
      default:
        throw errors.usage(`unknown key ${quote(key)} (expected t, p, unit, timeUnit, delim, channel, epoch)`, flag);
    }
  }
  if (time === undefined) throw errors.usage('missing t=TIME_COLUMN', flag);
  if (power.length === 0) throw errors.usage('missing p=POWER_COLUMN', flag);
  if (unit === undefined) throw errors.usage('missing unit=W|mW|kW (the power unit is never guessed)', flag);
  if (channel !== undefined && power.length !== 1) throw errors.usage('channel=COLUMN needs exactly one p=COLUMN', flag);
  return {
    timeColumn: time,
    powerColumn: power.length === 1 ? power[0]! : power,
    unit,
    ...(timeUnit !== undefined ? { timeUnit } : {}),
    ...(delimiter !== undefined ? { delimiter } : {}),
    ...(channel !== undefined ? { channelColumn: channel } : {}),
    ...(epoch !== undefined ? { epoch } : {}),
  };
}
