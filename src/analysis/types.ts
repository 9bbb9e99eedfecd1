import type { ImpactResult } from '../impact/lca.js';
import type { DefaultUsed, PresetId } from '../impact/presets.js';
import type { PowerBasis } from '../traces/provenance.js';
import type { LlmAnalysis } from '../llm/core/aggregate.js';

/** How energy was derived from the traces. */
export type EnergyMethod = 'thesis' | 'trapezoid';

/** The energy methods there are (`analyze --method`, `report --method`, `analyze()`). */
export const ENERGY_METHODS: readonly EnergyMethod[] = ['thesis', 'trapezoid'];

/** One power run as the analysis sees it: W over s, already converted at import. */
export interface RunTrace {
  readonly id: string;
  readonly tS: ArrayLike<number>;
  readonly powerW: ArrayLike<number>;
}

/** One latency observation from an MLPerf summary. */
export interface LatencyObservation {
  readonly queryCount: number;
  readonly maxLatencyNs: number;
  readonly p90LatencyNs?: number;
  readonly meanLatencyNs?: number;
}

export interface LatencyStats {
  readonly runs: number;
  readonly maxLatencyMs: number;
  readonly p90LatencyMs?: number;
  readonly meanLatencyMs?: number;
}

export interface EnergyStats {
  readonly runs: number;
  readonly durationS: number;
  readonly energyJ: number;
  readonly energySdJ?: number;
  readonly energyCi95J?: { readonly lo: number; readonly hi: number };
  readonly meanPowerW: number;
  /** Sampling gaps found in the runs (count of intervals far above the median). */
  readonly gaps: number;
}

/** The parameters one device's rows were computed with (source, year and why of each). */
export interface DeviceParameters {
  readonly device: string;
  readonly used: readonly DefaultUsed[];
}

/**
 * One row of `inferprint analyze`: a device × version × scenario × query count. Energy
 * covers whole runs (engine load + LoadGen test + teardown); `compute` covers the
 * compute-intensive phase where the data have it (the study's CI runs).
 */
export interface AnalysisRow {
  readonly datasetTag: string;
  readonly version: string;
  readonly device: string;
  readonly scenario: string;
  /** Undefined when the input does not say (a power file without a query count). */
  readonly queryCount: number | undefined;
  readonly method: EnergyMethod;
  /** The device as every table names it: the hardware database's id, else the dataset's tag. */
  readonly displayName: string;
  /** Where the power behind the energy came from; null for latency-only rows. */
  readonly provenance: PowerBasis | null;
  /** The parameter preset and every parameter the impact (or the operational part alone) used, with origin and source; absent without either. */
  readonly preset?: PresetId;
  readonly parameters?: readonly DefaultUsed[];
  /** Absent for latency-only inputs (MLPerf logs without power traces). */
  readonly energy?: EnergyStats;
  readonly impact?: ImpactResult;
  /**
   * The operational part alone (E × grid × PUE, g), when the runs name no hardware the
   * database knows, so that no embodied part can be allocated: the figure `runs list` shows
   * with scope `operational only`. Absent when `impact` is there, and without energy.
   */
  readonly operationalOnly?: { readonly gwpG: number; readonly reason: string };
  /** GWP per query (mean), g: of the full LCA, else of the operational part alone. */
  readonly gwpPerQueryG?: number;
  readonly gwpCi95G?: { readonly lo: number; readonly hi: number };
  /** The compute phase alone, from separate runs that measured only it. */
  readonly compute?: EnergyStats;
  /**
   * Whole-run minus compute-phase mean energy: model and data loading plus teardown. An
   * estimate, since the two come from different runs.
   */
  readonly nonComputeEnergyJ?: number;
  readonly latency?: LatencyStats;
  /** A served-LLM load level (`bench --sut openai|ollama`): energy is then that of its steady-state windows. */
  readonly llm?: LlmAnalysis;
}
