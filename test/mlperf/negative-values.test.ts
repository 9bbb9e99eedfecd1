/**
 * Regression tests for what the fuzz suite (test/fuzz/) found in the MLPerf decoders: negative
 * latencies, counts and rates were accepted (every number LoadGen logs is unsigned), so a
 * corrupted `-1853432` could stand for a latency in the study's table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isInferprintError } from '../../src/errors.js';
import { parseDetail } from '../../src/mlperf/parse-detail.js';
import { parseSummary } from '../../src/mlperf/parse-summary.js';
import { DETAIL_LINES, SUMMARY } from '../fuzz/seeds.js';

const detailWith = (key: string, value: string): string => `${DETAIL_LINES.map((l) => (l.includes(`"key": "${key}"`) ? l.replace(/"value": [^,]+,/, `"value": ${value},`) : l)).join('\n')}\n`;
const summaryWith = (key: string, value: string): string => SUMMARY.split('\n').map((l) => (l.split(':')[0]!.trim() === key ? `${l.slice(0, l.indexOf(':') + 1)} ${value}` : l)).join('\n');

function refused(fn: () => unknown, line: RegExp, field: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isInferprintError(e), String(e));
    assert.equal(e.code, 'INVALID_VALUE', e.message);
    assert.match(e.message, line);
    assert.ok(e.message.includes(`field '${field}'`), e.message);
    assert.match(e.message, /non-negative/);
    return true;
  });
}

test('detail: a negative latency, count, setting or rate is refused, naming the line and key', () => {
  for (const key of ['result_max_latency_ns', 'result_min_latency_ns', 'result_mean_latency_ns', 'result_90.00_percentile_latency_ns', 'result_query_count', 'early_stopping_latency_ss', 'effective_min_query_count', 'effective_performance_sample_count', 'effective_target_latency_ns']) {
    refused(() => parseDetail(detailWith(key, '-1853432'), 'detail.txt'), /^detail\.txt:\d+ /, key);
  }
  for (const key of ['result_qps_with_loadgen_overhead', 'result_qps_without_loadgen_overhead', 'effective_target_qps', 'effective_target_latency_percentile']) {
    refused(() => parseDetail(detailWith(key, '-678.195'), 'detail.txt'), /^detail\.txt:\d+ /, key);
  }
  // LoadGen's own nan and inf (printed with %g) still read, as non-finite values.
  assert.equal(parseDetail(detailWith('result_qps_with_loadgen_overhead', 'inf'), 'detail.txt').results?.qpsWithLoadgenOverhead, Number.POSITIVE_INFINITY);
  assert.ok(Number.isNaN(parseDetail(detailWith('result_qps_with_loadgen_overhead', 'nan'), 'detail.txt').results?.qpsWithLoadgenOverhead));
  assert.equal(parseDetail(detailWith('result_max_latency_ns', '0'), 'detail.txt').results?.maxLatencyNs, 0);
});

test('summary: a negative headline, rate or float parameter is refused, naming the line and key', () => {
  for (const key of ['90th percentile latency (ns)', 'QPS w/ loadgen overhead', 'QPS w/o loadgen overhead', 'target_qps', 'accuracy_log_probability']) {
    refused(() => parseSummary(summaryWith(key, '-742.06'), 'summary.txt'), /^summary\.txt:\d+ /, key);
  }
  assert.equal(parseSummary(summaryWith('QPS w/ loadgen overhead', '0'), 'summary.txt').stats.qpsWithLoadgenOverhead, 0);
});
