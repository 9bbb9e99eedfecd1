/**
 * Which QSL samples LoadGen loads and in which order it issues them: `GenerateLoadableSets`
 * and `GenerateQueries` of MLPerf Inference LoadGen (`loadgen.cc`), replayed bit-exactly on
 * our `Mt19937` and libstdc++-compatible distributions.
 *
 * Two releases are modelled, the ones behind the study's logs (see
 * `reference/mlperf-loadgen.md` §1):
 * - `v4.1` (379ee5345a): builds a third, "equal issue" distribution after the unique one
 *   (consuming the sample RNG even when unused) and knows `sample_concatenate_permutation`.
 * - `v1.1` (ed7044310a): no equal-issue distribution; `performance_issue_same` also switches
 *   the generator to "one pass over the set, no minimum duration".
 * The release fixes the algorithm; the libstdc++ variant the binary was built with is a
 * separate input (`LIBSTDCXX_VARIANT_OF_LOGS` gives the one each set of real logs needs).
 *
 * Pure: values in, values out. No BigInt after seeding.
 */
import { errors } from '../../errors.js';
import type { MlperfScenario } from '../../mlperf/types.js';
import { downscalerOf, exponential, shuffle, type LibstdcxxVariant } from './libstdcxx.js';
import { Mt19937 } from './mt19937.js';
import { LOADGEN_RELEASES, type LoadgenRelease } from './settings.js';

/**
 * The libstdc++ variant that reproduces the real logs of each release: the v4.1 binaries were
 * built with a libstdc++ that has Lemire's downscaling (like g++ 12), the v1.1 ones with an
 * older one (checked against `loaded_qsl_set` in the study's logs).
 */
export const LIBSTDCXX_VARIANT_OF_LOGS: Readonly<Record<LoadgenRelease, LibstdcxxVariant>> = {
  'v1.1': 'libstdcxx-div',
  'v4.1': 'libstdcxx-lemire',
};

/** `"4.1 @ 379ee5345a"` or `'4.1'` → `'v4.1'`; undefined for a LoadGen version we do not model. */
export function loadgenReleaseOf(version: string): LoadgenRelease | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(version.trim());
  if (!m) return undefined;
  const release = `v${m[1]}.${m[2]}`;
  return LOADGEN_RELEASES.find((r) => r === release);
}

/** One loadable set: the QSL indices loaded together (`loaded_qsl_set` logs the first). */
export interface LoadableSet {
  /** QSL sample indices in load order, MultiStream padding included. */
  readonly samples: Int32Array;
  /** Size without the padding: performance draws pick a start in [0, end). */
  readonly sampleDistributionEnd: number;
}

/**
 * `GenerateLoadableSets`: shuffle `0..totalCount-1` with `mt19937(qslSeed)` and cut the result
 * into consecutive sets of `performanceSampleCount` (the last one may be short). For
 * MultiStream, pass its samples per query: each set then gets its first `spq - 1` entries
 * appended (cycling, as LoadGen's push-back loop does when a set is shorter than that), so a
 * query of contiguous samples never runs off the end. Performance mode uses only the first
 * set; accuracy mode walks all of them.
 *
 * A `performanceSampleCount` of 0 behaves as in LoadGen: the size check never matches, so
 * everything lands in one set.
 */
export function loadableSets(
  totalCount: number,
  performanceSampleCount: number,
  qslSeed: bigint,
  variant: LibstdcxxVariant,
  multiStreamSamplesPerQuery?: number,
): LoadableSet[] {
  requireCount('qsl_reported_total_count', totalCount, 1);
  requireCount('performance_sample_count', performanceSampleCount, 0);
  const padding = multiStreamSamplesPerQuery === undefined ? 0 : requireCount('samples_per_query', multiStreamSamplesPerQuery, 1) - 1;

  const order = new Int32Array(totalCount);
  for (let i = 0; i < totalCount; i++) order[i] = i;
  shuffle(order, new Mt19937(qslSeed), variant);

  const setSize = performanceSampleCount === 0 ? totalCount : performanceSampleCount;
  const sets: LoadableSet[] = [];
  for (let start = 0; start < totalCount; start += setSize) {
    const end = Math.min(start + setSize, totalCount);
    const size = end - start;
    const samples = new Int32Array(size + padding);
    samples.set(order.subarray(start, end));
    for (let i = 0; i < padding; i++) samples[size + i] = samples[i]!;
    sets.push({ samples, sampleDistributionEnd: size });
  }
  return sets;
}

