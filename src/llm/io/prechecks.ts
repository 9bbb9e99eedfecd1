/**
 * What an LLM benchmark checks before it writes or measures anything, each failure one coded
 * line naming the URL or flag: the server answers at the URL, it lists the model, and a short
 * streamed generation with the run's settings comes back as a stream. The probe also learns
 * what the server supports — token usage in the stream (`stream_options`), `ignore_eos` — and
 * warms the model up.
 */
import { errors } from '../../errors.js';
import { endpoint, errorMessageOf, jsonRequest, streamRequest, type ClientTimeouts, type StreamResult } from './client.js';
import { listedModels, modelListed, MODELS_PATHS, requestBody, sutOf, type LlmApi, type LlmSut } from '../core/protocol.js';

export interface ServerCheckOptions {
  readonly baseUrl: URL;
  readonly api: LlmApi;
  readonly model: string;
  readonly maxTokens?: number;
  readonly ignoreEos: boolean;
  readonly timeouts: ClientTimeouts;
  readonly apiKey?: string;
  readonly nowS: () => number;
}

export interface ServerFacts {
  /** The models the server lists. */
  readonly models: readonly string[];
  /** OpenAI: whether the server takes `stream_options.include_usage` (then every request asks for usage). */
  readonly streamUsage: boolean;
  /** Whether the probe's stream carried token usage. */
  readonly usageReported: boolean;
  /** The probe (a short generation), for its time to first token. */
  readonly probe: StreamResult;
  readonly notes: readonly string[];
}

const PROBE_PROMPT = 'Say hello.';
const PROBE_TOKENS = 4;

const refusedBody = (r: StreamResult): boolean => r.outcome === 'http-error' && (r.httpStatus === 400 || r.httpStatus === 422);

export async function checkServer(o: ServerCheckOptions): Promise<ServerFacts> {
  const sut: LlmSut = sutOf(o.api);
  const modelsUrl = endpoint(o.baseUrl, MODELS_PATHS[sut]);
  const reply = await jsonRequest(modelsUrl, { timeoutS: Math.min(o.timeouts.idleS, 30), ...(o.apiKey !== undefined ? { apiKey: o.apiKey } : {}) });
  if (reply.status !== 200) {
    const hint = reply.status === 404 ? (sut === 'openai' ? ' — is it an OpenAI-compatible server? (Ollama natively: --sut ollama)' : ' — is it an Ollama server? (OpenAI-compatible: --sut openai)') : '';
    throw errors.invalidValue({ file: modelsUrl.href, flag: '--url' }, `the model list answered HTTP ${reply.status}: ${errorMessageOf(reply.text) || 'no message'}${hint}`);
  }
  let body: unknown;
  try {
    body = JSON.parse(reply.text);
  } catch {
    throw errors.invalidValue({ file: modelsUrl.href, flag: '--url' }, `the model list is not JSON (${reply.contentType || 'no content type'})`);
  }
  const models = listedModels(sut, body);
  if (models === undefined) throw errors.invalidValue({ file: modelsUrl.href, flag: '--url' }, `not a model list (expected ${sut === 'openai' ? '{"data": [{"id": ...}]}' : '{"models": [{"name": ...}]}'})`);
  if (!modelListed(sut, o.model, models)) {
    const shown = models.length === 0 ? 'none' : models.slice(0, 12).join(', ') + (models.length > 12 ? ', …' : '');
    throw errors.invalidValue({ file: modelsUrl.href, flag: '--model' }, `the server does not list model '${o.model}' (it lists: ${shown})`);
  }

  const probe = (streamUsage: boolean, ignoreEos: boolean): Promise<StreamResult> =>
    streamRequest({
      baseUrl: o.baseUrl,
      api: o.api,
      body: requestBody(o.api, { kind: 'text', text: PROBE_PROMPT }, { model: o.model, maxTokens: Math.min(PROBE_TOKENS, o.maxTokens ?? PROBE_TOKENS), ignoreEos, streamUsage }),
      nowS: o.nowS,
      timeouts: o.timeouts,
      ...(o.apiKey !== undefined ? { apiKey: o.apiKey } : {}),
    });
  const notes: string[] = [];
  let streamUsage = sut === 'openai';
  let r = await probe(streamUsage, o.ignoreEos);
  if (refusedBody(r) && streamUsage) {
    // Some servers refuse fields they do not know: try again without the usage request.
    const without = await probe(false, o.ignoreEos);
    if (without.outcome === 'ok') {
      streamUsage = false;
      notes.push(`the server refused stream_options (${r.detail ?? ''}): output tokens are counted from the stream`);
      r = without;
    }
  }
  if (refusedBody(r) && o.ignoreEos) {
    const plain = await probe(false, false);
    if (plain.outcome === 'ok') throw errors.invalidValue({ file: o.baseUrl.href, flag: '--ignore-eos' }, `the server refuses ignore_eos (${r.detail ?? 'HTTP error'}): run without --ignore-eos`);
  }
  const url = endpoint(o.baseUrl, '').href.replace(/\/$/, '');
  switch (r.outcome) {
    case 'ok':
      break;
    case 'protocol':
      throw errors.invalidValue({ file: url, flag: '--sut' }, `a streamed test generation failed: ${r.detail ?? 'not the protocol'}`);
    case 'http-error':
      throw errors.invalidValue({ file: url, flag: r.httpStatus === 404 ? '--model' : '--url' }, `a streamed test generation failed: ${r.detail ?? `HTTP ${r.httpStatus ?? '?'}`}`);
    default:
      throw errors.io(url, `a streamed test generation failed (${r.outcome}): ${r.detail ?? 'no detail'}`);
  }
  if (r.tokenTimesS.length === 0) notes.push('the test generation streamed no text (the model ended at once): streaming could not be timed yet');
  const usageReported = r.usage?.completionTokens !== null && r.usage?.completionTokens !== undefined;
  if (!usageReported) notes.push('the server reports no token usage in the stream: output tokens are counted from the stream (one per chunk with text), input tokens are unknown');
  return { models, streamUsage, usageReported, probe: r, notes };
}
