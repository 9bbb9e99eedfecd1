/**
 * Discovery of MLPerf Inference log trees (I/O adapter over the pure parsers).
 *
 * The NVIDIA harness writes one folder per LoadGen run:
 *
 *   <Tag>_v<version>_logs/<YYYY.MM.DD-HH.MM.SS>/<system>/<benchmark>/<Scenario>/mlperf_log_summary.txt
 *
 * with `mlperf_log_detail.txt` and (v4.1) `metadata.json` beside the summary, and (v1.1)
 * `perf_harness_summary.json` in the timestamp folder. Any folder holding a summary is a run,
 * wherever it sits; the layout above only fills in the names. Bad or empty summaries and run
 * folders that hold no summary (failed runs keep only `stdout.txt`) are listed in `skipped`,
 * never fatal: one broken run must not hide the other thousand.
 */
import { existsSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { basename, dirname, join, normalize, resolve, sep } from 'node:path';
import { errors, isInferprintError, type InferprintError } from '../../errors.js';
import { readRegularFileSync } from '../../io/regular-file.js';
import { parseDetail } from '../parse-detail.js';
import { parseHarnessSummary, parseRunMetadata } from '../parse-metadata.js';
import { parseSummary } from '../parse-summary.js';
import type {
  MlperfDetail,
  MlperfHarnessSummaryEntry,
  MlperfLogSet,
  MlperfLogTree,
  MlperfRunDir,
  MlperfRunMetadata,
  MlperfRunTimestamp,
  MlperfSummary,
  SkipReason,
  SkippedRun,
} from '../types.js';

export const SUMMARY_FILE = 'mlperf_log_summary.txt';
export const DETAIL_FILE = 'mlperf_log_detail.txt';
export const METADATA_FILE = 'metadata.json';
export const HARNESS_SUMMARY_FILE = 'perf_harness_summary.json';

/**
 * Size caps of the files read whole: an MLPerf summary is a few kB and a detail log a few MB
 * (its largest entry, `loaded_qsl_set`, lists sample indices); a file far larger is not one,
 * and reading it whole would only exhaust memory.
 */
export const MAX_SUMMARY_BYTES = 4 << 20;
export const MAX_DETAIL_BYTES = 256 << 20;
export const MAX_METADATA_BYTES = 16 << 20;

const TIMESTAMP_DIR = /^(\d{4})\.(\d{2})\.(\d{2})-(\d{2})\.(\d{2})\.(\d{2})$/;
const LOG_SET_DIR = /^(.+)_(v\d+(?:\.\d+)*)_logs$/;

export interface ScanOptions {
  /** Parse every run's `mlperf_log_detail.txt` too (slower; off by default). */
  readonly detail?: boolean;
  /**
   * Read the summaries only, not `metadata.json` nor `perf_harness_summary.json` (on by
   * default): latency needs nothing else, and on the study's tree they are 1 534 more files
   * to open and parse. Runs then carry no `metadata` nor `harnessSummary`.
   */
  readonly metadata?: boolean;
}

/** Walk `root` for MLPerf runs; runs sorted by their path relative to `root`. */
export function scanMlperfLogTree(root: string, options: ScanOptions = {}): MlperfLogTree {
  let rootStat;
  try {
    rootStat = statSync(root);
  } catch (e) {
    throw (e as NodeJS.ErrnoException).code === 'ENOENT' ? errors.notFound(root, 'log folder') : errors.io(root, e);
  }
  if (!rootStat.isDirectory()) throw errors.unknownFormat(root, 'expected a folder holding MLPerf logs');

  const runs: MlperfRunDir[] = [];
  const skipped: SkippedRun[] = [];
  const harnessCache = new Map<string, MlperfHarnessSummaryEntry[] | undefined>();

  const skip = (path: string, reason: SkipReason, detail: string): void => {
    skipped.push({ path, reason, detail });
  };

  // Children's paths are built by concatenation from the normalised root (what `join` would
  // give, without normalising each of the study's 6 263 folder paths again).
  const top = normalize(root);
  const child = (dir: string, name: string): string => (dir.endsWith(sep) ? dir + name : dir + sep + name);

  /** Returns how many summary files lie at or below `dir` (`rel`: its path from the root, `/`-separated). */
  const walk = (dir: string, rel: string, name: string): number => {
    const entries = listDir(dir);
    let found = 0;
    if (entries.some((e) => e.isFile() && e.name === SUMMARY_FILE)) {
      found++;
      const run = readRun(dir, rel, entries, options, harnessCache, skip);
      if (run) runs.push(run);
    }
    // Symbolic links are not followed: a link back up the tree would loop forever.
    for (const e of entries) if (e.isDirectory()) found += walk(child(dir, e.name), rel === '' ? e.name : `${rel}/${e.name}`, e.name);
    if (found === 0 && TIMESTAMP_DIR.test(name)) {
      const names = [...entries].sort((a, b) => compare(a.name, b.name)).map((e) => (e.isDirectory() ? `${e.name}/` : e.name));
      skip(dir, 'no-summary', names.length === 0 ? 'run folder is empty' : `run folder holds no ${SUMMARY_FILE}, only ${names.join(', ')}`);
    }
    return found;
  };
  walk(top, '', basename(top));

  runs.sort((a, b) => compare(a.relDir, b.relDir));
  skipped.sort((a, b) => compare(a.path, b.path));
  return { root, runs, skipped };
}

/** Read and parse one summary file (a regular file of at most 4 MiB). */
export function readMlperfSummary(path: string): MlperfSummary {
  return parseSummary(readText(path, 'MLPerf summary', MAX_SUMMARY_BYTES), path);
}

/** A summary the walk found listed as a regular file (no `stat` before opening it). */
function readListedSummary(path: string): MlperfSummary {
  return parseSummary(readText(path, 'MLPerf summary', MAX_SUMMARY_BYTES, true), path);
}

/** Read and parse one detail log (a regular file of at most 256 MiB). */
export function readMlperfDetail(path: string): MlperfDetail {
  return parseDetail(readText(path, 'MLPerf detail log', MAX_DETAIL_BYTES), path);
}

/** The detail log of a scanned run, parsed on demand; undefined when the run has none. */
export function loadRunDetail(run: MlperfRunDir): MlperfDetail | undefined {
  if (run.detail) return run.detail;
  return run.detailPath === undefined ? undefined : readMlperfDetail(run.detailPath);
}

/** `2025.05.30-21.30.13` → wall-clock fields; undefined when the name is not such a stamp. */
export function parseRunTimestamp(folder: string): MlperfRunTimestamp | undefined {
  const m = TIMESTAMP_DIR.exec(folder);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const wallClockMs = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(wallClockMs);
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h) return undefined;
  const localIso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
  return { folder, localIso, wallClockMs };
}

