import { errors, quote, type Where } from '../errors.js';
import { isPowerUnit, POWER_UNITS, type PowerUnit } from '../units/index.js';
import { civilTimeConverter, numberedLines, toWatts, type CivilToEpochMs } from './parse-helpers.js';
import { parseDecimal, parsePower } from './parse-number.js';
import type { PowerSample } from './types.js';

/**
 * Decoder for logs written by `nvidia-smi --query-gpu=... --format=csv[,noheader][,nounits]`
 * (typically in a loop: `-lms 100`, or a shell loop calling it repeatedly).
 *
 * - Header: `timestamp, index, power.draw [W]` (units in brackets). Without a header
 *   (`noheader`) the caller declares the query list (`fields`); otherwise the file is
 *   rejected, since the column order cannot be known.
 * - Units: from the header bracket or the cell suffix (`631.95 W`). A header-less
 *   `nounits` file has neither; its power values are then taken in W because nvidia-smi
 *   defines every `power.draw*` field in watts (`nvidia-smi --help-query-gpu`).
 * - Power field: `power.draw.instant` when the file has it, else `power.draw`, else
 *   `power.draw.average` (or the caller's `powerField`). `power.draw` is a 1 s average on
 *   Ampere and newer, so the instant reading is the better input for integration.
 * - `[N/A]`, `[Not Supported]` and other bracketed notes in the power cell are an
 *   INVALID_VALUE error by default; with `unavailable: 'skip'` (library option; no CLI flag
 *   yet) those rows are left out (the gap stays visible to the energy layer, which reports
 *   gaps). A log's error says what a user can do today: delete those rows, or log a power
 *   field the GPU reports.
 * - Timestamps `YYYY/MM/DD HH:MM:SS.mmm` are the host's local time without a zone: the
 *   caller gives `timeZone` (default UTC). t = 0 is the first sample; its instant is
 *   returned as `originEpochMs`. Without a timestamp column the caller gives `intervalS`
 *   and the n-th row of each GPU is at n × intervalS.
 * - One channel per GPU: `gpu<index>` when `index` is queried, else the `uuid`, else `gpu`.
 * - Repeated header lines (a shell loop that calls nvidia-smi once per sample) are skipped.
 */

export const NVIDIA_SMI_POWER_FIELDS = ['power.draw.instant', 'power.draw', 'power.draw.average'] as const;
export type NvidiaSmiPowerField = (typeof NVIDIA_SMI_POWER_FIELDS)[number];

export interface NvidiaSmiOptions {
  readonly file?: string;
  /** The `--query-gpu` list, required for `noheader` files; checked against the header when both exist. */
  readonly fields?: readonly string[];
  /** Power field to read instead of the default preference (instant, draw, average). */
  readonly powerField?: NvidiaSmiPowerField;
  /** IANA zone the logging host's clock used; default UTC. */
  readonly timeZone?: string;
  /** Sampling interval in s, for logs without a timestamp column. */
  readonly intervalS?: number;
  /** What to do with `[N/A]`-like power cells: fail (default) or leave the row out. */
  readonly unavailable?: 'error' | 'skip';
}

/** What the decoder learnt from the file, returned when the generator finishes. */
export interface NvidiaSmiSummary {
  readonly powerField: NvidiaSmiPowerField;
  readonly unitInSource: PowerUnit;
  readonly hasHeader: boolean;
  /** Column that told GPUs apart. */
  readonly gpuKey: 'index' | 'uuid' | 'none';
  /** Instant of t = 0 (first sample), when the log has timestamps. */
  readonly originEpochMs?: number;
  /** Rows left out because the power cell was `[N/A]`-like (`unavailable: 'skip'`). */
  readonly skippedUnavailable: number;
}

/** The `source.format` string of a trace read from nvidia-smi, naming the power field used. */
export function nvidiaSmiFormat(field: NvidiaSmiPowerField): string {
  return `nvidia-smi-csv:${field}`;
}

interface Column {
  readonly name: string;
  readonly unit?: string;
}

const HEADER_CELL = /^([A-Za-z_][\w.]*)(?:\s*\[([^\]]*)\])?$/;
const TIMESTAMP = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/;
const VALUE_WITH_UNIT = /^(\S+?)(?:\s+(\S+))?$/;

/** `gpu.power.draw` is an alias nvidia-smi accepts for `power.draw`; compare by canonical name. */
function canonicalField(name: string): string {
  const lower = name.toLowerCase();
  return lower.startsWith('gpu.power.') ? lower.slice(4) : lower;
}

