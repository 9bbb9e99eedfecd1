/**
 * The synthetic decoder and the OpenAI-compatible server shipped with the project: the ONNX
 * graph against a direct float64 implementation of the same transformer (the independent
 * oracle), the key/value cache against recomputing the prefix, and the server's API — models,
 * streamed chat and completions with usage, `max_tokens`, `ignore_eos`, `stream: false`, errors.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeOnnxModel, encodeOnnxModel, OnnxDataType } from '../../src/benchmark/bert/onnx-writer.js';
import { parseServerUrl, streamRequest } from '../../src/llm/io/client.js';
import { requestBody, type Prompt } from '../../src/llm/core/protocol.js';
import { syntheticPrompts } from '../../src/llm/core/prompts.js';
import { argmaxToken, openDecoderSession, type DecoderSession } from '../../src/llm/io/decoder-session.js';
import { DECODER_PRESETS, decoderParameterCount, syntheticDecoderModel, type DecoderConfig } from '../../src/llm/model/synthetic-decoder.js';
import { chatPrompt, decodeTokens, encodePrompt, EOS_TOKEN, VOCAB_SIZE } from '../../src/llm/model/tokenizer.js';
import { serveLlm, type LlmServer } from '../../src/llm/io/server.js';

/** GPT-2's forward pass in float64 (pre-norm blocks, causal attention, exact GELU): the last position's logits. */
function referenceLogits(c: DecoderConfig, w: ReadonlyMap<string, Float32Array>, tokens: readonly number[]): Float64Array {
  const H = c.hidden;
  const A = c.heads;
  const D = H / A;
  const T = tokens.length;
  const get = (n: string): Float32Array => w.get(n)!;
  const ln = (x: Float64Array, g: Float32Array, b: Float32Array): Float64Array => {
    const out = new Float64Array(H);
    let m = 0;
    for (let i = 0; i < H; i++) m += x[i]!;
    m /= H;
    let v = 0;
    for (let i = 0; i < H; i++) v += (x[i]! - m) ** 2;
    v /= H;
    for (let i = 0; i < H; i++) out[i] = ((x[i]! - m) / Math.sqrt(v + c.layerNormEps)) * g[i]! + b[i]!;
    return out;
  };
  const dense = (x: Float64Array, name: string, out: number): Float64Array => {
    const W = get(`${name}.weight`);
    const B = get(`${name}.bias`);
    const inDim = x.length;
    const y = new Float64Array(out);
    for (let j = 0; j < out; j++) {
      let s = B[j]!;
      for (let i = 0; i < inDim; i++) s += x[i]! * W[i * out + j]!;
      y[j] = s;
    }
    return y;
  };
  const erf = (x: number): number => {
    // Abramowitz–Stegun 7.1.26 is not precise enough; a series/continued fraction is overkill: use a high-order rational form.
    const t = 1 / (1 + 0.5 * Math.abs(x));
    const y = 1 - t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
    return x >= 0 ? y : -y;
  };
  let xs = tokens.map((tok, p) => Float64Array.from({ length: H }, (_, i) => get('wte')[tok * H + i]! + get('wpe')[p * H + i]!));
  for (let l = 0; l < c.layers; l++) {
    const p = `h${l}`;
    const hs = xs.map((x) => ln(x, get(`${p}.ln_1.gamma`), get(`${p}.ln_1.beta`)));
    const q = hs.map((h) => dense(h, `${p}.attn.query`, H));
    const k = hs.map((h) => dense(h, `${p}.attn.key`, H));
    const v = hs.map((h) => dense(h, `${p}.attn.value`, H));
    xs = xs.map((x, t) => {
      const ctx = new Float64Array(H);
      for (let a = 0; a < A; a++) {
        const scores = Array.from({ length: t + 1 }, (_, s) => {
          let dot = 0;
          for (let d = 0; d < D; d++) dot += q[t]![a * D + d]! * k[s]![a * D + d]!;
          return dot / Math.sqrt(D);
        });
        const mx = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - mx));
        const z = e.reduce((u, b) => u + b, 0);
        for (let s = 0; s <= t; s++) for (let d = 0; d < D; d++) ctx[a * D + d]! += (e[s]! / z) * v[s]![a * D + d]!;
      }
      const attn = dense(ctx, `${p}.attn.output`, H);
      const x1 = x.map((xi, i) => xi + attn[i]!);
      const h2 = ln(x1, get(`${p}.ln_2.gamma`), get(`${p}.ln_2.beta`));
      const fc = dense(h2, `${p}.mlp.fc`, c.intermediate).map((u) => 0.5 * u * (1 + erf(u / Math.SQRT2)));
      const proj = dense(fc, `${p}.mlp.proj`, H);
      return x1.map((xi, i) => xi + proj[i]!);
    });
  }
  return dense(ln(xs[T - 1]!, get('ln_f.gamma'), get('ln_f.beta')), 'lm_head', VOCAB_SIZE);
}

