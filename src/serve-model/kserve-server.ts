/**
 * A small KServe v2 server for one BERT model on ONNX Runtime: what `inferprint serve-model`
 * runs on a GPU box (or any machine) so that LoadGen on another machine can drive it through
 * the HTTP SUT, and what the loopback tests run against.
 *
 * The protocol subset: server and model health (`/v2/health/live`, `/v2/health/ready`,
 * `/v2/models/{name}[/versions/1]/ready`), server and model metadata (`/v2`,
 * `/v2/models/{name}[/versions/1]`), and inference (`POST .../infer`) with JSON tensors and the
 * binary tensor data extension. One model instance: requests run one at a time in arrival order
 * (like Triton with one instance and no dynamic batcher), each request batch in session runs of
 * at most `maxBatchSize` samples.
 *
 * Who may call it (`request-guard.ts`): loopback by default, the `Host` checked, JSON or binary
 * bodies only, a bearer token when asked for (required off loopback).
 *
 * Bounded work: a body over the cap (413) is not read past the cap; a body nested deeper than
 * `MAX_JSON_DEPTH` is refused before it is parsed; a batch over `max_batch_size`, a sequence
 * longer than the model's positions, token or segment ids out of the model's tables and masks
 * other than 0/1 are refused (400) before any inference. The body cap follows from those limits
 * (`defaultMaxBodyBytes`), so decoding a body never holds the event loop long: health checks
 * answer while the model runs (on its worker thread).
 *
 * Every failure is answered with `{"error": "..."}` and a status (400 malformed request, 401 no
 * or wrong token, 403 a web page's request, 404 unknown path, model or version, 405 wrong
 * method, 413 body over the limit, 415 body neither JSON nor binary, 421 a `Host` that is not
 * this server's, 500 inference failed), never a stack trace and never a file path.
 */
import * as http from 'node:http';
import { errors, formatWhere, isInferprintError, type InferprintError } from '../errors.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { listen, type Listening } from './listen.js';
import { bindNeedsToken, checkAccess, checkBodyType, type Refusal } from './request-guard.js';
import { closeServerNow, readBody, sendJsonUnread } from './request-body.js';
import { readBertInputLimits, type BertInputLimits } from './onnx-limits.js';
import {
  BINARY_EXTENSION,
  decodeInferRequest,
  encodeInferResponse,
  HEADER_LENGTH_HEADER,
  parseJsonLengthHeader,
  tensor,
  wantsBinaryOutput,
  type InferRequest,
  type KserveTensor,
  type ModelMetadata,
} from '../benchmark/sut/kserve-protocol.js';
import { openOrtSut, type BertLogits, type BertSample, type OrtProviderRequest, type OrtSut } from '../benchmark/sut/io/onnxruntime.js';

export interface ServeModelOptions {
  readonly modelPath: string;
  /** The name clients use in `/v2/models/{name}` (default `bert`). */
  readonly modelName?: string;
  /** Interface to listen on (default 127.0.0.1: reachable from this machine only). */
  readonly host?: string;
  /** Port (default 8000, Triton's HTTP port); 0 picks a free one. */
  readonly port?: number;
  readonly provider?: OrtProviderRequest;
  readonly cudaDeviceId?: number;
  /** Most samples per session run; larger request batches are run in several (default 8). */
  readonly maxBatchSize?: number;
  /**
   * Most samples in one request (Triton's `max_batch_size`, served at `/v2/models/{name}/config`
   * so clients split larger queries); default the batch the model fixes, else 64 (the HTTP
   * client's own default).
   */
  readonly maxRequestBatch?: number;
  /** Required on every request (`Authorization: Bearer <token>`); a non-loopback `host` needs one. */
  readonly token?: string;
  /** Untimed session runs at full batch before the server listens (default 2). */
  readonly warmupRuns?: number;
  /** Largest request body accepted, in bytes (default `defaultMaxBodyBytes`: what the largest allowed batch needs). */
  readonly maxBodyBytes?: number;
  readonly intraOpNumThreads?: number;
  /** Bumped by the session's worker as each run starts and ends (see `OrtSutOptions.runActivity`). */
  readonly runActivity?: Int32Array;
  /** Told of every request answered with a 5xx status (the CLI prints them). */
  readonly onServerError?: (message: string) => void;
}

