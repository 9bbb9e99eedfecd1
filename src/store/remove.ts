/**
 * Removing bundles. Each removal is one rename to a hidden name (readers stop seeing the run
 * at that instant, whole) followed by the recursive delete of the hidden directory; a delete
 * cut short leaves a hidden `.<id>.tmp-<pid>` that listings ignore and `cleanStaleTemps`
 * collects later.
 *
 * Only direct children of the runs directory that are real directories holding a
 * `manifest.json` are removed: names with separators, `..`, absolute paths, hidden names,
 * symbolic links (wherever they point) and foreign directories are refused. Every id is
 * checked before anything is removed, so a typo in the last id removes nothing.
 */
import { lstat, realpath, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errors, type InferprintError } from '../errors.js';
import { tempDirName } from '../runs/io/bundle.js';
import { errnoCode } from '../io/fs-errors.js';
import { isSafeName, MANIFEST_FILE } from '../runs/manifest.js';

export interface RemovedRun {
  readonly id: string;
  readonly path: string;
  /** False when another process removed it between the check and the removal. */
  readonly removed: boolean;
}

/** A run id as given on a command line or in a request: a plain directory name, nothing else. */
export function checkRunId(id: string, where = 'ID'): void {
  if (!isSafeName(id)) {
    throw errors.usage(`${JSON.stringify(id)} is not a run id (a directory name in the runs directory: letters, digits, . _ + -, no leading dot, no '/')`, where);
  }
}

async function checkRemovable(runsDir: string, realRunsDir: string, id: string): Promise<string> {
  checkRunId(id);
  const path = join(runsDir, id);
  const refuse = (why: string): InferprintError => errors.invalidValue({ file: path }, `not removed: ${why}`);
  let st;
  try {
    st = await lstat(path);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') throw errors.notFound(path, 'run');
    throw errors.io(path, e);
  }
  if (st.isSymbolicLink()) throw refuse('a symbolic link, not a bundle directory (remove the link by hand if you mean to)');
  if (!st.isDirectory()) throw refuse('not a directory');
  // Belt and braces: the entry's parent, resolved, is the runs directory itself.
  if ((await realpath(dirname(path))) !== realRunsDir) throw refuse('not inside the runs directory');
  try {
    const m = await lstat(join(path, MANIFEST_FILE));
    if (!m.isFile()) throw refuse('manifest.json is not a file');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') throw refuse('not a run bundle (no manifest.json)');
    throw e;
  }
  return path;
}

/** Remove the bundles `ids` (exact ids) from `runsDir`, all checked first. */
export async function removeRuns(runsDir: string, ids: readonly string[]): Promise<RemovedRun[]> {
  if (ids.length === 0) throw errors.usage('give at least one run id', 'ID');
  let realRunsDir: string;
  try {
    realRunsDir = await realpath(runsDir);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') throw errors.notFound(join(runsDir, ids[0]!), 'run');
    throw errors.io(runsDir, e);
  }
  const unique = [...new Set(ids)];
  const paths: string[] = [];
  for (const id of unique) paths.push(await checkRemovable(runsDir, realRunsDir, id));

  const out: RemovedRun[] = [];
  for (const [i, id] of unique.entries()) {
    const path = paths[i]!;
    const hidden = join(runsDir, tempDirName(id));
    try {
      await rm(hidden, { recursive: true, force: true });
      await rename(path, hidden);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') {
        out.push({ id, path, removed: false });
        continue;
      }
      throw errors.io(path, e);
    }
    try {
      await rm(hidden, { recursive: true, force: true });
    } catch (e) {
      throw errors.io(hidden, e);
    }
    out.push({ id, path, removed: true });
  }
  return out;
}