/** `T4_v1.1_logs` → { tag: 'T4', version: 'v1.1' }. */
export function parseLogSet(folder: string): MlperfLogSet {
  const m = LOG_SET_DIR.exec(folder);
  return { folder, tag: m?.[1], version: m?.[2] };
}

// ---------------------------------------------------------------------------------------------

function readRun(
  dir: string,
  relDir: string,
  entries: readonly Dirent[],
  options: ScanOptions,
  harnessCache: Map<string, MlperfHarnessSummaryEntry[] | undefined>,
  skip: (path: string, reason: SkipReason, detail: string) => void,
): MlperfRunDir | undefined {
  const summaryPath = join(dir, SUMMARY_FILE);
  let summary: MlperfSummary;
  try {
    // The walk calls this only for a folder that lists the summary as a regular file.
    summary = readListedSummary(summaryPath);
  } catch (e) {
    const err = asParseFailure(e);
    const reason: SkipReason = err.code === 'EMPTY_INPUT' ? 'empty-summary' : err.code === 'TRUNCATED' ? 'truncated-summary' : 'invalid-summary';
    skip(summaryPath, reason, err.message);
    return undefined;
  }

  const has = (name: string): boolean => entries.some((e) => e.isFile() && e.name === name);
  const detailPath = has(DETAIL_FILE) ? join(dir, DETAIL_FILE) : undefined;
  let detail: MlperfDetail | undefined;
  if (options.detail && detailPath !== undefined) {
    try {
      detail = readMlperfDetail(detailPath);
    } catch (e) {
      skip(detailPath, 'invalid-detail', asParseFailure(e).message);
    }
  }
  const wantMetadata = options.metadata !== false;
  let metadata: MlperfRunMetadata | undefined;
  if (wantMetadata && has(METADATA_FILE)) {
    const path = join(dir, METADATA_FILE);
    try {
      metadata = parseRunMetadata(readText(path, 'MLPerf metadata', MAX_METADATA_BYTES), path);
    } catch (e) {
      skip(path, 'invalid-metadata', asParseFailure(e).message);
    }
  }

  // Names come from the standard layout when the folder sits where it expects.
  const parts = resolve(dir).split(sep);
  const at = (fromEnd: number): string | undefined => parts[parts.length - fromEnd];
  const timestamp = parseRunTimestamp(at(4) ?? '');
  const layout = timestamp !== undefined;
  const system = layout ? at(3) : undefined;
  const scenarioFolder = layout ? at(1) : undefined;
  const logSetFolder = layout ? at(5) : undefined;
  const harnessSummary = system !== undefined && wantMetadata ? findHarnessEntry(dirname(dirname(dirname(dir))), system, summary.scenario, harnessCache, skip) : undefined;

  return {
    dir,
    relDir,
    summaryPath,
    detailPath,
    logSet: logSetFolder !== undefined && LOG_SET_DIR.test(logSetFolder) ? parseLogSet(logSetFolder) : undefined,
    timestamp,
    system,
    benchmark: layout ? at(2) : undefined,
    scenarioFolder,
    summary,
    detail,
    metadata,
    harnessSummary,
  };
}

