/**
 * Opening a file that came from input without trusting what it is. A FIFO blocks `open` until
 * some writer appears (forever, and in a server it holds one of libuv's four file-I/O threads);
 * a character device such as `/dev/zero` never ends; a symbolic link inside a run bundle can
 * point anywhere on the machine (`/etc/passwd`). So every reader here:
 *
 * 1. looks at the file first (`lstat` when links are refused, else `stat`) and opens only a
 *    regular file: opening a device can itself act (a watchdog starts counting);
 * 2. opens it with `O_NONBLOCK` (and `O_NOFOLLOW` when links are refused), then checks the
 *    open descriptor again, so a file swapped for a FIFO or a link in between is refused too,
 *    never waited on;
 * 3. reads at most `maxBytes` when it reads the whole file.
 *
 * Errors are coded and name the file: NOT_FOUND, INVALID_VALUE (not a regular file, too
 * large), IO (the system refused).
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { lstat, open, stat, type FileHandle } from 'node:fs/promises';
import { errors, type InferprintError } from '../errors.js';
import { errnoCode } from './fs-errors.js';

export interface FileRules {
  /** `follow`: a file the user named (a link to it is fine). `refuse`: a file inside a run bundle. */
  readonly links: 'follow' | 'refuse';
  /** What the file is, for messages, e.g. `run manifest`. */
  readonly what: string;
  /** Whole-file reads: refuse a file larger than this. */
  readonly maxBytes?: number;
  /**
   * The caller has just read this name from its folder's listing as a regular file
   * (`Dirent.isFile()`, the type the directory itself records, no link followed): the look
   * before opening is skipped, and the open descriptor is still checked. A walk of the
   * study's log tree saves one `stat` per summary (1 581 of them).
   */
  readonly listedRegular?: boolean;
}

/** What a non-regular file is, in words. */
export function fileKind(st: Stats): string {
  if (st.isFile()) return 'regular file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symbolic link';
  if (st.isFIFO()) return 'FIFO (named pipe)';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  return 'special file';
}

const linkRefused = (path: string, rules: FileRules): InferprintError =>
  errors.notRegularFile(path, `${rules.what} is a symbolic link: not followed (a run bundle holds plain files only)`);

function refusedKind(path: string, st: Stats, rules: FileRules): InferprintError {
  if (st.isSymbolicLink()) return linkRefused(path, rules);
  return errors.notRegularFile(path, `${rules.what} is a ${fileKind(st)}, not a regular file: not read (a pipe or a device could block or never end)`);
}

function openError(path: string, e: unknown, rules: FileRules): InferprintError {
  const code = errnoCode(e);
  if (code === 'ENOENT' || code === 'ENOTDIR') return errors.notFound(path, rules.what);
  // O_NOFOLLOW on a link that replaced the file after it was looked at.
  if (code === 'ELOOP' && rules.links === 'refuse') return linkRefused(path, rules);
  return errors.io(path, e);
}

// Node types these as numbers, but Windows defines neither: a missing flag is no flag there.
const flag = (name: 'O_NONBLOCK' | 'O_NOFOLLOW'): number => (constants as Partial<Record<string, number>>)[name] ?? 0;
const OPEN_FLAGS = (rules: FileRules): number => constants.O_RDONLY | flag('O_NONBLOCK') | (rules.links === 'refuse' ? flag('O_NOFOLLOW') : 0);

/** The file's status when it is a regular file under `rules`; throws the coded error otherwise. */
function checked(path: string, st: Stats, rules: FileRules): Stats {
  if (!st.isFile()) throw refusedKind(path, st, rules);
  if (rules.maxBytes !== undefined && st.size > rules.maxBytes) throw errors.tooLarge(path, st.size, rules.maxBytes, `a ${rules.what}`);
  return st;
}

/** Check, without opening it, that `path` is a regular file under `rules` (for files another library opens, e.g. DuckDB). */
export function checkRegularFileSync(path: string, rules: FileRules): Stats {
  let st: Stats;
  try {
    st = rules.links === 'refuse' ? lstatSync(path) : statSync(path);
  } catch (e) {
    throw openError(path, e, rules);
  }
  return checked(path, st, rules);
}

/** Async `checkRegularFileSync`. */
export async function checkRegularFile(path: string, rules: FileRules): Promise<Stats> {
  let st: Stats;
  try {
    st = rules.links === 'refuse' ? await lstat(path) : await stat(path);
  } catch (e) {
    throw openError(path, e, rules);
  }
  return checked(path, st, rules);
}

