/**
 * The store's DuckDB side: the documented views built in a fresh in-process `:memory:`
 * database, the lock that makes it unable to touch anything but the runs directory, and the
 * read-only statement check for user SQL. No server, no file held between calls.
 *
 * `runs`, `windows` and `results` are tables loaded from rows the store already holds (one
 * JSON document per table, parsed by DuckDB in one statement: ~0.25 s for 10^4 runs with
 * their manifests); `traces` and `counters` are lazy views over the bundles' Parquet files,
 * read only by queries that use them (DuckDB prunes files on a `run_id` filter).
 */
import { realpath } from 'node:fs/promises';
import { sep } from 'node:path';
import type { DuckDBConnection, DuckDBPreparedStatement, DuckDBResultReader, StatementType as DuckStatementType } from '@duckdb/node-api';
import { errors, isInferprintError, type InferprintError } from '../errors.js';
import { COUNTERS_FILE, hasPower, TRACE_FILE } from '../runs/manifest.js';
import { duckdb, duckMessage } from '../runs/io/parquet.js';
import { RUN_COLUMNS, type ColumnSpec, type RunRow } from '../runs/row.js';
import type { SkippedEntry, StoredRun } from '../runs/io/scan.js';
import { COUNTER_COLUMNS, MANIFEST_COLUMNS, RESULT_COLUMNS, toWindowRows, TRACE_COLUMNS, WINDOW_COLUMNS, type ResultRow } from './rows.js';

export const VIEW_NAMES = ['runs', 'manifests', 'windows', 'traces', 'counters', 'results'] as const;
export type ViewName = (typeof VIEW_NAMES)[number];

/** What the views are built from. */
export interface ViewSources {
  /** Absolute path of the runs directory, as the runs' paths start. */
  readonly runsDir: string;
  readonly runs: readonly StoredRun[];
  /** `runRows[i]` is `runs[i]` flattened (`toRunRow`), as the listing built them. */
  readonly runRows: readonly RunRow[];
  /** Parsed MLPerf summaries; called only when the `results` view is built. */
  readonly results: () => Promise<readonly ResultRow[]>;
}

/** A SQL string literal. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** `json_transform` structure for rows with these columns. */
function jsonStructure(cols: readonly ColumnSpec[]): string {
  return JSON.stringify([Object.fromEntries(cols.map((c) => [c.name, c.type === 'VARCHAR[]' ? ['VARCHAR'] : c.type]))]);
}

/**
 * Create table `name` from plain rows: one JSON document bound as a parameter, typed by
 * `cols` (ISO times become TIMESTAMP, string arrays VARCHAR[]), in one statement.
 */
export async function loadTable(con: DuckDBConnection, name: string, cols: readonly ColumnSpec[], rows: readonly object[]): Promise<void> {
  await con.run(`CREATE TABLE ${name} AS SELECT r.* FROM (SELECT unnest(from_json($doc::JSON, ${sqlString(jsonStructure(cols))})) AS r)`, { doc: JSON.stringify(rows) });
}

/** The bundles a Parquet view reads: one file per listed run that has it. */
interface ViewFile {
  readonly runId: string;
  readonly path: string;
}

/**
 * The Parquet files that hold what every other reader of them accepts (readSeriesParquet): no
 * null, a finite time and value, and a time that strictly increases over the previous sample
 * of its channel. The others are left out of the view and reported as skipped, naming the file,
 * row and channel, as a corrupt manifest is: one flipped bit in one bundle neither lends the
 * view samples every other command refuses nor takes the view down for the other runs.
 *
 * One streaming pass in file order (`lag() OVER ()`: the writer lays each channel out
 * contiguously, in time order), about the cost of a scan of the files. A partitioned window
 * would have let DuckDB skip files on a `run_id` filter, but sorting every partition made it
 * 10–35× slower than a scan here (README.md). A row whose predecessor in the stream is not the
 * previous row of the same file and channel is not compared: a reordered stream could only miss
 * a check, never refuse a good file. Undefined when a file cannot be read at all (DuckDB's
 * message is returned instead).
 */
