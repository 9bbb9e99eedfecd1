/**
 * `inferprint serve`: the local dashboard. Node's own HTTP server, read-only over a runs
 * directory: static pages (plain HTML and ES modules), a JSON API under `/api/` (documented in
 * README.md beside this file) and a Server-Sent Events stream of live measurements.
 *
 * Safety, in the order a request meets it:
 * 1. GET and HEAD only (405 otherwise): nothing here writes or deletes.
 * 2. The request path is split into segments and each one decoded once; `.`/`..` segments,
 *    encoded separators, malformed escapes → 400. Files are never looked up by request path:
 *    pages and assets come from a list made at start, run ids must be plain names and resolve
 *    to a real directory directly inside the runs directory (no symbolic link out).
 * 3. Without a token the server binds loopback only and answers only requests whose `Host`
 *    is a loopback name (a web page cannot reach it through DNS rebinding). With a token every
 *    request must carry it (`Authorization: Bearer`, `?token=`, or the cookie set when a page
 *    was opened with `?token=`), compared in constant time.
 *    Either way a request must carry exactly one `Host` header: two are refused (400), as the
 *    proxies and the server could each read a different one.
 * 4. Errors: 4xx with `{"error": reason}`; anything unexpected is logged to stderr and answered
 *    with a generic 500, never a stack trace.
 * 5. Bounded: a client has 5 s to send its headers (a slow-header client cannot hold a
 *    connection for minutes), at most 64 connections are open at once, and an API answer that
 *    takes over 30 s is given up with 503 (the files it reads are checked first, so nothing
 *    should block; this is the backstop).
 * Every response carries a Content-Security-Policy without inline scripts and `nosniff`.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { errors, isInferprintError } from '../errors.js';
import {
  EMBODIED_MODEL_IDS,
  HARDWARE,
  HARDWARE_CATEGORIES,
  embodiedParts,
  estimateEmbodied,
  hasThesisConstants,
  isEmbodiedModelId,
  powerUnitOf,
  resolveHardware,
  suggestHardware,
  type EmbodiedModelId,
  type HardwareSpec,
} from '../impact/index.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { AdviseData, parseAdviseQuery } from './advise-data.js';
import { RunsData, toJson } from './data.js';
import { figuresProvider } from './figures.js';
import { HttpError, badRequest, notFound } from './http-error.js';
import { LIVE_DIR } from '../measure/live-format.js';
import { LiveTailer, type LiveEvent } from './live-tailer.js';
import { parseFiguresQuery, parseHardwareQuery, parseNoQuery, parseRunQuery, parseRunsQuery, parseTraceQuery } from './query.js';
import { isLoopbackHost } from '../loopback.js';
import { hostOfHeader, isRunId, tokenMatches, tokenOfRequest } from './security.js';

export interface DashboardOptions {
  readonly runsDir: string;
  /** Address to bind (default 127.0.0.1). A non-loopback one needs a token. */
  readonly host?: string;
  /** Port (default 0: any free port). */
  readonly port?: number;
  /** When set, every request must carry it. */
  readonly token?: string;
  /** Called with the URL once the server listens. */
  readonly onListening?: (url: string) => void;
  /** Where server-side errors are logged (default stderr). */
  readonly log?: (line: string) => void;
  /** Poll period of the live folder, ms (default 250). */
  readonly liveIntervalMs?: number;
  /** Time a client has to send a request's headers, ms (default 5000); then the connection is dropped. */
  readonly headersTimeoutMs?: number;
  /** Time an API answer may take, ms (default 30 000); then 503. */
  readonly answerTimeoutMs?: number;
  /** Connections open at once (default 64); more are refused at accept. */
  readonly maxConnections?: number;
  /** On close, time in-flight answers get to finish before their connections are cut, ms (default 1000). */
  readonly closeGraceMs?: number;
}

export interface Dashboard {
  /** Base URL, e.g. `http://127.0.0.1:8080/`. */
  readonly url: string;
  readonly port: number;
  /** Stop listening, end live streams and close every connection. */
  close(): Promise<void>;
}

