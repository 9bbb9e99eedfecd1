/** The stream parsers and the wire formats of the LLM APIs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NdjsonLineParser, SseParser, type SseEvent } from '../../src/llm/core/sse.js';
import { listedModels, modelListed, parseOllamaLine, parseOpenAiEvent, requestBody } from '../../src/llm/core/protocol.js';

const STREAM =
  ': keep-alive\n\n' +
  'data: {"a":1}\n\n' +
  'event: ping\r\ndata: line one\r\ndata: line two\r\n\r\n' +
  'data:no-space\r\r' +
  'id: 7\nretry: 100\n\n' +
  'data: [DONE]\n\n';

const EXPECTED: SseEvent[] = [
  { event: 'message', data: '{"a":1}' },
  { event: 'ping', data: 'line one\nline two' },
  { event: 'message', data: 'no-space' },
  { event: 'message', data: '[DONE]' },
];

test('SSE: events, comments, multi-line data, CRLF, CR and LF line ends; fields without data dispatch nothing', () => {
  const p = new SseParser();
  assert.deepEqual(p.push(STREAM), EXPECTED);
  assert.equal(p.pending, false);
});

test('SSE: the same events however the text is cut into pieces (CRLF split across pieces included)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: STREAM.length }), { maxLength: 12 }), (cuts) => {
      const at = [...new Set(cuts)].sort((a, b) => a - b);
      const p = new SseParser();
      const got: SseEvent[] = [];
      let prev = 0;
      for (const c of [...at, STREAM.length]) {
        got.push(...p.push(STREAM.slice(prev, c)));
        prev = c;
      }
      assert.deepEqual(got, EXPECTED);
      assert.equal(p.pending, false);
    }),
  );
});

test('SSE: a stream cut inside an event is pending (a half line, or lines without their blank line)', () => {
  const half = new SseParser();
  assert.deepEqual(half.push('data: {"a":1}\n\ndata: {"cho'), [{ event: 'message', data: '{"a":1}' }]);
  assert.equal(half.pending, true);
  const noBlank = new SseParser();
  noBlank.push('data: {"a":1}\n');
  assert.equal(noBlank.pending, true);
});

test('NDJSON: lines cut anywhere, blank lines skipped, a last line without newline is pending', () => {
  const p = new NdjsonLineParser();
  assert.deepEqual(p.push('{"a":1}\n\n{"b"'), ['{"a":1}']);
  assert.deepEqual(p.push(':2}\r\n{"c":3}'), ['{"b":2}']);
  assert.equal(p.pending, true);
  assert.equal(p.takeRest(), '{"c":3}');
  assert.equal(p.pending, false);
});

test('OpenAI events: chat deltas (role-only chunk has no text), completions text, finish, usage-only chunk, [DONE], errors, garbage', () => {
  assert.deepEqual(parseOpenAiEvent('{"choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}'), { ok: true, chunk: { text: '', done: false } });
  assert.deepEqual(parseOpenAiEvent('{"choices":[{"delta":{"content":"Hi"}}]}'), { ok: true, chunk: { text: 'Hi', done: false } });
  assert.deepEqual(parseOpenAiEvent('{"choices":[{"delta":{"reasoning_content":"hm"}}]}'), { ok: true, chunk: { text: 'hm', done: false } });
  assert.deepEqual(parseOpenAiEvent('{"choices":[{"text":"x","finish_reason":"length"}]}'), { ok: true, chunk: { text: 'x', done: false, finishReason: 'length' } });
  assert.deepEqual(parseOpenAiEvent('{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":7,"total_tokens":12}}'), {
    ok: true,
    chunk: { text: '', done: false, usage: { promptTokens: 5, completionTokens: 7 } },
  });
  assert.deepEqual(parseOpenAiEvent(' [DONE]'), { ok: true, chunk: { text: '', done: true } });
  assert.deepEqual(parseOpenAiEvent('{"error":{"message":"overloaded","type":"server_error"}}'), { ok: true, chunk: { text: '', done: false, error: 'overloaded' } });
  const bad = parseOpenAiEvent('{"choices":[');
  assert.ok(!bad.ok);
  assert.match(bad.problem, /^not JSON/);
});

test('Ollama lines: generate and chat text, the done line with its counts, errors', () => {
  assert.deepEqual(parseOllamaLine('{"model":"m","response":"He","done":false}', 'ollama-generate'), { ok: true, chunk: { text: 'He', done: false } });
  assert.deepEqual(parseOllamaLine('{"message":{"role":"assistant","content":"llo"},"done":false}', 'ollama-chat'), { ok: true, chunk: { text: 'llo', done: false } });
  assert.deepEqual(parseOllamaLine('{"response":"","done":true,"done_reason":"length","prompt_eval_count":11,"eval_count":32}', 'ollama-generate'), {
    ok: true,
    chunk: { text: '', done: true, finishReason: 'length', usage: { promptTokens: 11, completionTokens: 32 } },
  });
  assert.deepEqual(parseOllamaLine('{"error":"model not found"}', 'ollama-chat'), { ok: true, chunk: { text: '', done: false, error: 'model not found' } });
});

test('request bodies: streamed, greedy, max tokens, ignore_eos and usage only when asked', () => {
  const s = { model: 'm', maxTokens: 64, ignoreEos: true, streamUsage: true };
  assert.deepEqual(requestBody('openai-chat', { kind: 'text', text: 'hi' }, s), {
    model: 'm',
    messages: [{ role: 'user', content: 'hi' }],
    stream: true,
    temperature: 0,
    max_tokens: 64,
    ignore_eos: true,
    stream_options: { include_usage: true },
  });
  assert.deepEqual(requestBody('openai-completions', { kind: 'text', text: 'hi' }, { model: 'm', ignoreEos: false, streamUsage: false }), { model: 'm', prompt: 'hi', stream: true, temperature: 0 });
  assert.deepEqual(requestBody('ollama-chat', { kind: 'chat', messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }] }, { model: 'm', maxTokens: 8, ignoreEos: false, streamUsage: false }), {
    model: 'm',
    messages: [{ role: 'system', content: 's' }, { role: 'user', content: 'u' }],
    stream: true,
    options: { temperature: 0, num_predict: 8 },
  });
});

test('model lists: OpenAI ids, Ollama names with :latest implied', () => {
  assert.deepEqual(listedModels('openai', { object: 'list', data: [{ id: 'a' }, { id: 'b' }] }), ['a', 'b']);
  assert.equal(listedModels('openai', { models: [] }), undefined);
  const ollama = listedModels('ollama', { models: [{ name: 'llama3.2:latest', model: 'llama3.2:latest' }] })!;
  assert.ok(modelListed('ollama', 'llama3.2', ollama));
  assert.ok(!modelListed('openai', 'llama3.2', ollama));
});