async function checkParquetFiles(con: DuckDBConnection, view: string, files: readonly ViewFile[], value: string): Promise<{ good: ViewFile[]; bad: SkippedEntry[] } | { unreadable: string }> {
  if (files.length === 0) return { good: [], bad: [] };
  const list = `[${files.map((f) => sqlString(f.path)).join(', ')}]`;
  const prev = (col: string): string => `lag(p.${col}) OVER ()`;
  const sameChannel = `${prev('filename')} = p.filename AND ${prev('channel')} = p.channel AND ${prev('file_row_number')} = p.file_row_number - 1`;
  let rows: unknown[][];
  try {
    const r = await con.runAndReadAll(
      `SELECT file, min(row) + 1, arg_min(channel, row), arg_min(why, row) FROM (` +
        `SELECT p.filename AS file, p.file_row_number AS row, p.channel AS channel, ` +
        `CASE WHEN p.channel IS NULL OR p.t_s IS NULL OR p.${value} IS NULL THEN 'a null channel, time or value' ` +
        `WHEN NOT isfinite(p.t_s) OR NOT isfinite(p.${value}) THEN 'a time or ${value} that is not finite' ` +
        `WHEN ${sameChannel} AND p.t_s <= ${prev('t_s')} THEN 'time does not increase after the previous sample of the channel' END AS why ` +
        `FROM read_parquet(${list}, filename = true, file_row_number = true) AS p` +
        `) WHERE why IS NOT NULL GROUP BY file`,
    );
    rows = r.getRowsJS();
  } catch (e) {
    return { unreadable: duckMessage(e) };
  }
  const badFiles = new Map(rows.map((row) => [String(row[0]), row]));
  const good: ViewFile[] = [];
  const bad: SkippedEntry[] = [];
  for (const f of files) {
    const row = badFiles.get(f.path);
    if (row === undefined) {
      good.push(f);
      continue;
    }
    const [, rowNo, channel, why] = row as [unknown, bigint | number, string | null, string];
    const e = errors.invalidValue({ file: f.path }, `row ${rowNo} (channel ${channel ?? 'NULL'}): ${why}; the file is corrupt, left out of the ${view} view`);
    bad.push({ name: f.runId, path: f.path, code: e.code, reason: e.message });
  }
  return { good, bad };
}

/**
 * A view over one Parquet file per listed bundle (the listing has checked each is a plain file,
 * so DuckDB never follows a link nor opens a FIFO), given to DuckDB as a list rather than a
 * glob: a skipped bundle's file is never opened, let alone returned. Files are checked first
 * (checkParquetFiles); no file: an empty view. Files that cannot be read give a view that fails
 * with the reason when used, so the other views stay usable. Returns the files left out.
 */
async function parquetView(con: DuckDBConnection, name: string, files: readonly ViewFile[], file: string, cols: readonly ColumnSpec[]): Promise<SkippedEntry[]> {
  const [, channel, t, value] = cols.map((c) => c.name) as [string, string, string, string];
  const failing = async (why: string): Promise<SkippedEntry[]> => {
    // Columns computed from the error so that no query can plan it away.
    await con.run(
      `CREATE VIEW ${name} AS SELECT e::VARCHAR AS run_id, e::VARCHAR AS ${channel}, e::DOUBLE AS ${t}, e::DOUBLE AS ${value} ` +
        `FROM (SELECT error(${sqlString(`${name} unavailable: ${why}`)}) AS e) WHERE e IS NOT NULL`,
    );
    return [];
  };
  // DuckDB expands globs in each path and has no escape: a path holding glob characters cannot be read.
  const globbing = files.find((f) => /[*?[\]{}]/.test(f.path));
  if (globbing) return failing(`the path ${JSON.stringify(globbing.path)} holds glob characters (* ? [ ] { })`);
  const checked = await checkParquetFiles(con, name, files, value);
  if ('unreadable' in checked) return failing(checked.unreadable);
  if (checked.good.length === 0) {
    await con.run(`CREATE VIEW ${name} AS SELECT NULL::VARCHAR AS run_id, NULL::VARCHAR AS ${channel}, NULL::DOUBLE AS ${t}, NULL::DOUBLE AS ${value} WHERE false`);
    return checked.bad;
  }
  const list = `[${checked.good.map((f) => sqlString(f.path)).join(', ')}]`;
  try {
    await con.run(
      `CREATE VIEW ${name} AS SELECT runs.id AS run_id, p.channel AS ${channel}, p.t_s AS ${t}, p.${value} AS ${value} ` +
        `FROM read_parquet(${list}, filename = true) AS p JOIN runs ON p.filename = runs.path || ${sqlString(sep + file)}`,
    );
  } catch (e) {
    return failing(duckMessage(e));
  }
  return checked.bad;
}