const STRICT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');
/** Page paths and their files; every page is served under STRICT_CSP (the compare page renders Vega with its expression interpreter, no eval). */
const PAGES: Readonly<Record<string, string>> = {
  '': 'index.html',
  'index.html': 'index.html',
  'run.html': 'run.html',
  'compare.html': 'compare.html',
  'hardware.html': 'hardware.html',
  'live.html': 'live.html',
  'advise.html': 'advise.html',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};
const ASSET_NAME = /^[a-z0-9][a-z0-9-]*\.(html|js|css|svg)$/;
const MAX_TARGET = 4096;

interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

/** The pages' folder: beside this module in a checkout, `src/serve/web` of the package when built into `dist/`. */
function webDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [join(here, 'web'), join(here, '..', '..', 'src', 'serve', 'web')]) if (existsSync(join(dir, 'index.html'))) return dir;
  throw errors.internal(`dashboard pages not found beside ${here}`);
}

function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const name of readdirSync(dir)) {
    const m = ASSET_NAME.exec(name);
    if (m) assets.set(name, { body: readFileSync(join(dir, name)), type: CONTENT_TYPES[m[1]!]! });
  }
  return assets;
}

/** Vega's browser builds, found through Node's resolution so any install layout works. */
function vendorFiles(): Readonly<Record<string, () => string>> {
  const require = createRequire(import.meta.url);
  const buildOf = (pkg: string, file: string) => (): string => join(dirname(require.resolve(pkg)), file);
  return {
    'vega.min.js': buildOf('vega', 'vega.min.js'),
    'vega-lite.min.js': buildOf('vega-lite', 'vega-lite.min.js'),
    'vega-interpreter.js': () => join(dirname(require.resolve('vega-interpreter')), 'vega-interpreter.js'),
  };
}

/**
 * vega-interpreter is published as an ES module importing a few helpers from `vega-util`; the
 * browser has no bare-specifier resolution (and the CSP forbids an inline import map), so that
 * import is served as a read of the same helpers from the `vega` global (vega re-exports them).
 */
function browserModule(name: string, body: Buffer): Buffer {
  if (name !== 'vega-interpreter.js') return body;
  const text = body.toString('utf8').replace(/^import \{([^}]*)\} from 'vega-util';$/m, 'const {$1} = globalThis.vega;');
  return Buffer.from(text, 'utf8');
}

/** What a handler answers with; errors are thrown as HttpError. */
type Answer = { readonly kind: 'json'; readonly value: unknown } | { readonly kind: 'asset'; readonly asset: Asset; readonly headers: Readonly<Record<string, string>> } | { readonly kind: 'stream' };

interface Target {
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
}

/** Split and decode the request target once; refuse anything that could name a path by other means. */
export function parseTarget(raw: string | undefined): Target {
  if (raw === undefined || !raw.startsWith('/')) throw badRequest('request target must be an absolute path such as /api/runs');
  if (raw.length > MAX_TARGET) throw new HttpError(414, `request target longer than ${MAX_TARGET} characters`);
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const hash = path.indexOf('#');
  const clean = hash < 0 ? path : path.slice(0, hash);
  const segments = clean.split('/').slice(1);
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  const decoded = segments.map((s, i) => {
    let d: string;
    try {
      d = decodeURIComponent(s);
    } catch {
      throw badRequest('malformed percent-encoding in the path');
    }
    if (d === '.' || d === '..') throw badRequest("path may not contain '.' or '..' segments");
    if (/[/\\\0]/.test(d) || s.includes('\\')) throw badRequest('path segment contains a separator or NUL');
    if (d === '' && !(i === 0 && segments.length === 1)) throw badRequest('empty path segment');
    return d;
  });
  return { segments: decoded, query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)) };
}

