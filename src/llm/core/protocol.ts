/**
 * The wire formats of the LLM serving APIs `bench --sut openai|ollama` drives, as pure
 * functions: the request body of one generation, and what one streamed event or line says
 * (text, finish reason, token usage, end, error). The HTTP client (`../client.ts`) does the I/O.
 *
 * - OpenAI-compatible (`/v1/chat/completions`, `/v1/completions`), streamed as server-sent
 *   events ending with `data: [DONE]`; token usage in a last chunk when asked for with
 *   `stream_options: {include_usage: true}` (OpenAI, vLLM, llama.cpp's server, TGI ≥ 2.x,
 *   Ollama's /v1), per chunk with vLLM's `continuous_usage_stats`.
 * - Ollama's native API (`/api/generate`, `/api/chat`), streamed as one JSON object per line;
 *   the last has `done: true` and the counts `prompt_eval_count` and `eval_count`.
 */

export type LlmSut = 'openai' | 'ollama';
export type LlmApi = 'openai-chat' | 'openai-completions' | 'ollama-generate' | 'ollama-chat';
export const LLM_APIS: readonly LlmApi[] = ['openai-chat', 'openai-completions', 'ollama-generate', 'ollama-chat'];

export const API_PATHS: Readonly<Record<LlmApi, string>> = {
  'openai-chat': '/v1/chat/completions',
  'openai-completions': '/v1/completions',
  'ollama-generate': '/api/generate',
  'ollama-chat': '/api/chat',
};

/** Where each kind of server lists the models it serves. */
export const MODELS_PATHS: Readonly<Record<LlmSut, string>> = { openai: '/v1/models', ollama: '/api/tags' };

/** The API of a server kind and a style (`chat` or `completions`/`generate`). */
export function apiOf(sut: LlmSut, style: 'chat' | 'completions'): LlmApi {
  if (sut === 'openai') return style === 'chat' ? 'openai-chat' : 'openai-completions';
  return style === 'chat' ? 'ollama-chat' : 'ollama-generate';
}

export const isChatApi = (api: LlmApi): boolean => api === 'openai-chat' || api === 'ollama-chat';
export const sutOf = (api: LlmApi): LlmSut => (api.startsWith('openai') ? 'openai' : 'ollama');

export interface ChatMessage {
  readonly role: string;
  readonly content: string;
}

/** One prompt: plain text (completions, or one user message for chat) or a conversation (chat only). */
export type Prompt = { readonly kind: 'text'; readonly text: string } | { readonly kind: 'chat'; readonly messages: readonly ChatMessage[] };

export interface GenerationSettings {
  readonly model: string;
  /** Most tokens to generate; absent: the server's default. */
  readonly maxTokens?: number;
  /** Ask the server to go on past end-of-sequence (vLLM, llama.cpp), for fixed output lengths. */
  readonly ignoreEos: boolean;
  /** OpenAI: ask for token usage in the stream (`stream_options.include_usage`). */
  readonly streamUsage: boolean;
}

/** The JSON body of one streamed, greedy (temperature 0) generation. */
export function requestBody(api: LlmApi, prompt: Prompt, s: GenerationSettings): Record<string, unknown> {
  const messages = prompt.kind === 'chat' ? prompt.messages : [{ role: 'user', content: prompt.text }];
  const text = prompt.kind === 'text' ? prompt.text : messages.map((m) => m.content).join('\n');
  switch (api) {
    case 'openai-chat':
    case 'openai-completions':
      return {
        model: s.model,
        ...(api === 'openai-chat' ? { messages } : { prompt: text }),
        stream: true,
        temperature: 0,
        ...(s.maxTokens !== undefined ? { max_tokens: s.maxTokens } : {}),
        ...(s.ignoreEos ? { ignore_eos: true } : {}),
        ...(s.streamUsage ? { stream_options: { include_usage: true } } : {}),
      };
    case 'ollama-generate':
    case 'ollama-chat':
      return {
        model: s.model,
        ...(api === 'ollama-chat' ? { messages } : { prompt: text }),
        stream: true,
        options: { temperature: 0, ...(s.maxTokens !== undefined ? { num_predict: s.maxTokens } : {}) },
      };
  }
}

/** Token counts a server reported; null where it did not say. */
export interface Usage {
  readonly promptTokens: number | null;
  readonly completionTokens: number | null;
}

