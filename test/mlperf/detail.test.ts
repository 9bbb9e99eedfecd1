import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isInferprintError, type ErrorCode } from '../../src/errors.js';
import {
  decodeMllogJson,
  parseDetail,
  parseLoadgenVersion,
  parsePowerTimestamp,
  parseSummary,
  parseTestDatetimeWallClock,
  scanMlperfLogTree,
} from '../../src/mlperf/index.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';
import { mllog, V41_DETAIL_EFFECTIVE } from '../helpers/mlperf-samples.js';

// A v4.1 SingleStream detail log, shortened (values from A100 run 2025.05.30-12.48.36).
const LINES = [
  mllog('loadgen_version', '"4.1 @ 379ee5345a"'),
  mllog('loadgen_git_log_message', '"379ee5345a25ee123fd5faec33285b6e8be0dadf Fix delta perf check (#1804)\\n3fb6c3e1f6a387e097e12395145ce21cbe683822 Check"'),
  mllog('loadgen_file_sha1', '{"/.clang-format":"012aad77e5206c89d50718c46c119d1f3cb056b2","/CMakeLists.txt":"d5274ff0b56e8d3cdb273174628a4461fca6f02a"}'),
  mllog('test_datetime', '"2025-05-30T12:48:45Z"', '0.025929'),
  mllog('requested_scenario', '"SingleStream"', '0.035918'),
  mllog('requested_single_stream_expected_latency_ns', '6.2e+06', '0.035918'),
  mllog('requested_sample_index_rng_seed', '10688027786191513374', '0.035918'),
  ...V41_DETAIL_EFFECTIVE,
  mllog('generic_message', '"Starting performance mode"', '0.045836'),
  mllog('loaded_qsl_set', '[4119,3771,2947,5174]', '0.05'),
  mllog('error_runtime', '"IssueQueryThread 0 Ending early: Max query count reached. query_count 64"', '207.815108', true),
  mllog('power_begin', '"05-30-2025 10:48:45.926"', '213.031460'),
  mllog('power_end', '"05-30-2025 10:48:46.020"', '213.031460'),
  mllog('result_validity', '"INVALID"', '239.406170'),
  mllog('result_min_duration_met', 'false', '239.406170'),
  mllog('result_min_queries_met', 'true', '239.406170'),
  mllog('early_stopping_met', 'true', '239.406170'),
  mllog('result_invalid_reason', '"Decrease the expected latency so the loadgen pre-generates more queries. "', '239.406170'),
  mllog('early_stopping_result', '" * Processed at least 64 queries (64).  * Would discard 0 highest latency queries.  * Early stopping 90th percentile estimate: 1853432"', '239.406170'),
  mllog('result_query_count', '64', '239.406170'),
  mllog('result_qps_with_loadgen_overhead', '678.195', '239.406170'),
  mllog('result_qps_without_loadgen_overhead', '683.279', '239.406170'),
  mllog('early_stopping_latency_ss', '1853432', '239.406170'),
  mllog('early_stopping_latency_ms', '0', '239.406170'),
  mllog('result_min_latency_ns', '1331682', '239.406170'),
  mllog('result_max_latency_ns', '1853432', '239.406170'),
  mllog('result_mean_latency_ns', '1463531', '239.406170'),
  mllog('result_50.00_percentile_latency_ns', '1436810', '239.406170'),
  mllog('result_90.00_percentile_latency_ns', '1614734', '239.406170'),
  mllog('result_99.90_percentile_latency_ns', '1853432', '239.406170'),
];
const DETAIL = `${LINES.join('\n')}\n`;

/** The value, asserting it is there (and narrowing it for the checks that follow). */
function defined<T>(v: T | undefined, what = 'value'): T {
  assert.ok(v !== undefined, `${what} is undefined`);
  return v;
}

function expectError(fn: () => unknown, code: ErrorCode, ...parts: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isInferprintError(e), `expected an InferprintError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.ok(!e.message.includes('\n'), 'messages are one line');
    for (const p of parts) assert.ok(e.message.includes(p), `${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
    return true;
  });
}

