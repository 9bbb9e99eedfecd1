import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseDetail, parseSummary, type MlperfDetail, type MlperfSummary, type MllogValue } from '../../src/mlperf/index.js';
import {
  LATENCY_PERCENTILES,
  computeResults,
  earlyStoppingMet,
  invalidReasonFor,
  recommendationsFor,
  type EarlyStoppingOutcome,
  type LatencyStats,
  type PerformanceResults,
} from '../../src/benchmark/loadgen/results.js';
import { earlyStoppingDiscards, type PercentileEarlyStopping } from '../../src/benchmark/loadgen/early-stopping.js';
import {
  TEST_SETTINGS_DEFAULTS,
  bertMlperfConf,
  effectiveSettings,
  studySettings,
  type EffectiveSettings,
  type LoadgenRelease,
  type TestSettings,
} from '../../src/benchmark/loadgen/settings.js';
import { formatDouble, formatFixed, percentileLabel, writeSummary, type SummaryInput } from '../../src/benchmark/loadgen/summary-writer.js';
import {
  effectiveSettingsRecords,
  escapeJsonString,
  formatMllogLine,
  formatPowerTimestamp,
  formatTestDatetime,
  formatTimeMs,
  generatedQueriesRecords,
  issueEndRecord,
  loadedQslSetRecord,
  loggerCounterRecords,
  messageRecord,
  mllog,
  powerRecords,
  requestedSettingsRecords,
  resultRecords,
  stamp,
  testStartRecords,
  typedMllogValue,
  versionRecords,
  writeDetail,
  type MllogEntry,
  type MllogRecord,
} from '../../src/benchmark/loadgen/detail-writer.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';

const LOGS = join(THESIS_DIR, 'Logs');

function findFiles(dir: string, name: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const p = join(dir, entry);
    if (statSync(p).isDirectory()) return findFiles(p, name);
    return entry === name && statSync(p).size > 0 ? [p] : [];
  });
}

/** `T4_v1.1_logs/...` → 'v1.1'. */
function releaseOf(path: string): LoadgenRelease {
  if (path.includes('_v1.1_logs')) return 'v1.1';
  if (path.includes('_v4.1_logs')) return 'v4.1';
  throw new Error(`no release in ${path}`);
}

// ---------------------------------------------------------------------------------------------
// Building the writers' inputs from what the real logs print

function percentileOfLabel(label: string): number {
  const p = LATENCY_PERCENTILES.find((x) => percentileLabel(x) === label);
  assert.ok(p !== undefined, `unknown percentile label ${label}`);
  return p;
}

function statsFrom(count: number, min: number, max: number, mean: number, percentilesNs: Readonly<Record<string, number>>, target: number): LatencyStats {
  const percentiles = Object.entries(percentilesNs).map(([label, latencyNs]) => ({ percentile: percentileOfLabel(label), latencyNs }));
  const targetEntry = percentiles.find((p) => p.percentile === target);
  assert.ok(targetEntry, `no ${target} percentile`);
  return { count, minNs: min, maxNs: max, meanNs: mean, target: targetEntry, percentiles };
}

/** The SingleStream early-stopping outcome a v4.1 summary's block describes. */
function earlyStoppingFrom(sum: MlperfSummary): EarlyStoppingOutcome {
  const es = sum.earlyStopping;
  assert.ok(es, 'v4.1 summary without an Early Stopping Result block');
  const n = es.queriesProcessed!;
  if (es.queriesDiscarded === undefined) {
    return { scenario: 'SingleStream', target: { kind: 'too-few', percentile: 0.9, queriesIssued: n, queriesNeeded: es.queriesNeeded! } };
  }
  const target: PercentileEarlyStopping = {
    kind: 'estimated',
    percentile: 0.9,
    queriesIssued: n,
    queriesNeeded: es.queriesNeeded!,
    discarded: es.queriesDiscarded,
    estimateNs: es.estimatesNs['90']!,
  };
  let multiStream: PercentileEarlyStopping;
  const est99 = es.estimatesNs['99'];
  if (est99 !== undefined) {
    // The p99 discard count is not printed; only the estimate is.
    multiStream = { kind: 'estimated', percentile: 0.99, queriesIssued: n, queriesNeeded: 662, discarded: earlyStoppingDiscards(n, 0.99)!, estimateNs: est99 };
  } else {
    const m = /would need to process at least (\d+) total queries/.exec(es.text);
    assert.ok(m, `no p99 line in ${es.text}`);
    multiStream = { kind: 'too-few', percentile: 0.99, queriesIssued: n, queriesNeeded: Number(m[1]) };
  }
  return { scenario: 'SingleStream', target, multiStream };
}

