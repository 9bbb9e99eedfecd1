/**
 * The bundle's Parquet files (DESIGN.md §4.2): long-format series, one row per sample per
 * channel, `t_s DOUBLE, <value> DOUBLE, channel VARCHAR`. The trace uses `watts`, the
 * counters `energy_j`.
 *
 * Writing uses the small pure writer in `parquet-writer.ts`: loading DuckDB (a native module,
 * ~200–270 ms) just to write a file cost most of `measure`'s overhead (docs/benchmarks.md).
 * Doubles are stored as Parquet DOUBLE: values come back bit for bit.
 *
 * Reading goes through DuckDB, loaded lazily: importing this file costs nothing until a read.
 * Every instance and connection opened here is closed before the call returns.
 */
import { errors, isInferprintError, type InferprintError } from '../../errors.js';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { DuckDBConnection } from '@duckdb/node-api';
import { checkRegularFileSync } from '../../io/regular-file.js';
import { encodeParquet, type ParquetWriteOptions } from '../parquet-writer.js';

type DuckModule = typeof import('@duckdb/node-api');
let duckModule: DuckModule | undefined;
/**
 * DuckDB, loaded on first use through require(): importing the CommonJS package from ESM
 * makes Node run its export lexer over the whole package, which cost 300–450 ms of each
 * `measure` here against ~100 ms for require() (docs/benchmarks.md).
 */
export function duckdb(): DuckModule {
  duckModule ??= createRequire(import.meta.url)('@duckdb/node-api') as DuckModule;
  return duckModule;
}

/** One named series: strictly increasing times (s) and a value per time. */
export interface Series {
  readonly name: string;
  readonly tS: Float64Array;
  readonly values: Float64Array;
}

export type ValueColumn = 'watts' | 'energy_j';

/**
 * Run `fn` with a fresh in-process DuckDB (`:memory:`), closed afterwards whatever happens.
 * No file is held open between calls, so several processes can read a runs directory at once.
 */
