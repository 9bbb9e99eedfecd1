/**
 * Who may talk to `serve-model`: the dashboard's rules (`../serve/security.ts` and
 * `../loopback.ts`, whose checks are reused here), applied to a server that runs inference. A web page must not be able to
 * drive inference on a machine in the middle of a measured benchmark, whether by a cross-origin
 * "simple" request (no preflight: a form post, `text/plain`, a body with no type) or by DNS
 * rebinding (its own name pointed at 127.0.0.1).
 *
 * In the order a request meets them:
 * 1. One `Host` header, well formed. Without a token its name must be exactly `localhost`,
 *    `127.0.0.1`, `[::1]` or the address the server is bound to (not `*.localhost`, not a name
 *    that a rebinding page controls) → else 421. The port is not compared: an SSH tunnel
 *    (`ssh -L 9000:127.0.0.1:8000`) legitimately arrives with its own port, and a rebinding
 *    page cannot choose the name, which is what the check is about.
 * 2. An `Origin` header (only browsers send one) must name one of those hosts too → else 403.
 * 3. With a token, every request carries `Authorization: Bearer <token>` (compared in constant
 *    time) → else 401. A server bound off loopback must have a token (refused at start).
 * 4. Bodies (POST) are `application/json` or `application/octet-stream` (what the KServe client
 *    and Triton's clients send; the binary tensor extension rides on either) → else 415. Both
 *    force a browser to ask first (CORS preflight), which this server never grants.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { isLoopbackHost, isUnspecifiedAddress } from '../loopback.js';
import { hostOfHeader, tokenMatches } from '../serve/security.js';

export interface GuardConfig {
  /** The address the server was asked to bind (`127.0.0.1`, `::1`, `0.0.0.0`, a name, ...). */
  readonly bindHost: string;
  readonly token?: string | undefined;
}

export interface Refusal {
  readonly status: 401 | 403 | 415 | 421 | 400;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Content types accepted for a request body (the parameters after `;`, such as a charset, are ignored). */
export const BODY_CONTENT_TYPES = ['application/json', 'application/octet-stream'] as const;

/** Lower-case, IPv6 in brackets: the form a `Host` header gives (`hostOfHeader`). */
function hostKey(host: string): string {
  const h = host.trim().toLowerCase();
  return h.includes(':') && !h.startsWith('[') ? `[${h}]` : h;
}

/** The names a `Host` header may carry when no token is required. */
export function allowedHostNames(bindHost: string): ReadonlySet<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]']);
  const bound = hostKey(bindHost);
  if (!isUnspecifiedAddress(bound)) names.add(bound);
  return names;
}

/** Whether the server may listen on `host` without a token: loopback addresses and `localhost` only. */
export function bindNeedsToken(host: string): boolean {
  return !isLoopbackHost(host) || /\.localhost$/i.test(host.trim());
}

/** How many times a header appears in the raw list (Node keeps only the first `Host`). */
function count(rawHeaders: readonly string[], name: string): number {
  let n = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) if (rawHeaders[i]!.toLowerCase() === name) n++;
  return n;
}

const shown = (s: string): string => JSON.stringify(s.slice(0, 80));

/** Why the request is refused, or undefined when it may go on (before the route is looked at). */
export function checkAccess(req: { readonly headers: IncomingHttpHeaders; readonly rawHeaders: readonly string[] }, cfg: GuardConfig): Refusal | undefined {
  const allowed = allowedHostNames(cfg.bindHost);
  if (count(req.rawHeaders, 'host') !== 1) return { status: 400, message: 'exactly one Host header is required' };
  const raw = req.headers.host ?? '';
  const host = hostOfHeader(raw);
  if (host === undefined) return { status: 400, message: `malformed Host header ${shown(raw)}` };
  if (cfg.token === undefined && !allowed.has(hostKey(host))) {
    return { status: 421, message: `Host ${shown(raw)} is not this server's: without --token only localhost, 127.0.0.1, [::1]${allowed.size > 3 ? ` and ${[...allowed].slice(3).join(', ')}` : ''} are answered` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let originHost: string | undefined;
    try {
      originHost = origin === 'null' ? undefined : new URL(origin).hostname;
    } catch {
      originHost = undefined;
    }
    if (originHost === undefined || !allowed.has(hostKey(originHost))) return { status: 403, message: `requests from web pages are refused (Origin ${shown(origin)})` };
  }
  if (cfg.token !== undefined) {
    const auth = req.headers.authorization;
    if (auth === undefined) return { status: 401, message: 'this server requires a token: Authorization: Bearer <token>', headers: { 'www-authenticate': 'Bearer' } };
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m || !tokenMatches(m[1]!, cfg.token)) return { status: 401, message: 'the token does not match', headers: { 'www-authenticate': 'Bearer error="invalid_token"' } };
  }
  return undefined;
}

/** Why a request body is refused for its type, or undefined when it is JSON or binary. */
export function checkBodyType(headers: IncomingHttpHeaders): Refusal | undefined {
  const raw = headers['content-type'];
  const type = (raw ?? '').split(';')[0]!.trim().toLowerCase();
  if ((BODY_CONTENT_TYPES as readonly string[]).includes(type)) return undefined;
  return { status: 415, message: `Content-Type ${raw === undefined ? '(none)' : shown(raw)} is not accepted: send ${BODY_CONTENT_TYPES.join(' or ')}` };
}
