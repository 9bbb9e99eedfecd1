/**
 * `measure --sensor replay:FILE` reads a study CSV in the unit of the device that recorded it
 * (src/sensors/replay.md): the file name's tag, else --hardware, else a refusal. Regression: the
 * replay read every study CSV as W, so an AGX Orin trace (mW) came out at 2793 W, and with
 * --hardware AGX-Orin no plausibility warning said so (the summary never saw the hardware).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measure, type MeasureOptions } from '../../src/app/measure.js';
import { isInferprintError } from '../../src/errors.js';
import { defaultSensorEnv } from '../../src/sensors/io/env.js';
import { studyCsvUnit } from '../../src/sensors/io/replay.js';
import { skipWithoutThesis, THESIS_DIR } from '../helpers/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'inferprint-replay-units-'));
const ORIN_FILE = join(THESIS_DIR, 'Data/data_orin_v4.1/FULL/consommation_energie_single_orin_QC_16_10.csv');

/** A study CSV of `mw` (the Orin's rail as tegrastats wrote it), 20 ms apart, under `name`. */
function studyCsv(name: string, mw: number): string {
  const file = join(dir, name);
  writeFileSync(file, `timestamp,gpu_power\n${Array.from({ length: 100 }, (_, i) => `${(i * 0.02).toFixed(2)},${mw}`).join('\n')}\n`);
  return file;
}

async function run(sensor: string, extra: Partial<MeasureOptions> = {}) {
  const opts: MeasureOptions = { command: ['sh', '-c', 'sleep 0.2'], sensor, intervalS: 0.02, cwd: dir, env: await defaultSensorEnv(), signals: new EventEmitter(), stdinIsTTY: false, ...extra };
  return measure(opts);
}

test('the unit of a study CSV: the file name tag, else --hardware, else refused; a tag and --hardware that disagree are refused', () => {
  assert.deepEqual(studyCsvUnit('/d/consommation_energie_single_orin_QC_16_10.csv', undefined).unit, 'mW');
  assert.deepEqual(studyCsvUnit('/d/consommation_energie_single_A100_QC_16_1_ci.csv', undefined).unit, 'W');
  assert.deepEqual(studyCsvUnit('/d/trace.csv', 'AGX-Orin').unit, 'mW');
  assert.deepEqual(studyCsvUnit('/d/trace.csv', 'H100-NVL').unit, 'W');
  // The tag and --hardware agree on the unit: fine (an Orin file replayed for another Jetson's embodied part is the user's call).
  assert.deepEqual(studyCsvUnit('/d/consommation_energie_single_orin_QC_16_10.csv', 'AGX-Orin').unit, 'mW');
  const refused = (file: string, hardware: string | undefined, code: string, re: RegExp): void => {
    assert.throws(
      () => studyCsvUnit(file, hardware),
      (e: unknown) => isInferprintError(e) && e.code === code && re.test(e.message) && !e.message.includes('\n'),
    );
  };
  refused('/d/trace.csv', undefined, 'USAGE', /^flag --hardware: \/d\/trace\.csv: a study CSV does not say whether its power is in W .* or mW .*--hardware NAME/);
  refused('/d/consommation_energie_single_nosuchboard_QC_16_1.csv', undefined, 'USAGE', /tag 'nosuchboard' is no device the hardware database knows.*--hardware NAME/);
  refused('/d/consommation_energie_single_orin_QC_16_10.csv', 'H100-NVL', 'USAGE', /tag 'orin' is AGX-Orin.* mW, but --hardware H100-NVL is H100-NVL, logged in W/);
  refused('/d/trace.csv', 'no-such-gpu', 'UNKNOWN_HARDWARE', /no-such-gpu/);
});

test("measure --sensor replay of the study's AGX Orin CSV: every sample in W is the file's mW / 1000, not 1000 × that", { skip: skipWithoutThesis }, async () => {
  const r = await run(`replay:${ORIN_FILE}`);
  const mw = readFileSync(ORIN_FILE, 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[1]));
  const gpu = r.recording.channels.find((c) => c.name === 'gpu')!;
  assert.ok(gpu.powerW.length >= 2, `${gpu.powerW.length} samples`);
  // The replay delivers the file's samples in order from the first: each is the file's value in mW.
  for (let i = 0; i < Math.min(gpu.powerW.length, mw.length); i++) assert.ok(Math.abs(gpu.powerW[i]! - mw[i]! / 1000) < 1e-9, `sample ${i}: ${gpu.powerW[i]} W, file ${mw[i]} mW`);
  assert.ok(r.summary.channels[0]!.maxW < 60, `${r.summary.channels[0]!.maxW} W on an AGX Orin`);
  assert.deepEqual(r.recording.info.provenance, { kind: 'replayed', file: ORIN_FILE, original: { kind: 'measured', sensor: 'tegrastats' } });
  assert.ok(r.notes.some((n) => /power read in mW: the file name's tag 'orin' is AGX-Orin/.test(n)), r.notes.join('\n'));
});

test('measure --sensor replay of a study CSV whose name tags no device: refused before the command runs, asking for --hardware; with it, read in its unit', async () => {
  const file = studyCsv('orin-copy.csv', 2793);
  const marker = join(dir, 'ran');
  await assert.rejects(
    run(`replay:${file}`, { command: ['sh', '-c', `touch ${marker}`] }),
    (e: unknown) => isInferprintError(e) && e.code === 'USAGE' && e.where.flag === '--hardware' && e.message.includes(file),
  );
  assert.ok(!existsSync(marker), 'the command did not run');
  const r = await run(`replay:${file}`, { hardware: 'AGX-Orin' });
  assert.ok(Math.abs(r.summary.channels[0]!.maxW - 2.793) < 1e-9, String(r.summary.channels[0]!.maxW));
  assert.equal(r.hardware?.id, 'AGX-Orin');
  assert.deepEqual(r.summary.warnings.filter((w) => /read as|mW/.test(w)), []);
});

test('the study fixture copied under a name without its tag is refused alike', { skip: skipWithoutThesis }, async () => {
  const copy = join(dir, 'copy.csv');
  copyFileSync(ORIN_FILE, copy);
  await assert.rejects(run(`replay:${copy}`), (e: unknown) => isInferprintError(e) && e.code === 'USAGE' && /--hardware NAME/.test(e.message));
});

test('a trace 1000 × too high on the hardware --hardware names is warned about (the summary sees --hardware, not only the sensor\'s device)', async () => {
  // An nvidia-smi log says W in its header; these values are an Orin's mW written as W.
  const file = join(dir, 'smi.csv');
  writeFileSync(file, `timestamp, index, power.draw [W]\n${Array.from({ length: 100 }, (_, i) => `2026/07/03 22:10:${String(10 + Math.floor(i / 50)).padStart(2, '0')}.${String((i % 50) * 20).padStart(3, '0')}, 0, 2793.00 W`).join('\n')}\n`);
  const r = await run(`replay:${file}`, { hardware: 'AGX-Orin' });
  assert.ok(Math.abs(r.summary.channels[0]!.maxW - 2793) < 1e-9);
  assert.ok(
    r.summary.warnings.some((w) => /^peak 2793 W on AGX-Orin \(TDP \d+ W\) in channel \S+ in window 'full': power written in mW read as W\?$/.test(w)),
    r.summary.warnings.join('\n'),
  );
});
