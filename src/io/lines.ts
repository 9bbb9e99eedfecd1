import { closeSync, openSync, readSync } from 'node:fs';
import { errors } from '../errors.js';

/**
 * Read a text file line by line with a fixed-size buffer, so a trace far larger than RAM
 * streams through the pure decoders in bounded memory. Handles LF and CRLF; a final line
 * without a newline is still yielded. Synchronous on purpose: the decoders are plain
 * generators, and sync reads in large chunks are the fastest way through a local file.
 */
export function* readLinesSync(path: string, chunkBytes = 1 << 20): Generator<string> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw (e as NodeJS.ErrnoException).code === 'ENOENT' ? errors.notFound(path, 'file') : errors.io(path, e);
  }
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    const decoder = new TextDecoder('utf-8');
    let rest = '';
    for (;;) {
      const n = readSync(fd, buf, 0, chunkBytes, null);
      if (n === 0) break;
      const text = rest + decoder.decode(buf.subarray(0, n), { stream: true });
      let start = 0;
      for (;;) {
        const nl = text.indexOf('\n', start);
        if (nl < 0) break;
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        yield text.slice(start, end);
        start = nl + 1;
      }
      rest = text.slice(start);
    }
    rest += decoder.decode();
    if (rest.length > 0) yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
  } finally {
    closeSync(fd);
  }
}

/** Split text already in memory into lines (LF or CRLF); a trailing newline adds no empty line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
