import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isInferprintError } from '../../src/errors.js';
import { loadRunDetail, parseLogSet, parseRunTimestamp, scanMlperfLogTree, type MlperfRunDir } from '../../src/mlperf/index.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';

const SUMMARY = `================================================
MLPerf Results Summary
================================================
SUT name : BERT SERVER
Scenario : SingleStream
Mode     : PerformanceOnly
90th percentile latency (ns) : 10949526
Result is : INVALID
  Min duration satisfied : NO
  Min queries satisfied : Yes
Recommendations:
 * Decrease the expected latency so the loadgen pre-generates more queries.

================================================
Additional Stats
================================================
QPS w/ loadgen overhead         : 122.09
QPS w/o loadgen overhead        : 122.84

Min latency (ns)                : 6402959
Max latency (ns)                : 13459719
Mean latency (ns)               : 8140537
50.00 percentile latency (ns)   : 7416898
90.00 percentile latency (ns)   : 10949526
95.00 percentile latency (ns)   : 11766634
97.00 percentile latency (ns)   : 12566368
99.00 percentile latency (ns)   : 12949780
99.90 percentile latency (ns)   : 13459719

================================================
Test Parameters Used
================================================
samples_per_query : 1
target_qps : 32.2581
target_latency (ns): 0
max_async_queries : 1
min_duration (ms): 600000
max_duration (ms): 0
min_query_count : 128
max_query_count : 128
qsl_rng_seed : 1624344308455410291
sample_index_rng_seed : 517984244576520566
schedule_rng_seed : 10051496985653635065
accuracy_log_rng_seed : 0
accuracy_log_probability : 0
accuracy_log_sampling_target : 0
print_timestamps : 0
performance_issue_unique : 0
performance_issue_same : 0
performance_issue_same_index : 0
performance_sample_count : 10833

No warnings encountered during test.

1 ERROR encountered. See detailed log.`;

const DETAIL =
  ':::MLLOG {"key": "loadgen_version", "value": "1.1 @ ed7044310a", "time_ms": 0.021420, "namespace": "mlperf::logging", "event_type": "POINT_IN_TIME", "metadata": {"is_error": false, "is_warning": false, "file": "version.cc", "line_no": 53, "pid": 1, "tid": 1}}\n' +
  ':::MLLOG {"key": "power_begin", "value": "05-30-2025 19:30:22.961", "time_ms": 1122.300827, "namespace": "mlperf::logging", "event_type": "POINT_IN_TIME", "metadata": {"is_error": false, "is_warning": false, "file": "loadgen.cc", "line_no": 564, "pid": 1, "tid": 1}}\n';

const METADATA = JSON.stringify({
  benchmark_full: 'bert-99',
  config_name: 'H100_TRT-custom_k_99_MaxP-SingleStream',
  detected_system:
    'SystemConfiguration(host_cpu_conf=CPUConfiguration(layout={CPU(name="AMD EPYC 9254 24-Core Processor", architecture=CPUArchitecture.x86_64, core_count=24, threads_per_core=2): 2}), accelerator_conf=AcceleratorConfiguration(layout={GPU(name="NVIDIA H100 NVL", accelerator_type=AcceleratorType.Discrete, vram=Memory(quantity=94.0, byte_suffix=ByteSuffix.GiB), max_power_limit=400.0, pci_id="0x232110DE", compute_sm=90): 1}), numa_conf=None, system_id="H100")',
  scenario: 'SingleStream',
  system_name: 'H100_TRT',
  tensorrt_version: '10.2.0',
  test_mode: 'PerformanceOnly',
});

