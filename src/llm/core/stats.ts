/**
 * Statistics of one load level (one concurrency or one request rate) from its request
 * timelines: counts by outcome and finish reason, tokens, and TTFT / TPOT / ITL / end-to-end
 * distributions. Pure.
 *
 * Latency statistics cover the requests that ended well (`ok`), as vLLM's and ML.ENERGY's
 * benchmarks do; every other request is counted by outcome, never dropped silently. Tokens
 * count everything received, failed requests' partial answers included: the server spent the
 * energy on them. Percentiles interpolate between order statistics (type 7, numpy's default).
 */
import type { LlmDistribution } from '../../runs/manifest.js';
import { quantileSorted } from '../../traces/stats.js';
import { e2eS, interTokenGapsS, outputTokens, REQUEST_OUTCOMES, tpotS, ttftS, type RequestOutcome, type RequestRecord } from './timeline.js';

/** The manifest's distribution record (there in ms; `distribution` gives any unit). */
export type Distribution = LlmDistribution;

/** Mean, p50, p90, p99 and max of values (any unit); null without values. */
export function distribution(values: readonly number[]): Distribution | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    mean: sum / sorted.length,
    p50: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
    max: sorted[sorted.length - 1]!,
  };
}

const toMs = (d: Distribution | null): Distribution | null =>
  d === null ? null : { count: d.count, mean: d.mean * 1000, p50: d.p50 * 1000, p90: d.p90 * 1000, p99: d.p99 * 1000, max: d.max * 1000 };

export interface LevelStats {
  readonly requests: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Requests per outcome (every outcome listed, zeros included). */
  readonly outcomes: Readonly<Record<RequestOutcome, number>>;
  /** Requests per finish reason the server gave (`stop`, `length`, ...; `none` when it gave none). */
  readonly finishReasons: Readonly<Record<string, number>>;
  /** Requests that ended well but carried no text at all. */
  readonly emptyResponses: number;
  /** Prompt tokens the server reported, summed; null when it reported none. */
  readonly inputTokens: number | null;
  /** Requests whose prompt tokens the server reported. */
  readonly inputTokensReported: number;
  readonly outputTokens: number;
  /** Where the output counts come from: every request's `usage`, the stream for all, or some of each. */
  readonly outputTokensSource: 'usage' | 'stream' | 'mixed';
  /** First request sent to last request ended, s. */
  readonly durationS: number;
  readonly ttftMs: Distribution | null;
  readonly tpotMs: Distribution | null;
  readonly itlMs: Distribution | null;
  readonly e2eMs: Distribution | null;
}

export function levelStats(records: readonly RequestRecord[]): LevelStats {
  const outcomes = Object.fromEntries(REQUEST_OUTCOMES.map((o) => [o, 0])) as Record<RequestOutcome, number>;
  const finishReasons: Record<string, number> = {};
  let inputTokens = 0;
  let inputReported = 0;
  let out = 0;
  const sources = new Set<'usage' | 'stream'>();
  let empty = 0;
  const ttft: number[] = [];
  const tpot: number[] = [];
  const itl: number[] = [];
  const e2e: number[] = [];
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const r of records) {
    outcomes[r.outcome]++;
    const reason = r.finishReason ?? 'none';
    finishReasons[reason] = (finishReasons[reason] ?? 0) + 1;
    const p = r.usage?.promptTokens;
    if (p !== null && p !== undefined) {
      inputTokens += p;
      inputReported++;
    }
    const o = outputTokens(r);
    out += o.tokens;
    sources.add(o.source);
    first = Math.min(first, r.sentS);
    last = Math.max(last, r.endS);
    if (r.outcome !== 'ok') continue;
    if (r.tokenTimesS.length === 0) empty++;
    const t = ttftS(r);
    if (t !== null) ttft.push(t);
    const tp = tpotS(r);
    if (tp !== null) tpot.push(tp);
    itl.push(...interTokenGapsS(r));
    e2e.push(e2eS(r));
  }
  return {
    requests: records.length,
    succeeded: outcomes.ok,
    failed: records.length - outcomes.ok,
    outcomes,
    finishReasons,
    emptyResponses: empty,
    inputTokens: inputReported > 0 ? inputTokens : null,
    inputTokensReported: inputReported,
    outputTokens: out,
    outputTokensSource: sources.size > 1 ? 'mixed' : sources.has('stream') ? 'stream' : 'usage',
    durationS: records.length > 0 ? last - first : 0,
    ttftMs: toMs(distribution(ttft)),
    tpotMs: toMs(distribution(tpot)),
    itlMs: toMs(distribution(itl)),
    e2eMs: toMs(distribution(e2e)),
  };
}
