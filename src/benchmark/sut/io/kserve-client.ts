/**
 * The HTTP system under test: a BERT SQuAD model behind any server speaking the KServe v2
 * inference protocol (Triton, KServe, `inferprint serve-model`), so LoadGen can drive a model
 * served on another machine, and that machine's power can be measured where it is spent.
 *
 * Opening checks the server (`/v2/health/ready`), the model (`.../ready`, then its metadata, from
 * which the BERT inputs and outputs are recognised as for a local ONNX model), chooses JSON or
 * binary tensors, and sends warm-up requests before anything is timed. A query of several
 * samples is one batch request (`[n, seq]` inputs). Connections are kept alive, so a
 * SingleStream run pays one TCP handshake, not one per query.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import { errors, isInferprintError, type Where } from '../../../errors.js';
import type { SystemUnderTest } from '../../loadgen/engine.js';
import { bertLoadgenSut, logitsResponseBytes, type BertSampleSource } from '../bert-loadgen-sut.js';
import {
  BINARY_EXTENSION,
  decodeInferResponse,
  elementCount,
  encodeInferRequest,
  errorMessageOf,
  HEADER_LENGTH_HEADER,
  parseJsonBody,
  parseJsonLengthHeader,
  parseModelMetadata,
  parseServerMetadata,
  tensor,
  type EncodedBody,
  type KserveTensor,
  type ModelMetadata,
  type ServerMetadata,
  type TensorMetadata,
} from '../kserve-protocol.js';
import { detectBertIo, MLPERF_SEQ_LEN, splitLogits, type BertIoBinding, type BertLogits, type BertSample, type ValueMeta } from '../ort-bert-io.js';
import type { PhaseSpan } from './onnxruntime.js';
import { warmupSamples } from '../ort-protocol.js';

export type BertInputRole = 'inputIds' | 'inputMask' | 'segmentIds';

export interface KserveSutOptions {
  /** The server's base URL, e.g. `http://gpu-box:8000` (a path prefix, as behind an ingress, is kept). */
  readonly url: string;
  /** The model's name on the server. */
  readonly model: string;
  /** A model version; absent: the server's choice (Triton: the latest). */
  readonly version?: string;
  /** Most seconds to wait for any one response (default 120; a large batch on a CPU is slow). */
  readonly timeoutS?: number;
  /**
   * Binary tensor data (true) or JSON tensors (false). Absent: binary when the server lists the
   * `binary_tensor_data` extension in `GET /v2` (Triton and inferprint do), JSON otherwise.
   */
  readonly binary?: boolean;
  /** Input names, when the model's do not follow the MLPerf, fake-quant or Hugging Face names. */
  readonly inputNames?: Partial<Readonly<Record<BertInputRole, string>>>;
  /**
   * Most samples per request; a larger query (Offline) is split into concurrent requests.
   * Default: the batch the model fixes, else Triton's `max_batch_size` from `.../config` when the
   * server has that endpoint, else 64.
   */
  readonly maxBatchSize?: number;
  /** Untimed one-sample requests before the SUT is handed over (default 2). */
  readonly warmupRuns?: number;
  /** Monotonic clock in seconds for the phase spans (default `performance.now() / 1000`). */
  readonly clock?: () => number;
  /** Sent on every request as `Authorization: Bearer <token>` (`serve-model --token`); never logged or saved. */
  readonly token?: string;
}

export interface KserveSut {
  readonly name: 'kserve';
  /** The base URL as given, without a trailing slash. */
  readonly url: string;
  readonly model: string;
  readonly version: string | undefined;
  /** The URL inference requests go to. */
  readonly inferUrl: string;
  /** `GET /v2` when the server answers it (Triton and KServe do; it is optional in the protocol). */
  readonly server: ServerMetadata | undefined;
  readonly metadata: ModelMetadata;
  readonly io: BertIoBinding;
  /** Whether tensors travel as binary data (else JSON). */
  readonly binary: boolean;
  /** Why that encoding: what was asked and what the server said. */
  readonly encodingNote: string;
  /** Most samples per request, and where that number came from. */
  readonly maxBatchSize: number;
  readonly maxBatchNote: string;
  /** `load`: health, readiness and metadata requests; `warmup`: the warm-up requests. */
  readonly phases: { readonly load: PhaseSpan; readonly warmup: PhaseSpan };
  /** Run the samples (one request per `maxBatchSize` samples); logits in sample order. */
  issue(samples: readonly BertSample[]): Promise<BertLogits[]>;
  close(): Promise<void>;
}

