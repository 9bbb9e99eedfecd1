import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferprintError } from '../../src/errors.js';
import { ensureSyntheticModel } from '../../src/benchmark/bert/io/model-cache.js';
import { encodeOnnxModel } from '../../src/benchmark/bert/onnx-writer.js';
import { STACKED_INT32_MODEL } from '../helpers/onnx-models.js';
import { runPerformance } from '../../src/benchmark/loadgen/engine.js';
import { BERT_SAMPLE_COUNT, effectiveSettings, studySettings } from '../../src/benchmark/loadgen/settings.js';
import { ortLoadgenSut } from '../../src/benchmark/sut/bert-loadgen-sut.js';
import { syntheticBertQsl, syntheticBertSample } from '../../src/benchmark/qsl/synthetic-bert.js';
import { logitsFromResponse } from '../../src/benchmark/squad/postprocess.js';
import { bertIoOf, interleavedLogitsBytes, kserveLoadgenSut, openKserveSut } from '../../src/benchmark/sut/io/kserve-client.js';
import {
  decodeInferRequest,
  decodeInferResponse,
  encodeInferRequest,
  encodeInferResponse,
  errorMessageOf,
  parseJsonLengthHeader,
  parseModelMetadata,
  tensor,
  wantsBinaryOutput,
  type KserveTensor,
} from '../../src/benchmark/sut/kserve-protocol.js';
import { routeOf, serveModel, type ModelServer } from '../../src/serve-model/kserve-server.js';
import { openOrtSut, toInt64, type BertLogits, type BertSample } from '../../src/benchmark/sut/io/onnxruntime.js';
import type { CliContext } from '../../src/cli/command.js';
import { createServeModelCommand } from '../../src/cli/commands/serve-model.js';

