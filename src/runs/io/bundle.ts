/**
 * Run bundles on disk (DESIGN.md §4.2): `<runsDir>/<id>/` holding `manifest.json`,
 * `trace.parquet`, optionally `counters.parquet`, and extra files by role (format in README.md).
 * A run that measured no power (no `sensor` in its manifest, e.g. imported MLPerf logs) has
 * neither Parquet file.
 *
 * Writes are atomic: everything goes into a hidden sibling `.<id>.tmp-<pid>`, is flushed to
 * disk, and becomes visible with one `rename`. A crash leaves only the hidden temporary, which
 * listings ignore and `cleanStaleTemps` removes; a handled failure removes it at once. Readers
 * therefore never see half a bundle, and copying bundle directories between machines merges
 * stores (ids carry a random suffix).
 */
import { randomBytes } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { copyFile, lstat, mkdir, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errors, isInferprintError, type InferprintError } from '../../errors.js';
import type { PowerChannel, PowerTrace } from '../../traces/types.js';
import { errnoCode } from '../../io/fs-errors.js';
import { bundleFile, checkBundleEntriesSync, MAX_MANIFEST_BYTES, readBundleFile } from './bundle-files.js';
import {
  COUNTERS_FILE,
  formatManifest,
  formatRunId,
  hasPower,
  MANIFEST_FILE,
  MANIFEST_SCHEMA_VERSION,
  parseManifest,
  parseManifestText,
  TRACE_FILE,
  type FileRole,
  type PoweredManifest,
  type RunManifest,
} from '../manifest.js';
import { checkSeries, readSeriesParquet, withDuckDB, writeSeriesParquetFile, type Series } from './parquet.js';

/** A cumulative energy counter (J since the sensor started, wrap-around unfolded) per channel. */
export interface CounterChannel {
  readonly name: string;
  /** Seconds on the trace's time axis, strictly increasing. */
  readonly tS: Float64Array;
  readonly energyJ: Float64Array;
}

/** An extra file for the bundle: given content, or copied from a path. */
export type BundleFileInput =
  | { readonly name: string; readonly role: FileRole; readonly content: string | Uint8Array }
  | { readonly name: string; readonly role: FileRole; readonly fromPath: string };

/** The manifest as the caller gives it: the writer fills in the schema version, id, files and (by default) createdAt. */
export type ManifestDraft = Omit<RunManifest, 'schemaVersion' | 'id' | 'createdAt' | 'files'> & { readonly createdAt?: string };

export interface RunBundleInput {
  readonly manifest: ManifestDraft;
  /**
   * Power per channel; each channel must be declared in `manifest.sensor.channels`. Absent or
   * empty: no sample (with a sensor, an empty `trace.parquet` is written; without, none).
   */
  readonly trace?: readonly PowerChannel[];
  /** Only with a sensor. */
  readonly counters?: readonly CounterChannel[];
  readonly files?: readonly BundleFileInput[];
}

export interface WriteRunBundleOptions {
  /** Clock for `createdAt` (default: now). */
  readonly now?: () => Date;
  /** The id's random suffix, 4 lowercase hex digits by default. */
  readonly randomSuffix?: () => string;
  /** Called with the temporary directory once every file is written, just before the rename (tests inject failures here). */
  readonly beforeCommit?: (tmpPath: string) => void | Promise<void>;
}

export interface WrittenBundle {
  readonly id: string;
  readonly path: string;
}

/** An extra file of a bundle, with its absolute path. */
export interface BundleFileRef {
  readonly name: string;
  readonly role: FileRole;
  readonly path: string;
}

/** A bundle of a run that sampled power. */
export interface RunBundle {
  readonly path: string;
  readonly manifest: PoweredManifest;
  /** Power in W on the run's time axis (`t = 0` at `manifest.startedAt`). */
  readonly trace: PowerTrace;
  readonly counters?: readonly CounterChannel[];
  /** The manifest's extra files with their absolute paths. */
  readonly files: readonly BundleFileRef[];
}

