/**
 * The runs store: one object over a runs directory that lists, reads, queries, exports and
 * removes runs. The CLI (`inferprint runs`, `inferprint sql`), the report and the dashboard
 * all go through it. Bundles stay the source of truth: the store holds nothing but a cache of
 * manifests already read (bundles are immutable once renamed into place), and every query
 * opens its own in-process DuckDB and closes it.
 */
import { stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { errors, isInferprintError } from '../errors.js';
import { parseSummary } from '../mlperf/parse-summary.js';
import { MAX_SUMMARY_BYTES, readBundleFileSync } from '../runs/io/bundle-files.js';
import { readBundleTrace, type BundleTrace } from '../runs/io/bundle.js';
import { hasPower, MANIFEST_FILE } from '../runs/manifest.js';
import { withDuckDB } from '../runs/io/parquet.js';
import { checkLeadingKeyword, createViews, lockDown, prepareReadOnly, runPrepared, viewsUsed, type QueryResult, type ViewName } from './duck.js';
import { exportRunRows, type ExportFormat } from './export.js';
import { runFilter, type RunFilter } from './filter.js';
import { checkRunId, removeRuns, type RemovedRun } from './remove.js';
import { toRunRow, type RunRow } from '../runs/row.js';
import { inspectEntry, runsDirEntries, ScanCache, scanRunsDir, type SkippedEntry, type StoredRun } from '../runs/io/scan.js';
import { toResultRow, type ResultRow } from './rows.js';

export interface RunListing {
  /** Matching runs, by id (= by start time). */
  readonly runs: readonly StoredRun[];
  /** `rows[i]` is `runs[i]` flattened (the `runs` view's columns). */
  readonly rows: readonly RunRow[];
  /** Entries of the runs directory that are not readable bundles, with the reason. */
  readonly skipped: readonly SkippedEntry[];
}

export interface RunResults {
  readonly rows: readonly ResultRow[];
  /** Summary files that could not be parsed (`name` is the run id). */
  readonly problems: readonly SkippedEntry[];
}

export interface QueryOptions {
  /** Read at most this many rows; `truncated` says when there were more. Default: all. */
  readonly maxRows?: number;
}

export interface SqlResult extends QueryResult {
  /** Entries the listing skipped (not in the views), summaries that could not be parsed, and Parquet files left out of `traces` / `counters` as corrupt. */
  readonly skipped: readonly SkippedEntry[];
}

/** The trace (and counters) of one run, read from its Parquet files. */
export type RunTrace = BundleTrace;

export interface RunStore {
  /** Absolute path of the runs directory. */
  readonly runsDir: string;
  /** Every readable run matching `filter`, and every entry skipped with its reason. Never throws for a bundle's content. */
  list(filter?: RunFilter): Promise<RunListing>;
  /** One run by exact id, or by a prefix that matches one run only. USAGE for a malformed or ambiguous id, NOT_FOUND for none, the bundle's own error when it is unreadable. */
  get(idOrPrefix: string): Promise<StoredRun>;
  /** A run's power trace and counters; NO_DATA for a run that measured no power. */
  readTrace(idOrPrefix: string): Promise<RunTrace>;
  /** The MLPerf results of some runs, from their `mlperf_log_summary` files. */
  results(runs: readonly StoredRun[]): Promise<RunResults>;
  /** A read-only SQL query over the views `runs`, `manifests`, `windows`, `traces`, `counters`, `results` (README.md). */
  query(sql: string, opts?: QueryOptions): Promise<SqlResult>;
  /** Remove runs by exact id; every id checked before any removal. */
  remove(ids: readonly string[]): Promise<RemovedRun[]>;
  /** Write `runs` rows (the runs given, e.g. from `list`) to a file. */
  exportRows(rows: readonly RunRow[], format: ExportFormat, outPath: string, skipped?: readonly SkippedEntry[]): Promise<void>;
}

/** Tries of a query whose bundle files vanished under it (each try lists the directory afresh). */
const MAX_QUERY_ATTEMPTS = 10;

export interface StoreOptions {
  /** Called after each query's listing, before DuckDB reads anything (tests remove bundles here). */
  readonly beforeQuery?: (attempt: number) => void | Promise<void>;
}

class DirectoryStore implements RunStore {
  readonly #cache = new ScanCache();
  constructor(
    readonly runsDir: string,
    private readonly opts: StoreOptions,
  ) {}

  async list(filter: RunFilter = {}): Promise<RunListing> {
    const { runs, skipped } = await scanRunsDir(this.runsDir, { cache: this.#cache });
    const keep = runFilter(filter);
    const kept: StoredRun[] = [];
    const rows: RunRow[] = [];
    for (const r of runs) {
      const row = toRunRow(r);
      if (keep(row)) {
        kept.push(r);
        rows.push(row);
      }
    }
    return { runs: kept, rows, skipped };
  }

  async get(idOrPrefix: string): Promise<StoredRun> {
    checkRunId(idOrPrefix);
    const id = await this.#resolveId(idOrPrefix);
    const x = inspectEntry(this.runsDir, id, this.#cache);
    if (x.kind === 'run') return x.run;
    if (x.kind === 'skipped') throw x.error;
    throw errors.notFound(join(this.runsDir, id), 'run');
  }

  /** The id itself when such a directory exists, else the one id it is a prefix of. */
  async #resolveId(idOrPrefix: string): Promise<string> {
    const exact = join(this.runsDir, idOrPrefix);
    if (await stat(exact).then(() => true, () => false)) return idOrPrefix;
    let names: readonly string[];
    try {
      const { dirs, links } = await runsDirEntries(this.runsDir);
      names = [...dirs, ...links];
    } catch {
      throw errors.notFound(exact, 'run');
    }
    const matches = names.filter((n) => n.startsWith(idOrPrefix)).sort();
    if (matches.length === 1) return matches[0]!;
    if (matches.length === 0) throw errors.notFound(exact, 'run');
    const shown = matches.slice(0, 3).join(', ');
    throw errors.usage(`${JSON.stringify(idOrPrefix)} matches ${matches.length} runs (${shown}${matches.length > 3 ? ', ...' : ''}): give more of the id`, 'ID');
  }

  async readTrace(idOrPrefix: string): Promise<RunTrace> {
    const run = await this.get(idOrPrefix);
    if (!hasPower(run.manifest)) throw errors.noData(`run ${run.id} measured no power: it has no trace (manifest.json has no sensor)`, { file: join(run.path, MANIFEST_FILE) });
    return readBundleTrace(run.path, run.manifest, run.hasCounters);
  }

  async results(runs: readonly StoredRun[]): Promise<RunResults> {
    const files = runs.flatMap((r) => r.manifest.files.filter((f) => f.role === 'mlperf_log_summary').map((f) => ({ run: r, name: f.name, path: join(r.path, f.name) })));
    const problems: SkippedEntry[] = [];
    const rows: ResultRow[] = [];
    // Synchronous reads in slices, as in scan.ts: small files, many of them.
    for (let i = 0; i < files.length; i += 200) {
      if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      for (const f of files.slice(i, i + 200)) {
        try {
          rows.push(toResultRow(f.run.id, f.name, parseSummary(readBundleFileSync(f.run.path, f.name, 'MLPerf summary', MAX_SUMMARY_BYTES), f.path)));
        } catch (e) {
          if (!isInferprintError(e)) throw e;
          problems.push({ name: f.run.id, path: f.path, code: e.code, reason: e.message });
        }
      }
    }
    return { rows, problems };
  }

  async query(sql: string, opts: QueryOptions = {}): Promise<SqlResult> {
    // Refuse what is not a query before any work, and before DuckDB sees the text.
    checkLeadingKeyword(sql);
    const which: Set<ViewName> = viewsUsed(sql);
    // A bundle removed between the listing and DuckDB's read of its Parquet file fails the
    // query; the removal is a rename, so a fresh listing no longer has it: try again.
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#queryOnce(sql, which, opts, attempt);
      } catch (e) {
        if (attempt >= MAX_QUERY_ATTEMPTS || !(await this.#bundleFileVanished(e))) throw e;
      }
    }
  }

  async #queryOnce(sql: string, which: ReadonlySet<ViewName>, opts: QueryOptions, attempt: number): Promise<SqlResult> {
    const listing = await this.list();
    await this.opts.beforeQuery?.(attempt);
    let problems: readonly SkippedEntry[] = [];
    let corrupt: readonly SkippedEntry[] = [];
    const result = await withDuckDB(async (con) => {
      const sources = {
        runsDir: this.runsDir,
        runs: listing.runs,
        runRows: listing.rows,
        results: async () => {
          const r = await this.results(listing.runs);
          problems = r.problems;
          return r.rows;
        },
      };
      corrupt = await createViews(con, sources, which);
      await lockDown(con, this.runsDir);
      const prepared = await prepareReadOnly(con, sql);
      try {
        return await runPrepared(prepared, opts.maxRows);
      } finally {
        prepared.destroySync();
      }
    });
    return { ...result, skipped: [...listing.skipped, ...problems, ...corrupt] };
  }

  /** Whether `e` is DuckDB failing to open a file of a bundle that is no longer there. */
  async #bundleFileVanished(e: unknown): Promise<boolean> {
    if (!isInferprintError(e)) return false;
    const path = /(?:Cannot open file|No files found that match the pattern) "([^"]+)"/.exec(e.message)?.[1];
    if (path === undefined || !path.startsWith(this.runsDir + sep)) return false;
    return stat(path).then(
      () => false,
      () => true,
    );
  }

  remove(ids: readonly string[]): Promise<RemovedRun[]> {
    return removeRuns(this.runsDir, ids);
  }

  exportRows(rows: readonly RunRow[], format: ExportFormat, outPath: string, skipped: readonly SkippedEntry[] = []): Promise<void> {
    return exportRunRows({ runsDir: this.runsDir, runs: rows, skipped }, format, outPath);
  }
}

/**
 * A store over `runsDir` (an absolute path; see `resolveRunsDir`). Opening touches nothing
 * on disk; a runs directory that does not exist lists as empty. Keep one store per directory
 * in a long-lived process (the dashboard): its listings re-read only new bundles.
 */
export function openStore(runsDir: string, opts: StoreOptions = {}): RunStore {
  return new DirectoryStore(runsDir, opts);
}
