/**
 * One request of an LLM benchmark as a timeline — when it was sent, when each piece of
 * generated text arrived, when it ended and how — and what is derived from it: time to first
 * token (TTFT), every inter-token gap (ITL), time per output token (TPOT), end-to-end latency,
 * output tokens. Times are seconds on the run's trace axis (t = 0 when the recording started),
 * so windows found from timelines are windows of the power trace. Pure.
 *
 * Definitions (as vLLM's `benchmark_serving`, ML.ENERGY and MLPerf use them):
 * - TTFT = first text − sent; a chunk with no text (a role-only first chunk, a keep-alive) is no token;
 * - TPOT = (last text − first text) / (output tokens − 1), for two tokens or more;
 * - ITL = the gaps between consecutive chunks with text;
 * - end-to-end = end of the response − sent;
 * - output tokens: the server's `usage` when it reported one, else the chunks with text (one
 *   token per chunk, which is how vLLM, llama.cpp, TGI and Ollama stream), and the record says which.
 */
import type { Usage } from './protocol.js';

/**
 * How a request ended. `ok`: the stream ended with its end marker; every other outcome is
 * counted as a failed request and kept with what it received.
 */
export type RequestOutcome =
  /** The stream ended with `[DONE]` / `done: true` (even with no text: see `emptyResponses`). */
  | 'ok'
  /** The server answered with an error status (429, 500, ...). */
  | 'http-error'
  /** The stream stopped early: cut mid-event, or ended without its end marker. */
  | 'truncated'
  /** No answer (or no more of it) within the client's time limits. */
  | 'timeout'
  /** The connection failed (refused, reset). */
  | 'connection'
  /** The server sent something that is not the protocol (bad JSON), or an error inside the stream. */
  | 'protocol'
  /** Stopped by the user (Ctrl-C) before it ended. */
  | 'aborted';

export const REQUEST_OUTCOMES: readonly RequestOutcome[] = ['ok', 'http-error', 'truncated', 'timeout', 'connection', 'protocol', 'aborted'];

export interface RequestRecord {
  /** Order of dispatch within its level, from 0. */
  readonly index: number;
  /** The closed-loop client that sent it; null in an open loop. */
  readonly client: number | null;
  /** Which prompt of the set it used. */
  readonly promptIndex: number;
  /** Open loop: when its arrival was due (it is sent at or just after). */
  readonly scheduledS?: number;
  readonly sentS: number;
  /** Arrival of every chunk that carried text, in order (the first is the first token). */
  readonly tokenTimesS: readonly number[];
  /** When the response ended (end marker, error, cut or time-out). */
  readonly endS: number;
  readonly outcome: RequestOutcome;
  /** What went wrong, in one line (error message, truncation reason). */
  readonly detail?: string;
  readonly httpStatus?: number;
  /** `stop`, `length`, ... as the server said; null when it did not. */
  readonly finishReason: string | null;
  /** The last usage the server reported in the stream; null when it reported none. */
  readonly usage: Usage | null;
}

/** Output tokens and where the count comes from. */
export function outputTokens(r: RequestRecord): { readonly tokens: number; readonly source: 'usage' | 'stream' } {
  const reported = r.usage?.completionTokens;
  return reported !== null && reported !== undefined ? { tokens: reported, source: 'usage' } : { tokens: r.tokenTimesS.length, source: 'stream' };
}

export function ttftS(r: RequestRecord): number | null {
  const first = r.tokenTimesS[0];
  return first === undefined ? null : first - r.sentS;
}

export function tpotS(r: RequestRecord): number | null {
  const n = outputTokens(r).tokens;
  const times = r.tokenTimesS;
  if (n < 2 || times.length === 0) return null;
  return (times[times.length - 1]! - times[0]!) / (n - 1);
}

export function interTokenGapsS(r: RequestRecord): number[] {
  const out: number[] = [];
  for (let i = 1; i < r.tokenTimesS.length; i++) out.push(r.tokenTimesS[i]! - r.tokenTimesS[i - 1]!);
  return out;
}

export function e2eS(r: RequestRecord): number {
  return r.endS - r.sentS;
}

/**
 * Tokens each chunk stands for: the reported count spread evenly over the chunks with text
 * (1 when counted from the stream). Used to count the tokens generated inside a time window.
 */
export function tokensPerChunk(r: RequestRecord): number {
  const chunks = r.tokenTimesS.length;
  return chunks === 0 ? 0 : outputTokens(r).tokens / chunks;
}

/** A request as one line of `llm_requests.jsonl` (the bundle's per-request file): short keys, times in s. */
export function recordJson(level: string, r: RequestRecord): Record<string, unknown> {
  return {
    level,
    i: r.index,
    client: r.client,
    prompt: r.promptIndex,
    ...(r.scheduledS !== undefined ? { scheduled_s: r.scheduledS } : {}),
    sent_s: r.sentS,
    tokens_s: r.tokenTimesS,
    end_s: r.endS,
    outcome: r.outcome,
    ...(r.detail !== undefined ? { detail: r.detail } : {}),
    ...(r.httpStatus !== undefined ? { http_status: r.httpStatus } : {}),
    finish: r.finishReason,
    usage: r.usage === null ? null : { prompt_tokens: r.usage.promptTokens, completion_tokens: r.usage.completionTokens },
  };
}

const OUTCOME_SET: ReadonlySet<string> = new Set(REQUEST_OUTCOMES);
type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const countOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);

/** A line of `llm_requests.jsonl` back into its level and record; a string saying what is wrong otherwise. */
export function parseRecordJson(v: unknown): { readonly level: string; readonly record: RequestRecord } | string {
  if (!isObj(v)) return 'not a JSON object';
  if (typeof v.level !== 'string' || v.level === '') return "'level' is not a name";
  if (!Number.isInteger(v.i)) return "'i' is not an integer";
  if (!num(v.sent_s) || !num(v.end_s)) return "'sent_s' and 'end_s' must be numbers";
  if (!Array.isArray(v.tokens_s) || !v.tokens_s.every(num)) return "'tokens_s' must be a list of numbers";
  if (typeof v.outcome !== 'string' || !OUTCOME_SET.has(v.outcome)) return `'outcome' must be one of ${REQUEST_OUTCOMES.join(', ')}`;
  const usage = isObj(v.usage) ? { promptTokens: countOrNull(v.usage.prompt_tokens), completionTokens: countOrNull(v.usage.completion_tokens) } : null;
  return {
    level: v.level,
    record: {
      index: v.i as number,
      client: Number.isInteger(v.client) ? (v.client as number) : null,
      promptIndex: Number.isInteger(v.prompt) ? (v.prompt as number) : 0,
      ...(num(v.scheduled_s) ? { scheduledS: v.scheduled_s } : {}),
      sentS: v.sent_s,
      tokenTimesS: v.tokens_s,
      endS: v.end_s,
      outcome: v.outcome as RequestOutcome,
      ...(typeof v.detail === 'string' ? { detail: v.detail } : {}),
      ...(Number.isInteger(v.http_status) ? { httpStatus: v.http_status as number } : {}),
      finishReason: typeof v.finish === 'string' ? v.finish : null,
      usage,
    },
  };
}
