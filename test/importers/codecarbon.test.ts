import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCodeCarbonCsv } from '../../src/io/trace-files.js';
import { decodeCodeCarbonCsv } from '../../src/traces/parse-codecarbon.js';
import { thrown } from '../helpers/decode.js';

// CodeCarbon 2.x `emissions.csv` header (EmissionsData fields, as written by its file output).
const HEADER =
  'timestamp,project_name,run_id,experiment_id,duration,emissions,emissions_rate,cpu_power,gpu_power,ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code,region,cloud_provider,cloud_region,os,python_version,codecarbon_version,cpu_count,cpu_model,gpu_count,gpu_model,longitude,latitude,ram_total_size,tracking_mode,on_cloud,pue';
const RUN = 'bc722d50-3edb-4c40-90e8-c00219f885a1';
function row(timestamp: string, durationS: number, cpuKwh: number, gpuKwh: number, ramKwh: number, totalKwh: number, runId = RUN): string {
  return `${timestamp},bert-inference,${runId},5b0fa12a-3dd7-45bb-9766-cc326314d9f1,${durationS},0.000276,2.38e-06,42.5,265.3,20.0,${cpuKwh},${gpuKwh},${ramKwh},${totalKwh},France,FRA,,,,Linux-6.8.0-45-generic-x86_64-with-glibc2.35,3.11.9,2.8.3,32,"AMD EPYC 7763 64-Core Processor, 2 sockets",1,1 x NVIDIA A100-SXM4-40GB,2.35,48.85,256.0,machine,N,1.0`;
}


const near = (a: number | undefined, b: number, tol = 1e-6) => {
  assert.ok(a !== undefined);
  assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b} (tol ${tol})`);
};

test('one run: kWh → J (× 3.6e6), parts in J, emissions and country kept, end time from the zone-less timestamp', () => {
  const [r, ...rest] = decodeCodeCarbonCsv([HEADER, row('2025-10-09T11:25:18', 116.1, 0.001, 0.002, 0.0005, 0.0035)], { file: 'emissions.csv' });
  assert.equal(rest.length, 0);
  assert.ok(r);
  near(r.energyJ, 0.0035 * 3.6e6); // 12 600 J
  near(r.energyJ, 12600);
  near(r.partsJ?.cpu, 3600);
  near(r.partsJ?.gpu, 7200);
  near(r.partsJ?.ram, 1800);
  assert.equal(r.durationS, 116.1);
  assert.equal(r.emissionsKg, 0.000276);
  assert.equal(r.countryIsoCode, 'FRA');
  assert.equal(r.countryName, 'France');
  assert.equal(r.region, undefined); // empty cell
  assert.equal(r.pue, 1);
  assert.equal(r.codecarbonVersion, '2.8.3');
  assert.deepEqual(r.lastPowerW, { cpu: 42.5, gpu: 265.3, ram: 20 });
  assert.equal(r.runId, RUN);
  assert.equal(r.label, `bert-inference:${RUN}`);
  assert.equal(r.endEpochMs, Date.UTC(2025, 9, 9, 11, 25, 18));
  near(r.startEpochMs, Date.UTC(2025, 9, 9, 11, 25, 18) - 116100, 1e-3);
  assert.deepEqual(r.provenance, { kind: 'measured', sensor: 'codecarbon' });
  assert.deepEqual(r.source, { format: 'codecarbon-csv', path: 'emissions.csv', line: 2 });
  assert.equal(r.rowsInRun, 1);
});

test('flush() rows are cumulative: one record per run from its last row, or every row on request', () => {
  const lines = [
    HEADER,
    row('2025-10-09T11:25:06', 6.1, 0.0001, 0.0004, 0.00003, 0.00053),
    row('2025-10-09T11:25:09', 9.1, 0.00015, 0.0006, 0.00005, 0.0008),
    row('2025-10-09T11:25:12', 12.1, 0.0002, 0.0008, 0.00007, 0.00107),
    row('2025-10-09T11:30:00', 3.0, 0.00001, 0.00002, 0.00001, 0.00004, 'second-run'),
  ];
  const perRun = decodeCodeCarbonCsv(lines);
  assert.equal(perRun.length, 2);
  assert.equal(perRun[0]!.durationS, 12.1);
  near(perRun[0]!.energyJ, 0.00107 * 3.6e6);
  assert.equal(perRun[0]!.rowsInRun, 3);
  assert.equal(perRun[0]!.source.line, 4);
  assert.equal(perRun[1]!.runId, 'second-run');
  const all = decodeCodeCarbonCsv(lines, { rows: 'all' });
  assert.deepEqual(all.map((r) => r.durationS), [6.1, 9.1, 12.1, 3]);
});

test('only duration and energy_consumed are required; columns are found by name', () => {
  const [r] = decodeCodeCarbonCsv(['energy_consumed,duration', '0.5,3600']);
  assert.ok(r);
  assert.equal(r.energyJ, 1.8e6);
  assert.equal(r.durationS, 3600);
  assert.equal(r.label, 'row 2');
  assert.equal(r.partsJ, undefined);
  assert.equal(r.startEpochMs, undefined);
  const e = thrown(() => decodeCodeCarbonCsv(['timestamp,duration,emissions', '2025-10-09T11:25:18,1,0.1'], { file: 'e.csv' }));
  assert.equal(e.code, 'PARSE');
  assert.match(e.message, /^e\.csv:1 field 'energy_consumed': no energy_consumed column/);
});

test('timestamps: zone-less in the declared zone; an explicit Z or offset wins', () => {
  const at = (stamp: string, timeZone?: string) =>
    decodeCodeCarbonCsv(['timestamp,duration,energy_consumed', `${stamp},10,0.001`], timeZone ? { timeZone } : {})[0]!.endEpochMs;
  assert.equal(at('2025-10-09T11:25:18', 'Europe/Paris'), Date.UTC(2025, 9, 9, 9, 25, 18));
  assert.equal(at('2025-08-16T10:30:00.000Z', 'Europe/Paris'), Date.UTC(2025, 7, 16, 10, 30, 0));
  assert.equal(at('2025-08-16T10:30:00.250+02:00'), Date.UTC(2025, 7, 16, 8, 30, 0, 250));
  const e = thrown(() => at('yesterday'));
  assert.equal(e.code, 'PARSE');
});

test('task files: rows of one run split by task_name stay separate', () => {
  const recs = decodeCodeCarbonCsv([
    'task_name,timestamp,project_name,run_id,duration,energy_consumed',
    'warmup,2025-10-09T11:25:18,p,r1,5,0.0001',
    'measure,2025-10-09T11:26:18,p,r1,60,0.002',
  ]);
  assert.deepEqual(recs.map((r) => [r.taskName, r.label, r.rowsInRun]), [
    ['warmup', 'p:warmup:r1', 1],
    ['measure', 'p:measure:r1', 1],
  ]);
});

test('the file adapter names the file on every record', () => {
  const dir = mkdtempSync(join(tmpdir(), 'inferprint-cc-'));
  try {
    const path = join(dir, 'emissions.csv');
    writeFileSync(path, `${HEADER}\n${row('2025-10-09T11:25:18', 116.1, 0.001, 0.002, 0.0005, 0.0035)}\n`);
    const [r] = importCodeCarbonCsv(path);
    assert.ok(r);
    assert.equal(r.source.path, path);
    near(r.energyJ, 12600);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