function parseHeader(cells: readonly string[]): Column[] | undefined {
  const cols: Column[] = [];
  for (const cell of cells) {
    const m = HEADER_CELL.exec(cell);
    if (!m) return undefined;
    cols.push(m[2] === undefined ? { name: canonicalField(m[1]!) } : { name: canonicalField(m[1]!), unit: m[2].trim() });
  }
  return cols;
}

function isUnavailable(cell: string): boolean {
  return /^\[.*\]$/.test(cell) || cell === 'N/A';
}

/**
 * A push-style decoder: feed it one line at a time (a log file, or the stdout of a running
 * `nvidia-smi -lms`), get back the samples that line holds. `decodeNvidiaSmiCsv` is this
 * decoder driven by a line iterator.
 */
export interface NvidiaSmiLineDecoder {
  /**
   * Decode one line (1-based `lineNo`); blank lines and repeated headers give no samples.
   * `last` marks the final line of a finished input, where a cut-off record is TRUNCATED
   * rather than a PARSE error. Throws coded errors naming the line and field.
   */
  line(text: string, lineNo: number, last?: boolean): PowerSample[];
  /** Instant of t = 0 (the first sample's timestamp) once a timestamped sample has been decoded. */
  readonly originEpochMs: number | undefined;
  /** The power field in use, once the first line has been read. */
  readonly powerField: NvidiaSmiPowerField | undefined;
  /** What the decoder learnt; throws EMPTY_INPUT when no data row was seen. */
  summary(): NvidiaSmiSummary;
}

interface Layout {
  readonly columns: readonly Column[];
  readonly headerText: string | undefined;
  readonly headerLine: number | undefined;
  readonly powerField: NvidiaSmiPowerField;
  readonly powerCol: number;
  readonly headerUnit: PowerUnit | undefined;
  readonly timeCol: number;
  readonly keyCol: number;
  readonly gpuKey: NvidiaSmiSummary['gpuKey'];
}

/** Read the column layout from the first line: its header, or the declared field list. */
function readLayout(firstCells: readonly string[], lineNo: number, firstText: string, opts: NvidiaSmiOptions): Layout {
  const file = opts.file;
  const header = parseHeader(firstCells);
  let columns: readonly Column[];
  if (header) {
    columns = header;
    if (opts.fields !== undefined) {
      const declared = opts.fields.map(canonicalField);
      if (declared.length !== header.length || declared.some((f, i) => f !== header[i]!.name)) {
        throw errors.parse(
          { file, line: lineNo },
          `header lists ${header.map((c) => c.name).join(',')} but the declared fields are ${declared.join(',')}`,
        );
      }
    }
  } else {
    if (opts.fields === undefined || opts.fields.length === 0) {
      throw errors.parse(
        { file, line: lineNo },
        'no header line (written with --format=csv,noheader?): declare the --query-gpu field list, e.g. timestamp,index,power.draw',
      );
    }
    columns = opts.fields.map((f) => ({ name: canonicalField(f.trim()) }));
  }
  const where0: Where = { file, line: lineNo };

  const indexOf = (name: string): number => columns.findIndex((c) => c.name === name);
  const powerField: NvidiaSmiPowerField | undefined = opts.powerField ?? NVIDIA_SMI_POWER_FIELDS.find((f) => indexOf(f) >= 0);
  if (powerField === undefined || indexOf(powerField) < 0) {
    throw errors.parse(
      { ...where0, field: opts.powerField },
      `no ${opts.powerField ?? 'power.draw, power.draw.instant or power.draw.average'} column (columns: ${columns.map((c) => c.name).join(', ')})`,
    );
  }
  const powerCol = indexOf(powerField);
  const headerUnit = columns[powerCol]!.unit;
  if (headerUnit !== undefined && !isPowerUnit(headerUnit)) throw errors.unknownUnit({ ...where0, field: powerField }, headerUnit, POWER_UNITS);
  const timeCol = indexOf('timestamp');
  const indexCol = indexOf('index');
  const uuidCol = indexOf('uuid');
  if (timeCol < 0 && !(opts.intervalS !== undefined && Number.isFinite(opts.intervalS) && opts.intervalS > 0)) {
    throw errors.parse(
      { ...where0, field: 'timestamp' },
      'no timestamp column: add timestamp to --query-gpu, or give the sampling interval (intervalS > 0)',
    );
  }
  return {
    columns,
    headerText: header ? firstText.trim() : undefined,
    headerLine: header ? lineNo : undefined,
    powerField,
    powerCol,
    headerUnit,
    timeCol,
    keyCol: indexCol >= 0 ? indexCol : uuidCol,
    gpuKey: indexCol >= 0 ? 'index' : uuidCol >= 0 ? 'uuid' : 'none',
  };
}

