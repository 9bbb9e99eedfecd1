/**
 * LoadGen's performance results (`PerformanceSummary`, v4.1 results.cc; v1.1 loadgen.cc with
 * the same formulas): latency statistics, throughput, validity, early stopping and the
 * recommendations the summary prints — computed from what a run measured, exactly as the
 * reference computes them so a summary written from them matches a real one byte for byte.
 *
 * The reference's arithmetic, kept on purpose: the mean is int64 division (truncated); a
 * percentile p is `sorted[(size_t)(n * p)]` with n·p in double, no interpolation; seconds are
 * `ns / 1e9` in double; QPS with overhead counts n − 1 intervals up to the last issue.
 * Pure: numbers in, record out.
 */
import { errors } from '../../errors.js';
import type { MlperfMode, MlperfScenario } from '../../mlperf/types.js';
import {
  MULTI_STREAM_INFERENCE_PERCENTILE,
  MinPassingQueriesFinder,
  percentileEarlyStopping,
  serverEarlyStopping,
  type PercentileEarlyStopping,
  type ServerEarlyStopping,
} from './early-stopping.js';
import type { EffectiveSettings, LoadgenRelease } from './settings.js';

/** The percentiles every summary reports, in LoadGen's order. */
export const LATENCY_PERCENTILES = [0.5, 0.9, 0.95, 0.97, 0.99, 0.999] as const;

/** What a run measured (C++ `PerformanceResult`). Times are ns since issuing started. */
export interface RunMeasurements {
  /** One latency per sample (completion − scheduled time), ns, any order. */
  readonly sampleLatenciesNs: ArrayLike<number>;
  /** MultiStream: one latency per query (all samples done − scheduled), ns. */
  readonly queryLatenciesNs?: ArrayLike<number> | undefined;
  readonly queriesIssued: number;
  /** Scheduled time of the last query (Server: the Poisson schedule; others: its issue time). */
  readonly finalQueryScheduledNs: number;
  /** Issue time of the last query: SingleStream's QPS with overhead and min-duration test. */
  readonly finalQueryIssuedNs: number;
  /** When every sample of the last query had completed: Server's completed QPS. */
  readonly finalQueryAllSamplesDoneNs: number;
}

export interface PercentileLatency {
  /** As a fraction (0.999). */
  readonly percentile: number;
  readonly latencyNs: number;
}

export interface LatencyStats {
  readonly count: number;
  readonly minNs: number;
  readonly maxNs: number;
  /** Truncated integer mean, as LoadGen's int64 division gives it. */
  readonly meanNs: number;
  /** The scenario's target percentile (the summary's headline for SingleStream and MultiStream). */
  readonly target: PercentileLatency;
  /** `LATENCY_PERCENTILES`, in order. */
  readonly percentiles: readonly PercentileLatency[];
}

/** Throughput lines: what each scenario prints. */
export type Throughput =
  | { readonly scenario: 'SingleStream'; readonly qpsWithLoadgenOverhead: number; readonly qpsWithoutLoadgenOverhead: number }
  | { readonly scenario: 'MultiStream' }
  | { readonly scenario: 'Server'; readonly scheduledSamplesPerSecond: number; readonly completedSamplesPerSecond: number }
  | { readonly scenario: 'Offline'; readonly samplesPerSecond: number };

export interface Validity {
  readonly minDurationMet: boolean;
  /** Queries issued ≥ min_query_count and samples ≥ min_sample_count. */
  readonly minQueriesMet: boolean;
  /** Server only: target-percentile latency ≤ target latency; true elsewhere. */
  readonly perfConstraintsMet: boolean;
  /** v4.1 only (undefined for v1.1); true for Offline. */
  readonly earlyStoppingMet: boolean | undefined;
  readonly valid: boolean;
}

/** The early-stopping result a v4.1 summary prints (absent for Offline and for v1.1). */
export type EarlyStoppingOutcome =
  | {
      readonly scenario: 'SingleStream';
      readonly target: PercentileEarlyStopping;
      /** The p99 estimate (to infer MultiStream); computed only when the target one exists. */
      readonly multiStream?: PercentileEarlyStopping | undefined;
    }
  | { readonly scenario: 'MultiStream'; readonly target: PercentileEarlyStopping }
  | { readonly scenario: 'Server'; readonly server: ServerEarlyStopping };

