// Runs that measured no power (imported MLPerf logs) in a report: latency-only rows, beside
// devices with energy or alone, never a crash; every figure and table still written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeReport } from '../../src/app/report.js';
import { loadReportData } from '../../src/app/report-data.js';
import { reportFigures } from '../../src/report/figures.js';
import { writePowerless, writeSmallStore } from './helpers.js';

const root = mkdtempSync(join(tmpdir(), 'inferprint-report-nopower-'));

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
