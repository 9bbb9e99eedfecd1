/**
 * The advisor's answer as report tables (plain cells: the HTML formats them, the CSV files keep
 * every digit): the deployments as `inferprint advise` prints them, the footprint split behind
 * the stacked bars, the study's rows, the pairwise comparisons, the break-even crossings, and
 * every input with its range, origin and source. Pure.
 */
import type { AdviceResult } from '../advise/advise.js';
import { breakEvenAxes, type BreakEven } from '../advise/break-even.js';
import { sloWord } from '../advise/format.js';
import type { Cell, ReportTable } from './tables.js';

function deploymentsTable(r: AdviceResult): ReportTable {
  const w = r.workload;
  return {
    id: 'deployments',
    title: 'Deployments',
    columns: [
      { key: 'deployment', header: 'deployment' },
      { key: 'hardware', header: 'hardware' },
      { key: 'placement', header: 'placement' },
      { key: 'devices', header: 'devices', digits: 6 },
      { key: 'devices_p5', header: 'devices P5', digits: 6 },
      { key: 'devices_p95', header: 'devices P95', digits: 6 },
      { key: 'utilisation_mean', header: 'utilisation mean', digits: 4 },
      { key: 'utilisation_peak', header: 'utilisation peak', digits: 4 },
      { key: 'latency_ms', header: `p${w.slo.percentile} latency (ms)`, digits: 4 },
      { key: 'slo_met', header: `met (≤ ${w.slo.latency_ms} ms)` },
      { key: 'kwh_per_year', header: 'kWh/year', digits: 4 },
      { key: 'operational_kg', header: 'operational (kg)', digits: 4 },
      { key: 'embodied_kg', header: 'embodied (kg)', digits: 4 },
      { key: 'total_kg', header: 'total (kg)', digits: 4 },
      { key: 'total_p5_kg', header: 'total P5 (kg)', digits: 4 },
      { key: 'total_p95_kg', header: 'total P95 (kg)', digits: 4 },
      { key: 'mg_per_query', header: 'mg/query', digits: 4 },
      { key: 'g_per_user_per_year', header: 'g/user/year', digits: 4 },
    ],
    rows: r.deployments.map((d): Cell[] => [
      d.name,
      d.hardware,
      d.placement,
      d.devices.value,
      d.devices.p5,
      d.devices.p95,
      d.utilisation.mean,
      d.utilisation.peak,
      d.latency_ms,
      sloWord(d),
      d.kwh_per_year.value,
      d.operational_kg.value,
      d.embodied_kg.value,
      d.total_kg.value,
      d.total_kg.p5,
      d.total_kg.p95,
      d.mg_per_query.value,
      d.g_per_user_per_year.value,
    ]),
  };
}

function splitTable(r: AdviceResult): ReportTable {
  return {
    id: 'footprint-split',
    title: 'Energy and footprint by cause, over the horizon',
    columns: [
      { key: 'deployment', header: 'deployment' },
      { key: 'energy_idle_kwh', header: 'energy idle (kWh)', digits: 4 },
      { key: 'energy_active_kwh', header: 'energy active (kWh)', digits: 4 },
      { key: 'energy_host_kwh', header: 'energy host (kWh)', digits: 4 },
      { key: 'operational_idle_kg', header: 'operational idle (kg)', digits: 4 },
      { key: 'operational_active_kg', header: 'operational active (kg)', digits: 4 },
      { key: 'operational_host_kg', header: 'operational host (kg)', digits: 4 },
      { key: 'embodied_device_kg', header: 'embodied device (kg)', digits: 4 },
      { key: 'embodied_host_kg', header: 'embodied host (kg)', digits: 4 },
    ],
    rows: r.deployments.map((d): Cell[] => [
      d.name,
      d.energy_split_kwh.idle,
      d.energy_split_kwh.active,
      d.energy_split_kwh.host,
      d.operational_split_kg.idle,
      d.operational_split_kg.active,
      d.operational_split_kg.host,
      d.embodied_split_kg.device,
      d.embodied_split_kg.host,
    ]),
  };
}

