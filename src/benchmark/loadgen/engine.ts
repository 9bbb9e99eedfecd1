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
 *
 * Accuracy mode (`runAccuracy`) shares the issue loop: every loadable set, every generated
 * query, each response kept with its bytes for `mlperf_log_accuracy.json` (see accuracy-log.ts).
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

/**
 * A system under test: resolves once every sample of the query has completed. Like LoadGen's
 * `QuerySamplesComplete`, it may answer part of a query early through `complete` (a batch of an
 * Offline query, say): those samples get their own latency, and the resolved array holds the
 * responses not given yet. Every sample is answered exactly once.
 */
export interface SystemUnderTest {
  readonly name: string;
  issueQuery(samples: readonly QuerySample[], complete?: (responses: readonly SampleResponse[]) => void): Promise<readonly SampleResponse[]>;
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
  /**
   * Called right where LoadGen takes `power_begin` and `power_end`, around the issue phase alone
   * (not the QSL shuffle, query generation or result computation): a harness marks its
   * measurement window here so the window's energy is the logged test's.
   */
  readonly onPowerWindow?: PowerWindowHooks;
}

export interface PowerWindowHooks {
  readonly begin?: (() => void) | undefined;
  readonly end?: (() => void) | undefined;
}

const sleepUntilNs = async (clocks: LoadgenClocks, targetNs: number): Promise<void> => {
  const waitMs = (targetNs - clocks.nowNs()) / 1e6;
  if (waitMs > 1) await new Promise((r) => setTimeout(r, waitMs - 1));
  // The last millisecond is spun, yielding to the event loop on every turn (setImmediate, not a
  // microtask): timers are too coarse for Server arrivals, and a microtask loop would keep
  // completions, socket writes and sensor reads from running until the arrival.
  while (clocks.nowNs() < targetNs) await new Promise((r) => setImmediate(r));
};

/** The settings `GenerateQueries` reads, for one mode. */
function generationSettings(s: EffectiveSettings, release: LoadgenRelease, variant: LibstdcxxVariant, mode: 'PerformanceOnly' | 'AccuracyOnly') {
  return {
    release,
    variant,
    scenario: s.scenario,
    mode,
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
  } as const;
}

/** `GenerateLoadableSets` with the settings' seed, set size and MultiStream padding. */
function loadableSetsFor(qsl: QuerySampleLibrary, s: EffectiveSettings, variant: LibstdcxxVariant): LoadableSet[] {
  return loadableSets(qsl.totalSampleCount, s.performanceSampleCount, s.qslRngSeed, variant, s.scenario === 'MultiStream' ? s.samplesPerQuery : undefined);
}

/** What one pass of the issue loop measured. Times are ns after the start of issuing. */
interface IssuePass {
  readonly scheduledNs: Float64Array;
  readonly issuedNs: Float64Array;
  readonly doneNs: Float64Array;
  readonly issued: number;
  /** Why issuing stopped early; undefined when every generated query was issued. */
  readonly end: IssueEnd | undefined;
  readonly powerBeginEpochMs: number;
  readonly powerEndEpochMs: number;
}

interface IssueHooks {
  /** Response id of the first generated sample; the others follow in generation order. */
  readonly firstSampleId: number;
  /** Samples of query `q` completed, `responses[i]` answering `samples[i]`; `latencyNs` is counted from the query's scheduled time. */
  readonly onSamples: (q: number, samples: readonly QuerySample[], responses: readonly SampleResponse[], latencyNs: number) => void;
  /** After the last sample of query `q` completed. */
  readonly onQueryDone?: (q: number, latencyNs: number) => void;
  /** After each issue, given the queries issued so far and the last issue time: a reason to stop, if any. */
  readonly endAfterIssue?: (issued: number, lastIssueNs: number) => IssueEnd | undefined;
  readonly powerWindow?: PowerWindowHooks | undefined;
}