export interface PerformanceResults {
  readonly release: LoadgenRelease;
  readonly scenario: MlperfScenario;
  readonly mode: MlperfMode;
  readonly queriesIssued: number;
  readonly sampleCount: number;
  readonly sampleLatency: LatencyStats;
  /** MultiStream only. */
  readonly queryLatency?: LatencyStats | undefined;
  readonly throughput: Throughput;
  /** Server only: latencies above the target latency. */
  readonly overlatencyCount?: number | undefined;
  readonly validity: Validity;
  /** The summary's `Recommendations:` bullets (a bullet may hold a newline); empty when valid. */
  readonly recommendations: readonly string[];
  /** The detail log's `result_invalid_reason`; undefined when valid (the key is then absent). */
  readonly invalidReason: string | undefined;
  readonly earlyStopping?: EarlyStoppingOutcome | undefined;
}

// ---------------------------------------------------------------------------------------------
// Statistics

/** `(size_t)(n * p)`: the index LoadGen reads percentile p at, n·p computed in double and truncated. */
export function percentileIndex(count: number, percentile: number): number {
  return Math.floor(count * percentile);
}

/** Σ latencies / n in integer arithmetic, truncated like int64 division (exact beyond 2^53 too). */
export function integerMean(latenciesNs: ArrayLike<number>): number {
  const n = latenciesNs.length;
  if (n === 0) throw errors.invalidValue({ field: 'latenciesNs' }, 'no latencies');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += latenciesNs[i]!;
  // Latencies are non-negative: a safe total means every partial sum was exact too.
  if (Number.isSafeInteger(sum)) return truncDiv(sum, n);
  let big = 0n;
  for (let i = 0; i < n; i++) big += BigInt(latenciesNs[i]!);
  return Number(big / BigInt(n));
}

/** Exact truncated quotient of two safe integers (a double division can round up across an integer). */
function truncDiv(a: number, b: number): number {
  const mag = Math.abs(a);
  let q = Math.trunc(mag / b);
  const r = mag - q * b;
  if (r < 0) q -= 1;
  else if (r >= b) q += 1;
  return a < 0 ? -q : q;
}

/** Copy, check (non-negative safe integers) and sort ascending. */
export function sortLatencies(latenciesNs: ArrayLike<number>, field = 'latenciesNs'): Float64Array {
  const sorted = new Float64Array(latenciesNs.length);
  for (let i = 0; i < latenciesNs.length; i++) {
    const v = latenciesNs[i]!;
    if (!Number.isSafeInteger(v) || v < 0) throw errors.invalidValue({ field: `${field}[${i}]` }, `expected a non-negative integer ns, got ${v}`);
    sorted[i] = v;
  }
  return sorted.sort();
}

/** Min, max, integer mean and floor-index percentiles of already-sorted latencies. */
export function latencyStatsOfSorted(sorted: ArrayLike<number>, targetPercentile: number): LatencyStats {
  const n = sorted.length;
  if (n === 0) throw errors.invalidValue({ field: 'latenciesNs' }, 'no latencies: a run needs at least one completed sample');
  const at = (p: number): PercentileLatency => ({ percentile: p, latencyNs: sorted[percentileIndex(n, p)]! });
  return {
    count: n,
    minNs: sorted[0]!,
    maxNs: sorted[n - 1]!,
    meanNs: integerMean(sorted),
    target: at(targetPercentile),
    percentiles: LATENCY_PERCENTILES.map(at),
  };
}

/** `latencyStatsOfSorted` on a checked, sorted copy. */
export function latencyStats(latenciesNs: ArrayLike<number>, targetPercentile: number): LatencyStats {
  return latencyStatsOfSorted(sortLatencies(latenciesNs), targetPercentile);
}

// ---------------------------------------------------------------------------------------------
// Validity and recommendations

/** The reference's recommendation texts, verbatim. */
export const RECOMMENDATIONS = {
  minDuration: {
    SingleStream: 'Decrease the expected latency so the loadgen pre-generates more queries.',
    MultiStream: 'Decrease the expected latency so the loadgen pre-generates more queries.',
    Server: 'Increase the target QPS so the loadgen pre-generates more queries.',
    Offline: 'Increase expected QPS so the loadgen pre-generates a larger (coalesced) query.',
  } satisfies Record<MlperfScenario, string>,
  perfConstraints: 'Reduce target QPS to improve latency.',
  /** The summary's bullet (two lines); the detail log's reason is its first sentence. */
  minQueries: 'The test exited early, before enough queries were issued.\n   See the detailed log for why this may have occurred.',
  minQueriesReason: 'The test exited early, before enough queries were issued.',
} as const;

