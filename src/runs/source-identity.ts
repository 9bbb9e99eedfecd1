import type { RunManifest } from './manifest.js';

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