export interface ServerStats {
  /** Every HTTP request, health and metadata included. */
  readonly requests: number;
  /** Inference requests answered with logits, and the samples in them. */
  readonly inferRequests: number;
  readonly samples: number;
  /** Inference requests refused (400, 413) or failed (500); probes of other paths are not counted. */
  readonly failed: number;
}

export interface ModelServer {
  /** Base URL to give clients, e.g. `http://127.0.0.1:8000`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly modelName: string;
  readonly ort: OrtSut;
  readonly metadata: ModelMetadata;
  /** Most samples per request, and the model's input limits found in its file. */
  readonly maxRequestBatch: number;
  readonly limits: BertInputLimits;
  /** Largest body accepted, bytes. */
  readonly maxBodyBytes: number;
  /** Said once at start: a limit that could not be read from the model file. */
  readonly notes: readonly string[];
  stats(): ServerStats;
  /** Stop listening, drop kept-alive connections, release the session. */
  close(): Promise<void>;
}

export const DEFAULT_MODEL_NAME = 'bert';
export const DEFAULT_PORT = 8000;
/** Samples per request when the model does not fix its batch: the HTTP client's default too. */
export const DEFAULT_MAX_REQUEST_BATCH = 64;
/** Sequence length assumed for the body cap when the model says nothing (BERT's usual 512 positions). */
const FALLBACK_SEQ_CAP = 512;
/** Bytes a JSON element may take, separators and indentation included (an int64 is at most 20 characters). */
const JSON_BYTES_PER_ELEMENT = 32;
/** Room for the JSON around the data: names, shapes, parameters. */
const BODY_SLACK_BYTES = 1024 * 1024;

/**
 * The body cap: 1 MiB plus 32 bytes for each of the 3 inputs' elements of the largest allowed
 * request (`maxRequestBatch × sequence`). 64 × 512 gives 4 MiB, which decodes in tens of ms.
 */
export function defaultMaxBodyBytes(maxRequestBatch: number, seqCap: number): number {
  return BODY_SLACK_BYTES + JSON_BYTES_PER_ELEMENT * 3 * maxRequestBatch * seqCap;
}
/** The only version served: Triton numbers versions from 1. */
const MODEL_VERSION = '1';
const MODEL_NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