const DEFAULT_TIMEOUT_S = 120;
/** Samples per request when neither the user nor the server says: 64 × 384 int64 × 3 inputs ≈ 590 KB in binary. */
const DEFAULT_MAX_BATCH = 64;

/** Connect to the server, check the model, recognise its BERT inputs and outputs, warm it up. */
export async function openKserveSut(opts: KserveSutOptions): Promise<KserveSut> {
  const clock = opts.clock ?? ((): number => performance.now() / 1000);
  const base = parseBaseUrl(opts.url);
  if (opts.model.trim() === '') throw errors.usage('give the model name the server knows', '--model-name');
  const timeoutS = opts.timeoutS ?? DEFAULT_TIMEOUT_S;
  if (!(timeoutS > 0)) throw errors.invalidValue({ field: 'timeoutS' }, `must be positive, got ${timeoutS}`);
  if (opts.warmupRuns !== undefined && (!Number.isSafeInteger(opts.warmupRuns) || opts.warmupRuns < 0)) {
    throw errors.invalidValue({ field: 'warmupRuns' }, `must be a non-negative integer, got ${opts.warmupRuns}`);
  }
  if (opts.maxBatchSize !== undefined && (!Number.isSafeInteger(opts.maxBatchSize) || opts.maxBatchSize < 1)) {
    throw errors.invalidValue({ field: 'maxBatchSize' }, `must be a positive integer, got ${opts.maxBatchSize}`);
  }
  if (opts.token !== undefined && !/^[\x21-\x7e]+$/.test(opts.token)) throw errors.usage('the token must be printable ASCII without spaces', '--token');
  const http_ = new HttpJson(base.protocol === 'https:' ? https : http, timeoutS, opts.token);
  try {
    const loadStart = clock();
    const root = base.href.replace(/\/$/, '');
    await http_.expectOk('GET', `${root}/v2/health/ready`, 'the server is not ready', 'a KServe v2 endpoint (give the server\'s base URL, e.g. http://host:8000)');
    const modelUrl = `${root}/v2/models/${encodeURIComponent(opts.model)}${opts.version !== undefined ? `/versions/${encodeURIComponent(opts.version)}` : ''}`;
    const modelWhat = `model '${opts.model}'${opts.version !== undefined ? ` version ${opts.version}` : ''} on this server`;
    await http_.expectOk('GET', `${modelUrl}/ready`, `${modelWhat} is not ready`, modelWhat);
    const metadata = parseModelMetadata(parseJsonBody((await http_.expectOk('GET', modelUrl, `no metadata for ${modelWhat}`, modelWhat)).body, { file: modelUrl }), { file: modelUrl });
    const io = bertIoOf(metadata, modelUrl, opts.inputNames);
    const server = await serverMetadata(http_, root);
    const binary = opts.binary ?? server?.extensions.includes(BINARY_EXTENSION) ?? false;
    const encodingNote =
      opts.binary !== undefined
        ? `${binary ? 'binary' : 'JSON'} requested`
        : binary
          ? `auto: the server lists ${BINARY_EXTENSION}`
          : `auto: ${server === undefined ? 'no server metadata at /v2' : `the server does not list ${BINARY_EXTENSION}`}, using JSON`;
    const batch = await chooseMaxBatch(http_, modelUrl, io, opts.maxBatchSize);
    const maxBatchSize = batch.size;
    const load = { startS: loadStart, endS: clock() };

    if (io.fixedBatch !== undefined && maxBatchSize > io.fixedBatch) {
      throw errors.invalidValue({ file: modelUrl, field: 'maxBatchSize' }, `the model fixes the batch at ${io.fixedBatch}; cannot send ${maxBatchSize} samples at once`);
    }
    const runner = new BatchSender(http_, `${modelUrl}/infer`, io, binary, maxBatchSize);

    const warmupStart = clock();
    const warm = warmupSamples(1, io.fixedSeqLen ?? MLPERF_SEQ_LEN);
    for (let i = 0; i < (opts.warmupRuns ?? 2); i++) await runner.issue(warm);
    const warmup = { startS: warmupStart, endS: clock() };

    return {
      name: 'kserve',
      url: root,
      model: opts.model,
      version: opts.version,
      inferUrl: `${modelUrl}/infer`,
      server,
      metadata,
      io,
      binary,
      encodingNote,
      maxBatchSize,
      maxBatchNote: batch.note,
      phases: { load, warmup },
      issue: (samples) => runner.issue(samples),
      close: () => {
        http_.close();
        return Promise.resolve();
      },
    };
  } catch (e) {
    http_.close();
    throw e;
  }
}