/**
 * Issue pre-generated queries as the scenario does (`IssueQueryController`): SingleStream and
 * MultiStream issue when the previous query is done, Offline issues its query at once, Server
 * waits for each scheduled arrival and keeps queries in flight. Kept lean: it runs between a
 * completion and the next issue.
 */
async function issueGenerated(sut: SystemUnderTest, generated: GeneratedQueries, scenario: EffectiveSettings['scenario'], clocks: LoadgenClocks, hooks: IssueHooks): Promise<IssuePass> {
  const n = generated.queryCount;
  const scheduledNs = new Float64Array(n);
  const issuedNs = new Float64Array(n);
  const doneNs = new Float64Array(n);
  let issued = 0;
  let end: IssueEnd | undefined;
  const inFlight: Promise<void>[] = [];

  const samplesOf = (q: number): QuerySample[] => {
    const a = generated.queryStart[q]!;
    const b = generated.queryStart[q + 1]!;
    const out: QuerySample[] = [];
    for (let i = a; i < b; i++) out.push({ id: hooks.firstSampleId + i, index: generated.sampleIndices[i]! });
    return out;
  };
  /**
   * Issue query `q` and account for its answers as they come: each response must match one
   * sample still outstanding in the query, and every sample must be answered by the end.
   */
  const issueOne = async (q: number, samples: readonly QuerySample[], startNs: number): Promise<void> => {
    // Built only when needed, after the completion time is taken: matching costs nothing on the
    // latency, and the common case (every response at once, in sample order) needs no map.
    let pending: Map<number, QuerySample> | undefined;
    let answered = 0;
    const answer = (responses: readonly SampleResponse[], t: number): void => {
      if (responses.length === 0) return;
      let matched: readonly QuerySample[];
      if (pending === undefined && answered === 0 && responses.length === samples.length && responses.every((r, i) => r.id === samples[i]!.id)) {
        matched = samples;
      } else {
        const outstanding = (pending ??= new Map(samples.map((x) => [x.id, x])));
        matched = responses.map((r) => {
          const sample = outstanding.get(r.id);
          if (sample === undefined) throw errors.invalidValue({ field: 'SampleResponse.id' }, `response ${r.id} matches no outstanding sample of its query (or completes one twice)`);
          outstanding.delete(r.id);
          return sample;
        });
      }
      answered += matched.length;
      hooks.onSamples(q, matched, responses, t - scheduledNs[q]!);
    };
    const rest = await sut.issueQuery(samples, (early) => {
      answer(early, clocks.nowNs() - startNs);
    });
    const t = clocks.nowNs() - startNs;
    answer(rest, t);
    if (answered < samples.length) throw errors.invalidValue({ field: 'SampleResponse.id' }, `${samples.length - answered} of ${samples.length} samples of a query got no response`);
    doneNs[q] = t;
    hooks.onQueryDone?.(q, t - scheduledNs[q]!);
  };


  hooks.powerWindow?.begin?.();
  const powerBeginEpochMs = clocks.epochMs();
  const startNs = clocks.nowNs();
  // Server queries stay in flight while the next ones are issued: the first failure stops the
  // issuing, the others are waited for, then it is thrown (never left unhandled).
  let failure: { error: unknown } | undefined;
  for (let q = 0; q < n && !end && !failure; q++) {
    const samples = samplesOf(q);
    if (scenario === 'Server') {
      // Poisson arrivals: wait for the scheduled time; latency counts from it, not from the issue.
      scheduledNs[q] = generated.scheduledNs[q]!;
      await sleepUntilNs(clocks, startNs + scheduledNs[q]!);
      issuedNs[q] = clocks.nowNs() - startNs;
      issued++;
      inFlight.push(
        issueOne(q, samples, startNs).catch((error: unknown) => {
          failure ??= { error };
        }),
      );
    } else {
      // SingleStream and MultiStream issue when the previous query is done; Offline issues once.
      issuedNs[q] = clocks.nowNs() - startNs;
      scheduledNs[q] = scenario === 'Offline' ? 0 : issuedNs[q]!;
      issued++;
      await issueOne(q, samples, startNs);
    }
    end = hooks.endAfterIssue?.(issued, issuedNs[q]!);
  }
  await Promise.all(inFlight);
  const powerEndEpochMs = clocks.epochMs();
  hooks.powerWindow?.end?.();
  if (failure) throw failure.error;
  return { scheduledNs, issuedNs, doneNs, issued, end, powerBeginEpochMs, powerEndEpochMs };
}

