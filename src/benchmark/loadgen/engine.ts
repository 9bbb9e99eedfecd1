import { errors } from '../../errors.js';
import type { LibstdcxxVariant } from './libstdcxx.js';
import { computeResults, type PerformanceResults, type RunMeasurements } from './results.js';
import { generateQueries, loadableSets, type GeneratedQueries, type LoadableSet } from './sample-selection.js';
import type { EffectiveSettings, LoadgenRelease } from './settings.js';
import type { IssueEnd } from './detail-writer.js';

export type { IssueEnd };

/**
 * The LoadGen issue loop: pre-generated queries issued to a system under test by scenario,
 * latencies taken on a monotonic clock, and the ending conditions of the reference
 * (`IssueQueriesInternal`): a natural end once min query count and min duration are met, an
 * early end at max query count or max duration. Everything it measures goes to the pure
 * results code; nothing here formats logs.
 */

export interface QuerySample {
  /** Response id, unique within the run. */
  readonly id: number;
  /** Index into the QSL. */
  readonly index: number;
}

export interface SampleResponse {
  readonly id: number;
  /** Accuracy mode: the output bytes LoadGen writes to mlperf_log_accuracy.json. */
  readonly data?: Uint8Array;
}

/** A system under test: resolves once every sample of the query has completed. */
export interface SystemUnderTest {
  readonly name: string;
  issueQuery(samples: readonly QuerySample[]): Promise<readonly SampleResponse[]>;
}

/** A query sample library: LoadGen loads the performance set before issuing. */
export interface QuerySampleLibrary {
  readonly name: string;
  readonly totalSampleCount: number;
  readonly performanceSampleCount: number;
  loadSamples(indices: Int32Array): Promise<void>;
  unloadSamples(indices: Int32Array): Promise<void>;
}

/** LoadGen's two clocks: a monotonic one for latencies, the wall clock for `power_begin`/`power_end`. */
export interface LoadgenClocks {
  /** Monotonic ns, as a double (exact below 2^53 ns ≈ 104 days). */
  nowNs(): number;
  epochMs(): number;
}

export const systemClocks: LoadgenClocks = {
  nowNs: () => Number(process.hrtime.bigint()),
  epochMs: () => Date.now(),
};


export interface LoadgenRun {
  readonly release: LoadgenRelease;
  readonly variant: LibstdcxxVariant;
  readonly settings: EffectiveSettings;
  readonly loadedSet: LoadableSet;
  readonly generated: GeneratedQueries;
  readonly end: IssueEnd;
  readonly queriesIssued: number;
  /** Per issued query: scheduled, issued and all-samples-done times, ns after the start. */
  readonly scheduledNs: Float64Array;
  readonly issuedNs: Float64Array;
  readonly doneNs: Float64Array;
  /** One latency per sample, in completion order, ns. */
  readonly sampleLatenciesNs: Float64Array;
  readonly measurements: RunMeasurements;
  readonly results: PerformanceResults;
  /** Wall clock around the issue phase (LoadGen's `start_for_power` and the end of the test). */
  readonly powerBeginEpochMs: number;
  readonly powerEndEpochMs: number;
  readonly testStartEpochMs: number;
}

export interface RunLoadgenOptions {
  readonly settings: EffectiveSettings;
  readonly release: LoadgenRelease;
  readonly variant: LibstdcxxVariant;
  readonly clocks?: LoadgenClocks;
  /** Called after each completed query: progress bars and window marks. */
  readonly onQueryDone?: (done: number, generated: number) => void;
}

const sleepUntilNs = async (clocks: LoadgenClocks, targetNs: number): Promise<void> => {
  const waitMs = (targetNs - clocks.nowNs()) / 1e6;
  if (waitMs > 1) await new Promise((r) => setTimeout(r, waitMs - 1));
  // The last millisecond is spun: timers are too coarse for Server arrivals.
  while (clocks.nowNs() < targetNs) await Promise.resolve();
};