function studyTable(r: AdviceResult): ReportTable {
  return {
    id: 'study',
    title: "The study's accounting: each user a device of their own, one run of QC queries per user per day",
    columns: [
      { key: 'deployment', header: 'deployment' },
      { key: 'hardware', header: 'hardware' },
      { key: 'qc', header: 'QC' },
      { key: 'method', header: 'method' },
      { key: 'per_run_mg', header: 'per-run GWP (mg)', digits: 5 },
      { key: 'runs_per_user_per_day', header: 'runs/user/day', digits: 4 },
      { key: 'total_kg', header: 'total (kg)', digits: 4 },
      { key: 'mg_per_query', header: 'mg/query', digits: 4 },
      { key: 'source', header: 'per-run GWP from' },
    ],
    rows: r.study.map((s): Cell[] => [s.name, s.hardware, s.qc, s.method, s.per_run_mg, s.runs_per_user_per_day, s.total_kg, s.mg_per_query, s.source]),
  };
}

function comparisonsTable(r: AdviceResult): ReportTable {
  return {
    id: 'comparisons',
    title: 'Share of Monte Carlo draws in which one deployment emits less than another',
    columns: [
      { key: 'a', header: 'deployment A' },
      { key: 'b', header: 'deployment B' },
      { key: 'p_a_less', header: 'P(A emits less than B)', digits: 3 },
    ],
    rows: r.comparisons.map((c): Cell[] => [c.a, c.b, c.p_a_less]),
  };
}

function crossingsTable(be: BreakEven): ReportTable {
  const axes = breakEvenAxes(be);
  return {
    id: 'break-even',
    title: 'Where the ranking flips',
    columns: [
      { key: 'axis', header: 'against' },
      { key: 'x', header: 'at', digits: 6 },
      { key: 'lower_below', header: 'lower below' },
      { key: 'lower_above', header: 'lower from there on' },
      { key: 'kind', header: 'kind' },
      { key: 'total_a_kg', header: 'total A (kg)', digits: 5 },
      { key: 'a', header: 'A' },
      { key: 'total_b_kg', header: 'total B (kg)', digits: 5 },
      { key: 'b', header: 'B' },
    ],
    rows: axes.flatMap((a) =>
      a.crossings.map((c): Cell[] => [a.axis === 'queries_per_user_per_day' ? 'queries per user per day' : 'users per device', c.x, c.lowerBelow, c.lowerAbove, c.kind === 'equal' ? 'totals equal' : 'step in one total', c.totalKgA, c.a, c.totalKgB, c.b]),
    ),
  };
}

function inputsTable(r: AdviceResult): ReportTable {
  return {
    id: 'inputs',
    title: 'Every input, with its range and where it came from',
    columns: [
      { key: 'deployment', header: 'deployment' },
      { key: 'input', header: 'input' },
      { key: 'value', header: 'value', digits: 6 },
      { key: 'min', header: 'min', digits: 6 },
      { key: 'max', header: 'max', digits: 6 },
      { key: 'unit', header: 'unit' },
      { key: 'origin', header: 'origin' },
      { key: 'source', header: 'source' },
    ],
    rows: r.deployments.flatMap((d) => d.inputs.map((i): Cell[] => [d.name, i.name, i.value, i.min, i.max, i.unit, i.origin, `${i.source}${i.candidates !== undefined ? ` (${i.candidates} candidates)` : ''}`])),
  };
}

/** The report's tables, in reading order; the study, comparison and break-even tables only when they have rows. */
export function adviseTables(r: AdviceResult, be?: BreakEven): ReportTable[] {
  return [deploymentsTable(r), splitTable(r), studyTable(r), comparisonsTable(r), ...(be ? [crossingsTable(be)] : []), inputsTable(r)].filter(
    (t) => t.rows.length > 0 || t.id === 'deployments' || t.id === 'inputs',
  );
}