/** A bundle of a run that measured no power (no sensor): its manifest and files only. */
export interface PowerlessRunBundle {
  readonly path: string;
  readonly manifest: RunManifest;
  readonly trace?: undefined;
  readonly counters?: undefined;
  readonly files: readonly BundleFileRef[];
}

/** Any bundle; `trace === undefined` tells a power-less one. */
export type AnyRunBundle = RunBundle | PowerlessRunBundle;

/** Format of the trace a bundle reads back as (`PowerTrace.source.format`). */
export const BUNDLE_TRACE_FORMAT = 'inferprint-bundle';

/** Name of the temporary directory a writer fills before the rename; always starts with a dot. */
export function tempDirName(id: string, pid: number = process.pid): string {
  return `.${id}.tmp-${pid}`;
}

const defaultSuffix = (): string => randomBytes(2).toString('hex');

/** Attempts at a fresh id when the chosen one exists already (same label, same millisecond, same suffix). */
const MAX_ID_ATTEMPTS = 8;

/**
 * Write a run bundle under `runsDir` (created if needed) and return its id and path. Validates
 * the manifest and the series before touching the disk; throws coded errors (INVALID_VALUE,
 * PARSE for the manifest's fields, NOT_FOUND for a missing `fromPath`, IO otherwise).
 */