/** Load the model, warm it up, and serve it; resolves once the server listens. */
export async function serveModel(opts: ServeModelOptions): Promise<ModelServer> {
  const modelName = opts.modelName ?? DEFAULT_MODEL_NAME;
  if (!MODEL_NAME_PATTERN.test(modelName)) throw errors.usage(`model name '${modelName}' must be letters, digits, '_', '.' or '-'`, '--name');
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? DEFAULT_PORT;
  if (!Number.isSafeInteger(port) || port < 0 || port > 65535) throw errors.usage(`port must be an integer in 0..65535, got ${port}`, '--port');
  const token = opts.token;
  if (token !== undefined && token.trim() === '') throw errors.usage('the token is empty', '--token');
  if (bindNeedsToken(host) && token === undefined) {
    throw errors.usage(`refusing to serve on non-loopback address ${host} without a token: anyone who can reach it could run inference on this machine (add --token, e.g. --token $(openssl rand -hex 16))`, '--host');
  }
  if (opts.maxRequestBatch !== undefined && (!Number.isSafeInteger(opts.maxRequestBatch) || opts.maxRequestBatch < 1)) {
    throw errors.usage(`expected a positive integer, got ${opts.maxRequestBatch}`, '--max-request-batch');
  }

  const ort = await openOrtSut({
    modelPath: opts.modelPath,
    maxBatchSize: opts.maxBatchSize ?? 8,
    ...(opts.provider !== undefined ? { provider: opts.provider } : {}),
    ...(opts.cudaDeviceId !== undefined ? { cudaDeviceId: opts.cudaDeviceId } : {}),
    ...(opts.warmupRuns !== undefined ? { warmupRuns: opts.warmupRuns } : {}),
    ...(opts.intraOpNumThreads !== undefined ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
    ...(opts.runActivity !== undefined ? { runActivity: opts.runActivity } : {}),
  });
  let found: Awaited<ReturnType<typeof readBertInputLimits>>;
  try {
    found = await readBertInputLimits(opts.modelPath, ort.io);
  } catch (e) {
    await ort.close();
    throw errors.io(opts.modelPath, e);
  }
  const limits = found.limits;
  const notes = found.note !== undefined ? [found.note] : [];
  const fixedBatch = ort.io.fixedBatch;
  if (fixedBatch !== undefined && opts.maxRequestBatch !== undefined && opts.maxRequestBatch !== fixedBatch) {
    await ort.close();
    throw errors.usage(`the model fixes the batch at ${fixedBatch}; requests hold exactly that many samples`, '--max-request-batch');
  }
  const maxRequestBatch = fixedBatch ?? opts.maxRequestBatch ?? DEFAULT_MAX_REQUEST_BATCH;
  const maxBodyBytes = opts.maxBodyBytes ?? defaultMaxBodyBytes(maxRequestBatch, ort.io.fixedSeqLen ?? limits.maxPositions ?? FALLBACK_SEQ_CAP);
  const metadata = modelMetadata(modelName, ort);
  const model = new ServedModel(ort, modelName, maxRequestBatch, limits);
  const counts = { requests: 0, inferRequests: 0, samples: 0, failed: 0 };

  const server = http.createServer((req, res) => {
    counts.requests++;
    const refused = checkAccess(req, { bindHost: host, token });
    if (refused !== undefined) {
      refuse(req, res, refused);
      return;
    }
    answer(req, res)
      .then((reply) => {
        if (reply === 'sent') return;
        // A route that takes no body may leave one unread (a POST to /v2/health/live): see request-body.ts.
        sendJsonUnread(req, res, reply.status, reply.body, reply.headers);
      })
      .catch((e: unknown) => {
        // answer() turns every failure into a reply; reaching here means the socket broke mid-answer.
        opts.onServerError?.(`${req.method ?? '?'} ${req.url ?? '?'}: ${e instanceof Error ? e.message : String(e)}`);
        res.destroy();
      });
  });

  /** The JSON reply to a request, or 'sent' when the answer has been written already. */
  const answer = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<Reply | 'sent'> => {
    const route = routeOf(req.method ?? 'GET', req.url ?? '/');
    if (route.kind === 'error') return failure(route.status, route.message, route.allow);
    if (route.model !== undefined) {
      if (route.model !== modelName) return failure(404, `unknown model '${route.model}' (this server has '${modelName}')`);
      if (route.version !== undefined && route.version !== MODEL_VERSION) return failure(404, `unknown version '${route.version}' of model '${modelName}' (it has version ${MODEL_VERSION})`);
    }
    switch (route.kind) {
      case 'server-metadata':
        return { status: 200, body: { name: TOOL_NAME, version: TOOL_VERSION, extensions: [BINARY_EXTENSION] } };
      case 'live':
        return { status: 200, body: { live: true } };
      case 'ready':
        return { status: 200, body: { ready: true } };
      case 'model-ready':
        return { status: 200, body: { name: modelName, ready: true } };
      case 'model-metadata':
        return { status: 200, body: metadata };
      case 'model-config':
        // Triton's model configuration extension, reduced to what a client needs to split its queries.
        return { status: 200, body: { name: modelName, platform: metadata.platform, max_batch_size: maxRequestBatch } };
      case 'infer':
        return infer(req, res);
    }
  };

  const infer = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<Reply | 'sent'> => {
    const wrongType = checkBodyType(req.headers);
    if (wrongType !== undefined) {
      counts.failed++;
      refuse(req, res, wrongType);
      return 'sent';
    }
    const body = await readBody(req, maxBodyBytes);
    if (body === 'too-large') {
      counts.failed++;
      reject413(req, res, maxBodyBytes);
      return 'sent';
    }
    let request: InferRequest;
    let samples: BertSample[];
    try {
      request = decodeInferRequest(body, parseJsonLengthHeader(req.headers[HEADER_LENGTH_HEADER]));
      samples = model.samplesOf(request);
    } catch (e) {
      if (!isInferprintError(e)) throw e;
      counts.failed++;
      return failure(400, clientMessage(e));
    }
    let outputs: KserveTensor[];
    try {
      outputs = model.outputsOf(await model.run(samples), request);
    } catch (e) {
      // The cause may name the model file or the machine's paths: it goes to the server's log only.
      opts.onServerError?.(`inference failed: ${isInferprintError(e) ? e.message : e instanceof Error ? e.message : String(e)}`);
      counts.failed++;
      return failure(500, 'inference failed (the cause is in the server log)');
    }
    counts.inferRequests++;
    counts.samples += samples.length;
    const encoded = encodeInferResponse({ modelName, modelVersion: MODEL_VERSION, ...(request.id !== undefined ? { id: request.id } : {}), outputs }, (name) => wantsBinaryOutput(request, name));
    const headers: http.OutgoingHttpHeaders = { 'content-type': encoded.contentType, 'content-length': encoded.body.length };
    if (encoded.jsonLength !== undefined) headers[HEADER_LENGTH_HEADER] = encoded.jsonLength;
    res.writeHead(200, headers);
    res.end(encoded.body);
    return 'sent';
  };

  let bound: Listening;
  try {
    bound = await listen(server, host, port);
  } catch (e) {
    await ort.close();
    throw e;
  }
  // Malformed HTTP never reaches the handler: a plain 400, no details.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n{"error":"malformed HTTP request"}');
    else socket.destroy();
  });
  let closed: Promise<void> | undefined;
  return {
    ...bound,
    modelName,
    ort,
    metadata,
    maxRequestBatch,
    limits,
    maxBodyBytes,
    notes,
    stats: () => ({ ...counts }),
    close: () =>
      (closed ??= (async () => {
        await closeServerNow(server);
        await model.idle();
        await ort.close();
      })()),
  };
}