/** The inputs of `GenerateQueries` (LoadGen's `TestSettingsInternal` fields it reads). */
export interface QueryGenerationSettings {
  readonly release: LoadgenRelease;
  readonly variant: LibstdcxxVariant;
  readonly scenario: MlperfScenario;
  readonly mode: 'PerformanceOnly' | 'AccuracyOnly';
  /** 1 for SingleStream and Server; the query size for MultiStream and Offline. */
  readonly samplesPerQuery: number;
  /** Sets the schedule: the constant period 1/qps, or the Server's Poisson rate. */
  readonly targetQps: number;
  /** `target_duration` (= min_duration, 0 for Offline): queries are generated for twice it (once for Server). */
  readonly targetDurationMs: number;
  readonly minQueryCount: number;
  readonly sampleIndexRngSeed: bigint;
  readonly scheduleRngSeed: bigint;
  readonly performanceIssueUnique?: boolean | undefined;
  readonly performanceIssueSame?: boolean | undefined;
  readonly performanceIssueSameIndex?: number | undefined;
  /** v4.1 `sample_concatenate_permutation` (equal issue); ignored by v1.1. */
  readonly sampleConcatenatePermutation?: boolean | undefined;
}

/** What `GenerateQueries` produced, flattened into typed arrays. */
export interface GeneratedQueries {
  /** `generated_query_count`. */
  readonly queryCount: number;
  /** Query q holds `sampleIndices[queryStart[q] .. queryStart[q + 1])`; length queryCount + 1. */
  readonly queryStart: Float64Array;
  /** QSL sample indices (values of the loaded set), query after query. */
  readonly sampleIndices: Int32Array;
  /** Scheduled time of each query after the start, integer ns (`scheduled_delta`); the first is 0. */
  readonly scheduledNs: Float64Array;
  /** `generated_query_duration`: the schedule's timestamp after the last query, ns. */
  readonly durationNs: number;
  /** `generated_samples_per_query` as the release logs it. */
  readonly loggedSamplesPerQuery: number;
}

/**
 * `GenerateQueries<scenario, mode>`: every query LoadGen pre-generates before issuing, with
 * its samples and scheduled time. The sample RNG is consumed exactly as LoadGen does:
 *
 * 1. `sample_distribution`: performance mode, `uniform_int_distribution<int>(0, end - 1)`
 *    (draws nothing yet); accuracy mode, a shuffle of `0, stride, 2·stride, … < end`.
 * 2. `sample_distribution_unique`: always that shuffle, even in performance mode where it
 *    usually goes unused, so it moves the RNG before the first query's draw.
 * 3. v4.1 only, `sample_distribution_equal_issue`: one shuffle of `0..set size-1` per
 *    started block of `min_queries`.
 * 4. The schedule: a constant `trunc(1e9 / qps)` ns period, or for Server exponential gaps
 *    drawn from `mt19937(schedule_rng_seed)` and truncated to ns.
 *
 * Then queries are generated while the previous one's timestamp is below the generation
 * window (2 × target duration, 1 × for Server) or fewer than `min_query_count` exist.
 * SingleStream/Server draw one sample per query; MultiStream draws a start and takes
 * `samples_per_query` contiguous entries of the padded set; Offline makes one query of the
 * whole set repeated (no sample randomisation at all).
 */
