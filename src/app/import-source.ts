import { createHash } from 'node:crypto';
import { closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errors } from '../errors.js';
import { openRegularFileSync } from '../io/regular-file.js';
import { scanRunsDir } from '../runs/io/scan.js';
import { identityKey, recordedIdentity, type SourceIdentity } from '../runs/source-identity.js';

/** A source's bytes: a regular file only (a FIFO or /dev/zero would never end, and could not be read twice). */
function readBytes(path: string): Buffer {
  const { fd } = openRegularFileSync(path, { links: 'follow', what: 'file' });
  try {
    return readFileSync(fd);
  } catch (e) {
    throw errors.io(path, e);
  } finally {
    closeSync(fd);
  }
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** A whole file, and its bytes (importers that need them read them once). */
export function fileIdentity(path: string): { readonly identity: SourceIdentity; readonly bytes: Buffer } {
  const bytes = readBytes(path);
  return { identity: { path, sha256: sha256(bytes), sizeBytes: bytes.length }, bytes };
}

/** An MLPerf run folder: its summary, then its detail log when there is one (length-prefixed, so the boundary is part of the hash). */
export function folderIdentity(dir: string, names: readonly string[]): SourceIdentity {
  const h = createHash('sha256');
  let size = 0;
  for (const name of names) {
    const bytes = readBytes(join(dir, name));
    h.update(`${name}\0${bytes.length}\0`).update(bytes);
    size += bytes.length;
  }
  return { path: dir, sha256: h.digest('hex'), sizeBytes: size, files: names };
}

/** One CodeCarbon run: the file's identity, the run's line, and what identifies the run as the file grows. */
export function rowIdentity(file: SourceIdentity, line: number, rowText: string, runId: string | undefined): SourceIdentity {
  return { ...file, line, part: runId !== undefined && runId !== '' ? `run_id:${runId}` : `row:${sha256(rowText)}` };
}

/** A run of the store that holds a source. */
export interface StoredSource {
  readonly id: string;
  readonly path: string;
  readonly source: SourceIdentity;
}

/**
 * The sources a runs directory already holds, by identity key: read once per import with the
 * store's scanner (manifests only). Unreadable entries are not sources; the store's own
 * commands report them.
 */
export async function storedSources(runsDir: string): Promise<Map<string, StoredSource>> {
  const { runs } = await scanRunsDir(runsDir);
  const out = new Map<string, StoredSource>();
  for (const r of runs) {
    const source = recordedIdentity(r.manifest);
    // Sorted by id, i.e. by start time: the first import of a source is the one named.
    if (source && !out.has(identityKey(source))) out.set(identityKey(source), { id: r.id, path: r.path, source });
  }
  return out;
}
