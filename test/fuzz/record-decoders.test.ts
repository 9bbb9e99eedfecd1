/**
 * Fuzzing the decoders of records rather than traces: CodeCarbon `emissions.csv`, MLPerf
 * `mlperf_log_summary.txt` and `mlperf_log_detail.txt`, and run manifests. For every input:
 * - the outcome is a record or a coded error, never a crash or an `[INTERNAL]` error;
 * - a record holds no non-finite number its input did not have (no NaN or Infinity invented);
 * - a non-finite value (NaN, inf, 1e400, 400 digits) where an energy, a duration or a result
 *   belongs never becomes a finite value: the decoder refuses it, or (MLPerf, where LoadGen
 *   itself prints `nan` and `inf`) keeps it non-finite;
 * - a manifest with a non-finite number in any of its fields does not read (JSON has no
 *   Infinity, but `1e400` parses to it).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseDetail } from '../../src/mlperf/parse-detail.js';
import { parseSummary } from '../../src/mlperf/parse-summary.js';
import { formatManifest, MAX_MANIFEST_DEPTH, readManifestText } from '../../src/runs/manifest.js';
import { decodeCodeCarbonCsv } from '../../src/traces/parse-codecarbon.js';
import { assertNoInventedNonFinite, fromScratch, fuzz, FUZZ_TIMEOUT_MS, mutated, NON_FINITE, numbersIn, outcome, reportTotal, withCell } from './harness.js';
import { CODECARBON, CODECARBON_HEADER, DETAIL_LINES, MANIFEST, SUMMARY } from './seeds.js';

const nonFinite = fc.constantFrom(...NON_FINITE);
const SUMMARY_LINES = SUMMARY.split('\n');
const MANIFEST_LINES = MANIFEST.split('\n');

test('every seed decodes as it is (the mutations start from valid input)', () => {
  assert.equal(outcome(() => decodeCodeCarbonCsv(CODECARBON, { file: 'emissions.csv' })).ok, true, 'CodeCarbon');
  assert.equal(outcome(() => parseSummary(SUMMARY, 'mlperf_log_summary.txt')).ok, true, 'summary');
  const detail = outcome(() => parseDetail(`${DETAIL_LINES.join('\n')}\n`, 'mlperf_log_detail.txt'));
  if (!detail.ok) assert.fail(detail.error.message);
  assert.ok(detail.value.results !== undefined && detail.value.effective !== undefined, 'detail with results and settings');
  assert.equal(outcome(() => readManifestText(MANIFEST, 'manifest.json')).ok, true, 'manifest');
});

/** Numbers LoadGen logs are latencies, rates, counts and probabilities: none is negative. */
function assertNoNegative(value: unknown, what: string): void {
  const negative = numbersIn(value).filter(([, v]) => v < 0);
  assert.deepEqual(negative, [], `a negative number in a ${what}`);
}

describe('fuzz: CodeCarbon emissions.csv', { timeout: FUZZ_TIMEOUT_MS }, () => {
  const decode = (lines: string[]) => decodeCodeCarbonCsv(lines, { file: 'emissions.csv' });
  const check = (lines: string[]): void => {
    const r = outcome(() => decode(lines));
    if (!r.ok) return;
    for (const rec of r.value) {
      assert.ok(Number.isFinite(rec.energyJ) && rec.energyJ >= 0, `energy ${rec.energyJ}`);
      assert.ok(Number.isFinite(rec.durationS) && rec.durationS >= 0, `duration ${rec.durationS}`);
    }
    assertNoInventedNonFinite(r.value, lines.join('\n'));
  };
  test('damaged files', (t) => {
    fuzz(t, 'CodeCarbon, mutated', mutated(CODECARBON), check);
  });
  test('from scratch', (t) => {
    fuzz(t, 'CodeCarbon, from scratch', fromScratch([CODECARBON_HEADER, ',', 'duration', 'energy_consumed', 'run_id', '2025-10-09T11:25:06', '0.00053', '"a, b"']), check);
  });
  test('a non-finite energy or duration is refused', (t) => {
    const header = CODECARBON_HEADER.split(',');
    const columns = ['duration', 'energy_consumed', 'cpu_energy', 'gpu_energy', 'ram_energy'].map((c) => header.indexOf(c));
    assert.ok(columns.every((c) => c >= 0));
    fuzz(t, 'CodeCarbon, non-finite cell', fc.tuple(fc.integer({ min: 1, max: 3 }), fc.constantFrom(...columns), nonFinite), ([line, cell, tok]) => {
      // Every row is checked, the cumulative snapshots before a run's last one included.
      const r = outcome(() => decode(withCell(CODECARBON, line, ',', cell, tok)));
      assert.equal(r.ok, false, `line ${line + 1} with ${header[cell]} = ${tok.slice(0, 12)} was accepted`);
    });
  });
});

