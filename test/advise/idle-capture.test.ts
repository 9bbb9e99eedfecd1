// Idle power for the advisor from an idle capture, the one-liner the guide and the advisor's own
// error give: `inferprint measure --idle 30s -- sleep 0`, then `advise` with the runs. End to end
// with a power sensor (the fake nvidia-smi standing in for a GPU: the real adapter, measured
// provenance); an estimated capture is passed over, and the output says why. The idle level is
// the mean over the part of each idle window the samples cover (the manifest's per-window
// energy over the whole window read low: 68.6 W for a constant 71.5 W).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdviceResult } from '../../src/advise/advise.js';
import { idleWindowsPowerW } from '../../src/advise/measured.js';
import { cliWithFakeTools } from '../fakes/child-env.js';

const root = mkdtempSync(join(tmpdir(), 'inferprint-idle-capture-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

const cli = (args: string[], env: Record<string, string> = {}) => cliWithFakeTools(root, args, env);

const workload = (hardware: string) => `users: 1000
queries_per_user_per_day: 20
slo: { percentile: 90, latency_ms: 200 }
days: 30
deployments:
  - name: pool
    hardware: ${hardware}
    placement: pooled
    grid: 100
    pue: 1.2
    service_ms: 5
`;

test('idle windows: the mean over the covered part, windows weighted by covered time, half a window at least', () => {
  // 71.5 W constant sampled from 0.1 to 1.95 s; windows [0, 1] (covered 0.9 s) and [1.1, 2.1] (covered 0.85 s).
  const tS = Array.from({ length: 38 }, (_, i) => 0.1 + i * 0.05);
  const flat = tS.map(() => 71.5);
  assert.equal(idleWindowsPowerW(tS, flat, [{ t0S: 0, t1S: 1 }, { t0S: 1.1, t1S: 2.1 }]), 71.5);
  // 10 W up to 1 s, 30 W after: [0.1, 1] at 10 W (0.9 s) and [1.1, 1.95] at 30 W (0.85 s) → (9 + 25.5) / 1.75.
  const step = tS.map((t) => (t <= 1.0001 ? 10 : 30));
  const mixed = idleWindowsPowerW(tS, step, [{ t0S: 0, t1S: 1 }, { t0S: 1.1, t1S: 2.1 }])!;
  assert.ok(Math.abs(mixed - 34.5 / 1.75) < 1e-9, String(mixed));
  // A window the samples cover less than half of is not counted; none left: undefined.
  assert.equal(idleWindowsPowerW(tS, flat, [{ t0S: 1.9, t1S: 2.9 }]), undefined);
  assert.equal(idleWindowsPowerW(tS.slice(0, 1), flat.slice(0, 1), [{ t0S: 0, t1S: 1 }]), undefined);
});

test('measure --idle with a power sensor, then advise: the idle power is the measured one, exactly, with its origin', async () => {
  const runs = join(root, 'gpu-runs');
  const m = await cli(['measure', '--sensor', 'nvidia-smi', '--interval', '50ms', '--idle', '1s', '--runs-dir', runs, '--', 'sleep', '0'], { FAKE_SMI_NAME: 'NVIDIA H100 80GB HBM3', FAKE_SMI_POWER_W: '71.5' });
  assert.equal(m.code, 0, m.err);
  const [id] = readdirSync(runs).filter((n) => !n.startsWith('.'));
  const manifest = JSON.parse(readFileSync(join(runs, id!, 'manifest.json'), 'utf8')) as { device: { hardwareId: string }; windows: { name: string }[] };
  assert.equal(manifest.device.hardwareId, 'H100');
  assert.deepEqual(manifest.windows.map((w) => w.name).filter((n) => n.startsWith('idle')), ['idle-before', 'idle-after']);
  writeFileSync(join(root, 'gpu.yaml'), workload('H100'));
  const a = await cli(['advise', 'gpu.yaml', '--runs-dir', runs, '--format', 'json', '--draws', '0']);
  assert.equal(a.code, 0, a.err);
  const idle = (JSON.parse(a.out) as AdviceResult).deployments[0]!.inputs.find((i) => i.name === 'idle_w')!;
  assert.equal(idle.origin, 'measured');
  // The fake draws 71.5 W throughout: the idle level is exactly that (not the 68.6 W of energy over the whole window).
  assert.ok(Math.abs(idle.value - 71.5) < 1e-9, String(idle.value));
  assert.deepEqual([idle.min, idle.max], [idle.value, idle.value]);
  assert.match(idle.source, /^measured: .*gpu-runs \(1 run; mean power of its idle-before\/idle-after windows \(measure --idle\)/);
  // The same runs named by profiles_from in the file.
  writeFileSync(join(root, 'gpu-from.yaml'), `${workload('H100')}profiles_from: gpu-runs\n`);
  const b = await cli(['advise', 'gpu-from.yaml', '--runs-dir', join(root, 'empty'), '--format', 'json', '--draws', '0']);
  assert.equal(b.code, 0, b.err);
  const fromFile = (JSON.parse(b.out) as AdviceResult).deployments[0]!.inputs.find((i) => i.name === 'idle_w')!;
  assert.equal(fromFile.origin, 'measured');
  assert.match(fromFile.source, /^measured: gpu-runs \(1 run;/);
});

test('an idle capture whose power a model estimated is never taken as measured: the advisor says it passed it over', async () => {
  const runs = join(root, 'cpu-runs');
  const m = await cli(['measure', '--sensor', 'estimate', '--idle', '1s', '--runs-dir', runs, '--', 'sleep', '0']);
  assert.equal(m.code, 0, m.err);
  const [id] = readdirSync(runs).filter((n) => !n.startsWith('.'));
  const hardware = (JSON.parse(readFileSync(join(runs, id!, 'manifest.json'), 'utf8')) as { device: { hardwareId?: string } }).device.hardwareId;
  assert.ok(hardware, 'the estimate sensor names the CPU');
  writeFileSync(join(root, 'cpu.yaml'), workload(hardware));
  const a = await cli(['advise', 'cpu.yaml', '--runs-dir', runs, '--draws', '0']);
  // Nothing else gives this CPU class an idle power: the error names the key and the capture passed over.
  if (a.code === 1) {
    assert.match(a.err, /field 'deployments\[0\]\.power\.idle_w': no idle power for .*1 idle capture of .* was passed over: its power is estimated \(/);
  } else {
    assert.equal(a.code, 0, a.err);
    assert.match(a.out, /Note: pool: 1 idle capture of .* was passed over: its power is estimated \(/);
    assert.doesNotMatch(a.out, /idle_w .* measured:/);
  }
});
