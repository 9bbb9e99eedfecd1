import { errors, quote } from '../errors.js';
import { powerUnitToWatts, type PowerUnit } from '../units/index.js';
import { fastDecimal, isDecimal, parseDecimal, parsePower } from './parse-number.js';
import type { PowerSample } from './types.js';

/**
 * The study's power CSVs: `timestamp,gpu_power` (FULL, CI and MEAN files) or
 * `timestamp,total_power` (Jetson PUE files). Timestamps are seconds since the logger
 * started, often written by `bc` with a leading dot (`.001370686`). The power column has
 * no unit of its own: GPUs wrote W (nvidia-smi), Jetsons wrote integer mW (tegrastats),
 * and MEAN files are W for every device. The caller must say which — the unit comes
 * from the dataset's device, never from looking at the numbers.
 */
export interface ThesisCsvOptions {
  readonly file?: string;
  readonly unit: PowerUnit;
  /**
   * A legacy file without a header (`PUE_old/consommation_energie_jetson_pue.csv`) is
   * rejected unless the caller states its columns are `timestamp,power` in that order.
   */
  readonly headerless?: 'reject' | 'timestamp,power';
}

export const THESIS_POWER_COLUMNS = ['gpu_power', 'total_power'] as const;
export type ThesisPowerColumn = (typeof THESIS_POWER_COLUMNS)[number];

/** Channel names used for the study's columns: the GPU rail or the board total. */
export function thesisChannel(column: ThesisPowerColumn): string {
  return column === 'gpu_power' ? 'gpu' : 'total';
}

export function* decodeThesisCsv(lines: Iterable<string>, opts: ThesisCsvOptions): Generator<PowerSample> {
  const file = opts.file;
  const toW = powerUnitToWatts(opts.unit);
  let lineNo = 0;
  let channel: string | undefined;
  let samples = 0;
  let powerField = 'power';
  for (const raw of lines) {
    lineNo++;
    if (channel === undefined) {
      const header = raw.replace(/^\uFEFF/, '').trim();
      if (header === '') throw errors.emptyInput(file ?? '(input)');
      const cells = header.split(',').map((c) => c.trim());
      if (cells.length === 2 && cells.every(isDecimal)) {
        if (opts.headerless !== 'timestamp,power') {
          throw errors.parse(
            { file, line: 1 },
            `no header (legacy header-less file?): expected 'timestamp,gpu_power' or 'timestamp,total_power'; read it with --headerless to take the columns as timestamp,power`,
          );
        }
        channel = 'power';
        // fall through: this first line is data
      } else {
        const [t, p] = cells;
        if (cells.length !== 2 || t !== 'timestamp' || !(THESIS_POWER_COLUMNS as readonly string[]).includes(p ?? '')) {
          throw errors.parse({ file, line: 1 }, `unexpected header ${quote(header, 60)}: expected 'timestamp,gpu_power' or 'timestamp,total_power'`);
        }
        channel = thesisChannel(p as ThesisPowerColumn);
        powerField = p as ThesisPowerColumn;
        continue;
      }
    }
    if (raw.trim() === '') continue;
    const comma = raw.indexOf(',');
    if (comma < 0 || raw.indexOf(',', comma + 1) >= 0) {
      const detail = comma < 0 ? 'expected 2 cells, found 1 (truncated line?)' : 'expected 2 cells, found more';
      throw comma < 0 ? errors.truncated({ file, line: lineNo }, detail) : errors.parse({ file, line: lineNo }, detail);
    }
    const tCell = raw.slice(0, comma);
    const pCell = raw.slice(comma + 1);
    // Hot path: plain decimals parse without building error context; anything else goes
    // through the strict parsers, which name file, line and field.
    let tS = fastDecimal(tCell);
    let power = fastDecimal(pCell);
    if (Number.isNaN(tS)) tS = parseDecimal(tCell, { file, line: lineNo, field: 'timestamp' });
    if (Number.isNaN(power) || power < 0) {
      if (pCell.trim() === '') throw errors.truncated({ file, line: lineNo, field: powerField }, 'empty power cell (truncated line?)');
      power = parsePower(pCell, { file, line: lineNo, field: powerField });
    }
    samples++;
    yield { channel, tS, powerW: power * toW, line: lineNo };
  }
  if (channel === undefined) throw errors.emptyInput(file ?? '(input)');
  if (samples === 0) throw errors.headerOnly(file ?? '(input)');
}

