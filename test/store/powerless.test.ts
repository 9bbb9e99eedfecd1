// Runs that measured no power (imported MLPerf logs: no sensor, no trace) through the store:
// listed with NULL power columns, their MLPerf results in `results`, no rows in `traces`, and a
// stray Parquet file in such a bundle reported, never read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { InferprintError } from '../../src/errors.js';
import { writeRunBundle, type ManifestDraft } from '../../src/runs/io/bundle.js';
import { toRunRow } from '../../src/runs/row.js';
import { toWindowRows } from '../../src/store/rows.js';
import { openStore } from '../../src/store/store.js';
import { draft, summaryText, tempRunsDir, writeRun } from './helpers.js';

/** A bundle as `import mlperf` writes it: its logs, a compute window, no sensor. */
async function writePowerless(runsDir: string, suffix: string, queryCount = 64): Promise<string> {
  const manifest: ManifestDraft = draft({
    sensor: undefined,
    energy: undefined,
    impact: undefined,
    notes: ['imported MLPerf logs: no power was measured'],
    label: `T4 v1.1 SingleStream QC${queryCount}`,
    startedAt: '2026-11-26T12:00:00.000Z',
    endedAt: '2026-11-26T12:00:00.500Z',
    workload: { kind: 'import', format: 'mlperf', sourcePath: '/logs/run', ...({ scenario: 'SingleStream', queryCount } as object) },
    device: { hardwareId: 'Tesla-T4', name: 'NVIDIA Tesla T4' },
    windows: [{ name: 'compute', t0S: 0, t1S: 0.5 }],
  });
  const w = await writeRunBundle(runsDir, { manifest, files: [{ name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary', content: summaryText() }] }, { randomSuffix: () => suffix });
  return w.id;
}

test('a run without power lists with NULL power columns beside runs with power', async () => {
  const runsDir = tempRunsDir();
  const powered = await writeRun(runsDir, {}, { suffix: 'aaaa' });
  const id = await writePowerless(runsDir, 'bbbb');
  assert.equal(existsSync(join(runsDir, id, 'trace.parquet')), false);
  const store = openStore(runsDir);
  const { runs, rows, skipped } = await store.list();
  assert.deepEqual(skipped, []);
  assert.deepEqual(
    runs.map((r) => r.id),
    [powered.id, id],
  );
  const row = rows.find((r) => r.id === id)!;
  assert.deepEqual(
    {
      sensor: row.sensor,
      provenance: row.provenance,
      estimate_method: row.estimate_method,
      primary_channel: row.primary_channel,
      channels: row.channels,
      requested_interval_s: row.requested_interval_s,
      energy_j: row.energy_j,
      mean_w: row.mean_w,
      samples: row.samples,
      gwp_mg: row.gwp_mg,
      impact_scope: row.impact_scope,
      gap_count: row.gap_count,
      workload: row.workload,
      import_format: row.import_format,
      scenario: row.scenario,
      query_count: row.query_count,
      hardware_id: row.hardware_id,
      has_mlperf: row.has_mlperf,
    },
    {
      sensor: null,
      provenance: null,
      estimate_method: null,
      primary_channel: null,
      channels: [],
      requested_interval_s: null,
      energy_j: null,
      mean_w: null,
      samples: null,
      gwp_mg: null,
      impact_scope: null,
      gap_count: 0,
      workload: 'import',
      import_format: 'mlperf',
      scenario: 'SingleStream',
      query_count: 64,
      hardware_id: 'Tesla-T4',
      has_mlperf: true,
    },
  );
  assert.equal(toRunRow(runs[0]!).sensor, 'nvml');
  assert.equal(row.duration_s, 0.5);
  assert.deepEqual(toWindowRows(runs[1]!), [{ run_id: id, window: 'compute', t0_s: 0, t1_s: 0.5, duration_s: 0.5, channel: null, energy_j: null, mean_w: null }]);
  // Filters work on it as on any run.
  assert.deepEqual(
    (await store.list({ device: 'T4', queryCount: 64 })).rows.map((r) => r.id),
    [id],
  );
});

test('sql over runs without power: NULL columns, MLPerf results, and no trace rows', async () => {
  const runsDir = tempRunsDir();
  const powered = await writeRun(runsDir, {}, { suffix: 'aaaa' });
  const id = await writePowerless(runsDir, 'bbbb', 64);
  const store = openStore(runsDir);
  const runs = await store.query('SELECT id, sensor, energy_j FROM runs ORDER BY id');
  assert.deepEqual(runs.rows, [
    [powered.id, 'nvml', 100],
    [id, null, null],
  ]);
  const traces = await store.query('SELECT run_id, count(*)::INTEGER AS n FROM traces GROUP BY run_id ORDER BY run_id');
  assert.deepEqual(traces.rows, [[powered.id, 22]], 'the traces view holds the powered run only');
  const results = await store.query('SELECT run_id, min_query_count, max_latency_ns FROM results ORDER BY run_id');
  assert.deepEqual(results.rows, [[id, 64, 1_563_000]]);
  assert.deepEqual(results.skipped, []);

  // A runs directory of power-less runs only: the Parquet views are empty, not an error.
  const only = tempRunsDir();
  await writePowerless(only, 'cccc');
  assert.deepEqual((await openStore(only).query('SELECT count(*)::INTEGER FROM traces')).rows, [[0]]);
  assert.deepEqual((await openStore(only).query('SELECT count(*)::INTEGER FROM counters')).rows, [[0]]);
});

test('readTrace of a run without power is NO_DATA; a stray trace.parquet in one is reported and skipped', async () => {
  const runsDir = tempRunsDir();
  const powered = await writeRun(runsDir, {}, { suffix: 'aaaa' });
  const id = await writePowerless(runsDir, 'bbbb');
  const store = openStore(runsDir);
  await assert.rejects(store.readTrace(id), (e: unknown) => e instanceof InferprintError && e.code === 'NO_DATA' && e.message.includes(`run ${id} measured no power`));

  cpSync(join(powered.path, 'trace.parquet'), join(runsDir, id, 'trace.parquet'));
  const { runs, skipped } = await openStore(runsDir).list();
  assert.deepEqual(
    runs.map((r) => r.id),
    [powered.id],
  );
  assert.equal(skipped.length, 1);
  assert.equal(skipped[0]!.name, id);
  assert.equal(skipped[0]!.code, 'INVALID_VALUE');
  assert.match(skipped[0]!.reason, /trace\.parquet: present, but manifest\.json has no sensor/);
});