// ---- the model behind the protocol ----

function modelMetadata(name: string, ort: OrtSut): ModelMetadata {
  const io = ort.io;
  const batch = io.fixedBatch ?? -1;
  const seq = io.fixedSeqLen ?? -1;
  const inputType = io.inputType === 'int64' ? 'INT64' : 'INT32';
  return {
    name,
    versions: [MODEL_VERSION],
    // Triton's name for ONNX Runtime models, so tools that switch on it recognise the backend.
    platform: 'onnxruntime_onnx',
    inputs: [io.inputIds, io.inputMask, io.segmentIds].map((n) => ({ name: n, datatype: inputType, shape: [batch, seq] })),
    outputs:
      io.output.kind === 'pair'
        ? [io.output.start, io.output.end].map((n) => ({ name: n, datatype: 'FP32', shape: [batch, seq] }))
        : [{ name: io.output.name, datatype: 'FP32', shape: [batch, seq, 2] }],
  };
}

/** Requests → BERT samples → session runs (one at a time) → response tensors. */
class ServedModel {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly outputNames: readonly string[];

  constructor(
    private readonly ort: OrtSut,
    private readonly name: string,
    private readonly maxRequestBatch: number,
    private readonly limits: BertInputLimits,
  ) {
    const out = ort.io.output;
    this.outputNames = out.kind === 'pair' ? [out.start, out.end] : [out.name];
  }

