import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isInferprintError, type ErrorCode } from '../../src/errors.js';
import { parseSummary } from '../../src/mlperf/index.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';
import { V41_SUMMARY_16Q } from '../helpers/mlperf-samples.js';

// A complete v4.1 summary (H100, 16 queries), as LoadGen 4.1 @ 379ee5345a writes it.
const V41_INVALID = V41_SUMMARY_16Q;

// v1.1 layout: no early-stopping line or block; no trailing newline, like the real files.
const V11 = V41_INVALID.replace('  Early stopping satisfied: NO\n', '')
  .replace(/Early Stopping Result:\n(?: \*.*\n)+/, '')
  .replace('1 ERROR encountered. See detailed log.\n', '1 ERROR encountered. See detailed log.');

/** Replace one exact line of a sample; fails loudly if the sample does not hold it. */
function withLine(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `sample lacks ${from}`);
  return text.replace(from, to);
}

/** The value, asserting it is there (and narrowing it for the checks that follow). */
function defined<T>(v: T | undefined, what = 'value'): T {
  assert.ok(v !== undefined, `${what} is undefined`);
  return v;
}

function expectError(fn: () => unknown, code: ErrorCode, ...parts: (string | RegExp)[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isInferprintError(e), `expected an InferprintError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.ok(!e.message.includes('\n'), 'messages are one line');
    for (const p of parts) {
      if (typeof p === 'string') assert.ok(e.message.includes(p), `${JSON.stringify(e.message)} lacks ${JSON.stringify(p)}`);
      else assert.match(e.message, p);
    }
    return true;
  });
}

test('v4.1 summary: every section typed', () => {
  const s = parseSummary(V41_INVALID, 'h100.txt');
  assert.equal(s.file, 'h100.txt');
  assert.equal(s.sutName, 'BERT SERVER');
  assert.equal(s.scenario, 'SingleStream');
  assert.equal(s.mode, 'PerformanceOnly');
  assert.deepEqual(s.headline, { key: '90th percentile latency (ns)', value: 1463348 });
  assert.equal(s.resultValid, false);
  assert.deepEqual(s.constraints, { minDurationMet: false, minQueriesMet: true, earlyStoppingMet: false, performanceConstraintsMet: undefined });
  assert.deepEqual(s.recommendations, ['Decrease the expected latency so the loadgen pre-generates more queries.']);
  const es = defined(s.earlyStopping, 'earlyStopping');
  assert.deepEqual(es.bullets, ['Only processed 16 queries.', 'Need to process at least 64 queries for early stopping.']);
  assert.equal(es.queriesProcessed, 16);
  assert.equal(es.queriesNeeded, 64);
  assert.deepEqual(es.estimatesNs, {});
  assert.equal(s.stats.qpsWithLoadgenOverhead, 742.06);
  assert.equal(s.stats.qpsWithoutLoadgenOverhead, 752.57);
  assert.equal(s.stats.minLatencyNs, 1132681);
  assert.equal(s.stats.maxLatencyNs, 1467785);
  assert.equal(s.stats.meanLatencyNs, 1328780);
  assert.deepEqual(s.stats.percentilesNs, { '50.00': 1331940, '90.00': 1463348, '95.00': 1467785, '97.00': 1467785, '99.00': 1467785, '99.90': 1467785 });
  assert.equal(s.stats.perQuery, false);
  assert.deepEqual(s.stats.other, {});
  const p = s.params;
  assert.equal(p.samplesPerQuery, 1);
  assert.equal(p.targetQps, 161.29);
  assert.equal(p.targetLatencyNs, 0);
  assert.equal(p.maxAsyncQueries, 1);
  assert.equal(p.minDurationMs, 600000);
  assert.equal(p.maxDurationMs, 0);
  assert.equal(p.minQueryCount, 16);
  assert.equal(p.maxQueryCount, 16);
  // Seeds exceed 2^53: exact as BigInt, where Number() would round them.
  assert.equal(p.qslRngSeed, 3066443479025735752n);
  assert.equal(p.sampleIndexRngSeed, 10688027786191513374n);
  assert.equal(p.scheduleRngSeed, 14962580496156340209n);
  assert.notEqual(BigInt(Number('10688027786191513374')), 10688027786191513374n);
  assert.equal(p.accuracyLogRngSeed, 0n);
  assert.equal(p.printTimestamps, false);
  assert.equal(p.performanceIssueUnique, false);
  assert.equal(p.performanceSampleCount, 10833);
  assert.equal(p.raw['min_duration (ms)'], '600000');
  assert.equal(p.raw.sample_index_rng_seed, '10688027786191513374');
  assert.equal(Object.keys(p.raw).length, 19);
  assert.equal(s.warningCount, 0);
  assert.equal(s.errorCount, 1);
});

test('v1.1 summary: no early stopping, same typed record', () => {
  const s = parseSummary(V11, 't4.txt');
  assert.equal(s.earlyStopping, undefined);
  assert.equal(s.constraints.earlyStoppingMet, undefined);
  assert.equal(s.stats.maxLatencyNs, 1467785);
  assert.equal(s.errorCount, 1);
});

test('VALID v4.1 summary: ES estimates, no recommendations, counts in the footer', () => {
  const text = withLine(
    withLine(
      withLine(V41_INVALID, 'Result is : INVALID', 'Result is : VALID'),
      '  Min duration satisfied : NO\n  Min queries satisfied : Yes\n  Early stopping satisfied: NO\nRecommendations:\n * Decrease the expected latency so the loadgen pre-generates more queries.\nEarly Stopping Result:\n * Only processed 16 queries.\n * Need to process at least 64 queries for early stopping.\n',
      '  Min duration satisfied : Yes\n  Min queries satisfied : Yes\n  Early stopping satisfied: Yes\nEarly Stopping Result:\n * Processed at least 64 queries (117237).\n * Would discard 11483 highest latency queries.\n * Early stopping 90th percentile estimate: 6312032\n * Early stopping 99th percentile estimate: 7024352\n',
    ),
    '1 ERROR encountered. See detailed log.',
    'No errors encountered during test.',
  ).replace('No warnings encountered during test.', '3 warnings encountered. See detailed log.');
  const s = parseSummary(text);
  assert.equal(s.resultValid, true);
  assert.deepEqual(s.recommendations, []);
  const es = defined(s.earlyStopping, 'earlyStopping');
  assert.equal(es.queriesProcessed, 117237);
  assert.equal(es.queriesNeeded, 64);
  assert.equal(es.queriesDiscarded, 11483);
  assert.deepEqual(es.estimatesNs, { '90': 6312032, '99': 7024352 });
  assert.equal(s.warningCount, 3);
  assert.equal(s.errorCount, 0);
});

test('wrapped early-stopping and recommendation bullets are joined', () => {
  const text = withLine(
    V41_INVALID,
    ' * Only processed 16 queries.\n * Need to process at least 64 queries for early stopping.\n',
    ' * Processed at least 64 queries (128).\n * Would discard 4 highest latency queries.\n * Early stopping 90th percentile estimate: 10552192\n * Not enough queries processed for 99th percentile\n early stopping estimate (would need to process at\n least 662 total queries).\n',
  ).replace(
    ' * Decrease the expected latency so the loadgen pre-generates more queries.\n',
    ' * Decrease the expected latency so the loadgen pre-generates more queries.\n * The test exited early, before enough queries were issued.\n   See the detailed log for why this may have occurred.\n',
  );
  const s = parseSummary(text);
  const es = s.earlyStopping!;
  assert.equal(es.bullets.length, 4);
  assert.equal(es.bullets[3], 'Not enough queries processed for 99th percentile early stopping estimate (would need to process at least 662 total queries).');
  assert.equal(
    es.text,
    'Processed at least 64 queries (128). Would discard 4 highest latency queries. Early stopping 90th percentile estimate: 10552192 Not enough queries processed for 99th percentile early stopping estimate (would need to process at least 662 total queries).',
  );
  // The printed lines joined with a space are what the detail log stores in early_stopping_result.
  assert.equal(
    es.lines.join(' '),
    ' * Processed at least 64 queries (128).  * Would discard 4 highest latency queries.  * Early stopping 90th percentile estimate: 10552192  * Not enough queries processed for 99th percentile  early stopping estimate (would need to process at  least 662 total queries).',
  );
  assert.deepEqual(es.estimatesNs, { '90': 10552192 });
  assert.deepEqual(s.recommendations, [
    'Decrease the expected latency so the loadgen pre-generates more queries.',
    'The test exited early, before enough queries were issued. See the detailed log for why this may have occurred.',
  ]);
});

test('Query count / Sample count header lines (some v4.1 builds) are read', () => {
  const s = parseSummary(withLine(V41_INVALID, 'Mode     : PerformanceOnly\n', 'Mode     : PerformanceOnly\nQuery count : 16\nSample count : 16\n'));
  assert.equal(s.queryCount, 16);
  assert.equal(s.sampleCount, 16);
  assert.deepEqual(s.extra, {});
});

test('headline metric of each scenario', () => {
  const server = withLine(
    withLine(withLine(V41_INVALID, 'Scenario : SingleStream', 'Scenario : Server'), '90th percentile latency (ns) : 1463348', 'Scheduled samples per second : 1234.56'),
    '  Min duration satisfied : NO',
    '  Performance constraints satisfied : Yes\n  Min duration satisfied : NO',
  ).replace(/QPS w\/ loadgen overhead.*\nQPS w\/o loadgen overhead.*\n/, 'Completed samples per second    : 1230.01\n');
  const s = parseSummary(server);
  assert.equal(s.scenario, 'Server');
  assert.deepEqual(s.headline, { key: 'Scheduled samples per second', value: 1234.56 });
  assert.deepEqual(s.stats.samplesPerSecond, { key: 'Completed samples per second', value: 1230.01 });
  assert.equal(s.stats.qpsWithLoadgenOverhead, undefined);
  assert.equal(s.constraints.performanceConstraintsMet, true);

  const offline = withLine(withLine(V41_INVALID, 'Scenario : SingleStream', 'Scenario : Offline'), '90th percentile latency (ns) : 1463348', 'Samples per second: 3391.7')
    .replace(/Early Stopping Result:\n(?: \*.*\n)+/, '')
    .replace(/QPS w\/ loadgen overhead.*\nQPS w\/o loadgen overhead.*\n\n/, '');
  const o = parseSummary(offline);
  assert.deepEqual(o.headline, { key: 'Samples per second', value: 3391.7 });
  assert.equal(o.stats.maxLatencyNs, 1467785);

  const multi = withLine(withLine(V41_INVALID, 'Scenario : SingleStream', 'Scenario : MultiStream'), '90th percentile latency (ns) : 1463348', '99th percentile latency (ns) : 9876543')
    .replace(/QPS w\/ loadgen overhead.*\nQPS w\/o loadgen overhead.*\n\n/, 'Per-query latency:  \n');
  const m = parseSummary(multi);
  assert.deepEqual(m.headline, { key: '99th percentile latency (ns)', value: 9876543 });
  assert.equal(m.stats.perQuery, true);
});

test('unknown results lines are kept in extra, not dropped', () => {
  const s = parseSummary(withLine(V41_INVALID, 'Result is : INVALID', '90th first token percentile latency (ns) : 55\nResult is : INVALID'));
  assert.deepEqual(s.extra, { '90th first token percentile latency (ns)': '55' });
});

test('CRLF line endings parse the same', () => {
  assert.deepEqual(parseSummary(V41_INVALID.replace(/\n/g, '\r\n')), parseSummary(V41_INVALID));
});

test('bad input: empty, unknown layout, garbage line, bad numbers, missing field', () => {
  expectError(() => parseSummary('', 'a/sum.txt'), 'EMPTY_INPUT', 'a/sum.txt');
  expectError(() => parseSummary(' \n\n', 'a/sum.txt'), 'EMPTY_INPUT', 'a/sum.txt');
  expectError(() => parseSummary(':::MLLOG {"key": "x"}\n', 'a/detail.txt'), 'UNKNOWN_FORMAT', 'a/detail.txt');
  expectError(() => parseSummary(withLine(V41_INVALID, 'Mode     : PerformanceOnly', 'Mode     : PerformanceOnly\nthis line is garbage'), 's.txt'), 'PARSE', 's.txt:7', 'garbage');
  expectError(() => parseSummary(withLine(V41_INVALID, 'Max latency (ns)                : 1467785', 'Max latency (ns)                : 14677x5'), 's.txt'), 'PARSE', 's.txt:25', "field 'Max latency (ns)'", 'not a number');
  expectError(() => parseSummary(withLine(V41_INVALID, 'min_query_count : 16', 'min_query_count : 1.5e1'), 's.txt'), 'PARSE', 's.txt:43', "field 'min_query_count'");
  expectError(() => parseSummary(withLine(V41_INVALID, 'qsl_rng_seed : 3066443479025735752', 'qsl_rng_seed : -3'), 's.txt'), 'PARSE', 's.txt:45', "field 'qsl_rng_seed'");
  expectError(() => parseSummary(withLine(V41_INVALID, 'print_timestamps : 0', 'print_timestamps : yes'), 's.txt'), 'PARSE', "field 'print_timestamps'");
  expectError(() => parseSummary(withLine(V41_INVALID, 'Scenario : SingleStream', 'Scenario : Streaming'), 's.txt'), 'PARSE', 's.txt:5', "field 'Scenario'");
  expectError(() => parseSummary(withLine(V41_INVALID, 'Result is : INVALID', 'Result is : MAYBE'), 's.txt'), 'PARSE', 's.txt:8');
  // A complete file (footer present) missing a line is malformed, not cut.
  expectError(() => parseSummary(withLine(V41_INVALID, 'target_qps : 161.29\n', ''), 's.txt'), 'PARSE', "field 'target_qps'", 'missing');
  expectError(() => parseSummary(withLine(V41_INVALID, 'min_query_count : 16', 'min_query_count : 16\nmin_query_count : 32'), 's.txt'), 'PARSE', 'twice');
});

test('truncated: a file cut anywhere is TRUNCATED (or EMPTY_INPUT), naming file, line and field', () => {
  expectError(() => parseSummary(V41_INVALID.slice(0, V41_INVALID.indexOf('Max latency')), 'cut.txt'), 'TRUNCATED', 'cut.txt:24', "field 'Max latency (ns)'");
  expectError(() => parseSummary(V41_INVALID.slice(0, V41_INVALID.indexOf('Max latency') + 5), 'cut.txt'), 'TRUNCATED', 'cut.txt:25');
  // Every cut position of the sample: never a misleading PARSE error, never a silent success.
  const full = V41_INVALID.trimEnd();
  for (let n = 0; n < full.length; n++) {
    try {
      parseSummary(full.slice(0, n), 'cut.txt');
      assert.fail(`a cut at ${n} parsed`);
    } catch (e) {
      assert.ok(isInferprintError(e), String(e));
      assert.ok(e.code === 'TRUNCATED' || e.code === 'EMPTY_INPUT', `cut at ${n}: ${e.message}`);
    }
  }
  assert.equal(parseSummary(full).errorCount, 1);
});

// ---------------------------------------------------------------------------------------------
// The study's real logs

const T4_FILE = join(THESIS_DIR, 'Logs/T4_v1.1_logs/2025.05.30-21.30.13/T4x1_TRT/bert-99/SingleStream/mlperf_log_summary.txt');
const A100_FILE = join(THESIS_DIR, 'Logs/A100_v4.1_logs/2025.05.30-12.48.36/A100_TRT/bert-99/SingleStream/mlperf_log_summary.txt');
const ORIN_VALID_FILE = join(THESIS_DIR, 'Logs/Orin_v4.1_logs/2025.05.22-09.16.06/Orin_TRT/bert-99/SingleStream/mlperf_log_summary.txt');

test('real T4 v1.1 summary, values as printed', { skip: skipWithoutThesis }, () => {
  const s = parseSummary(readFileSync(T4_FILE, 'utf8'), T4_FILE);
  assert.deepEqual(s.headline, { key: '90th percentile latency (ns)', value: 10949526 });
  assert.equal(s.resultValid, false);
  assert.deepEqual(s.constraints, { minDurationMet: false, minQueriesMet: true, earlyStoppingMet: undefined, performanceConstraintsMet: undefined });
  assert.equal(s.earlyStopping, undefined);
  assert.equal(s.stats.qpsWithLoadgenOverhead, 122.09);
  assert.equal(s.stats.qpsWithoutLoadgenOverhead, 122.84);
  assert.equal(s.stats.minLatencyNs, 6402959);
  assert.equal(s.stats.maxLatencyNs, 13459719);
  assert.equal(s.stats.meanLatencyNs, 8140537);
  assert.deepEqual(s.stats.percentilesNs, { '50.00': 7416898, '90.00': 10949526, '95.00': 11766634, '97.00': 12566368, '99.00': 12949780, '99.90': 13459719 });
  assert.equal(s.params.targetQps, 32.2581);
  assert.equal(s.params.minQueryCount, 128);
  assert.equal(s.params.maxQueryCount, 128);
  assert.equal(s.params.qslRngSeed, 1624344308455410291n);
  assert.equal(s.params.sampleIndexRngSeed, 517984244576520566n);
  assert.equal(s.params.scheduleRngSeed, 10051496985653635065n);
  assert.equal(s.warningCount, 0);
  assert.equal(s.errorCount, 1);
});

test('real A100 v4.1 summary, values as printed', { skip: skipWithoutThesis }, () => {
  const s = parseSummary(readFileSync(A100_FILE, 'utf8'), A100_FILE);
  assert.deepEqual(s.headline, { key: '90th percentile latency (ns)', value: 1614734 });
  assert.deepEqual(s.constraints, { minDurationMet: false, minQueriesMet: true, earlyStoppingMet: true, performanceConstraintsMet: undefined });
  const es = defined(s.earlyStopping, 'earlyStopping');
  assert.deepEqual(es.bullets, [
    'Processed at least 64 queries (64).',
    'Would discard 0 highest latency queries.',
    'Early stopping 90th percentile estimate: 1853432',
    'Not enough queries processed for 99th percentile early stopping estimate (would need to process at least 662 total queries).',
  ]);
  assert.equal(es.queriesDiscarded, 0);
  assert.deepEqual(es.estimatesNs, { '90': 1853432 });
  assert.equal(s.stats.qpsWithLoadgenOverhead, 678.19);
  assert.equal(s.stats.minLatencyNs, 1331682);
  assert.equal(s.stats.maxLatencyNs, 1853432);
  assert.equal(s.stats.meanLatencyNs, 1463531);
  assert.equal(s.params.minQueryCount, 64);
  assert.equal(s.params.sampleIndexRngSeed, 10688027786191513374n);
});

test('real Orin v4.1 VALID summary (117237 queries)', { skip: skipWithoutThesis }, () => {
  const s = parseSummary(readFileSync(ORIN_VALID_FILE, 'utf8'), ORIN_VALID_FILE);
  assert.equal(s.resultValid, true);
  assert.equal(s.errorCount, 0);
  assert.deepEqual(s.recommendations, []);
  const es = defined(s.earlyStopping, 'earlyStopping');
  assert.equal(es.queriesProcessed, 117237);
  assert.equal(es.queriesDiscarded, 11483);
  assert.deepEqual(es.estimatesNs, { '90': 6312032, '99': 7024352 });
  assert.equal(s.stats.maxLatencyNs, 23746464);
  // One of the exploratory runs: min_query_count 100, max_query_count 0.
  assert.equal(s.params.minQueryCount, 100);
  assert.equal(s.params.maxQueryCount, 0);
});