export interface KserveLoadgenSutOptions {
  /** Accuracy mode: answer each sample with its logits in the reference SUT's layout. */
  readonly accuracy?: boolean;
  /** Told the QSL indices of each query as it is issued. */
  readonly onIssue?: (indices: readonly number[]) => void;
}

/**
 * The HTTP SUT as LoadGen's system under test: a query's samples are taken from the QSL, sent as
 * one batch request (or the fewest the model's batch allows), and answered once all are back.
 */
export function kserveLoadgenSut(client: Pick<KserveSut, 'url' | 'model' | 'issue'>, qsl: BertSampleSource, opts: KserveLoadgenSutOptions = {}): SystemUnderTest {
  return bertLoadgenSut(`inferprint kserve-v2 ${client.url} model ${client.model}`, client, qsl, {
    ...(opts.onIssue !== undefined ? { onIssue: opts.onIssue } : {}),
    responseData: opts.accuracy === true,
  });
}

/**
 * A sample's answer as the reference BERT SUT gives it to LoadGen: float32 `(seq, 2)`, start and
 * end logits interleaved (`np.stack([start, end], axis=-1)`), little-endian bytes.
 */
export function interleavedLogitsBytes(logits: BertLogits): Uint8Array {
  if (logits.endLogits.length !== logits.startLogits.length) throw errors.internal(`start and end logits differ in length: ${logits.startLogits.length} and ${logits.endLogits.length}`);
  return logitsResponseBytes(logits);
}

// ---- model metadata → BERT roles ----

const KSERVE_TO_ORT_TYPE: Readonly<Record<string, string>> = { INT64: 'int64', INT32: 'int32', FP32: 'float32', FP16: 'float16', FP64: 'float64', BF16: 'bfloat16' };

const CANONICAL_INPUT: Readonly<Record<BertInputRole, string>> = { inputIds: 'input_ids', inputMask: 'input_mask', segmentIds: 'segment_ids' };

/**
 * The BERT roles of the model's tensors, recognised as for a local ONNX model. Names the user
 * gives are checked to exist, then stand in for the canonical ones during recognition.
 */
