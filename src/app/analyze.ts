import { errors } from '../errors.js';
import type { HardwareSpec } from '../impact/hardware.js';
import { computeImpact, perQuery, type ImpactParams } from '../impact/lca.js';
import { rangeSpans, resolveImpactParams, type DefaultUsed, type ImpactOptions, type ImpactSettings, type PresetId } from '../impact/presets.js';
import { assessOperational, effectiveSettings, OPERATIONAL_ONLY_REASON, type ImpactOverrides } from '../runs/run-impact.js';
import { thesisEnergy } from '../analysis/thesis-2025.js';
import { summarizeRuns, type PerRunEnergy } from '../analysis/trapezoid.js';
import { ENERGY_METHODS, type AnalysisRow, type DeviceParameters, type EnergyMethod, type EnergyStats } from '../analysis/types.js';
import { runWarnings, traceFacts, type RunFacts } from '../traces/plausibility.js';
import { summarize } from '../traces/stats.js';
import type { Skipped } from '../io/thesis-dataset.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { discoverInputs, type FileOptions, type RunGroup } from './inputs.js';
import { aggregateLevel, per1kTokens } from '../llm/core/aggregate.js';

export interface AnalyzeOptions extends FileOptions {
  readonly paths: readonly string[];
  readonly method: EnergyMethod;
  /**
   * Parameter preset; default: what the data were recorded with (the study's data: `thesis-2025`,
   * bundles: their own), `thesis-2025` with the thesis method, else `default`.
   */
  readonly preset?: PresetId;
  /** Grid zone or a number in gCO2e/kWh; default: what the data were recorded with, else the preset's. */
  readonly grid?: string;
  readonly pue?: 'auto' | number;
  readonly lifetimeS?: number;
  readonly embodiedModel?: ImpactOptions['embodiedModel'];
  readonly onProgress?: (done: number, total: number, label: string) => void;
}

export interface AnalyzeResult {
  readonly tool: { readonly name: string; readonly version: string };
  readonly method: EnergyMethod;
  readonly inputs: readonly string[];
  readonly rows: readonly AnalysisRow[];
  /** What the min–max range of the rows spans (embodied candidates, and every ranged parameter). */
  readonly rangeSpans: readonly string[];
  /** Parameters used, per device, with source, year and why (every result shows its defaults). */
  readonly parameters: readonly DeviceParameters[];
  readonly skipped: readonly Skipped[];
  readonly notes: readonly string[];
  /**
   * Data no working device produces (a zero energy, a peak far above the board power, ...),
   * one line each naming the run and the likely cause (traces/plausibility.ts). Also in
   * `notes`, so every consumer that shows notes shows them.
   */
  readonly warnings: readonly string[];
}

/**
 * The application layer of `inferprint analyze`: discover the inputs, load one group of
 * runs at a time through the importers, run the pure energy and impact methods, and
 * return one row per device × version × scenario × query count × phase.
 */