/**
 * Build the named views (and `runs`, which the Parquet views join on). Tables: runs, manifests,
 * windows, results; views: traces, counters. Returns the Parquet files left out as corrupt.
 */
export async function createViews(con: DuckDBConnection, src: ViewSources, which: ReadonlySet<ViewName>): Promise<SkippedEntry[]> {
  const needRuns = which.has('runs') || which.has('traces') || which.has('counters');
  if (needRuns) await loadTable(con, 'runs', RUN_COLUMNS, src.runRows);
  // Whole manifests are ~3 kB each: a table of their own, built only for queries that use it.
  if (which.has('manifests')) await loadTable(con, 'manifests', MANIFEST_COLUMNS, src.runs.map((r) => ({ id: r.id, manifest: r.manifest })));
  if (which.has('windows')) await loadTable(con, 'windows', WINDOW_COLUMNS, src.runs.flatMap(toWindowRows));
  if (which.has('results')) await loadTable(con, 'results', RESULT_COLUMNS, await src.results());
  const filesOf = (file: string, has: (r: StoredRun) => boolean): ViewFile[] => src.runs.filter(has).map((r) => ({ runId: r.id, path: r.path + sep + file }));
  const left: SkippedEntry[] = [];
  if (which.has('traces')) left.push(...(await parquetView(con, 'traces', filesOf(TRACE_FILE, (r) => hasPower(r.manifest)), TRACE_FILE, TRACE_COLUMNS)));
  if (which.has('counters')) left.push(...(await parquetView(con, 'counters', filesOf(COUNTERS_FILE, (r) => hasPower(r.manifest) && r.hasCounters), COUNTERS_FILE, COUNTER_COLUMNS)));
  return left;
}

/**
 * From here on the database reads files under the runs directory only and can change none
 * of its settings back: external access off (no other file, no network, no extension
 * install or load), the runs directory as the one allowed place, the configuration locked.
 * DuckDB would still let a COPY write inside the allowed directory: `prepareReadOnly` refuses
 * every statement that is not a query.
 *
 * Spilling to disk is off (`temp_directory = ''`): DuckDB adds its temporary directory (by
 * default `.tmp` under the current directory) to the allowed ones, which let a query read
 * `<cwd>/.tmp/*`. A query larger than memory fails with DuckDB's out-of-memory error instead.
 */
export async function lockDown(con: DuckDBConnection, runsDir: string): Promise<void> {
  const dirs = new Set([runsDir]);
  const real = await realpath(runsDir).catch(() => undefined);
  if (real !== undefined) dirs.add(real);
  const list = [...dirs].map((d) => sqlString(d.endsWith(sep) ? d : d + sep)).join(', ');
  for (const stmt of [
    "SET temp_directory = ''",
    `SET allowed_directories = [${list}]`,
    'SET enable_external_access = false',
    'SET autoinstall_known_extensions = false',
    'SET autoload_known_extensions = false',
    'SET lock_configuration = true',
  ]) {
    await con.run(stmt);
  }
}