function settingsFromSummary(sum: MlperfSummary): EffectiveSettings {
  const p = sum.params;
  const title = /^(\d+)th percentile latency/.exec(sum.headline.key);
  assert.ok(title, `no target percentile in ${sum.headline.key}`);
  return {
    scenario: sum.scenario,
    mode: sum.mode,
    samplesPerQuery: p.samplesPerQuery,
    targetQps: p.targetQps,
    targetLatencyNs: p.targetLatencyNs,
    targetLatencyPercentile: Number(title[1]) / 100,
    maxAsyncQueries: p.maxAsyncQueries,
    targetDurationMs: p.minDurationMs,
    minDurationMs: p.minDurationMs,
    maxDurationMs: p.maxDurationMs,
    minQueryCount: p.minQueryCount,
    maxQueryCount: p.maxQueryCount,
    minSampleCount: p.minQueryCount * p.samplesPerQuery,
    qslRngSeed: p.qslRngSeed,
    sampleIndexRngSeed: p.sampleIndexRngSeed,
    scheduleRngSeed: p.scheduleRngSeed,
    accuracyLogRngSeed: p.accuracyLogRngSeed,
    accuracyLogProbability: p.accuracyLogProbability,
    accuracyLogSamplingTarget: p.accuracyLogSamplingTarget,
    printTimestamps: p.printTimestamps,
    performanceIssueUnique: p.performanceIssueUnique,
    performanceIssueSame: p.performanceIssueSame,
    performanceIssueSameIndex: p.performanceIssueSameIndex,
    performanceSampleCount: p.performanceSampleCount,
    sampleConcatenatePermutation: false,
  };
}

/** The writer's input, rebuilt from the printed values (validity re-derived, recommendations regenerated). */
function summaryInputFrom(sum: MlperfSummary, release: LoadgenRelease): SummaryInput {
  const settings = settingsFromSummary(sum);
  const c = sum.constraints;
  assert.notEqual(c.minQueriesMet, 'skipped');
  const flags = { minDurationMet: c.minDurationMet, minQueriesMet: c.minQueriesMet === true, perfConstraintsMet: c.performanceConstraintsMet ?? true };
  const earlyStopping = release === 'v4.1' ? earlyStoppingFrom(sum) : undefined;
  const esMet = release === 'v4.1' ? earlyStoppingMet(earlyStopping) : undefined;
  // The printed validity must be what the constraints imply, as LoadGen derives it.
  assert.equal(esMet, c.earlyStoppingMet);
  const valid = flags.minDurationMet && flags.minQueriesMet && flags.perfConstraintsMet && esMet !== false;
  assert.equal(valid, sum.resultValid);
  const queriesIssued = sum.earlyStopping?.queriesProcessed ?? sum.queryCount ?? settings.minQueryCount;
  const s = sum.stats;
  const results: PerformanceResults = {
    release,
    scenario: sum.scenario,
    mode: sum.mode,
    queriesIssued,
    sampleCount: sum.sampleCount ?? queriesIssued,
    sampleLatency: statsFrom(queriesIssued, s.minLatencyNs, s.maxLatencyNs, s.meanLatencyNs, s.percentilesNs, settings.targetLatencyPercentile),
    throughput: { scenario: 'SingleStream', qpsWithLoadgenOverhead: s.qpsWithLoadgenOverhead!, qpsWithoutLoadgenOverhead: s.qpsWithoutLoadgenOverhead! },
    validity: { ...flags, earlyStoppingMet: esMet, valid },
    recommendations: recommendationsFor(sum.scenario, { ...flags, valid }),
    invalidReason: invalidReasonFor(sum.scenario, { ...flags, valid }),
    earlyStopping,
  };
  assert.equal(results.sampleLatency.target.latencyNs, sum.headline.value);
  return { sutName: sum.sutName, settings, results, warningCount: sum.warningCount, errorCount: sum.errorCount, headerCounts: sum.queryCount !== undefined };
}

