/**
 * Latency lines of a summary that LoadGen could not have written (issue 8 item 6): min above
 * max, a mean outside [min, max], percentiles out of order. Each is a coded error naming the
 * file, the line and the fields.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isInferprintError } from '../../src/errors.js';
import { parseSummary } from '../../src/mlperf/index.js';
import { V41_SUMMARY_16Q } from '../helpers/mlperf-samples.js';

function withLine(text: string, from: RegExp, to: string): string {
  assert.ok(from.test(text), `sample lacks ${String(from)}`);
  return text.replace(from, to);
}

function refused(text: string, line: number, field: string, ...parts: string[]): void {
  assert.throws(
    () => parseSummary(text, 'run/mlperf_log_summary.txt'),
    (e: unknown) => {
      assert.ok(isInferprintError(e), String(e));
      assert.equal(e.code, 'INVALID_VALUE', e.message);
      assert.equal(e.where.file, 'run/mlperf_log_summary.txt');
      assert.equal(e.where.line, line, e.message);
      assert.equal(e.where.field, field, e.message);
      for (const p of parts) assert.ok(e.message.includes(p), `${e.message} lacks ${p}`);
      assert.ok(!e.message.includes('\n'));
      return true;
    },
  );
}

void test('the real summary passes: min ≤ mean ≤ max, percentiles in order', () => {
  const s = parseSummary(V41_SUMMARY_16Q, 'ok.txt');
  assert.equal(s.stats.minLatencyNs, 1132681);
  assert.equal(s.stats.maxLatencyNs, 1467785);
});

void test('min latency above max latency: INVALID_VALUE naming the file, line and both fields', () => {
  const text = withLine(V41_SUMMARY_16Q, /^Min latency \(ns\)\s+: 1132681$/m, 'Min latency (ns)                : 9132681');
  refused(text, 24, 'Min latency (ns)', 'Min latency (ns) 9132681 is above Max latency (ns) 1467785 (line 25)', '[INVALID_VALUE]');
});

void test('mean latency outside [min, max]', () => {
  const text = withLine(V41_SUMMARY_16Q, /^Mean latency \(ns\)\s+: 1328780$/m, 'Mean latency (ns)               : 1000');
  refused(text, 26, 'Mean latency (ns)', 'Mean latency (ns) 1000 is outside [Min latency (ns) 1132681, Max latency (ns) 1467785]');
});

void test('percentiles that decrease, or exceed the max', () => {
  const down = withLine(V41_SUMMARY_16Q, /^90\.00 percentile latency \(ns\)\s+: 1463348$/m, '90.00 percentile latency (ns)   : 1200000');
  refused(down, 28, '90.00 percentile latency (ns)', '90.00 percentile latency (ns) 1200000 is below 50.00 percentile latency (ns) 1331940');
  const over = withLine(V41_SUMMARY_16Q, /^99\.90 percentile latency \(ns\)\s+: 1467785$/m, '99.90 percentile latency (ns)   : 1467786');
  refused(over, 32, '99.90 percentile latency (ns)', 'is above Max latency (ns) 1467785');
  // A percentile below the min is caught as out of order against the min.
  const under = withLine(V41_SUMMARY_16Q, /^50\.00 percentile latency \(ns\)\s+: 1331940$/m, '50.00 percentile latency (ns)   : 5');
  refused(under, 27, '50.00 percentile latency (ns)', 'is below Min latency (ns) 1132681');
});