/**
 * Names of the store's views a query mentions, by word (a mention inside a string counts:
 * building a view too many costs time, not correctness); all of them when it names none
 * (SHOW TABLES, PRAGMA show_tables). Text only: DuckDB's own table-name lookup binds the
 * statement, which may touch files.
 */
export function viewsUsed(sql: string): Set<ViewName> {
  const used = new Set<ViewName>();
  for (const v of VIEW_NAMES) if (new RegExp(`\\b${v}\\b`, 'i').test(sql)) used.add(v);
  return used.size > 0 ? used : new Set(VIEW_NAMES);
}

/** Leading whitespace and comments, and the opening parentheses of `(SELECT ...) UNION ...`. */
const LEADING_NOISE = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/|\()*/;
/** Statements that only read, by their first keyword (DuckDB plans DESCRIBE, SHOW, SUMMARIZE as queries). */
const QUERY_KEYWORDS = new Set(['SELECT', 'WITH', 'FROM', 'VALUES', 'TABLE', 'DESCRIBE', 'DESC', 'SHOW', 'SUMMARIZE', 'EXPLAIN', 'PRAGMA']);
/** Pragmas that only list things. */
const READ_PRAGMAS = new Set(['show_tables', 'show_tables_expanded', 'table_info', 'show', 'database_list', 'version', 'platform', 'functions']);
const EXPLAIN_PREFIX = /^EXPLAIN\s+(?:ANALYZE\s+|\([^)]*\)\s*)?/i;

function refused(kind: string): InferprintError {
  return errors.usage(`only queries are allowed (SELECT, WITH, FROM, DESCRIBE, SHOW, SUMMARIZE, EXPLAIN, PRAGMA show_tables/table_info), got ${kind}: sql is read-only`, 'QUERY');
}

function sqlError(e: unknown): InferprintError {
  if (isInferprintError(e)) return e;
  const m = duckMessage(e);
  const hint = /disabled by configuration/.test(m) ? ' (sql reads the runs directory only)' : '';
  return errors.invalidValue({ field: 'query' }, `${m}${hint}`);
}

/**
 * The statement's text check, before DuckDB sees it: preparing a statement is not free of
 * effects (preparing `EXPORT DATABASE` creates its directory), so only statements that start
 * as a query are ever prepared. Returns the statement without its leading comments.
 */
export function checkLeadingKeyword(sql: string, inExplain = false): string {
  const body = sql.replace(LEADING_NOISE, '');
  const kw = /^[A-Za-z_]+/.exec(body)?.[0].toUpperCase();
  if (kw === undefined) throw body.trim() === '' ? errors.usage('give a query', 'QUERY') : refused(`'${body.slice(0, 20)}'`);
  if (!QUERY_KEYWORDS.has(kw)) throw refused(inExplain ? `EXPLAIN of ${kw}` : kw);
  if (kw === 'PRAGMA') {
    const name = /^PRAGMA\s+([A-Za-z_]+)/i.exec(body)?.[1]?.toLowerCase();
    if (name === undefined || !READ_PRAGMAS.has(name)) throw refused(`PRAGMA ${name ?? ''}`.trim());
  }
  if (kw === 'EXPLAIN') {
    if (inExplain) throw refused('EXPLAIN of EXPLAIN');
    const m = EXPLAIN_PREFIX.exec(body);
    if (!m) throw refused('EXPLAIN with options this check does not read');
    checkLeadingKeyword(body.slice(m[0].length), true);
  }
  return body;
}

async function prepareOne(con: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  let extracted;
  try {
    extracted = await con.extractStatements(sql);
  } catch (e) {
    throw sqlError(e);
  }
  if (extracted.count !== 1) throw errors.usage(`give one statement, got ${extracted.count}`, 'QUERY');
  try {
    return await extracted.prepare(0);
  } catch (e) {
    throw sqlError(e);
  }
}