export async function withDuckDB<T>(fn: (con: DuckDBConnection) => Promise<T>): Promise<T> {
  const { DuckDBInstance } = duckdb();
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const con = await instance.connect();
    try {
      // Scans must return rows in file order: samples within a channel are read in sequence.
      await con.run('SET preserve_insertion_order = true');
      return await fn(con);
    } finally {
      con.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

/** A VARCHAR cell as a string (DuckDB hands back JS values typed as a union). */
function stringCell(v: unknown): string {
  if (typeof v !== 'string') throw errors.internal(`expected a string from DuckDB, got ${typeof v}`);
  return v;
}

/** First line of a DuckDB message, without its SQL echo, for a one-line coded error. */
export function duckMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return m.split('\n')[0]!.trim();
}

/**
 * Check a series before it is written: names unique and non-empty, equal lengths, finite
 * values, strictly increasing times. `label` names the input in errors (e.g. `trace`).
 */
export function checkSeries(series: readonly Series[], label: string): void {
  const seen = new Set<string>();
  series.forEach((s, i) => {
    const where = { field: `${label}[${i}]` };
    if (s.name === '') throw errors.invalidValue(where, 'channel name must not be empty');
    if (seen.has(s.name)) throw errors.invalidValue(where, `duplicate channel ${JSON.stringify(s.name)}`);
    seen.add(s.name);
    if (s.tS.length !== s.values.length) throw errors.invalidValue(where, `channel ${JSON.stringify(s.name)} has ${s.tS.length} times but ${s.values.length} values`);
    let prev = -Infinity;
    for (let k = 0; k < s.tS.length; k++) {
      const t = s.tS[k]!;
      const v = s.values[k]!;
      if (!Number.isFinite(t) || !Number.isFinite(v)) throw errors.invalidValue(where, `channel ${JSON.stringify(s.name)} sample ${k}: time ${t}, value ${v} (must be finite)`);
      if (!(t > prev)) throw errors.nonMonotonic(where, prev, t);
      prev = t;
    }
  });
}

/**
 * Encode series as the bundle's long-format Parquet bytes: channels one after another in the
 * given order, each in time order. The caller has checked them (`checkSeries`).
 */
export function encodeSeriesParquet(series: readonly Series[], valueColumn: ValueColumn, opts?: ParquetWriteOptions): Uint8Array {
  const n = series.reduce((s, c) => s + c.tS.length, 0);
  const tS = new Float64Array(n);
  const values = new Float64Array(n);
  const channelOf = new Uint32Array(n);
  let off = 0;
  series.forEach((s, ci) => {
    tS.set(s.tS, off);
    values.set(s.values, off);
    channelOf.fill(ci, off, off + s.tS.length);
    off += s.tS.length;
  });
  return encodeParquet(
    [
      { name: 't_s', kind: 'double', values: tS },
      { name: valueColumn, kind: 'double', values },
      { name: 'channel', kind: 'utf8', values: { length: n, distinct: series.map((s) => s.name), index: (row) => channelOf[row]! } },
    ],
    opts,
  );
}

/**
 * Write series to a Parquet file at `path` (overwritten), without DuckDB. The caller has
 * checked them (`checkSeries`) and makes the write atomic (the bundle's temporary directory).
 */
export function writeSeriesParquetFile(path: string, series: readonly Series[], valueColumn: ValueColumn, opts?: ParquetWriteOptions): void {
  const bytes = encodeSeriesParquet(series, valueColumn, opts);
  try {
    writeFileSync(path, bytes);
  } catch (e) {
    throw errors.io(path, e);
  }
}

/**
 * Read series back from a Parquet file: channels in order of first appearance, samples in
 * file order. Checks the schema, nulls, finiteness and strictly increasing times per channel;
 * every failure is a coded error naming `file` (the row number stands in for a line). The
 * file must be a plain file, not a link (DuckDB would follow it) nor a FIFO (DuckDB would
 * block on it): these files live in run bundles (bundle-files.ts).
 */
export async function readSeriesParquet(con: DuckDBConnection, path: string, valueColumn: ValueColumn, file: string = path): Promise<Series[]> {
  checkRegularFileSync(path, { links: 'refuse', what: 'Parquet file' });
  const duck = duckdb();
  const unreadable = (e: unknown): InferprintError => errors.parse({ file }, `not a readable Parquet file: ${duckMessage(e)}`);

  let schema: Map<string, string>;
  try {
    const r = await con.runAndReadAll('SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet($path))', { path });
    schema = new Map(r.getRowsJS().map((row) => [stringCell(row[0]), stringCell(row[1])]));
  } catch (e) {
    throw unreadable(e);
  }
  const expected: readonly (readonly [string, string])[] = [
    ['t_s', 'DOUBLE'],
    [valueColumn, 'DOUBLE'],
    ['channel', 'VARCHAR'],
  ];
  for (const [name, type] of expected) {
    const got = schema.get(name);
    if (got === undefined) throw errors.parse({ file, field: name }, `column missing (columns: ${[...schema.keys()].join(', ')})`);
    if (got !== type) throw errors.parse({ file, field: name }, `column type ${got}, expected ${type}`);
  }

  // Channel names, sizes and nulls in one pass; then the samples in a second.
  let groups: { name: string | null; n: number; nT: number; nV: number }[];
  try {
    const r = await con.runAndReadAll(
      `SELECT channel, count(*), count(t_s), count(${valueColumn}), min(file_row_number) AS first ` +
        'FROM read_parquet($path, file_row_number = true) GROUP BY channel ORDER BY first',
      { path },
    );
    groups = r.getRowsJS().map((row) => ({
      name: row[0] === null ? null : stringCell(row[0]),
      n: Number(row[1]),
      nT: Number(row[2]),
      nV: Number(row[3]),
    }));
  } catch (e) {
    throw unreadable(e);
  }
  for (const g of groups) {
    if (g.name === null) throw errors.invalidValue({ file, field: 'channel' }, `${g.n} rows have no channel`);
    if (g.nT < g.n) throw errors.invalidValue({ file, field: 't_s' }, `${g.n - g.nT} null times in channel ${JSON.stringify(g.name)}`);
    if (g.nV < g.n) throw errors.invalidValue({ file, field: valueColumn }, `${g.n - g.nV} null values in channel ${JSON.stringify(g.name)}`);
  }
  if (groups.length === 0) return [];
  const names = groups.map((g) => g.name!);
  const tS = groups.map((g) => new Float64Array(g.n));
  const values = groups.map((g) => new Float64Array(g.n));
  const filled = groups.map(() => 0);

  try {
    // Ordered by position in the file, not trusting the plan to keep it (see the writer).
    const result = await con.run(`SELECT t_s, ${valueColumn}, list_position($names, channel) - 1 AS ci FROM read_parquet($path, file_row_number = true) ORDER BY file_row_number`, {
      names: duck.listValue(names),
      path,
    });
    let row = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (chunk === null || chunk.rowCount === 0) break;
      const tv = chunk.getColumnVector(0);
      const vv = chunk.getColumnVector(1);
      const cv = chunk.getColumnVector(2);
      if (!(tv instanceof duck.DuckDBDoubleVector && vv instanceof duck.DuckDBDoubleVector && cv instanceof duck.DuckDBIntegerVector)) {
        throw errors.internal('DuckDB result has unexpected vector types');
      }
      for (let r = 0; r < chunk.rowCount; r++, row++) {
        const ci = cv.getItem(r)!;
        const k = filled[ci]!;
        const t = tv.getItem(r)!;
        const v = vv.getItem(r)!;
        const where = { file, line: row + 1 };
        if (!Number.isFinite(t)) throw errors.invalidValue({ ...where, field: 't_s' }, `time ${t} is not finite`);
        if (!Number.isFinite(v)) throw errors.invalidValue({ ...where, field: valueColumn }, `value ${v} is not finite`);
        const ts = tS[ci]!;
        if (k > 0 && !(t > ts[k - 1]!)) throw errors.nonMonotonic({ ...where, field: 't_s' }, ts[k - 1]!, t);
        ts[k] = t;
        values[ci]![k] = v;
        filled[ci] = k + 1;
      }
    }
  } catch (e) {
    if (isInferprintError(e)) throw e;
    throw unreadable(e);
  }
  return names.map((name, i) => ({ name, tS: tS[i]!, values: values[i]! }));
}
