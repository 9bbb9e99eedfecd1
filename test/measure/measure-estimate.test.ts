import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measure } from '../../src/app/measure.js';
import { isInferprintError } from '../../src/errors.js';
import { saveMeasureRun } from '../../src/app/measure-bundle.js';
import { readRunBundle } from '../../src/runs/io/bundle.js';
import type { SensorEnv } from '../../src/sensors/types.js';
import { cpuinfoText, FakeTree, meminfoText, procStatText } from '../helpers/fake-sys.js';

/**
 * `measure --sensor estimate -- CMD` end to end on a fake /proc: the CPU model names the
 * device, the device resolves to a CPU entry, and the run gets a full LCA (operational and
 * embodied), still marked estimated, with the estimate scope in the provenance.
 */
const runsDir = mkdtempSync(join(tmpdir(), 'inferprint-measure-estimate-'));

/** A /proc/<pid>/stat line for this process with the given reaped-children time. */
function selfStat(cutime: number): string {
  return `${process.pid} (node) S 1 ${process.pid} ${process.pid} 0 -1 4194560 100 0 0 0 500 100 ${cutime} 0 20 0 8 0 5000 ${Array.from({ length: 30 }, () => 0).join(' ')}\n`;
}

/**
 * The files follow the sensor's own clock: whenever it reads the time, the machine has been
 * fully busy on its 4 CPUs since t0 and the command's tree (this process's reaped children)
 * has used one CPU's worth. So every interval has the same share, 1/4, whatever the timers
 * do on a loaded machine.
 */
function fakeProcEnv(tree: FakeTree, model: string | undefined): SensorEnv {
  tree.write('proc/cpuinfo', cpuinfoText({ ...(model !== undefined ? { model } : {}), coresPerSocket: 64, threadsPerCore: 2 }), false);
  tree.write('proc/meminfo', meminfoText(64 * 1024 * 1024), false);
  tree.write(`proc/${process.pid}/task/${process.pid}/children`, '', false);
  let t0: number | undefined;
  const at = (t: number): void => {
    const ticks = Math.round((t - (t0 ??= t)) * 100);
    tree.write('proc/stat', procStatText({ user: 1000 + 4 * ticks }, 4), false);
    tree.write(`proc/${process.pid}/stat`, selfStat(ticks), false);
  };
  at(performance.now() / 1000); // the probe reads before the clock does
  return {
    clock: {
      epochMs: () => Date.now(),
      monotonicS: () => {
        const t = performance.now() / 1000;
        at(t);
        return t;
      },
    },
    root: tree.root,
    env: {},
    spawn: () => {
      throw new Error('the estimator spawns nothing');
    },
  };
}

test('measure --sensor estimate: the CPU resolves to a hardware entry, the run gets a full GWP, still estimated', async () => {
  const tree = new FakeTree();
  try {
    const command = [process.execPath, '-e', 'setTimeout(() => {}, 500)'];
    const r = await measure({ command, sensor: 'estimate', intervalS: 0.05, cwd: runsDir, env: fakeProcEnv(tree, 'AMD EPYC 7763 64-Core Processor'), signals: new EventEmitter() });
    assert.equal(r.status.kind, 'completed');
    assert.deepEqual(r.recording.info.provenance, { kind: 'estimated', method: 'cpu-tdp-process-v1' });
    assert.equal(r.hardware?.id, 'EPYC-7763');
    assert.ok(r.impact, 'a full LCA');
    assert.ok(r.impact.operationalG.mean > 0 && r.impact.embodiedG.mean > 0, JSON.stringify(r.impact.gwpG));
    assert.equal(r.operationalOnlyG, undefined);
    // 64 cores × 280/64 W × 1/4 = 70 W for the command's tree (±1 tick of rounding per interval).
    const cpu = r.summary.channels.find((c) => c.name === 'cpu')!;
    assert.ok(Math.abs(cpu.meanW - 70) < 15, `mean ${cpu.meanW} W`);
    const bundle = await readRunBundle((await saveMeasureRun(r, runsDir, { command, cwd: runsDir })).path);
    assert.equal(bundle.manifest.device.hardwareId, 'EPYC-7763');
    assert.equal(bundle.manifest.device.name, 'AMD EPYC 7763 64-Core Processor');
    assert.ok(bundle.manifest.impact?.result, 'impact.result in the bundle');
    assert.deepEqual(bundle.manifest.sensor.provenance, { kind: 'estimated', method: 'cpu-tdp-process-v1' });
    assert.ok(bundle.manifest.sensor.notes.some((n) => n.includes('estimate scope process')));
  } finally {
    tree.remove();
  }
});

test('measure --sensor estimate: an unknown CPU gets its class entry, said in the notes; --estimate-scope machine is recorded', async () => {
  const tree = new FakeTree();
  try {
    const command = [process.execPath, '-e', 'setTimeout(() => {}, 200)'];
    const r = await measure({ command, sensor: 'estimate', intervalS: 0.05, estimateScope: 'machine', cwd: runsDir, env: fakeProcEnv(tree, 'AMD EPYC'), signals: new EventEmitter() });
    assert.equal(r.hardware?.id, 'generic-server-cpu');
    assert.ok(r.impact && r.impact.embodiedG.mean > 0);
    assert.ok(r.notes.some((n) => /no dies for 'AMD EPYC': the generic-server-cpu class entry stands for it \(not a specific part/.test(n)), r.notes.join('\n'));
    assert.deepEqual(r.recording.info.provenance, { kind: 'estimated', method: 'cpu-tdp-utilisation-v1' });
    // Machine scope charges the whole busy machine: 64 cores × 12 W (the default per core: 'AMD EPYC' names no TDP).
    const cpu = r.summary.channels.find((c) => c.name === 'cpu')!;
    assert.ok(Math.abs(cpu.meanW - 768) < 80, `mean ${cpu.meanW} W`);
    // …and says that most of it was not the command.
    assert.ok(r.summary.warnings.some((w) => w.includes('charged to the run because the estimate scope is machine')), r.summary.warnings.join('\n'));
  } finally {
    tree.remove();
  }
});

test('measure --estimate-scope: an unknown scope is a usage error naming the flag (exit 2); the help lists it', async () => {
  const { measureCommand } = await import('../../src/cli/commands/measure.js');
  const ctx = (argv: string[]) => ({ argv, env: {}, cwd: runsDir, stdout: () => undefined, stderr: () => undefined, isTTY: false, stderrIsTTY: false, color: false });
  await assert.rejects(
    measureCommand.run(ctx(['--sensor', 'estimate', '--estimate-scope', 'cgroup', '--runs-dir', runsDir, '--', 'true'])),
    (e: unknown) => isInferprintError(e) && e.code === 'USAGE' && e.exitCode === 2 && e.message.includes('--estimate-scope') && e.message.includes('process or machine'),
  );
  assert.match(measureCommand.help, /--estimate-scope S\s+estimate sensor only: process \(default/);
});
