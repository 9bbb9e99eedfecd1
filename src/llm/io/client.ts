/**
 * The HTTP side of an LLM benchmark: one streamed generation, timed chunk by chunk on the
 * run's clock, and the small JSON requests of the pre-checks. `node:http(s)` directly, so the
 * time a chunk is stamped is when its bytes reach this process, with nothing buffering them
 * first.
 *
 * A request never throws: whatever happens — an error status, a stream cut mid-event, no end
 * marker, a connection reset, a time-out, garbage — comes back as a `RequestRecord` outcome
 * with what was received until then (`core/timeline.ts`).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { errors } from '../../errors.js';
import { parseOllamaLine, parseOpenAiEvent, sutOf, API_PATHS, type LlmApi, type StreamChunk, type Usage } from '../core/protocol.js';
import { NdjsonLineParser, SseParser } from '../core/sse.js';
import type { RequestRecord } from '../core/timeline.js';

/** What one streamed request gives back (the load generator adds its index, client and prompt). */
export type StreamResult = Omit<RequestRecord, 'index' | 'client' | 'promptIndex' | 'scheduledS'>;

export interface ClientTimeouts {
  /** Longest wait for the response headers and between two pieces of the stream, s. */
  readonly idleS: number;
  /** Longest a whole request may take, s. */
  readonly totalS: number;
}

export const DEFAULT_TIMEOUTS: ClientTimeouts = { idleS: 300, totalS: 3600 };

export interface StreamRequestOptions {
  /** The server's base URL (`parseServerUrl`). */
  readonly baseUrl: URL;
  readonly api: LlmApi;
  readonly body: Readonly<Record<string, unknown>>;
  /** The run's clock, s: every time in the record is on it. */
  readonly nowS: () => number;
  readonly timeouts?: ClientTimeouts;
  readonly agent?: http.Agent;
  readonly signal?: AbortSignal;
  /** Sent as `Authorization: Bearer …` when given. */
  readonly apiKey?: string;
  /** Told of each chunk with text as it is stamped (progress, and tests that pace a fake server). */
  readonly onToken?: (tS: number) => void;
}

/**
 * The server's base URL, checked: http or https, no query, no credentials. For an
 * OpenAI-compatible server a trailing `/v1` (how its clients are usually configured) is
 * dropped, since the API paths start with it.
 */
export function parseServerUrl(raw: string, sut: 'openai' | 'ollama'): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw errors.usage(`not a URL: '${raw}' (expected e.g. http://127.0.0.1:8000)`, '--url');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw errors.usage(`expected an http:// or https:// URL, got '${raw}'`, '--url');
  if (u.search !== '' || u.hash !== '') throw errors.usage(`the server URL takes no query or fragment, got '${raw}'`, '--url');
  // URLs are recorded in run bundles and printed: a password in one would leak there.
  if (u.username !== '' || u.password !== '') throw errors.usage('the server URL must not hold credentials (use --api-key-env for a key)', '--url');
  let path = u.pathname.replace(/\/+$/, '');
  if (sut === 'openai') path = path.replace(/\/v1$/, '');
  u.pathname = path === '' ? '/' : path;
  return u;
}

/** `base` + an API path, keeping a prefix the base URL has (a reverse proxy's). */
export function endpoint(base: URL, path: string): URL {
  const u = new URL(base.href);
  u.pathname = `${base.pathname.replace(/\/+$/, '')}${path}`;
  return u;
}

const transport = (u: URL): typeof http | typeof https => (u.protocol === 'https:' ? https : http);

function describeError(e: NodeJS.ErrnoException): string {
  return e.code !== undefined && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : e.message;
}

/** The `error` message of a JSON error body (`{"error": "..."}` or `{"error": {"message": "..."}}`), else the text. */
export function errorMessageOf(text: string): string {
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v === 'object' && v !== null) {
      const err = (v as Record<string, unknown>).error ?? (v as Record<string, unknown>).detail ?? (v as Record<string, unknown>).message;
      if (typeof err === 'string') return err;
      if (typeof err === 'object' && err !== null && typeof (err as Record<string, unknown>).message === 'string') return (err as Record<string, string>).message!;
    }
  } catch {
    // not JSON: the text itself
  }
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > 200 ? `${t.slice(0, 200)}…` : t;
}