test('events keep every envelope field', () => {
  const d = parseDetail(DETAIL, 'detail.txt');
  assert.equal(d.file, 'detail.txt');
  assert.equal(d.events.length, LINES.length);
  const first = d.events[0]!;
  assert.deepEqual(first, {
    key: 'loadgen_version',
    value: '4.1 @ 379ee5345a',
    timeMs: 0.01088,
    namespace: 'mlperf::logging',
    eventType: 'POINT_IN_TIME',
    metadata: { isError: false, isWarning: false, file: '/work/build/inference/loadgen/results.cc', lineNo: 655, pid: 121278, tid: 121278 },
    line: 1,
  });
  assert.equal(d.events[1]!.value, '379ee5345a25ee123fd5faec33285b6e8be0dadf Fix delta perf check (#1804)\n3fb6c3e1f6a387e097e12395145ce21cbe683822 Check');
  assert.deepEqual(d.events[2]!.value, { '/.clang-format': '012aad77e5206c89d50718c46c119d1f3cb056b2', '/CMakeLists.txt': 'd5274ff0b56e8d3cdb273174628a4461fca6f02a' });
});

test('typed accessors: version, instants, settings, results, errors, QSL set', () => {
  const d = parseDetail(DETAIL, 'detail.txt');
  assert.deepEqual(d.loadgenVersion, { version: '4.1', commit: '379ee5345a', raw: '4.1 @ 379ee5345a' });
  assert.equal(d.testDatetime, '2025-05-30T12:48:45Z');
  // power_begin/power_end are UTC: 2025-05-30 10:48:45.926Z.
  assert.equal(d.powerBeginMs, Date.UTC(2025, 4, 30, 10, 48, 45, 926));
  assert.equal(d.powerBeginMs, 1748602125926);
  assert.equal(d.powerEndMs, 1748602126020);
  assert.equal(defined(d.powerEndMs) - defined(d.powerBeginMs), 94);
  // test_datetime is local wall clock (CEST): the host was UTC+2.
  assert.equal(d.hostUtcOffsetMin, 120);
  assert.equal(d.requested.scenario, 'SingleStream');
  assert.equal(d.requested.single_stream_expected_latency_ns, 6.2e6);
  assert.equal(d.requested.sample_index_rng_seed, 10688027786191513374n);
  const e = d.effective!;
  assert.equal(e.scenario, 'SingleStream');
  assert.equal(e.testMode, 'PerformanceOnly');
  assert.equal(e.targetQps, 161.29);
  assert.equal(e.targetLatencyPercentile, 0.9);
  assert.equal(e.minQueryCount, 64);
  assert.equal(e.minSampleCount, 64);
  assert.equal(e.qslRngSeed, 3066443479025735752n);
  assert.equal(e.sampleIndexRngSeed, 10688027786191513374n);
  assert.equal(e.scheduleRngSeed, 14962580496156340209n);
  assert.equal(e.accuracyLogRngSeed, 0n);
  assert.equal(e.raw.accuracy_log_rng_seed, 0); // small integers stay numbers in the raw map
  assert.equal(e.performanceSampleCount, 10833);
  const r = d.results!;
  assert.equal(r.valid, false);
  assert.equal(r.minDurationMet, false);
  assert.equal(r.minQueriesMet, true);
  assert.equal(r.earlyStoppingMet, true);
  assert.equal(r.invalidReason, 'Decrease the expected latency so the loadgen pre-generates more queries. ');
  assert.equal(r.queryCount, 64);
  assert.equal(r.qpsWithLoadgenOverhead, 678.195);
  assert.equal(r.qpsWithoutLoadgenOverhead, 683.279);
  assert.equal(r.minLatencyNs, 1331682);
  assert.equal(r.maxLatencyNs, 1853432);
  assert.equal(r.meanLatencyNs, 1463531);
  assert.deepEqual(r.percentilesNs, { '50.00': 1436810, '90.00': 1614734, '99.90': 1853432 });
  assert.equal(r.earlyStoppingLatencySsNs, 1853432);
  assert.equal(r.earlyStoppingLatencyMsNs, 0);
  assert.equal(r.raw.max_latency_ns, 1853432);
  assert.equal(d.errors.length, 1);
  assert.equal(d.errors[0]!.key, 'error_runtime');
  assert.equal(d.warnings.length, 0);
  assert.deepEqual(d.loadedQslSet, [4119, 3771, 2947, 5174]);
});

