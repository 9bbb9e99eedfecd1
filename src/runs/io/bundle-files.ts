/**
 * The one rule for reading a file of a run bundle, shared by every reader (the store's listing,
 * `readRunBundle`, analyze and report through `src/app/inputs.ts`, the dashboard, import, the
 * table `bench` prints from its campaign's bundles): a bundle holds plain files. A name inside
 * a bundle that is a symbolic link, a FIFO, a socket, a device or a directory is refused with a
 * coded error naming it (INVALID_VALUE), never followed nor opened: a link could expose any file
 * of the machine (`mlperf_log_summary.txt` → `/etc/passwd`), a FIFO would block the reader for
 * good. Files read whole are capped in size.
 *
 * The dashboard applies the same rule with its own real-path checks on top (src/serve/security.ts).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { errors } from '../../errors.js';
import { errnoCode } from '../../io/fs-errors.js';
import { checkRegularFile, checkRegularFileSync, readRegularFile, readRegularFileSync } from '../../io/regular-file.js';
import { MANIFEST_FILE } from '../manifest.js';

/** A manifest is a few kB; 16 MiB leaves room for runs with thousands of windows and gaps. */
export const MAX_MANIFEST_BYTES = 16 << 20;
/** An MLPerf summary is a few kB; anything far larger is not one (the cap of src/mlperf). */
export { MAX_SUMMARY_BYTES } from '../../mlperf/io/log-tree.js';

const rules = (what: string, maxBytes?: number) => ({ links: 'refuse' as const, what, ...(maxBytes !== undefined ? { maxBytes } : {}) });

/** `name` in bundle `dir` after checking it is a plain file (for a file another library opens, e.g. DuckDB). */
export function bundleFileSync(dir: string, name: string, what: string): string {
  const path = join(dir, name);
  checkRegularFileSync(path, rules(what));
  return path;
}

/** Async `bundleFileSync`. */
export async function bundleFile(dir: string, name: string, what: string): Promise<string> {
  const path = join(dir, name);
  await checkRegularFile(path, rules(what));
  return path;
}

/** Read a bundle's text file whole (UTF-8), at most `maxBytes`. */
export function readBundleFileSync(dir: string, name: string, what: string, maxBytes: number): string {
  return readRegularFileSync(join(dir, name), rules(what, maxBytes));
}

/** Async `readBundleFileSync`: nothing blocks, not even a file-I/O thread. */
export function readBundleFile(dir: string, name: string, what: string, maxBytes: number): Promise<string> {
  return readRegularFile(join(dir, name), rules(what, maxBytes));
}

/** Read a bundle's `manifest.json` text. */
export function readManifestFileSync(dir: string): string {
  return readBundleFileSync(dir, MANIFEST_FILE, 'run manifest', MAX_MANIFEST_BYTES);
}

/**
 * Check that every entry of bundle `dir` is a plain file: what a reader that takes the bundle
 * whole (import copies it) needs, so that no link or special file is carried along.
 */
export function checkBundleEntriesSync(dir: string): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw errnoCode(e) === 'ENOENT' ? errors.notFound(dir, 'run bundle') : errors.io(dir, e);
  }
  for (const d of entries) {
    if (d.isFile()) continue;
    // The full check gives the message (link, FIFO, directory...), and catches an unknown type.
    checkRegularFileSync(join(dir, d.name), rules('file of the bundle'));
  }
}
