/**
 * `serve-model` against requests a web page, a rebinding attacker or a careless client can send:
 * who may call it (Host, Origin, content type, token) and what it refuses before any work
 * (body size, JSON depth, batch, sequence length, id ranges). Over real HTTP on loopback; each
 * refusal is asserted by its status and by the session counter not moving, never by a time.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferprintError } from '../../src/errors.js';
import { ensureSyntheticModel } from '../../src/benchmark/bert/io/model-cache.js';
import { syntheticBertSample } from '../../src/benchmark/qsl/synthetic-bert.js';
import { openKserveSut } from '../../src/benchmark/sut/io/kserve-client.js';
import { encodeInferRequest, jsonDepth, MAX_JSON_DEPTH, parseJsonBody, tensor } from '../../src/benchmark/sut/kserve-protocol.js';
import { defaultMaxBodyBytes, serveModel, type ModelServer } from '../../src/serve-model/kserve-server.js';
import { allowedHostNames, bindNeedsToken, checkAccess, checkBodyType } from '../../src/serve-model/request-guard.js';
import type { CliContext } from '../../src/cli/command.js';
import { runCli } from '../../src/cli/main.js';
import { createServeModelCommand } from '../../src/cli/commands/serve-model.js';
import { upload } from '../helpers/http-upload.js';
import { gpuTraceName } from '../helpers/replay-trace.js';

const TOKEN = 'a-test-token-0123456789';

interface Reply {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One request with exactly these headers (Node adds Host unless given). */
function request(url: string, method: string, body?: Uint8Array | string, headers: http.OutgoingHttpHeaders = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: { ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Raw bytes on a socket: for what Node's client will not send (two Host headers, a huge declared length). */
function rawHttp(port: number, head: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(head);
    });
    let got = '';
    socket.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      // The status line and headers are all these tests need; the server closes after a refusal anyway.
      if (/\r\n\r\n/.test(got) && /content-length: (\d+)/i.test(got)) {
        const len = Number(/content-length: (\d+)/i.exec(got)![1]);
        if (got.length - got.indexOf('\r\n\r\n') - 4 >= len) socket.end();
      }
    });
    socket.on('end', () => {
      resolve(got);
    });
    socket.on('close', () => {
      resolve(got);
    });
    socket.on('error', reject);
  });
}

const statusOf = (raw: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0);
const errorOf = (r: Reply): string => (JSON.parse(r.body) as { error: string }).error;

/** A JSON request of the three BERT inputs, `[n, seq]`, with the given values. */
function jsonRequest(n: number, seq: number, values: { ids?: number; mask?: number; segment?: number; at?: number } = {}): string {
  const fill = (v: number, dflt: number) => Array.from({ length: n * seq }, (_, i) => (i === (values.at ?? 0) ? v : dflt));
  return JSON.stringify({
    inputs: [
      { name: 'input_ids', datatype: 'INT64', shape: [n, seq], data: fill(values.ids ?? 101, 101) },
      { name: 'input_mask', datatype: 'INT64', shape: [n, seq], data: fill(values.mask ?? 1, 1) },
      { name: 'segment_ids', datatype: 'INT64', shape: [n, seq], data: fill(values.segment ?? 0, 0) },
    ],
  });
}

const JSON_TYPE = { 'content-type': 'application/json' };