export async function writeRunBundle(runsDir: string, input: RunBundleInput, opts: WriteRunBundleOptions = {}): Promise<WrittenBundle> {
  const suffix = opts.randomSuffix ?? defaultSuffix;
  const createdAt = input.manifest.createdAt ?? (opts.now ?? (() => new Date()))().toISOString();
  const files = input.files ?? [];
  const build = (id: string): RunManifest =>
    parseManifest(
      {
        ...input.manifest,
        schemaVersion: MANIFEST_SCHEMA_VERSION,
        id,
        createdAt,
        files: files.map((f) => ({ name: f.name, role: f.role })),
      },
      join(runsDir, id, MANIFEST_FILE),
    );

  let id = formatRunId(input.manifest.startedAt, input.manifest.label, suffix());
  let manifest = build(id);
  const trace = (input.trace ?? []).map((c): Series => ({ name: c.name, tS: c.tS, values: c.powerW }));
  const counters = input.counters?.map((c): Series => ({ name: c.name, tS: c.tS, values: c.energyJ }));
  if (manifest.sensor === undefined) {
    // No sensor, no power: a trace or counters would be samples nobody can say the origin of.
    if (trace.length > 0) throw errors.invalidValue({ field: 'trace' }, 'a run without a sensor (manifest.sensor absent) cannot have power samples');
    if (counters !== undefined) throw errors.invalidValue({ field: 'counters' }, 'a run without a sensor (manifest.sensor absent) cannot have energy counters');
  }
  checkSeries(trace, 'trace');
  if (counters) checkSeries(counters, 'counters');
  const declared = new Set(manifest.sensor?.channels.map((c) => c.name));
  for (const [label, list] of [['trace', trace], ['counters', counters ?? []]] as const) {
    list.forEach((s, i) => {
      if (!declared.has(s.name)) throw errors.invalidValue({ field: `${label}[${i}]` }, `channel ${JSON.stringify(s.name)} is not declared in manifest sensor.channels`);
    });
  }
  const powered = manifest.sensor !== undefined;

  await mkdir(runsDir, { recursive: true }).catch((e: unknown) => {
    throw errors.io(runsDir, e);
  });
  const tmp = join(runsDir, tempDirName(id));
  try {
    await rm(tmp, { recursive: true, force: true });
    await mkdir(tmp);
    // Written by our own Parquet writer: loading DuckDB just to write cost ~200 ms per run.
    if (powered) writeSeriesParquetFile(join(tmp, TRACE_FILE), trace, 'watts');
    if (counters) writeSeriesParquetFile(join(tmp, COUNTERS_FILE), counters, 'energy_j');
    for (const f of files) {
      const dest = join(tmp, f.name);
      if ('fromPath' in f) {
        await copyFile(f.fromPath, dest, fsConstants.COPYFILE_EXCL).catch((e: unknown) => {
          throw isNoEntry(e) ? errors.notFound(f.fromPath, `file for role ${f.role}`) : errors.io(f.fromPath, e);
        });
      } else {
        await writeFile(dest, f.content, { flag: 'wx' });
      }
    }
    await writeFile(join(tmp, MANIFEST_FILE), formatManifest(manifest), { flag: 'wx' });
    // Flush contents before the rename makes them visible, so a power cut cannot publish empty files.
    for (const name of [...(powered ? [TRACE_FILE] : []), ...(counters ? [COUNTERS_FILE] : []), ...files.map((f) => f.name), MANIFEST_FILE]) await fsyncPath(join(tmp, name));
    await fsyncPath(tmp);
    await opts.beforeCommit?.(tmp);

    for (let attempt = 1; ; attempt++) {
      const dest = join(runsDir, id);
      try {
        await rename(tmp, dest);
        await fsyncPath(runsDir);
        return { id, path: dest };
      } catch (e) {
        if (!isCollision(e) || attempt >= MAX_ID_ATTEMPTS) throw e;
        id = formatRunId(input.manifest.startedAt, input.manifest.label, suffix());
        manifest = build(id);
        await writeFile(join(tmp, MANIFEST_FILE), formatManifest(manifest));
        await fsyncPath(join(tmp, MANIFEST_FILE));
      }
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
    throw asCoded(e, tmp);
  }
}

/**
 * Read and validate a bundle's `manifest.json` only (what listings need). A manifest that is a
 * link, a FIFO or any other non-regular file, or larger than 16 MiB, is refused (bundle-files.ts).
 */
export async function readRunManifest(bundlePath: string): Promise<RunManifest> {
  const text = await readBundleFile(bundlePath, MANIFEST_FILE, 'run manifest', MAX_MANIFEST_BYTES);
  return parseManifestText(text, join(bundlePath, MANIFEST_FILE));
}

/**
 * Read a bundle of a run that sampled power: its manifest, its trace (channels in the
 * manifest's order) and counters when present. Every problem is a coded error naming the file
 * at fault: a missing manifest or trace (NOT_FOUND), a corrupt Parquet file (PARSE), a trace
 * channel the manifest does not declare or a listed file that is absent. A run that measured
 * no power is NO_DATA here: read it with `readAnyRunBundle`.
 */
export async function readRunBundle(bundlePath: string): Promise<RunBundle> {
  const b = await readAnyRunBundle(bundlePath);
  if (b.trace === undefined) throw errors.noData(`run ${b.manifest.id} measured no power: it has no trace (manifest.json has no sensor)`, { file: join(bundlePath, MANIFEST_FILE) });
  return b;
}

/**
 * Read any bundle: with a sensor, as `readRunBundle`; without one (no power measured), its
 * manifest and files, after checking that it holds no `trace.parquet` or `counters.parquet`
 * (samples nobody can say the origin of). Every entry of the bundle must be a plain file: a
 * link, a FIFO, a directory... is INVALID_VALUE naming it (what is read here is what import copies).
 */
export async function readAnyRunBundle(bundlePath: string): Promise<AnyRunBundle> {
  const manifest = await readRunManifest(bundlePath);
  checkBundleEntriesSync(bundlePath);
  const traceFile = join(bundlePath, TRACE_FILE);
  const countersFile = join(bundlePath, COUNTERS_FILE);
  const files = manifest.files.map((f) => ({ name: f.name, role: f.role, path: join(bundlePath, f.name) }));
  const checkFiles = async (): Promise<void> => {
    for (const f of files) if (!(await exists(f.path))) throw errors.notFound(f.path, `file listed in manifest.json (role ${f.role})`);
  };
  if (!hasPower(manifest)) {
    for (const file of [traceFile, countersFile]) {
      if (await exists(file)) throw errors.invalidValue({ file }, 'present, but manifest.json has no sensor (the run measured no power)');
    }
    await checkFiles();
    return { path: bundlePath, manifest, files };
  }
  if (!(await exists(traceFile))) throw errors.notFound(traceFile, 'run trace');
  const { trace, counters } = await readBundleTrace(bundlePath, manifest, await exists(countersFile));
  await checkFiles();
  return { path: bundlePath, manifest, trace, ...(counters ? { counters } : {}), files };
}

/** The power trace of a bundle, and its counters when it has them. */
export interface BundleTrace {
  readonly trace: PowerTrace;
  readonly counters?: readonly CounterChannel[];
}

/**
 * Read the Parquet files of a bundle whose manifest (already read) has a sensor: the trace
 * and, when `hasCounters`, the counters, channels in the manifest's order. A channel the
 * manifest does not declare is INVALID_VALUE naming the file; a corrupt file is PARSE.
 */
export async function readBundleTrace(bundlePath: string, manifest: PoweredManifest, hasCounters: boolean): Promise<BundleTrace> {
  const sensor = manifest.sensor;
  // DuckDB would follow a link and block on a FIFO: the files are checked before it opens them.
  const traceFile = await bundleFile(bundlePath, TRACE_FILE, 'run trace');
  const countersFile = hasCounters ? await bundleFile(bundlePath, COUNTERS_FILE, 'energy counters') : join(bundlePath, COUNTERS_FILE);
  const { trace, counters } = await withDuckDB(async (con) => ({
    trace: await readSeriesParquet(con, traceFile, 'watts'),
    counters: hasCounters ? await readSeriesParquet(con, countersFile, 'energy_j') : undefined,
  }));

  const order = new Map(sensor.channels.map((c, i) => [c.name, i]));
  for (const [file, list] of [[traceFile, trace], [countersFile, counters ?? []]] as const) {
    for (const s of list) {
      if (!order.has(s.name)) throw errors.invalidValue({ file, field: 'channel' }, `channel ${JSON.stringify(s.name)} is not declared in manifest.json sensor.channels`);
    }
  }
  const byManifestOrder = (a: Series, b: Series): number => order.get(a.name)! - order.get(b.name)!;
  return {
    trace: {
      channels: trace.sort(byManifestOrder).map((s): PowerChannel => ({ name: s.name, tS: s.tS, powerW: s.values })),
      source: { format: BUNDLE_TRACE_FORMAT, path: traceFile, unitInSource: 'W' },
      provenance: sensor.provenance,
      originEpochMs: Date.parse(manifest.startedAt),
    },
    ...(counters ? { counters: counters.sort(byManifestOrder).map((s): CounterChannel => ({ name: s.name, tS: s.tS, energyJ: s.values })) } : {}),
  };
}

// ---------------------------------------------------------------------------------------
// File-system helpers

function isNoEntry(e: unknown): boolean {
  return errnoCode(e) === 'ENOENT';
}

function isCollision(e: unknown): boolean {
  const code = errnoCode(e);
  return code === 'EEXIST' || code === 'ENOTEMPTY';
}

/** Whether a name exists in a bundle, not following a link (the reader that uses it refuses links). */
async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (e) {
    if (isNoEntry(e)) return false;
    throw errors.io(path, e);
  }
}

/** fsync a file or directory. Directories cannot be opened for sync everywhere: that is best effort. */
async function fsyncPath(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch (e) {
    if ((await stat(path).catch(() => undefined))?.isDirectory() !== true) throw e;
  } finally {
    await handle?.close();
  }
}

function asCoded(e: unknown, file: string): InferprintError {
  if (isInferprintError(e)) return e;
  const path = typeof e === 'object' && e !== null && 'path' in e && typeof e.path === 'string' ? e.path : file;
  return errors.io(path, e);
}