export function bertIoOf(metadata: ModelMetadata, source: string, inputNames: KserveSutOptions['inputNames'] = {}): BertIoBinding {
  const meta = (m: TensorMetadata): ValueMeta => ({ name: m.name, type: KSERVE_TO_ORT_TYPE[m.datatype] ?? m.datatype.toLowerCase(), shape: m.shape });
  const renamed = new Map<string, string>();
  for (const role of Object.keys(CANONICAL_INPUT) as BertInputRole[]) {
    const name = inputNames[role];
    if (name === undefined) continue;
    if (!metadata.inputs.some((m) => m.name === name)) {
      throw errors.invalidValue({ file: source, field: role }, `no input named ${name} (model inputs: ${metadata.inputs.map((m) => m.name).join(', ') || 'none'})`);
    }
    renamed.set(name, CANONICAL_INPUT[role]);
  }
  // Inputs the user did not name keep their names, unless one collides with a canonical name now taken.
  const taken = new Set(renamed.values());
  const inputs = metadata.inputs.map((m): ValueMeta => {
    const as = renamed.get(m.name);
    if (as !== undefined) return { ...meta(m), name: as };
    return taken.has(m.name) ? { ...meta(m), name: `${m.name}#unused` } : meta(m);
  });
  const io = detectBertIo(inputs, metadata.outputs.map(meta), source);
  const back = (canonical: string): string => [...renamed].find(([, c]) => c === canonical)?.[0] ?? canonical;
  return { ...io, inputIds: back(io.inputIds), inputMask: back(io.inputMask), segmentIds: back(io.segmentIds) };
}

async function serverMetadata(http_: HttpJson, root: string): Promise<ServerMetadata | undefined> {
  const url = `${root}/v2`;
  // Optional in the protocol: a server without it (or with an odd one) still serves inference.
  try {
    const r = await http_.send('GET', url);
    if (r.status !== 200) return undefined;
    return parseServerMetadata(parseJsonBody(r.body, { file: url }), { file: url });
  } catch (e) {
    if (isInferprintError(e) && e.code === 'PARSE') return undefined;
    throw e;
  }
}

async function chooseMaxBatch(http_: HttpJson, modelUrl: string, io: BertIoBinding, requested: number | undefined): Promise<{ size: number; note: string }> {
  if (requested !== undefined) return { size: requested, note: 'requested' };
  if (io.fixedBatch !== undefined) return { size: io.fixedBatch, note: 'the model fixes the batch' };
  // Triton's model configuration extension: a request above max_batch_size is refused there.
  const url = `${modelUrl}/config`;
  const r = await http_.send('GET', url);
  if (r.status === 200) {
    try {
      const config = parseJsonBody(r.body, { file: url });
      const max = typeof config === 'object' && config !== null && 'max_batch_size' in config ? config.max_batch_size : undefined;
      if (typeof max === 'number' && Number.isSafeInteger(max) && max > 0) return { size: max, note: `max_batch_size in ${url}` };
    } catch (e) {
      if (!isInferprintError(e)) throw e;
    }
  }
  return { size: DEFAULT_MAX_BATCH, note: 'default' };
}


// ---- inference requests ----

class BatchSender {
  private readonly outputNames: readonly string[];

  constructor(
    private readonly http: HttpJson,
    private readonly url: string,
    private readonly io: BertIoBinding,
    private readonly binary: boolean,
    private readonly maxBatchSize: number,
  ) {
    this.outputNames = io.output.kind === 'pair' ? [io.output.start, io.output.end] : [io.output.name];
  }

  async issue(samples: readonly BertSample[]): Promise<BertLogits[]> {
    if (samples.length === 0) return [];
    const seqLen = samples[0]!.inputIds.length;
    if (this.io.fixedSeqLen !== undefined && seqLen !== this.io.fixedSeqLen) {
      throw errors.invalidValue({ field: 'samples[0].inputIds' }, `length ${seqLen}, the model takes ${this.io.fixedSeqLen}`);
    }
    samples.forEach((s, i) => {
      if (s.inputIds.length !== seqLen || s.inputMask.length !== seqLen || s.segmentIds.length !== seqLen) {
        throw errors.invalidValue({ field: `samples[${i}]` }, `input lengths ${s.inputIds.length}/${s.inputMask.length}/${s.segmentIds.length} differ from ${seqLen}`);
      }
    });
    if (samples.length <= this.maxBatchSize) return this.send(samples, seqLen);
    const batches: (readonly BertSample[])[] = [];
    for (let at = 0; at < samples.length; at += this.maxBatchSize) batches.push(samples.slice(at, at + this.maxBatchSize));
    return (await Promise.all(batches.map((b) => this.send(b, seqLen)))).flat();
  }

