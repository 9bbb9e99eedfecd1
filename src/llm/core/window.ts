/**
 * Where in a load level the server is in steady state, and what happens there — from request
 * timelines alone, so it is tested on constructed timelines. Pure.
 *
 * Closed loop (N clients, each sending its next request when its last one ends), as the
 * ML.ENERGY benchmark defines the window: from when every client has received its first token
 * (the ramp-up, in which the server fills its batch, is over) to when the first client has no
 * next request (the ramp-down, in which the batch empties, begins). ML.ENERGY counts it as "B
 * requests have their first token" → "N − B have": with B clients in flight the two agree.
 *
 * Open loop (Poisson arrivals): from the first token of the first request to the last arrival;
 * after it, the load only drains.
 *
 * Energy per token over the window is then the window's energy over the tokens generated in it:
 * the chunks that arrived inside it, each counting for its share of its request's reported
 * tokens (`tokensPerChunk`).
 */
import { tokensPerChunk, type RequestRecord } from './timeline.js';

export type LoadShape = { readonly mode: 'closed'; readonly clients: number } | { readonly mode: 'poisson' };

export type SteadyWindow = { readonly kind: 'steady'; readonly t0S: number; readonly t1S: number } | { readonly kind: 'none'; readonly reason: string };

type Timed = Pick<RequestRecord, 'client' | 'sentS' | 'tokenTimesS' | 'endS'>;

export function steadyStateWindow(records: readonly Timed[], load: LoadShape): SteadyWindow {
  if (records.length === 0) return { kind: 'none', reason: 'no request was sent' };
  if (load.mode === 'poisson') {
    const firsts = records.flatMap((r) => (r.tokenTimesS.length > 0 ? [r.tokenTimesS[0]!] : []));
    if (firsts.length === 0) return { kind: 'none', reason: 'no request received a token' };
    const t0S = Math.min(...firsts);
    const t1S = Math.max(...records.map((r) => r.sentS));
    return t1S > t0S ? { kind: 'steady', t0S, t1S } : { kind: 'none', reason: 'the last request was sent before the first token arrived: too few requests for a steady state' };
  }
  let t0S = Number.NEGATIVE_INFINITY;
  let t1S = Number.POSITIVE_INFINITY;
  for (let c = 0; c < load.clients; c++) {
    const mine = records.filter((r) => r.client === c);
    if (mine.length === 0) return { kind: 'none', reason: `client ${c} sent no request (fewer requests than clients)` };
    const firsts = mine.flatMap((r) => (r.tokenTimesS.length > 0 ? [r.tokenTimesS[0]!] : []));
    if (firsts.length === 0) return { kind: 'none', reason: `client ${c} never received a token` };
    t0S = Math.max(t0S, Math.min(...firsts));
    t1S = Math.min(t1S, Math.max(...mine.map((r) => r.endS)));
  }
  return t1S > t0S
    ? { kind: 'steady', t0S, t1S }
    : { kind: 'none', reason: `a client ran out of requests (at ${t1S.toFixed(3)} s) before every client had its first token (at ${t0S.toFixed(3)} s): send more requests per level` };
}

/** Output tokens generated inside [t0S, t1S] (chunks arriving in it, each its share of its request's tokens). */
export function tokensInWindow(records: readonly RequestRecord[], t0S: number, t1S: number): number {
  let n = 0;
  for (const r of records) {
    const per = tokensPerChunk(r);
    for (const t of r.tokenTimesS) if (t >= t0S && t <= t1S) n += per;
  }
  return n;
}

export type Interval = readonly [t0S: number, t1S: number];

export interface PhaseIntervals {
  /** Time at least one request waited for its first token (prefill, and queueing before it). */
  readonly prefill: readonly Interval[];
  /** Time at least one request was generating and none waited for its first token. */
  readonly decode: readonly Interval[];
  /** Whether requests overlapped in time (then a prefill interval also holds other requests' decoding). */
  readonly overlapping: boolean;
}

/**
 * Split a level's time into prefill and decode by each request's first token: a request is in
 * prefill from sent to first token, in decode from first token to its end. Without overlap
 * (concurrency 1) this splits every request exactly at its TTFT boundary; with overlap, time in
 * which any request awaits its first token counts as prefill — an approximation, since a
 * continuous-batching server decodes other requests in the same steps.
 */
export function phaseIntervals(records: readonly Pick<RequestRecord, 'sentS' | 'tokenTimesS' | 'endS'>[]): PhaseIntervals {
  type Edge = { readonly t: number; readonly prefill: number; readonly decode: number; readonly active: number };
  const edges: Edge[] = [];
  for (const r of records) {
    const first = r.tokenTimesS[0];
    const prefillEnd = first ?? r.endS;
    edges.push({ t: r.sentS, prefill: 1, decode: 0, active: 1 }, { t: prefillEnd, prefill: -1, decode: 0, active: 0 });
    if (first !== undefined) edges.push({ t: first, prefill: 0, decode: 1, active: 0 }, { t: r.endS, prefill: 0, decode: -1, active: 0 });
    edges.push({ t: r.endS, prefill: 0, decode: 0, active: -1 });
  }
  edges.sort((a, b) => a.t - b.t);
  const prefill: Interval[] = [];
  const decode: Interval[] = [];
  let inPrefill = 0;
  let inDecode = 0;
  let active = 0;
  let maxActive = 0;
  let prevT = edges[0]?.t ?? 0;
  const add = (list: Interval[], a: number, b: number): void => {
    if (!(b > a)) return;
    const last = list[list.length - 1];
    if (last && last[1] === a) list[list.length - 1] = [last[0], b];
    else list.push([a, b]);
  };
  for (let i = 0; i < edges.length; ) {
    const t = edges[i]!.t;
    if (inPrefill > 0) add(prefill, prevT, t);
    else if (inDecode > 0) add(decode, prevT, t);
    // Apply every edge at this instant before measuring the concurrency (an end and a send at the same time do not overlap).
    for (; i < edges.length && edges[i]!.t === t; i++) {
      inPrefill += edges[i]!.prefill;
      inDecode += edges[i]!.decode;
      active += edges[i]!.active;
    }
    maxActive = Math.max(maxActive, active);
    prevT = t;
  }
  return { prefill, decode, overlapping: maxActive > 1 };
}
