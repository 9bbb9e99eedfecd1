/**
 * The tables behind the figures, as plain cells: the HTML formats them for reading, the CSV
 * files keep every digit. Units are in the column keys (`_j`, `_mg`, `_ms`, ...). Pure.
 */
import type { ReportData } from './data.js';
import { csvText } from '../csv-text.js';

export type Cell = string | number | null;

export interface TableColumn {
  /** Machine name (CSV header), with its unit as a suffix. */
  readonly key: string;
  /** Reader's header, with its unit. */
  readonly header: string;
  /** Significant digits shown in the HTML (numbers only; CSV keeps them all). */
  readonly digits?: number;
}

export interface ReportTable {
  readonly id: string;
  readonly title: string;
  readonly columns: readonly TableColumn[];
  readonly rows: readonly (readonly Cell[])[];
}

const mg = (g: number | undefined): Cell => (g === undefined ? null : g * 1000);
const opt = (x: number | undefined): Cell => x ?? null;

function resultsTable(data: ReportData): ReportTable {
  const columns: TableColumn[] = [
    { key: 'device', header: 'device' },
    { key: 'power', header: 'power' },
    { key: 'scenario', header: 'scenario' },
    { key: 'qc', header: 'QC' },
    { key: 'runs', header: 'runs' },
    { key: 'duration_s', header: 'duration (s)', digits: 4 },
    { key: 'energy_j', header: 'energy (J)', digits: 4 },
    { key: 'energy_sd_j', header: 'energy sd (J)', digits: 3 },
    { key: 'mean_power_w', header: 'mean power (W)', digits: 4 },
    { key: 'compute_energy_j', header: 'compute-phase energy (J)', digits: 4 },
    { key: 'gwp_mg', header: 'GWP (mg CO2e)', digits: 4 },
    { key: 'gwp_min_mg', header: 'GWP min (mg)', digits: 4 },
    { key: 'gwp_max_mg', header: 'GWP max (mg)', digits: 4 },
    { key: 'operational_mg', header: 'operational (mg)', digits: 4 },
    { key: 'embodied_mg', header: 'embodied (mg)', digits: 3 },
    { key: 'embodied_share', header: 'embodied share', digits: 3 },
    { key: 'gwp_per_query_mg', header: 'GWP per query (mg)', digits: 4 },
    { key: 'max_latency_ms', header: 'max latency (ms)', digits: 4 },
    { key: 'p90_latency_ms', header: 'p90 latency (ms)', digits: 4 },
    { key: 'latency_runs', header: 'latency runs' },
  ];
  const rows = data.rows.map((r): Cell[] => {
    const i = r.impact;
    return [
      r.series,
      r.provenance,
      r.scenario || null,
      r.queryCount,
      opt(r.energy?.runs),
      opt(r.energy?.durationS),
      opt(r.energy?.energyJ),
      opt(r.energy?.energySdJ),
      opt(r.energy?.meanPowerW),
      opt(r.compute?.energyJ),
      mg(i?.gwpG.mean),
      mg(i?.gwpG.min),
      mg(i?.gwpG.max),
      mg(i?.operationalG.mean),
      mg(i?.embodiedG.mean),
      i && i.gwpG.mean > 0 ? i.embodiedG.mean / i.gwpG.mean : null,
      mg(r.gwpPerQueryG?.mean),
      opt(r.latency?.maxLatencyMs),
      opt(r.latency?.p90LatencyMs),
      opt(r.latency?.runs),
    ];
  });
  return { id: 'results', title: 'Energy, GWP and latency per device and query count', columns, rows };
}

function hardwareTable(data: ReportData): ReportTable {
  const columns: TableColumn[] = [
    { key: 'id', header: 'hardware' },
    { key: 'name', header: 'name' },
    { key: 'category', header: 'category' },
    { key: 'die_area_mm2', header: 'die (mm²)' },
    { key: 'tech_node_nm', header: 'node (nm)' },
    { key: 'year', header: 'year' },
    { key: 'memory_gb', header: 'memory (GB)' },
    { key: 'memory_type', header: 'memory type' },
    { key: 'candidates', header: 'IC factors' },
    { key: 'processor_kg', header: 'processor (kg CO2e)', digits: 4 },
    { key: 'memory_kg', header: 'memory (kg CO2e)', digits: 4 },
    { key: 'total_kg', header: 'total (kg CO2e)', digits: 4 },
    { key: 'total_min_kg', header: 'min (kg)', digits: 4 },
    { key: 'total_max_kg', header: 'max (kg)', digits: 4 },
    { key: 'in_report', header: 'in this report' },
  ];
  const rows = data.hardware.map((h): Cell[] => [
    h.id,
    h.name,
    h.category,
    h.dieAreaMm2,
    h.techNodeNm,
    h.year,
    h.memoryGb,
    h.memoryType,
    h.candidates,
    h.processorKg.mean,
    h.memoryKg,
    h.totalKg.mean,
    h.totalKg.min,
    h.totalKg.max,
    h.inReport ? 'yes' : '',
  ]);
  return { id: 'hardware', title: `Manufacturing footprint per hardware (${data.hardwareModel})`, columns, rows };
}

function parametersTable(data: ReportData): ReportTable {
  const columns: TableColumn[] = [
    { key: 'device', header: 'device' },
    { key: 'parameter', header: 'parameter' },
    { key: 'value', header: 'value', digits: 6 },
    { key: 'min', header: 'min', digits: 6 },
    { key: 'max', header: 'max', digits: 6 },
    { key: 'unit', header: 'unit' },
    { key: 'origin', header: 'origin' },
    { key: 'year', header: 'year' },
    { key: 'source', header: 'source' },
    { key: 'why', header: 'why' },
  ];
  // Lifetimes are stored in seconds; people read them in hours.
  const rows = data.parameters.flatMap((p) =>
    p.used.map((u): Cell[] => {
      const h = u.unit === 's' ? (x: number | string | undefined): Cell => (typeof x === 'number' ? x / 3600 : (x ?? null)) : (x: number | string | undefined): Cell => x ?? null;
      return [p.device, u.name, h(u.value), h(u.min), h(u.max), u.unit === 's' ? 'h' : u.unit, u.origin, u.year, u.source, u.why];
    }),
  );
  return { id: 'parameters', title: 'Parameters and their sources', columns, rows };
}

export function reportTables(data: ReportData): ReportTable[] {
  return [resultsTable(data), hardwareTable(data), parametersTable(data)];
}

/** RFC 4180 CSV: a header line, then one line per row; empty cell for null. */
export function tableCsv(table: Pick<ReportTable, 'columns' | 'rows'>): string {
  return csvText(
    table.columns.map((c) => c.key),
    table.rows,
  );
}

/** The inline data of a figure's spec as a table (the union of the record keys, in first-seen order). */
export function figureDataTable(spec: Record<string, unknown>): Pick<ReportTable, 'columns' | 'rows'> {
  const data = spec.data as { values?: unknown } | undefined;
  const values = Array.isArray(data?.values) ? (data.values as Record<string, unknown>[]) : [];
  const keys: string[] = [];
  for (const v of values) for (const k of Object.keys(v)) if (!keys.includes(k)) keys.push(k);
  const toCell = (x: unknown): Cell => (typeof x === 'number' || typeof x === 'string' ? x : typeof x === 'boolean' ? String(x) : null);
  return { columns: keys.map((k) => ({ key: k, header: k })), rows: values.map((v) => keys.map((k) => toCell(v[k]))) };
}