export function generateQueries(set: LoadableSet, settings: QueryGenerationSettings): GeneratedQueries {
  const { release, variant, scenario, mode } = settings;
  const loaded = set.samples;
  const end = set.sampleDistributionEnd;
  if (!(end >= 1 && end <= loaded.length)) {
    throw errors.invalidValue({ field: 'sample_distribution_end' }, `expected 1..${loaded.length}, found ${end}`);
  }
  const settingsSpq = requireCount('samples_per_query', settings.samplesPerQuery, 1);
  const minQueryCount = requireCount('min_query_count', settings.minQueryCount, 0);
  requireCount('target_duration_ms', settings.targetDurationMs, 0);
  if (!(settings.targetQps > 0 && Number.isFinite(settings.targetQps))) {
    throw errors.invalidValue({ field: 'target_qps' }, `expected a positive finite rate, found ${settings.targetQps}`);
  }
  const unique = settings.performanceIssueUnique === true;
  const same = settings.performanceIssueSame === true;
  const sameIndex = settings.performanceIssueSameIndex ?? 0;
  const equalIssue = release === 'v4.1' && settings.sampleConcatenatePermutation === true;
  const isMultiStream = scenario === 'MultiStream';
  const isOffline = scenario === 'Offline';
  // MultiStream reads samples_per_query entries from the index on; stay inside the padded set.
  const lastSameIndex = loaded.length - (isMultiStream ? settingsSpq : 1);
  if (same && !(Number.isInteger(sameIndex) && sameIndex >= 0 && sameIndex <= lastSameIndex)) {
    throw errors.invalidValue({ field: 'performance_issue_same_index' }, `expected 0..${lastSameIndex}, found ${sameIndex}`);
  }

  let genDurationNs = (scenario === 'Server' ? 1 : 2) * settings.targetDurationMs * 1e6;
  let minQueries = minQueryCount;
  let spq = mode === 'AccuracyOnly' && isOffline ? end : settingsSpq;
  // One pass over the set, whatever the duration (v1.1 also did this for performance_issue_same).
  if (mode === 'AccuracyOnly' || unique || (release === 'v1.1' && same)) {
    genDurationNs = 0;
    minQueries = Math.floor(loaded.length / spq);
  }

  const sampleRng = new Mt19937(settings.sampleIndexRngSeed);
  const scheduleRng = new Mt19937(settings.scheduleRngSeed);
  const stride = isMultiStream ? spq : 1;

  // The distributions, constructed in LoadGen's order (construction consumes sampleRng).
  const below = downscalerOf(variant);
  const drawPerformance = (): number => below(sampleRng, end);
  const accuracyOrder = mode === 'AccuracyOnly' ? strideShuffle(end, stride, sampleRng, variant) : undefined;
  const uniqueOrder = strideShuffle(end, stride, sampleRng, variant);
  const equalIssueOrder = release === 'v4.1' ? equalIssueShuffles(minQueries, loaded.length, sampleRng, variant) : undefined;
  const nextSample = accuracyOrder === undefined ? drawPerformance : sequence(accuracyOrder, 'accuracy');
  const nextUnique = sequence(uniqueOrder, 'unique');
  const nextEqualIssue = equalIssueOrder === undefined ? undefined : cycle(equalIssueOrder);
  const periodNs = Math.trunc((1 / settings.targetQps) * 1e9);
  if (scenario !== 'Server' && periodNs === 0 && genDurationNs > 0) {
    // LoadGen would loop forever here: the timestamps never advance.
    throw errors.invalidValue({ field: 'target_qps' }, `${settings.targetQps} queries/s gives a 0 ns period; the query schedule would never end`);
  }
  const nextGapNs =
    scenario === 'Server' ? (): number => Math.trunc(exponential(scheduleRng, settings.targetQps) * 1e9) : (): number => periodNs;

  if (mode !== 'AccuracyOnly' && equalIssue) {
    if (isOffline && spq % loaded.length !== 0) spq += loaded.length - (spq % loaded.length);
    else if (!isOffline && minQueries % loaded.length !== 0) minQueries += loaded.length - (minQueries % loaded.length);
  }

  const expectedQueries = Math.max(minQueries, Math.ceil((genDurationNs * settings.targetQps) / 1e9) + 1);
  const out = new QueryBuffer(Math.min(expectedQueries * 1.05 + 16, 1 << 24), spq);
  let timestamp = 0;
  let prevTimestamp = 0;
  while (prevTimestamp < genDurationNs || out.queryCount < minQueries) {
    if (isMultiStream) {
      let start = unique ? nextUnique() : same ? sameIndex : nextSample();
      for (let s = 0; s < spq; s++) out.push(loaded[start++]!);
    } else if (isOffline) {
      pushOffline(out, loaded, spq, same ? sameIndex : undefined, equalIssue ? sampleRng : undefined, variant);
    } else {
      for (let s = 0; s < spq; s++) {
        const i = unique ? nextUnique() : same ? sameIndex : equalIssue && nextEqualIssue !== undefined ? nextEqualIssue() : nextSample();
        out.push(loaded[i]!);
      }
    }
    out.endQuery(timestamp);
    prevTimestamp = timestamp;
    timestamp += nextGapNs();
    // Equal issue: a run that needs more time grows by whole passes over the set.
    if (equalIssue && out.queryCount >= minQueries && prevTimestamp < genDurationNs && !isOffline) minQueries += loaded.length;
  }

  // Offline accuracy: a last, shorter query if the set does not divide into whole queries.
  if (isOffline && mode === 'AccuracyOnly') {
    const remaining = loaded.length % spq;
    if (remaining !== 0) {
      for (let s = 0; s < remaining; s++) out.push(loaded[nextSample()]!);
      out.endQuery(timestamp);
    }
  }

  return {
    ...out.finish(),
    durationNs: timestamp,
    loggedSamplesPerQuery: release === 'v4.1' ? spq : settingsSpq,
  };
}

