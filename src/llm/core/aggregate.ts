/**
 * One row of `analyze` for a served-LLM load level: the runs of one device × model × level
 * taken together. Pure: the caller reads the bundles.
 *
 * - Latency percentiles are pooled over every request of every run when their timelines are at
 *   hand (`llm_requests.jsonl`); otherwise a single run's recorded statistics are used, and for
 *   several runs the mean of each run's percentile (`latencySource` says which).
 * - Joules per output token = Σ window energy / Σ window tokens over the runs (the ratio of
 *   the means, not the mean of the ratios: a run with more tokens weighs more).
 * - Joules per request = J per output token × the mean output tokens of a request that ended well.
 * - Latency limits are checked again on the pooled p99.
 */
import type { LlmDistribution, LlmLevel } from '../../runs/manifest.js';
import { checkLimits, type LatencyLimit, type LimitCheck } from './limits.js';
import { levelStats } from './stats.js';
import { outputTokens, type RequestRecord } from './timeline.js';

export interface LlmLevelRun {
  readonly id: string;
  readonly level: LlmLevel;
  /** The run's request timelines of this level, when they could be read. */
  readonly records?: readonly RequestRecord[];
}

export interface LlmRowStats {
  readonly model: string;
  readonly api: string;
  readonly level: string;
  readonly load: 'closed' | 'poisson';
  readonly concurrency: number | null;
  readonly requestRate: number | null;
  readonly runs: number;
  readonly requests: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly inputTokens: number | null;
  readonly outputTokens: number;
  readonly outputTokensSource: 'usage' | 'stream' | 'mixed';
  readonly ttftMs: LlmDistribution | null;
  readonly tpotMs: LlmDistribution | null;
  readonly itlMs: LlmDistribution | null;
  readonly e2eMs: LlmDistribution | null;
  /** `requests`: pooled from the timelines; `recorded`: one run's statistics; `mean-of-runs`: each run's percentile, averaged. */
  readonly latencySource: 'requests' | 'recorded' | 'mean-of-runs';
  /** Output tokens in the energy windows, summed over the runs. */
  readonly windowOutputTokens: number;
  readonly windowEnergyJ: number;
  readonly windowDurationS: number;
  /** `steady` when every run had a steady state, `level` when none did, `mixed` otherwise. */
  readonly window: 'steady' | 'level' | 'mixed' | null;
  readonly jPerOutputToken: number | null;
  readonly jPerRequest: number | null;
  readonly meanPowerW: number | null;
  /** Mean over the runs of the level's prefill and decode energy. */
  readonly prefillJ: number | null;
  readonly decodeJ: number | null;
  readonly splitApproximate: boolean | null;
  readonly limits: readonly LimitCheck[];
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

/** Each run's distributions averaged field by field (the fallback without timelines). */
function meanDistribution(ds: readonly (LlmDistribution | null)[]): LlmDistribution | null {
  const have = ds.filter((d): d is LlmDistribution => d !== null);
  if (have.length === 0) return null;
  return {
    count: have.reduce((n, d) => n + d.count, 0),
    mean: mean(have.map((d) => d.mean)),
    p50: mean(have.map((d) => d.p50)),
    p90: mean(have.map((d) => d.p90)),
    p99: mean(have.map((d) => d.p99)),
    max: Math.max(...have.map((d) => d.max)),
  };
}

export function aggregateLevel(model: string, api: string, runs: readonly LlmLevelRun[], limits: readonly LatencyLimit[]): LlmRowStats {
  const first = runs[0]!.level;
  const allRecords = runs.every((r) => r.records !== undefined);
  let lat: Pick<LlmRowStats, 'ttftMs' | 'tpotMs' | 'itlMs' | 'e2eMs' | 'latencySource'>;
  let meanOutOk: number | null;
  if (allRecords) {
    const records = runs.flatMap((r) => r.records!);
    const s = levelStats(records);
    lat = { ttftMs: s.ttftMs, tpotMs: s.tpotMs, itlMs: s.itlMs, e2eMs: s.e2eMs, latencySource: 'requests' };
    const ok = records.filter((r) => r.outcome === 'ok');
    meanOutOk = ok.length > 0 ? mean(ok.map((r) => outputTokens(r).tokens)) : null;
  } else if (runs.length === 1) {
    lat = { ttftMs: first.ttftMs, tpotMs: first.tpotMs, itlMs: first.itlMs, e2eMs: first.e2eMs, latencySource: 'recorded' };
    meanOutOk = null;
  } else {
    const l = runs.map((r) => r.level);
    lat = { ttftMs: meanDistribution(l.map((x) => x.ttftMs)), tpotMs: meanDistribution(l.map((x) => x.tpotMs)), itlMs: meanDistribution(l.map((x) => x.itlMs)), e2eMs: meanDistribution(l.map((x) => x.e2eMs)), latencySource: 'mean-of-runs' };
    meanOutOk = null;
  }
  const energies = runs.flatMap((r) => (r.level.energy ? [r.level.energy] : []));
  const windowEnergyJ = energies.reduce((s, e) => s + e.energyJ, 0);
  const windowTokens = energies.reduce((s, e) => s + e.outputTokens, 0);
  const windowDurationS = energies.reduce((s, e) => s + (e.t1S - e.t0S), 0);
  const perToken = windowTokens > 0 ? windowEnergyJ / windowTokens : null;
  // Without timelines, a request's mean output comes from each run's own J/request.
  const jPerRequest =
    perToken !== null && meanOutOk !== null
      ? perToken * meanOutOk
      : energies.length > 0 && energies.every((e) => e.jPerRequest !== null)
        ? mean(energies.map((e) => e.jPerRequest!))
        : null;
  const kinds = new Set(energies.map((e) => e.window));
  const sources = new Set(runs.map((r) => r.level.outputTokensSource));
  const inputs = runs.map((r) => r.level.inputTokens);
  return {
    model,
    api,
    level: first.name,
    load: first.load,
    concurrency: first.concurrency ?? null,
    requestRate: first.requestRate ?? null,
    runs: runs.length,
    requests: runs.reduce((n, r) => n + r.level.requests, 0),
    succeeded: runs.reduce((n, r) => n + r.level.succeeded, 0),
    failed: runs.reduce((n, r) => n + r.level.failed, 0),
    inputTokens: inputs.every((x) => x !== null) ? inputs.reduce((n, x) => n + x, 0) : null,
    outputTokens: runs.reduce((n, r) => n + r.level.outputTokens, 0),
    outputTokensSource: sources.size === 1 ? [...sources][0]! : 'mixed',
    ...lat,
    windowOutputTokens: windowTokens,
    windowEnergyJ,
    windowDurationS,
    window: energies.length === 0 ? null : kinds.size > 1 ? 'mixed' : [...kinds][0]!,
    jPerOutputToken: perToken,
    jPerRequest,
    meanPowerW: windowDurationS > 0 ? windowEnergyJ / windowDurationS : null,
    prefillJ: energies.length > 0 ? mean(energies.map((e) => e.split.prefillJ)) : null,
    decodeJ: energies.length > 0 ? mean(energies.map((e) => e.split.decodeJ)) : null,
    splitApproximate: energies.length > 0 ? energies.some((e) => e.split.approximate) : null,
    limits: checkLimits(limits, lat.ttftMs, lat.tpotMs),
  };
}

/** An `analyze` row's LLM part: the level's statistics and its footprint per 1 000 output tokens (mg CO2e). */
export interface LlmAnalysis extends LlmRowStats {
  readonly gwpMgPer1kTokens: number | null;
  readonly operationalMgPer1kTokens: number | null;
  readonly embodiedMgPer1kTokens: number | null;
}

/** Per 1 000 window tokens from a GWP over the mean window (g) and the mean window tokens of the runs. */
export function per1kTokens(stats: LlmRowStats, runsWithEnergy: number, g: { readonly gwp: number; readonly operational: number; readonly embodied: number } | undefined): LlmAnalysis {
  const meanTokens = runsWithEnergy > 0 ? stats.windowOutputTokens / runsWithEnergy : 0;
  const f = (x: number | undefined): number | null => (x === undefined || !(meanTokens > 0) ? null : (x * 1e6) / meanTokens);
  return { ...stats, gwpMgPer1kTokens: f(g?.gwp), operationalMgPer1kTokens: f(g?.operational), embodiedMgPer1kTokens: f(g?.embodied) };
}
