/**
 * An OpenAI-compatible server for the synthetic decoder (`inferprint serve-model --protocol
 * openai`): `/v1/models`, `/v1/completions` and `/v1/chat/completions`, streamed as server-sent
 * events or answered whole, with `usage`, `max_tokens` (or `max_completion_tokens`),
 * `stream_options.include_usage` and vLLM's `ignore_eos`. Greedy decoding whatever the sampling
 * parameters say (they are accepted and ignored, as a temperature-0 server would).
 *
 * It exists so that the whole LLM path — HTTP, SSE, timing, energy window, store, report — runs
 * end to end with nothing downloaded. Its speed is that of a small model on this machine's CPU.
 *
 * Requests in flight share the model round-robin, one step at a time (the prompt at once, then
 * one token per step): with N streams each gets every N-th step, so time per output token grows
 * with concurrency as on a real server. It does not batch steps together (real servers do:
 * their energy per token falls with concurrency; this one's barely does).
 *
 * Errors are OpenAI's shape, `{"error": {"message", "type", "param", "code"}}`: 400 malformed or
 * too long a request, 404 unknown model or path, 405 wrong method, 413 body over the limit; and
 * who may call it is serve-model's rule (`request-guard.ts`): 421 a `Host` not this machine's
 * (DNS rebinding), 403 a web page's `Origin`, 401 a missing or wrong token, 415 a body that is
 * not JSON.
 */
import * as http from 'node:http';
import { errors } from '../../errors.js';
import { listen, type Listening } from '../../serve-model/listen.js';
import { closeServerNow, readBody, sendJsonUnread } from '../../serve-model/request-body.js';
import { bindNeedsToken, checkAccess, checkBodyType } from '../../serve-model/request-guard.js';
import { argmaxToken, openDecoderSession, type DecoderSession, type SequenceState } from './decoder-session.js';
import { DECODER_PRESETS, type DecoderPresetName } from '../model/synthetic-decoder.js';
import { chatPrompt, decodeTokens, encodePrompt, EOS_TOKEN } from '../model/tokenizer.js';

export interface LlmServerOptions {
  readonly preset: DecoderPresetName;
  readonly seed?: bigint | number;
  /** The model's name in `/v1/models` and requests (default `synthetic-<preset>`). */
  readonly modelName?: string;
  readonly host?: string;
  /** 0 picks a free port (default 8000). */
  readonly port?: number;
  /** Tokens generated when a request sets no limit (default 256). */
  readonly defaultMaxTokens?: number;
  readonly maxBodyBytes?: number;
  readonly intraOpNumThreads?: number;
  /**
   * Required as `Authorization: Bearer <token>` on every request (what OpenAI clients send as
   * their API key). Without one the server answers this machine only; off loopback it is required.
   */
  readonly token?: string;
  /** Told of every request that failed inside the server (the CLI prints them). */
  readonly onServerError?: (message: string) => void;
}

export interface LlmServerStats {
  readonly requests: number;
  readonly generations: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
  /** Requests refused (4xx) or failed (5xx). */
  readonly failed: number;
  /** Generations the client left before they ended. */
  readonly cancelled: number;
}

export interface LlmServer {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly modelName: string;
  readonly session: Pick<DecoderSession, 'preset' | 'config' | 'parameters' | 'modelBytes' | 'ortVersion'>;
  stats(): LlmServerStats;
  close(): Promise<void>;
}

export const DEFAULT_LLM_PORT = 8000;
const DEFAULT_MAX_BODY = 1024 * 1024;
const MODEL_NAME = /^[A-Za-z0-9_.:/-]+$/;

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly param: string | null = null,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A validated generation request. */
interface Generation {
  readonly chat: boolean;
  readonly promptTokens: number[];
  readonly maxTokens: number;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly ignoreEos: boolean;
}

function positiveInt(v: unknown, param: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new HttpFailure(400, `${param} must be a positive integer`, 'invalid_request_error', param);
  return v;
}

function bool(v: unknown, param: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new HttpFailure(400, `${param} must be a boolean`, 'invalid_request_error', param);
  return v;
}

