import type { LatencyObservation, LatencyStats } from './types.js';

/**
 * Mean of integer nanoseconds, in ms, correctly rounded: the sum of integers below 2^53 is
 * exact in any order, and one division by `n × 1e6` rounds once. (The study summed float ms
 * values in its file-system order, so its last digit can differ by an ulp or two.)
 */
const meanNsToMs = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / (xs.length * 1e6);

/**
 * Latency per query count, as the study computed it: the mean of `Max latency (ns)` over
 * every summary whose `min_query_count` equals the query count, with no filtering on
 * validity or campaign (nearly every run is INVALID for not meeting the 10-minute minimum).
 */
export function latencyByQueryCount(obs: readonly LatencyObservation[]): Map<number, LatencyStats> {
  const groups = new Map<number, LatencyObservation[]>();
  for (const o of obs) {
    const g = groups.get(o.queryCount);
    if (g) g.push(o);
    else groups.set(o.queryCount, [o]);
  }
  const out = new Map<number, LatencyStats>();
  for (const [qc, g] of groups) {
    const p90 = g.flatMap((o) => (o.p90LatencyNs === undefined ? [] : [o.p90LatencyNs]));
    const meanLat = g.flatMap((o) => (o.meanLatencyNs === undefined ? [] : [o.meanLatencyNs]));
    out.set(qc, {
      runs: g.length,
      maxLatencyMs: meanNsToMs(g.map((o) => o.maxLatencyNs)),
      ...(p90.length === g.length ? { p90LatencyMs: meanNsToMs(p90) } : {}),
      ...(meanLat.length === g.length ? { meanLatencyMs: meanNsToMs(meanLat) } : {}),
    });
  }
  return out;
}