test('JSON decoding: big integers exact, nan/inf read, strings untouched', () => {
  const where = { file: 'x', line: 1 };
  assert.equal(decodeMllogJson('10688027786191513374', where), 10688027786191513374n);
  assert.equal(decodeMllogJson('-9223372036854775808', where), -9223372036854775808n);
  assert.equal(decodeMllogJson('9007199254740991', where), 9007199254740991); // 2^53 - 1 is still exact
  assert.equal(decodeMllogJson('9007199254740992', where), 9007199254740992n);
  assert.deepEqual(decodeMllogJson('[1, 18446744073709551615, 2.5e+06]', where), [1, 18446744073709551615n, 2.5e6]);
  assert.deepEqual(decodeMllogJson('{"a": nan, "b": inf, "c": -inf, "d": -nan}', where), { a: NaN, b: Infinity, c: -Infinity, d: NaN });
  // Digits and words inside strings are never rewritten, escapes included.
  assert.equal(decodeMllogJson('"12345678901234567890 inf nan"', where), '12345678901234567890 inf nan');
  assert.equal(decodeMllogJson('"say \\"99999999999999999999\\" nan"', where), 'say "99999999999999999999" nan');
  assert.deepEqual(decodeMllogJson('{"x": "/work/build/inference", "y": 123456789012345678901}', where), { x: '/work/build/inference', y: 123456789012345678901n });
  expectError(() => decodeMllogJson('{"a": nope}', where), 'PARSE', 'x:1', 'invalid JSON');
});

test('small helpers: power timestamps, test_datetime, loadgen version', () => {
  assert.equal(parsePowerTimestamp('05-30-2025 19:34:17.471'), Date.UTC(2025, 4, 30, 19, 34, 17, 471));
  assert.equal(parsePowerTimestamp('02-30-2025 10:00:00.000'), undefined); // no Feb 30
  assert.equal(parsePowerTimestamp('05-30-2025 24:00:00.000'), undefined);
  assert.equal(parsePowerTimestamp('2025-05-30 19:34:17.471'), undefined);
  assert.equal(parseTestDatetimeWallClock('2025-05-30T12:48:45Z'), Date.UTC(2025, 4, 30, 12, 48, 45));
  assert.deepEqual(parseLoadgenVersion('1.1 @ ed7044310a'), { version: '1.1', commit: 'ed7044310a', raw: '1.1 @ ed7044310a' });
  assert.equal(parseLoadgenVersion('1.1'), undefined);
});

