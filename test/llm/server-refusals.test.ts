/**
 * `serve-model --protocol openai` refusing a request before it reads the body (413 on size, 401
 * on the token, 415 on the type): the client still uploading must receive the status and the
 * JSON error, never a reset connection (ECONNRESET, EPIPE). Real sockets on 127.0.0.1; each
 * request is followed to the close of its socket, and what the client saw is asserted, never a
 * time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serveLlm, type LlmServer } from '../../src/llm/io/server.js';
import { upload, type Seen } from '../helpers/http-upload.js';

/** Far past any limit below, past the loopback socket buffers (so the client is still writing when refused), and under the server's drain bound (16 MiB). */
const BIG = 8 * 1024 * 1024;

/** The reply's OpenAI-shaped error, asserting the client saw a whole reply and no socket error. */
function errorOf(seen: Seen, status: number, what: string): { message: string; type: string } {
  assert.equal(seen.error, undefined, `${what}: the client saw a socket error instead of (or after) the ${status}`);
  assert.equal(seen.status, status, `${what}: ${seen.body ?? '(no reply)'}`);
  assert.equal(seen.headers?.['content-type'], 'application/json', what);
  const parsed = JSON.parse(seen.body ?? '') as { error: { message: string; type: string } };
  return parsed.error;
}

describe('serve-model --protocol openai: refusals before the body is read reach the client', () => {
  const TOKEN = 'a-long-enough-test-token';
  const LIMIT = 4096;
  let open: LlmServer;
  let guarded: LlmServer;
  before(async () => {
    open = await serveLlm({ preset: 'decoder-tiny', port: 0, maxBodyBytes: LIMIT });
    guarded = await serveLlm({ preset: 'decoder-tiny', port: 0, token: TOKEN });
  });
  after(async () => {
    await open.close();
    await guarded.close();
  });
  const JSON_TYPE = { 'content-type': 'application/json' };

  test('a body over the limit with a correct Content-Length: 413 and its JSON error', async () => {
    const seen = await upload(`${open.url}/v1/completions`, JSON_TYPE, BIG, 'declared');
    assert.match(errorOf(seen, 413, 'declared').message, new RegExp(`over the limit of ${LIMIT} bytes`));
  });

  test('a chunked body that grows past the limit: 413 and its JSON error', async () => {
    const seen = await upload(`${open.url}/v1/chat/completions`, JSON_TYPE, BIG, 'chunked');
    assert.match(errorOf(seen, 413, 'chunked').message, new RegExp(`over the limit of ${LIMIT} bytes`));
  });

  test('a wrong token while a large body uploads: 401 and its JSON error', async () => {
    const seen = await upload(`${guarded.url}/v1/completions`, { ...JSON_TYPE, authorization: 'Bearer wrong-token-of-some-length' }, BIG, 'declared');
    const e = errorOf(seen, 401, 'wrong token');
    assert.equal(e.type, 'authentication_error');
    assert.match(e.message, /the token does not match/);
    assert.equal(seen.headers?.['www-authenticate'], 'Bearer error="invalid_token"');
    const none = await upload(`${guarded.url}/v1/completions`, JSON_TYPE, BIG, 'chunked');
    assert.match(errorOf(none, 401, 'no token').message, /requires a token/);
  });

  test('a wrong content type with a body: 415 and its JSON error', async () => {
    const seen = await upload(`${open.url}/v1/completions`, { 'content-type': 'text/plain' }, BIG, 'declared');
    assert.match(errorOf(seen, 415, 'text/plain').message, /Content-Type "text\/plain" is not accepted/);
  });

  test('after the refusals the server still answers, and counted each one as failed', async () => {
    const before = open.stats().failed;
    const r = await fetch(`${open.url}/v1/completions`, { method: 'POST', headers: JSON_TYPE, body: JSON.stringify({ model: open.modelName, prompt: 'hi', max_tokens: 2, ignore_eos: true }) });
    assert.equal(r.status, 200);
    assert.equal(((await r.json()) as { usage: { completion_tokens: number } }).usage.completion_tokens, 2);
    assert.equal(open.stats().failed, before);
    assert.ok(before >= 3, `${before} refusals counted`);
  });
});
