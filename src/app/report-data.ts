/**
 * `loadReportData`, the I/O side of the report (an app task: it runs `analyze` and reads files;
 * `src/report/` only renders what it returns): `analyze` for the numbers, the same input
 * discovery again for the traces behind the power profiles (read one group at a time, so
 * memory stays that of one group), and the hardware database for the embodied breakdown.
 */
import { join } from 'node:path';
import type { AnalysisRow, RunTrace } from '../analysis/types.js';
import { errors, isInferprintError } from '../errors.js';
import { perQuery } from '../impact/lca.js';
import { readRunManifest } from '../runs/io/bundle.js';
import { TRACE_FILE } from '../runs/manifest.js';
import { readSeriesParquet, withDuckDB } from '../runs/io/parquet.js';
import { meanProfile } from '../traces/profile.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { analyze, parameterKey } from './analyze.js';
import { discoverInputs, type RunGroup } from './inputs.js';
import {
  REPORT_DATA_SCHEMA,
  type PowerProfileData,
  type ProfileWindow,
  type ReportData,
  type ReportRow,
  type ReportSeries,
} from '../report/data.js';
import { HARDWARE_FIGURE_MODEL, hardwareFootprints } from '../report/hardware-footprints.js';
import { describeMethods } from '../report/methods.js';
import { sortSeries } from '../report/palette.js';

/** Grid points of a plotted profile: about one per pixel of a print-size panel. */
const PROFILE_POINTS = 200;
/** Windows marked on profiles, in drawing order, when every run of a group recorded them. */
const PHASE_WINDOWS = ['idle-before', 'load', 'compute', 'idle-after'] as const;

export interface LoadReportDataOptions {
  readonly paths: readonly string[];
  readonly method?: 'thesis' | 'trapezoid';
  /** Grid zone or gCO2e/kWh, as `analyze --grid`. */
  readonly grid?: string;
  /** Progress of the analysis and of the profiles: `done` of `total` steps. */
  readonly onProgress?: (done: number, total: number, label: string) => void;
  /** Clock for `generatedAt`. */
  readonly now?: () => Date;
}

/** Analyse the paths and gather everything a report shows. Throws coded errors (NO_DATA, NOT_FOUND, ...). */
export async function loadReportData(opts: LoadReportDataOptions): Promise<ReportData> {
  const method = opts.method ?? 'trapezoid';
  const result = analyze({
    paths: opts.paths,
    method,
    ...(opts.grid !== undefined ? { grid: opts.grid } : {}),
    ...(opts.onProgress ? { onProgress: (d: number, t: number, l: string) => opts.onProgress?.(d, 2 * t, d === t ? 'profiles' : l) } : {}),
  });
  const found = discoverInputs(opts.paths, {});
  // analyze returns one row per discovered group, in discovery order: the two line up.
  if (found.groups.length !== result.rows.length) throw errors.internal(`analysis gave ${result.rows.length} rows for ${found.groups.length} groups`);
  const names = seriesNames(found.groups);
  const notes = [...result.notes];

  const profiles: PowerProfileData[] = [];
  const total = 2 * found.groups.length;
  for (const [i, g] of found.groups.entries()) {
    opts.onProgress?.(found.groups.length + i, total, `profile ${names[i]!} QC ${g.queryCount ?? '-'}`);
    profiles.push(...(await groupProfiles(g, names[i]!, notes)));
  }
  opts.onProgress?.(total, total, 'done');

  const rows = result.rows.map((r, i) => reportRow(r, names[i]!));
  const seriesByName = new Map<string, ReportSeries>();
  found.groups.forEach((g, i) => {
    const name = names[i]!;
    if (seriesByName.has(name)) return;
    seriesByName.set(name, {
      name,
      hardwareId: g.hardware?.id ?? '',
      hardwareName: g.hardware?.name ?? '',
      category: g.hardware?.category ?? '',
      version: g.version,
      datasetTag: g.datasetTag,
    });
  });
  const series = sortSeries(seriesByName.keys()).map((n) => seriesByName.get(n)!);
  const order = new Map(series.map((s, i) => [s.name, i]));
  rows.sort((a, b) => order.get(a.series)! - order.get(b.series)! || (a.queryCount ?? -1) - (b.queryCount ?? -1));
  profiles.sort((a, b) => order.get(a.series)! - order.get(b.series)! || (a.queryCount ?? -1) - (b.queryCount ?? -1) || a.phase.localeCompare(b.phase));

  const inReport = new Set(series.map((s) => s.hardwareId).filter((id) => id !== ''));
  const embodiedSources = result.rows.flatMap((r) => r.impact?.params.embodied.sources ?? []);
  const parameters = parametersBySeries(result.parameters, found.groups, names).sort((a, b) => (order.get(a.device) ?? order.size) - (order.get(b.device) ?? order.size));
  return {
    schema: REPORT_DATA_SCHEMA,
    title: 'Inference footprint report',
    generatedAt: (opts.now ?? (() => new Date()))().toISOString(),
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    method,
    inputs: result.inputs,
    series,
    rows,
    profiles,
    hardware: hardwareFootprints(inReport),
    hardwareModel: HARDWARE_FIGURE_MODEL,
    parameters,
    methods: describeMethods({
      method,
      embodiedModels: result.rows.flatMap((r) => (r.impact ? [r.impact.params.embodied.model] : [])),
      parameters,
      embodiedSources,
      profilePoints: PROFILE_POINTS,
    }),
    skipped: result.skipped,
    notes,
  };
}

