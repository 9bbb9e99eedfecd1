import { closeSync, readSync } from 'node:fs';
import { errors } from '../errors.js';
import { openRegularFileSync } from './regular-file.js';

/**
 * The longest line any reader accepts: 1 MiB (2^20 characters). The widest real line seen is an
 * nvidia-smi header with every query field (~6 kB); a file without line breaks (a binary file,
 * `/dev/zero` behind a link, a corrupted log) is refused at this length instead of being
 * accumulated until memory or V8's string limit runs out (joining chunk after chunk of one
 * line made such a read quadratic: 600 MB took 207 s before failing).
 */
export const MAX_LINE_CHARS = 1 << 20;

/**
 * Read a text file line by line with a fixed-size buffer, so a trace far larger than RAM
 * streams through the pure decoders in bounded memory. Handles LF and CRLF; a final line
 * without a newline is still yielded. Synchronous on purpose: the decoders are plain
 * generators, and sync reads in large chunks are the fastest way through a local file.
 *
 * Only regular files are read (a link to one is fine): a FIFO or a device is refused before it
 * is opened, as it could block or never end. A line longer than `maxLineChars` is a PARSE
 * error naming the file and line.
 */
export function* readLinesSync(path: string, chunkBytes = 1 << 20, maxLineChars = MAX_LINE_CHARS): Generator<string> {
  const { fd, stats } = openRegularFileSync(path, { links: 'follow', what: 'file' });
  try {
    // A buffer the file's size (16 KiB at least, for a file that grows while read), not a
    // fresh 1 MiB for every small trace: the study's 550 traces of ~7 kB each allocated
    // 550 MiB and spent a tenth of `analyze` in the garbage collector.
    const bufBytes = Math.min(chunkBytes, Math.max(stats.size + 1, 16 << 10));
    const buf = Buffer.allocUnsafe(bufBytes);
    const decoder = new TextDecoder('utf-8');
    let rest = '';
    let lineNo = 0;
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, bufBytes, null);
      } catch (e) {
        throw errors.io(path, e);
      }
      if (n === 0) break;
      const text = rest + decoder.decode(buf.subarray(0, n), { stream: true });
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl < 0) break;
        lineNo++;
        if (nl - start > maxLineChars + 1) throw errors.lineTooLong({ file: path, line: lineNo }, maxLineChars);
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        yield text.slice(start, end);
        start = nl + 1;
      }
      rest = text.slice(start);
      // `rest` holds no newline: past the cap it can only be a line too long.
      if (rest.length > maxLineChars + 1) throw errors.lineTooLong({ file: path, line: lineNo + 1 }, maxLineChars);
    }
    rest += decoder.decode();
    if (rest.length > maxLineChars + 1) throw errors.lineTooLong({ file: path, line: lineNo + 1 }, maxLineChars);
    if (rest.length > 0) yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
  } finally {
    closeSync(fd);
  }
}

/**
 * The lines of a file's bytes already in memory, split, decoded (a BOM dropped, as the stream
 * reader's TextDecoder does) and capped exactly as readLinesSync would read them from the file.
 */
export function* linesOfBytes(bytes: Uint8Array, file: string, maxLineChars = MAX_LINE_CHARS): Generator<string> {
  const text = new TextDecoder('utf-8').decode(bytes);
  let lineNo = 0;
  for (let start = 0; start < text.length; ) {
    const found = text.indexOf('\n', start);
    const nl = found < 0 ? text.length : found;
    lineNo++;
    if (nl - start > maxLineChars + 1) throw errors.lineTooLong({ file, line: lineNo }, maxLineChars);
    const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    yield text.slice(start, end);
    start = nl + 1;
  }
}

/** Split text already in memory into lines (LF or CRLF); a trailing newline adds no empty line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