/** What one streamed event (OpenAI) or line (Ollama) says. */
export interface StreamChunk {
  /** Generated text in it (content, and reasoning text where the server streams it apart); '' for none. */
  readonly text: string;
  readonly finishReason?: string;
  readonly usage?: Usage;
  /** The end-of-stream marker: `[DONE]` (OpenAI) or `done: true` (Ollama). */
  readonly done: boolean;
  /** An error the server reported inside the stream. */
  readonly error?: string;
}

export type ParsedChunk = { readonly ok: true; readonly chunk: StreamChunk } | { readonly ok: false; readonly problem: string };

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; problem: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, problem: `not JSON (${e instanceof Error ? e.message : String(e)}): ${text.length > 60 ? `${text.slice(0, 60)}…` : text}` };
  }
}

function errorText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (isObj(v) && typeof v.message === 'string') return v.message;
  return JSON.stringify(v);
}

/** One SSE event's data of an OpenAI-compatible stream. */
export function parseOpenAiEvent(data: string): ParsedChunk {
  if (data.trim() === '[DONE]') return { ok: true, chunk: { text: '', done: true } };
  const parsed = parseJson(data);
  if (!parsed.ok) return parsed;
  const v = parsed.value;
  if (!isObj(v)) return { ok: false, problem: 'event data is not a JSON object' };
  const error = errorText(v.error);
  if (error !== undefined) return { ok: true, chunk: { text: '', done: false, error } };
  const choice = Array.isArray(v.choices) && isObj(v.choices[0]) ? v.choices[0] : undefined;
  let text = '';
  let finishReason: string | undefined;
  if (choice) {
    const delta = isObj(choice.delta) ? choice.delta : undefined;
    text = delta ? str(delta.reasoning_content) + str(delta.reasoning) + str(delta.content) : str(choice.text);
    if (typeof choice.finish_reason === 'string') finishReason = choice.finish_reason;
  }
  const usage = isObj(v.usage) ? { promptTokens: count(v.usage.prompt_tokens), completionTokens: count(v.usage.completion_tokens) } : undefined;
  return { ok: true, chunk: { text, done: false, ...(finishReason !== undefined ? { finishReason } : {}), ...(usage ? { usage } : {}) } };
}

/** One line of an Ollama native stream. */
export function parseOllamaLine(line: string, api: 'ollama-generate' | 'ollama-chat'): ParsedChunk {
  const parsed = parseJson(line);
  if (!parsed.ok) return parsed;
  const v = parsed.value;
  if (!isObj(v)) return { ok: false, problem: 'line is not a JSON object' };
  const error = errorText(v.error);
  if (error !== undefined) return { ok: true, chunk: { text: '', done: false, error } };
  const msg = api === 'ollama-chat' && isObj(v.message) ? v.message : undefined;
  const text = api === 'ollama-chat' ? str(msg?.thinking) + str(msg?.content) : str(v.thinking) + str(v.response);
  const done = v.done === true;
  if (!done) return { ok: true, chunk: { text, done } };
  return {
    ok: true,
    chunk: {
      text,
      done,
      ...(typeof v.done_reason === 'string' ? { finishReason: v.done_reason } : {}),
      usage: { promptTokens: count(v.prompt_eval_count), completionTokens: count(v.eval_count) },
    },
  };
}

/** The models a server lists: OpenAI's `{data: [{id}]}`, Ollama's `{models: [{name, model}]}`. */
export function listedModels(sut: LlmSut, body: unknown): string[] | undefined {
  if (!isObj(body)) return undefined;
  if (sut === 'openai') return Array.isArray(body.data) ? body.data.filter(isObj).map((m) => str(m.id)).filter((s) => s !== '') : undefined;
  return Array.isArray(body.models) ? body.models.filter(isObj).flatMap((m) => [str(m.name), str(m.model)]).filter((s) => s !== '') : undefined;
}

/** Whether `wanted` names a listed model; Ollama's `llama3` means `llama3:latest`. */
export function modelListed(sut: LlmSut, wanted: string, listed: readonly string[]): boolean {
  if (listed.includes(wanted)) return true;
  return sut === 'ollama' && !wanted.includes(':') && listed.includes(`${wanted}:latest`);
}
