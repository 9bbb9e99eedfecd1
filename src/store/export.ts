/**
 * `runs` rows out as CSV, JSON or Parquet. CSV and JSON are plain text made here; Parquet goes
 * through DuckDB's COPY from the same rows and column types as the `runs` view. Files are
 * written to a temporary sibling and renamed into place, so a reader never sees half a file.
 */
import { writeFile } from 'node:fs/promises';
import { writeAtomically } from '../io/atomic-write.js';
import { withDuckDB } from '../runs/io/parquet.js';
import { loadTable, sqlString } from './duck.js';
import { RUN_COLUMNS, type RunRow } from '../runs/row.js';
import { csvText, type CsvValue } from '../csv-text.js';
import type { SkippedEntry } from '../runs/io/scan.js';

export const EXPORT_FORMATS = ['csv', 'json', 'parquet'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Header with every `runs` column, one line per run; lists (channels, files, ...) joined by `;`, NULL as an empty cell. */
export function runRowsCsv(rows: readonly RunRow[]): string {
  const names = RUN_COLUMNS.map((c) => c.name as keyof RunRow);
  const value = (v: RunRow[keyof RunRow]): CsvValue => (v !== null && typeof v === 'object' ? v.join(';') : v);
  return csvText(
    names,
    rows.map((r) => names.map((n) => value(r[n]))),
  );
}

/**
 * The one JSON shape of the `runs` family (`runs list --format json`, `runs export --format
 * json`): the runs directory, the rows (columns in `runs` order) and the entries skipped.
 */
export interface RunsJson {
  readonly runsDir: string;
  readonly runs: readonly RunRow[];
  readonly skipped: readonly SkippedEntry[];
}

export function runRowsJson(doc: RunsJson): string {
  return `${JSON.stringify({ runsDir: doc.runsDir, runs: doc.runs, skipped: doc.skipped }, null, 2)}\n`;
}

/** Write `doc.runs` to `outPath` (replaced if it exists) in `format`. */
export async function exportRunRows(doc: RunsJson, format: ExportFormat, outPath: string): Promise<void> {
  const rows = doc.runs;
  if (format === 'csv') return writeAtomically(outPath, (tmp) => writeFile(tmp, runRowsCsv(rows)));
  if (format === 'json') return writeAtomically(outPath, (tmp) => writeFile(tmp, runRowsJson(doc)));
  return writeAtomically(outPath, (tmp) =>
    withDuckDB(async (con) => {
      await loadTable(con, 'runs', RUN_COLUMNS, rows);
      await con.run(`COPY runs TO ${sqlString(tmp)} (FORMAT parquet)`);
    }),
  );
}
