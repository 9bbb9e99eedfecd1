import { errors } from '../errors.js';
import type { HardwareSpec } from '../impact/hardware.js';
import { computeImpact, perQuery, type ImpactParams } from '../impact/lca.js';
import { rangeSpans, resolveImpactParams, type DefaultUsed, type ImpactOptions, type PresetId } from '../impact/presets.js';
import { effectiveSettings } from '../runs/run-impact.js';
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
  const warnings: string[] = [];
  let done = 0;
  for (const g of found.groups) {
    opts.onProgress?.(done, found.groups.length, `${g.datasetTag || (g.hardware?.id ?? '')} ${g.version} ${g.llm ? (g.llm.runs[0]?.level.name ?? '') : `QC ${g.queryCount ?? '-'}`}`);
    const resolved = g.hardware ? impactParamsFor(g.hardware, g, opts) : undefined;
    const key = parameterKey(g);
    if (resolved && key !== undefined) {
      // Runs of one device recorded with other parameters (another grid, say) get their own entry.
      const same = (u: readonly DefaultUsed[]) => JSON.stringify(u) === JSON.stringify(resolved.used);
      let k = key;
      for (let n = 2; parameters.has(k) && !same(parameters.get(k)!); n++) k = `${key} (${n})`;
      parameters.set(k, resolved.used);
    }
    rows.push({ ...analyzeGroup(g, opts.method, resolved?.params, warnings), ...(resolved ? { preset: resolved.preset, parameters: resolved.used } : {}) });
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
  if (rows.some((r) => r.energy && !r.impact)) notes.push('some runs name no hardware in the database: energy shown, no GWP (their embodied part is unknown)');
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
    parameters: [...parameters].map(([device, used]) => ({ device, used })),
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

function analyzeGroup(g: RunGroup, method: EnergyMethod, params: ImpactParams | undefined, warnings: string[]): AnalysisRow {
  // A served-LLM level's energy is its windows' (per-run energies): the study's method, made for whole-run traces, does not apply.
  const row = analyzeEnergy(g, g.llm ? 'trapezoid' : method, params, warnings);
  if (!g.llm) return row;
  // A served-LLM level: its energy is that of its steady-state windows; per 1 000 of the tokens generated in them.
  const stats = aggregateLevel(g.llm.model, g.llm.api, g.llm.runs, g.llm.limits);
  const i = row.impact;
  const parts = i ? { gwp: i.gwpG.mean, operational: i.operationalG.mean, embodied: i.embodiedG.mean } : undefined;
  return { ...row, llm: per1kTokens(stats, g.energies?.length ?? 0, parts) };
}

function analyzeEnergy(g: RunGroup, method: EnergyMethod, params: ImpactParams | undefined, warnings: string[]): AnalysisRow {
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
  // Without known hardware there is no embodied part to allocate: energy only, and a note says so.
  if (!params) return { ...base, energy, ...phases };
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
