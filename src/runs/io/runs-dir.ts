/**
 * The runs directory: where bundles live, how to find it, how to list it.
 *
 * Resolution (DESIGN.md §4.1): `--runs-dir DIR`, else `$INFERPRINT_RUNS_DIR`, else the XDG
 * data directory, `$XDG_DATA_HOME/inferprint/runs`, which is `~/.local/share/inferprint/runs`
 * when `XDG_DATA_HOME` is unset. Runs are data the user produced and wants to keep (not a
 * cache, not configuration), which is what the XDG base-directory spec reserves that place
 * for; one fixed place per user also means every command sees every run without a flag.
 *
 * Listing the bundles is `scan.ts`'s (the one scanner); this module finds the directory and
 * cleans writers' leftovers.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { lstat, readdir, rm } from 'node:fs/promises';
import { errors } from '../../errors.js';
import { errnoCode } from '../../io/fs-errors.js';
import { isSafeName } from '../manifest.js';

export const RUNS_DIR_ENV = 'INFERPRINT_RUNS_DIR';

/**
 * Glob for bundle directories in DuckDB paths, followed by `/manifest.json` or `/trace.parquet`:
 * DuckDB's plain star also matches dot names, which would pick up writers' temporaries.
 */
export const BUNDLE_DIR_GLOB = '[!.]*';

/** The folder beside the bundles where `bench` and `campaign` keep their campaign files. */
export const CAMPAIGNS_FOLDER = 'campaigns';
export const campaignsRoot = (runsDir: string): string => join(runsDir, CAMPAIGNS_FOLDER);

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

/** A writer's temporary directory: `.<id>.tmp-<pid>`. */
const TEMP_DIR = /^\.(.+)\.tmp-(\d+)$/;

/** Default quiet period before a dead writer's temporary is removed (see `cleanStaleTemps`). */
export const STALE_TEMP_GRACE_MS = 15 * 60 * 1000;

export interface CleanOptions {
  /**
   * Temporaries touched (the folder or a file in it) more recently than this are left alone,
   * whatever their pid says: the pid is only meaningful on this host, and a runs directory may be
   * shared with other machines whose writers are busy filling theirs. Default 15 min.
   */
  readonly olderThanMs?: number;
  /** Clock (default `Date.now`). */
  readonly nowMs?: number;
  /** Whether a pid is a live process on this host (default `isPidAlive`). */
  readonly isAlive?: (pid: number) => boolean;
}

/** Whether `pid` is a process on this host (one owned by another user counts: EPERM). */
export function isPidAlive(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errnoCode(e) === 'EPERM';
  }
}

/** A removed leftover and why it was judged one. */
export interface RemovedLeftover {
  readonly path: string;
  readonly pid: number;
}

/**
 * Remove writers' temporaries left by crashed or killed runs: `.<id>.tmp-<pid>` folders whose
 * pid is not a live process here (never this process's own) and in which nothing changed for
 * `olderThanMs`. A temporary whose pid is alive is kept, even if it is another host's writer
 * whose pid happens to be in use here: keeping a leftover is cheap, removing a live writer's
 * files is not. Returns what was removed.
 */
export async function cleanStaleTempsDetailed(runsDir: string, opts: CleanOptions = {}): Promise<RemovedLeftover[]> {
  const olderThanMs = opts.olderThanMs ?? STALE_TEMP_GRACE_MS;
  const nowMs = opts.nowMs ?? Date.now();
  const isAlive = opts.isAlive ?? isPidAlive;
  let entries;
  try {
    entries = await readdir(runsDir, { withFileTypes: true });
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return [];
    throw errors.io(runsDir, e);
  }
  const removed: RemovedLeftover[] = [];
  for (const d of entries) {
    const m = TEMP_DIR.exec(d.name);
    if (!d.isDirectory() || m === null || !isSafeName(m[1]!)) continue;
    const pid = Number(m[2]);
    if (pid === process.pid || isAlive(pid)) continue;
    const path = join(runsDir, d.name);
    try {
      if (nowMs - (await newestChangeMs(path)) < olderThanMs) continue;
      await rm(path, { recursive: true, force: true });
      removed.push({ path, pid });
    } catch (e) {
      // Another cleaner got there first.
      if (errnoCode(e) !== 'ENOENT') throw errors.io(path, e);
    }
  }
  return removed.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** `cleanStaleTempsDetailed`, paths only. */
export async function cleanStaleTemps(runsDir: string, opts: CleanOptions = {}): Promise<string[]> {
  return (await cleanStaleTempsDetailed(runsDir, opts)).map((r) => r.path);
}

/** The latest modification time of a folder and of the entries directly in it (a writer appending to a file moves only that file's). */
async function newestChangeMs(dir: string): Promise<number> {
  let newest = (await lstat(dir)).mtimeMs;
  for (const name of await readdir(dir)) {
    try {
      newest = Math.max(newest, (await lstat(join(dir, name))).mtimeMs);
    } catch (e) {
      if (errnoCode(e) !== 'ENOENT') throw e;
    }
  }
  return newest;
}
