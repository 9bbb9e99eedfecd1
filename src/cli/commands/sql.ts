import { errors, escapeControl, quote } from '../../errors.js';
import { resolveRunsDir } from '../../runs/io/runs-dir.js';
import type { Plain, QueryResult } from '../../store/duck.js';
import { openStore } from '../../store/store.js';
import type { Command } from '../command.js';
import { defineCommand, defineFlags, optionLines, parseCommandFlags } from '../spec.js';
import { parseFormat, renderCsv, renderJson, renderTable, type Column } from '../output.js';

export const SQL_FLAGS = defineFlags({
  format: { type: 'string', value: 'F', default: 'table', showDefault: false, parse: (raw) => parseFormat(raw), help: 'table (default), csv or json (an array of row objects)' },
  'max-rows': { type: 'string', value: 'N', parse: parseMaxRows, help: 'print at most N rows (default: all)' },
  'runs-dir': { type: 'string', value: 'DIR', help: 'the runs store (default: $INFERPRINT_RUNS_DIR, else ~/.local/share/inferprint/runs)' },
});

const SPEC = defineCommand({ flags: SQL_FLAGS, refuse: (flag) => `--${flag} does not apply`, args: { '': [1] } });

function parseMaxRows(raw: string): number {
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(Number(raw))) throw errors.usage(`expected a whole number below 2^53, got ${quote(raw)}`, '--max-rows');
  return Number(raw);
}

const HELP = `Usage: inferprint sql "QUERY" [--format table|csv|json] [--max-rows N] [--runs-dir DIR]

A read-only SQL query (DuckDB dialect) over the runs store. Views (columns and units in
src/store/README.md):

  runs      one row per run: id, label, status, started_at, device, hardware_id, sensor,
            scenario, query_count, energy_j, gwp_mg, operational_mg, embodied_mg, ...
  manifests id, manifest (JSON): every field, e.g. manifest->>'$.host.kernel'
  windows   one row per run, named window and channel: run_id, window, t0_s, t1_s, channel, energy_j
  traces    power samples: run_id, channel, t_s, watts (read from the bundles' trace.parquet)
  counters  energy counter readings: run_id, channel, t_s, energy_j
  results   MLPerf results per run: run_id, scenario, result_valid, min_query_count, *_latency_ns, ...

Only queries run (SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PRAGMA show_tables);
the database cannot write files nor read any outside the runs directory.

Examples:
  inferprint sql "SELECT hardware_id, query_count, avg(energy_j) FROM runs GROUP BY ALL ORDER BY ALL"
  inferprint sql "SELECT run_id, max(watts) FROM traces WHERE run_id LIKE '2026-11-26%' GROUP BY run_id"

Options:
${optionLines(SQL_FLAGS, { width: 18 })}
`;

/** Skipped entries named on stderr. */
const SKIPPED_SHOWN = 10;

function cellText(v: Plain): string | number | boolean | null {
  return v !== null && typeof v === 'object' ? JSON.stringify(v) : v;
}

function columnsOf(r: QueryResult): Column<readonly Plain[]>[] {
  return r.columns.map((c, i) => ({
    key: c.name,
    header: c.name,
    value: (row: readonly Plain[]) => cellText(row[i] ?? null),
    ...(/^(DOUBLE|FLOAT|REAL|DECIMAL|BIGINT|INTEGER|HUGEINT|SMALLINT|TINYINT|UBIGINT|UINTEGER)/.test(c.type) ? { align: 'right' as const } : {}),
  }));
}

export const sqlCommand: Command = {
  name: 'sql',
  help: HELP,
  spec: SPEC,
  async run(ctx) {
    const f = parseCommandFlags(ctx.argv, SQL_FLAGS);
    const { values, positionals } = f;
    // An unquoted query arrives as several words: put it back together.
    const sql = positionals.join(' ');
    if (sql.trim() === '') throw errors.usage('give a query, e.g. inferprint sql "SELECT id, energy_j FROM runs"', 'QUERY');
    const format = f.get('format');
    const maxRows = f.get('max-rows');
    const store = openStore(resolveRunsDir({ flag: values['runs-dir'], env: ctx.env, cwd: ctx.cwd }));
    const result = await store.query(sql, maxRows !== undefined ? { maxRows } : {});

    if (format === 'json') {
      ctx.stdout(renderJson(result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row[i] ?? null])))));
    } else if (format === 'csv') {
      ctx.stdout(renderCsv(columnsOf(result), result.rows));
    } else {
      ctx.stdout(renderTable(columnsOf(result), result.rows));
      ctx.stdout(`${result.rows.length} row(s)\n`);
    }
    if (result.truncated) ctx.stderr(`inferprint sql: only the first ${maxRows ?? 0} rows shown (raise --max-rows)\n`);
    if (result.skipped.length > 0) {
      // Each named with why (the first ones): a corrupt trace is found by the query, not by `runs list`.
      ctx.stderr(`inferprint sql: ${result.skipped.length} unreadable bundle(s), MLPerf summaries or Parquet files left out of the views:\n`);
      for (const s of result.skipped.slice(0, SKIPPED_SHOWN)) ctx.stderr(`  ${escapeControl(s.name)}: ${escapeControl(s.reason)}\n`);
      if (result.skipped.length > SKIPPED_SHOWN) ctx.stderr(`  ... and ${result.skipped.length - SKIPPED_SHOWN} more ('inferprint runs list' lists the unreadable bundles)\n`);
    }
    return 0;
  },
};
