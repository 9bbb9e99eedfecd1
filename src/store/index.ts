/**
 * The runs store (README.md): listing with filters, schema upgrades, read-only SQL over
 * documented views, export and removal, over a directory of run bundles.
 */
export { openStore, type RunStore, type RunListing, type RunResults, type RunTrace, type QueryOptions, type SqlResult } from './store.js';
export { runFilter, parseTimeBound, RUN_STATUSES, type RunFilter } from './filter.js';
export {
  toRunRow,
  toWindowRows,
  toResultRow,
  RUN_COLUMNS,
  MANIFEST_COLUMNS,
  WINDOW_COLUMNS,
  TRACE_COLUMNS,
  COUNTER_COLUMNS,
  RESULT_COLUMNS,
  type StoredRun,
  type RunRow,
  type WindowRow,
  type ResultRow,
  type ColumnSpec,
  type SqlType,
} from './rows.js';
export { scanRunsDir, inspectEntry, ScanCache, type ScanResult, type SkippedEntry } from './scan.js';
export { readManifestJson, readManifestText, upgradeManifestJson, manifestVersion, UPGRADES, OLDEST_READABLE_SCHEMA, type SchemaUpgrade, type VersionedManifest } from './schema.js';
export { VIEW_NAMES, plainValue, type ViewName, type QueryResult, type QueryColumn, type Plain } from './duck.js';
export { EXPORT_FORMATS, exportRunRows, runRowsCsv, runRowsJson, type ExportFormat } from './export.js';
export { removeRuns, checkRunId, type RemovedRun } from './remove.js';