describe('fuzz: MLPerf summary', { timeout: FUZZ_TIMEOUT_MS }, () => {
  const check = (lines: string[]): void => {
    const text = lines.join('\n');
    const r = outcome(() => parseSummary(text, 'mlperf_log_summary.txt'));
    if (!r.ok) return;
    assertNoInventedNonFinite(r.value, text);
    assertNoNegative(r.value, 'summary');
  };
  test('damaged summaries', (t) => {
    fuzz(t, 'MLPerf summary, mutated', mutated(SUMMARY_LINES), check);
  });
  test('from scratch', (t) => {
    fuzz(t, 'MLPerf summary, from scratch', fromScratch(['================================================', 'MLPerf Results Summary', 'Additional Stats', 'Test Parameters Used', 'Scenario : SingleStream', ' : ', 'Max latency (ns)', 'No errors encountered during test.', ' * ']), check);
  });
  test('a non-finite result never reads as a finite one', (t) => {
    const keys: [string, (s: ReturnType<typeof parseSummary>) => number | undefined][] = [
      ['90th percentile latency (ns)', (s) => s.headline.value],
      ['QPS w/ loadgen overhead', (s) => s.stats.qpsWithLoadgenOverhead],
      ['QPS w/o loadgen overhead', (s) => s.stats.qpsWithoutLoadgenOverhead],
      ['Max latency (ns)', (s) => s.stats.maxLatencyNs],
      ['Mean latency (ns)', (s) => s.stats.meanLatencyNs],
      ['target_qps', (s) => s.params.targetQps],
      ['min_query_count', (s) => s.params.minQueryCount],
    ];
    fuzz(t, 'MLPerf summary, non-finite value', fc.tuple(fc.constantFrom(...keys), nonFinite), ([[key, read], tok]) => {
      const i = SUMMARY_LINES.findIndex((l) => l.split(':')[0]!.trim() === key);
      assert.ok(i >= 0, key);
      const lines = [...SUMMARY_LINES];
      lines[i] = `${lines[i]!.slice(0, lines[i]!.indexOf(':') + 1)} ${tok}`;
      const r = outcome(() => parseSummary(lines.join('\n'), 'mlperf_log_summary.txt'));
      if (r.ok) assert.ok(!Number.isFinite(read(r.value)), `${key} ${tok.slice(0, 12)} read as ${read(r.value)}`);
    });
  });
});

describe('fuzz: MLPerf detail', { timeout: FUZZ_TIMEOUT_MS }, () => {
  const check = (lines: string[]): void => {
    const text = `${lines.join('\n')}\n`;
    const r = outcome(() => parseDetail(text, 'mlperf_log_detail.txt'));
    if (!r.ok) return;
    assertNoInventedNonFinite({ ...r.value, events: r.value.events.map((e) => e.value) }, text);
    assertNoNegative({ effective: r.value.effective, results: r.value.results }, 'detail\'s settings or results');
  };
  test('damaged detail logs', (t) => {
    fuzz(t, 'MLPerf detail, mutated', mutated(DETAIL_LINES), check);
  });
  test('from scratch', (t) => {
    fuzz(t, 'MLPerf detail, from scratch', fromScratch([':::MLLOG ', '{"key": "result_validity", ', '"value": ', '"VALID"', '1853432', ', "time_ms": 0.01', '}', 'nan', 'inf', '10688027786191513374']), check);
  });
  test('a non-finite result never reads as a finite one', (t) => {
    const keys: [string, (d: ReturnType<typeof parseDetail>) => unknown][] = [
      ['result_qps_with_loadgen_overhead', (d) => d.results?.qpsWithLoadgenOverhead],
      ['result_mean_latency_ns', (d) => d.results?.meanLatencyNs],
      ['result_max_latency_ns', (d) => d.results?.maxLatencyNs],
      ['result_90.00_percentile_latency_ns', (d) => d.results?.percentilesNs['90.00']],
      ['effective_target_qps', (d) => d.effective?.targetQps],
    ];
    fuzz(t, 'MLPerf detail, non-finite value', fc.tuple(fc.constantFrom(...keys), nonFinite), ([[key, read], tok]) => {
      const lines = DETAIL_LINES.map((l) => (l.includes(`"key": "${key}"`) ? l.replace(/"value": [^,]+,/, `"value": ${tok},`) : l));
      const r = outcome(() => parseDetail(`${lines.join('\n')}\n`, 'mlperf_log_detail.txt'));
      if (!r.ok) return;
      const v = read(r.value);
      assert.ok(typeof v !== 'number' || !Number.isFinite(v), `${key} ${tok.slice(0, 12)} read as ${String(v)}`);
    });
  });
});