describe('the request guard, pure', () => {
  const req = (headers: Record<string, string | string[]>) => {
    const rawHeaders: string[] = [];
    for (const [k, v] of Object.entries(headers)) for (const x of Array.isArray(v) ? v : [v]) rawHeaders.push(k, x);
    const first: http.IncomingHttpHeaders = {};
    for (const [k, v] of Object.entries(headers)) first[k] = Array.isArray(v) ? v[0] : v;
    return { headers: first, rawHeaders };
  };

  test('exact loopback names and the bind address; no *.localhost, no rebinding name', () => {
    assert.deepEqual([...allowedHostNames('127.0.0.1')].sort(), ['127.0.0.1', '[::1]', 'localhost']);
    assert.deepEqual([...allowedHostNames('0.0.0.0')].sort(), ['127.0.0.1', '[::1]', 'localhost']);
    assert.ok(allowedHostNames('10.1.2.3').has('10.1.2.3'));
    assert.ok(allowedHostNames('::1').has('[::1]'));
    const cfg = { bindHost: '127.0.0.1' };
    for (const host of ['127.0.0.1:8000', 'localhost:8000', 'LOCALHOST:9000', '[::1]:8000', 'localhost']) assert.equal(checkAccess(req({ host }), cfg), undefined, host);
    for (const host of ['evil.localhost:8000', 'attacker.example:8000', '127.0.0.2:8000', '10.1.2.3:8000']) assert.equal(checkAccess(req({ host }), cfg)?.status, 421, host);
    assert.equal(checkAccess(req({ host: ['127.0.0.1:8000', 'evil.example'] }), cfg)?.status, 400, 'two Host headers');
    assert.equal(checkAccess(req({}), cfg)?.status, 400, 'no Host header');
    assert.equal(checkAccess(req({ host: 'a b' }), cfg)?.status, 400);
    assert.equal(checkAccess(req({ host: '127.0.0.1:8000', origin: 'http://attacker.example' }), cfg)?.status, 403);
    assert.equal(checkAccess(req({ host: '127.0.0.1:8000', origin: 'null' }), cfg)?.status, 403);
    assert.equal(checkAccess(req({ host: '127.0.0.1:8000', origin: 'http://127.0.0.1:8000' }), cfg), undefined);
  });

  test('with a token: any well-formed Host, the token required', () => {
    const cfg = { bindHost: '0.0.0.0', token: TOKEN };
    assert.equal(checkAccess(req({ host: 'gpu-box:8000', authorization: `Bearer ${TOKEN}` }), cfg), undefined);
    assert.equal(checkAccess(req({ host: 'gpu-box:8000' }), cfg)?.status, 401);
    assert.equal(checkAccess(req({ host: 'gpu-box:8000', authorization: 'Bearer nope' }), cfg)?.status, 401);
    assert.equal(checkAccess(req({ host: 'gpu-box:8000', authorization: `Basic ${TOKEN}` }), cfg)?.status, 401);
  });

  test('which binds need a token; which bodies are accepted', () => {
    for (const h of ['127.0.0.1', '::1', 'localhost', '127.0.0.5']) assert.equal(bindNeedsToken(h), false, h);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'gpu-box', 'a.localhost']) assert.equal(bindNeedsToken(h), true, h);
    for (const t of ['application/json', 'application/json; charset=utf-8', 'Application/Octet-Stream']) assert.equal(checkBodyType({ 'content-type': t }), undefined, t);
    for (const t of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx']) assert.equal(checkBodyType({ 'content-type': t })?.status, 415, t);
    assert.equal(checkBodyType({})?.status, 415, 'no type: what fetch sends for a bare byte array');
  });

  test('JSON depth is measured without parsing; strings do not count', () => {
    assert.equal(jsonDepth('{"a": [[1, 2], [3]]}'), 3);
    assert.equal(jsonDepth('"[[[[[["'), 0);
    assert.equal(jsonDepth('["\\"[[[", [1]]'), 2);
    assert.ok(jsonDepth('['.repeat(100_000)) > MAX_JSON_DEPTH);
    assert.throws(
      () => parseJsonBody(new TextEncoder().encode('['.repeat(100_000))),
      (e: unknown) => e instanceof InferprintError && e.code === 'PARSE' && /nested far deeper than 32 levels/.test(e.message),
    );
  });
});