  /** The request's rows as samples; a request that does not fit the model is rejected (400) here, before any run. */
  samplesOf(req: InferRequest): BertSample[] {
    const io = this.ort.io;
    const wanted = [io.inputIds, io.inputMask, io.segmentIds];
    for (const t of req.inputs) {
      if (!wanted.includes(t.name)) throw errors.invalidValue({ field: `inputs.${t.name}` }, `model '${this.name}' has no input '${t.name}' (inputs: ${wanted.join(', ')})`);
    }
    for (const o of req.outputs ?? []) {
      if (!this.outputNames.includes(o.name)) throw errors.invalidValue({ field: `outputs.${o.name}` }, `model '${this.name}' has no output '${o.name}' (outputs: ${this.outputNames.join(', ')})`);
    }
    const [ids, mask, segments] = wanted.map((name) => {
      const t = req.inputs.find((x) => x.name === name);
      if (t === undefined) throw errors.invalidValue({ field: 'inputs' }, `input '${name}' is missing`);
      if (t.datatype !== 'INT64' && t.datatype !== 'INT32') throw errors.invalidValue({ field: `inputs.${name}.datatype` }, `${t.datatype}, expected INT64 or INT32`);
      if (t.shape.length !== 2 || t.shape[0]! < 1 || t.shape[1]! < 1) throw errors.invalidValue({ field: `inputs.${name}.shape` }, `[${t.shape.join(', ')}], expected [batch, sequence] with both ≥ 1`);
      return t;
    }) as [KserveTensor, KserveTensor, KserveTensor];
    const [n, seqLen] = ids.shape as [number, number];
    for (const t of [mask, segments]) {
      if (t.shape[0] !== n || t.shape[1] !== seqLen) throw errors.invalidValue({ field: `inputs.${t.name}.shape` }, `[${t.shape.join(', ')}] differs from ${ids.name}'s [${n}, ${seqLen}]`);
    }
    if (io.fixedSeqLen !== undefined && seqLen !== io.fixedSeqLen) throw errors.invalidValue({ field: `inputs.${ids.name}.shape` }, `sequence length ${seqLen}, the model takes ${io.fixedSeqLen}`);
    if (io.fixedBatch !== undefined && n !== io.fixedBatch) throw errors.invalidValue({ field: `inputs.${ids.name}.shape` }, `batch ${n}, the model takes ${io.fixedBatch}`);
    if (n > this.maxRequestBatch) throw errors.invalidValue({ field: `inputs.${ids.name}.shape` }, `batch ${n} is over this server's max_batch_size ${this.maxRequestBatch}: split it into several requests`);
    const positions = this.limits.maxPositions;
    if (positions !== undefined && seqLen > positions) throw errors.invalidValue({ field: `inputs.${ids.name}.shape` }, `sequence length ${seqLen}, the model has ${positions} positions`);
    const { vocabSize, typeVocabSize } = this.limits;
    checkRange(ids, 0, vocabSize, 'token ids', vocabSize !== undefined ? ` (the model's vocabulary has ${vocabSize})` : '');
    checkRange(segments, 0, typeVocabSize, 'segment ids', typeVocabSize !== undefined ? ` (the model has ${typeVocabSize} segment types)` : '');
    checkRange(mask, 0, 2, 'mask values', ' (1 for a token, 0 for padding)');
    const row = (t: KserveTensor, i: number): BigInt64Array => {
      if (t.data instanceof BigInt64Array) return t.data.slice(i * seqLen, (i + 1) * seqLen);
      const out = new BigInt64Array(seqLen);
      for (let j = 0; j < seqLen; j++) out[j] = BigInt(t.data[i * seqLen + j] as number);
      return out;
    };
    return Array.from({ length: n }, (_, i) => ({ inputIds: row(ids, i), inputMask: row(mask, i), segmentIds: row(segments, i) }));
  }