/** Performance mode: load the first loadable set, issue, stop as the reference does, compute results. */
export async function runPerformance(sut: SystemUnderTest, qsl: QuerySampleLibrary, opts: RunLoadgenOptions): Promise<LoadgenRun> {
  const { settings: s, release, variant } = opts;
  if (s.mode !== 'PerformanceOnly') throw errors.usage(`runPerformance needs PerformanceOnly settings, got ${s.mode}`);
  const clocks = opts.clocks ?? systemClocks;
  const testStartEpochMs = clocks.epochMs();
  const sets = loadableSets(qsl.totalSampleCount, s.performanceSampleCount, s.qslRngSeed, variant, s.scenario === 'MultiStream' ? s.samplesPerQuery : undefined);
  const set = sets[0];
  if (!set) throw errors.internal('no loadable set');
  await qsl.loadSamples(set.samples);
  const generated = generateQueries(set, {
    release,
    variant,
    scenario: s.scenario,
    mode: 'PerformanceOnly',
    samplesPerQuery: s.samplesPerQuery,
    targetQps: s.targetQps,
    targetDurationMs: s.targetDurationMs,
    minQueryCount: s.minQueryCount,
    sampleIndexRngSeed: s.sampleIndexRngSeed,
    scheduleRngSeed: s.scheduleRngSeed,
    performanceIssueUnique: s.performanceIssueUnique,
    performanceIssueSame: s.performanceIssueSame,
    performanceIssueSameIndex: s.performanceIssueSameIndex,
    sampleConcatenatePermutation: s.sampleConcatenatePermutation,
  });

  const n = generated.queryCount;
  const scheduledNs = new Float64Array(n);
  const issuedNs = new Float64Array(n);
  const doneNs = new Float64Array(n);
  const latencies: number[] = [];
  const queryLatencies: number[] = [];
  let nextId = 0;
  let issued = 0;
  let end: IssueEnd | undefined;
  const inFlight: Promise<void>[] = [];

  const samplesOf = (q: number): QuerySample[] => {
    const a = generated.queryStart[q]!;
    const b = generated.queryStart[q + 1]!;
    const out: QuerySample[] = [];
    for (let i = a; i < b; i++) out.push({ id: nextId++, index: generated.sampleIndices[i]! });
    return out;
  };
  const complete = (q: number, nSamples: number, startNs: number) => () => {
    const t = clocks.nowNs() - startNs;
    doneNs[q] = t;
    const lat = t - scheduledNs[q]!;
    for (let i = 0; i < nSamples; i++) latencies.push(lat);
    queryLatencies.push(lat);
    opts.onQueryDone?.(latencies.length, n);
  };
  const endAfterIssue = (lastIssueNs: number): IssueEnd | undefined => {
    if (s.maxQueryCount !== 0 && issued >= s.maxQueryCount) return { kind: 'max-query-count', queryCount: issued };
    if (s.maxDurationMs !== 0 && lastIssueNs >= s.maxDurationMs * 1e6) return { kind: 'max-duration', durationNs: lastIssueNs };
    if (issued >= s.minQueryCount && lastIssueNs >= s.targetDurationMs * 1e6) return { kind: 'natural' };
    return undefined;
  };

  const powerBeginEpochMs = clocks.epochMs();
  const startNs = clocks.nowNs();
  for (let q = 0; q < n && !end; q++) {
    const samples = samplesOf(q);
    if (s.scenario === 'Server') {
      // Poisson arrivals: wait for the scheduled time; latency counts from it, not from the issue.
      scheduledNs[q] = generated.scheduledNs[q]!;
      await sleepUntilNs(clocks, startNs + scheduledNs[q]!);
      issuedNs[q] = clocks.nowNs() - startNs;
      issued++;
      inFlight.push(sut.issueQuery(samples).then(complete(q, samples.length, startNs)));
    } else {
      // SingleStream and MultiStream issue when the previous query is done; Offline issues once.
      issuedNs[q] = clocks.nowNs() - startNs;
      scheduledNs[q] = s.scenario === 'Offline' ? 0 : issuedNs[q]!;
      issued++;
      await sut.issueQuery(samples).then(complete(q, samples.length, startNs));
    }
    end = endAfterIssue(issuedNs[q]!);
  }
  await Promise.all(inFlight);
  const powerEndEpochMs = clocks.epochMs();
  end ??= { kind: 'ran-out-of-queries' };
  await qsl.unloadSamples(set.samples);

  const last = issued - 1;
  const measurements: RunMeasurements = {
    sampleLatenciesNs: latencies,
    ...(s.scenario === 'MultiStream' ? { queryLatenciesNs: queryLatencies } : {}),
    queriesIssued: issued,
    finalQueryScheduledNs: scheduledNs[last] ?? 0,
    finalQueryIssuedNs: issuedNs[last] ?? 0,
    finalQueryAllSamplesDoneNs: doneNs[last] ?? 0,
  };
  return {
    release,
    variant,
    settings: s,
    loadedSet: set,
    generated,
    end,
    queriesIssued: issued,
    scheduledNs: scheduledNs.slice(0, issued),
    issuedNs: issuedNs.slice(0, issued),
    doneNs: doneNs.slice(0, issued),
    sampleLatenciesNs: Float64Array.from(latencies),
    measurements,
    results: computeResults(measurements, s, release),
    powerBeginEpochMs,
    powerEndEpochMs,
    testStartEpochMs,
  };
}