/** One streamed generation, timed. Resolves with the record whatever happens. */
export function streamRequest(opts: StreamRequestOptions): Promise<StreamResult> {
  const url = endpoint(opts.baseUrl, API_PATHS[opts.api]);
  const timeouts = opts.timeouts ?? DEFAULT_TIMEOUTS;
  const payload = Buffer.from(JSON.stringify(opts.body));
  const ollama = sutOf(opts.api) === 'ollama';
  const tokenTimesS: number[] = [];
  let finishReason: string | null = null;
  let usage: Usage | null = null;
  let doneS: number | undefined;
  let started = false;

  return new Promise<StreamResult>((resolve) => {
    let settled = false;
    let sentS = opts.nowS();
    let idle: NodeJS.Timeout | undefined;
    let req: http.ClientRequest | undefined;
    const total = setTimeout(() => {
      finish('timeout', `no end within ${timeouts.totalS} s`);
    }, timeouts.totalS * 1000);
    const armIdle = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        finish('timeout', started ? `nothing received for ${timeouts.idleS} s in the middle of the stream` : `no response within ${timeouts.idleS} s`);
      }, timeouts.idleS * 1000);
    };
    const onAbort = (): void => {
      finish('aborted', 'stopped before the response ended');
    };
    const finish = (outcome: RequestRecord['outcome'], detail?: string, httpStatus?: number): void => {
      if (settled) return;
      settled = true;
      const endS = outcome === 'ok' ? (doneS ?? opts.nowS()) : opts.nowS();
      clearTimeout(idle);
      clearTimeout(total);
      opts.signal?.removeEventListener('abort', onAbort);
      if (outcome !== 'ok') req?.destroy();
      resolve({
        sentS,
        tokenTimesS,
        endS,
        outcome,
        ...(detail !== undefined ? { detail } : {}),
        ...(httpStatus !== undefined ? { httpStatus } : {}),
        finishReason,
        usage,
      });
    };
    if (opts.signal?.aborted === true) {
      finish('aborted', 'stopped before it was sent');
      return;
    }
    opts.signal?.addEventListener('abort', onAbort);

    /** Take one parsed piece of the stream; false when it ends the request as a failure. */
    const take = (chunk: StreamChunk, tS: number): boolean => {
      if (chunk.error !== undefined) {
        finish('protocol', `the server reported an error in the stream: ${chunk.error}`);
        return false;
      }
      if (chunk.text !== '' && doneS === undefined) {
        tokenTimesS.push(tS);
        opts.onToken?.(tS);
      }
      if (chunk.finishReason !== undefined) finishReason = chunk.finishReason;
      if (chunk.usage) usage = chunk.usage;
      if (chunk.done) {
        // The end marker ends the request, whatever the connection does next (keep-alive, a slow close).
        doneS ??= tS;
        finish('ok');
        return false;
      }
      return true;
    };

    try {
      req = transport(url).request(url, {
        method: 'POST',
        agent: opts.agent,
        headers: {
          'content-type': 'application/json',
          'content-length': payload.length,
          accept: ollama ? 'application/x-ndjson' : 'text/event-stream',
          ...(opts.apiKey !== undefined ? { authorization: `Bearer ${opts.apiKey}` } : {}),
        },
      });
    } catch (e) {
      finish('connection', e instanceof Error ? e.message : String(e));
      return;
    }
    req.on('response', (res) => {
      armIdle();
      const status = res.statusCode ?? 0;
      if (status !== 200) {
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < 65536) parts.push(c);
          size += c.length;
        });
        const fail = (): void => {
          finish('http-error', `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}${parts.length > 0 ? `: ${errorMessageOf(Buffer.concat(parts).toString('utf8'))}` : ''}`, status);
        };
        res.on('end', fail);
        res.on('error', fail);
        return;
      }
      const type = (res.headers['content-type'] ?? '').toLowerCase();
      if (!ollama && type.startsWith('application/json')) {
        // A server that ignores `stream: true` answers with one JSON body: no tokens can be timed.
        finish('protocol', 'the server answered with one JSON body (application/json), not an event stream: it does not stream');
        return;
      }
      const decoder = new TextDecoder('utf-8');
      const sse = new SseParser();
      const lines = new NdjsonLineParser();
      const ollamaApi = opts.api === 'ollama-chat' ? 'ollama-chat' : 'ollama-generate';
      /** Decoded text into chunks, each taken; false once the request has ended (well or not). */
      const consume = (text: string, tS: number): boolean => {
        const items = ollama ? lines.push(text).map((l) => parseOllamaLine(l, ollamaApi)) : sse.push(text).map((ev) => parseOpenAiEvent(ev.data));
        for (const p of items) {
          if (!p.ok) {
            finish('protocol', p.problem);
            return false;
          }
          if (!take(p.chunk, tS)) return false;
        }
        return true;
      };
      res.on('data', (c: Buffer) => {
        const tS = opts.nowS();
        started = true;
        armIdle();
        consume(decoder.decode(c, { stream: true }), tS);
      });
      res.on('end', () => {
        const tS = opts.nowS();
        if (!consume(decoder.decode(), tS)) return;
        if (ollama && lines.pending) {
          // A last line without its newline is whole only if it parses.
          const p = parseOllamaLine(lines.takeRest(), ollamaApi);
          if (!p.ok) {
            finish('truncated', 'the stream ended in the middle of a line');
            return;
          }
          if (!take(p.chunk, tS)) return;
        }
        if (!ollama && sse.pending) finish('truncated', 'the stream ended in the middle of an event');
        else finish('truncated', ollama ? 'the stream ended without its "done": true line' : 'the stream ended without data: [DONE]');
      });
      // The connection closed before the response was whole (a server that died, a proxy that cut it).
      res.on('error', () => {
        finish('truncated', 'the connection closed in the middle of the stream');
      });
      res.on('close', () => {
        if (!res.complete) finish('truncated', 'the connection closed in the middle of the stream');
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      finish(started ? 'truncated' : 'connection', started ? 'the connection closed in the middle of the stream' : `connection failed (${describeError(e)})`);
    });
    armIdle();
    sentS = opts.nowS();
    req.end(payload);
  });
}