function securityHeaders(res: ServerResponse, csp: string): void {
  res.setHeader('Content-Security-Policy', csp);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  // Keeps a `?token=` out of Referer headers.
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const body = Buffer.from(toJson(value), 'utf8');
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

function sendAsset(res: ServerResponse, a: Asset, extra: Readonly<Record<string, string>> = {}): void {
  res.writeHead(200, { 'Content-Type': a.type, 'Content-Length': a.body.length, 'Cache-Control': 'no-cache', ...extra });
  res.end(a.body);
}

const API_INDEX = [
  'GET /api/info',
  'GET /api/runs?id=&device=&scenario=&queryCount=&label=&status=&limit=&offset=&order=',
  'GET /api/runs/:id?preset=&grid=',
  'GET /api/runs/:id/trace?points=&channel=&window=',
  'GET /api/hardware?category=&model=',
  'GET /api/hardware/:name?model=',
  'GET /api/figures?runs=&method=&grid=',
  'GET /api/advise',
  'GET /api/advise/:name?draws=&seed=',
  'GET /api/advise/:name/figures?draws=&seed=',
  'GET /api/live (text/event-stream)',
  'GET /api/live/sessions',
];

function hardwareRow(spec: HardwareSpec, model: EmbodiedModelId): Record<string, unknown> {
  let embodied: Record<string, unknown> | null = null;
  let embodiedNote: string | null = null;
  if (model === 'thesis-2025-constants' && !hasThesisConstants(spec)) {
    embodiedNote = 'the study typed no constant for this device';
  } else {
    try {
      const e = estimateEmbodied(model, spec);
      const parts = embodiedParts(e);
      embodied = {
        model: e.model,
        minKg: e.minKg,
        meanKg: e.meanKg,
        maxKg: e.maxKg,
        processorKg: parts.processorKg.mean,
        memoryKg: parts.memoryKg.mean,
        candidates: e.candidates.length,
      };
    } catch (e) {
      if (!isInferprintError(e)) throw e;
      embodiedNote = e.message;
    }
  }
  return { ...spec, powerUnit: powerUnitOf(spec), embodied, embodiedNote };
}

/**
 * Start the dashboard. Refuses (USAGE error naming --host) a non-loopback host without a token.
 * Resolves once listening.
 */
export async function startDashboard(opts: DashboardOptions): Promise<Dashboard> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token;
  if (token !== undefined && token.trim() === '') throw errors.usage('the token is empty', '--token');
  if (!isLoopbackHost(host) && token === undefined) {
    throw errors.usage(`refusing to serve on non-loopback address ${host} without a token: anyone who can reach it could read your runs (add --token, e.g. --token $(openssl rand -hex 16))`, '--host');
  }
  const log = opts.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const assets = loadAssets(webDir());
  const vendor = vendorFiles();
  const vendorCache = new Map<string, Asset>();
  // Said once per directory, not at every listing.
  const reported = new Set<string>();
  const data = new RunsData(opts.runsDir, {
    onSkipped: (skipped) => {
      const fresh = skipped.filter((s) => !reported.has(s.id));
      for (const s of fresh) reported.add(s.id);
      if (fresh.length > 0) log(`inferprint serve: skipped ${fresh.length} folder(s) of the runs directory that are not valid bundles, e.g. ${fresh[0]!.error}`);
    },
  });
  const tailer = new LiveTailer(data.runsDir, { ...(opts.liveIntervalMs !== undefined ? { intervalMs: opts.liveIntervalMs } : {}), onWarning: log });
  const streams = new Set<ServerResponse>();
  // The report layer itself loads on the first figures request (it is the heavy part).
  const figures = figuresProvider();
  const advise = new AdviseData(opts.runsDir);
  let cookieName = 'inferprint_token';

  function checkAccess(req: IncomingMessage, query: URLSearchParams): { setCookie?: string } {
    // Node keeps the first of several Host headers in `headers.host`; a proxy may use another.
    if ((req.headersDistinct.host?.length ?? 0) > 1) throw badRequest('the request has more than one Host header');
    if (token === undefined) {
      // Loopback only: a page on another site that rebinds its name to 127.0.0.1 sends its own Host.
      const h = hostOfHeader(req.headers.host ?? '');
      if (h === undefined || !isLoopbackHost(h)) throw new HttpError(403, `Host ${JSON.stringify((req.headers.host ?? '').slice(0, 80))} is not a loopback name; open the dashboard at http://127.0.0.1:<port>/`);
      return {};
    }
    const given = tokenOfRequest(req.headers, query, cookieName);
    if (given === undefined) throw new HttpError(401, 'this dashboard requires a token: Authorization: Bearer <token>, or ?token=<token> in the URL', { 'WWW-Authenticate': 'Bearer' });
    if (!tokenMatches(given, token)) throw new HttpError(401, 'the token does not match', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    // A page opened with ?token= gets a cookie, so its scripts, styles and API calls carry the token too.
    return query.has('token') ? { setCookie: `${cookieName}=${encodeURIComponent(given)}; HttpOnly; SameSite=Strict; Path=/` } : {};
  }

  function vendorAsset(name: string): Asset {
    const cached = vendorCache.get(name);
    if (cached) return cached;
    const locate = vendor[name];
    if (!locate) throw notFound(`no such file /vendor/${name}`);
    let body: Buffer;
    try {
      body = browserModule(name, readFileSync(locate()));
    } catch {
      throw notFound(`/vendor/${name} is not installed (npm install vega vega-lite)`);
    }
    const a = { body, type: CONTENT_TYPES.js! };
    vendorCache.set(name, a);
    return a;
  }

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    streams.add(res);
    const send = (event: string, value: unknown): void => {
      if (res.writableEnded) return;
      res.write(`event: ${event}\ndata: ${toJson(value)}\n\n`);
      // A viewer that stopped reading is let go rather than buffered without bound.
      if (res.writableLength > 8 << 20) res.end();
    };
    let unsubscribe: (() => void) | undefined;
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(': keep-alive\n\n');
    }, 15_000);
    const cleanup = (): void => {
      clearInterval(heartbeat);
      unsubscribe?.();
      streams.delete(res);
    };
    res.on('close', cleanup);
    res.write('retry: 2000\n\n');
    void tailer.poll().then(() => {
      if (res.writableEnded) return;
      send('snapshot', { sessions: tailer.sessions().map((s) => ({ ...s, recent: tailer.recent(s.session) })) });
      unsubscribe = tailer.subscribe((e: LiveEvent) => {
        if (e.type === 'session') send('session', e.session);
        else if (e.type === 'samples') send('samples', { session: e.session, samples: e.samples });
        else send('end', { session: e.session });
      });
    });
  }

  async function api(req: IncomingMessage, res: ServerResponse, seg: readonly string[], q: URLSearchParams): Promise<Answer> {
    const [, what, id, sub, ...rest] = seg;
    if (what === undefined) {
      parseNoQuery(q);
      return { kind: 'json', value: { endpoints: API_INDEX } };
    }
    if (what === 'info' && id === undefined) {
      parseNoQuery(q);
      return { kind: 'json', value: { tool: TOOL_NAME, version: TOOL_VERSION, runsDir: data.runsDir, readOnly: true, tokenRequired: token !== undefined, figures: true, liveDir: LIVE_DIR, endpoints: API_INDEX } };
    }
    if (what === 'runs') {
      if (id === undefined) return { kind: 'json', value: await data.runs(parseRunsQuery(q)) };
      if (!isRunId(id)) throw badRequest(`invalid run id ${JSON.stringify(id.slice(0, 80))}: letters, digits, . _ + - and no leading dot`);
      if (sub === undefined) return { kind: 'json', value: await data.run(id, parseRunQuery(q)) };
      if (sub === 'trace' && rest.length === 0) return { kind: 'json', value: await data.trace(id, parseTraceQuery(q)) };
    }
    if (what === 'hardware' && sub === undefined) {
      const hq = parseHardwareQuery(q, { withCategory: id === undefined });
      if (id === undefined) {
        const specs = hq.category ? HARDWARE.filter((h) => h.category === hq.category) : HARDWARE;
        return { kind: 'json', value: { model: hq.model, models: EMBODIED_MODEL_IDS, categories: HARDWARE_CATEGORIES, devices: specs.map((s) => hardwareRow(s, hq.model)) } };
      }
      if (id.length > 100) throw badRequest('hardware name longer than 100 characters');
      const spec = resolveHardware(id);
      if (!spec) {
        const close = suggestHardware(id);
        throw notFound(`no hardware matches ${JSON.stringify(id)}${close.length > 0 ? ` (did you mean ${close.join(', ')}?)` : ''}`);
      }
      if (!isEmbodiedModelId(hq.model) || (hq.model === 'thesis-2025-constants' && !hasThesisConstants(spec))) {
        throw badRequest(`query parameter 'model': ${hq.model} has no value for ${spec.id}`);
      }
      return { kind: 'json', value: { hardware: { ...spec, powerUnit: powerUnitOf(spec) }, embodied: estimateEmbodied(hq.model, spec) } };
    }
    if (what === 'figures' && id === undefined) {
      const fq = parseFiguresQuery(q);
      const provider = figures;
      const paths = await data.reportPaths(fq.runs);
      try {
        return { kind: 'json', value: await provider({ paths, ...(fq.method ? { method: fq.method } : {}), ...(fq.grid !== undefined ? { grid: fq.grid } : {}) }) };
      } catch (e) {
        if (!isInferprintError(e)) throw e;
        // The grid and the method are the inputs of the request the report layer validates.
        if (e.code === 'UNKNOWN_ZONE' || (e.code === 'INVALID_VALUE' && e.where.field === 'grid') || e.where.flag === '--grid') throw badRequest(`query parameter 'grid': ${await data.relative(e.detail)}`);
        if (e.where.flag === '--method') throw badRequest(`query parameter 'method': ${await data.relative(e.detail)}`);
        if (e.code === 'INTERNAL') throw e;
        throw new HttpError(422, `the figures cannot be made from these runs: ${await data.relative(e.message)}`);
      }
    }
    if (what === 'advise') {
      if (id === undefined) {
        parseNoQuery(q);
        return { kind: 'json', value: await advise.list() };
      }
      if (sub === undefined) return { kind: 'json', value: await advise.advice(id, parseAdviseQuery(q)) };
      if (sub === 'figures' && rest.length === 0) return { kind: 'json', value: await advise.figures(id, parseAdviseQuery(q)) };
    }
    if (what === 'live') {
      if (id === undefined) {
        parseNoQuery(q);
        openStream(req, res);
        return { kind: 'stream' };
      }
      if (id === 'sessions' && sub === undefined) {
        parseNoQuery(q);
        await tailer.poll();
        return { kind: 'json', value: { sessions: tailer.sessions() } };
      }
    }
    throw notFound(`no API endpoint ${'/' + seg.map(encodeURIComponent).join('/')} (see GET /api)`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<Answer> {
    securityHeaders(res, STRICT_CSP);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(405, `method ${String(req.method).slice(0, 20)} not allowed: the dashboard is read-only (GET, HEAD)`, { Allow: 'GET, HEAD' });
    }
    const { segments, query } = parseTarget(req.url);
    const access = checkAccess(req, query);
    const cookie: Record<string, string> = access.setCookie ? { 'Set-Cookie': access.setCookie } : {};
    const [first = '', second, third] = segments;
    if (first === 'api') return api(req, res, segments, query);
    if (segments.length === 1 && Object.hasOwn(PAGES, first)) {
      const file = PAGES[first]!;
      const a = assets.get(file);
      if (!a) throw notFound(`page ${file} is missing from this installation`);
      return { kind: 'asset', asset: a, headers: cookie };
    }
    if (first === 'static' && second !== undefined && third === undefined) {
      const a = ASSET_NAME.test(second) && !second.endsWith('.html') ? assets.get(second) : undefined;
      if (!a) throw notFound(`no such file /static/${second}`);
      return { kind: 'asset', asset: a, headers: {} };
    }
    if (first === 'vendor' && second !== undefined && third === undefined) return { kind: 'asset', asset: vendorAsset(second), headers: { 'Cache-Control': 'max-age=3600' } };
    throw notFound('no such page (pages: /, /run.html, /compare.html, /hardware.html, /live.html, /advise.html; API: /api)');
  }

  const answerTimeoutMs = opts.answerTimeoutMs ?? 30_000;
  const headersTimeoutMs = opts.headersTimeoutMs ?? 5000;
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const fail = (e: unknown): void => {
      if (res.headersSent) {
        if (!(e instanceof HttpError)) log(`inferprint serve: ${req.method} ${req.url}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        res.destroy();
        return;
      }
      // Error answers carry the strict policy, whatever the page would have had.
      securityHeaders(res, STRICT_CSP);
      res.removeHeader('Set-Cookie');
      if (e instanceof HttpError) {
        sendJson(res, e.status, { error: e.reason }, e.headers);
        return;
      }
      log(`inferprint serve: ${req.method} ${req.url}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      sendJson(res, 500, { error: 'internal error (details in the server log)' });
    };
    // The backstop of rule 5: whatever an answer waits on, the client hears back.
    let settled = false;
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      fail(new HttpError(503, `no answer within ${answerTimeoutMs / 1000} s: reading the runs directory is stuck (a file on a slow or hung file system?)`, { 'Retry-After': '5' }));
    }, answerTimeoutMs);
    timer.unref();
    handle(req, res)
      .then((answer) => {
        if (settled) return;
        if (answer.kind === 'json') sendJson(res, 200, answer.value);
        else if (answer.kind === 'asset') sendAsset(res, answer.asset, answer.headers);
      })
      .catch((e: unknown) => {
        if (!settled) fail(e);
      })
      .finally(() => {
        settled = true;
        clearTimeout(timer);
      });
  };
  const server = createServer(
    {
      // Requests here are GETs without a body: the whole request is its headers.
      headersTimeout: headersTimeoutMs,
      requestTimeout: headersTimeoutMs * 2,
      // Node checks both timeouts only this often (30 s by default, which let a slow-header
      // client hold a connection 60–90 s).
      connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(headersTimeoutMs / 2))),
    },
    onRequest,
  );
  server.maxConnections = opts.maxConnections ?? 64;
  // Malformed HTTP never reaches the handler: answer it with a plain 400, no details.
  // A client too slow with its headers gets 408 (headersTimeout). Either way the connection
  // is destroyed once the answer is flushed: a client that never closes its side holds nothing.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const [status, reason] = timedOut ? ['408 Request Timeout', 'request headers not received in time'] : ['400 Bad Request', 'malformed HTTP request'];
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":"${reason}"}`, () => {
      socket.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) => {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE') reject(errors.usage(`port ${opts.port ?? 0} on ${host} is in use (another dashboard?): choose another, or 0 for any free port`, '--port'));
      else if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') reject(errors.usage(`cannot bind ${host}: no such address on this machine`, '--host'));
      else reject(errors.io(`${host}:${opts.port ?? 0}`, e));
    });
    server.listen(opts.port ?? 0, host, () => {
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  cookieName = `inferprint_token_${port}`;
  tailer.start();
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `http://${urlHost}:${port}/`;
  opts.onListening?.(url);
  return {
    url,
    port,
    async close() {
      tailer.stop();
      for (const s of streams) s.end();
      streams.clear();
      // Stop accepting, let answers in flight finish for a moment, then cut what is left.
      const closed = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      server.closeIdleConnections();
      const grace = setTimeout(() => {
        server.closeAllConnections();
      }, opts.closeGraceMs ?? 1000);
      await closed;
      clearTimeout(grace);
    },
  };
}
