/**
 * inferprint's public library API. The CLI and the dashboard are thin layers over these
 * functions; subpath exports (`inferprint/energy`, `inferprint/impact`, `inferprint/measure`)
 * give parts on their own (package.json `exports`; test/api/exports.test.ts keeps them and
 * the docs in step).
 *
 * Errors: every function here reports bad input as an `InferprintError` with a `code`
 * (`ErrorCode`: UNKNOWN_HARDWARE, UNKNOWN_ZONE, INVALID_VALUE, NOT_FOUND, ...) and a one-line
 * message naming the field, file or flag; `isInferprintError(e)` tells them apart. Lookups
 * that may miss say so in their name and type: `resolveHardware` and `findGridZone` return
 * `undefined` for an unknown name, `requireHardware` and `resolveGrid` throw a coded error
 * with suggestions.
 */
export {
  track,
  TRACKED_WINDOW,
  type TrackOptions,
  type Tracker,
  type TrackResult,
  type TrackedGwp,
  type TrackedSensor,
  type ChannelEnergy,
  type WindowEnergy,
} from './track.js';
export { analyze, type AnalyzeOptions, type AnalyzeResult } from './app/analyze.js';
export { measure, type MeasureOptions, type MeasureResult, type RunStatus } from './app/measure.js';
export { saveMeasureRun } from './app/measure-bundle.js';
export { importRuns } from './app/import.js';
export { IMPORT_FORMATS, type ImportOptions, type ImportFormat } from './app/import.js';
export type { AnalysisRow, EnergyStats, LatencyStats } from './analysis/types.js';
export { InferprintError, isInferprintError, type ErrorCode } from './errors.js';
export * from './units/index.js';
export type { PowerTrace, PowerChannel, PowerSample, Provenance, SensorName, EnergyRecord } from './traces/types.js';
export { describeProvenance } from './traces/provenance.js';
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
} from './io/trace-files.js';
export * from './mlperf/index.js';
export * from './impact/index.js';
export * from './measure/index.js';
export { writeRunBundle, readRunBundle } from './runs/io/bundle.js';
export { resolveRunsDir } from './runs/io/runs-dir.js';
export { listRunBundles } from './runs/io/scan.js';
export { openStore, type RunStore, type RunFilter, type StoredRun } from './store/index.js';
export { writeReport } from './app/report.js';
export { startDashboard } from './serve/server.js';
export { TOOL_NAME, TOOL_VERSION } from './version.js';
