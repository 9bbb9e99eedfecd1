/**
 * inferprint's public library API. The CLI and the dashboard are thin layers over these
 * functions; subpath exports (`inferprint/energy`, `inferprint/impact`, `inferprint/measure`)
 * give the pure parts on their own.
 */
export { analyze, type AnalyzeOptions, type AnalyzeResult } from './app/analyze.js';
export { measure, type MeasureOptions, type MeasureResult } from './app/measure.js';
export { saveMeasureRun } from './app/measure-bundle.js';
export { importRuns, IMPORT_FORMATS, type ImportOptions, type ImportFormat } from './app/import.js';
export type { AnalysisRow, EnergyStats, LatencyStats } from './analysis/types.js';
export { InferprintError, isInferprintError, type ErrorCode } from './errors.js';
export * from './units/index.js';
export type { PowerTrace, PowerChannel, PowerSample, Provenance, SensorName, EnergyRecord } from './traces/types.js';
export { trapezoidJ, windowEnergyJ, counterEnergyJ, detectGaps, idleBaseline, splitEnergy } from './traces/energy.js';
export { summarize, studentTQuantile } from './traces/stats.js';
export { meanProfile } from './traces/profile.js';
export {
  importThesisCsv,
  importNvidiaSmiCsv,
  importTegrastatsLog,
  importGenericCsv,
  importCodeCarbonCsv,
  sniffFormat,
} from './traces/import-files.js';
export * from './mlperf/index.js';
export * from './impact/index.js';
export * from './measure/index.js';
export { writeRunBundle, readRunBundle } from './runs/bundle.js';
export { listRunBundles, resolveRunsDir } from './runs/runs-dir.js';
export { openStore, type RunStore, type RunFilter, type StoredRun } from './store/index.js';
export { writeReport } from './app/report.js';
export { startDashboard } from './serve/server.js';
export { TOOL_NAME, TOOL_VERSION } from './version.js';
