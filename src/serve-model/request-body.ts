/**
 * Request bodies for the model servers (KServe's and the OpenAI one): read with a cap, and
 * answered when they are refused unread so that the client sees the answer, not a reset; and
 * the servers' shutdown.
 *
 * A request refused before its body is read (401, 415, 421, a route that takes no body) or part
 * way through it (413) still has bytes on the wire. When the answer closes the connection — the
 * client asked for that (`Connection: close`, as a client without keep-alive sends), or the
 * server does, to be rid of a refused client — Node closes the socket as soon as the answer is
 * written, and a socket closed with unread bytes makes the kernel send a reset: a client still
 * uploading gets EPIPE or ECONNRESET instead of the status, often before it has read a byte of
 * it. Resuming the request after the answer does not help, since the close still follows the
 * answer at once (measured on Node 20: every 8 MiB upload refused that way saw EPIPE). So
 * `sendJsonUnread` writes the whole answer (its `Content-Length` tells the client it is
 * complete), always with `Connection: close`, and ends it only when the body has been read and
 * dropped; past a bound it cuts the connection all the same, so that a client cannot keep the
 * server reading forever.
 */
import type * as http from 'node:http';

/** How much of a refused body is read and dropped after the answer; past it the connection is cut (and the client may then see a reset). */
export const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * The whole body, or 'too-large' when its declared length or the bytes received pass `limitBytes`.
 * A body over the limit is left unread from there (paused, never destroyed: destroying the
 * request destroys its socket), for `sendJsonUnread` to drain.
 */
export async function readBody(req: http.IncomingMessage, limitBytes: number): Promise<Uint8Array | 'too-large'> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limitBytes) return 'too-large';
  const chunks: Buffer[] = [];
  const state = { total: 0, over: false };
  await new Promise<void>((resolve, reject) => {
    const onData = (c: Buffer): void => {
      state.total += c.length;
      if (state.total > limitBytes) {
        state.over = true;
        req.off('data', onData);
        req.pause();
        resolve();
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', resolve);
    req.once('error', reject);
  });
  if (state.over) return 'too-large';
  const all = Buffer.concat(chunks);
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}

/**
 * Answer `body` as JSON whether or not the request's body was read. When the request has
 * arrived whole (`req.complete`: read, or small and buffered by Node) it is a plain answer.
 * Otherwise the answer says `Connection: close`, is written whole, and ends once the rest of the
 * body has been dropped (at most `drainLimitBytes`, then the connection is cut).
 */
export function sendJsonUnread(req: http.IncomingMessage, res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}, drainLimitBytes = DRAIN_LIMIT_BYTES): void {
  const bytes = Buffer.from(JSON.stringify(body));
  const head: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': bytes.length, ...headers };
  if (req.complete) {
    res.writeHead(status, head);
    res.end(bytes);
    return;
  }
  res.writeHead(status, { ...head, connection: 'close' });
  res.write(bytes);
  let dropped = 0;
  req.on('data', (c: Buffer) => {
    dropped += c.length;
    if (dropped > drainLimitBytes) req.destroy();
  });
  req.once('end', () => {
    res.end();
  });
  // The client left, or the bound cut it: nothing more can be sent.
  req.once('close', () => {
    if (!res.writableEnded) res.destroy();
  });
  req.resume();
}

/**
 * Stop a model server now: no new connections, and those open (keep-alive clients, a request
 * mid-body) cut rather than waited on, since the caller is shutting down the model behind it.
 */
export function closeServerNow(server: http.Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
    server.closeAllConnections();
  });
}