const SEQ = 384;
const isCode = (code: string, ...texts: string[]) => (e: unknown): boolean => {
  assert.ok(e instanceof InferprintError, `expected an InferprintError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  for (const t of texts) assert.ok(e.message.includes(t), `message lacks ${JSON.stringify(t)}: ${e.message}`);
  assert.ok(!e.message.includes('\n'), 'one line');
  return true;
};
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

// ---- the protocol, pure ----

describe('KServe v2 protocol: encoding and decoding', () => {
  const inputs: KserveTensor[] = [
    tensor('input_ids', 'INT64', [2, 3], BigInt64Array.of(101n, 7592n, 102n, 101n, 2088n, 102n)),
    tensor('mask', 'INT32', [2, 3], Int32Array.of(1, 1, 1, 1, 1, 0)),
    tensor('scale', 'FP32', [3], Float32Array.of(0.1, -2.5, 1e-7)),
    tensor('flags', 'BOOL', [2], Uint8Array.of(1, 0)),
    tensor('wide', 'FP64', [1], Float64Array.of(Math.PI)),
    tensor('small', 'INT8', [2], Int8Array.of(-128, 127)),
  ];

  for (const binaryInputs of [false, true]) {
    test(`a request round-trips with ${binaryInputs ? 'binary' : 'JSON'} tensors, bit for bit`, () => {
      const enc = encodeInferRequest({ id: 'q1', inputs, outputs: [{ name: 'a', binary: true }, { name: 'b' }], binaryOutput: false }, { binaryInputs });
      if (binaryInputs) {
        assert.equal(enc.contentType, 'application/octet-stream');
        // JSON, then 48 + 24 + 12 + 2 + 8 + 2 bytes of tensor data in input order.
        assert.equal(enc.body.length, enc.jsonLength! + 96);
        const head = JSON.parse(text(enc.body.subarray(0, enc.jsonLength))) as { inputs: { parameters: { binary_data_size: number }; data?: unknown }[] };
        assert.deepEqual(head.inputs.map((i) => i.parameters.binary_data_size), [48, 24, 12, 2, 8, 2]);
        assert.ok(head.inputs.every((i) => i.data === undefined));
        // Little-endian int64 101 first.
        assert.deepEqual([...enc.body.subarray(enc.jsonLength, enc.jsonLength! + 8)], [101, 0, 0, 0, 0, 0, 0, 0]);
      } else {
        assert.equal(enc.jsonLength, undefined);
        assert.equal(enc.contentType, 'application/json');
        const json = JSON.parse(text(enc.body)) as { inputs: { data: unknown[] }[] };
        assert.deepEqual(json.inputs[3]!.data, [true, false]);
        assert.deepEqual(json.inputs[0]!.data, [101, 7592, 102, 101, 2088, 102]);
      }
      const dec = decodeInferRequest(enc.body, enc.jsonLength);
      assert.equal(dec.id, 'q1');
      assert.deepEqual(dec.inputs, inputs);
      assert.deepEqual(dec.outputs, [{ name: 'a', binary: true }, { name: 'b' }]);
      assert.equal(wantsBinaryOutput(dec, 'a'), true);
      assert.equal(wantsBinaryOutput(dec, 'b'), false);
    });
  }

  test('a response round-trips with some outputs binary and others JSON', () => {
    const start = tensor('start_logits', 'FP32', [1, 4], Float32Array.of(0.25, -1.5, 3.0000001, -7e-9));
    const end = tensor('end_logits', 'FP32', [1, 4], Float32Array.of(1, 2, 3, 4));
    const enc = encodeInferResponse({ modelName: 'bert', modelVersion: '1', outputs: [start, end] }, (n) => n === 'end_logits');
    assert.equal(enc.body.length, enc.jsonLength! + 16);
    const json = JSON.parse(text(enc.body.subarray(0, enc.jsonLength))) as { outputs: { parameters?: unknown; data?: unknown }[] };
    assert.deepEqual(json.outputs[1]!.parameters, { binary_data_size: 16 });
    assert.ok(Array.isArray(json.outputs[0]!.data));
    const dec = decodeInferResponse(enc.body, enc.jsonLength);
    assert.deepEqual(dec, { modelName: 'bert', modelVersion: '1', outputs: [start, end] });
  });

  test('the binary_data_output request flag, overridden per output', () => {
    const req = { inputs, binaryOutput: true, outputs: [{ name: 'x', binary: false }, { name: 'y' }] };
    assert.equal(wantsBinaryOutput(req, 'x'), false);
    assert.equal(wantsBinaryOutput(req, 'y'), true);
    assert.equal(wantsBinaryOutput({ inputs }, 'y'), false);
  });

  test('nested JSON data (one array per dimension) is accepted', () => {
    const body = new TextEncoder().encode('{"inputs":[{"name":"x","shape":[2,2],"datatype":"INT64","data":[[1,2],[3,4]]}]}');
    assert.deepEqual(decodeInferRequest(body, undefined).inputs[0]!.data, BigInt64Array.of(1n, 2n, 3n, 4n));
  });

  test('malformed bodies: one-line coded errors naming the source and the field', () => {
    const where = { file: 'http://h:1/v2/models/m/infer' };
    const enc = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o));
    const out = (o: Record<string, unknown>) => enc({ model_name: 'm', outputs: [{ name: 'o', datatype: 'FP32', shape: [1, 2], ...o }] });
    assert.throws(() => decodeInferResponse(new TextEncoder().encode('<html>502 Bad Gateway</html>'), undefined, where), isCode('PARSE', 'http://h:1/v2/models/m/infer', 'not JSON'));
    assert.throws(() => decodeInferResponse(enc({ outputs: [] }), undefined, where), isCode('PARSE', "field 'model_name'"));
    assert.throws(() => decodeInferResponse(out({ data: [1] }), undefined, where), isCode('PARSE', "field 'outputs[0].data'", '1 data elements, the shape holds 2'));
    assert.throws(() => decodeInferResponse(out({ data: [1, 'x'] }), undefined, where), isCode('PARSE', 'element 1 is "x"'));
    assert.throws(() => decodeInferResponse(out({ shape: [1, -2], data: [] }), undefined, where), isCode('PARSE', "field 'outputs[0].shape'"));
    assert.throws(() => decodeInferResponse(out({ datatype: 'FP16', data: [1, 2] }), undefined, where), isCode('INVALID_VALUE', 'FP16 is not supported'));
    assert.throws(() => decodeInferResponse(out({ datatype: 'FLOAT', data: [1, 2] }), undefined, where), isCode('PARSE', 'unknown datatype "FLOAT"'));
    // Binary: sizes that do not match the shape, data missing, data left over, a header beyond the body.
    const head = out({ parameters: { binary_data_size: 8 } });
    const withBytes = (n: number): Uint8Array => Uint8Array.from([...head, ...new Uint8Array(n)]);
    assert.deepEqual(decodeInferResponse(withBytes(8), head.length, where).outputs[0]!.data, new Float32Array(2));
    assert.throws(() => decodeInferResponse(withBytes(4), head.length, where), isCode('PARSE', 'binary_data_size', 'ends at byte 8'));
    assert.throws(() => decodeInferResponse(withBytes(12), head.length, where), isCode('PARSE', '4 bytes after the last binary tensor'));
    assert.throws(() => decodeInferResponse(withBytes(8), head.length + 100, where), isCode('PARSE', 'Inference-Header-Content-Length'));
    assert.throws(() => decodeInferResponse(out({ parameters: { binary_data_size: 12 } }), 0, where), isCode('PARSE'));
    assert.throws(() => decodeInferResponse(Uint8Array.from([...out({ parameters: { binary_data_size: 12 } }), ...new Uint8Array(12)]), head.length + 1, where), isCode('PARSE', 'takes 8'));
    assert.throws(() => parseJsonLengthHeader('12a', where), isCode('PARSE', 'Inference-Header-Content-Length'));
    assert.equal(parseJsonLengthHeader(undefined), undefined);
    assert.equal(parseJsonLengthHeader('42'), 42);
    // A request: integers out of range, JSON int64 beyond 2^53 refused at encoding.
    assert.throws(() => decodeInferRequest(enc({ inputs: [{ name: 'x', shape: [1], datatype: 'INT8', data: [200] }] }), undefined), isCode('PARSE', "field 'inputs[0].data'", 'not a INT8'));
    assert.throws(() => decodeInferRequest(enc({ inputs: [] }), undefined), isCode('PARSE', 'no inputs'));
    assert.throws(() => encodeInferRequest({ inputs: [tensor('x', 'INT64', [1], BigInt64Array.of(2n ** 60n))] }, { binaryInputs: false }), isCode('INVALID_VALUE', 'send binary tensor data'));
    assert.throws(() => tensor('x', 'FP32', [2], new Float32Array(3)), isCode('INVALID_VALUE', '3 elements for shape [2]'));
    assert.throws(() => tensor('x', 'INT64', [1], new Float32Array(1)), isCode('INVALID_VALUE', 'INT64'));
  });

  test('error bodies: the {error} message, else the text, on one line', () => {
    assert.equal(errorMessageOf(new TextEncoder().encode('{"error":"Request for unknown model: \'x\' is not found"}')), "Request for unknown model: 'x' is not found");
    assert.equal(errorMessageOf(new TextEncoder().encode('<h1>Bad\nGateway</h1>')), '<h1>Bad Gateway</h1>');
  });

  test('model metadata as Triton writes it, mapped to the BERT roles', () => {
    const triton = {
      name: 'bert',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: [
        { name: 'segment_ids', datatype: 'INT64', shape: [-1, 384] },
        { name: 'input_ids', datatype: 'INT64', shape: [-1, 384] },
        { name: 'input_mask', datatype: 'INT64', shape: [-1, 384] },
      ],
      outputs: [
        { name: 'output_start_logits', datatype: 'FP32', shape: [-1, 384] },
        { name: 'output_end_logits', datatype: 'FP32', shape: [-1, 384] },
      ],
    };
    const io = bertIoOf(parseModelMetadata(triton), 'http://h/v2/models/bert');
    assert.deepEqual(io, {
      inputIds: 'input_ids',
      inputMask: 'input_mask',
      segmentIds: 'segment_ids',
      inputType: 'int64',
      output: { kind: 'pair', start: 'output_start_logits', end: 'output_end_logits' },
      fixedBatch: undefined,
      fixedSeqLen: 384,
    });
    // TensorRT-style int32 names given by the user; an FP16 output is refused by name.
    const custom = { ...triton, inputs: [{ name: 'ids', datatype: 'INT32', shape: [1, 128] }, { name: 'msk', datatype: 'INT32', shape: [1, 128] }, { name: 'seg', datatype: 'INT32', shape: [1, 128] }] };
    const io2 = bertIoOf(parseModelMetadata(custom), 'u', { inputIds: 'ids', inputMask: 'msk', segmentIds: 'seg' });
    assert.deepEqual([io2.inputIds, io2.inputMask, io2.segmentIds, io2.inputType, io2.fixedBatch, io2.fixedSeqLen], ['ids', 'msk', 'seg', 'int32', 1, 128]);
    assert.throws(() => bertIoOf(parseModelMetadata(custom), 'u', { inputIds: 'nope' }), isCode('INVALID_VALUE', "field 'inputIds'", 'no input named nope'));
    const fp16 = { ...triton, outputs: triton.outputs.map((o) => ({ ...o, datatype: 'FP16' })) };
    assert.throws(() => bertIoOf(parseModelMetadata(fp16), 'http://h/v2/models/bert'), isCode('INVALID_VALUE', 'http://h/v2/models/bert', 'float16, expected float32'));
    assert.throws(() => parseModelMetadata({ name: 'bert', inputs: 'x', outputs: [] }, { file: 'http://h/v2/models/bert' }), isCode('PARSE', "http://h/v2/models/bert field 'inputs'"));
  });

  test('routes of the server', () => {
    assert.deepEqual(routeOf('GET', '/v2'), { kind: 'server-metadata' });
    assert.deepEqual(routeOf('GET', '/v2/health/ready'), { kind: 'ready' });
    assert.deepEqual(routeOf('GET', '/v2/models/bert'), { kind: 'model-metadata', model: 'bert', version: undefined });
    assert.deepEqual(routeOf('GET', '/v2/models/b%2Fx/versions/1/ready'), { kind: 'model-ready', model: 'b/x', version: '1' });
    assert.deepEqual(routeOf('POST', '/v2/models/bert/infer?x=1'), { kind: 'infer', model: 'bert', version: undefined });
    assert.equal(routeOf('GET', '/v2/models/bert/infer').kind, 'error');
    assert.deepEqual(routeOf('GET', '/v2/models/bert/infer'), { kind: 'error', status: 405, message: 'GET not allowed on /v2/models/bert/infer (use POST)', allow: 'POST' });
    assert.equal((routeOf('GET', '/v1/models/bert') as { status: number }).status, 404);
    assert.equal((routeOf('GET', '/v2/models/%E0%A4%A') as { status: number }).status, 400);
  });

  test('accuracy bytes: float32 (seq, 2) interleaved, as the reference SUT answers LoadGen', () => {
    const logits = { startLogits: Float32Array.of(1.5, -2), endLogits: Float32Array.of(0.25, 8) };
    const bytes = interleavedLogitsBytes(logits);
    assert.deepEqual(new Float32Array(bytes.buffer), Float32Array.of(1.5, 0.25, -2, 8));
    const back = logitsFromResponse(bytes, { maxSeqLength: 2, transposed: false });
    assert.deepEqual([...back.startLogits, ...back.endLogits], [1.5, -2, 0.25, 8]);
  });
});

// ---- a real server over ONNX Runtime ----

/** Raw HTTP for the tests that send what the client never would. */
function raw(url: string, method: string, body?: Uint8Array | string, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    // Bodies go as JSON unless a test says otherwise: the server refuses untyped ones (415).
    const typed = method === 'POST' ? { 'content-type': 'application/json' } : {};
    const req = http.request(url, { method, headers: { ...typed, ...(body !== undefined ? { 'content-length': Buffer.byteLength(body) } : {}), ...headers } }, (res) => {
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

function closeEnough(got: readonly BertLogits[], want: readonly BertLogits[], tolerance: number): number {
  assert.equal(got.length, want.length);
  let worst = 0;
  got.forEach((g, i) => {
    for (const k of ['startLogits', 'endLogits'] as const) {
      assert.equal(g[k].length, want[i]![k].length);
      for (let j = 0; j < g[k].length; j++) worst = Math.max(worst, Math.abs(g[k][j]! - want[i]![k][j]!));
    }
  });
  assert.ok(worst <= tolerance, `largest logit difference ${worst} > ${tolerance}`);
  return worst;
}

describe('the KServe server and the HTTP SUT on synthetic bert-tiny', () => {
  let cacheDir: string;
  let modelPath: string;
  let server: ModelServer;

  before(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'inferprint-kserve-'));
    modelPath = (await ensureSyntheticModel({ preset: 'bert-tiny' }, { cacheDir })).path;
    server = await serveModel({ modelPath, port: 0, maxBatchSize: 4, warmupRuns: 1 });
  });
  after(async () => {
    await server.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  test('health, readiness and metadata as the protocol gives them', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await raw(`${server.url}/v2/health/live`, 'GET')).status, 200);
    assert.equal((await raw(`${server.url}/v2/health/ready`, 'GET')).status, 200);
    assert.equal((await raw(`${server.url}/v2/models/bert/ready`, 'GET')).status, 200);
    assert.equal((await raw(`${server.url}/v2/models/bert/versions/1/ready`, 'GET')).status, 200);
    const meta = JSON.parse((await raw(`${server.url}/v2/models/bert`, 'GET')).body) as unknown;
    assert.deepEqual(meta, {
      name: 'bert',
      versions: ['1'],
      platform: 'onnxruntime_onnx',
      inputs: ['input_ids', 'input_mask', 'segment_ids'].map((name) => ({ name, datatype: 'INT64', shape: [-1, -1] })),
      outputs: ['output_start_logits', 'output_end_logits'].map((name) => ({ name, datatype: 'FP32', shape: [-1, -1] })),
    });
    const srv = JSON.parse((await raw(`${server.url}/v2`, 'GET')).body) as { extensions: string[] };
    assert.deepEqual(srv.extensions, ['binary_tensor_data']);
  });

  for (const binary of [true, false]) {
    test(`the client (${binary ? 'binary' : 'JSON'} tensors) gives the in-process SUT's logits; a query is one batch request`, async () => {
      const samples = [0, 1, 2, 3, 4].map((i) => syntheticBertSample(i));
      const local = await openOrtSut({ modelPath, warmupRuns: 0 });
      const client = await openKserveSut({ url: `${server.url}/`, model: 'bert', binary, warmupRuns: 1 });
      try {
        assert.equal(client.binary, binary);
        assert.equal(client.encodingNote, `${binary ? 'binary' : 'JSON'} requested`);
        assert.equal(client.inferUrl, `${server.url}/v2/models/bert/infer`);
        assert.deepEqual(client.io, local.io);
        const before = server.stats();
        const remote = await client.issue(samples);
        const after = server.stats();
        assert.equal(after.inferRequests - before.inferRequests, 1, 'five samples, one request');
        assert.equal(after.samples - before.samples, 5);
        // The server runs them in session batches of 4 + 1, the local SUT one by one: GEMM rounding apart, equal.
        closeEnough(remote, await local.issue(samples), 1e-4);
        // The same batch through the server twice gives the same bits.
        assert.deepEqual(await client.issue(samples), remote);
        assert.deepEqual(await client.issue([]), []);
      } finally {
        await client.close();
        await local.close();
      }
    });
  }

  test('auto encoding: binary, because the server lists the extension; the version path works', async () => {
    const client = await openKserveSut({ url: server.url, model: 'bert', version: '1', warmupRuns: 0 });
    try {
      assert.equal(client.binary, true);
      assert.equal(client.encodingNote, 'auto: the server lists binary_tensor_data');
      assert.equal(client.server?.name, 'inferprint');
      assert.equal(client.inferUrl, `${server.url}/v2/models/bert/versions/1/infer`);
      assert.deepEqual([client.maxBatchSize, client.maxBatchNote], [64, `max_batch_size in ${server.url}/v2/models/bert/versions/1/config`]);
      assert.ok(client.phases.load.endS >= client.phases.load.startS);
    } finally {
      await client.close();
    }
  });

  test('LoadGen through the HTTP SUT: the study SingleStream settings, 4 queries, the official sample order', async () => {
    const qsl = syntheticBertQsl();
    const client = await openKserveSut({ url: server.url, model: 'bert', warmupRuns: 1 });
    const issued: number[] = [];
    try {
      const sut = kserveLoadgenSut(client, qsl, { onIssue: (ix) => issued.push(...ix) });
      assert.equal(sut.name, `inferprint kserve-v2 ${server.url} model bert`);
      const before = server.stats().samples;
      const settings = effectiveSettings(studySettings('v4.1', 4), BERT_SAMPLE_COUNT, 'v4.1');
      const run = await runPerformance(sut, qsl, { settings, release: 'v4.1', variant: 'libstdcxx-lemire' });
      assert.equal(run.queriesIssued, 4);
      assert.deepEqual(run.end, { kind: 'max-query-count', queryCount: 4 });
      // The reference's first v4.1 sample indices for these seeds, as in the in-process runs.
      assert.deepEqual(issued, [8143, 6390, 2157, 1292]);
      assert.equal(server.stats().samples - before, 4);
      assert.equal(run.sampleLatenciesNs.length, 4);
      assert.ok(run.sampleLatenciesNs.every((ns) => ns > 0));
    } finally {
      await client.close();
    }
  });

  test('accuracy mode: each sample answered with its logits in the reference layout, equal to the in-process ones', async () => {
    const qsl = syntheticBertQsl({ totalSampleCount: 16 });
    await qsl.loadSamples(Int32Array.of(3, 7));
    const client = await openKserveSut({ url: server.url, model: 'bert', warmupRuns: 0 });
    const local = await openOrtSut({ modelPath, maxBatchSize: 2, warmupRuns: 0 });
    try {
      const responses = await kserveLoadgenSut(client, qsl, { accuracy: true }).issueQuery([{ id: 10, index: 3 }, { id: 11, index: 7 }]);
      assert.deepEqual(responses.map((r) => r.id), [10, 11]);
      const want = await local.issue([qsl.sample(3), qsl.sample(7)]);
      responses.forEach((r, i) => {
        assert.ok(r.data !== undefined);
        assert.equal(r.data.length, SEQ * 8);
        const { startLogits, endLogits } = logitsFromResponse(r.data);
        closeEnough([{ startLogits: Float32Array.from(startLogits), endLogits: Float32Array.from(endLogits) }], [want[i]!], 1e-4);
      });
      // Performance mode returns no data, as the in-process SUT does.
      const perf = await kserveLoadgenSut(client, qsl).issueQuery([{ id: 1, index: 3 }]);
      assert.deepEqual(perf, [{ id: 1 }]);
      const inProcess = await ortLoadgenSut(local, qsl).issueQuery([{ id: 1, index: 3 }]);
      assert.deepEqual(inProcess, perf);
    } finally {
      await client.close();
      await local.close();
    }
  });

  test('the server rejects malformed requests with 400 and a JSON error, never a stack trace', async () => {
    const infer = `${server.url}/v2/models/bert/infer`;
    const ok = encodeInferRequest({ inputs: ['input_ids', 'input_mask', 'segment_ids'].map((n) => tensor(n, 'INT64', [1, 8], new BigInt64Array(8).fill(1n))) }, { binaryInputs: true });
    const send = (body: Uint8Array | string, headers: http.OutgoingHttpHeaders = {}) => raw(infer, 'POST', typeof body === 'string' ? body : Buffer.from(body), headers);
    const cases: [string, Awaited<ReturnType<typeof send>>, string][] = [
      ['not JSON', await send('{"inputs": [', { 'content-type': 'application/json' }), 'not JSON'],
      ['no inputs field', await send('{}'), "field 'inputs'"],
      ['an unknown input', await send(JSON.stringify({ inputs: [{ name: 'pixels', shape: [1], datatype: 'FP32', data: [0] }] })), "no input 'pixels'"],
      ['a missing input', await send(JSON.stringify({ inputs: [{ name: 'input_ids', shape: [1, 2], datatype: 'INT64', data: [1, 2] }] })), "input 'input_mask' is missing"],
      ['float inputs', await send(JSON.stringify({ inputs: ['input_ids', 'input_mask', 'segment_ids'].map((name) => ({ name, shape: [1, 2], datatype: 'FP32', data: [1, 2] })) })), 'FP32, expected INT64 or INT32'],
      ['an unknown output', await send(JSON.stringify({ inputs: ['input_ids', 'input_mask', 'segment_ids'].map((name) => ({ name, shape: [1, 2], datatype: 'INT64', data: [1, 2] })), outputs: [{ name: 'pooled' }] })), "no output 'pooled'"],
      ['a header past the body', await send(ok.body, { 'inference-header-content-length': ok.body.length + 5 }), 'Inference-Header-Content-Length'],
      ['binary data cut short', await send(ok.body.subarray(0, ok.body.length - 3), { 'inference-header-content-length': ok.jsonLength }), 'binary_data_size'],
      ['JSON header length without a number', await send(ok.body, { 'inference-header-content-length': 'many' }), 'expected a byte count'],
    ];
    for (const [what, r, message] of cases) {
      assert.equal(r.status, 400, what);
      assert.equal(r.headers['content-type'], 'application/json', what);
      const body = JSON.parse(r.body) as { error: string };
      assert.ok(body.error.includes(message), `${what}: ${body.error}`);
      assert.doesNotMatch(body.error, /\n|\bat .*\.[jt]s:\d+/, `${what}: no stack trace`);
    }
    // The same request, well formed, succeeds: the JSON part is all the server needed.
    const good = await send(ok.body, { 'inference-header-content-length': ok.jsonLength });
    assert.equal(good.status, 200);
    const plain = await raw(infer, 'POST', JSON.stringify({ inputs: ['input_ids', 'input_mask', 'segment_ids'].map((name) => ({ name, shape: [1, 2], datatype: 'INT32', data: [1, 1] })) }));
    assert.equal(plain.status, 200);
    assert.equal(plain.headers['inference-header-content-length'], undefined, 'JSON asked, JSON answered');
    const res = JSON.parse(plain.body) as { model_name: string; model_version: string; outputs: { name: string; shape: number[]; datatype: string; data: number[] }[] };
    assert.equal(res.model_name, 'bert');
    assert.deepEqual(res.outputs.map((o) => [o.name, o.datatype, o.shape, o.data.length]), [['output_start_logits', 'FP32', [1, 2], 2], ['output_end_logits', 'FP32', [1, 2], 2]]);
  });

  test('unknown models, versions and paths are 404; a wrong method 405', async () => {
    for (const [method, path, status, message] of [
      ['GET', '/v2/models/gpt', 404, "unknown model 'gpt'"],
      ['POST', '/v2/models/gpt/infer', 404, "unknown model 'gpt'"],
      ['GET', '/v2/models/bert/versions/2/ready', 404, "unknown version '2'"],
      ['GET', '/metrics', 404, 'no such endpoint'],
      ['DELETE', '/v2/models/bert', 405, 'DELETE not allowed'],
    ] as const) {
      const r = await raw(`${server.url}${path}`, method, method === 'POST' ? '{}' : undefined);
      assert.equal(r.status, status, path);
      assert.ok((JSON.parse(r.body) as { error: string }).error.includes(message), r.body);
    }
  });

  test('client errors name the URL: unknown model (404), server down', async () => {
    await assert.rejects(openKserveSut({ url: server.url, model: 'gpt' }), isCode('NOT_FOUND', `${server.url}/v2/models/gpt/ready`, "model 'gpt'", "unknown model 'gpt'"));
    await assert.rejects(openKserveSut({ url: server.url, model: 'bert', version: '7' }), isCode('NOT_FOUND', "model 'bert' version 7"));
    // A port nothing listens on: take a free one, then free it.
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((r) => probe.close(() => { r(); }));
    await assert.rejects(openKserveSut({ url: `http://127.0.0.1:${port}`, model: 'bert' }), isCode('IO', `http://127.0.0.1:${port}/v2/health/ready`, 'connection refused'));
    await assert.rejects(openKserveSut({ url: 'gpu-box:8000', model: 'bert' }), isCode('USAGE', '--url'));
    await assert.rejects(openKserveSut({ url: 'ftp://gpu-box', model: 'bert' }), isCode('USAGE', '--url'));
    await assert.rejects(openKserveSut({ url: 'http://me:secret@gpu-box:8000', model: 'bert' }), isCode('USAGE', '--url', 'credentials'));
    await assert.rejects(openKserveSut({ url: server.url, model: ' ' }), isCode('USAGE', '--model-name'));
  });

  test('a body over the size limit is refused with 413', async () => {
    const small = await serveModel({ modelPath, port: 0, warmupRuns: 0, maxBodyBytes: 1000, modelName: 'tiny' });
    try {
      const big = JSON.stringify({ inputs: [{ name: 'input_ids', shape: [1, 2000], datatype: 'INT64', data: new Array(2000).fill(1) }] });
      const r = await raw(`${small.url}/v2/models/tiny/infer`, 'POST', big);
      assert.equal(r.status, 413);
      assert.ok((JSON.parse(r.body) as { error: string }).error.includes('limit of 1000 bytes'));
      // Chunked, with no Content-Length to check up front: counted while read.
      const chunked = await raw(`${small.url}/v2/models/tiny/infer`, 'POST', undefined, { 'transfer-encoding': 'chunked' }).catch(() => undefined);
      assert.equal(chunked?.status, 400, 'an empty chunked body is malformed, not too large');
      const streamed = await new Promise<number>((resolve, reject) => {
        const req = http.request(`${small.url}/v2/models/tiny/infer`, { method: 'POST', headers: { 'transfer-encoding': 'chunked', 'content-type': 'application/json' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.write(big.slice(0, 600));
        req.end(big.slice(600));
      });
      assert.equal(streamed, 413);
      assert.equal(small.stats().failed, 3);
    } finally {
      await small.close();
    }
  });
});

// ---- other servers: Triton's shape, broken servers ----

type FakeReply = { status: number; body: string | Uint8Array; headers?: http.OutgoingHttpHeaders };
/** A reply, or 'hang' to hold the response open. */
type FakeHandler = (req: http.IncomingMessage, body: Buffer) => FakeReply | 'hang';

async function fakeServer(handler: FakeHandler): Promise<{ url: string; requests: { method: string; url: string; body: Buffer; headers: http.IncomingHttpHeaders }[]; close: () => Promise<void> }> {
  const requests: { method: string; url: string; body: Buffer; headers: http.IncomingHttpHeaders }[] = [];
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', url: req.url ?? '', body, headers: req.headers });
      const r = handler(req, body);
      if (r === 'hang') return;
      res.writeHead(r.status, { 'content-type': 'application/json', ...r.headers });
      res.end(r.body);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((r) => {
        srv.close(() => { r(); });
        srv.closeAllConnections();
      }),
  };
}

