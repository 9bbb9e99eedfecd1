import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatManifest, MANIFEST_SCHEMA_VERSION, readManifestJson } from '../../src/runs/manifest.js';
import { runFootprint } from '../../src/runs/run-impact.js';
import { thrown } from '../helpers/decode.js';
import { schema0Manifest } from '../store/helpers.js';

// `workload.mlperfSettings` and `impact.result.params` are typed and checked on read (issue 12),
// without changing the JSON on disk: old bundles read the same, unknown keys are kept.

/** The record the first inferprint bench wrote (schema 0 era): no scenario, mode or samplesPerQuery. */
const FIRST_BENCH_SETTINGS = {
  release: 'v4.1',
  variant: 'gcc-13',
  minQueryCount: 64,
  maxQueryCount: 64,
  minDurationMs: 600000,
  targetQps: 161.29032258064515,
  qslRngSeed: '3066443479025735752',
  sampleIndexRngSeed: '10688027786191513374',
  scheduleRngSeed: '14962580496156340209',
  performanceSampleCount: 10833,
};
const benchWorkload = (mlperfSettings: unknown): Record<string, unknown> => ({ kind: 'bench', scenario: 'SingleStream', model: 'synthetic:bert-tiny', queryCount: 64, mlperfSettings });

test('an old (schema 0) bench bundle: mlperfSettings read typed through the upgrade chain, seeds exact', () => {
  const raw = schema0Manifest({ workload: benchWorkload(FIRST_BENCH_SETTINGS) });
  const { manifest: m, schemaVersion: onDisk } = readManifestJson(raw);
  assert.equal(onDisk, 0);
  assert.equal(m.schemaVersion, MANIFEST_SCHEMA_VERSION);
  assert.ok(m.workload.kind === 'bench');
  const s = m.workload.mlperfSettings;
  assert.ok(s);
  assert.equal(s.minQueryCount, 64);
  assert.equal(s.release, 'v4.1');
  // Seeds beyond 2^53 stay decimal strings: BigInt gives them back digit for digit.
  assert.equal(BigInt(s.sampleIndexRngSeed ?? '0'), 10688027786191513374n);
  assert.deepEqual(s, FIRST_BENCH_SETTINGS);
});

test('a schema 1 bundle and the current writer: mlperfSettings is the JSON as written, unknown keys kept', () => {
  const accuracy = { release: 'v4.1', mode: 'AccuracyOnly', scenario: 'SingleStream', samples: 16, responses: 16 };
  const current = readManifestJson(schema0Manifest({ workload: benchWorkload(accuracy) })).manifest;
  const schema1 = { ...(JSON.parse(formatManifest(current)) as Record<string, unknown>), schemaVersion: 1 };
  const m = readManifestJson(schema1).manifest;
  assert.ok(m.workload.kind === 'bench');
  assert.deepEqual(m.workload.mlperfSettings, accuracy);
  // A key the settings table does not name (hand-made bundles) is kept, not refused.
  const extra = readManifestJson(schema0Manifest({ workload: benchWorkload({ min_query_count: 64, note: 'by hand' }) })).manifest;
  assert.ok(extra.workload.kind === 'bench');
  assert.deepEqual(extra.workload.mlperfSettings, { min_query_count: 64, note: 'by hand' });
  // Reading and writing back changes nothing of the record.
  assert.deepEqual((JSON.parse(formatManifest(m)) as { workload: unknown }).workload, benchWorkload(accuracy));
});

test('mlperfSettings: a known key of the wrong kind is a coded error naming the field', () => {
  const read = (settings: Record<string, unknown>) => thrown(() => readManifestJson(schema0Manifest({ workload: benchWorkload(settings) })));
  const seed = read({ ...FIRST_BENCH_SETTINGS, qslRngSeed: Number('3066443479025735752') });
  assert.equal(seed.code, 'PARSE');
  assert.equal(seed.where.field, 'workload.mlperfSettings.qslRngSeed');
  const big = read({ qslRngSeed: '18446744073709551616' });
  assert.equal(big.code, 'INVALID_VALUE');
  assert.match(big.message, /uint64 seed/);
  assert.equal(read({ mode: 'Performance' }).where.field, 'workload.mlperfSettings.mode');
  assert.equal(read({ minQueryCount: -1 }).where.field, 'workload.mlperfSettings.minQueryCount');
  assert.equal(read({ performanceIssueSame: 'no' }).where.field, 'workload.mlperfSettings.performanceIssueSame');
  assert.equal(read({ samples: 1.5 }).where.field, 'workload.mlperfSettings.samples');
});

test('impact.result.params: listings read the grid factor, PUE and lifetime typed; a bad value is named', () => {
  const result = {
    model: 'berthelot-2022-v1',
    gwpG: { mean: 0.004, min: 0.003, max: 0.005 },
    operationalG: { mean: 0.0033, min: 0.0025, max: 0.004 },
    embodiedG: { mean: 0.0007, min: 0.0005, max: 0.001 },
    params: { gridGPerKwh: { value: 79.1, min: 79.1, max: 79.1, unit: 'gCO2e/kWh', source: 'ADEME' }, pue: { value: 1.5 }, lifetimeS: { value: 220752000 } },
  };
  const m = readManifestJson(schema0Manifest({ impact: { result } })).manifest;
  const f = runFootprint(m);
  assert.deepEqual([f.gridGPerKwh, f.pue, f.lifetimeS], [79.1, 1.5, 220752000]);
  // The rest of a parameter is kept as written.
  assert.deepEqual(m.impact?.result?.params?.gridGPerKwh, result.params.gridGPerKwh);
  const bad = thrown(() => readManifestJson(schema0Manifest({ impact: { result: { ...result, params: { pue: { value: '1.5' } } } } })));
  assert.equal(bad.code, 'PARSE');
  assert.equal(bad.where.field, 'impact.result.params.pue.value');
});