type ConstraintFlags = Pick<Validity, 'minDurationMet' | 'minQueriesMet' | 'perfConstraintsMet'>;

/** The summary's `Recommendations:` bullets for failed constraints, in LoadGen's order. */
export function recommendationsFor(scenario: MlperfScenario, v: ConstraintFlags & { readonly valid: boolean }): string[] {
  if (v.valid) return [];
  const out: string[] = [];
  if (!v.perfConstraintsMet) out.push(RECOMMENDATIONS.perfConstraints);
  if (!v.minDurationMet) out.push(RECOMMENDATIONS.minDuration[scenario]);
  if (!v.minQueriesMet) out.push(RECOMMENDATIONS.minQueries);
  return out;
}

/** The detail log's `result_invalid_reason`: the perf and duration reasons each followed by a space, then the min-queries one; undefined when valid. */
export function invalidReasonFor(scenario: MlperfScenario, v: ConstraintFlags & { readonly valid: boolean }): string | undefined {
  if (v.valid) return undefined;
  let reason = '';
  if (!v.perfConstraintsMet) reason += `${RECOMMENDATIONS.perfConstraints} `;
  if (!v.minDurationMet) reason += `${RECOMMENDATIONS.minDuration[scenario]} `;
  if (!v.minQueriesMet) reason += RECOMMENDATIONS.minQueriesReason;
  return reason;
}

/** Whether the early-stopping criterion passed (SingleStream/MultiStream: an estimate exists). */
export function earlyStoppingMet(outcome: EarlyStoppingOutcome | undefined): boolean {
  if (outcome === undefined) return true;
  if (outcome.scenario === 'Server') return outcome.server.met;
  return outcome.target.kind === 'estimated';
}

/** The detail log's `early_stopping_latency_ss` / `_ms`: the estimates, 0 where none was made. */
export function earlyStoppingLatencies(outcome: EarlyStoppingOutcome | undefined): { readonly ssNs: number; readonly msNs: number } {
  const est = (e: PercentileEarlyStopping | undefined): number => (e?.kind === 'estimated' ? e.estimateNs : 0);
  if (outcome === undefined || outcome.scenario === 'Server') return { ssNs: 0, msNs: 0 };
  if (outcome.scenario === 'MultiStream') return { ssNs: 0, msNs: est(outcome.target) };
  return { ssNs: est(outcome.target), msNs: est(outcome.multiStream) };
}

// ---------------------------------------------------------------------------------------------

const nsToS = (ns: number): number => ns / 1e9;