export function analyze(opts: AnalyzeOptions): AnalyzeResult {
  if (!(ENERGY_METHODS as readonly string[]).includes(opts.method)) {
    throw errors.invalidValue({ field: 'method' }, `unknown energy method ${JSON.stringify(opts.method)} (expected ${ENERGY_METHODS.join(' or ')})`);
  }
  const found = discoverInputs(opts.paths, opts);
  if (found.groups.length === 0) {
    // With nothing left, why each input was skipped is the whole answer: say it, detail included.
    const why = found.skipped.length ? ` (skipped: ${found.skipped.map((s) => (s.detail !== undefined ? `${s.reason}: ${s.detail}` : s.reason)).join('; ')})` : '';
    throw errors.noData(`no runs found in ${opts.paths.join(', ')}${why}`);
  }
  const rows: AnalysisRow[] = [];
  const parameters = new Map<string, DefaultUsed[]>();
  // Parameters of rows without known hardware (operational only), rows that used the same ones
  // together: listed, but they span no min–max (those rows have none).
  const operationalParameters = new Map<string, { names: string[]; used: readonly DefaultUsed[] }>();
  const warnings: string[] = [];
  let done = 0;
  /** Runs of one device recorded with other parameters (another grid, say) get their own entry. */
  const list = (into: Map<string, DefaultUsed[]>, key: string, used: readonly DefaultUsed[]) => {
    const same = (u: readonly DefaultUsed[]) => JSON.stringify(u) === JSON.stringify(used);
    let k = key;
    for (let n = 2; into.has(k) && !same(into.get(k)!); n++) k = `${key} (${n})`;
    into.set(k, [...used]);
  };
  for (const g of found.groups) {
    opts.onProgress?.(done, found.groups.length, `${g.datasetTag || (g.hardware?.id ?? '')} ${g.version} ${g.llm ? (g.llm.runs[0]?.level.name ?? '') : `QC ${g.queryCount ?? '-'}`}`);
    const resolved = g.hardware ? impactParamsFor(g.hardware, g, opts) : undefined;
    const key = parameterKey(g);
    if (resolved && key !== undefined) list(parameters, key, resolved.used);
    const row = analyzeGroup(g, opts.method, resolved ? { kind: 'full', params: resolved.params } : { kind: 'operational', recorded: g.recorded ?? { preset: 'default' }, overrides: overridesOf(opts) }, warnings);
    if (row.operationalOnly && row.parameters) {
      const name = g.datasetTag ? `${g.datasetTag} ${g.version}`.trim() : 'unknown hardware';
      const k = JSON.stringify(row.parameters);
      const entry = operationalParameters.get(k) ?? operationalParameters.set(k, { names: [], used: row.parameters }).get(k)!;
      if (!entry.names.includes(name)) entry.names.push(name);
    }
    rows.push({ ...row, ...(resolved ? { preset: resolved.preset, parameters: resolved.used } : {}) });
    done++;
  }
  opts.onProgress?.(done, found.groups.length, 'done');
  const gaps = rows.reduce((n, r) => n + (r.energy?.gaps ?? 0), 0);
  const notes = [...found.notes];
  const estimated = rows.filter((r) => r.provenance === 'estimated' || r.provenance === 'mixed' || r.provenance === 'replayed');
  if (estimated.length > 0) {
    notes.push(
      `${estimated.length} row(s) rest on power that was not measured on the hardware (column 'power': estimated by a model, replayed from a recording, or mixed): read their energy and GWP as estimates`,
    );
  }
  if (rows.some((r) => r.operationalOnly)) {
    notes.push(
      "some rows name no hardware the database knows: their GWP is the operational part alone (scope 'operational only', as runs list gives it; the embodied part is unknown): name the hardware with --device for power files, --device at import or --hardware at measure for runs",
    );
  }
  if (gaps > 0) {
    notes.push(`${gaps} sampling gap(s) (intervals over 5 × the median or the other intervals' mean) were bridged linearly; column 'gaps' says where (--format csv or json)`);
  }
  notes.push(...warnings);
  return {
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    method: opts.method,
    inputs: opts.paths,
    rows,
    rangeSpans: [...new Set([...parameters.values()].flatMap((u) => rangeSpans(u)))],
    parameters: [
      ...[...parameters].map(([device, used]) => ({ device, used })),
      ...[...operationalParameters.values()].map((p) => ({ device: `${p.names.join(', ')} (operational only)`, used: p.used })),
    ],
    skipped: found.skipped,
    notes,
    warnings,
  };
}

/** What tables call a group's device: the hardware database's id (one name per device everywhere), else the dataset's tag. */
export function displayName(g: Pick<RunGroup, 'datasetTag' | 'hardware'>): string {
  return g.hardware?.id ?? (g.datasetTag || '—');
}

/** The device name `parameters` lists a group's parameters under (hardware id and version, as tables name it); none without hardware. */
export function parameterKey(g: Pick<RunGroup, 'datasetTag' | 'hardware' | 'version'>): string | undefined {
  return g.hardware ? `${g.hardware.id} ${g.version}`.trim() : undefined;
}

/**
 * The parameters of a group: the caller's, else those the data were recorded with, else the
 * preset's. `--method thesis` is the study's whole recipe, so it brings the study's preset.
 */
function impactParamsFor(hw: HardwareSpec, g: RunGroup, opts: AnalyzeOptions) {
  const preset = opts.preset ?? (opts.method === 'thesis' ? 'thesis-2025' : undefined);
  const eff = effectiveSettings(g.recorded ?? { preset: 'default' }, preset !== undefined ? { preset } : {});
  return resolveImpactParams({
    preset: eff.preset,
    hardware: hw,
    recorded: eff.recorded,
    ...(opts.grid !== undefined ? { grid: opts.grid } : {}),
    ...(opts.pue !== undefined ? { pue: opts.pue } : {}),
    ...(opts.lifetimeS !== undefined ? { lifetimeS: opts.lifetimeS } : {}),
    ...(opts.embodiedModel !== undefined ? { embodiedModel: opts.embodiedModel } : {}),
  });
}

/** What the flags of `analyze` change over what runs were recorded with (preset, grid, PUE, lifetime, embodied model). */
function overridesOf(opts: AnalyzeOptions): ImpactOverrides {
  return {
    ...(opts.preset !== undefined ? { preset: opts.preset } : opts.method === 'thesis' ? { preset: 'thesis-2025' as const } : {}),
    ...(opts.grid !== undefined ? { grid: opts.grid } : {}),
    ...(opts.pue !== undefined ? { pue: opts.pue } : {}),
    ...(opts.lifetimeS !== undefined ? { lifetimeS: opts.lifetimeS } : {}),
    ...(opts.embodiedModel !== undefined ? { embodiedModel: opts.embodiedModel } : {}),
  };
}

/**
 * How a group's footprint is assessed: the full LCA with the hardware's parameters, or, when
 * the hardware is unknown, the operational part alone with the settings the runs were
 * recorded with and the caller's overrides (`assessOperational`, as runs list assesses a run).
 */