// ---------------------------------------------------------------------------------------------
// Summaries: every real one, byte for byte

test('writeSummary reproduces every real mlperf_log_summary.txt byte for byte (v1.1 and v4.1)', { skip: skipWithoutThesis }, () => {
  const files = findFiles(LOGS, 'mlperf_log_summary.txt');
  assert.equal(files.length, 538);
  const perRelease = { 'v1.1': 0, 'v4.1': 0 };
  let withCounts = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const release = releaseOf(file);
    const input = summaryInputFrom(parseSummary(text, file), release);
    const written = writeSummary(input);
    if (written !== text) assert.equal(written, text, `${file} differs`);
    perRelease[release]++;
    if (input.headerCounts === true) withCounts++;
  }
  assert.deepEqual(perRelease, { 'v1.1': 101, 'v4.1': 437 });
  // Only the rebuilt Orin build prints the Query/Sample count lines.
  assert.equal(withCounts, 221);
});

test('computeResults → writeSummary on synthetic latencies prints LoadGen’s v4.1 text', () => {
  // 64 evenly spaced latencies: p90 = sorted[57]; at n = 64 the early-stopping estimate is the max.
  const settings = effectiveSettings(studySettings('v4.1', 64), 10833, 'v4.1');
  const latencies = Array.from({ length: 64 }, (_, i) => 1_500_000 + i * 1000);
  const r = computeResults(
    { sampleLatenciesNs: latencies, queriesIssued: 64, finalQueryScheduledNs: 95_000_000, finalQueryIssuedNs: 95_000_000, finalQueryAllSamplesDoneNs: 96_600_000 },
    settings,
    'v4.1',
  );
  const text = writeSummary({ sutName: 'BERT SERVER', settings, results: r, warningCount: 0, errorCount: 1 });
  assert.match(text, /^90th percentile latency \(ns\) : 1557000$/m);
  assert.match(text, /^Result is : INVALID\n {2}Min duration satisfied : NO\n {2}Min queries satisfied : Yes\n {2}Early stopping satisfied: Yes$/m);
  assert.ok(
    text.includes(
      'Early Stopping Result:\n * Processed at least 64 queries (64).\n * Would discard 0 highest latency queries.\n' +
        ' * Early stopping 90th percentile estimate: 1563000\n * Not enough queries processed for 99th percentile\n' +
        ' early stopping estimate (would need to process at\n least 662 total queries).\n\n',
    ),
    'early-stopping block',
  );
  // (64 − 1) / 0.095 s = 663.157…; 1 / 1.5315 ms = 652.95…
  assert.match(text, /^QPS w\/ loadgen overhead {9}: 663\.16$/m);
  assert.match(text, /^QPS w\/o loadgen overhead {8}: 652\.95$/m);
  assert.match(text, /^target_qps : 161\.29$/m);
  assert.ok(text.endsWith('performance_sample_count : 10833\n\nNo warnings encountered during test.\n\n1 ERROR encountered. See detailed log.\n'), 'footer');
});

// ---------------------------------------------------------------------------------------------
// Detail logs

function entriesFromEvents(detail: MlperfDetail, release: LoadgenRelease): MllogEntry[] {
  return detail.events.map((ev) => {
    assert.equal(ev.namespace, 'mlperf::logging');
    assert.equal(ev.eventType, 'POINT_IN_TIME');
    return {
      key: ev.key,
      value: typedMllogValue(ev.key, ev.value, release),
      isError: ev.metadata.isError,
      isWarning: ev.metadata.isWarning,
      elapsedNs: Math.round(ev.timeMs * 1e6),
      file: ev.metadata.file,
      lineNo: ev.metadata.lineNo,
      pid: ev.metadata.pid,
      tid: ev.metadata.tid,
    };
  });
}

const detailFiles = (): string[] => findFiles(LOGS, 'mlperf_log_detail.txt');

test('writeDetail reproduces every real mlperf_log_detail.txt byte for byte from its parsed events', { skip: skipWithoutThesis }, () => {
  const files = detailFiles();
  assert.equal(files.length, 8);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const release = releaseOf(file);
    const written = writeDetail(entriesFromEvents(parseDetail(text, file), release));
    if (written !== text) {
      const a = written.split('\n');
      const b = text.split('\n');
      const i = a.findIndex((l, k) => l !== b[k]);
      assert.equal(a[i], b[i], `${file} line ${i + 1}`);
    }
  }
});

