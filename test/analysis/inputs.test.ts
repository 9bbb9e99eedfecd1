import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../src/app/analyze.js';
import { InferprintError } from '../../src/errors.js';
import { importThesisCsv } from '../../src/io/trace-files.js';
import { trapezoidJ } from '../../src/traces/energy.js';
import { THESIS_DIR, skipWithoutThesis } from '../helpers/fixtures.js';

const tmp = (): string => mkdtempSync(join(tmpdir(), 'inferprint-inputs-'));

/** An nvidia-smi log of constant power P over `n` samples every 0.1 s. */
function nvidiaSmiLog(powerW: number, n: number): string {
  const rows = ['timestamp, index, power.draw [W]'];
  for (let i = 0; i < n; i++) {
    const ms = i * 100;
    rows.push(`2025/05/30 12:00:${String(Math.floor(ms / 1000)).padStart(2, '0')}.${String(ms % 1000).padStart(3, '0')}, 0, ${powerW.toFixed(2)} W`);
  }
  return `${rows.join('\n')}\n`;
}

test('nvidia-smi logs of one device are repetitions: mean and CI across them', () => {
  const dir = tmp();
  const files = [100, 110, 120].map((p, i) => {
    const f = join(dir, `run${i}.csv`);
    writeFileSync(f, nvidiaSmiLog(p, 51)); // 5 s
    return f;
  });
  const r = analyze({ paths: files, method: 'trapezoid', device: 'H100-NVL', grid: 'FR-ADEME' });
  assert.equal(r.rows.length, 1);
  const row = r.rows[0]!;
  assert.equal(row.device, 'H100-NVL');
  assert.equal(row.energy?.runs, 3);
  assert.ok(Math.abs(row.energy.energyJ - 110 * 5) < 1e-9, String(row.energy.energyJ));
  assert.ok(Math.abs(row.energy.durationS - 5) < 1e-12);
  // sd of {500, 550, 600} is 50; CI half-width t(0.975, 2) × 50 / √3.
  const half = (4.302652729911275 * 50) / Math.sqrt(3);
  assert.ok(Math.abs(row.energy.energyCi95J!.hi - (550 + half)) < 1e-6);
  assert.equal(row.impact?.params.gridGPerKwh.value, 79.1);
});

test('power files that name no device: energy, and the operational part of the GWP alone; an unknown --device is refused', () => {
  const dir = tmp();
  const f = join(dir, 'gpu.csv');
  writeFileSync(f, nvidiaSmiLog(50, 5));
  const row = analyze({ paths: [f], method: 'trapezoid', grid: 'FR-ADEME' }).rows[0]!;
  assert.equal(row.device, '');
  assert.equal(row.impact, undefined, 'no embodied part without hardware');
  assert.ok(Math.abs(row.energy!.energyJ - 50 * 0.4) < 1e-9);
  // 20 J × 79.1 g/kWh × PUE 1 (unknown hardware: no facility overhead assumed).
  assert.ok(Math.abs(row.operationalOnly!.gwpG - (20 / 3.6e6) * 79.1) < 1e-15, String(row.operationalOnly?.gwpG));
  assert.throws(() => analyze({ paths: [f], method: 'trapezoid', device: 'Voodoo5' }), (e: unknown) => e instanceof InferprintError && e.code === 'UNKNOWN_HARDWARE');
});

test('tegrastats: the GPU rail by default, the board total or the sum on request; mW read as such', () => {
  const dir = tmp();
  const f = join(dir, 'tegrastats.log');
  const line = (gpu: number) =>
    `RAM 2448/62840MB (lfb 2x4MB) SWAP 0/31420MB (cached 0MB) CPU [0%@2201,0%@2201] GR3D_FREQ 0% gpu@37.75C VDD_GPU_SOC ${gpu}mW/${gpu}mW VDD_CPU_CV 1000mW/1000mW VIN_SYS_5V0 4000mW/4000mW`;
  writeFileSync(f, `${[5000, 5000, 5000, 5000, 5000].map(line).join('\n')}\n`);
  // No timestamps in the log: the sampling interval must be given.
  const run = (extra: { channel?: string; intervalS?: number }) => analyze({ paths: [f], method: 'trapezoid', device: 'AGX-Orin', ...extra });
  assert.throws(() => run({}), (e: unknown) => e instanceof InferprintError && /interval/.test(e.message));
  // 5 samples at 50 ms = 0.2 s.
  assert.ok(Math.abs(run({ intervalS: 0.05 }).rows[0]!.energy!.energyJ - 5 * 0.2) < 1e-12, 'GPU rail 5 W');
  assert.ok(Math.abs(run({ intervalS: 0.05, channel: 'sum' }).rows[0]!.energy!.energyJ - 10 * 0.2) < 1e-12, 'sum 10 W');
  assert.ok(Math.abs(run({ intervalS: 0.05, channel: 'VDD_CPU_CV' }).rows[0]!.energy!.energyJ - 1 * 0.2) < 1e-12);
  assert.throws(() => run({ intervalS: 0.05, channel: 'NOPE' }), (e: unknown) => e instanceof InferprintError && /flag --channel/.test(e.message));
});

