import { errors, quote, type Where } from '../errors.js';
import { kilowattHours, kwhToJ } from '../units/index.js';
import { civilTimeConverter, isoEpochMs, isoTimeParts, numberedLines, splitDelimited, type CivilToEpochMs } from './parse-helpers.js';
import { parseDecimal, parsePower } from './parse-number.js';
import { checkEnergy } from './plausibility.js';
import type { EnergyRecord } from './types.js';

/**
 * Decoder for CodeCarbon's `emissions.csv` (written by `EmissionsTracker` through its
 * file output). Columns vary by version, so they are found by header name; only
 * `duration` (s) and `energy_consumed` (kWh) are required. Units as CodeCarbon writes
 * them: energies in kWh, powers in W, emissions in kg CO2e, duration in s.
 *
 * Semantics worth knowing before using the numbers:
 * - Every row holds cumulative totals since the tracker started: `flush()` appends a row
 *   and `stop()` appends the final one with the same `run_id`. By default one record per
 *   run is returned, from its last row (`rowsInRun` says how many there were); within a
 *   run, duration and energy must not decrease. `rows: 'all'` returns every row as is.
 * - CodeCarbon multiplies every energy by its `pue` setting (default 1) before writing.
 *   The record keeps `pue` so a consumer that applies its own PUE can see it.
 * - `timestamp` is the local time (no zone, 1 s resolution) at which the row was written,
 *   i.e. the end of the run: `endEpochMs`; the start is derived as end − duration.
 * - `cpu_power`, `gpu_power`, `ram_power` are the last measured powers, not means.
 */

export interface CodeCarbonOptions {
  readonly file?: string;
  /** IANA zone of the host clock for zone-less timestamps; default UTC. */
  readonly timeZone?: string;
  /** `last-per-run` (default): one record per run from its final cumulative row; `all`: every row. */
  readonly rows?: 'last-per-run' | 'all';
}

export interface CodeCarbonRecord extends EnergyRecord {
  readonly runId?: string;
  readonly projectName?: string;
  readonly experimentId?: string;
  /** Task files (`start_task`/`stop_task`) carry a task name per row. */
  readonly taskName?: string;
  readonly endEpochMs?: number;
  readonly emissionsKg?: number;
  readonly countryName?: string;
  readonly countryIsoCode?: string;
  readonly region?: string;
  /** PUE CodeCarbon already applied to every energy in this record. */
  readonly pue?: number;
  /** Last measured power per component (W), when the file has the columns. */
  readonly lastPowerW?: Readonly<Record<string, number>>;
  readonly codecarbonVersion?: string;
  /** `machine` (the whole host) or `process` (this process's share), as CodeCarbon ran. */
  readonly trackingMode?: string;
  readonly os?: string;
  readonly cpuModel?: string;
  /** CPU count CodeCarbon saw (logical CPUs). */
  readonly cpuCount?: number;
  /** As CodeCarbon writes it, e.g. `1 x NVIDIA A100-SXM4-40GB`. */
  readonly gpuModel?: string;
  readonly gpuCount?: number;
  readonly cloudProvider?: string;
  readonly cloudRegion?: string;
  /** Rows of this run in the file (cumulative snapshots; the record is the last one). */
  readonly rowsInRun: number;
}

export const CODECARBON_FORMAT = 'codecarbon-csv';

const PARTS = ['cpu', 'gpu', 'ram'] as const;