/** Message content: a string, or OpenAI's list of parts (text parts joined). */
function contentText(v: unknown, i: number): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((p: unknown) => (isObj(p) && p.type === 'text' && typeof p.text === 'string' ? p.text : '')).join('');
  throw new HttpFailure(400, `messages[${i}].content must be a string or a list of text parts`, 'invalid_request_error', 'messages');
}

function parseGeneration(body: unknown, chat: boolean, modelName: string, contextTokens: number, defaultMax: number): Generation {
  if (!isObj(body)) throw new HttpFailure(400, 'the body must be a JSON object');
  if (typeof body.model !== 'string') throw new HttpFailure(400, 'model is required', 'invalid_request_error', 'model');
  if (body.model !== modelName) throw new HttpFailure(404, `The model \`${body.model}\` does not exist (this server has \`${modelName}\`).`, 'not_found_error', 'model');
  const n = positiveInt(body.n, 'n');
  if (n !== undefined && n !== 1) throw new HttpFailure(400, 'only n = 1 is supported', 'invalid_request_error', 'n');
  let text: string;
  if (chat) {
    if (!Array.isArray(body.messages) || body.messages.length === 0) throw new HttpFailure(400, 'messages must be a non-empty list', 'invalid_request_error', 'messages');
    text = chatPrompt(
      body.messages.map((m: unknown, i) => {
        if (!isObj(m) || typeof m.role !== 'string') throw new HttpFailure(400, `messages[${i}] must be {role, content}`, 'invalid_request_error', 'messages');
        return { role: m.role, content: contentText(m.content, i) };
      }),
    );
  } else {
    const p = Array.isArray(body.prompt) && body.prompt.length === 1 ? (body.prompt[0] as unknown) : body.prompt;
    if (typeof p !== 'string') throw new HttpFailure(400, 'prompt must be a string (or a list of one string)', 'invalid_request_error', 'prompt');
    text = p;
  }
  const promptTokens = encodePrompt(text);
  const maxTokens = positiveInt(body.max_completion_tokens, 'max_completion_tokens') ?? positiveInt(body.max_tokens, 'max_tokens') ?? Math.min(defaultMax, Math.max(1, contextTokens - promptTokens.length));
  if (promptTokens.length + maxTokens > contextTokens) {
    throw new HttpFailure(
      400,
      `This model's maximum context length is ${contextTokens} tokens. However, you requested ${promptTokens.length + maxTokens} tokens (${promptTokens.length} in the prompt, ${maxTokens} for the completion).`,
      'invalid_request_error',
      'max_tokens',
    );
  }
  const stream = bool(body.stream, 'stream') ?? false;
  const options = body.stream_options;
  if (options !== undefined && options !== null && !isObj(options)) throw new HttpFailure(400, 'stream_options must be an object', 'invalid_request_error', 'stream_options');
  const includeUsage = isObj(options) ? (bool(options.include_usage, 'stream_options.include_usage') ?? false) : false;
  return { chat, promptTokens, maxTokens, stream, includeUsage, ignoreEos: bool(body.ignore_eos, 'ignore_eos') ?? false };
}

/** One generation in flight: the model state, and where its tokens go. */
interface Sequence {
  readonly gen: Generation;
  state: SequenceState | undefined;
  last: number;
  readonly tokens: number[];
  cancelled: boolean;
  readonly emit: (token: number) => void;
  readonly end: (finishReason: 'stop' | 'length') => void;
  readonly fail: (e: unknown) => void;
}

/** Round-robin over the sequences in flight, one model step each, yielding to I/O between steps. */
class Scheduler {
  private readonly active: Sequence[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly session: DecoderSession) {}

  add(s: Sequence): void {
    this.active.push(s);
    this.running ??= this.loop().finally(() => {
      this.running = undefined;
    });
  }

  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async loop(): Promise<void> {
    while (this.active.length > 0) {
      for (const s of [...this.active]) {
        if (s.cancelled) {
          this.remove(s);
          continue;
        }
        try {
          s.state = s.state === undefined ? await this.session.prefill(s.gen.promptTokens) : await this.session.step(s.state, s.last);
        } catch (e) {
          this.remove(s);
          s.fail(e);
          continue;
        }
        const next = argmaxToken(s.state.logits, s.gen.ignoreEos);
        if (next === EOS_TOKEN) {
          this.remove(s);
          s.end('stop');
          continue;
        }
        s.tokens.push(next);
        s.last = next;
        s.emit(next);
        if (s.tokens.length >= s.gen.maxTokens) {
          this.remove(s);
          s.end('length');
        }
      }
      // Let the sockets flush and new requests in between rounds.
      await new Promise<void>((r) => setImmediate(r));
    }
  }