export function createNvidiaSmiLineDecoder(opts: NvidiaSmiOptions = {}): NvidiaSmiLineDecoder {
  return createDecoder(opts, 'stream');
}

/**
 * What an `[N/A]` power cell means to the reader. Any input: the GPU gave no number. A log
 * file (`decodeNvidiaSmiCsv`) also says what the user can do with it today; a stream (the
 * live sensor's nvidia-smi) cannot be edited, so it gets no such advice.
 */
function unavailableDetail(cell: string, L: Layout, opts: NvidiaSmiOptions, source: 'log' | 'stream'): string {
  const what = `power not available (${cell}): the GPU did not report ${L.powerField} in this row`;
  if (source === 'stream') return what;
  // Another power column in the same log is read instead once this one is deleted (the default preference).
  const present = opts.powerField === undefined ? NVIDIA_SMI_POWER_FIELDS.filter((f) => f !== L.powerField && L.columns.some((c) => c.name === f)) : [];
  const others = NVIDIA_SMI_POWER_FIELDS.filter((f) => f !== L.powerField);
  return [
    `${what}, and an nvidia-smi log is read only where every row has a number; delete the rows that hold ${cell} (the trace bridges them; a long gap is reported)`,
    ...(present.length > 0 ? [`or delete the ${L.powerField} column (this log's ${present[0]} is then read)`] : []),
    `or log another power field this GPU reports (${others.join(', ')}), e.g. nvidia-smi --query-gpu=timestamp,index,${others[0]} --format=csv -lms 100`,
  ].join(', ');
}