/** Performance mode: load the first loadable set, issue, stop as the reference does, compute results. */
export async function runPerformance(sut: SystemUnderTest, qsl: QuerySampleLibrary, opts: RunLoadgenOptions): Promise<LoadgenRun> {
  const { settings: s, release, variant } = opts;
  if (s.mode !== 'PerformanceOnly') throw errors.usage(`runPerformance needs PerformanceOnly settings, got ${s.mode}`);
  const clocks = opts.clocks ?? systemClocks;
  const testStartEpochMs = clocks.epochMs();
  const set = loadableSetsFor(qsl, s, variant)[0];
  if (!set) throw errors.internal('no loadable set');
  await qsl.loadSamples(set.samples);
  const generated = generateQueries(set, generationSettings(s, release, variant, 'PerformanceOnly'));

  const n = generated.queryCount;
  const latencies: number[] = [];
  const queryLatencies: number[] = [];
  const pass = await issueGenerated(sut, generated, s.scenario, clocks, {
    firstSampleId: 0,
    onSamples: (_q, samples, _responses, lat) => {
      for (let i = 0; i < samples.length; i++) latencies.push(lat);
    },
    onQueryDone: (_q, lat) => {
      queryLatencies.push(lat);
      opts.onQueryDone?.(latencies.length, n);
    },
    // The reference's order (IssueQueriesInternal): the natural end first, and never for
    // Server, whose queries run until the generated ones (or a maximum) are used up.
    endAfterIssue: (issued, lastIssueNs) => {
      if (s.scenario !== 'Server' && issued >= s.minQueryCount && lastIssueNs >= s.targetDurationMs * 1e6) return { kind: 'natural' };
      if (s.maxQueryCount !== 0 && issued >= s.maxQueryCount) return { kind: 'max-query-count', queryCount: issued };
      if (s.maxDurationMs !== 0 && lastIssueNs > s.maxDurationMs * 1e6) return { kind: 'max-duration', durationNs: lastIssueNs };
      return undefined;
    },
    powerWindow: opts.onPowerWindow,
  });
  const end = pass.end ?? { kind: 'ran-out-of-queries' };
  await qsl.unloadSamples(set.samples);

  const { issued, scheduledNs, issuedNs, doneNs } = pass;
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
    powerBeginEpochMs: pass.powerBeginEpochMs,
    powerEndEpochMs: pass.powerEndEpochMs,
    testStartEpochMs,
  };
}

// ---------------------------------------------------------------------------------------------
// Accuracy mode

/** One response as `mlperf_log_accuracy.json` records it. */
export interface AccuracyLogEntry {
  /** The sample's sequence id: its position in generation order over the whole test, from 0. */
  readonly seqId: number;
  /** Index into the QSL. */
  readonly qslIdx: number;
  /** The SUT's response bytes (copied at completion, as LoadGen copies them). */
  readonly data: Uint8Array;
}

/** One loadable set's pass in accuracy mode. */
export interface AccuracySetRun {
  readonly loadedSet: LoadableSet;
  readonly generated: GeneratedQueries;
  readonly queriesIssued: number;
  /** Wall clock: just before the set is loaded, and around its issue phase (`power_begin` / `power_end`). */
  readonly loadEpochMs: number;
  readonly powerBeginEpochMs: number;
  readonly powerEndEpochMs: number;
}