const TRITON_METADATA = {
  name: 'bert',
  versions: ['1'],
  platform: 'onnxruntime_onnx',
  inputs: ['input_ids', 'input_mask', 'segment_ids'].map((name) => ({ name, datatype: 'INT64', shape: [-1, SEQ] })),
  outputs: ['output_start_logits', 'output_end_logits'].map((name) => ({ name, datatype: 'FP32', shape: [-1, SEQ] })),
};

/** A Triton-like server: metadata and health as Triton answers them, `infer` delegated. */
function tritonLike(infer: (body: Buffer, req: http.IncomingMessage) => ReturnType<FakeHandler>, opts: { serverMetadata?: boolean; maxBatchSize?: number } = {}): FakeHandler {
  return (req, body) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/v2/models/bert/config' && opts.maxBatchSize !== undefined) return { status: 200, body: JSON.stringify({ name: 'bert', platform: 'onnxruntime_onnx', max_batch_size: opts.maxBatchSize }) };
    // Triton answers health and readiness with an empty 200.
    if (path === '/v2/health/ready' || path === '/v2/models/bert/ready') return { status: 200, body: '' };
    if (path === '/v2' && opts.serverMetadata === true) return { status: 200, body: JSON.stringify({ name: 'triton', version: '2.48.0', extensions: ['classification', 'sequence', 'model_repository', 'binary_tensor_data', 'statistics'] }) };
    if (path === '/v2/models/bert') return { status: 200, body: JSON.stringify(TRITON_METADATA) };
    if (path === '/v2/models/bert/infer') return infer(body, req);
    return { status: 400, body: JSON.stringify({ error: `Request for unknown model: '${path}' is not found` }) };
  };
}