export interface JsonReply {
  readonly status: number;
  readonly contentType: string;
  readonly text: string;
}

/** A small GET or POST with a JSON reply read whole (pre-checks). Network failures are IO errors naming the URL. */
export function jsonRequest(url: URL, o: { readonly method?: 'GET' | 'POST'; readonly body?: unknown; readonly timeoutS: number; readonly apiKey?: string }): Promise<JsonReply> {
  const payload = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
  return new Promise((resolve, reject) => {
    const req = transport(url).request(url, {
      method: o.method ?? 'GET',
      headers: {
        accept: 'application/json',
        ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}),
        ...(o.apiKey !== undefined ? { authorization: `Bearer ${o.apiKey}` } : {}),
      },
      timeout: o.timeoutS * 1000,
    });
    req.on('timeout', () => {
      req.destroy(new Error(`no answer within ${o.timeoutS} s`));
    });
    req.on('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'] ?? '', text: Buffer.concat(parts).toString('utf8') });
      });
      res.on('error', (e) => {
        reject(errors.io(url.href, `connection lost while reading the answer (${describeError(e)})`));
      });
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      const why =
        e.code === 'ECONNREFUSED'
          ? `connection refused: is the server running and listening there? (${describeError(e)})`
          : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
            ? `host not found (${describeError(e)})`
            : `cannot reach the server (${describeError(e)})`;
      reject(errors.io(url.href, why));
    });
    req.end(payload);
  });
}