/** Name of a statement type, for messages. */
function describeType(t: number): string {
  const names = duckdb().StatementType as unknown as Record<number, string>;
  return names[t] ?? `type ${t}`;
}

/**
 * Prepare `sql` if it is one read-only statement: a query (SELECT, WITH, FROM, VALUES, TABLE,
 * DESCRIBE, SHOW, SUMMARIZE, a listing PRAGMA such as show_tables or table_info) or EXPLAIN
 * [ANALYZE] of one. Checked twice: by its first keyword before DuckDB prepares it, then by
 * the statement type DuckDB reports (which catches `WITH ... INSERT`). Anything else (COPY,
 * CREATE, INSERT, ATTACH, INSTALL, LOAD, SET, EXPORT, ...) is a USAGE error naming the kind;
 * DuckDB's own errors are INVALID_VALUE with its one-line message.
 */
export async function prepareReadOnly(con: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  const { StatementType } = duckdb();
  const body = checkLeadingKeyword(sql);
  const prepared = await prepareOne(con, sql);
  const type = prepared.statementType;
  if (type === StatementType.SELECT) return prepared;
  if (type !== StatementType.EXPLAIN) {
    prepared.destroySync();
    throw refused(describeType(type));
  }
  // EXPLAIN ANALYZE runs its statement: what is explained must be a query too.
  let innerType: DuckStatementType;
  try {
    const inner = await prepareOne(con, body.slice(EXPLAIN_PREFIX.exec(body)![0].length));
    innerType = inner.statementType;
    inner.destroySync();
  } catch (e) {
    prepared.destroySync();
    throw e;
  }
  if (innerType !== StatementType.SELECT) {
    prepared.destroySync();
    throw refused(`EXPLAIN of ${describeType(innerType)}`);
  }
  return prepared;
}

// ---------------------------------------------------------------------------------------
// Results as plain values

export type Plain = null | boolean | number | string | readonly Plain[] | { readonly [k: string]: Plain };

export interface QueryColumn {
  readonly name: string;
  /** DuckDB type, e.g. `DOUBLE`, `VARCHAR[]`, `TIMESTAMP`. */
  readonly type: string;
}

export interface QueryResult {
  readonly columns: readonly QueryColumn[];
  readonly rows: readonly (readonly Plain[])[];
  /** True when the query had more rows than `maxRows`. */
  readonly truncated: boolean;
}

/**
 * A DuckDB value as JSON-safe data: integers beyond 2^53 as decimal strings, times as ISO
 * 8601 (UTC), non-finite doubles as `"NaN"` / `"Infinity"`, blobs as hex.
 */
function plainValue(v: unknown, type = ''): Plain {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (v instanceof Date) {
    if (Number.isNaN(v.getTime())) return null;
    return type === 'DATE' ? v.toISOString().slice(0, 10) : v.toISOString();
  }
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map((x: unknown) => plainValue(x));
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainValue(x)]));
  // Functions and symbols: never in a DuckDB result.
  return Object.prototype.toString.call(v);
}

function readResult(reader: DuckDBResultReader, maxRows: number | undefined): QueryResult {
  const columns = reader.deduplicatedColumnNames().map((name, i) => ({ name, type: reader.columnType(i).toString() }));
  let rows = reader.getRowsJS();
  const truncated = maxRows !== undefined && rows.length > maxRows;
  if (truncated) rows = rows.slice(0, maxRows);
  return { columns, rows: rows.map((r) => r.map((v, i) => plainValue(v, columns[i]!.type))), truncated };
}

/** Run a prepared statement and read at most `maxRows` rows (all when undefined). */
export async function runPrepared(prepared: DuckDBPreparedStatement, maxRows?: number): Promise<QueryResult> {
  try {
    const reader = maxRows === undefined ? await prepared.runAndReadAll() : await prepared.streamAndReadUntil(maxRows + 1);
    return readResult(reader, maxRows);
  } catch (e) {
    throw sqlError(e);
  }
}