/** Logits a fake server can compute from the request: start = token id / 1000, end = position / 2. */
function fakeLogits(n: number, ids: BigInt64Array): { start: number[]; end: number[] } {
  const start: number[] = [];
  const end: number[] = [];
  for (let i = 0; i < n * SEQ; i++) {
    start.push(Number(ids[i]!) / 1000);
    end.push((i % SEQ) / 2);
  }
  return { start, end };
}

describe('the HTTP SUT against other servers', () => {
  const samples: BertSample[] = [syntheticBertSample(11), syntheticBertSample(12)];

  test('a minimal Triton-shaped server: JSON outputs named output_start_logits/output_end_logits are accepted', async () => {
    const fake = await fakeServer(
      tritonLike((body) => {
        const req = decodeInferRequest(new Uint8Array(body), undefined);
        const ids = req.inputs.find((t) => t.name === 'input_ids')!;
        const n = ids.shape[0]!;
        const { start, end } = fakeLogits(n, ids.data as BigInt64Array);
        // Triton's JSON: outputs in model order, a model_version, no parameters.
        return {
          status: 200,
          body: JSON.stringify({
            model_name: 'bert',
            model_version: '1',
            outputs: [
              { name: 'output_start_logits', datatype: 'FP32', shape: [n, SEQ], data: start },
              { name: 'output_end_logits', datatype: 'FP32', shape: [n, SEQ], data: end },
            ],
          }),
        };
      }),
    );
    try {
      const client = await openKserveSut({ url: fake.url, model: 'bert', warmupRuns: 0 });
      try {
        // No /v2 server metadata: JSON, saying why.
        assert.equal(client.binary, false);
        assert.equal(client.encodingNote, 'auto: no server metadata at /v2, using JSON');
        assert.equal(client.io.fixedSeqLen, SEQ);
        const got = await client.issue(samples);
        const infer = fake.requests.filter((r) => r.url === '/v2/models/bert/infer');
        assert.equal(infer.length, 1);
        const sent = JSON.parse(infer[0]!.body.toString()) as { inputs: { name: string; shape: number[]; datatype: string; data: number[] }[]; outputs: { name: string }[] };
        assert.deepEqual(sent.inputs.map((i) => [i.name, i.datatype, i.shape]), [['input_ids', 'INT64', [2, SEQ]], ['input_mask', 'INT64', [2, SEQ]], ['segment_ids', 'INT64', [2, SEQ]]]);
        assert.deepEqual(sent.inputs[0]!.data.slice(0, 3), [...samples[0]!.inputIds.slice(0, 3)].map(Number));
        assert.deepEqual(sent.outputs, [{ name: 'output_start_logits' }, { name: 'output_end_logits' }]);
        samples.forEach((s, i) => {
          assert.deepEqual(got[i]!.startLogits, Float32Array.from(s.inputIds, (v) => Number(v) / 1000));
          assert.deepEqual(got[i]!.endLogits, Float32Array.from({ length: SEQ }, (_, j) => j / 2));
        });
      } finally {
        await client.close();
      }
    } finally {
      await fake.close();
    }
  });

  test('a Triton-shaped server listing binary_tensor_data: binary both ways, outputs in any order', async () => {
    const fake = await fakeServer(
      tritonLike(
        (body, req) => {
          const decoded = decodeInferRequest(new Uint8Array(body), parseJsonLengthHeader(req.headers['inference-header-content-length']));
          const ids = decoded.inputs.find((t) => t.name === 'input_ids')!;
          const n = ids.shape[0]!;
          const { start, end } = fakeLogits(n, ids.data as BigInt64Array);
          const enc = encodeInferResponse(
            { modelName: 'bert', modelVersion: '1', outputs: [tensor('output_end_logits', 'FP32', [n, SEQ], Float32Array.from(end)), tensor('output_start_logits', 'FP32', [n, SEQ], Float32Array.from(start))] },
            (name) => wantsBinaryOutput(decoded, name),
          );
          return { status: 200, body: enc.body, headers: { 'content-type': enc.contentType, 'inference-header-content-length': String(enc.jsonLength) } };
        },
        { serverMetadata: true, maxBatchSize: 1 },
      ),
    );
    try {
      const client = await openKserveSut({ url: fake.url, model: 'bert', warmupRuns: 1 });
      try {
        assert.equal(client.binary, true);
        assert.equal(client.server?.name, 'triton');
        // Triton refuses batches above the model's max_batch_size: two samples, two requests, answers in order.
        assert.equal(client.maxBatchSize, 1);
        assert.equal(client.maxBatchNote, `max_batch_size in ${fake.url}/v2/models/bert/config`);
        const before = fake.requests.length;
        const got = await client.issue(samples);
        assert.equal(fake.requests.length - before, 2);
        assert.deepEqual(got[0]!.startLogits, Float32Array.from(samples[0]!.inputIds, (v) => Number(v) / 1000));
        const last = fake.requests.at(-1)!;
        assert.equal(last.headers['content-type'], 'application/octet-stream');
        assert.ok(Number(last.headers['inference-header-content-length']) > 0);
        assert.deepEqual(got[1]!.startLogits, Float32Array.from(samples[1]!.inputIds, (v) => Number(v) / 1000));
        assert.equal(got[1]!.endLogits[5], 2.5);
      } finally {
        await client.close();
      }
    } finally {
      await fake.close();
    }
  });

  test('broken servers: malformed JSON, a wrong output, HTTP 500 — each a one-line error with the URL', async () => {
    let reply: FakeReply = { status: 200, body: '{"model_name": "bert", "outputs": [' };
    const fake = await fakeServer(tritonLike(() => reply));
    try {
      const client = await openKserveSut({ url: fake.url, model: 'bert', warmupRuns: 0 });
      const inferUrl = `${fake.url}/v2/models/bert/infer`;
      try {
        await assert.rejects(client.issue(samples), isCode('PARSE', inferUrl, 'not JSON'));
        reply = { status: 200, body: JSON.stringify({ model_name: 'bert', outputs: [{ name: 'output_start_logits', datatype: 'FP32', shape: [2, SEQ], data: new Array(2 * SEQ).fill(0) }] }) };
        await assert.rejects(client.issue(samples), isCode('PARSE', inferUrl, "field 'outputs.output_end_logits'", 'missing from the response'));
        reply = { status: 200, body: JSON.stringify({ model_name: 'bert', outputs: ['output_start_logits', 'output_end_logits'].map((name) => ({ name, datatype: 'FP32', shape: [1, SEQ], data: new Array(SEQ).fill(0) })) }) };
        await assert.rejects(client.issue(samples), isCode('INVALID_VALUE', inferUrl, 'expected 2 rows of 384 values'));
        reply = { status: 200, body: JSON.stringify({ model_name: 'bert', outputs: ['output_start_logits', 'output_end_logits'].map((name) => ({ name, datatype: 'INT32', shape: [2, SEQ], data: new Array(2 * SEQ).fill(0) })) }) };
        await assert.rejects(client.issue(samples), isCode('INVALID_VALUE', inferUrl, 'datatype INT32, expected FP32'));
        reply = { status: 500, body: JSON.stringify({ error: 'CUDA out of memory' }) };
        await assert.rejects(client.issue(samples), isCode('IO', inferUrl, 'HTTP 500 Internal Server Error: CUDA out of memory'));
        reply = { status: 503, body: '<html><body>Service\nUnavailable</body></html>', headers: { 'content-type': 'text/html' } };
        await assert.rejects(client.issue(samples), isCode('IO', inferUrl, 'HTTP 503', 'Service Unavailable'));
        await assert.rejects(client.issue([syntheticBertSample(1, 128)]), isCode('INVALID_VALUE', 'length 128, the model takes 384'));
      } finally {
        await client.close();
      }
    } finally {
      await fake.close();
    }
    // Broken metadata and a server that is not ready.
    const badMeta = await fakeServer((req) => (req.url === '/v2/models/bert' ? { status: 200, body: JSON.stringify({ name: 'bert', inputs: [{ name: 'input_ids' }], outputs: [] }) } : { status: 200, body: '' }));
    try {
      await assert.rejects(openKserveSut({ url: badMeta.url, model: 'bert' }), isCode('PARSE', `${badMeta.url}/v2/models/bert`, "field 'inputs[0].datatype'"));
    } finally {
      await badMeta.close();
    }
    const notKserve = await fakeServer(() => ({ status: 404, body: 'Cannot GET /v2/health/ready', headers: { 'content-type': 'text/plain' } }));
    try {
      await assert.rejects(openKserveSut({ url: `${notKserve.url}/api`, model: 'bert' }), isCode('NOT_FOUND', `${notKserve.url}/api/v2/health/ready`, 'a KServe v2 endpoint', "base URL"));
    } finally {
      await notKserve.close();
    }
    const notReady = await fakeServer(() => ({ status: 503, body: '' }));
    try {
      await assert.rejects(openKserveSut({ url: notReady.url, model: 'bert' }), isCode('IO', `${notReady.url}/v2/health/ready`, 'not ready', 'HTTP 503'));
    } finally {
      await notReady.close();
    }
  });
});