export function decodeCodeCarbonCsv(lines: Iterable<string>, opts: CodeCarbonOptions = {}): CodeCarbonRecord[] {
  const file = opts.file;
  const toEpochMs = civilTimeConverter(opts.timeZone);
  const it = numberedLines(lines);
  const first = it.next();
  if (first.done) throw errors.emptyInput(file ?? '(input)');
  const headerRow = splitDelimited(first.value.text, ',');
  if (headerRow.openQuote || headerRow.strayAfterQuote) throw errors.parse({ file, line: first.value.line }, 'malformed quoting in the header');
  const header = headerRow.cells;
  const col = (name: string): number => header.indexOf(name);
  for (const required of ['duration', 'energy_consumed']) {
    if (col(required) < 0) {
      throw errors.parse(
        { file, line: first.value.line, field: required },
        `no ${required} column: not a CodeCarbon emissions file? (columns: ${header.join(', ')})`,
      );
    }
  }

  const records: CodeCarbonRecord[] = [];
  const byRun = new Map<string, number>(); // run key → index in records
  for (const { text, line, last } of it) {
    const row = splitDelimited(text, ',');
    if (row.openQuote) {
      if (last) throw errors.truncated({ file, line }, 'quoted cell not closed at the end of the file (file cut mid-line?)');
      throw errors.parse({ file, line }, 'quoted cell not closed on this line');
    }
    if (row.strayAfterQuote) throw errors.parse({ file, line }, 'text after a closing quote');
    const cells = row.cells;
    if (cells.length !== header.length) {
      const detail = `expected ${header.length} cells, found ${cells.length}`;
      if (cells.length < header.length && last) throw errors.truncated({ file, line }, `${detail} (file cut mid-line?)`);
      throw errors.parse({ file, line }, detail);
    }
    const text_ = (name: string): string | undefined => {
      const i = col(name);
      const v = i < 0 ? undefined : cells[i];
      return v === undefined || v === '' ? undefined : v;
    };
    const where = (field: string): Where => ({ file, line, field });
    const required = (name: string): number => {
      const raw = text_(name);
      if (raw === undefined) {
        if (last && col(name) === header.length - 1) throw errors.truncated(where(name), 'empty last cell at the end of the file (file cut mid-line?)');
        throw errors.notANumber(where(name), '');
      }
      return nonNegative(raw, where(name));
    };
    const optional = (name: string, parse: (raw: string, w: Where) => number = nonNegative): number | undefined => {
      const raw = text_(name);
      return raw === undefined ? undefined : parse(raw, where(name));
    };

    // A PUE is facility power over IT power: below 1 (or 0, CodeCarbon's energies divided by it) is not one.
    const parsePue = (raw: string, w: Where): number => {
      const v = nonNegative(raw, w);
      if (v < 1) throw errors.invalidValue(w, `PUE ${v} is not a ratio ≥ 1`);
      return v;
    };
    const durationS = required('duration');
    const energyKwh = required('energy_consumed');
    // 1e300 kWh parses; over its duration it is no machine's power. (A zero duration is the consumer's to refuse, with its own reason.)
    if (durationS > 0) checkEnergy(kwhToJ(kilowattHours(energyKwh)), durationS, where('energy_consumed'));
    const partsJ: Record<string, number> = {};
    const lastPowerW: Record<string, number> = {};
    for (const part of PARTS) {
      const e = optional(`${part}_energy`);
      if (e !== undefined) partsJ[part] = kwhToJ(kilowattHours(e));
      const p = optional(`${part}_power`, parsePower);
      if (p !== undefined) lastPowerW[part] = p;
    }
    const stamp = text_('timestamp');
    const endEpochMs = stamp === undefined ? undefined : parseIsoTimestamp(stamp, toEpochMs, where('timestamp'));
    const runId = text_('run_id');
    const projectName = text_('project_name');
    const taskName = text_('task_name');
    const label = [projectName, taskName, runId].filter((s) => s !== undefined).join(':') || `row ${line}`;
    const optionalText = (key: string, name: string): Record<string, string> => {
      const v = text_(name);
      return v === undefined ? {} : { [key]: v };
    };
    const optionalNumber = (key: string, value: number | undefined): Record<string, number> => (value === undefined ? {} : { [key]: value });

    const record: CodeCarbonRecord = {
      label,
      ...(endEpochMs !== undefined ? { startEpochMs: endEpochMs - durationS * 1000, endEpochMs } : {}),
      durationS,
      energyJ: kwhToJ(kilowattHours(energyKwh)),
      ...(Object.keys(partsJ).length > 0 ? { partsJ } : {}),
      provenance: { kind: 'measured', sensor: 'codecarbon' },
      source: file === undefined ? { format: CODECARBON_FORMAT, line } : { format: CODECARBON_FORMAT, path: file, line },
      ...optionalText('runId', 'run_id'),
      ...optionalText('projectName', 'project_name'),
      ...optionalText('experimentId', 'experiment_id'),
      ...optionalText('taskName', 'task_name'),
      ...optionalNumber('emissionsKg', optional('emissions')),
      ...optionalText('countryName', 'country_name'),
      ...optionalText('countryIsoCode', 'country_iso_code'),
      ...optionalText('region', 'region'),
      ...optionalNumber('pue', optional('pue', parsePue)),
      ...(Object.keys(lastPowerW).length > 0 ? { lastPowerW } : {}),
      ...optionalText('codecarbonVersion', 'codecarbon_version'),
      ...optionalText('trackingMode', 'tracking_mode'),
      ...optionalText('os', 'os'),
      ...optionalText('cpuModel', 'cpu_model'),
      ...optionalNumber('cpuCount', optional('cpu_count')),
      ...optionalText('gpuModel', 'gpu_model'),
      ...optionalNumber('gpuCount', optional('gpu_count')),
      ...optionalText('cloudProvider', 'cloud_provider'),
      ...optionalText('cloudRegion', 'cloud_region'),
      rowsInRun: 1,
    };

    const key = runId === undefined || opts.rows === 'all' ? undefined : `${taskName ?? ''}\u0000${runId}`;
    const prevIndex = key === undefined ? undefined : byRun.get(key);
    if (key === undefined || prevIndex === undefined) {
      if (key !== undefined) byRun.set(key, records.length);
      records.push(record);
      continue;
    }
    const prev = records[prevIndex]!;
    // Rows of one run are cumulative snapshots: a later one cannot hold less.
    if (durationS < prev.durationS) throw errors.nonMonotonic(where('duration'), prev.durationS, durationS);
    if (record.energyJ < prev.energyJ) {
      throw errors.invalidValue(
        where('energy_consumed'),
        `cumulative energy of run ${quote(runId ?? '')} decreased from ${energyKwh} kWh after line ${prev.source.line}`,
      );
    }
    records[prevIndex] = { ...record, rowsInRun: prev.rowsInRun + 1 };
  }
  if (records.length === 0) throw errors.headerOnly(file ?? '(input)');
  return records;
}

function nonNegative(raw: string, where: Where): number {
  const v = parseDecimal(raw, where);
  if (!Number.isFinite(v)) throw errors.invalidValue(where, `value ${v} is not finite`);
  if (v < 0) throw errors.invalidValue(where, `negative value ${v}`);
  return v;
}

/** `2024-04-13T21:30:53` (local, zone from options), with optional fraction and `Z`/`±HH:MM`. */
function parseIsoTimestamp(raw: string, toEpochMs: CivilToEpochMs, where: Where): number {
  const parts = isoTimeParts(raw);
  const ms = parts === undefined ? undefined : isoEpochMs(parts, toEpochMs);
  if (ms === undefined) throw errors.parse(where, `not an ISO timestamp: ${quote(raw)} (expected YYYY-MM-DDTHH:MM:SS)`);
  return ms;
}