/**
 * A series per hardware × version; when one of those covers several dataset tags or
 * scenarios (two campaigns of one device), the differing part is added in brackets.
 */
function seriesNames(groups: readonly Pick<RunGroup, 'hardware' | 'datasetTag' | 'version' | 'scenario' | 'provenance'>[]): string[] {
  // A series whose power was not measured says so in its name, so every figure and table shows it.
  const basis = (g: (typeof groups)[number]): string => (g.provenance === 'estimated' || g.provenance === 'replayed' || g.provenance === 'mixed' ? ` (${g.provenance.toUpperCase()})` : '');
  const base = (g: (typeof groups)[number]): string => `${g.hardware?.id || g.datasetTag || 'unknown device'}${g.version ? ` ${g.version}` : ''}${basis(g)}`;
  const tags = new Map<string, Set<string>>();
  const scenarios = new Map<string, Set<string>>();
  for (const g of groups) {
    const b = base(g);
    (tags.get(b) ?? tags.set(b, new Set()).get(b)!).add(g.datasetTag);
    (scenarios.get(b) ?? scenarios.set(b, new Set()).get(b)!).add(g.scenario);
  }
  return groups.map((g) => {
    const b = base(g);
    const parts: string[] = [];
    if (tags.get(b)!.size > 1) parts.push(g.datasetTag || 'runs');
    if (scenarios.get(b)!.size > 1) parts.push(g.scenario || 'no scenario');
    return parts.length > 0 ? `${b} (${parts.join(', ')})` : b;
  });
}

/**
 * `analyze` names the parameters of a device by its dataset tag and version (`orin v4.1`);
 * the report names them as the series they belong to (`AGX-Orin v4.1`), so the table and the
 * methods text use the names, and colours, of the figures. An entry shared by several series
 * (one device run under two scenarios) is given to each. Sorted by the caller, in series order.
 */
function parametersBySeries(parameters: ReportData['parameters'], groups: readonly RunGroup[], names: readonly string[]): ReportData['parameters'][number][] {
  const seriesOf = new Map<string, string[]>();
  groups.forEach((g, i) => {
    const key = parameterKey(g);
    if (key === undefined) return;
    const list = seriesOf.get(key) ?? seriesOf.set(key, []).get(key)!;
    if (!list.includes(names[i]!)) list.push(names[i]!);
  });
  return parameters.flatMap((p) => (seriesOf.get(p.device) ?? [p.device]).map((device) => ({ device, used: p.used })));
}

