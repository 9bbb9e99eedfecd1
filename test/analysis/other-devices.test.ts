import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/app/analyze.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';

/**
 * Nothing may be specific to the three fixture devices: build the study's layout for its
 * other devices from the fixture traces (renamed), and check each gets its own unit, PUE,
 * embodied candidates (reference/thesis-method.md §2) and log folder.
 */

// The study's F_GPU lists (kgCO2e), thesis-method.md §2, and its PUE rule.
const STUDY: Record<string, { from: string; fromVersion: string; unit: 'W' | 'mW'; pue: number; f: number[]; version: string; logTag: string }> = {
  '2080Ti': { from: 'T4', fromVersion: 'v1.1', unit: 'W', pue: 1.0, f: [11.645243, 30.1992], version: 'v1.1', logTag: '2080Ti' },
  QRTX6000: { from: 'T4', fromVersion: 'v1.1', unit: 'W', pue: 1.0, f: [16.325243, 34.8792], version: 'v1.1', logTag: 'QRTX6000' },
  QRTX8000: { from: 'T4', fromVersion: 'v1.1', unit: 'W', pue: 1.0, f: [24.965243, 43.5192], version: 'v1.1', logTag: 'QRTX8000' },
  A40: { from: 'T4', fromVersion: 'v1.1', unit: 'W', pue: 1.5, f: [26.91352, 41.2068], version: 'v1.1', logTag: 'A40' },
  xavier: { from: 'orin', fromVersion: 'v4.1', unit: 'mW', pue: 1.0, f: [8.20742, 16.82], version: 'v1.1', logTag: 'Xavier' },
  A100: { from: 'T4', fromVersion: 'v1.1', unit: 'W', pue: 1.5, f: [27.6787, 20.469933, 44.8182], version: 'v1.1', logTag: 'A100' },
  H100: { from: 'A100', fromVersion: 'v4.1', unit: 'W', pue: 1.5, f: [44.27218], version: 'v4.1', logTag: 'H100' },
  L40S: { from: 'A100', fromVersion: 'v4.1', unit: 'W', pue: 1.5, f: [33.64383], version: 'v4.1', logTag: 'L40S' },
};
const LOG_DIR: Record<string, string> = { T4: 'T4_v1.1_logs', A100: 'A100_v4.1_logs', orin: 'Orin_v4.1_logs' };

function buildDataset(): string {
  const root = mkdtempSync(join(tmpdir(), 'inferprint-devices-'));
  for (const [tag, d] of Object.entries(STUDY)) {
    const src = join(THESIS_DIR, 'Data', `data_${d.from}_${d.fromVersion}`, 'FULL');
    const dst = join(root, 'Data', `data_${tag}_${d.version}`, 'FULL');
    mkdirSync(dst, { recursive: true });
    for (const f of readdirSync(src)) {
      if (!/_QC_(16|256)_/.test(f)) continue; // two query counts keep the test quick
      cpSync(join(src, f), join(dst, f.replace(`_single_${d.from}_`, `_single_${tag}_`)));
    }
    cpSync(join(THESIS_DIR, 'Logs', LOG_DIR[d.from]!), join(root, 'Logs', `${d.logTag}_${d.version}_logs`), { recursive: true });
  }
  // The study's stray files: a 2-row file without QC/run, and an alternative campaign.
  writeFileSync(join(root, 'Data', 'data_xavier_v1.1', 'FULL', 'consommation_energie_jetson.csv'), 'timestamp,gpu_power\n.1,900\n.2,950\n');
  cpSync(join(root, 'Data', 'data_2080Ti_v1.1'), join(root, 'Data', 'data_2080Ti_v1.1_2'), { recursive: true });
  return root;
}

function expectedCsv(): Map<string, Record<string, string>> {
  const [header, ...lines] = readFileSync(join(THESIS_DIR, 'expected.csv'), 'utf8').trim().split('\n');
  const keys = header!.split(',');
  const m = new Map<string, Record<string, string>>();
  for (const l of lines) {
    const r = Object.fromEntries(l.split(',').map((v, i) => [keys[i]!, v]));
    m.set(`${r.dataset_tag} ${r.qc}`, r);
  }
  return m;
}

test("the study's other devices: own unit, PUE, embodied candidates and logs", { skip: skipWithoutThesis }, () => {
  const root = buildDataset();
  const result = analyze({ paths: [root], method: 'thesis' });
  const expected = expectedCsv();
  assert.equal(result.rows.length, Object.keys(STUDY).length * 2);
  assert.ok(result.skipped.some((s) => s.path.endsWith('data_2080Ti_v1.1_2') && /alternative campaign/.test(s.reason)));
  assert.ok(result.skipped.some((s) => s.path.endsWith('consommation_energie_jetson.csv')));
  for (const [tag, d] of Object.entries(STUDY)) {
    for (const qc of [16, 256]) {
      const row = result.rows.find((r) => r.datasetTag === tag && r.queryCount === qc);
      assert.ok(row?.energy && row.impact, `${tag} QC ${qc}`);
      const src = expected.get(`${d.from} ${qc}`)!;
      // Same traces as the source device: same energy and window (mW → W for the Jetson).
      assert.ok(Math.abs(row.energy.energyJ / Number(src.energy_j) - 1) < 1e-9, `${tag} energy`);
      assert.equal(row.energy.durationS, Number(src.duration_s));
      assert.equal(row.impact.params.pue.value, d.pue, `${tag} PUE`);
      assert.equal(row.version, d.version);
      const cands = row.impact.params.embodied.candidatesKg;
      assert.deepEqual([...cands].map((x) => x.toFixed(5)).sort(), d.f.map((x) => x.toFixed(5)).sort(), `${tag} F list`);
      // GWP by the study's formula with this device's parameters.
      const meanF = d.f.reduce((a, b) => a + b, 0) / d.f.length;
      const gwpMg = ((row.energy.energyJ / 3.6e6) * d.pue * 79.1 + (row.energy.durationS / (61320 * 3600)) * meanF * 1000) * 1000;
      assert.ok(Math.abs((row.impact.gwpG.mean * 1000) / gwpMg - 1) < 1e-6, `${tag} QC ${qc} GWP`);
      assert.equal(row.latency?.runs, Number(src.latency_runs), `${tag} latency from its own log folder`);
    }
  }
});