  /** Run after every request before it: one model instance, arrival order. */
  run(samples: readonly BertSample[]): Promise<BertLogits[]> {
    const result = this.queue.then(() => this.ort.issue(samples));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Resolves once no run is in flight (before the session is released). */
  idle(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  outputsOf(logits: readonly BertLogits[], req: InferRequest): KserveTensor[] {
    const n = logits.length;
    const seqLen = logits[0]?.startLogits.length ?? 0;
    const pack = (pick: (l: BertLogits) => Float32Array): Float32Array => {
      const data = new Float32Array(n * seqLen);
      logits.forEach((l, i) => {
        data.set(pick(l), i * seqLen);
      });
      return data;
    };
    const out = this.ort.io.output;
    let all: KserveTensor[];
    if (out.kind === 'pair') {
      all = [tensor(out.start, 'FP32', [n, seqLen], pack((l) => l.startLogits)), tensor(out.end, 'FP32', [n, seqLen], pack((l) => l.endLogits))];
    } else {
      const both = new Float32Array(n * seqLen * 2);
      logits.forEach((l, i) => {
        for (let j = 0; j < seqLen; j++) {
          both[(i * seqLen + j) * 2] = l.startLogits[j]!;
          both[(i * seqLen + j) * 2 + 1] = l.endLogits[j]!;
        }
      });
      all = [tensor(out.name, 'FP32', [n, seqLen, 2], both)];
    }
    // The outputs asked for, in the order asked; all of them when none were named.
    if (req.outputs === undefined || req.outputs.length === 0) return all;
    return req.outputs.map((o) => all.find((t) => t.name === o.name)!);
  }
}

/** Every element of `t` in [min, end) (end undefined: no upper bound known), else a 400 naming the first one outside and why. */
function checkRange(t: KserveTensor, min: number, end: number | undefined, what: string, why: string): void {
  const data = t.data;
  const lo = BigInt(min);
  const hi = end === undefined ? undefined : BigInt(end);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    const big = typeof v === 'bigint' ? v : BigInt(v);
    if (big < lo || (hi !== undefined && big >= hi)) {
      const range = hi === undefined ? `≥ ${min}` : `in ${min}..${end! - 1}`;
      throw errors.invalidValue({ field: `inputs.${t.name}[${i}]` }, `${what} must be ${range}${why}, got ${big}`);
    }
  }
}

// ---- routing and bodies ----

type Route =
  | { readonly kind: 'server-metadata' | 'live' | 'ready'; readonly model?: undefined; readonly version?: undefined }
  | { readonly kind: 'model-metadata' | 'model-ready' | 'model-config' | 'infer'; readonly model: string; readonly version: string | undefined }
  | { readonly kind: 'error'; readonly status: 400 | 404 | 405; readonly message: string; readonly allow?: string; readonly model?: undefined };

/** The protocol's paths; anything else is a 404, a known path with the wrong verb a 405. */
export function routeOf(method: string, rawUrl: string): Route {
  let path: string;
  try {
    path = new URL(rawUrl, 'http://localhost').pathname;
  } catch {
    return { kind: 'error', status: 400, message: 'malformed request path' };
  }
  let parts: string[];
  try {
    parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
  } catch {
    return { kind: 'error', status: 400, message: `malformed percent-encoding in ${path}` };
  }
  const verb = (expected: 'GET' | 'POST', r: Route): Route =>
    method === expected || (expected === 'GET' && method === 'HEAD') ? r : { kind: 'error', status: 405, message: `${method} not allowed on ${path} (use ${expected})`, allow: expected };
  const [v2, a, b, ...rest] = parts;
  if (v2 !== 'v2') return notFound(method, path);
  if (a === undefined) return verb('GET', { kind: 'server-metadata' });
  if (a === 'health' && rest.length === 0 && (b === 'live' || b === 'ready')) return verb('GET', { kind: b });
  if (a !== 'models' || b === undefined) return notFound(method, path);
  let version: string | undefined;
  let tail = rest;
  if (tail[0] === 'versions') {
    if (tail[1] === undefined) return notFound(method, path);
    version = tail[1];
    tail = tail.slice(2);
  }
  if (tail.length === 0) return verb('GET', { kind: 'model-metadata', model: b, version });
  if (tail.length === 1 && tail[0] === 'ready') return verb('GET', { kind: 'model-ready', model: b, version });
  if (tail.length === 1 && tail[0] === 'config') return verb('GET', { kind: 'model-config', model: b, version });
  if (tail.length === 1 && tail[0] === 'infer') return verb('POST', { kind: 'infer', model: b, version });
  return notFound(method, path);
}

const notFound = (method: string, path: string): Route => ({ kind: 'error', status: 404, message: `no such endpoint: ${method} ${path}` });

/** Answer a refusal and close the connection, dropping (a bounded amount of) any body the client sends (request-body.ts). */
function refuse(req: http.IncomingMessage, res: http.ServerResponse, r: Refusal): void {
  sendJsonUnread(req, res, r.status, { error: r.message }, { ...(r.headers ?? {}), connection: 'close' });
}

/** Answer 413 and close the connection, the rest of the body read and dropped (up to a bound), so that the client sees the 413, not a reset. */
function reject413(req: http.IncomingMessage, res: http.ServerResponse, limit: number): void {
  sendJsonUnread(req, res, 413, { error: `request body over the limit of ${limit} bytes` }, { connection: 'close' });
}

interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: http.OutgoingHttpHeaders;
}

const failure = (status: number, message: string, allow?: string): Reply => ({ status, body: { error: message }, ...(allow !== undefined ? { headers: { allow } } : {}) });

/** An error as a client should read it: where, then what; no code suffix, no stack. */
function clientMessage(e: InferprintError): string {
  const at = formatWhere(e.where);
  return at ? `${at}: ${e.detail}` : e.detail;
}

