/**
 * What a report is made of: the analysis rows, the mean power profiles, the hardware
 * database's embodied breakdown, the parameters and the methods text, as one plain JSON
 * value. The figures (`figures.ts`) and the HTML (`html.ts`) are pure functions of it, so the
 * dashboard can fetch it and draw the same figures.
 *
 * `loadReportData` (load.ts) is the I/O side: it runs `analyze` over the paths (study layout,
 * MLPerf log trees, power files, run bundles or a runs directory) and reads the traces again
 * for the profiles, one group of runs at a time.
 */
import type { PowerBasis } from '../traces/provenance.js';
import type { AnalyzeResult } from '../app/analyze.js';
import type { EnergyMethod, EnergyStats, LatencyStats } from '../analysis/types.js';
import type { EmbodiedModelId } from '../impact/embodied/index.js';
import type { HardwareCategory } from '../impact/hardware.js';
import type { Range } from '../impact/lca.js';
import type { DefaultUsed } from '../impact/presets.js';
import type { Skipped } from '../io/thesis-dataset.js';
import type { MethodsDescription } from './methods.js';
import type { LlmAnalysis } from '../llm/core/aggregate.js';

export const REPORT_DATA_SCHEMA = 'inferprint-report-data/1';

/** One device series: the colour key of every figure. */
export interface ReportSeries {
  /** Display name and colour key: hardware id and version, e.g. `A100 v4.1`. */
  readonly name: string;
  /** Hardware database id; empty when the input named no known hardware. */
  readonly hardwareId: string;
  readonly hardwareName: string;
  readonly category: HardwareCategory | '';
  readonly version: string;
  /** Device tag as the source folder writes it (`orin`), or a run label; may be empty. */
  readonly datasetTag: string;
}

/** The impact of one row, flattened from `ImpactResult` (g CO2e unless named otherwise). */
export interface ReportImpact {
  readonly model: string;
  readonly energyKwh: number;
  readonly allocation: Range;
  readonly operationalG: Range;
  readonly embodiedG: Range;
  readonly gwpG: Range;
  /** GWP with every parameter at its value, one per embodied candidate. */
  readonly perCandidateG: readonly number[];
  readonly gridGPerKwh: number;
  readonly pue: number;
  readonly lifetimeS: number;
  readonly embodiedModel: EmbodiedModelId;
  readonly embodiedKg: Range;
}

/** One device × version × scenario × query count, as `analyze` computed it. */
export interface ReportRow {
  readonly series: string;
  readonly hardwareId: string;
  readonly datasetTag: string;
  readonly version: string;
  readonly scenario: string;
  /** null when the input does not say (a power file without a query count). */
  readonly queryCount: number | null;
  readonly method: EnergyMethod;
  /** Where the power came from: `measured`, `estimated`, `replayed` or `mixed`; null without power. */
  readonly provenance: PowerBasis | null;
  readonly energy?: EnergyStats;
  readonly compute?: EnergyStats;
  readonly impact?: ReportImpact;
  /** The run's GWP divided by its query count: mean and envelope, g. */
  readonly gwpPerQueryG?: Range;
  readonly gwpCi95G?: { readonly lo: number; readonly hi: number };
  readonly latency?: LatencyStats;
  /** A served-LLM load level (scenario `llm-closed` or `llm-poisson`): TTFT/TPOT, J per token, GWP per 1 000 tokens. */
  readonly llm?: LlmAnalysis;
}

/** A named span on a profile's time axis (s), averaged over the runs that recorded it. */
export interface ProfileWindow {
  readonly name: string;
  readonly t0S: number;
  readonly t1S: number;
}

/** Mean power of the repetitions of one series × query count on a common grid. */
export interface PowerProfileData {
  readonly series: string;
  readonly queryCount: number | null;
  /** `full`: whole runs; `compute`: separate runs of the compute phase only (the study's CI runs). */
  readonly phase: 'full' | 'compute';
  readonly runs: number;
  /** Grid times on the runs' own time axis (s since each run started). */
  readonly tS: readonly number[];
  readonly meanW: readonly number[];
  /** Sample standard deviation across runs, W; null where fewer than two runs cover a point. */
  readonly sdW: readonly (number | null)[];
  /** Phases the runs recorded (`compute`, `load`, `idle-before`, ...), when every run has them. */
  readonly windows: readonly ProfileWindow[];
}

/** One device of the hardware database with its manufacturing footprint, split by part. */
export interface HardwareFootprint {
  readonly id: string;
  readonly name: string;
  readonly category: HardwareCategory;
  readonly dieAreaMm2: number;
  readonly techNodeNm: number;
  readonly year: number;
  readonly memoryGb: number;
  readonly memoryType: string;
  readonly model: EmbodiedModelId;
  readonly candidates: number;
  /** Processor (die) part over the IC-factor candidates, kg CO2e. */
  readonly processorKg: Range;
  /** Memory part, kg CO2e: its mean over the candidates (the same for each under die-area-v1). */
  readonly memoryKg: number;
  readonly totalKg: Range;
  /** Whether a series of this report runs on it. */
  readonly inReport: boolean;
}

export interface ReportData {
  readonly schema: typeof REPORT_DATA_SCHEMA;
  readonly title: string;
  /** ISO 8601 UTC time the data were assembled. */
  readonly generatedAt: string;
  readonly tool: { readonly name: string; readonly version: string };
  readonly method: EnergyMethod;
  readonly inputs: readonly string[];
  /** Series sorted by name: the order of the colour palette. */
  readonly series: readonly ReportSeries[];
  readonly rows: readonly ReportRow[];
  readonly profiles: readonly PowerProfileData[];
  /** Every device of the hardware database, in table order. */
  readonly hardware: readonly HardwareFootprint[];
  /** Embodied model of `hardware` (the breakdown figure). */
  readonly hardwareModel: EmbodiedModelId;
  readonly parameters: AnalyzeResult['parameters'];
  readonly methods: MethodsDescription;
  readonly skipped: readonly Skipped[];
  readonly notes: readonly string[];
}

export type { DefaultUsed };