// A small tree with every case: spaces in names, v1.1 harness summary, v4.1 metadata, bad files.
const root = mkdtempSync(join(tmpdir(), 'inferprint-mlperf-tree-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

function put(rel: string, text: string): void {
  const path = join(root, rel);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}
const RTX = 'GeForce RTX 2080 Tix1_TRT/bert-99/SingleStream';
put(`2080Ti_v1.1_logs/2025.05.30-21.30.13/${RTX}/mlperf_log_summary.txt`, SUMMARY);
put(`2080Ti_v1.1_logs/2025.05.30-21.30.13/${RTX}/mlperf_log_detail.txt`, DETAIL);
put(
  '2080Ti_v1.1_logs/2025.05.30-21.30.13/perf_harness_summary.json',
  '{"GeForce RTX 2080 Tix1_TRT-custom_k_99_MaxP-SingleStream": {"bert": "result_90.00_percentile_latency_ns: 10949526, Result is INVALID"}}',
);
put(`2080Ti_v1.1_logs/2025.05.30-21.31.00/${RTX}/mlperf_log_summary.txt`, '');
put(`2080Ti_v1.1_logs/2025.05.30-21.32.00/${RTX}/mlperf_log_summary.txt`, SUMMARY.slice(0, SUMMARY.indexOf('Mean latency')));
put(`2080Ti_v1.1_logs/2025.05.30-21.33.00/${RTX}/mlperf_log_summary.txt`, SUMMARY.replace('Max latency (ns)                : 13459719', 'Max latency (ns)                : 1.3e7x'));
put('H100_v4.1_logs/2025.06.01-10.00.00/stdout.txt', 'Traceback (most recent call last):\n');
put('H100_v4.1_logs/2025.06.01-10.01.00/H100_TRT/bert-99/SingleStream/mlperf_log_summary.txt', SUMMARY);
put('H100_v4.1_logs/2025.06.01-10.01.00/H100_TRT/bert-99/SingleStream/metadata.json', METADATA);
put('H100_v4.1_logs/2025.06.01-10.01.00/H100_TRT/bert-99/SingleStream/mlperf_log_detail.txt', 'not a detail log\n');
put('H100_v4.1_logs/2025.06.01-10.02.00/H100_TRT/bert-99/SingleStream/mlperf_log_summary.txt', SUMMARY);
put('H100_v4.1_logs/2025.06.01-10.02.00/H100_TRT/bert-99/SingleStream/metadata.json', '{"system_name": ');
put('loose/mlperf_log_summary.txt', SUMMARY);

test('synthetic tree: runs named from the layout, every bad case skipped with a reason', () => {
  const tree = scanMlperfLogTree(root);
  assert.deepEqual(
    tree.runs.map((r) => r.relDir),
    [
      `2080Ti_v1.1_logs/2025.05.30-21.30.13/${RTX}`,
      'H100_v4.1_logs/2025.06.01-10.01.00/H100_TRT/bert-99/SingleStream',
      'H100_v4.1_logs/2025.06.01-10.02.00/H100_TRT/bert-99/SingleStream',
      'loose',
    ],
  );
  const rtx = tree.runs[0]!;
  assert.deepEqual(rtx.logSet, { folder: '2080Ti_v1.1_logs', tag: '2080Ti', version: 'v1.1' });
  assert.equal(rtx.system, 'GeForce RTX 2080 Tix1_TRT');
  assert.equal(rtx.benchmark, 'bert-99');
  assert.equal(rtx.scenarioFolder, 'SingleStream');
  assert.deepEqual(rtx.timestamp, { folder: '2025.05.30-21.30.13', localIso: '2025-05-30T21:30:13', wallClockMs: Date.UTC(2025, 4, 30, 21, 30, 13) });
  assert.equal(rtx.summary.stats.maxLatencyNs, 13459719);
  assert.equal(rtx.detailPath, join(root, `2080Ti_v1.1_logs/2025.05.30-21.30.13/${RTX}/mlperf_log_detail.txt`));
  assert.equal(rtx.detail, undefined, 'details are parsed only on request');
  assert.equal(loadRunDetail(rtx)?.powerBeginMs, Date.UTC(2025, 4, 30, 19, 30, 22, 961));
  assert.deepEqual(rtx.harnessSummary, {
    configName: 'GeForce RTX 2080 Tix1_TRT-custom_k_99_MaxP-SingleStream',
    benchmark: 'bert',
    text: 'result_90.00_percentile_latency_ns: 10949526, Result is INVALID',
    metricKey: 'result_90.00_percentile_latency_ns',
    metricValue: 10949526,
    valid: false,
  });
  const h100 = tree.runs[1]!;
  const meta = h100.metadata;
  assert.ok(meta);
  assert.equal(meta.gpuName, 'NVIDIA H100 NVL');
  assert.equal(meta.cpuName, 'AMD EPYC 9254 24-Core Processor');
  assert.equal(meta.systemName, 'H100_TRT');
  assert.equal(meta.tensorrtVersion, '10.2.0');
  assert.equal(tree.runs[2]!.metadata, undefined);
  const loose = tree.runs[3]!;
  assert.equal(loose.timestamp, undefined);
  assert.equal(loose.system, undefined);
  assert.equal(loose.logSet, undefined);

  const skipped = tree.skipped.map((s) => ({ rel: s.path.slice(root.length + 1), reason: s.reason }));
  assert.deepEqual(skipped, [
    { rel: `2080Ti_v1.1_logs/2025.05.30-21.31.00/${RTX}/mlperf_log_summary.txt`, reason: 'empty-summary' },
    { rel: `2080Ti_v1.1_logs/2025.05.30-21.32.00/${RTX}/mlperf_log_summary.txt`, reason: 'truncated-summary' },
    { rel: `2080Ti_v1.1_logs/2025.05.30-21.33.00/${RTX}/mlperf_log_summary.txt`, reason: 'invalid-summary' },
    { rel: 'H100_v4.1_logs/2025.06.01-10.00.00', reason: 'no-summary' },
    { rel: 'H100_v4.1_logs/2025.06.01-10.02.00/H100_TRT/bert-99/SingleStream/metadata.json', reason: 'invalid-metadata' },
  ]);
  const byReason = new Map(tree.skipped.map((s) => [s.reason, s.detail]));
  assert.match(byReason.get('truncated-summary')!, /mlperf_log_summary\.txt:21 field 'Mean latency \(ns\)'.*\[TRUNCATED\]$/);
  assert.match(byReason.get('invalid-summary')!, /mlperf_log_summary\.txt:21 field 'Max latency \(ns\)': not a number/);
  assert.equal(byReason.get('no-summary'), 'run folder holds no mlperf_log_summary.txt, only stdout.txt');
});

test('synthetic tree with details: a bad detail is skipped, its run kept', () => {
  const tree = scanMlperfLogTree(root, { detail: true });
  assert.equal(tree.runs.length, 4);
  assert.equal(tree.runs[0]!.detail?.loadgenVersion?.commit, 'ed7044310a');
  assert.equal(tree.runs[1]!.detail, undefined);
  const bad = tree.skipped.filter((s) => s.reason === 'invalid-detail');
  assert.equal(bad.length, 1);
  assert.match(bad[0]!.detail, /mlperf_log_detail\.txt:1: not an :::MLLOG line/);
});

test('a missing root is NOT_FOUND; name parsers reject look-alikes', () => {
  assert.throws(
    () => scanMlperfLogTree(join(root, 'nope')),
    (e: unknown) => isInferprintError(e) && e.code === 'NOT_FOUND' && e.message.includes('nope'),
  );
  assert.equal(parseRunTimestamp('2025.02.30-10.00.00'), undefined);
  assert.equal(parseRunTimestamp('2025.05.30-21.30'), undefined);
  assert.deepEqual(parseLogSet('Orin_v4.1_logs'), { folder: 'Orin_v4.1_logs', tag: 'Orin', version: 'v4.1' });
  assert.deepEqual(parseLogSet('misc'), { folder: 'misc', tag: undefined, version: undefined });
});

// ---------------------------------------------------------------------------------------------
// The study's real log tree

const LOGS = join(THESIS_DIR, 'Logs');

test('the whole study tree: 538 runs, 1 empty summary, 43 stdout-only run folders', { skip: skipWithoutThesis }, () => {
  const tree = scanMlperfLogTree(LOGS);

  assert.equal(tree.runs.length, 538);
  const perSet = new Map<string, number>();
  for (const r of tree.runs) perSet.set(r.logSet!.folder, (perSet.get(r.logSet!.folder) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(perSet), { 'A100_v4.1_logs': 215, 'Orin_v4.1_logs': 222, 'T4_v1.1_logs': 101 });

  assert.equal(tree.skipped.length, 44);
  const empty = tree.skipped.filter((s) => s.reason === 'empty-summary');
  assert.deepEqual(
    empty.map((s) => s.path),
    [join(LOGS, 'T4_v1.1_logs/2025.05.30-21.09.37/T4x1_TRT/bert-99/SingleStream/mlperf_log_summary.txt')],
  );
  const stdoutOnly = tree.skipped.filter((s) => s.reason === 'no-summary');
  assert.equal(stdoutOnly.length, 43);
  assert.equal(stdoutOnly.filter((s) => s.path.includes('/Orin_v4.1_logs/')).length, 39);
  assert.equal(stdoutOnly.filter((s) => s.path.includes('/A100_v4.1_logs/')).length, 4);
  for (const s of stdoutOnly) assert.equal(s.detail, 'run folder holds no mlperf_log_summary.txt, only stdout.txt');

  // Deterministic order, and every run in the standard layout.
  const rel = tree.runs.map((r) => r.relDir);
  assert.deepEqual(rel, [...rel].sort());
  assert.equal(new Set(rel).size, rel.length);
  for (const r of tree.runs) {
    assert.ok(r.timestamp && r.system && r.benchmark === 'bert-99' && r.scenarioFolder === 'SingleStream', r.relDir);
    assert.equal(r.summary.scenario, 'SingleStream');
    assert.equal(r.summary.mode, 'PerformanceOnly');
    assert.equal(r.detail, undefined);
  }
  // Only one VALID run: the study did not filter on validity and neither does the scan.
  assert.equal(tree.runs.filter((r) => r.summary.resultValid).length, 1);

  // v4.1 runs carry metadata.json naming the accelerator; v1.1 runs the harness summary.
  const gpus = new Map<string, Set<string>>();
  for (const r of tree.runs) {
    if (r.logSet!.version !== 'v4.1') continue;
    assert.equal(r.metadata?.systemName, r.system, r.relDir);
    const set = gpus.get(r.logSet!.folder) ?? new Set<string>();
    set.add(r.metadata!.gpuName!);
    gpus.set(r.logSet!.folder, set);
  }
  assert.deepEqual([...gpus.get('A100_v4.1_logs')!], ['NVIDIA A100-PCIE-40GB']);
  assert.deepEqual([...gpus.get('Orin_v4.1_logs')!], ['NVIDIA Jetson AGX Orin Developer Kit']);
  const harness = tree.runs.filter((r) => r.harnessSummary !== undefined);
  assert.equal(harness.length, 3);
  for (const r of harness) {
    assert.equal(r.logSet!.tag, 'T4');
    assert.equal(r.harnessSummary!.metricValue, r.summary.headline.value);
    assert.equal(r.harnessSummary!.valid, r.summary.resultValid);
  }
});

/** expected.csv rows: the study's latency per device tag × version × query count. */
function expectedLatencies(): { tag: string; version: string; qc: number; maxLatencyMs: number; runs: number }[] {
  const [header, ...rows] = readFileSync(join(THESIS_DIR, 'expected.csv'), 'utf8').trim().split(/\r?\n/);
  const cols = header!.split(',');
  const col = (name: string): number => {
    const i = cols.indexOf(name);
    assert.ok(i >= 0, `expected.csv lacks ${name}`);
    return i;
  };
  return rows.map((line) => {
    const cells = line.split(',');
    return {
      tag: cells[col('dataset_tag')]!,
      version: cells[col('version')]!,
      qc: Number(cells[col('qc')]),
      maxLatencyMs: Number(cells[col('max_latency_ms')]),
      runs: Number(cells[col('latency_runs')]),
    };
  });
}

function meanMaxLatencyMs(runs: readonly MlperfRunDir[]): number {
  return runs.reduce((sum, r) => sum + r.summary.stats.maxLatencyNs, 0) / runs.length / 1e6;
}

test("the study's latency: mean Max latency over summaries with min_query_count = QC", { skip: skipWithoutThesis }, () => {
  const tree = scanMlperfLogTree(LOGS);
  // The headline fact, spelled out: T4 v1.1, QC 16.
  const t4qc16 = tree.runs.filter((r) => r.logSet?.tag === 'T4' && r.summary.params.minQueryCount === 16);
  assert.equal(t4qc16.length, 21);
  assert.ok(Math.abs(meanMaxLatencyMs(t4qc16) - 13.627781333333331) < 1e-12);

  // Every cell of expected.csv whose logs are here (tags differ in case: `orin` data, `Orin` logs).
  const cells = expectedLatencies();
  assert.equal(cells.length, 15);
  for (const cell of cells) {
    const runs = tree.runs.filter(
      (r) => r.logSet?.tag?.toLowerCase() === cell.tag.toLowerCase() && r.logSet.version === cell.version && r.summary.params.minQueryCount === cell.qc,
    );
    const label = `${cell.tag} ${cell.version} QC${cell.qc}`;
    assert.equal(runs.length, cell.runs, label);
    // Summation order differs from the study's Python by an ulp at most.
    assert.ok(Math.abs(meanMaxLatencyMs(runs) - cell.maxLatencyMs) < 1e-9 * cell.maxLatencyMs, label);
  }
});