export interface AccuracyRun {
  readonly release: LoadgenRelease;
  readonly variant: LibstdcxxVariant;
  readonly settings: EffectiveSettings;
  /** Every loadable set, in LoadGen's order. */
  readonly sets: readonly AccuracySetRun[];
  /** Every response, in completion order: the content of `mlperf_log_accuracy.json`. */
  readonly entries: readonly AccuracyLogEntry[];
  readonly testStartEpochMs: number;
  readonly testEndEpochMs: number;
}

export interface RunAccuracyOptions {
  readonly settings: EffectiveSettings;
  readonly release: LoadgenRelease;
  readonly variant: LibstdcxxVariant;
  readonly clocks?: LoadgenClocks;
  /** Called after each completed query: samples done and samples to issue, over all loadable sets. */
  readonly onProgress?: (samplesDone: number, samplesTotal: number) => void;
  /** `begin` at the first set's `power_begin`, `end` at the last set's `power_end` (see RunLoadgenOptions). */
  readonly onPowerWindow?: PowerWindowHooks;
}

/**
 * Accuracy mode (`RunAccuracyMode`): every loadable set in turn is loaded, all of its
 * pre-generated queries are issued — the unique shuffled order, one pass, no ending condition —
 * and unloaded. Every response is kept with its bytes. SingleStream and Server issue one sample
 * per query, MultiStream `samples_per_query` contiguous samples of the padded set (so the padding
 * repeats a few samples, as in the reference), Offline one query holding the whole set.
 * Sequence ids run over the whole test, in generation order, as LoadGen's `SequenceGen` gives them.
 */
export async function runAccuracy(sut: SystemUnderTest, qsl: QuerySampleLibrary, opts: RunAccuracyOptions): Promise<AccuracyRun> {
  const { settings: s, release, variant } = opts;
  if (s.mode !== 'AccuracyOnly') throw errors.usage(`runAccuracy needs AccuracyOnly settings, got ${s.mode}`);
  const clocks = opts.clocks ?? systemClocks;
  const testStartEpochMs = clocks.epochMs();
  const sets = loadableSetsFor(qsl, s, variant);
  // Each generation seeds its own RNGs, so generating every set up front changes nothing but
  // lets progress know the total.
  const plans = sets.map((set) => ({ set, generated: generateQueries(set, generationSettings(s, release, variant, 'AccuracyOnly')) }));
  const total = plans.reduce((sum, p) => sum + p.generated.sampleIndices.length, 0);

  const entries: AccuracyLogEntry[] = [];
  const setRuns: AccuracySetRun[] = [];
  let firstSampleId = 0;
  for (const [i, { set, generated }] of plans.entries()) {
    const loadEpochMs = clocks.epochMs();
    await qsl.loadSamples(set.samples);
    const pass = await issueGenerated(sut, generated, s.scenario, clocks, {
      firstSampleId,
      onSamples: (_q, samples, responses) => {
        // LoadGen copies the bytes at completion: the SUT may reuse its buffer afterwards.
        samples.forEach((x, k) => entries.push({ seqId: x.id, qslIdx: x.index, data: responses[k]!.data?.slice() ?? NO_DATA }));
        opts.onProgress?.(entries.length, total);
      },
      powerWindow: { ...(i === 0 ? { begin: opts.onPowerWindow?.begin } : {}), ...(i === plans.length - 1 ? { end: opts.onPowerWindow?.end } : {}) },
    });
    await qsl.unloadSamples(set.samples);
    firstSampleId += generated.sampleIndices.length;
    setRuns.push({ loadedSet: set, generated, queriesIssued: pass.issued, loadEpochMs, powerBeginEpochMs: pass.powerBeginEpochMs, powerEndEpochMs: pass.powerEndEpochMs });
  }
  return { release, variant, settings: s, sets: setRuns, entries, testStartEpochMs, testEndEpochMs: clocks.epochMs() };
}

const NO_DATA = new Uint8Array(0);

