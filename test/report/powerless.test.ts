// Runs that measured no power (imported MLPerf logs) in a report: latency-only rows, beside
// devices with energy or alone, never a crash; every figure and table still written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReport } from '../../src/app/report.js';
import { loadReportData } from '../../src/report/load.js';
import { reportFigures } from '../../src/report/figures.js';
import { writeRunBundle } from '../../src/runs/bundle.js';
import { summaryText, writeSmallStore } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'inferprint-report-nopower-'));

/** An `import mlperf` bundle of a Tesla T4 run: its summary, no sensor, no trace, no energy. */
async function writePowerless(runsDir: string, queryCount: number, repetition: number, p90Ms: number): Promise<string> {
  const started = new Date(Date.UTC(2026, 1, 1, 0, 0, repetition) + queryCount * 60_000);
  const p90Ns = Math.round(p90Ms * 1e6);
  const w = await writeRunBundle(
    runsDir,
    {
      manifest: {
        label: `T4 v1.1 SingleStream QC${queryCount}`,
        startedAt: started.toISOString(),
        endedAt: new Date(started.getTime() + 1000).toISOString(),
        status: { kind: 'completed' },
        host: {},
        tool: { name: 'inferprint', version: '0.1.0' },
        workload: { kind: 'import', format: 'mlperf', sourcePath: '/logs', ...({ scenario: 'SingleStream', queryCount, datasetTag: 'T4', version: 'v1.1' } as object) },
        device: { hardwareId: 'Tesla-T4', name: 'NVIDIA Tesla T4' },
        windows: [],
        gaps: [],
      },
      files: [{ name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary', content: summaryText(queryCount, p90Ns, Math.round(p90Ns * 1.5)) }],
    },
    { randomSuffix: () => `${queryCount.toString(16).padStart(2, '0')}${repetition}c` },
  );
  return w.id;
}

test('runs without power give latency-only rows beside devices with energy; the report is written whole', async () => {
  const runsDir = join(root, 'mixed');
  await writeSmallStore(runsDir);
  for (const qc of [16, 64]) for (let r = 0; r < 2; r++) await writePowerless(runsDir, qc, r, 12 + r);
  const d = await loadReportData({ paths: [runsDir] });
  const t4 = d.rows.filter((r) => r.hardwareId === 'Tesla-T4');
  assert.deepEqual(
    t4.map((r) => [r.series, r.queryCount, r.energy, r.impact, r.latency?.runs]),
    [
      ['Tesla-T4 v1.1', 16, undefined, undefined, 2],
      ['Tesla-T4 v1.1', 64, undefined, undefined, 2],
    ],
  );
  // Mean of the two runs' p90 (12 and 13 ms), as for an MLPerf log tree.
  assert.ok(Math.abs(t4[0]!.latency!.p90LatencyMs! - 12.5) < 1e-9);
  assert.equal(d.rows.filter((r) => r.energy).length, 4, 'the bench rows keep their energy');
  assert.ok(d.notes.some((n) => /4 run bundle\(s\) measured no power/.test(n)), d.notes.join('\n'));
  assert.equal(d.profiles.filter((p) => p.series === 'Tesla-T4 v1.1').length, 0, 'no power profile without power');

  const out = join(root, 'out-mixed');
  const r = await writeReport({ paths: [runsDir], outDir: out, data: d });
  for (const f of reportFigures(d)) assert.ok(r.files.some((x) => x.endsWith(`figures/${f.id}.svg`)), f.id);
  const csv = readFileSync(join(out, 'tables', 'results.csv'), 'utf8');
  assert.match(csv, /Tesla-T4/);
});

test('a store of runs without power alone: a latency-only report', async () => {
  const runsDir = join(root, 'alone');
  for (const qc of [16, 32]) await writePowerless(runsDir, qc, 0, 10);
  const d = await loadReportData({ paths: [runsDir] });
  assert.deepEqual(
    d.rows.map((r) => [r.queryCount, r.energy === undefined, r.latency?.runs]),
    [
      [16, true, 1],
      [32, true, 1],
    ],
  );
  const r = await writeReport({ paths: [runsDir], outDir: join(root, 'out-alone'), data: d, formats: ['html', 'svg'] });
  assert.ok(r.files.some((f) => f.endsWith('index.html')));
  assert.ok(r.files.some((f) => f.endsWith('latency-by-query-count.svg')));
});