function value(detail: MlperfDetail, key: string): MllogValue {
  const ev = detail.events.find((e) => e.key === key);
  assert.ok(ev, `no ${key}`);
  return ev.value;
}
const num = (v: MllogValue): number => {
  assert.equal(typeof v, 'number');
  return v as number;
};
const text = (v: MllogValue): string => {
  assert.equal(typeof v, 'string');
  return v as string;
};
const seed = (v: MllogValue): bigint => (typeof v === 'bigint' ? v : BigInt(num(v)));

/** The request the run's `requested_*` keys record. */
function requestedFrom(detail: MlperfDetail): TestSettings {
  const q = detail.requested;
  return {
    ...TEST_SETTINGS_DEFAULTS,
    scenario: 'SingleStream',
    mode: 'PerformanceOnly',
    singleStreamExpectedLatencyNs: num(q.single_stream_expected_latency_ns!),
    singleStreamTargetLatencyPercentile: num(q.single_stream_target_latency_percentile!),
    minDurationMs: num(q.min_duration_ms!),
    maxDurationMs: num(q.max_duration_ms!),
    minQueryCount: num(q.min_query_count!),
    maxQueryCount: num(q.max_query_count!),
    qslRngSeed: seed(q.qsl_rng_seed!),
    sampleIndexRngSeed: seed(q.sample_index_rng_seed!),
    scheduleRngSeed: seed(q.schedule_rng_seed!),
    accuracyLogRngSeed: seed(q.accuracy_log_rng_seed!),
    accuracyLogProbability: num(q.accuracy_log_probability!),
    accuracyLogSamplingTarget: num(q.accuracy_log_sampling_target!),
    printTimestamps: q.print_timestamps === true,
    performanceIssueUnique: q.performance_issue_unique === true,
    performanceIssueSame: q.performance_issue_same === true,
    performanceIssueSameIndex: num(q.performance_issue_same_index!),
    performanceSampleCountOverride: num(q.performance_sample_count_override!),
    sampleConcatenatePermutation: q.sample_concatenate_permutation === true,
  };
}

/** Results rebuilt from the detail's result block (QPS as %g doubles) and, for v4.1, the sibling summary's early stopping. */
function resultsFromDetail(detail: MlperfDetail, sum: MlperfSummary, release: LoadgenRelease, settings: EffectiveSettings): PerformanceResults {
  const r = detail.results!;
  const queriesIssued = r.queryCount ?? settings.minQueryCount;
  const flags = { minDurationMet: r.minDurationMet!, minQueriesMet: r.minQueriesMet!, perfConstraintsMet: r.perfConstraintsMet ?? true };
  const earlyStopping = release === 'v4.1' ? earlyStoppingFrom(sum) : undefined;
  const esMet = release === 'v4.1' ? earlyStoppingMet(earlyStopping) : undefined;
  assert.equal(esMet, r.earlyStoppingMet);
  const valid = flags.minDurationMet && flags.minQueriesMet && flags.perfConstraintsMet && esMet !== false;
  assert.equal(valid, r.valid);
  return {
    release,
    scenario: 'SingleStream',
    mode: 'PerformanceOnly',
    queriesIssued,
    sampleCount: queriesIssued,
    sampleLatency: statsFrom(queriesIssued, r.minLatencyNs, r.maxLatencyNs, r.meanLatencyNs, r.percentilesNs, settings.targetLatencyPercentile),
    throughput: { scenario: 'SingleStream', qpsWithLoadgenOverhead: r.qpsWithLoadgenOverhead!, qpsWithoutLoadgenOverhead: r.qpsWithoutLoadgenOverhead! },
    validity: { ...flags, earlyStoppingMet: esMet, valid },
    recommendations: recommendationsFor('SingleStream', { ...flags, valid }),
    invalidReason: invalidReasonFor('SingleStream', { ...flags, valid }),
    earlyStopping,
  };
}