/**
 * The per-sample QSL indices `generateQueries` issues, query after query (a shorthand for its
 * `sampleIndices`). For SingleStream and Server that is one index per query.
 */
export function querySampleIndices(set: LoadableSet, settings: QueryGenerationSettings): Int32Array {
  return generateQueries(set, settings).sampleIndices;
}

/**
 * The first `count` scheduled times (ns from the start) LoadGen gives queries: 0, then the
 * running sum of the truncated gaps. For Server these are the Poisson arrivals drawn from
 * `mt19937(scheduleRngSeed)`; other scenarios use the constant period.
 */
export function scheduleNs(scenario: MlperfScenario, targetQps: number, scheduleRngSeed: bigint, count: number): Float64Array {
  requireCount('count', count, 0);
  if (!(targetQps > 0 && Number.isFinite(targetQps))) {
    throw errors.invalidValue({ field: 'target_qps' }, `expected a positive finite rate, found ${targetQps}`);
  }
  const rng = new Mt19937(scheduleRngSeed);
  const periodNs = Math.trunc((1 / targetQps) * 1e9);
  const out = new Float64Array(count);
  let t = 0;
  for (let q = 0; q < count; q++) {
    out[q] = t;
    t += scenario === 'Server' ? Math.trunc(exponential(rng, targetQps) * 1e9) : periodNs;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function requireCount(field: string, value: number, min: number): number {
  if (!(Number.isSafeInteger(value) && value >= min)) throw errors.invalidValue({ field }, `expected an integer >= ${min}, found ${value}`);
  return value;
}

/** `SampleDistribution<AccuracyOnly>`'s construction: `0, stride, 2·stride, … < end`, shuffled. */
function strideShuffle(end: number, stride: number, rng: Mt19937, variant: LibstdcxxVariant): Int32Array {
  const indices = new Int32Array(Math.ceil(end / stride));
  for (let k = 0; k < indices.length; k++) indices[k] = k * stride;
  shuffle(indices, rng, variant);
  return indices;
}

/** `SampleDistributionEqualIssue`'s construction: a fresh shuffle of the iota per block of `count`. */
function equalIssueShuffles(count: number, setSize: number, rng: Mt19937, variant: LibstdcxxVariant): Int32Array {
  const blocks = Math.ceil(count / setSize);
  const indices = new Int32Array(blocks * setSize);
  const order = new Int32Array(setSize);
  for (let i = 0; i < setSize; i++) order[i] = i;
  for (let b = 0; b < blocks; b++) {
    // LoadGen reshuffles the same vector each time, so each block starts from the last order.
    shuffle(order, rng, variant);
    indices.set(order, b * setSize);
  }
  return indices;
}

/** A pre-shuffled order returned one by one; LoadGen's `indices.at(i++)` throws when exhausted. */
function sequence(order: Int32Array, name: string): () => number {
  let i = 0;
  return () => {
    if (i >= order.length) throw errors.invalidValue({ field: `sample_distribution_${name}` }, `drew past its ${order.length} indices`);
    return order[i++]!;
  };
}

/** The equal-issue order, wrapping around (`indices.at(i++ % size)`). */
function cycle(order: Int32Array): () => number {
  let i = 0;
  return () => {
    if (order.length === 0) throw errors.invalidValue({ field: 'sample_distribution_equal_issue' }, 'drew from an empty order (min_query_count 0)');
    const v = order[i % order.length]!;
    i++;
    return v;
  };
}

/** The Offline query: the loaded set repeated, then its first `spq mod n` entries. */
function pushOffline(
  out: QueryBuffer,
  loaded: Int32Array,
  spq: number,
  sameIndex: number | undefined,
  permuteWith: Mt19937 | undefined,
  variant: LibstdcxxVariant,
): void {
  const n = loaded.length;
  if (sameIndex !== undefined) {
    const v = loaded[sameIndex]!;
    for (let s = 0; s < spq; s++) out.push(v);
    return;
  }
  const repeats = Math.floor(spq / n);
  for (let r = 0; r < repeats; r++) {
    if (permuteWith === undefined) {
      out.pushAll(loaded);
    } else {
      // v4.1 sample_concatenate_permutation: each full copy is shuffled with the sample RNG.
      const block = loaded.slice();
      shuffle(block, permuteWith, variant);
      out.pushAll(block);
    }
  }
  out.pushAll(loaded.subarray(0, spq % n));
}

/** Growable flat storage for generated queries. */
class QueryBuffer {
  queryCount = 0;
  private sampleCount = 0;
  private samples: Int32Array;
  private starts: Float64Array;
  private times: Float64Array;

  /** Sized for the expected number of queries, so the common case never reallocates. */
  constructor(expectedQueries: number, samplesPerQuery: number) {
    const queries = Math.ceil(expectedQueries);
    this.samples = new Int32Array(Math.min(queries * samplesPerQuery, 1 << 26));
    this.starts = new Float64Array(queries + 1);
    this.times = new Float64Array(queries);
  }

  push(sample: number): void {
    if (this.sampleCount === this.samples.length) this.samples = grow(this.samples, this.sampleCount + 1);
    this.samples[this.sampleCount++] = sample;
  }

  pushAll(values: Int32Array): void {
    if (this.sampleCount + values.length > this.samples.length) this.samples = grow(this.samples, this.sampleCount + values.length);
    this.samples.set(values, this.sampleCount);
    this.sampleCount += values.length;
  }

  endQuery(scheduledNs: number): void {
    if (this.queryCount >= this.times.length) {
      this.starts = grow(this.starts, this.queryCount + 2);
      this.times = grow(this.times, this.queryCount + 1);
    }
    this.times[this.queryCount] = scheduledNs;
    this.queryCount++;
    this.starts[this.queryCount] = this.sampleCount;
  }

  finish(): { queryCount: number; queryStart: Float64Array; sampleIndices: Int32Array; scheduledNs: Float64Array } {
    return {
      queryCount: this.queryCount,
      // Views, not copies: the buffers were sized for this run, so little is wasted.
      queryStart: this.starts.subarray(0, this.queryCount + 1),
      sampleIndices: this.samples.subarray(0, this.sampleCount),
      scheduledNs: this.times.subarray(0, this.queryCount),
    };
  }
}

function grow<A extends Int32Array | Float64Array>(a: A, atLeast: number): A {
  const bigger = new (a.constructor as new (n: number) => A)(Math.max(atLeast, a.length * 2));
  bigger.set(a);
  return bigger;
}