describe('serve-model over HTTP on loopback: who may call it, what it refuses before any work', () => {
  let cacheDir: string;
  let modelPath: string;
  let server: ModelServer;
  let infer: string;
  const activity = new Int32Array(new SharedArrayBuffer(4));
  /** Session runs so far (the worker bumps the counter twice per run). */
  const runs = (): number => Atomics.load(activity, 0) >> 1;

  before(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'inferprint-kserve-hard-'));
    modelPath = (await ensureSyntheticModel({ preset: 'bert-tiny' }, { cacheDir })).path;
    server = await serveModel({ modelPath, port: 0, maxBatchSize: 64, maxRequestBatch: 64, warmupRuns: 0, runActivity: activity });
    infer = `${server.url}/v2/models/bert/infer`;
  });
  after(async () => {
    await server.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  test('the limits come from the model file: vocabulary, segment types, positions; the body cap from them', () => {
    assert.deepEqual(server.limits, { vocabSize: 30522, typeVocabSize: 2, maxPositions: 512 });
    assert.equal(server.maxRequestBatch, 64);
    assert.equal(server.maxBodyBytes, defaultMaxBodyBytes(64, 512));
    assert.equal(server.maxBodyBytes, 1024 * 1024 + 32 * 3 * 64 * 512);
    assert.deepEqual(server.notes, []);
  });

  test('cross-origin "simple" requests and rebinding names are refused; JSON and binary bodies pass', async () => {
    const before = { runs: runs(), failed: server.stats().failed };
    const body = jsonRequest(1, 8);
    const refused: [string, Reply, number][] = [
      ['text/plain (a page\'s fetch without preflight)', await request(infer, 'POST', body, { 'content-type': 'text/plain' }), 415],
      ['a form post', await request(infer, 'POST', 'inputs=1', { 'content-type': 'application/x-www-form-urlencoded' }), 415],
      ['a multipart form', await request(infer, 'POST', body, { 'content-type': 'multipart/form-data; boundary=x' }), 415],
      ['no content type (fetch of a byte array)', await request(infer, 'POST', body), 415],
      ['a rebinding name', await request(infer, 'POST', body, { ...JSON_TYPE, host: `attacker.example:${server.port}` }), 421],
      ['a *.localhost name', await request(infer, 'POST', body, { ...JSON_TYPE, host: `evil.localhost:${server.port}` }), 421],
      ['a health check by a rebinding name', await request(`${server.url}/v2/health/ready`, 'GET', undefined, { host: 'attacker.example' }), 421],
      ['a page\'s origin', await request(infer, 'POST', body, { ...JSON_TYPE, origin: 'http://attacker.example' }), 403],
    ];
    for (const [what, r, status] of refused) {
      assert.equal(r.status, status, `${what}: ${r.body}`);
      assert.equal(r.headers['content-type'], 'application/json', what);
      assert.ok(errorOf(r).length > 0, what);
    }
    const twoHosts = await rawHttp(server.port, `GET /v2/health/ready HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nHost: attacker.example\r\n\r\n`);
    assert.equal(statusOf(twoHosts), 400, twoHosts);
    assert.equal(runs(), before.runs, 'no inference ran for any of them');

    // What clients send: JSON, binary (the KServe binary extension), a charset, another loopback name, a tunnel's port.
    assert.equal((await request(infer, 'POST', body, { 'content-type': 'application/json; charset=utf-8' })).status, 200);
    assert.equal((await request(infer, 'POST', body, { ...JSON_TYPE, host: `localhost:${server.port + 1}` })).status, 200);
    const bin = encodeInferRequest({ inputs: ['input_ids', 'input_mask', 'segment_ids'].map((n) => tensor(n, 'INT64', [1, 8], new BigInt64Array(8).fill(1n))) }, { binaryInputs: true });
    assert.equal(bin.contentType, 'application/octet-stream');
    assert.equal((await request(infer, 'POST', Buffer.from(bin.body), { 'content-type': bin.contentType, 'inference-header-content-length': bin.jsonLength })).status, 200);
    assert.equal(runs(), before.runs + 3);
  });

  test('bad requests get their 4xx before any inference: size, depth, batch, sequence, ids', async () => {
    const before = { runs: runs(), infer: server.stats().inferRequests };
    const cases: [string, Reply, number, RegExp][] = [
      ['100 000 nested [', await request(infer, 'POST', '['.repeat(100_000), JSON_TYPE), 400, /deeper than 32 levels/],
      ['a batch over max_batch_size', await request(infer, 'POST', jsonRequest(65, 4), JSON_TYPE), 400, /batch 65 is over this server's max_batch_size 64/],
      ['a sequence over the positions', await request(infer, 'POST', jsonRequest(1, 513), JSON_TYPE), 400, /sequence length 513, the model has 512 positions/],
      ['a negative token id', await request(infer, 'POST', jsonRequest(1, 8, { ids: -1, at: 3 }), JSON_TYPE), 400, /input_ids\[3\].*token ids must be in 0\.\.30521.*got -1/],
      ['a token id past the vocabulary', await request(infer, 'POST', jsonRequest(1, 8, { ids: 30522 }), JSON_TYPE), 400, /vocabulary has 30522.*got 30522/],
      ['a segment id past the table', await request(infer, 'POST', jsonRequest(1, 8, { segment: 2 }), JSON_TYPE), 400, /segment ids must be in 0\.\.1/],
      ['a mask of 2', await request(infer, 'POST', jsonRequest(1, 8, { mask: 2 }), JSON_TYPE), 400, /mask values must be in 0\.\.1/],
    ];
    for (const [what, r, status, message] of cases) {
      assert.equal(r.status, status, `${what}: ${r.body}`);
      assert.match(errorOf(r), message, what);
      assert.ok(!r.body.includes(cacheDir) && !r.body.includes(modelPath), `${what}: no file path in ${r.body}`);
    }
    // The issue's 61 MB request ([20000, 512]): refused on its declared length, before its body is read.
    const huge = await rawHttp(server.port, `POST /v2/models/bert/infer HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\nContent-Type: application/json\r\nContent-Length: 61000000\r\n\r\n`);
    assert.equal(statusOf(huge), 413, huge);
    assert.match(huge, new RegExp(`over the limit of ${server.maxBodyBytes} bytes`));
    assert.equal(runs(), before.runs, 'no session run for any of them');
    assert.equal(server.stats().inferRequests, before.infer);
    // The largest batch allowed, at the model's longest sequence, in JSON, fits under the cap.
    const largest = jsonRequest(64, 512);
    assert.ok(Buffer.byteLength(largest) < server.maxBodyBytes, `${Buffer.byteLength(largest)} bytes`);
  });

  test('a client still uploading a refused body gets the answer, not a reset (413 declared and chunked, 415, 421, 404)', async () => {
    // 8 MiB: over the 4 MiB cap, past the loopback socket buffers, under the 16 MiB drained after a refusal.
    const big = 8 * 1024 * 1024;
    assert.ok(big > server.maxBodyBytes);
    const before = runs();
    const cases: [string, Awaited<ReturnType<typeof upload>>, number][] = [
      ['declared over the cap', await upload(infer, JSON_TYPE, big, 'declared'), 413],
      ['chunked past the cap', await upload(infer, JSON_TYPE, big, 'chunked'), 413],
      ['text/plain', await upload(infer, { 'content-type': 'text/plain' }, big, 'declared'), 415],
      ['a rebinding name', await upload(infer, { ...JSON_TYPE, host: `attacker.example:${server.port}` }, big, 'chunked'), 421],
      ['a route that takes no body', await upload(`${server.url}/v2/models/bert/nothing`, JSON_TYPE, big, 'declared'), 404],
    ];
    for (const [what, seen, status] of cases) {
      assert.equal(seen.error, undefined, `${what}: the client saw a socket error instead of (or after) the ${status}`);
      assert.equal(seen.status, status, `${what}: ${seen.body ?? '(no reply)'}`);
      assert.ok((JSON.parse(seen.body ?? '') as { error: string }).error.length > 0, what);
    }
    assert.equal(runs(), before, 'no session run for any of them');
  });

  test('health checks answer while an inference runs on the worker thread', async () => {
    const samples = Array.from({ length: 64 }, (_, i) => syntheticBertSample(i));
    const client = await openKserveSut({ url: server.url, model: 'bert', warmupRuns: 0 });
    try {
      let done = false;
      const running = client.issue(samples).finally(() => {
        done = true;
      });
      let duringRun = 0;
      let answered = 0;
      while (!done) {
        const r = await request(`${server.url}/v2/health/live`, 'GET');
        assert.equal(r.status, 200);
        answered++;
        // Odd: a session run was in flight when this answer came back.
        if ((Atomics.load(activity, 0) & 1) === 1) duringRun++;
      }
      assert.equal((await running).length, 64);
      assert.ok(duringRun >= 1, `${answered} health answers, none while the model ran`);
    } finally {
      await client.close();
    }
  });

  test('an inference failure is a 500 without the cause (which may name files): that goes to the log', async () => {
    const logged: string[] = [];
    const broken = await serveModel({ modelPath, port: 0, warmupRuns: 0, modelName: 'broken', onServerError: (m) => logged.push(m) });
    try {
      await broken.ort.close();
      const r = await request(`${broken.url}/v2/models/broken/infer`, 'POST', jsonRequest(1, 8), JSON_TYPE);
      assert.equal(r.status, 500);
      assert.equal(errorOf(r), 'inference failed (the cause is in the server log)');
      assert.equal(logged.length, 1);
      assert.match(logged[0]!, /^inference failed: /);
    } finally {
      await broken.close();
    }
  });
});

describe('serve-model with a token', () => {
  let cacheDir: string;
  let modelPath: string;
  before(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'inferprint-kserve-token-'));
    modelPath = (await ensureSyntheticModel({ preset: 'bert-tiny' }, { cacheDir })).path;
  });
  after(() => {
    rmSync(cacheDir, { recursive: true, force: true });
  });

  test('off loopback without a token: refused before loading, naming --host', async () => {
    await assert.rejects(serveModel({ modelPath, host: '0.0.0.0', port: 0 }), (e: unknown) => e instanceof InferprintError && e.code === 'USAGE' && /--host/.test(e.message) && /token/.test(e.message));
    const cmd = createServeModelCommand(new EventEmitter());
    const ctx: CliContext = { argv: ['--host', '0.0.0.0', '--model', 'synthetic:bert-tiny', '--cache-dir', cacheDir], env: {}, cwd: cacheDir, stdout: () => undefined, stderr: () => undefined, isTTY: false, stderrIsTTY: false, color: false };
    await assert.rejects(cmd.run(ctx), (e: unknown) => e instanceof InferprintError && e.code === 'USAGE' && /--host/.test(e.message));
  });

  test('every request carries the token; the HTTP client sends it', async () => {
    const server = await serveModel({ modelPath, port: 0, warmupRuns: 0, token: TOKEN });
    try {
      const health = `${server.url}/v2/health/ready`;
      assert.equal((await request(health, 'GET')).status, 401);
      assert.equal((await request(health, 'GET', undefined, { authorization: 'Bearer wrong' })).status, 401);
      assert.equal((await request(health, 'GET', undefined, { authorization: `Bearer ${TOKEN}` })).status, 200);
      // With a token, the machine's other names are answered (clients reach it by them off loopback).
      assert.equal((await request(health, 'GET', undefined, { authorization: `Bearer ${TOKEN}`, host: `gpu-box:${server.port}` })).status, 200);
      await assert.rejects(openKserveSut({ url: server.url, model: 'bert', warmupRuns: 0 }), (e: unknown) => e instanceof InferprintError && e.code === 'IO' && /HTTP 401/.test(e.message) && !e.message.includes(TOKEN));
      const client = await openKserveSut({ url: server.url, model: 'bert', warmupRuns: 0, token: TOKEN });
      try {
        assert.equal((await client.issue([syntheticBertSample(1)])).length, 1);
      } finally {
        await client.close();
      }

      // `bench --sut http --token`: passed to the client, never written to the campaign file or the bundle.
      const trace = join(cacheDir, gpuTraceName());
      writeFileSync(trace, `timestamp,gpu_power\n${Array.from({ length: 500 }, (_, i) => `${(i * 0.002).toFixed(3)},100`).join('\n')}\n`);
      const runsDir = join(cacheDir, 'runs');
      const run = async (extra: string[]) => {
        let err = '';
        const code = await runCli(['bench', '--sut', 'http', '--url', server.url, '--model-name', 'bert', '--queries', '1', '--runs', '1', '--sensor', `replay:${trace}`, '--runs-dir', runsDir, '--format', 'json', ...extra], { stdout: () => undefined, stderr: (t) => (err += t), env: {}, cwd: cacheDir });
        return { code, err };
      };
      const without = await run([]);
      assert.equal(without.code, 1, without.err);
      assert.match(without.err, /HTTP 401/);
      const withToken = await run(['--token', TOKEN]);
      assert.equal(withToken.code, 0, withToken.err);
      const written = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
      const files = written(runsDir);
      assert.ok(files.some((f) => f.includes('campaigns')), files.join(', '));
      for (const f of files) assert.ok(!readFileSync(f).includes(TOKEN), `${f} holds the token`);
    } finally {
      await server.close();
    }
  });
});
