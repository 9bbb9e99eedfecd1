/**
 * A client uploading a large body to a server that may refuse it early: what it saw, followed
 * to the close of its connection, so that a reset after (or instead of) the answer is seen.
 */
import * as http from 'node:http';

/** What a client saw: the answer (if it came whole) and the error its socket gave (if any). */
export interface Seen {
  readonly status?: number;
  readonly headers?: http.IncomingHttpHeaders;
  readonly body?: string;
  readonly error?: string;
}

/**
 * POST `size` bytes to `url`, declared (`Content-Length`) or chunked, on a connection of its own
 * (the client asks for `Connection: close`), written in 64 KiB pieces as a client streaming a
 * file would, honouring back-pressure. Resolves when the request closes; an error at any point,
 * before or after the answer, is recorded, not thrown.
 */
export function upload(url: string, headers: http.OutgoingHttpHeaders, size: number, framing: 'declared' | 'chunked'): Promise<Seen> {
  return new Promise((resolve) => {
    const seen: { -readonly [K in keyof Seen]: Seen[K] } = {};
    const failed = (e: NodeJS.ErrnoException): void => {
      seen.error ??= `${e.code ?? ''} ${e.message}`;
    };
    const req = http.request(url, { method: 'POST', agent: false, headers: { ...headers, ...(framing === 'declared' ? { 'content-length': size } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        seen.status = res.statusCode ?? 0;
        seen.headers = res.headers;
        seen.body = Buffer.concat(chunks).toString('utf8');
      });
      res.on('error', failed);
    });
    req.on('error', failed);
    req.on('close', () => {
      resolve(seen);
    });
    const piece = Buffer.alloc(64 * 1024, 0x20);
    let left = size;
    const pump = (): void => {
      while (left > 0) {
        const n = Math.min(left, piece.length);
        left -= n;
        if (!req.write(piece.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}