/** The v1.1 harness summary entry for this run: config `<system>-...-<Scenario>`. */
function findHarnessEntry(
  timestampDir: string,
  system: string,
  scenario: string,
  cache: Map<string, MlperfHarnessSummaryEntry[] | undefined>,
  skip: (path: string, reason: SkipReason, detail: string) => void,
): MlperfHarnessSummaryEntry | undefined {
  if (!cache.has(timestampDir)) {
    const path = join(timestampDir, HARNESS_SUMMARY_FILE);
    let entries: MlperfHarnessSummaryEntry[] | undefined;
    if (existsSync(path)) {
      try {
        entries = parseHarnessSummary(readText(path, 'harness summary', MAX_METADATA_BYTES), path);
      } catch (e) {
        skip(path, 'invalid-metadata', asParseFailure(e).message);
      }
    }
    cache.set(timestampDir, entries);
  }
  return cache.get(timestampDir)?.find((e) => e.configName.startsWith(`${system}-`) && e.configName.endsWith(`-${scenario}`));
}

/** A folder's entries in the order the system gives them: runs and skips are sorted once, at the end. */
function listDir(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw errors.io(dir, e);
  }
}

/**
 * A whole file, when it is a regular file (a link to one is fine: this is the user's tree, not
 * a bundle) of at most `maxBytes`: a FIFO or a device here would block or never end.
 */
function readText(path: string, what: string, maxBytes: number, listedRegular = false): string {
  return readRegularFileSync(path, { links: 'follow', what, maxBytes, ...(listedRegular ? { listedRegular } : {}) });
}

/**
 * What makes a run skippable: the parsers' coded errors, a file that is not a regular file or
 * too large, and a file the system refuses to read (one unreadable run must not hide the
 * others; the reason is kept). A vanished file and bugs stay fatal.
 */
function asParseFailure(e: unknown): InferprintError {
  if (isInferprintError(e) && e.code !== 'INTERNAL' && e.code !== 'NOT_FOUND') return e;
  throw e;
}

/** Code-point order: stable across locales, unlike localeCompare. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