function reportRow(r: AnalysisRow, series: string): ReportRow {
  const i = r.impact;
  const qc = r.queryCount;
  return {
    series,
    hardwareId: r.device,
    datasetTag: r.datasetTag,
    version: r.version,
    scenario: r.scenario,
    queryCount: qc ?? null,
    method: r.method,
    provenance: r.provenance,
    ...(r.energy ? { energy: r.energy } : {}),
    ...(r.compute ? { compute: r.compute } : {}),
    ...(i
      ? {
          impact: {
            model: i.model,
            energyKwh: i.energyKwh,
            allocation: i.allocation,
            operationalG: i.operationalG,
            embodiedG: i.embodiedG,
            gwpG: i.gwpG,
            perCandidateG: i.perCandidateG,
            gridGPerKwh: i.params.gridGPerKwh.value,
            pue: i.params.pue.value,
            lifetimeS: i.params.lifetimeS.value,
            embodiedModel: i.params.embodied.model,
            embodiedKg: { mean: i.params.embodied.meanKg, min: i.params.embodied.minKg, max: i.params.embodied.maxKg },
          },
        }
      : {}),
    ...(i && qc !== undefined && qc > 0 ? { gwpPerQueryG: perQuery(i, qc) } : {}),
    ...(r.gwpCi95G ? { gwpCi95G: r.gwpCi95G } : {}),
    ...(r.latency ? { latency: r.latency } : {}),
    ...(r.llm ? { llm: r.llm } : {}),
  };
}

// ── profiles ───────────────────────────────────────────────────────────────────────

async function groupProfiles(g: RunGroup, series: string, notes: string[]): Promise<PowerProfileData[]> {
  const out: PowerProfileData[] = [];
  const add = (phase: 'full' | 'compute', runs: readonly RunTrace[], windows: readonly ProfileWindow[]): void => {
    const p = profileOf(runs, `${series} QC ${g.queryCount ?? '-'} (${phase})`, notes);
    if (p) out.push({ series, queryCount: g.queryCount ?? null, phase, ...p, windows });
  };
  if (g.runs && g.runs.length > 0) add('full', g.runs.map((r) => r.load()), []);
  if (g.computeRuns && g.computeRuns.length > 0) add('compute', g.computeRuns.map((r) => r.load()), []);
  if (!g.runs && g.bundleDirs && g.bundleDirs.length > 0) {
    const { runs, windows } = await readBundleRuns(g.bundleDirs);
    if (runs.length > 0) add('full', runs, windows);
  }
  return out;
}

function profileOf(runs: readonly RunTrace[], what: string, notes: string[]): Omit<PowerProfileData, 'series' | 'queryCount' | 'phase' | 'windows'> | undefined {
  try {
    const p = meanProfile(runs, { points: PROFILE_POINTS, window: 'intersection' });
    return {
      runs: p.runs,
      tS: Array.from(p.gridS),
      meanW: Array.from(p.meanW),
      sdW: Array.from(p.sdW, (v) => (Number.isNaN(v) ? null : v)),
    };
  } catch (e) {
    // A group whose runs share no time span still has its numbers; only its curve is left out.
    if (!isInferprintError(e)) throw e;
    notes.push(`no power profile for ${what}: ${e.detail}`);
    return undefined;
  }
}

/** The primary channel of each bundle and the phase windows every one of them recorded. */
async function readBundleRuns(dirs: readonly string[]): Promise<{ runs: RunTrace[]; windows: ProfileWindow[] }> {
  const manifests = await Promise.all(dirs.map((d) => readRunManifest(d)));
  const runs = await withDuckDB(async (con) => {
    const list: RunTrace[] = [];
    for (const [k, dir] of dirs.entries()) {
      const m = manifests[k]!;
      const trace = await readSeriesParquet(con, join(dir, TRACE_FILE), 'watts');
      const s = trace.find((c) => c.name === m.sensor?.primaryChannel);
      if (s && s.tS.length >= 2) list.push({ id: m.id, tS: s.tS, powerW: s.values });
    }
    return list;
  });
  const windows: ProfileWindow[] = [];
  for (const name of PHASE_WINDOWS) {
    const spans = manifests.map((m) => m.windows.find((w) => w.name === name));
    if (spans.length === 0 || spans.some((w) => w === undefined)) continue;
    const mean = (f: (w: { t0S: number; t1S: number }) => number): number => spans.reduce((s, w) => s + f(w!), 0) / spans.length;
    windows.push({ name, t0S: mean((w) => w.t0S), t1S: mean((w) => w.t1S) });
  }
  return { runs, windows };
}
