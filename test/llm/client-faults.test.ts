/**
 * The client against misbehaving servers (issue 14): every failure is a counted outcome with
 * what was received, never a silent zero — a stream cut mid-event, a missing `usage`, a first
 * token after 5 s (on a virtual clock: no 5 s sleep), HTTP 429/500 in the middle of a level, a
 * `[DONE]` never sent (connection closed, or held open), garbage, a server that does not stream;
 * and the pre-checks that stop a run before it starts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseServerUrl, streamRequest, type StreamResult } from '../../src/llm/io/client.js';
import { requestBody, type LlmApi } from '../../src/llm/core/protocol.js';
import { levelStats } from '../../src/llm/core/stats.js';
import { outputTokens, ttftS } from '../../src/llm/core/timeline.js';
import { runLevel, seededRandom } from '../../src/llm/loadgen.js';
import { checkServer } from '../../src/llm/io/prechecks.js';
import { runCli } from '../../src/cli/main.js';
import { rejection } from '../helpers/decode.js';
import { chunk, okStream, sseHead, startFake, usageChunk, VirtualClock, type Script } from './fakes.js';

const body = (api: LlmApi = 'openai-chat') => requestBody(api, { kind: 'text', text: 'hi' }, { model: 'fake', maxTokens: 8, ignoreEos: false, streamUsage: true });

async function once(script: Script, o: { api?: LlmApi; clock?: VirtualClock; idleS?: number; signal?: AbortSignal; onToken?: (tS: number) => void } = {}): Promise<StreamResult> {
  const fake = await startFake({ script });
  try {
    const api = o.api ?? 'openai-chat';
    return await streamRequest({
      baseUrl: parseServerUrl(fake.url, api.startsWith('ollama') ? 'ollama' : 'openai'),
      api,
      body: body(api),
      nowS: o.clock?.nowS ?? (() => performance.now() / 1000),
      ...(o.idleS !== undefined ? { timeouts: { idleS: o.idleS, totalS: 60 } } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      ...(o.onToken ? { onToken: o.onToken } : {}),
    });
  } finally {
    await fake.close();
  }
}

test('a well-behaved stream: the role-only first chunk is no token; usage and finish reason kept', async () => {
  const r = await once((_, res) => { okStream(res, { tokens: ['a', 'b', 'c'], chat: true }); });
  assert.equal(r.outcome, 'ok');
  assert.equal(r.tokenTimesS.length, 3);
  assert.deepEqual(r.usage, { promptTokens: 5, completionTokens: 3 });
  assert.equal(r.finishReason, 'length');
});

test('missing usage: the tokens are counted from the stream, and the record says so', async () => {
  const r = await once((_, res) => { okStream(res, { tokens: ['a', 'b', 'c', 'd'], chat: true, usage: false }); });
  assert.equal(r.outcome, 'ok');
  assert.equal(r.usage, null);
  assert.deepEqual(outputTokens({ ...r, index: 0, client: 0, promptIndex: 0 }), { tokens: 4, source: 'stream' });
});

test('a stream cut mid-event is a truncation that keeps the tokens before the cut', async () => {
  const r = await once((_, res) => {
    sseHead(res);
    res.write(chunk('a', true));
    res.end('data: {"choices":[{"del');
  });
  assert.equal(r.outcome, 'truncated');
  assert.equal(r.detail, 'the stream ended in the middle of an event');
  assert.equal(r.tokenTimesS.length, 1);
});

test('a connection dropped in the middle of the stream is a truncation too', async () => {
  const r = await once((_, res) => {
    sseHead(res);
    res.write(chunk('a', true));
    res.write(chunk('b', true));
    setImmediate(() => res.socket?.destroy());
  });
  assert.equal(r.outcome, 'truncated');
  assert.equal(r.detail, 'the connection closed in the middle of the stream');
  assert.equal(r.tokenTimesS.length, 2);
});

test('[DONE] never sent, connection closed: truncated, usage and tokens kept', async () => {
  const r = await once((_, res) => { okStream(res, { tokens: ['a', 'b'], chat: true, done: false }); });
  assert.equal(r.outcome, 'truncated');
  assert.equal(r.detail, 'the stream ended without data: [DONE]');
  assert.deepEqual(r.usage, { promptTokens: 5, completionTokens: 2 });
  assert.equal(r.tokenTimesS.length, 2);
});

test('[DONE] never sent, connection held open: a time-out, not a hang', async () => {
  let held: (() => void) | undefined;
  const r = await once(
    (_, res) => {
      sseHead(res);
      res.write(chunk('a', true));
      held = () => res.end();
    },
    { idleS: 0.2 },
  );
  held?.();
  assert.equal(r.outcome, 'timeout');
  assert.match(r.detail!, /nothing received for 0.2 s in the middle of the stream/);
  assert.equal(r.tokenTimesS.length, 1);
});

test('a first token after 5 s is a TTFT of 5 s (virtual clock: nothing sleeps)', async () => {
  const clock = new VirtualClock();
  clock.t = 100;
  const r = await once(
    (_, res) => {
      clock.advance(5);
      okStream(res, { tokens: ['a', 'b'], chat: true });
    },
    { clock },
  );
  assert.equal(r.outcome, 'ok');
  assert.equal(r.sentS, 100);
  assert.equal(ttftS({ ...r, index: 0, client: 0, promptIndex: 0 }), 5);
  const s = levelStats([{ ...r, index: 0, client: 0, promptIndex: 0 }]);
  assert.equal(s.ttftMs!.p99, 5000);
});

test('error statuses, an error inside the stream, garbage, a JSON body instead of a stream, a refused connection', async () => {
  const r429 = await once((_, res) => {
    res.writeHead(429, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: 'rate limited' } }));
  });
  assert.deepEqual([r429.outcome, r429.httpStatus, r429.detail], ['http-error', 429, 'HTTP 429 Too Many Requests: rate limited']);
  const inStream = await once((_, res) => {
    sseHead(res);
    res.write(chunk('a', true));
    res.end('data: {"error":{"message":"CUDA out of memory"}}\n\n');
  });
  assert.deepEqual([inStream.outcome, inStream.detail], ['protocol', 'the server reported an error in the stream: CUDA out of memory']);
  const garbage = await once((_, res) => {
    sseHead(res);
    res.end('data: not json at all\n\n');
  });
  assert.equal(garbage.outcome, 'protocol');
  assert.match(garbage.detail!, /^not JSON/);
  const whole = await once((_, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ choices: [{ message: { content: 'all at once' } }] }));
  });
  assert.equal(whole.outcome, 'protocol');
  assert.match(whole.detail!, /not an event stream: it does not stream/);
  const port = await freePort();
  const refused = await streamRequest({ baseUrl: new URL(`http://127.0.0.1:${port}`), api: 'openai-chat', body: body(), nowS: () => 0 });
  assert.equal(refused.outcome, 'connection');
  assert.match(refused.detail!, /ECONNREFUSED/);
});

test('Ollama NDJSON: text per line, counts from the done line; a stream without its done line is truncated', async () => {
  const lines = (done: boolean): Script => (_, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.write('{"message":{"role":"assistant","content":"He"},"done":false}\n');
    res.write('{"message":{"role":"assistant","content":"llo"},"done":false}\n');
    res.end(done ? '{"message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":9,"eval_count":2}' : '');
  };
  const ok = await once(lines(true), { api: 'ollama-chat' });
  assert.deepEqual([ok.outcome, ok.tokenTimesS.length, ok.finishReason], ['ok', 2, 'stop']);
  assert.deepEqual(ok.usage, { promptTokens: 9, completionTokens: 2 });
  const cut = await once(lines(false), { api: 'ollama-chat' });
  assert.deepEqual([cut.outcome, cut.detail], ['truncated', 'the stream ended without its "done": true line']);
});

test('a request stopped by the user is aborted, with what it received', async () => {
  const stop = new AbortController();
  // Stopped once the client has the first token (not on a timer, which a loaded machine can
  // run before the chunk is read); the server holds the stream open.
  const r = await once(
    (_, res) => {
      sseHead(res);
      res.write(chunk('a', true));
    },
    // Stopped once the token has arrived, not after a delay a busy machine may outrun.
    { signal: stop.signal, onToken: () => { stop.abort(); } },
  );
  assert.equal(r.outcome, 'aborted');
  assert.equal(r.tokenTimesS.length, 1);
});

test('HTTP 429 and 500 in the middle of a level: counted by outcome, the other requests go on', async () => {
  const fake = await startFake({
    script: (r, res) => {
      if (r.index === 3 || r.index === 6) {
        res.writeHead(r.index === 3 ? 429 : 500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: r.index === 3 ? 'slow down' : 'boom' }));
        return;
      }
      okStream(res, { tokens: ['x', 'y'], chat: true });
    },
  });
  try {
    const baseUrl = parseServerUrl(fake.url, 'openai');
    const records = await runLevel({
      level: { name: 'c2', load: { mode: 'closed', concurrency: 2 }, requests: 10 },
      prompts: [{ kind: 'text', text: 'p' }],
      promptOffset: 0,
      send: () => streamRequest({ baseUrl, api: 'openai-chat', body: body(), nowS: () => performance.now() / 1000 }),
      nowS: () => performance.now() / 1000,
      sleepS: () => Promise.resolve(),
      random: seededRandom(1),
    });
    const s = levelStats(records);
    assert.equal(s.requests, 10);
    assert.equal(s.succeeded, 8);
    assert.equal(s.outcomes['http-error'], 2);
    assert.deepEqual(records.filter((r) => r.outcome !== 'ok').map((r) => r.httpStatus).sort(), [429, 500]);
    assert.equal(s.outputTokens, 16);
  } finally {
    await fake.close();
  }
});

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => { r(); }));
  return port;
}

const checks = (url: string, o: Partial<Parameters<typeof checkServer>[0]> = {}) =>
  checkServer({ baseUrl: parseServerUrl(url, 'openai'), api: 'openai-chat', model: 'fake', ignoreEos: false, timeouts: { idleS: 10, totalS: 30 }, nowS: () => performance.now() / 1000, ...o });

test('pre-checks: an unreachable URL, an unlisted model, a server that does not stream: one line each', async () => {
  const port = await freePort();
  const down = await rejection(checks(`http://127.0.0.1:${port}`));
  assert.equal(down.code, 'IO');
  assert.match(down.message, new RegExp(`^http://127.0.0.1:${port}/v1/models: connection refused`));
  const fake = await startFake({
    models: ['fake', 'other'],
    script: (_, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"choices": []}');
    },
  });
  try {
    const missing = await rejection(checks(fake.url, { model: 'llama' }));
    assert.equal(missing.where.flag, '--model');
    assert.match(missing.message, /the server does not list model 'llama' \(it lists: fake, other\)/);
    const flat = await rejection(checks(fake.url));
    assert.equal(flat.where.flag, '--sut');
    assert.match(flat.message, /it does not stream/);
    assert.ok(!flat.message.includes('\n'));
  } finally {
    await fake.close();
  }
  const notOpenAi = await startFake({ modelsStatus: 404 });
  try {
    assert.match((await rejection(checks(notOpenAi.url))).message, /OpenAI-compatible server\? \(Ollama natively: --sut ollama\)/);
  } finally {
    await notOpenAi.close();
  }
});

test('pre-checks learn what the server takes: no stream_options (usage from the stream), no ignore_eos (refused)', async () => {
  const strict = await startFake({
    script: (r, res) => {
      if (r.body.stream_options !== undefined || r.body.ignore_eos !== undefined) {
        res.writeHead(422, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ detail: `unknown field ${r.body.stream_options !== undefined ? 'stream_options' : 'ignore_eos'}` }));
        return;
      }
      okStream(res, { tokens: ['a'], chat: true, usage: false });
    },
  });
  try {
    const facts = await checks(strict.url);
    assert.equal(facts.streamUsage, false);
    assert.equal(facts.usageReported, false);
    assert.match(facts.notes.join('\n'), /refused stream_options/);
    assert.match(facts.notes.join('\n'), /reports no token usage/);
    const eos = await rejection(checks(strict.url, { ignoreEos: true }));
    assert.equal(eos.where.flag, '--ignore-eos');
    assert.match(eos.message, /the server refuses ignore_eos/);
  } finally {
    await strict.close();
  }
});

test('bench refuses to start, writing nothing, on an unreachable URL or a bad prompts line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-llm-cli-'));
  const runsDir = join(dir, 'runs');
  const run = async (argv: string[]): Promise<{ code: number; err: string }> => {
    let err = '';
    const code = await runCli(['bench', ...argv, '--runs-dir', runsDir, '--sensor', 'estimate'], { stdout: () => undefined, stderr: (s) => (err += s), env: {} });
    return { code, err };
  };
  const port = await freePort();
  const down = await run(['--sut', 'openai', '--url', `http://127.0.0.1:${port}`, '--model', 'm']);
  assert.equal(down.code, 1);
  assert.equal(down.err.trim().split('\n').length, 1, down.err);
  assert.match(down.err, /connection refused.*\[IO\]/);
  const prompts = join(dir, 'prompts.jsonl');
  writeFileSync(prompts, '{"prompt": "fine"}\n{"prompt": broken}\n');
  const bad = await run(['--sut', 'openai', '--url', `http://127.0.0.1:${port}`, '--model', 'm', '--prompts', prompts]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, new RegExp(`^inferprint bench: ${prompts.replace(/[.]/g, '\\.')}:2: not JSON`));
  const missing = await run(['--sut', 'openai', '--url', `http://127.0.0.1:${port}`, '--model', 'm', '--prompts', join(dir, 'nowhere.jsonl')]);
  assert.equal(missing.code, 1);
  assert.match(missing.err, /nowhere\.jsonl.*prompts file does not exist.*\[NOT_FOUND\]/);
  const chat = join(dir, 'chat.jsonl');
  writeFileSync(chat, '{"messages": [{"role": "user", "content": "hi"}]}\n');
  const plain = await run(['--sut', 'openai', '--url', `http://127.0.0.1:${port}`, '--model', 'm', '--prompts', chat, '--api', 'completions']);
  assert.equal(plain.code, 2);
  assert.match(plain.err, /holds chat messages: they need the chat API/);
  const usage = await run(['--sut', 'ollama', '--url', `http://127.0.0.1:${port}`, '--model', 'm', '--ignore-eos']);
  assert.equal(usage.code, 2);
  assert.match(usage.err, /Ollama has no ignore_eos option/);
  const bert = await run(['--sut', 'openai', '--url', `http://127.0.0.1:${port}`, '--model', 'm', '--queries', '16']);
  assert.equal(bert.code, 2);
  assert.deepEqual(readdirSync(dir).filter((n) => n === 'runs').flatMap(() => readdirSync(runsDir).filter((n) => !n.startsWith('.'))), []);
});

test('a usage chunk alone after the last token still counts the tokens (vLLM order)', async () => {
  const r = await once((_, res) => {
    sseHead(res);
    res.write(chunk('a', true));
    res.write(chunk('b', true, 'stop'));
    res.write(usageChunk(4, 2));
    res.end('data: [DONE]\n\n');
  });
  assert.deepEqual([r.outcome, r.finishReason, r.usage?.completionTokens, r.tokenTimesS.length], ['ok', 'stop', 2, 2]);
});