test('a server that never answers: the request times out with an error naming the URL', async () => {
  const fake = await fakeServer(tritonLike(() => 'hang'));
  try {
    const client = await openKserveSut({ url: fake.url, model: 'bert', timeoutS: 0.2, warmupRuns: 0, binary: false });
    try {
      await assert.rejects(client.issue([syntheticBertSample(1)]), isCode('IO', `${fake.url}/v2/models/bert/infer`, 'no response within 0.2 s'));
    } finally {
      await client.close();
    }
  } finally {
    await fake.close();
  }
});

// ---- int32 inputs and a stacked output through the server ----

describe('the server over a model with int32 inputs and one stacked output', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'inferprint-kserve-stacked-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const stackedInt32 = STACKED_INT32_MODEL;

  test('metadata says INT32 and [-1, -1, 2]; logits come back exact, both encodings', async () => {
    const path = join(dir, 'stacked.onnx');
    writeFileSync(path, await encodeOnnxModel(stackedInt32));
    const server = await serveModel({ modelPath: path, port: 0, modelName: 'stacked', warmupRuns: 0 });
    try {
      assert.deepEqual(server.metadata.inputs.map((i) => [i.name, i.datatype]), [['input_ids', 'INT32'], ['attention_mask', 'INT32'], ['token_type_ids', 'INT32']]);
      assert.deepEqual(server.metadata.outputs, [{ name: 'logits', datatype: 'FP32', shape: [-1, -1, 2] }]);
      const s = (ids: number[], mask: number[], seg: number[]): BertSample => ({ inputIds: toInt64(ids), inputMask: toInt64(mask), segmentIds: toInt64(seg) });
      for (const binary of [true, false]) {
        const client = await openKserveSut({ url: server.url, model: 'stacked', binary, warmupRuns: 1 });
        try {
          assert.equal(client.io.inputType, 'int32');
          const got = await client.issue([s([101, 7, 8, 102], [1, 1, 1, 0], [0, 0, 1, 1]), s([101, 9, 102, 0], [1, 1, 1, 0], [0, 1, 1, 0])]);
          assert.deepEqual(got, [
            { startLogits: Float32Array.of(101, 7, 9, 103), endLogits: Float32Array.of(1, 1, 1, 0) },
            { startLogits: Float32Array.of(101, 10, 103, 0), endLogits: Float32Array.of(1, 1, 1, 0) },
          ]);
        } finally {
          await client.close();
        }
      }
    } finally {
      await server.close();
    }
  });
});