  private async send(batch: readonly BertSample[], seqLen: number): Promise<BertLogits[]> {
    const n = batch.length;
    // A model with a fixed batch larger than this one gets padding rows, dropped from the answer.
    const rows = this.io.fixedBatch !== undefined && n < this.io.fixedBatch ? [...batch, ...Array.from({ length: this.io.fixedBatch - n }, () => batch[n - 1]!)] : batch;
    const shape = [rows.length, seqLen];
    const body = encodeInferRequest(
      {
        inputs: [
          this.input(this.io.inputIds, rows, (s) => s.inputIds, shape),
          this.input(this.io.inputMask, rows, (s) => s.inputMask, shape),
          this.input(this.io.segmentIds, rows, (s) => s.segmentIds, shape),
        ],
        outputs: this.outputNames.map((name) => (this.binary ? { name, binary: true } : { name })),
        ...(this.binary ? { binaryOutput: true } : {}),
      },
      { binaryInputs: this.binary },
    );
    const r = await this.http.send('POST', this.url, body);
    if (r.status !== 200) throw httpError(this.url, r.status, r.statusText, r.body);
    const where: Where = { file: this.url };
    const jsonLength = parseJsonLengthHeader(r.headers[HEADER_LENGTH_HEADER], where);
    const response = decodeInferResponse(r.body, jsonLength, where);
    const outputs =
      this.io.output.kind === 'pair'
        ? [this.output(response.outputs, this.io.output.start, rows.length, seqLen), this.output(response.outputs, this.io.output.end, rows.length, seqLen)]
        : [this.output(response.outputs, this.io.output.name, rows.length, seqLen * 2)];
    return splitLogits(this.io, outputs, n, seqLen);
  }

  private input(name: string, rows: readonly BertSample[], pick: (s: BertSample) => BigInt64Array, shape: number[]): KserveTensor {
    const seqLen = shape[1]!;
    if (this.io.inputType === 'int64') {
      // One sample (SingleStream, the study's scenario) goes without a copy.
      if (rows.length === 1) return tensor(name, 'INT64', shape, pick(rows[0]!));
      const data = new BigInt64Array(rows.length * seqLen);
      rows.forEach((s, i) => {
        data.set(pick(s), i * seqLen);
      });
      return tensor(name, 'INT64', shape, data);
    }
    const data = new Int32Array(rows.length * seqLen);
    rows.forEach((s, i) => {
      const src = pick(s);
      for (let j = 0; j < seqLen; j++) data[i * seqLen + j] = Number(src[j]!);
    });
    return tensor(name, 'INT32', shape, data);
  }

  /** The named output as float32, checked to hold `perRow` values for each of `rows` rows. */
  private output(outputs: readonly KserveTensor[], name: string, rows: number, perRow: number): Float32Array {
    const t = outputs.find((o) => o.name === name);
    const where: Where = { file: this.url, field: `outputs.${name}` };
    if (t === undefined) throw errors.parse(where, `missing from the response (outputs: ${outputs.map((o) => o.name).join(', ') || 'none'})`);
    if (!(t.data instanceof Float32Array)) throw errors.invalidValue(where, `datatype ${t.datatype}, expected FP32`);
    // [n, seq] or [n, seq, 1] (pair) and [n, seq, 2] (stacked) all hold n × perRow values.
    if (t.shape[0] !== rows || elementCount(t.shape) !== rows * perRow) throw errors.invalidValue(where, `shape [${t.shape.join(', ')}], expected ${rows} rows of ${perRow} values`);
    return t.data;
  }
}

// ---- HTTP ----

interface HttpResult {
  readonly status: number;
  readonly statusText: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Uint8Array;
}

/** Requests over one keep-alive agent; transport failures become coded errors naming the URL. */
class HttpJson {
  private readonly agent: http.Agent;

  constructor(
    private readonly transport: typeof http | typeof https,
    private readonly timeoutS: number,
    private readonly token?: string,
  ) {
    this.agent = new transport.Agent({ keepAlive: true, maxSockets: 64 });
  }