describe('the synthetic decoder', () => {
  let s: DecoderSession;
  before(async () => {
    s = await openDecoderSession({ preset: 'decoder-tiny' });
  });
  after(async () => {
    await s.close();
  });

  test('the ONNX graph computes GPT-2\'s forward pass (against a float64 reference, every weight random)', async () => {
    const c = DECODER_PRESETS['decoder-tiny'];
    const bytes = await encodeOnnxModel(syntheticDecoderModel({ preset: 'decoder-tiny' }));
    const weights = new Map(decodeOnnxModel(bytes).graph.initializers.filter((t) => t.dataType === OnnxDataType.float32).map((t) => [t.name, new Float32Array(t.rawData.slice().buffer)]));
    assert.equal([...weights].filter(([n]) => !n.startsWith('const.')).reduce((n, [, t]) => n + t.length, 0), decoderParameterCount(c));
    const tokens = encodePrompt('Energy!');
    const ref = referenceLogits(c, weights, tokens);
    const got = (await s.prefill(tokens)).logits;
    let worst = 0;
    for (let t = 0; t < VOCAB_SIZE; t++) if (ref[t]! > -1000) worst = Math.max(worst, Math.abs(got[t]! - ref[t]!));
    // float32 against float64 over two layers of 128-wide dot products: 1e-4 on logits of order 0.3.
    assert.ok(worst < 1e-4, `max difference ${worst}`);
  });

  test('the key/value cache gives the logits of recomputing the whole prefix', async () => {
    const tokens = encodePrompt('the cache holds every earlier position');
    const whole = await s.prefill(tokens);
    let inc = await s.prefill(tokens.slice(0, 5));
    for (const t of tokens.slice(5)) inc = await s.step(inc, t);
    assert.equal(inc.length, tokens.length);
    let worst = 0;
    for (let t = 0; t < VOCAB_SIZE; t++) if (whole.logits[t]! > -1000) worst = Math.max(worst, Math.abs(whole.logits[t]! - inc.logits[t]!));
    assert.ok(worst < 1e-5, `max difference ${worst}`);
  });

  test('greedy choice: printable characters only, EOS skipped when ignored', async () => {
    const st = await s.prefill(encodePrompt('abc'));
    const t = argmaxToken(st.logits, true);
    assert.ok(t !== EOS_TOKEN && ((t >= 32 && t <= 126) || t === 10));
    const logits = new Float32Array(VOCAB_SIZE).fill(-1);
    logits[EOS_TOKEN] = 5;
    logits[65] = 1;
    assert.equal(argmaxToken(logits, false), EOS_TOKEN);
    assert.equal(argmaxToken(logits, true), 65);
    assert.equal(decodeTokens([72, 105, EOS_TOKEN]), 'Hi');
    assert.equal(chatPrompt([{ role: 'user', content: 'hi' }]), 'user: hi\nassistant: ');
  });
});