/** The descriptor still names the file that was looked at, and it is still regular. */
function sameFile(path: string, before: Stats, after: Stats, rules: FileRules): void {
  checked(path, after, rules);
  if (after.ino !== before.ino || after.dev !== before.dev) throw errors.io(path, new Error('the file was replaced while it was being opened'));
}

/** Open a regular file for reading (see the module comment); the caller closes the descriptor. */
export function openRegularFileSync(path: string, rules: FileRules): { readonly fd: number; readonly stats: Stats } {
  // A listed regular file was looked at by the listing: its open cannot block (O_NONBLOCK) nor
  // act on a device that took its name since, since the descriptor's check below refuses both.
  const before = rules.listedRegular === true ? undefined : checkRegularFileSync(path, rules);
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS(rules));
  } catch (e) {
    throw openError(path, e, rules);
  }
  try {
    const stats = fstatSync(fd);
    if (before) sameFile(path, before, stats, rules);
    else checked(path, stats, rules);
    return { fd, stats };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/**
 * The bytes of a whole-file read. The first buffer is the file's size + 1, so a file that does
 * not change is read in one call, and the call that finds its end reads into the same buffer
 * (a fresh 64 KiB buffer for that empty read cost 100 MB of garbage over the study's 1 552
 * summaries); only a file that grows while read gets more buffers.
 */
class WholeFile {
  private readonly chunks: Buffer[] = [];
  private buf: Buffer;
  private used = 0;
  private total = 0;

  constructor(
    private readonly path: string,
    stats: Stats,
    private readonly cap: number,
    private readonly what: string,
  ) {
    this.buf = Buffer.allocUnsafe(Math.min(Math.max(stats.size, 0), cap) + 1);
  }

  /** Where the next read goes: a buffer and the offset in it. */
  space(): [Buffer, number] {
    if (this.used === this.buf.length) {
      this.chunks.push(this.buf);
      this.buf = Buffer.allocUnsafe(64 << 10);
      this.used = 0;
    }
    return [this.buf, this.used];
  }

  filled(n: number): void {
    this.used += n;
    this.total += n;
    if (this.total > this.cap) throw errors.tooLarge(this.path, this.total, this.cap, `a ${this.what}`);
  }

  text(): string {
    if (this.chunks.length === 0) return this.buf.toString('utf8', 0, this.used);
    return this.bytes().toString('utf8');
  }

  bytes(): Buffer {
    if (this.chunks.length === 0) return this.buf.subarray(0, this.used);
    return Buffer.concat([...this.chunks, this.buf.subarray(0, this.used)], this.total);
  }
}

/** Read a whole regular file as UTF-8, at most `rules.maxBytes` (a file that grows past it while read is refused too). */
export function readRegularFileSync(path: string, rules: FileRules): string {
  const { fd, stats } = openRegularFileSync(path, rules);
  try {
    const cap = rules.maxBytes ?? Number.MAX_SAFE_INTEGER;
    const whole = new WholeFile(path, stats, cap, rules.what);
    for (;;) {
      const [buf, offset] = whole.space();
      let n: number;
      try {
        n = readSync(fd, buf, offset, buf.length - offset, null);
      } catch (e) {
        throw errors.io(path, e);
      }
      if (n === 0) break;
      whole.filled(n);
    }
    return whole.text();
  } finally {
    closeSync(fd);
  }
}

/** The whole file, read without holding the event loop (see `readRegularFile`). */
async function readWhole(path: string, rules: FileRules): Promise<WholeFile> {
  const before = await checkRegularFile(path, rules);
  let handle: FileHandle;
  try {
    handle = await open(path, OPEN_FLAGS(rules));
  } catch (e) {
    throw openError(path, e, rules);
  }
  try {
    const stats = await handle.stat();
    sameFile(path, before, stats, rules);
    const cap = rules.maxBytes ?? Number.MAX_SAFE_INTEGER;
    const whole = new WholeFile(path, stats, cap, rules.what);
    for (;;) {
      const [buf, offset] = whole.space();
      let n: number;
      try {
        n = (await handle.read(buf, offset, buf.length - offset, null)).bytesRead;
      } catch (e) {
        throw errors.io(path, e);
      }
      if (n === 0) break;
      whole.filled(n);
    }
    return whole;
  } finally {
    await handle.close();
  }
}

/** Async `readRegularFileSync`: the event loop is never held, nor a file-I/O thread blocked on a FIFO. */
export async function readRegularFile(path: string, rules: FileRules): Promise<string> {
  return (await readWhole(path, rules)).text();
}

/** `readRegularFile`'s bytes, for a caller that hashes them as they are on disk. */
export async function readRegularFileBytes(path: string, rules: FileRules): Promise<Buffer> {
  return (await readWhole(path, rules)).bytes();
}