/** Every field the summary and the detail log's result block print, from a run's measurements. */
export function computeResults(run: RunMeasurements, settings: EffectiveSettings, release: LoadgenRelease): PerformanceResults {
  const { scenario } = settings;
  if (release === 'v1.1' && scenario === 'MultiStream') {
    throw errors.invalidValue({ field: 'scenario' }, 'MultiStream results are modelled with v4.1 semantics only');
  }
  const n = run.queriesIssued;
  if (!Number.isSafeInteger(n) || n < 1) throw errors.invalidValue({ field: 'queriesIssued' }, `expected a positive integer, got ${n}`);
  for (const field of ['finalQueryScheduledNs', 'finalQueryIssuedNs', 'finalQueryAllSamplesDoneNs'] as const) {
    const v = run[field];
    if (!Number.isSafeInteger(v) || v < 0) throw errors.invalidValue({ field }, `expected a non-negative integer ns, got ${v}`);
  }
  const sorted = sortLatencies(run.sampleLatenciesNs, 'sampleLatenciesNs');
  const sampleLatency = latencyStatsOfSorted(sorted, settings.targetLatencyPercentile);
  const sampleCount = sampleLatency.count;

  let sortedQuery: Float64Array | undefined;
  let queryLatency: LatencyStats | undefined;
  if (scenario === 'MultiStream') {
    if (run.queryLatenciesNs === undefined) throw errors.invalidValue({ field: 'queryLatenciesNs' }, 'MultiStream needs per-query latencies');
    if (run.queryLatenciesNs.length !== n) {
      throw errors.invalidValue({ field: 'queryLatenciesNs' }, `${run.queryLatenciesNs.length} query latencies for ${n} queries issued`);
    }
    sortedQuery = sortLatencies(run.queryLatenciesNs, 'queryLatenciesNs');
    queryLatency = latencyStatsOfSorted(sortedQuery, settings.targetLatencyPercentile);
  }

  const minDurationS = settings.minDurationMs / 1000;
  let throughput: Throughput;
  let minDurationMet: boolean;
  switch (scenario) {
    case 'SingleStream':
      throughput = {
        scenario,
        qpsWithLoadgenOverhead: (sampleCount - 1) / nsToS(run.finalQueryIssuedNs),
        qpsWithoutLoadgenOverhead: 1 / nsToS(sampleLatency.meanNs),
      };
      minDurationMet = nsToS(run.finalQueryIssuedNs) >= minDurationS;
      break;
    case 'MultiStream':
      throughput = { scenario };
      minDurationMet = nsToS(run.finalQueryIssuedNs) >= minDurationS;
      break;
    case 'Server':
      throughput = {
        scenario,
        scheduledSamplesPerSecond: (sampleCount - 1) / nsToS(run.finalQueryScheduledNs),
        completedSamplesPerSecond: (sampleCount - 1) / nsToS(run.finalQueryAllSamplesDoneNs),
      };
      minDurationMet = nsToS(run.finalQueryScheduledNs) >= minDurationS;
      break;
    case 'Offline': {
      const maxLatencyS = nsToS(sampleLatency.maxNs);
      throughput = { scenario, samplesPerSecond: sampleCount / maxLatencyS };
      minDurationMet = maxLatencyS >= minDurationS;
      break;
    }
  }

  let overlatencyCount: number | undefined;
  let perfConstraintsMet = true;
  if (scenario === 'Server') {
    overlatencyCount = countAbove(sorted, settings.targetLatencyNs);
    perfConstraintsMet = sampleLatency.target.latencyNs <= settings.targetLatencyNs;
  }
  const minQueriesMet = n >= settings.minQueryCount && sampleCount >= settings.minSampleCount;

  let earlyStopping: EarlyStoppingOutcome | undefined;
  if (release === 'v4.1') {
    // One finder per summary, asked in LoadGen's order: its bracketing depends on earlier answers.
    const finder = new MinPassingQueriesFinder();
    if (scenario === 'SingleStream') {
      const target = percentileEarlyStopping(sorted, n, settings.targetLatencyPercentile, finder);
      earlyStopping = {
        scenario,
        target,
        multiStream: target.kind === 'estimated' ? percentileEarlyStopping(sorted, n, MULTI_STREAM_INFERENCE_PERCENTILE, finder) : undefined,
      };
    } else if (scenario === 'MultiStream') {
      earlyStopping = { scenario, target: percentileEarlyStopping(sortedQuery!, n, settings.targetLatencyPercentile, finder) };
    } else if (scenario === 'Server') {
      earlyStopping = { scenario, server: serverEarlyStopping(overlatencyCount!, n, settings.targetLatencyPercentile, finder) };
    }
  }
  const esMet = release === 'v4.1' ? earlyStoppingMet(earlyStopping) : undefined;
  const valid = minDurationMet && minQueriesMet && perfConstraintsMet && esMet !== false;
  const flags = { minDurationMet, minQueriesMet, perfConstraintsMet, valid };
  return {
    release,
    scenario,
    mode: settings.mode,
    queriesIssued: n,
    sampleCount,
    sampleLatency,
    queryLatency,
    throughput,
    overlatencyCount,
    validity: { ...flags, earlyStoppingMet: esMet },
    recommendations: recommendationsFor(scenario, flags),
    invalidReason: invalidReasonFor(scenario, flags),
    earlyStopping,
  };
}

/** Latencies strictly above `limitNs` in a sorted array (LoadGen: end − lower_bound(limit + 1)). */
function countAbove(sorted: Float64Array, limitNs: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= limitNs) lo = mid + 1;
    else hi = mid;
  }
  return sorted.length - lo;
}