describe('fuzz: run manifests', { timeout: FUZZ_TIMEOUT_MS }, () => {
  const check = (lines: string[]): void => {
    const r = outcome(() => readManifestText(lines.join('\n'), 'manifest.json'));
    // Unknown fields are carried over untouched (a newer writer's), so only invented values count here;
    // every known field is checked by the property below.
    if (!r.ok) return;
    assertNoInventedNonFinite(r.value.manifest, lines.join('\n'));
    // What reads is written back as it is (unknown fields included), so writing must not fail.
    assert.equal(typeof formatManifest(r.value.manifest), 'string');
  };
  test('damaged manifests', (t) => {
    fuzz(t, 'manifest, mutated', mutated(MANIFEST_LINES), check);
  });
  test('from scratch', (t) => {
    fuzz(t, 'manifest, from scratch', fromScratch(['{', '}', '"schemaVersion": 1', '"energyJ": ', '"id": "x"', ',', '[', ']', '1e400', 'null']), check);
  });
  test('nesting: within the limit a manifest reads and writes back; beyond it, a coded error', (t) => {
    const arb = fc.tuple(fc.oneof(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 200_000 })), fc.constantFrom('[', '{"a":'), fc.constantFrom('"x": ', '"notes": [', '"extra": '));
    fuzz(t, 'manifest, deep nesting', arb, ([depth, open, where]) => {
      const close = open === '[' ? ']' : '}';
      const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
      const text = where === '"notes": [' ? MANIFEST.replace('"notes": [', `"notes": [${nested}, `) : MANIFEST.replace('"schemaVersion": 1,', `"schemaVersion": 1, ${where}${nested},`);
      const r = outcome(() => readManifestText(text, 'manifest.json'));
      if (r.ok) assert.equal(typeof formatManifest(r.value.manifest), 'string');
      else if (depth > MAX_MANIFEST_DEPTH) assert.match(r.error.message, /nested deeper than 64 levels/);
    });
  });

  test('a non-finite number in any field of the format is refused', (t) => {
    assert.equal(outcome(() => readManifestText(MANIFEST, 'manifest.json')).ok, true, 'the seed reads');
    const numeric = MANIFEST_LINES.map((l, i) => [l, i] as const).filter(([l]) => /": -?\d/.test(l)).map(([, i]) => i);
    assert.ok(numeric.length > 15, `${numeric.length} numeric lines`);
    fuzz(t, 'manifest, non-finite number', fc.tuple(fc.constantFrom(...numeric), fc.constantFrom('1e400', '-1e400', '9'.repeat(400), '1E+999')), ([i, tok]) => {
      const lines = [...MANIFEST_LINES];
      lines[i] = lines[i]!.replace(/(": )-?[\d.e+-]+/, `$1${tok}`);
      const r = outcome(() => readManifestText(lines.join('\n'), 'manifest.json'));
      assert.equal(r.ok, false, `line ${i + 1} ${lines[i].trim().slice(0, 60)} was accepted`);
    });
  });
});

test('inputs tried', (t) => {
  reportTotal(t);
});
