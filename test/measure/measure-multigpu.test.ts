import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRunBundle } from '../../src/runs/io/bundle.js';
import { cliWithFakeTools } from '../fakes/child-env.js';
import { fakeNvmlPath, skipWithoutFakeNvml, useScenario } from '../helpers/fake-nvml.js';

/**
 * `measure` on a host with two GPUs (the fake nvidia-smi and the fake libnvidia-ml.so.1): the
 * run's headline energy is both GPUs' (the sensor's `sum` channel), as `runs list` and `runs
 * show` give it. Before, the primary was gpu0 and the run counted 100 W of 250 W.
 */

const root = mkdtempSync(join(tmpdir(), 'inferprint-multigpu-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

const cli = (args: string[], env: Record<string, string> = {}) => cliWithFakeTools(root, args, env);

interface ListedRun {
  id: string;
  energy_j: number;
  energy_channel: string;
  energy_window_s: number;
  hardware_id: string;
  impact_scope: string;
}

async function checkSummedRun(runs: string, sensor: string): Promise<void> {
  const list = await cli(['runs', 'list', '--runs-dir', runs, '--format', 'json']);
  assert.equal(list.code, 0, list.err);
  const [run] = (JSON.parse(list.out) as { runs: ListedRun[] }).runs;
  assert.ok(run);
  assert.equal(run.energy_channel, 'sum');
  assert.equal(run.hardware_id, 'H100');
  assert.equal(run.impact_scope, 'operational+embodied');
  const b = await readRunBundle(join(runs, run.id));
  const m = b.manifest;
  assert.equal(m.sensor.name, sensor);
  assert.equal(m.sensor.primaryChannel, 'sum');
  assert.deepEqual(m.sensor.channels.map((c) => [c.name, c.kind]), [['gpu0', 'gpu'], ['gpu1', 'gpu'], ['sum', 'gpu']]);
  assert.ok(m.sensor.notes.includes('sum = gpu0 + gpu1 (all 2 GPUs): the primary channel'), m.sensor.notes.join(' | '));
  const per = new Map(m.energy!.perChannel.map((c) => [c.channel, c]));
  // Constant 100 W and 150 W: each channel's mean over the window is its level, the sum's 250 W.
  assert.ok(Math.abs(per.get('gpu0')!.meanW - 100) < 1e-6 && Math.abs(per.get('gpu1')!.meanW - 150) < 1e-6);
  assert.ok(Math.abs(per.get('sum')!.meanW - 250) < 1e-6, `sum mean ${per.get('sum')!.meanW} W`);
  // The headline is the sum's energy: 250 W over the span its samples cover (the mean above,
  // free of timing), and so well above gpu0's 100 W. NVML stamps every GPU and the sum at the
  // same instants: its energy is exactly the GPUs' added. nvidia-smi's sum starts and ends a
  // cycle's line later than gpu0's, so only the bound is asserted there (no timed assertion).
  assert.ok(Math.abs(run.energy_j - m.energy!.primary.energyJ) < 1e-9);
  assert.ok(run.energy_j > 1.5 * per.get('gpu0')!.energyJ, `${run.energy_j} J: more than gpu0 alone`);
  const addedJ = per.get('gpu0')!.energyJ + per.get('gpu1')!.energyJ;
  if (sensor === 'nvml') assert.ok(Math.abs(run.energy_j - addedJ) < 1e-9, `${run.energy_j} J vs ${addedJ} J`);
  // The embodied part is one GPU's, and the run says so.
  assert.ok(m.impact?.notes?.includes('the energy adds up 2 GPUs (channel sum = gpu0 + gpu1); the embodied part counts one GPU of 2 (one H100)'), m.impact?.notes?.join(' | '));

  const show = await cli(['runs', 'show', run.id, '--runs-dir', runs]);
  assert.equal(show.code, 0, show.err);
  // `runs show` prints the energy to 6 significant figures, trailing zeros dropped (128.66, not 128.660).
  assert.ok(show.out.includes(`${Number(run.energy_j.toPrecision(6))} J on sum`), show.out);
  assert.match(show.out, /primary channel sum/);
  assert.match(show.out, /counts one GPU of 2/);
}

test('measure --sensor nvidia-smi on two GPUs: runs list and runs show give the sum of both', async () => {
  const runs = join(root, 'smi');
  const m = await cli(
    ['measure', '--sensor', 'nvidia-smi', '--interval', '20ms', '--runs-dir', runs, '--', process.execPath, '-e', 'setTimeout(() => {}, 400)'],
    { FAKE_SMI_GPUS: '2', FAKE_SMI_POWER_W: '100,150', FAKE_SMI_NAME: 'NVIDIA H100 80GB HBM3', FAKE_SMI_STEP_MS: '1' },
  );
  assert.equal(m.code, 0, m.err);
  assert.match(m.out, /sum: [\d.]+ J over/);
  await checkSummedRun(runs, 'nvidia-smi');
});

test('measure --sensor nvml on two GPUs: runs list and runs show give the sum of both', { skip: skipWithoutFakeNvml }, async () => {
  const runs = join(root, 'nvml');
  const same = 'NVIDIA H100 80GB HBM3';
  useScenario(['devices 2', `gpu0.name ${same}`, `gpu1.name ${same}`, 'gpu0.power constant 100', 'gpu1.power constant 150']);
  const m = await cli(['measure', '--sensor', 'nvml', '--interval', '20ms', '--runs-dir', runs, '--', process.execPath, '-e', 'setTimeout(() => {}, 400)'], {
    INFERPRINT_NVML_LIB: fakeNvmlPath(),
  });
  assert.equal(m.code, 0, m.err);
  await checkSummedRun(runs, 'nvml');
});
