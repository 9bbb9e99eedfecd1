/**
 * The runs directory: where bundles live, how to find it, how to list it.
 *
 * Resolution (DESIGN.md §4.1): `--runs-dir DIR`, else `$INFERPRINT_RUNS_DIR`, else the XDG
 * data directory, `$XDG_DATA_HOME/inferprint/runs`, which is `~/.local/share/inferprint/runs`
 * when `XDG_DATA_HOME` is unset. Runs are data the user produced and wants to keep (not a
 * cache, not configuration), which is what the XDG base-directory spec reserves that place
 * for; one fixed place per user also means every command sees every run without a flag.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { readdir, rm, stat } from 'node:fs/promises';
import { errors, isInferprintError, type InferprintError } from '../errors.js';
import { readRunManifest } from './bundle.js';
import { errnoCode } from '../io/fs-errors.js';
import { isSafeName, type RunManifest } from './manifest.js';

export const RUNS_DIR_ENV = 'INFERPRINT_RUNS_DIR';

/**
 * Glob for bundle directories in DuckDB paths, followed by `/manifest.json` or `/trace.parquet`:
 * DuckDB's plain star also matches dot names, which would pick up writers' temporaries.
 */
export const BUNDLE_DIR_GLOB = '[!.]*';

export interface RunsDirInputs {
  /** Value of `--runs-dir`, when given. */
  readonly flag?: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Home directory (default `os.homedir()`); injected by tests. */
  readonly home?: string;
  /** Base for relative paths (default `process.cwd()`). */
  readonly cwd?: string;
}

export interface ResolvedRunsDir {
  /** Absolute path. */
  readonly path: string;
  /** Which rule chose it, so a command can say where runs went and why. */
  readonly source: 'flag' | 'env' | 'default';
}

/** The runs directory and which rule chose it. Nothing is created or checked on disk. */
export function resolveRunsDirFrom(inputs: RunsDirInputs): ResolvedRunsDir {
  const cwd = inputs.cwd ?? process.cwd();
  if (inputs.flag !== undefined) {
    if (inputs.flag.trim() === '') throw errors.usage('give a directory', '--runs-dir');
    return { path: resolve(cwd, inputs.flag), source: 'flag' };
  }
  // An empty variable counts as unset, as shells make it easy to export one by accident.
  const fromEnv = inputs.env[RUNS_DIR_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return { path: resolve(cwd, fromEnv), source: 'env' };
  // The XDG spec says a relative XDG_DATA_HOME is invalid and must be ignored.
  const xdg = inputs.env.XDG_DATA_HOME;
  const dataHome = xdg !== undefined && isAbsolute(xdg) ? xdg : join(inputs.home ?? homedir(), '.local', 'share');
  return { path: join(dataHome, 'inferprint', 'runs'), source: 'default' };
}

/** The runs directory's absolute path (see `resolveRunsDirFrom`). */
export function resolveRunsDir(inputs: RunsDirInputs): string {
  return resolveRunsDirFrom(inputs).path;
}

export interface ListedBundle {
  readonly id: string;
  readonly path: string;
  readonly manifest: RunManifest;
}

export interface ListOptions {
  /** Told about every directory that is not a valid bundle; listing carries on. */
  readonly onInvalid?: (path: string, error: InferprintError) => void;
}

/**
 * Entries of a runs directory that are not bundles: dot names (writers' temporaries, the live
 * view's `.live/`) and the folders the tool keeps beside the bundles (`campaigns/` of `bench`).
 */
export function isReservedRunsDirEntry(name: string): boolean {
  return name.startsWith('.') || name === 'campaigns';
}

/**
 * Every valid bundle in `runsDir`, sorted by id (so chronologically by start time). Reads
 * manifests only. Hidden entries (writers' temporaries, `.live/`), `campaigns/` and plain
 * files are ignored; a directory whose manifest is missing or invalid, or whose id differs
 * from its name, is reported through `onInvalid` and skipped. A runs directory that does not
 * exist yet is empty.
 */
export async function listRunBundles(runsDir: string, opts: ListOptions = {}): Promise<ListedBundle[]> {
  let entries;
  try {
    entries = await readdir(runsDir, { withFileTypes: true });
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return [];
    throw errors.io(runsDir, e);
  }
  const names = entries.filter((d) => d.isDirectory() && !isReservedRunsDirEntry(d.name)).map((d) => d.name);
  const listed: ListedBundle[] = [];
  for (const name of names) {
    const path = join(runsDir, name);
    try {
      const manifest = await readRunManifest(path);
      // Ids name directories; a renamed copy would make two bundles claim one id.
      if (manifest.id !== name) throw errors.invalidValue({ file: join(path, 'manifest.json'), field: 'id' }, `id ${JSON.stringify(manifest.id)} differs from the directory name ${JSON.stringify(name)}`);
      listed.push({ id: name, path, manifest });
    } catch (e) {
      if (!isInferprintError(e)) throw e;
      opts.onInvalid?.(path, e);
    }
  }
  return listed.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** A writer's temporary directory: `.<id>.tmp-<pid>`. */
const TEMP_DIR = /^\.(.+)\.tmp-(\d+)$/;

export interface CleanOptions {
  /** Temporaries younger than this are left alone: a writer may still be filling them. Default 1 h. */
  readonly olderThanMs?: number;
  /** Clock (default `Date.now`). */
  readonly nowMs?: number;
}

/**
 * Remove writers' temporaries left by crashed runs (older than `olderThanMs`, judged by
 * modification time, as the writer's pid may belong to another machine sharing the directory).
 * Returns the paths removed.
 */
export async function cleanStaleTemps(runsDir: string, opts: CleanOptions = {}): Promise<string[]> {
  const olderThanMs = opts.olderThanMs ?? 60 * 60 * 1000;
  const nowMs = opts.nowMs ?? Date.now();
  let entries;
  try {
    entries = await readdir(runsDir, { withFileTypes: true });
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return [];
    throw errors.io(runsDir, e);
  }
  const removed: string[] = [];
  for (const d of entries) {
    const m = TEMP_DIR.exec(d.name);
    if (!d.isDirectory() || m === null || !isSafeName(m[1]!)) continue;
    const path = join(runsDir, d.name);
    try {
      const st = await stat(path);
      if (nowMs - st.mtimeMs < olderThanMs) continue;
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    } catch (e) {
      // Another cleaner got there first.
      if (errnoCode(e) !== 'ENOENT') throw errors.io(path, e);
    }
  }
  return removed.sort();
}