test('the detail builders regenerate every real detail log: key order, values, settings, power, results', { skip: skipWithoutThesis }, () => {
  for (const file of detailFiles()) {
    const raw = readFileSync(file, 'utf8');
    const release = releaseOf(file);
    const detail = parseDetail(raw, file);
    const sum = parseSummary(readFileSync(join(dirname(file), 'mlperf_log_summary.txt'), 'utf8'));
    const requested = requestedFrom(detail);
    // Settings: the effective_* values follow from the requested ones as TestSettingsInternal derives them.
    const effective = effectiveSettings(requested, num(value(detail, 'qsl_reported_performance_count')), release);
    const results = resultsFromDetail(detail, sum, release, effective);
    const sha1 = value(detail, 'loadgen_file_sha1') as Readonly<Record<string, string>>;
    const records: MllogRecord[] = [
      ...versionRecords({
        loadgenVersion: text(value(detail, 'loadgen_version')),
        buildDateLocal: text(value(detail, 'loadgen_build_date_local')),
        buildDateUtc: text(value(detail, 'loadgen_build_date_utc')),
        gitCommitDate: text(value(detail, 'loadgen_git_commit_date')),
        gitLogMessage: text(value(detail, 'loadgen_git_log_message')),
        gitStatusMessage: text(value(detail, 'loadgen_git_status_message')),
        fileSha1: sha1,
      }),
      ...testStartRecords(
        {
          testDatetime: detail.testDatetime!,
          sutName: text(value(detail, 'sut_name')),
          sutNameDurationNs: release === 'v4.1' ? num(value(detail, 'get_sut_name_duration_ns')) : undefined,
          qslName: text(value(detail, 'qsl_name')),
          qslTotalCount: num(value(detail, 'qsl_reported_total_count')),
          qslPerformanceCount: num(value(detail, 'qsl_reported_performance_count')),
        },
        release,
      ),
      ...requestedSettingsRecords(requested, release),
      ...effectiveSettingsRecords(effective, release),
      messageRecord('Starting performance mode'),
      loadedQslSetRecord(detail.loadedQslSet!),
      ...generatedQueriesRecords({
        queryCount: num(value(detail, 'generated_query_count')),
        samplesPerQuery: num(value(detail, 'generated_samples_per_query')),
        durationNs: num(value(detail, 'generated_query_duration')),
      }),
      issueEndRecord({ kind: 'max-query-count', queryCount: results.queriesIssued }),
      ...loggerCounterRecords(),
      ...powerRecords(detail.powerBeginMs!, detail.powerEndMs!),
      ...resultRecords(results),
    ];
    assert.deepEqual(
      records.map((r) => r.key),
      detail.events.map((e) => e.key),
      `${file}: key order`,
    );
    // Stamped with the real events' times and origins, every line must be the real line.
    const realLines = raw.split('\n');
    records.forEach((rec, i) => {
      const ev = detail.events[i]!;
      const [line] = stamp([rec], {
        elapsedNs: Math.round(ev.timeMs * 1e6),
        file: ev.metadata.file,
        lineNo: ev.metadata.lineNo,
        pid: ev.metadata.pid,
        tid: ev.metadata.tid,
      });
      assert.equal(formatMllogLine(line!), realLines[i], `${file} line ${i + 1} (${rec.key})`);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Formatting units

test('formatDouble is C %g (6 significant digits, ties to even, trailing zeros dropped)', () => {
  const cases: [number, string][] = [
    [161.29032258064515, '161.29'],
    [32.25806451612903, '32.2581'],
    [6.2e6, '6.2e+06'],
    [1e6, '1e+06'],
    [123456, '123456'],
    [1234567, '1.23457e+06'],
    // An exact tie: glibc keeps the even digit where toPrecision rounds up.
    [1234565, '1.23456e+06'],
    [1234575, '1.23458e+06'],
    [0, '0'],
    [0.9, '0.9'],
    [0.99, '0.99'],
    [0.0001, '0.0001'],
    [0.00001, '1e-05'],
    [742.0649999, '742.065'],
    [999999.5, '1e+06'],
    [-2.5, '-2.5'],
    [1e300, '1e+300'],
    [NaN, 'nan'],
    [Infinity, 'inf'],
  ];
  for (const [x, want] of cases) assert.equal(formatDouble(x), want, String(x));
});

test('formatDouble keeps 6 significant digits within half a unit of the last one (property)', () => {
  fc.assert(
    fc.property(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e300, max: 1e300 }), (x) => {
      const text = formatDouble(x);
      if (!/^-?\d+(?:\.\d+)?(?:e[+-]\d{2,3})?$/.test(text)) return false;
      const digits = text.replace(/^-/, '').replace(/e.*$/, '').replace('.', '').replace(/^0+/, '');
      if (digits.length > 6) return false;
      if (x === 0) return text === '0' || text === '-0';
      const unit = 10 ** (Math.floor(Math.log10(Math.abs(x))) - 5);
      return Math.abs(Number(text) - x) <= 0.5 * unit * (1 + 1e-9) + Math.abs(x) * 1e-15;
    }),
    { numRuns: 5000 },
  );
});

test('formatFixed is C %.2f (exact value, ties to even)', () => {
  const cases: [number, number, string][] = [
    [742.0649, 2, '742.06'],
    [752.5712, 2, '752.57'],
    [0.125, 2, '0.12'], // exact tie → even (toFixed gives 0.13)
    [0.375, 2, '0.38'],
    [1.005, 2, '1.00'], // 1.005 is 1.00499999999999989…
    [99.9, 2, '99.90'],
    [90.00000000000001, 0, '90'],
    [2.5, 0, '2'],
    [3.5, 0, '4'],
    [-0.001, 2, '-0.00'],
    [12345678.9, 2, '12345678.90'],
  ];
  for (const [x, digits, want] of cases) assert.equal(formatFixed(x, digits), want, `${x} ${digits}`);
});

test('time_ms, power and test_datetime stamps are LoadGen’s', () => {
  assert.equal(formatTimeMs(13184), '0.013184');
  assert.equal(formatTimeMs(430_000_640), '430.000640');
  assert.equal(formatTimeMs(600_012_345_678), '600012.345678');
  // 2025-05-22 14:27:16.344 UTC, ms truncated.
  const t = Date.UTC(2025, 4, 22, 14, 27, 16, 344);
  assert.equal(formatPowerTimestamp(t + 0.9), '05-22-2025 14:27:16.344');
  // CEST host (UTC+2): local wall clock with a misleading Z.
  assert.equal(formatTestDatetime(t, 120), '2025-05-22T16:27:16Z');
  assert.equal(escapeJsonString('a"b\\c\nd\u0001'), 'a\\"b\\\\c\\nd\\u0001');
});

// ---------------------------------------------------------------------------------------------
// Round trips through our parsers

function run(scenario: 'SingleStream' | 'MultiStream' | 'Server' | 'Offline', release: LoadgenRelease) {
  const requested: TestSettings = { ...bertMlperfConf(release, scenario), minDurationMs: 1000, minQueryCount: 200, maxQueryCount: 0 };
  const settings = effectiveSettings(requested, 10833, release);
  const n = scenario === 'Offline' ? 1 : 700;
  const spq = settings.samplesPerQuery;
  const samples = scenario === 'Offline' ? Math.max(settings.samplesPerQuery, 50) : n * spq;
  // Deterministic, spread latencies with a heavy tail (ns).
  const latencies = Array.from({ length: samples }, (_, i) => 2_000_000 + ((i * 7919) % 1000) * 1000 + (i % 97 === 0 ? 140_000_000 : 0));
  const queryLatencies = scenario === 'MultiStream' ? Array.from({ length: n }, (_, q) => Math.max(...latencies.slice(q * spq, q * spq + spq))) : undefined;
  const results = computeResults(
    {
      sampleLatenciesNs: latencies,
      queryLatenciesNs: queryLatencies,
      queriesIssued: n,
      finalQueryScheduledNs: 1_200_000_000,
      finalQueryIssuedNs: 1_234_567_891,
      finalQueryAllSamplesDoneNs: 1_240_000_000,
    },
    settings,
    release,
  );
  return { requested, settings, results };
}

const SCENARIOS = ['SingleStream', 'MultiStream', 'Server', 'Offline'] as const;

test('written summaries parse back to the values they were written from', () => {
  for (const release of ['v1.1', 'v4.1'] as const) {
    for (const scenario of SCENARIOS) {
      if (release === 'v1.1' && scenario === 'MultiStream') continue;
      const { settings, results: r } = run(scenario, release);
      const textOut = writeSummary({ sutName: 'inferprint "null" SUT', settings, results: r, warningCount: 2, errorCount: 1 });
      const back = parseSummary(textOut, `${release} ${scenario}`);
      const where = `${release} ${scenario}`;
      assert.equal(back.scenario, scenario, where);
      assert.equal(back.sutName, 'inferprint "null" SUT');
      assert.equal(back.resultValid, r.validity.valid, where);
      assert.equal(back.constraints.minDurationMet, r.validity.minDurationMet, where);
      assert.equal(back.constraints.minQueriesMet, r.validity.minQueriesMet, where);
      assert.equal(back.constraints.earlyStoppingMet, release === 'v4.1' ? r.validity.earlyStoppingMet : undefined, where);
      if (scenario === 'Server') assert.equal(back.constraints.performanceConstraintsMet, r.validity.perfConstraintsMet);
      assert.deepEqual(back.recommendations, r.recommendations.map((x) => x.replace('\n   ', ' ')), where);
      const stats = scenario === 'MultiStream' ? r.queryLatency! : r.sampleLatency;
      assert.equal(back.stats.minLatencyNs, stats.minNs, where);
      assert.equal(back.stats.maxLatencyNs, stats.maxNs, where);
      assert.equal(back.stats.meanLatencyNs, stats.meanNs, where);
      assert.deepEqual(back.stats.percentilesNs, Object.fromEntries(stats.percentiles.map((p) => [percentileLabel(p.percentile), p.latencyNs])), where);
      assert.equal(back.stats.perQuery, scenario === 'MultiStream');
      assert.equal(back.params.qslRngSeed, settings.qslRngSeed);
      assert.equal(back.params.scheduleRngSeed, settings.scheduleRngSeed);
      assert.equal(back.params.minQueryCount, settings.minQueryCount);
      assert.equal(back.params.performanceSampleCount, settings.performanceSampleCount);
      assert.equal(back.warningCount, 2);
      assert.equal(back.errorCount, 1);
      const tp = r.throughput;
      if (tp.scenario === 'SingleStream') {
        assert.equal(back.stats.qpsWithLoadgenOverhead, Number(formatFixed(tp.qpsWithLoadgenOverhead)));
        assert.equal(back.headline.value, r.sampleLatency.target.latencyNs);
      } else if (tp.scenario === 'Server') {
        assert.equal(back.headline.value, Number(formatFixed(release === 'v4.1' ? tp.completedSamplesPerSecond : tp.scheduledSamplesPerSecond)));
      } else if (tp.scenario === 'Offline') {
        assert.equal(back.headline.value, Number(formatDouble(tp.samplesPerSecond)));
      } else {
        assert.equal(back.headline.value, r.queryLatency!.target.latencyNs);
      }
      if (release === 'v4.1' && scenario !== 'Offline') {
        assert.ok(back.earlyStopping, where);
        if (scenario === 'SingleStream' || scenario === 'MultiStream') {
          const es = r.earlyStopping as Extract<EarlyStoppingOutcome, { target: unknown }>;
          assert.equal(back.earlyStopping.queriesNeeded, es.target.queriesNeeded, where);
          if (es.target.kind === 'estimated') {
            assert.equal(back.earlyStopping.queriesDiscarded, es.target.discarded, where);
            assert.equal(back.earlyStopping.estimatesNs[scenario === 'SingleStream' ? '90' : '99'], es.target.estimateNs, where);
          }
        }
      } else {
        assert.equal(back.earlyStopping, undefined, where);
      }
    }
  }
});

test('written detail logs parse back to the values they were written from', () => {
  for (const release of ['v1.1', 'v4.1'] as const) {
    for (const scenario of SCENARIOS) {
      if (release === 'v1.1' && scenario === 'MultiStream') continue;
      const where = `${release} ${scenario}`;
      const { requested, settings, results: r } = run(scenario, release);
      const begin = Date.UTC(2025, 4, 30, 19, 30, 22, 961);
      const records: MllogRecord[] = [
        ...versionRecords({
          loadgenVersion: '4.1 @ inferprint',
          buildDateLocal: '2025-05-30T21:07:25.349132',
          buildDateUtc: '2025-05-30T19:07:25.349140',
          gitCommitDate: '2025-05-30T19:00:00+00:00',
          gitLogMessage: 'abc first line\ndef "second" line',
          gitStatusMessage: ' M src/x.ts',
          fileSha1: { '/a.ts': '012aad77e5206c89d50718c46c119d1f3cb056b2' },
        }),
        ...testStartRecords({ testDatetime: formatTestDatetime(begin, 120), sutName: 'SUT', sutNameDurationNs: 1120, qslName: 'QSL', qslTotalCount: 10833, qslPerformanceCount: 10833 }, release),
        ...requestedSettingsRecords(requested, release),
        ...effectiveSettingsRecords(settings, release),
        loadedQslSetRecord([3246, 2300, 0]),
        issueEndRecord({ kind: 'natural' }),
        ...powerRecords(begin, begin + 1048.7),
        ...resultRecords(r),
      ];
      const entries = records.map((rec, i) => ({ ...rec, elapsedNs: 1000 * i, file: 'src/benchmark/loadgen/results.ts', lineNo: 0, pid: 7, tid: 7 }));
      const back = parseDetail(writeDetail(entries), where);
      assert.equal(back.events.length, records.length);
      assert.equal(back.powerBeginMs, begin);
      assert.equal(back.powerEndMs, begin + 1048);
      assert.equal(back.hostUtcOffsetMin, 120);
      assert.equal(back.testDatetime, '2025-05-30T21:30:22Z');
      assert.deepEqual(back.loadedQslSet, [3246, 2300, 0]);
      assert.equal(back.errors.length, 1, 'the uncommitted-changes error');
      assert.equal(back.events.find((e) => e.key === 'loadgen_git_log_message')?.value, 'abc first line\ndef "second" line');
      const eff = back.effective!;
      assert.equal(eff.scenario, scenario);
      assert.equal(eff.qslRngSeed, settings.qslRngSeed);
      assert.equal(eff.sampleIndexRngSeed, settings.sampleIndexRngSeed);
      assert.equal(eff.minSampleCount, settings.minSampleCount);
      assert.equal(eff.targetLatencyNs, settings.targetLatencyNs);
      assert.equal(eff.targetQps, Number(formatDouble(settings.targetQps)));
      const res = back.results!;
      assert.equal(res.valid, r.validity.valid, where);
      assert.equal(res.minDurationMet, r.validity.minDurationMet);
      assert.equal(res.minQueriesMet, r.validity.minQueriesMet);
      assert.equal(res.earlyStoppingMet, release === 'v4.1' ? r.validity.earlyStoppingMet : undefined);
      assert.equal(res.invalidReason, r.invalidReason);
      assert.equal(res.queryCount, release === 'v4.1' ? r.queriesIssued : undefined);
      assert.equal(res.minLatencyNs, r.sampleLatency.minNs);
      assert.equal(res.maxLatencyNs, r.sampleLatency.maxNs);
      assert.equal(res.meanLatencyNs, r.sampleLatency.meanNs);
      assert.deepEqual(res.percentilesNs, Object.fromEntries(r.sampleLatency.percentiles.map((p) => [percentileLabel(p.percentile), p.latencyNs])));
      if (r.throughput.scenario === 'SingleStream') {
        assert.equal(res.qpsWithLoadgenOverhead, Number(formatDouble(r.throughput.qpsWithLoadgenOverhead)));
      }
      if (release === 'v4.1' && scenario === 'SingleStream') {
        const es = r.earlyStopping as Extract<EarlyStoppingOutcome, { scenario: 'SingleStream' }>;
        assert.equal(res.earlyStoppingLatencySsNs, es.target.kind === 'estimated' ? es.target.estimateNs : 0);
        assert.equal(res.earlyStoppingLatencyMsNs, es.multiStream?.kind === 'estimated' ? es.multiStream.estimateNs : 0);
      }
    }
  }
});

test('typedMllogValue tells doubles from integers by key, per release', () => {
  assert.deepEqual(typedMllogValue('requested_single_stream_expected_latency_ns', 6_200_000, 'v4.1'), mllog.dbl(6_200_000));
  assert.deepEqual(typedMllogValue('requested_single_stream_expected_latency_ns', 31_000_000, 'v1.1'), mllog.int(31_000_000));
  assert.deepEqual(typedMllogValue('effective_accuracy_log_probability', 0, 'v4.1'), mllog.dbl(0));
  assert.deepEqual(typedMllogValue('effective_qsl_rng_seed', 3066443479025735752n, 'v4.1'), mllog.int(3066443479025735752n));
  assert.throws(() => typedMllogValue('x', null, 'v4.1'), /INVALID_VALUE|null/);
});