function createDecoder(opts: NvidiaSmiOptions, source: 'log' | 'stream'): NvidiaSmiLineDecoder {
  const file = opts.file;
  const toEpochMs = civilTimeConverter(opts.timeZone);
  let layout: Layout | undefined;
  let unitInSource: PowerUnit | undefined;
  let suffixed: boolean | undefined;
  let origin: { wholeMs: number; frac: number } | undefined;
  const rowsPerChannel = new Map<string, number>();
  let skippedUnavailable = 0;
  let dataRows = 0;

  const decodeRow = (L: Layout, text: string, line: number, last: boolean): PowerSample | undefined => {
    const { columns, powerCol, powerField, headerUnit, timeCol, keyCol, gpuKey } = L;
    if (L.headerText !== undefined && text.trim() === L.headerText) return undefined;
    dataRows++;
    const cells = text.split(',').map((c) => c.trim());
    if (cells.length !== columns.length) {
      const detail = `expected ${columns.length} cells, found ${cells.length}`;
      if (cells.length < columns.length && last) throw errors.truncated({ file, line }, `${detail} (file cut mid-line?)`);
      throw errors.parse({ file, line }, detail);
    }
    const channel =
      keyCol < 0 ? 'gpu' : gpuKey === 'index' ? `gpu${parseGpuIndex(cells[keyCol]!, { file, line, field: 'index' })}` : cells[keyCol]!;
    if (channel === '') throw errors.parse({ file, line, field: 'uuid' }, 'empty uuid cell');

    const pWhere: Where = { file, line, field: powerField };
    const pCell = cells[powerCol]!;
    if (pCell === '') {
      if (last && powerCol === columns.length - 1) throw errors.truncated(pWhere, 'empty power cell at the end of the file (file cut mid-line?)');
      throw errors.notANumber(pWhere, pCell);
    }
    if (isUnavailable(pCell)) {
      if (opts.unavailable === 'skip') {
        skippedUnavailable++;
        return undefined;
      }
      throw errors.invalidValue(pWhere, unavailableDetail(pCell, L, opts, source));
    }
    const vm = VALUE_WITH_UNIT.exec(pCell);
    if (!vm) throw errors.notANumber(pWhere, pCell);
    const cellUnit = vm[2];
    const hasSuffix = cellUnit !== undefined;
    if (suffixed === undefined) suffixed = hasSuffix;
    else if (suffixed !== hasSuffix) {
      const detail = `power cell ${quote(pCell)} ${hasSuffix ? 'has' : 'lacks'} a unit suffix unlike the rows before it`;
      if (last && !hasSuffix && powerCol === columns.length - 1) throw errors.truncated(pWhere, `${detail} (file cut mid-value?)`);
      throw errors.parse(pWhere, detail);
    }
    if (cellUnit !== undefined) {
      if (!isPowerUnit(cellUnit)) throw errors.unknownUnit(pWhere, cellUnit, POWER_UNITS);
      if (headerUnit !== undefined && cellUnit !== headerUnit) {
        throw errors.parse(pWhere, `cell unit ${cellUnit} disagrees with the header unit [${headerUnit}]`);
      }
      unitInSource = cellUnit;
    }
    // Header-less nounits: nvidia-smi defines power.draw* in watts (see module comment).
    unitInSource ??= 'W';
    const powerW = toWatts(parsePower(vm[1]!, pWhere), unitInSource);

    let tS: number;
    if (timeCol >= 0) {
      const tWhere: Where = { file, line, field: 'timestamp' };
      const stamp = parseNvidiaSmiTimestamp(cells[timeCol]!, toEpochMs);
      if (!stamp) throw errors.parse(tWhere, `not an nvidia-smi timestamp: ${quote(cells[timeCol]!)} (expected YYYY/MM/DD HH:MM:SS.mmm)`);
      origin ??= stamp;
      // Whole seconds and the fraction are subtracted separately: epoch ms are ~1.7e12,
      // where a double keeps only ~0.2 µs, and sub-ms timestamps should survive.
      tS = (stamp.wholeMs - origin.wholeMs) / 1000 + (stamp.frac - origin.frac);
    } else {
      const n = rowsPerChannel.get(channel) ?? 0;
      rowsPerChannel.set(channel, n + 1);
      tS = n * opts.intervalS!;
    }
    return { channel, tS, powerW, line };
  };

  return {
    line(text, lineNo, last = false) {
      if (text.trim() === '') return [];
      if (!layout) {
        layout = readLayout(text.split(',').map((c) => c.trim()), lineNo, text, opts);
        unitInSource = layout.headerUnit;
        if (layout.headerText !== undefined) return [];
      }
      const s = decodeRow(layout, text, lineNo, last);
      return s ? [s] : [];
    },
    get originEpochMs() {
      return origin ? origin.wholeMs + origin.frac * 1000 : undefined;
    },
    get powerField() {
      return layout?.powerField;
    },
    summary() {
      if (!layout || dataRows === 0) {
        if (layout?.headerLine !== undefined) throw errors.headerOnly(file ?? '(input)');
        throw errors.emptyInput(file ?? '(input)');
      }
      return {
        powerField: layout.powerField,
        unitInSource: unitInSource ?? 'W',
        hasHeader: layout.headerText !== undefined,
        gpuKey: layout.gpuKey,
        ...(origin ? { originEpochMs: origin.wholeMs + origin.frac * 1000 } : {}),
        skippedUnavailable,
      };
    },
  };
}

/** Pull form of the decoder: samples from an iterable of lines, the summary as the return value. */
export function* decodeNvidiaSmiCsv(lines: Iterable<string>, opts: NvidiaSmiOptions = {}): Generator<PowerSample, NvidiaSmiSummary> {
  const decoder = createDecoder(opts, 'log');
  for (const row of numberedLines(lines)) {
    const samples = decoder.line(row.text, row.line, row.last);
    // One sample per row at most: index instead of yield* to keep the hot path free of iterator objects.
    if (samples.length === 1) yield samples[0]!;
  }
  return decoder.summary();
}

function parseGpuIndex(cell: string, where: Where): number {
  if (!/^\d+$/.test(cell)) throw errors.parse(where, `GPU index ${quote(cell)} is not a non-negative integer`);
  return Number(cell);
}

/** Parse `2024/05/14 10:31:22.123` into whole-second epoch ms plus the fraction of a second. */
export function parseNvidiaSmiTimestamp(
  cell: string,
  toEpochMs: CivilToEpochMs,
): { wholeMs: number; frac: number } | undefined {
  const m = TIMESTAMP.exec(cell);
  if (!m) return undefined;
  const wholeMs = toEpochMs({
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6]),
  });
  if (wholeMs === undefined) return undefined;
  return { wholeMs, frac: m[7] === undefined ? 0 : parseDecimal(`0.${m[7]}`, {}) };
}
