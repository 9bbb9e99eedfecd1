/**
 * Writing a file whole or not at all: the content goes to a temporary sibling
 * (`.<name>.tmp-<pid>`), renamed over the target once complete, so a reader never sees half a
 * file. The temporary file is removed when anything fails.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errors } from '../errors.js';

/** `write` fills the temporary sibling it is given (any writer: text, DuckDB's COPY, ...); then it replaces `path`. */
export async function writeAtomically(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  try {
    await write(tmp);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw errors.io(path, e);
  }
}

/** Write `text` to `path` atomically, making its directory first when missing. */
export function writeTextAtomically(path: string, text: string): Promise<void> {
  return writeAtomically(path, async (tmp) => {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, text);
  });
}