test('a generic CSV with declared columns and unit', () => {
  const dir = tmp();
  const f = join(dir, 'power.csv');
  writeFileSync(f, 'ms;milliwatts\n0;2000\n1000;2000\n2000;4000\n');
  const r = analyze({ paths: [f], method: 'trapezoid', device: 'AGX-Orin', columns: 't=ms,p=milliwatts,unit=mW,timeUnit=ms,delim=;' });
  // 2 W for 1 s, then a ramp 2 → 4 W over 1 s: 2 + 3 = 5 J.
  assert.ok(Math.abs(r.rows[0]!.energy!.energyJ - 5) < 1e-12);
});

test('CodeCarbon emissions.csv gives per-run energies (kWh → J); the study method refuses them', () => {
  const dir = tmp();
  const f = join(dir, 'emissions.csv');
  writeFileSync(
    f,
    [
      'timestamp,project_name,run_id,duration,emissions,emissions_rate,cpu_power,gpu_power,ram_power,cpu_energy,gpu_energy,ram_energy,energy_consumed,country_name,country_iso_code',
      '2025-05-30T12:00:10,p,run-a,10,0.0001,0.00001,42,100,5,0.0001,0.0002,0.00001,0.00031,France,FRA',
      '2025-05-30T12:01:10,p,run-b,12,0.0001,0.00001,42,100,5,0.0001,0.0003,0.00001,0.00041,France,FRA',
    ].join('\n'),
  );
  const r = analyze({ paths: [f], method: 'trapezoid', device: 'L4' });
  const row = r.rows[0]!;
  assert.equal(row.energy?.runs, 2);
  assert.ok(Math.abs(row.energy.energyJ - ((0.00031 + 0.00041) / 2) * 3.6e6) < 1e-6);
  assert.throws(() => analyze({ paths: [f], method: 'thesis', device: 'L4' }), (e: unknown) => e instanceof InferprintError && e.code === 'USAGE');
});

test('an MLPerf log tree alone gives latency per query count, without energy', { skip: skipWithoutThesis }, () => {
  const r = analyze({ paths: [join(THESIS_DIR, 'Logs', 'T4_v1.1_logs')], method: 'trapezoid' });
  const qc16 = r.rows.find((x) => x.queryCount === 16)!;
  assert.equal(qc16.device, 'Tesla-T4');
  assert.equal(qc16.latency?.runs, 21);
  assert.ok(Math.abs(qc16.latency.maxLatencyMs - 13.627781333333331) < 1e-12);
  assert.equal(qc16.energy, undefined);
  assert.ok(r.skipped.some((s) => /empty/.test(s.reason)), 'the empty summary is reported, not fatal');
});

test('the default method streams study CSVs: same energy as integrating the loaded arrays', { skip: skipWithoutThesis }, () => {
  const dir = join(THESIS_DIR, 'Data', 'data_orin_v4.1', 'FULL');
  const files = Array.from({ length: 10 }, (_, i) => join(dir, `consommation_energie_single_orin_QC_16_${i + 1}.csv`));
  const streamed = analyze({ paths: files, method: 'trapezoid' }).rows[0]!;
  const loaded = files.map((f) => {
    const ch = importThesisCsv(f, { unit: 'mW' }).channels[0]!;
    return trapezoidJ(ch.tS, ch.powerW);
  });
  const mean = loaded.reduce((a, b) => a + b, 0) / loaded.length;
  assert.ok(Math.abs(streamed.energy!.energyJ - mean) <= 1e-12 * mean, `${streamed.energy!.energyJ} vs ${mean}`);
  // Orin FULL runs draw 2.8–30 W over ~6 s: tens of joules, not tens of kJ (mW handled).
  assert.ok(mean > 10 && mean < 300);
  assert.equal(streamed.datasetTag, 'orin');
  assert.equal(streamed.queryCount, 16);
});