  close(): void {
    this.agent.destroy();
  }

  /** GET or POST; a non-200 answer is an error (404: `notFound` naming `what`). */
  async expectOk(method: 'GET' | 'POST', url: string, failure: string, what?: string): Promise<HttpResult> {
    const r = await this.send(method, url);
    if (r.status === 200) return r;
    if (r.status === 404 && what !== undefined) throw errors.notFound(url, `${what} (HTTP 404: ${errorMessageOf(r.body) || 'Not Found'})`);
    throw httpError(url, r.status, r.statusText, r.body, failure);
  }

  async send(method: 'GET' | 'POST', url: string, body?: EncodedBody): Promise<HttpResult> {
    try {
      return await this.once(method, url, body);
    } catch (e) {
      // A kept-alive socket the server closed just as it was reused: the request most likely never
      // arrived (an idle close), so it is sent once more. LoadGen still counts the query once; a
      // second reset in a row is the server's problem and is reported.
      if (!(e instanceof ReusedSocketReset)) throw e;
      try {
        return await this.once(method, url, body);
      } catch (e2) {
        if (e2 instanceof ReusedSocketReset) throw errors.io(url, 'the server reset the connection twice in a row');
        throw e2;
      }
    }
  }

  private once(method: 'GET' | 'POST', url: string, body: EncodedBody | undefined): Promise<HttpResult> {
    return new Promise((resolve, reject) => {
      const headers: http.OutgoingHttpHeaders = { accept: 'application/json, application/octet-stream' };
      if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
      if (body !== undefined) {
        headers['content-type'] = body.contentType;
        headers['content-length'] = body.body.length;
        if (body.jsonLength !== undefined) headers[HEADER_LENGTH_HEADER] = body.jsonLength;
      }
      const req = this.transport.request(url, { method, agent: this.agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', (e) => {
          reject(errors.io(url, `connection lost while reading the response (${describe(e)})`));
        });
        res.on('end', () => {
          const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, body: new Uint8Array(all.buffer, all.byteOffset, all.byteLength) });
        });
      });
      req.setTimeout(this.timeoutS * 1000, () => {
        req.destroy(new RequestTimeout());
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e instanceof RequestTimeout) reject(errors.io(url, `no response within ${this.timeoutS} s`));
        else if (req.reusedSocket && e.code === 'ECONNRESET') reject(new ReusedSocketReset());
        else if (e.code === 'ECONNREFUSED') reject(errors.io(url, `connection refused (${describe(e)}); is the server running and listening there?`));
        else if (e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN') reject(errors.io(url, `host not found (${describe(e)})`));
        else reject(errors.io(url, `request failed (${describe(e)})`));
      });
      if (body !== undefined) req.end(body.body);
      else req.end();
    });
  }
}

class RequestTimeout extends Error {}
class ReusedSocketReset extends Error {}

function describe(e: NodeJS.ErrnoException): string {
  return e.code !== undefined && !e.message.includes(e.code) ? `${e.code}: ${e.message}` : e.message;
}

function httpError(url: string, status: number, statusText: string, body: Uint8Array, context?: string): Error {
  const message = errorMessageOf(body);
  const detail = `HTTP ${status}${statusText ? ` ${statusText}` : ''}${message ? `: ${message}` : ''}`;
  if (status === 404) return errors.notFound(url, `the resource (${detail})`);
  return errors.io(url, context !== undefined ? `${context} (${detail})` : detail);
}

function parseBaseUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw errors.usage(`not a URL: '${raw}' (expected e.g. http://gpu-box:8000)`, '--url');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw errors.usage(`expected an http:// or https:// URL, got '${raw}'`, '--url');
  if (u.search !== '' || u.hash !== '') throw errors.usage(`the server URL takes no query or fragment, got '${raw}'`, '--url');
  // URLs end up in logs, error messages and run bundles: a password in one would leak there.
  if (u.username !== '' || u.password !== '') throw errors.usage('the server URL must not hold credentials; use an SSH tunnel or a private network', '--url');
  return u;
}
