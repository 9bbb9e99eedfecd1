import { createHash } from 'node:crypto';
import { closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errors } from '../errors.js';
import { openRegularFileSync } from '../io/regular-file.js';
import type { RunManifest } from '../runs/manifest.js';
import { scanRunsDir } from '../runs/io/scan.js';

/**
 * What an imported run was made from, recorded as `workload.source` in its manifest, so that
 * importing the same thing twice adds nothing. Identity is content, not path: the same file
 * copied under another name is the same measurement.
 *
 * - a power log (nvidia-smi, tegrastats, generic, the study's CSVs): the file's SHA-256;
 * - an MLPerf run folder: the SHA-256 of its summary and detail logs;
 * - a CodeCarbon run: the file's SHA-256 is recorded, but CodeCarbon appends to
 *   `emissions.csv` run after run, so the run is identified by its `run_id` (a UUID) where the
 *   file has one, else by the SHA-256 of its row: re-importing a file that grew adds only the
 *   new runs.
 */
export interface SourceIdentity {
  /** Where it was read (absolute). */
  readonly path: string;
  /** Line of the row in the file (CodeCarbon). */
  readonly line?: number;
  /** SHA-256 (hex) of the file; for an MLPerf run folder, of the files in `files`. */
  readonly sha256: string;
  readonly sizeBytes: number;
  /** Files hashed, in order, when the source is a folder (MLPerf run). */
  readonly files?: readonly string[];
  /** The run within a file that holds several (`run_id:<uuid>` or `row:<sha256>`); it identifies the run instead of `sha256`. */
  readonly part?: string;
}

/** The key two imports of the same thing share. */
export function identityKey(s: Pick<SourceIdentity, 'sha256' | 'part'>): string {
  return s.part ?? `sha256:${s.sha256}`;
}

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

/** The identity recorded in a manifest, if the run was imported with one. */
export function recordedIdentity(m: RunManifest): SourceIdentity | undefined {
  if (m.workload.kind !== 'import') return undefined;
  const s = m.workload.source;
  if (typeof s !== 'object' || s === null) return undefined;
  const r = s as Record<string, unknown>;
  if (typeof r.path !== 'string' || typeof r.sha256 !== 'string' || typeof r.sizeBytes !== 'number') return undefined;
  return {
    path: r.path,
    sha256: r.sha256,
    sizeBytes: r.sizeBytes,
    ...(typeof r.line === 'number' ? { line: r.line } : {}),
    ...(typeof r.part === 'string' ? { part: r.part } : {}),
  };
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
