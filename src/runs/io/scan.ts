/**
 * The one scanner of a runs directory: every bundle's manifest read, brought to the current
 * schema and checked; every entry that is not a readable bundle reported with the reason, never
 * thrown. The store (`runs list`, `sql`, exports), the dashboard, `import`'s duplicate check,
 * campaigns and the library's `listRunBundles` all list through it, so they agree on which
 * folders are runs.
 *
 * Safe while other processes write and remove bundles: writers fill a hidden sibling and
 * rename it into place, removers rename a bundle to a hidden name before deleting it, so a
 * name seen in the directory is either a whole bundle or gone by the time it is read. An
 * entry that vanishes mid-listing is left out silently (it is not corrupt, it is gone);
 * hidden entries are never looked at.
 */
import { readdir } from 'node:fs/promises';
import { lstatSync, readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { errors, isInferprintError, type ErrorCode, type InferprintError } from '../../errors.js';
import { errnoCode } from '../../io/fs-errors.js';
import { checkRegularFileSync } from '../../io/regular-file.js';
import { readManifestFileSync } from './bundle-files.js';
import { CAMPAIGNS_FOLDER } from './runs-dir.js';
import { COUNTERS_FILE, hasPower, isSafeName, MANIFEST_FILE, readManifestText, TRACE_FILE, type RunManifest } from '../manifest.js';

/**
 * Entries of a runs directory that are not bundles, never looked at: dot names (writers' and
 * removers' temporaries, the live view's `.live/`) and the folders the tool keeps beside the
 * bundles (`campaigns/` of `bench` and `campaign`).
 */
export function isReservedRunsDirEntry(name: string): boolean {
  return name.startsWith('.') || name === CAMPAIGNS_FOLDER;
}

/** A bundle the scanner listed: where it is, its manifest brought to the current schema. */
export interface StoredRun {
  readonly id: string;
  /** Absolute path of the bundle directory. */
  readonly path: string;
  readonly manifest: RunManifest;
  /** Schema version found on disk (the manifest above is always the current one). */
  readonly schemaVersion: number;
  /** Whether `counters.parquet` is present. */
  readonly hasCounters: boolean;
}

/** A runs-directory entry that is not a readable bundle, and why. */
export interface SkippedEntry {
  /** Entry name in the runs directory. */
  readonly name: string;
  readonly path: string;
  readonly code: ErrorCode;
  /** One line naming the file (and field) at fault. */
  readonly reason: string;
}

export interface ScanResult {
  /** Sorted by id, so by start time. */
  readonly runs: StoredRun[];
  /** Sorted by name. */
  readonly skipped: SkippedEntry[];
}

export type Inspected =
  | { readonly kind: 'run'; readonly run: StoredRun }
  | { readonly kind: 'skipped'; readonly entry: SkippedEntry; readonly error: InferprintError }
  | { readonly kind: 'gone' };

/**
 * Manifests already read, by entry name, with the manifest file's identity when it was read.
 * Bundles are written once and never modified in place, so an unchanged manifest file means
 * an unchanged run; a listing with a cache re-reads only new or replaced bundles.
 */
export class ScanCache {
  readonly #runs = new Map<string, { readonly key: string; readonly run: StoredRun }>();
  get(name: string, key: string): StoredRun | undefined {
    const hit = this.#runs.get(name);
    return hit?.key === key ? hit.run : undefined;
  }
  /** The run last read under `name`, whatever its manifest file is now. */
  byName(name: string): StoredRun | undefined {
    return this.#runs.get(name)?.run;
  }
  set(name: string, key: string, run: StoredRun): void {
    this.#runs.set(name, { key, run });
  }
  /** Forget every entry not in `names` (removed bundles). */
  keepOnly(names: ReadonlySet<string>): void {
    for (const n of this.#runs.keys()) if (!names.has(n)) this.#runs.delete(n);
  }
  get size(): number {
    return this.#runs.size;
  }
}

export interface ScanOptions {
  readonly cache?: ScanCache;
  /**
   * Reuse a cached run on its name alone, without looking at the bundle again (default false:
   * every listing checks every bundle). For the dashboard, which lists again on every change of
   * the directory: during a campaign that is every new bundle, and re-checking 10⁴ bundles costs
   * ~0.6 s each time. Bundles are immutable once renamed into place; one removed and written
   * again under the same name between two listings keeps its first reading.
   */
  readonly reuseByName?: boolean;
  /** Told about every skipped entry with its coded error (the result keeps the one-line reason only). */
  readonly onSkipped?: (entry: SkippedEntry, error: InferprintError) => void;
}

/** Bundles read between two yields to the event loop. */
const SLICE = 200;

/** ENOENT or ENOTDIR: the thing (or a directory on its path) is not there any more. */
function isGone(e: unknown): boolean {
  const code = errnoCode(e);
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function skipped(name: string, path: string, e: InferprintError): Inspected {
  return { kind: 'skipped', entry: { name, path, code: e.code, reason: e.message }, error: e };
}

function symlinkError(path: string): InferprintError {
  return errors.invalidValue({ file: path }, 'not a run bundle: a symbolic link, not followed (a bundle is a directory inside the runs directory)');
}

function stillThere(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Inspect one entry of the runs directory by name: a bundle, a skipped entry with its reason,
 * or `gone` when it disappeared while being read. Never throws for the entry's content, and
 * never follows a symbolic link. `knownDirectory`: the caller has just seen a real directory.
 */
export function inspectEntry(runsDir: string, name: string, cache?: ScanCache, knownDirectory = false): Inspected {
  const path = join(runsDir, name);
  if (!isSafeName(name)) return skipped(name, path, errors.invalidValue({ file: path }, 'not a run bundle: a run id is letters, digits and . _ + - (no leading dot)'));
  if (!knownDirectory) {
    let st;
    try {
      st = lstatSync(path);
    } catch (e) {
      if (isGone(e)) return { kind: 'gone' };
      return skipped(name, path, errors.io(path, e));
    }
    if (st.isSymbolicLink()) return skipped(name, path, symlinkError(path));
    if (!st.isDirectory()) return skipped(name, path, errors.invalidValue({ file: path }, 'not a run bundle: not a directory'));
  }
  let dirents: Map<string, Dirent>;
  try {
    dirents = new Map(readdirSync(path, { withFileTypes: true }).map((d) => [d.name, d]));
  } catch (e) {
    if (isGone(e)) return { kind: 'gone' };
    return skipped(name, path, errors.io(path, e));
  }
  const names = new Set(dirents.keys());
  const manifestPath = join(path, MANIFEST_FILE);
  if (!names.has(MANIFEST_FILE)) return skipped(name, path, errors.notFound(manifestPath, 'not a run bundle: manifest.json'));
  /**
   * A file the bundle relies on must be a plain file (bundle-files.ts): a link is never
   * followed, a FIFO never opened. The directory entry's type costs no system call; an
   * unknown type is looked at.
   */
  const plain = (file: string, what: string): void => {
    if (dirents.get(file)?.isFile() !== true) checkRegularFileSync(join(path, file), { links: 'refuse', what });
  };

  let key = '';
  try {
    plain(MANIFEST_FILE, 'run manifest');
    let cached: StoredRun | undefined;
    if (cache) {
      const st = statSync(manifestPath);
      key = `${st.ino}:${st.size}:${st.mtimeMs}`;
      cached = cache.get(name, key);
    }
    const { manifest, schemaVersion } = cached ?? readManifestText(readManifestFileSync(path), manifestPath);
    // Ids name directories; a renamed copy would make two bundles claim one id.
    if (manifest.id !== name) throw errors.invalidValue({ file: manifestPath, field: 'id' }, `id ${JSON.stringify(manifest.id)} differs from the directory name ${JSON.stringify(name)}`);
    if (hasPower(manifest)) {
      if (!names.has(TRACE_FILE)) throw errors.notFound(join(path, TRACE_FILE), 'run trace');
      plain(TRACE_FILE, 'run trace');
      if (names.has(COUNTERS_FILE)) plain(COUNTERS_FILE, 'energy counters');
    } else {
      // No sensor, no power: Parquet files here would be samples nobody can say the origin of.
      for (const f of [TRACE_FILE, COUNTERS_FILE]) {
        if (names.has(f)) throw errors.invalidValue({ file: join(path, f) }, 'present, but manifest.json has no sensor (the run measured no power)');
      }
    }
    for (const f of manifest.files) {
      if (!names.has(f.name)) throw errors.notFound(join(path, f.name), `file listed in manifest.json (role ${f.role})`);
      plain(f.name, `file listed in manifest.json (role ${f.role})`);
    }
    const run: StoredRun = { id: name, path, manifest, schemaVersion, hasCounters: names.has(COUNTERS_FILE) };
    if (cache && cached === undefined) cache.set(name, key, run);
    return { kind: 'run', run };
  } catch (e) {
    if (isInferprintError(e)) return skipped(name, path, e);
    // Renamed away (removed) between the directory read and the file read.
    if (isGone(e) && !stillThere(path)) return { kind: 'gone' };
    return skipped(name, path, isGone(e) ? errors.notFound(manifestPath, 'run manifest') : errors.io(manifestPath, e));
  }
}

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every bundle of `runsDir` and every entry skipped, with the reason. A runs directory that
 * does not exist is empty; one that cannot be read is an IO error (the only throw).
 * Plain files are not bundles and are left out silently; symbolic links are reported and
 * never followed, so nothing outside the runs directory is read through it.
 */
export async function scanRunsDir(runsDir: string, opts: ScanOptions = {}): Promise<ScanResult> {
  const { dirs, links } = await runsDirEntries(runsDir);
  const out: Inspected[] = links.map((name) => {
    const path = join(runsDir, name);
    return skipped(name, path, symlinkError(path));
  });
  // Synchronous reads in slices, yielding to the event loop between slices: fs/promises costs
  // a thread-pool round trip per call, which made a listing of 10^4 bundles ~3× slower
  // (1.8 s against 0.6 s here), while a slice keeps a server responsive.
  for (let i = 0; i < dirs.length; i += SLICE) {
    if (i > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    for (const name of dirs.slice(i, i + SLICE)) {
      const known = opts.reuseByName === true ? opts.cache?.byName(name) : undefined;
      out.push(known !== undefined ? { kind: 'run', run: known } : inspectEntry(runsDir, name, opts.cache, true));
    }
  }
  opts.cache?.keepOnly(new Set(dirs));
  const runs: StoredRun[] = [];
  const skippedEntries: SkippedEntry[] = [];
  for (const x of out) {
    if (x.kind === 'run') runs.push(x.run);
    else if (x.kind === 'skipped') {
      skippedEntries.push(x.entry);
      opts.onSkipped?.(x.entry, x.error);
    }
  }
  runs.sort((a, b) => byName(a.id, b.id));
  skippedEntries.sort((a, b) => byName(a.name, b.name));
  return { runs, skipped: skippedEntries };
}

/** The names the scanner looks at in a runs directory, unsorted. */
export interface RunsDirEntries {
  /** Real directories (each a bundle, or an entry to report). */
  readonly dirs: readonly string[];
  /** Symbolic links: reported, never followed. */
  readonly links: readonly string[];
}

/**
 * The entries of `runsDir` that can be runs, without reading any of them: reserved entries
 * (`isReservedRunsDirEntry`) and plain files are left out. A runs directory that does not exist
 * has none; one that cannot be read is an IO error. For callers that pick names before reading
 * (a prefix, a time range), then read each with `inspectEntry`.
 */
export async function runsDirEntries(runsDir: string): Promise<RunsDirEntries> {
  let entries;
  try {
    entries = await readdir(runsDir, { withFileTypes: true });
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return { dirs: [], links: [] };
    throw errors.io(runsDir, e);
  }
  return classify(entries);
}

/** `runsDirEntries` for synchronous callers (`analyze`'s inputs). */
export function runsDirEntriesSync(runsDir: string): RunsDirEntries {
  let entries;
  try {
    entries = readdirSync(runsDir, { withFileTypes: true });
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return { dirs: [], links: [] };
    throw errors.io(runsDir, e);
  }
  return classify(entries);
}

function classify(entries: readonly Dirent[]): RunsDirEntries {
  const dirs: string[] = [];
  const links: string[] = [];
  for (const d of entries) {
    if (isReservedRunsDirEntry(d.name)) continue;
    if (d.isSymbolicLink()) links.push(d.name);
    else if (d.isDirectory()) dirs.push(d.name);
  }
  return { dirs, links };
}

/** A bundle as `listRunBundles` gives it. */
export interface ListedBundle {
  readonly id: string;
  readonly path: string;
  readonly manifest: RunManifest;
}

export interface ListOptions {
  /** Told about every entry that is not a readable bundle; listing carries on. */
  readonly onInvalid?: (path: string, error: InferprintError) => void;
}

/**
 * Every readable bundle in `runsDir`, sorted by id (so chronologically by start time): the
 * library's short form of `scanRunsDir`, with the same rules (entries skipped are told to
 * `onInvalid`).
 */
export async function listRunBundles(runsDir: string, opts: ListOptions = {}): Promise<ListedBundle[]> {
  const onInvalid = opts.onInvalid;
  const { runs } = await scanRunsDir(runsDir, onInvalid ? { onSkipped: (entry, error) => { onInvalid(entry.path, error); } } : {});
  return runs.map((r) => ({ id: r.id, path: r.path, manifest: r.manifest }));
}
