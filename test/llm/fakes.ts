/**
 * Fake LLM servers for tests only: an HTTP server that lists models and answers each
 * generation with a script the test writes (well-behaved streams, cut streams, error statuses,
 * streams without their end marker, ...), and a virtual clock a script advances, so timings
 * are exact without sleeping.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export class VirtualClock {
  t = 0;
  readonly nowS = (): number => this.t;
  advance(s: number): void {
    this.t += s;
  }
}

export interface FakeRequest {
  readonly path: string;
  readonly body: Record<string, unknown>;
  /** Generation requests answered so far, this one excluded. */
  readonly index: number;
}

/** Answers one generation request; the default (`okStream`) streams a few tokens with usage. */
export type Script = (req: FakeRequest, res: http.ServerResponse) => void | Promise<void>;

export interface FakeServer {
  readonly url: string;
  readonly requests: FakeRequest[];
  close(): Promise<void>;
}

export interface FakeOptions {
  /** Models the list endpoints give (default `['fake']`). */
  readonly models?: readonly string[];
  readonly script?: Script;
  /** HTTP status of the model list (default 200). */
  readonly modelsStatus?: number;
  /** The loopback address to listen on (default 127.0.0.1). */
  readonly host?: string;
}

export async function startFake(o: FakeOptions = {}): Promise<FakeServer> {
  const models = o.models ?? ['fake'];
  const requests: FakeRequest[] = [];
  const script = o.script ?? ((r, res) => { okStream(res, { tokens: ['a', 'b', 'c'], chat: r.path.includes('chat') }); });
  const server = http.createServer({ noDelay: true }, (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' && (path === '/v1/models' || path === '/api/tags')) {
      const body = path === '/v1/models' ? { object: 'list', data: models.map((id) => ({ id, object: 'model' })) } : { models: models.map((name) => ({ name, model: name })) };
      res.writeHead(o.modelsStatus ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
      return;
    }
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const r = { path, body: JSON.parse(Buffer.concat(parts).toString('utf8') || '{}') as Record<string, unknown>, index: requests.length };
      requests.push(r);
      void Promise.resolve(script(r, res)).catch(() => res.destroy());
    });
  });
  const host = o.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

export function sseHead(res: http.ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
}

export const chunk = (text: string, chat: boolean, finish: string | null = null): string =>
  `data: ${JSON.stringify({ choices: [chat ? { index: 0, delta: { content: text }, finish_reason: finish } : { index: 0, text, finish_reason: finish }] })}\n\n`;

export const usageChunk = (prompt: number, completion: number): string => `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion } })}\n\n`;

/** A well-behaved OpenAI stream: tokens, a finish chunk, usage (unless `usage: false`), `[DONE]` (unless `done: false`). */
export function okStream(res: http.ServerResponse, o: { readonly tokens: readonly string[]; readonly chat: boolean; readonly usage?: boolean; readonly done?: boolean }): void {
  sseHead(res);
  if (o.chat) res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] })}\n\n`);
  for (const t of o.tokens) res.write(chunk(t, o.chat));
  res.write(chunk('', o.chat, 'length'));
  if (o.usage !== false) res.write(usageChunk(5, o.tokens.length));
  if (o.done !== false) res.write('data: [DONE]\n\n');
  res.end();
}

/** Resolves when `check` holds, polling on the event loop (no fixed sleeps). */
export async function until(check: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const start = performance.now();
  while (!check()) {
    if (performance.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}