test('bad input: empty, garbage line, invalid JSON, bad values', () => {
  expectError(() => parseDetail('', 'd.txt'), 'EMPTY_INPUT', 'd.txt');
  expectError(() => parseDetail('\n\n', 'd.txt'), 'EMPTY_INPUT', 'd.txt');
  const garbage = [...LINES.slice(0, 3), 'Segmentation fault (core dumped)', ...LINES.slice(3)].join('\n') + '\n';
  expectError(() => parseDetail(garbage, 'd.txt'), 'PARSE', 'd.txt:4', 'not an :::MLLOG line');
  const badJson = [...LINES.slice(0, 2), ':::MLLOG {"key": "x", "value": }', ...LINES.slice(2)].join('\n') + '\n';
  expectError(() => parseDetail(badJson, 'd.txt'), 'PARSE', 'd.txt:3', 'invalid JSON');
  // A bad last line that does end with a newline was written whole: a parse error, not a cut.
  expectError(() => parseDetail(`${DETAIL}:::MLLOG {"key": \n`, 'd.txt'), 'PARSE', `d.txt:${LINES.length + 1}`);
  const noMeta = ':::MLLOG {"key": "x", "value": 1, "time_ms": 0, "namespace": "n", "event_type": "POINT_IN_TIME"}\n';
  expectError(() => parseDetail(noMeta, 'd.txt'), 'PARSE', 'd.txt:1', "field 'metadata'");
  const badPower = DETAIL.replace('"05-30-2025 10:48:45.926"', '"2025-05-30 10:48:45"');
  expectError(() => parseDetail(badPower, 'd.txt'), 'PARSE', "field 'power_begin'", 'MM-DD-YYYY');
  const badLatency = DETAIL.replace('"result_max_latency_ns", "value": 1853432', '"result_max_latency_ns", "value": "fast"');
  expectError(() => parseDetail(badLatency, 'd.txt'), 'PARSE', "field 'result_max_latency_ns'", 'not a number');
  const badScenario = DETAIL.replace('"effective_scenario", "value": "SingleStream"', '"effective_scenario", "value": "Streaming"');
  expectError(() => parseDetail(badScenario, 'd.txt'), 'PARSE', "field 'effective_scenario'");
  // A settings key missing in the middle of the log: malformed, named.
  const noSeed = LINES.filter((l) => !l.includes('"effective_schedule_rng_seed"')).join('\n') + '\n';
  expectError(() => parseDetail(noSeed, 'd.txt'), 'PARSE', "field 'effective_schedule_rng_seed'");
});

test('truncated: a cut last line, or a log ending inside a block, is TRUNCATED', () => {
  expectError(() => parseDetail(DETAIL.slice(0, -30), 'd.txt'), 'TRUNCATED', `d.txt:${LINES.length}`);
  const upToMin = DETAIL.slice(0, DETAIL.indexOf(':::MLLOG {"key": "result_max_latency_ns"'));
  expectError(() => parseDetail(upToMin, 'd.txt'), 'TRUNCATED', "field 'result_max_latency_ns'");
  // Every cut position: a valid prefix, or TRUNCATED — never a misleading PARSE error.
  for (let n = 1; n < DETAIL.length; n += 17) {
    try {
      parseDetail(DETAIL.slice(0, n), 'd.txt');
    } catch (e) {
      assert.ok(isInferprintError(e), String(e));
      assert.ok(e.code === 'TRUNCATED' || e.code === 'EMPTY_INPUT', `cut at ${n}: ${e.message}`);
    }
  }
});

test('the early-stopping block of a summary equals early_stopping_result of its detail', () => {
  const summaryEs = [
    ' * Processed at least 64 queries (64).',
    ' * Would discard 0 highest latency queries.',
    ' * Early stopping 90th percentile estimate: 1853432',
  ];
  assert.equal(summaryEs.join(' '), parseDetail(DETAIL).results!.earlyStoppingResult);
});

// ---------------------------------------------------------------------------------------------
// The study's real logs

const A100_RUN = join(THESIS_DIR, 'Logs/A100_v4.1_logs/2025.05.30-12.48.36/A100_TRT/bert-99/SingleStream');
const T4_RUN = join(THESIS_DIR, 'Logs/T4_v1.1_logs/2025.05.30-21.30.13/T4x1_TRT/bert-99/SingleStream');

test('real A100 v4.1 detail: 92 events, UTC power window, seeds exact', { skip: skipWithoutThesis }, () => {
  const file = join(A100_RUN, 'mlperf_log_detail.txt');
  const d = parseDetail(readFileSync(file, 'utf8'), file);
  assert.equal(d.events.length, 92);
  assert.deepEqual(d.loadgenVersion, { version: '4.1', commit: '379ee5345a', raw: '4.1 @ 379ee5345a' });
  assert.equal(d.powerBeginMs, Date.UTC(2025, 4, 30, 10, 48, 45, 926));
  assert.equal(d.powerEndMs, Date.UTC(2025, 4, 30, 10, 48, 46, 20));
  assert.equal(d.hostUtcOffsetMin, 120);
  assert.equal(defined(d.effective).sampleIndexRngSeed, 10688027786191513374n);
  assert.equal(d.requested.schedule_rng_seed, 14962580496156340209n);
  const r = defined(d.results, 'results');
  assert.equal(r.maxLatencyNs, 1853432);
  assert.equal(r.earlyStoppingLatencySsNs, 1853432);
  const qsl = defined(d.loadedQslSet, 'loadedQslSet');
  assert.equal(qsl.length, 10833);
  assert.deepEqual(qsl.slice(0, 5), [4119, 3771, 2947, 5174, 8221]);
  assert.equal(d.errors.length, 1);
});