// ---- the command ----

describe('inferprint serve-model', () => {
  let cacheDir: string;
  before(() => {
    cacheDir = mkdtempSync(join(tmpdir(), 'inferprint-serve-cli-'));
  });
  after(() => {
    rmSync(cacheDir, { recursive: true, force: true });
  });

  const context = (argv: string[]) => {
    const out = { stdout: '', stderr: '' };
    let onStdout: (() => void) | undefined;
    const ctx: CliContext = {
      argv,
      env: {},
      cwd: cacheDir,
      stdout: (s) => {
        out.stdout += s;
        onStdout?.();
      },
      stderr: (s) => (out.stderr += s),
      isTTY: false,
      stderrIsTTY: false,
      color: false,
    };
    const printed = new Promise<void>((resolve) => (onStdout = resolve));
    return { ctx, out, printed };
  };

  test('serves until SIGINT, then closes and exits 0', async () => {
    const signals = new EventEmitter();
    const { ctx, out, printed } = context(['--model', 'synthetic:bert-tiny', '--port', '0', '--name', 'tiny', '--cache-dir', cacheDir, '--max-batch', '2']);
    const exit = createServeModelCommand(signals).run(ctx);
    await printed;
    const url = /at (http:\/\/127\.0\.0\.1:\d+) \(KServe v2: \1\/v2\/models\/tiny\)/.exec(out.stdout)?.[1];
    assert.ok(url !== undefined, out.stdout);
    assert.match(out.stdout, /provider cpu \(cpu requested\)/);
    const client = await openKserveSut({ url, model: 'tiny', warmupRuns: 0 });
    assert.equal((await client.issue([syntheticBertSample(5)])).length, 1);
    await client.close();
    signals.emit('SIGINT');
    assert.equal(await exit, 0);
    assert.match(out.stderr, /stopped \(SIGINT\) after 1 inference request\(s\), 1 sample\(s\), 0 failed/);
    assert.equal(signals.listenerCount('SIGINT') + signals.listenerCount('SIGTERM'), 0);
    await assert.rejects(openKserveSut({ url, model: 'tiny' }), isCode('IO', 'connection refused'));
  });

  test('bad flags are usage errors naming the flag', async () => {
    const cmd = createServeModelCommand(new EventEmitter());
    for (const [argv, flag] of [
      [['--port', 'http'], '--port'],
      [['--port', '70000'], '--port'],
      [['--provider', 'tpu'], '--provider'],
      [['--max-batch', '0'], '--max-batch'],
      [['--model', 'synthetic:gpt'], '--model'],
      [['--model', 'synthetic:bert-tiny', '--name', 'a/b', '--port', '0', '--cache-dir', cacheDir], '--name'],
    ] as const) {
      await assert.rejects(cmd.run(context([...argv]).ctx), isCode('USAGE', `flag ${flag}`));
    }
  });
});