type Assessment =
  | { readonly kind: 'full'; readonly params: ImpactParams }
  | { readonly kind: 'operational'; readonly recorded: ImpactSettings; readonly overrides: ImpactOverrides };

function analyzeGroup(g: RunGroup, method: EnergyMethod, assessment: Assessment, warnings: string[]): AnalysisRow {
  // A served-LLM level's energy is its windows' (per-run energies): the study's method, made for whole-run traces, does not apply.
  const row = analyzeEnergy(g, g.llm ? 'trapezoid' : method, assessment, warnings);
  if (!g.llm) return row;
  // A served-LLM level: its energy is that of its steady-state windows; per 1 000 of the tokens generated in them.
  const stats = aggregateLevel(g.llm.model, g.llm.api, g.llm.runs, g.llm.limits);
  const i = row.impact;
  const parts = i ? { gwp: i.gwpG.mean, operational: i.operationalG.mean, embodied: i.embodiedG.mean } : undefined;
  return { ...row, llm: per1kTokens(stats, g.energies?.length ?? 0, parts) };
}

function analyzeEnergy(g: RunGroup, method: EnergyMethod, assessment: Assessment, warnings: string[]): AnalysisRow {
  const base = {
    datasetTag: g.datasetTag,
    version: g.version,
    device: g.hardware?.id ?? '',
    scenario: g.scenario,
    queryCount: g.queryCount,
    method,
    displayName: displayName(g),
    provenance: g.provenance ?? null,
    ...(g.latency ? { latency: g.latency } : {}),
  };
  let energy: EnergyStats | undefined;
  let perRun: readonly PerRunEnergy[] = [];
  // Every run's facts against the device's bounds (zero energy, a peak far from the TDP): warnings, not refusals.
  const check = (facts: readonly RunFacts[]) => warnings.push(...runWarnings(facts, g.hardware));
  if (g.runs) {
    if (method === 'thesis') {
      const traces = g.runs.map((r) => r.load());
      check(traces.map((t) => traceFacts(t.id, t.tS, t.powerW)));
      energy = thesisEnergy(traces);
    } else {
      perRun = g.runs.map((r) => r.integrate());
      check(perRun);
      energy = summarizeRuns(perRun);
    }
  } else if (g.energies) {
    if (method === 'thesis') throw errors.usage(`${g.source}: the study's method needs power traces; per-run energies (CodeCarbon) work with --method trapezoid`, '--method');
    perRun = g.energies;
    check(perRun);
    energy = summarizeRuns(perRun);
  }
  if (!energy) return base;
  // The study's table is whole runs only; the default method adds the compute phase where measured.
  const compute =
    method !== 'trapezoid'
      ? undefined
      : g.computeRuns
        ? summarizeRuns(checked(g.computeRuns.map((r) => r.integrate()), check))
        : g.computeEnergies && g.computeEnergies.length > 0
          ? summarizeRuns(g.computeEnergies)
          : undefined;
  const phases = compute ? { compute, nonComputeEnergyJ: energy.energyJ - compute.energyJ } : {};
  if (assessment.kind === 'operational') {
    // Without known hardware there is no embodied part to allocate: the operational part alone, as runs list gives it.
    const op = (energyJ: number) => assessOperational(energyJ, assessment.recorded, assessment.overrides);
    const mean = op(energy.energyJ);
    const perRunOp = perRun.length > 0 ? summarize(perRun.map((r) => op(r.energyJ).operationalG)) : undefined;
    return {
      ...base,
      energy,
      operationalOnly: { gwpG: mean.operationalG, reason: OPERATIONAL_ONLY_REASON },
      preset: mean.preset,
      parameters: mean.used,
      ...(g.queryCount !== undefined ? { gwpPerQueryG: mean.operationalG / g.queryCount } : {}),
      ...phases,
      ...(perRunOp?.ci95 ? { gwpCi95G: { lo: perRunOp.ci95.lo, hi: perRunOp.ci95.hi } } : {}),
    };
  }
  const params = assessment.params;
  const impact = computeImpact({ energyJ: energy.energyJ, durationS: energy.durationS, params });
  const perRunGwp = perRun.length > 0 ? summarize(perRun.map((r) => computeImpact({ energyJ: r.energyJ, durationS: r.durationS, params }).gwpG.mean)) : undefined;
  return {
    ...base,
    energy,
    impact,
    ...(g.queryCount !== undefined ? { gwpPerQueryG: perQuery(impact, g.queryCount).mean } : {}),
    ...phases,
    ...(perRunGwp?.ci95 ? { gwpCi95G: { lo: perRunGwp.ci95.lo, hi: perRunGwp.ci95.hi } } : {}),
  };
}

/** Pass runs through a check on the way to the summary. */
function checked<T extends RunFacts>(runs: T[], check: (facts: readonly RunFacts[]) => unknown): T[] {
  check(runs);
  return runs;
}