/** What a study file name says: `consommation_energie_single_<tag>_QC_<qc>_<run>[_ci|_pue].csv`. */
export interface ThesisFileName {
  readonly tag: string;
  readonly qc: number;
  readonly run: number;
  readonly phase: 'full' | 'ci' | 'pue';
}

const FILE_NAME = /^consommation_energie_single_(.+)_QC_(\d+)_(\d+)(?:_(ci|pue))?\.csv$/;

/** Parse a study file name; undefined for stray files (e.g. `consommation_energie_jetson.csv`). */
export function parseThesisFileName(name: string): ThesisFileName | undefined {
  const m = FILE_NAME.exec(name);
  if (!m) return undefined;
  const phase = m[4] === 'ci' ? 'ci' : m[4] === 'pue' ? 'pue' : 'full';
  // Run indices are parsed, never sorted lexically: `_10` would land after `_1`.
  return { tag: m[1]!, qc: Number(m[2]), run: Number(m[3]), phase };
}

/** The columns of a study CSV decoded at once: one channel, its timestamps (s) and power (W). */
export interface ThesisCsvColumns {
  readonly channel: string;
  readonly tS: Float64Array;
  readonly powerW: Float64Array;
}

/**
 * The whole text of a study CSV in one pass, for the common case: LF line ends, the
 * `timestamp,<power column>` header, plain decimal cells, increasing timestamps, every sample
 * plausible (`limits`: plausibility.ts's, passed in to keep this module free of it), at least
 * two samples. Anything else — a BOM, CR, a blank or odd line, a cell the fast number path
 * does not take, a check that fails — returns undefined, and the caller decodes the file with
 * `decodeThesisCsv`, which gives the same trace or the coded error naming the line. The
 * result is the one `decodeThesisCsv` + TraceBuilder give, value for value (test/traces).
 *
 * Why: `analyze` of the study's 550 traces spent about a sixth of its time here, in one
 * generator object per line and one sample object per line (issue 12, part 6).
 */
export function decodeThesisCsvText(
  text: string,
  unit: PowerUnit,
  limits: { readonly maxPowerW: number; readonly maxIntervalS: number },
): ThesisCsvColumns | undefined {
  if (text.includes('\r')) return undefined;
  const headerEnd = text.indexOf('\n');
  if (headerEnd < 0) return undefined;
  const header = text.slice(0, headerEnd);
  const column = header === 'timestamp,gpu_power' ? 'gpu_power' : header === 'timestamp,total_power' ? 'total_power' : undefined;
  if (column === undefined) return undefined;
  const toW = powerUnitToWatts(unit);
  // A line is at least 4 characters (`t,p` and its LF): the arrays cannot overflow.
  const cap = Math.ceil((text.length - headerEnd) / 4) + 1;
  const tS = new Float64Array(cap);
  const powerW = new Float64Array(cap);
  let n = 0;
  let start = headerEnd + 1;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const comma = text.indexOf(',', start);
    if (comma < 0 || comma >= end) return undefined;
    const second = text.indexOf(',', comma + 1);
    if (second >= 0 && second < end) return undefined;
    const t = fastDecimal(text.slice(start, comma));
    const p = fastDecimal(text.slice(comma + 1, end));
    if (Number.isNaN(t) || Number.isNaN(p) || p < 0) return undefined;
    const w = p * toW;
    if (!(w <= limits.maxPowerW)) return undefined;
    if (n > 0 && !(t > tS[n - 1]! && t - tS[n - 1]! <= limits.maxIntervalS)) return undefined;
    tS[n] = t;
    powerW[n] = w;
    n++;
    start = end + 1;
  }
  if (n < 2) return undefined;
  return { channel: thesisChannel(column), tS: tS.slice(0, n), powerW: powerW.slice(0, n) };
}