  private remove(s: Sequence): void {
    const i = this.active.indexOf(s);
    if (i >= 0) this.active.splice(i, 1);
  }
}

/** The body as JSON; over the limit it is left unread from there, for the 413 to drain (request-body.ts). */
async function readJson(req: http.IncomingMessage, limit: number): Promise<unknown> {
  const body = await readBody(req, limit);
  if (body === 'too-large') throw new HttpFailure(413, `request body over the limit of ${limit} bytes`);
  try {
    return JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')) as unknown;
  } catch {
    throw new HttpFailure(400, 'the body is not valid JSON');
  }
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const bytes = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length, ...headers });
  res.end(bytes);
}

export async function serveLlm(opts: LlmServerOptions): Promise<LlmServer> {
  const modelName = opts.modelName ?? `synthetic-${opts.preset}`;
  if (!MODEL_NAME.test(modelName)) throw errors.usage(`model name '${modelName}' must be letters, digits and _ . : / -`, '--name');
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? DEFAULT_LLM_PORT;
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) throw errors.usage(`port must be an integer in 0..65535, got ${port}`, '--port');
  // The same rules as serve-model's KServe server (request-guard.ts): no inference for a web page or a stranger.
  if (bindNeedsToken(host) && opts.token === undefined) throw errors.usage(`refusing to serve on non-loopback address ${host} without a token: anyone who can reach it could run inference on this machine (add --token)`, '--host');
  const defaultMax = opts.defaultMaxTokens ?? 256;
  const maxBody = opts.maxBodyBytes ?? DEFAULT_MAX_BODY;
  const session = await openDecoderSession({ preset: opts.preset, ...(opts.seed !== undefined ? { seed: opts.seed } : {}), ...(opts.intraOpNumThreads !== undefined ? { intraOpNumThreads: opts.intraOpNumThreads } : {}) });
  const context = DECODER_PRESETS[opts.preset].maxPositions;
  const scheduler = new Scheduler(session);
  const counts = { requests: 0, generations: 0, promptTokens: 0, completionTokens: 0, failed: 0, cancelled: 0 };
  let nextId = 1;
  const created = Math.floor(Date.now() / 1000);

  const generate = (res: http.ServerResponse, gen: Generation): Promise<void> =>
    new Promise<void>((resolve) => {
      const id = `${gen.chat ? 'chatcmpl' : 'cmpl'}-${nextId++}`;
      const object = gen.chat ? (gen.stream ? 'chat.completion.chunk' : 'chat.completion') : 'text_completion';
      const base = { id, object, created: Math.floor(Date.now() / 1000), model: modelName };
      const usage = (completion: number) => ({ prompt_tokens: gen.promptTokens.length, completion_tokens: completion, total_tokens: gen.promptTokens.length + completion });
      const event = (v: unknown): void => {
        res.write(`data: ${JSON.stringify(v)}\n\n`);
      };
      const choice = (text: string, finish: string | null, first = false) =>
        gen.chat ? { index: 0, delta: first ? { role: 'assistant', content: text } : finish === null ? { content: text } : {}, logprobs: null, finish_reason: finish } : { index: 0, text, logprobs: null, finish_reason: finish };
      counts.generations++;
      counts.promptTokens += gen.promptTokens.length;
      const seq: Sequence = {
        gen,
        state: undefined,
        last: 0,
        tokens: [],
        cancelled: false,
        emit: (token) => {
          counts.completionTokens++;
          if (gen.stream) event({ ...base, choices: [choice(decodeTokens([token]), null)] });
        },
        end: (finish) => {
          if (gen.stream) {
            event({ ...base, choices: [choice('', finish)] });
            if (gen.includeUsage) event({ ...base, choices: [], usage: usage(seq.tokens.length) });
            res.end('data: [DONE]\n\n');
          } else {
            const text = decodeTokens(seq.tokens);
            const c = gen.chat ? { index: 0, message: { role: 'assistant', content: text }, logprobs: null, finish_reason: finish } : { index: 0, text, logprobs: null, finish_reason: finish };
            sendJson(res, 200, { ...base, choices: [c], usage: usage(seq.tokens.length) });
          }
          resolve();
        },
        fail: (e) => {
          counts.failed++;
          const message = `generation failed: ${e instanceof Error ? e.message : String(e)}`;
          opts.onServerError?.(message);
          if (!res.headersSent) sendJson(res, 500, { error: { message, type: 'server_error', param: null, code: null } });
          else res.end(`data: ${JSON.stringify({ error: { message, type: 'server_error' } })}\n\n`);
          resolve();
        },
      };
      // A client that leaves stops its generation: no step is spent on it any more.
      res.on('close', () => {
        if (!res.writableFinished && !seq.cancelled) {
          seq.cancelled = true;
          counts.cancelled++;
          resolve();
        }
      });
      if (gen.stream) {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
        if (gen.chat) event({ ...base, choices: [choice('', null, true)] });
      }
      scheduler.add(seq);
    });

  const answer = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const refused = checkAccess(req, { bindHost: host, token: opts.token }) ?? (req.method === 'POST' ? checkBodyType(req.headers) : undefined);
    if (refused) throw new HttpFailure(refused.status, refused.message, refused.status === 401 ? 'authentication_error' : 'invalid_request_error', null, refused.headers);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    const only = (m: 'GET' | 'POST'): void => {
      if (method !== m && !(m === 'GET' && method === 'HEAD')) throw new HttpFailure(405, `${method} not allowed on ${path} (use ${m})`);
    };
    if (path === '/v1/models') {
      only('GET');
      sendJson(res, 200, { object: 'list', data: [{ id: modelName, object: 'model', created, owned_by: 'inferprint' }] });
      return;
    }
    if (path.startsWith('/v1/models/')) {
      only('GET');
      const name = decodeURIComponent(path.slice('/v1/models/'.length));
      if (name !== modelName) throw new HttpFailure(404, `The model \`${name}\` does not exist.`, 'not_found_error', 'model');
      sendJson(res, 200, { id: modelName, object: 'model', created, owned_by: 'inferprint' });
      return;
    }
    if (path === '/health' || path === '/v1/health') {
      only('GET');
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (path === '/v1/completions' || path === '/v1/chat/completions') {
      only('POST');
      const gen = parseGeneration(await readJson(req, maxBody), path === '/v1/chat/completions', modelName, context, defaultMax);
      await generate(res, gen);
      return;
    }
    throw new HttpFailure(404, `no such endpoint: ${method} ${path}`, 'not_found_error');
  };

  const server = http.createServer({ noDelay: true }, (req, res) => {
    counts.requests++;
    answer(req, res).catch((e: unknown) => {
      // Refused before its body was read (or part way through it), the request may still be
      // uploading: the answer waits for the rest, dropped, so the client sees it (request-body.ts).
      if (e instanceof HttpFailure) {
        counts.failed++;
        if (!res.headersSent) sendJsonUnread(req, res, e.status, { error: { message: e.message, type: e.type, param: e.param, code: null } }, e.status === 405 ? { allow: e.message.includes('use GET') ? 'GET' : 'POST' } : e.headers);
        else res.end();
        return;
      }
      counts.failed++;
      opts.onServerError?.(`${req.method ?? '?'} ${req.url ?? '?'}: ${e instanceof Error ? e.message : String(e)}`);
      if (!res.headersSent) sendJsonUnread(req, res, 500, { error: { message: 'internal error', type: 'server_error', param: null, code: null } });
      else res.destroy();
    });
  });
  let bound: Listening;
  try {
    bound = await listen(server, host, port);
  } catch (e) {
    await session.close();
    throw e;
  }
  let closed: Promise<void> | undefined;
  return {
    ...bound,
    modelName,
    session,
    stats: () => ({ ...counts }),
    close: () =>
      (closed ??= (async () => {
        await closeServerNow(server);
        await scheduler.idle();
        await session.close();
      })()),
  };
}