test('real T4 v1.1 detail: 84 events, no early stopping keys', { skip: skipWithoutThesis }, () => {
  const file = join(T4_RUN, 'mlperf_log_detail.txt');
  const d = parseDetail(readFileSync(file, 'utf8'), file);
  assert.equal(d.events.length, 84);
  assert.equal(d.loadgenVersion?.version, '1.1');
  assert.equal(d.powerBeginMs, Date.UTC(2025, 4, 30, 19, 30, 22, 961));
  assert.equal(d.powerEndMs, Date.UTC(2025, 4, 30, 19, 30, 24, 9));
  const e = defined(d.effective, 'effective');
  assert.equal(e.qslRngSeed, 1624344308455410291n);
  assert.equal(e.sampleIndexRngSeed, 517984244576520566n);
  assert.equal(e.scheduleRngSeed, 10051496985653635065n);
  const r = defined(d.results, 'results');
  assert.equal(r.earlyStoppingMet, undefined);
  assert.equal(r.queryCount, undefined);
  assert.equal(r.maxLatencyNs, 13459719);
});

test('every real detail agrees with its summary (max latency, percentiles, seeds, ES text)', { skip: skipWithoutThesis }, () => {
  const tree = scanMlperfLogTree(join(THESIS_DIR, 'Logs'), { detail: true });
  const withDetail = tree.runs.filter((r) => r.detail !== undefined);
  assert.equal(withDetail.length, 8);
  assert.equal(tree.skipped.filter((s) => s.reason === 'invalid-detail').length, 0);
  for (const run of withDetail) {
    const d = run.detail!;
    const s = run.summary;
    assert.equal(d.results!.maxLatencyNs, s.stats.maxLatencyNs, run.relDir);
    assert.equal(d.results!.minLatencyNs, s.stats.minLatencyNs, run.relDir);
    assert.equal(d.results!.meanLatencyNs, s.stats.meanLatencyNs, run.relDir);
    assert.deepEqual(d.results!.percentilesNs, s.stats.percentilesNs, run.relDir);
    assert.equal(d.results!.valid, s.resultValid, run.relDir);
    assert.equal(d.effective!.minQueryCount, s.params.minQueryCount, run.relDir);
    assert.equal(d.effective!.sampleIndexRngSeed, s.params.sampleIndexRngSeed, run.relDir);
    assert.equal(d.effective!.scheduleRngSeed, s.params.scheduleRngSeed, run.relDir);
    if (s.earlyStopping) assert.equal(d.results!.earlyStoppingResult, s.earlyStopping.lines.join(' '), run.relDir);
    // The power window is UTC and starts right after the run folder's local-time stamp.
    const folderUtcMs = run.timestamp!.wallClockMs - d.hostUtcOffsetMin! * 60_000;
    const leadS = (d.powerBeginMs! - folderUtcMs) / 1000;
    assert.ok(leadS > 0 && leadS < 30, `${run.relDir}: power_begin ${leadS} s after the folder stamp`);
    assert.ok(d.powerEndMs! > d.powerBeginMs!);
  }
  // The same detail parsed twice gives the same record (no hidden state in the decoder).
  const one = withDetail[0]!;
  assert.deepEqual(parseDetail(readFileSync(one.detailPath!, 'utf8'), one.detailPath), one.detail);
  assert.equal(parseSummary(readFileSync(one.summaryPath, 'utf8'), one.summaryPath).stats.maxLatencyNs, one.detail!.results!.maxLatencyNs);
});
