// Shared MLPerf log texts for tests: real formats, as LoadGen writes them.

/** A complete v4.1 SingleStream summary (H100, 16 queries), as LoadGen 4.1 @ 379ee5345a writes it. */
export const V41_SUMMARY_16Q = `================================================
MLPerf Results Summary
================================================
SUT name : BERT SERVER
Scenario : SingleStream
Mode     : PerformanceOnly
90th percentile latency (ns) : 1463348
Result is : INVALID
  Min duration satisfied : NO
  Min queries satisfied : Yes
  Early stopping satisfied: NO
Recommendations:
 * Decrease the expected latency so the loadgen pre-generates more queries.
Early Stopping Result:
 * Only processed 16 queries.
 * Need to process at least 64 queries for early stopping.

================================================
Additional Stats
================================================
QPS w/ loadgen overhead         : 742.06
QPS w/o loadgen overhead        : 752.57

Min latency (ns)                : 1132681
Max latency (ns)                : 1467785
Mean latency (ns)               : 1328780
50.00 percentile latency (ns)   : 1331940
90.00 percentile latency (ns)   : 1463348
95.00 percentile latency (ns)   : 1467785
97.00 percentile latency (ns)   : 1467785
99.00 percentile latency (ns)   : 1467785
99.90 percentile latency (ns)   : 1467785

================================================
Test Parameters Used
================================================
samples_per_query : 1
target_qps : 161.29
target_latency (ns): 0
max_async_queries : 1
min_duration (ms): 600000
max_duration (ms): 0
min_query_count : 16
max_query_count : 16
qsl_rng_seed : 3066443479025735752
sample_index_rng_seed : 10688027786191513374
schedule_rng_seed : 14962580496156340209
accuracy_log_rng_seed : 0
accuracy_log_probability : 0
accuracy_log_sampling_target : 0
print_timestamps : 0
performance_issue_unique : 0
performance_issue_same : 0
performance_issue_same_index : 0
performance_sample_count : 10833

No warnings encountered during test.

1 ERROR encountered. See detailed log.
`;

/** One `:::MLLOG` line as LoadGen writes it; `value` is raw JSON text (so seeds stay exact). */
export function mllog(key: string, value: string, timeMs = '0.010880', isError = false): string {
  return `:::MLLOG {"key": "${key}", "value": ${value}, "time_ms": ${timeMs}, "namespace": "mlperf::logging", "event_type": "POINT_IN_TIME", "metadata": {"is_error": ${isError}, "is_warning": false, "file": "/work/build/inference/loadgen/results.cc", "line_no": 655, "pid": 121278, "tid": 121278}}`;
}

/** The `effective_*` lines of a v4.1 SingleStream detail log (values from A100 run 2025.05.30-12.48.36). */
export const V41_DETAIL_EFFECTIVE = [
  mllog('effective_scenario', '"SingleStream"'),
  mllog('effective_test_mode', '"PerformanceOnly"'),
  mllog('effective_samples_per_query', '1'),
  mllog('effective_target_qps', '161.29'),
  mllog('effective_target_latency_ns', '0'),
  mllog('effective_target_latency_percentile', '0.9'),
  mllog('effective_max_async_queries', '1'),
  mllog('effective_target_duration_ms', '600000'),
  mllog('effective_min_duration_ms', '600000'),
  mllog('effective_max_duration_ms', '0'),
  mllog('effective_min_query_count', '64'),
  mllog('effective_max_query_count', '64'),
  mllog('effective_min_sample_count', '64'),
  mllog('effective_qsl_rng_seed', '3066443479025735752'),
  mllog('effective_sample_index_rng_seed', '10688027786191513374'),
  mllog('effective_schedule_rng_seed', '14962580496156340209'),
  mllog('effective_accuracy_log_rng_seed', '0'),
  mllog('effective_performance_sample_count', '10833'),
];