describe('serve-model --protocol openai', () => {
  let server: LlmServer;
  before(async () => {
    server = await serveLlm({ preset: 'decoder-tiny', port: 0 });
  });
  after(async () => {
    await server.close();
  });
  const post = async (path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const r = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: r.status, json: (await r.json()) as Record<string, unknown> };
  };
  const stream = (api: 'openai-chat' | 'openai-completions', prompt: Prompt, maxTokens: number, ignoreEos: boolean) =>
    streamRequest({ baseUrl: parseServerUrl(server.url, 'openai'), api, body: requestBody(api, prompt, { model: server.modelName, maxTokens, ignoreEos, streamUsage: true }), nowS: () => performance.now() / 1000 });

  test('lists its model', async () => {
    const r = await fetch(`${server.url}/v1/models`);
    const j = (await r.json()) as { data: { id: string }[] };
    assert.deepEqual(j.data.map((m) => m.id), ['synthetic-decoder-tiny']);
  });

  test('streams real tokens with usage; max_tokens honoured; prompt tokens = bytes + BOS', async () => {
    for (const api of ['openai-chat', 'openai-completions'] as const) {
      const r = await stream(api, { kind: 'text', text: 'count the joules' }, 12, true);
      assert.equal(r.outcome, 'ok');
      assert.equal(r.finishReason, 'length');
      assert.equal(r.tokenTimesS.length, 12);
      const promptBytes = api === 'openai-chat' ? chatPrompt([{ role: 'user', content: 'count the joules' }]).length : 'count the joules'.length;
      assert.deepEqual(r.usage, { promptTokens: promptBytes + 1, completionTokens: 12 });
    }
  });

  test('ignore_eos: a prompt the model ends early runs to max_tokens when EOS is ignored', async () => {
    let found = false;
    // Whether EOS wins depends on the prompt (the weights are random): try a few until one ends early.
    const candidates = syntheticPrompts(40, { kind: 'uniform', min: 3, max: 10 }, 7).prompts;
    for (const prompt of candidates) {
      if (found) break;
      const plain = await stream('openai-completions', prompt, 48, false);
      if (plain.finishReason !== 'stop') continue;
      found = true;
      assert.ok(plain.usage!.completionTokens! < 48);
      const forced = await stream('openai-completions', prompt, 48, true);
      assert.equal(forced.finishReason, 'length');
      assert.equal(forced.usage!.completionTokens, 48);
      // Greedy decoding is deterministic: the forced text starts with the early one.
      assert.equal(forced.tokenTimesS.length, 48);
    }
    assert.ok(found, 'no prompt among 40 ended before 48 tokens: the EOS bias of the synthetic model changed');
  });

  test('stream: false answers whole, with usage; concurrent streams all finish', async () => {
    const r = await post('/v1/chat/completions', { model: server.modelName, messages: [{ role: 'user', content: 'hello' }], max_completion_tokens: 5, ignore_eos: true });
    assert.equal(r.status, 200);
    const choice = (r.json.choices as { message: { content: string }; finish_reason: string }[])[0]!;
    assert.equal(choice.message.content.length, 5);
    assert.deepEqual(r.json.usage, { prompt_tokens: chatPrompt([{ role: 'user', content: 'hello' }]).length + 1, completion_tokens: 5, total_tokens: chatPrompt([{ role: 'user', content: 'hello' }]).length + 6 });
    const many = await Promise.all([0, 1, 2, 3, 4].map((i) => stream('openai-chat', { kind: 'text', text: `stream ${i}` }, 10, true)));
    assert.deepEqual(many.map((m) => [m.outcome, m.usage?.completionTokens]), many.map(() => ['ok', 10]));
  });

  test('errors in OpenAI\'s shape: unknown model 404, bad JSON and bad fields 400, context too long 400, wrong method 405, unknown path 404', async () => {
    const unknown = await post('/v1/completions', { model: 'gpt-4', prompt: 'x' });
    assert.equal(unknown.status, 404);
    assert.match((unknown.json.error as { message: string }).message, /The model `gpt-4` does not exist/);
    assert.equal((await post('/v1/completions', '{"model":')).status, 400);
    assert.equal((await post('/v1/completions', { model: server.modelName, prompt: 'x', max_tokens: 0 })).status, 400);
    assert.equal((await post('/v1/chat/completions', { model: server.modelName, messages: [] })).status, 400);
    assert.equal((await post('/v1/completions', { model: server.modelName, prompt: 'x', n: 2 })).status, 400);
    const long = await post('/v1/completions', { model: server.modelName, prompt: 'x', max_tokens: 5000 });
    assert.equal(long.status, 400);
    assert.match((long.json.error as { message: string }).message, /maximum context length is 2048 tokens/);
    assert.equal((await fetch(`${server.url}/v1/completions`)).status, 405);
    assert.equal((await fetch(`${server.url}/v2/health`)).status, 404);
  });
});

describe('who may call serve-model --protocol openai (request-guard.ts, as the KServe server)', () => {
  let server: LlmServer;
  const TOKEN = 'a-long-enough-test-token';
  before(async () => {
    server = await serveLlm({ preset: 'decoder-tiny', port: 0, token: TOKEN });
  });
  after(async () => {
    await server.close();
  });

  test('a token is required when set; bench sends it as the API key', async () => {
    assert.equal((await fetch(`${server.url}/v1/models`)).status, 401);
    assert.equal((await fetch(`${server.url}/v1/models`, { headers: { authorization: 'Bearer wrong-token-of-some-length' } })).status, 401);
    assert.equal((await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
    const r = await streamRequest({
      baseUrl: parseServerUrl(server.url, 'openai'),
      api: 'openai-chat',
      body: requestBody('openai-chat', { kind: 'text', text: 'hi' }, { model: server.modelName, maxTokens: 3, ignoreEos: true, streamUsage: true }),
      nowS: () => performance.now() / 1000,
      apiKey: TOKEN,
    });
    assert.deepEqual([r.outcome, r.usage?.completionTokens], ['ok', 3]);
  });

  test('a web page cannot drive it: a foreign Host (DNS rebinding) 421, an Origin 403, a form body 415', async () => {
    const open = await serveLlm({ preset: 'decoder-tiny', port: 0 });
    try {
      const { request } = await import('node:http');
      const status = (headers: Record<string, string>, method = 'GET', body?: string): Promise<number> =>
        new Promise((resolve, reject) => {
          const req = request(`${open.url}/v1/models`.replace('/v1/models', method === 'POST' ? '/v1/completions' : '/v1/models'), { method, headers }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.on('error', reject);
          req.end(body);
        });
      assert.equal(await status({ host: 'evil.example:8000' }), 421);
      assert.equal(await status({ origin: 'http://evil.example' }), 403);
      assert.equal(await status({ 'content-type': 'text/plain' }, 'POST', JSON.stringify({ model: open.modelName, prompt: 'x' })), 415);
      assert.equal(await status({}), 200);
    } finally {
      await open.close();
    }
    await assert.rejects(serveLlm({ preset: 'decoder-tiny', port: 0, host: '0.0.0.0' }), /refusing to serve on non-loopback address 0\.0\.0\.0 without a token/);
  });
});
