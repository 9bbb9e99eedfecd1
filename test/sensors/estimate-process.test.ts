import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isInferprintError } from '../../src/errors.js';
import { resolveHardware } from '../../src/impact/index.js';
import type { Recording } from '../../src/measure/recorder.js';
import { summarizeRecording } from '../../src/measure/summary.js';
import { ESTIMATE_METHOD, ESTIMATE_PROCESS_METHOD } from '../../src/sensors/cpu-power-model.js';
import { CpuEstimator, estimateSensor, planEstimate, repeatCause, type EstimatePlan } from '../../src/sensors/io/estimate.js';
import { parseCpuInfo } from '../../src/sensors/parse-proc-info.js';
import { parsePidStat } from '../../src/sensors/parse-proc-pid-stat.js';
import type { CpuTimes } from '../../src/sensors/parse-proc-stat.js';
import { ProcessTreeReader } from '../../src/sensors/io/proc-tree.js';
import { nodeSysfsReader } from '../../src/sensors/io/sysfs.js';
import { CollectingSink, cpuinfoText, fakeEnv, FakeTree, meminfoText, procStatText } from '../helpers/fake-sys.js';

function coded(code: string, text?: string) {
  return (e: unknown) => isInferprintError(e) && e.code === code && (text === undefined || e.message.includes(text));
}

const ZERO: CpuTimes = { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0, guest: 0, guestNice: 0 };
const times = (t: Partial<CpuTimes>): CpuTimes => ({ ...ZERO, ...t });

interface FakeProc {
  readonly pid: number;
  readonly ppid: number;
  readonly comm?: string;
  readonly utime?: number;
  readonly stime?: number;
  readonly cutime?: number;
  readonly cstime?: number;
}

/** A `/proc/<pid>/stat` line in the kernel's 52-field layout (Linux 5.x): fields after starttime are filler. */
function pidStatText(p: FakeProc): string {
  const after = [
    'S', p.ppid, p.pid, p.pid, 0, -1, 4194560, 1200, 0, 0, 0, // state .. cmajflt (fields 3-13)
    p.utime ?? 0, p.stime ?? 0, p.cutime ?? 0, p.cstime ?? 0, // 14-17
    20, 0, 1, 0, 5000, // priority nice num_threads itrealvalue starttime (18-22)
    ...Array.from({ length: 30 }, () => 0),
  ];
  return `${p.pid} (${p.comm ?? 'cmd'}) ${after.join(' ')}\n`;
}

/** Write a process: its stat and one thread whose `children` file lists `children` (omit to write no children file). */
function writeProcess(tree: FakeTree, p: FakeProc, children?: readonly number[]): void {
  tree.write(`proc/${p.pid}/stat`, pidStatText(p), false);
  if (children !== undefined) tree.write(`proc/${p.pid}/task/${p.pid}/children`, children.map((c) => `${c} `).join(''), false);
}

// ---------------------------------------------------------------------------------------
// /proc/<pid>/stat

void test('parsePidStat: fields counted after the last parenthesis, so any comm parses; coded errors', () => {
  const s = parsePidStat(pidStatText({ pid: 4242, ppid: 1, comm: 'tmux: server (1) x', utime: 150, stime: 30, cutime: 7, cstime: 3 }));
  assert.deepEqual(s, { pid: 4242, comm: 'tmux: server (1) x', state: 'S', ppid: 1, utime: 150, stime: 30, cutime: 7, cstime: 3, starttime: 5000 });
  // A real line (node, Linux 6.1), cut after starttime.
  assert.deepEqual(
    parsePidStat('30634 (node) R 30632 30632 4118 0 -1 4194304 3329 0 0 0 51 11 0 0 20 0 7 0 156746 1019654144 12069'),
    { pid: 30634, comm: 'node', state: 'R', ppid: 30632, utime: 51, stime: 11, cutime: 0, cstime: 0, starttime: 156746 },
  );
  assert.throws(() => parsePidStat('42 cmd S 1', '/p/42/stat'), coded('PARSE', '/p/42/stat: no "(comm)" field'));
  assert.throws(() => parsePidStat('42 (cmd) S 1 2 3', '/p/42/stat'), coded('TRUNCATED'));
  assert.throws(() => parsePidStat(pidStatText({ pid: 42, ppid: 1 }).replace(' 0 0 0 0 20', ' x 0 0 0 20'), '/p/42/stat'), coded('PARSE', "field 'utime': not a number"));
});

// ---------------------------------------------------------------------------------------
// The process tree

void test('process tree: descendants through task/*/children, reaped children through cutime; the root itself only when asked', async () => {
  const tree = new FakeTree();
  try {
    writeProcess(tree, { pid: 100, ppid: 1, utime: 500, stime: 100, cutime: 10, cstime: 5 }, [200]);
    tree.write('proc/100/task/101/children', '', false); // a second thread of the root, no children
    writeProcess(tree, { pid: 200, ppid: 100, utime: 40, stime: 10 }, [300]);
    writeProcess(tree, { pid: 300, ppid: 200, utime: 20, stime: 5 }, []);
    writeProcess(tree, { pid: 999, ppid: 1, utime: 7777 }, []); // not ours
    const command = new ProcessTreeReader(nodeSysfsReader, tree.root, { rootPid: 100, includeRoot: false });
    assert.deepEqual(await command.read(), { ticks: 15 + 50 + 25, members: 3 });
    assert.equal(command.how, 'children');
    const self = new ProcessTreeReader(nodeSysfsReader, tree.root, { rootPid: 100, includeRoot: true });
    assert.equal((await self.read()).ticks, 600 + 90);
  } finally {
    tree.remove();
  }
});

void test('process tree: a grandchild that exits is still counted (through its parent); the scan fallback finds the same tree', async () => {
  for (const walk of ['children', 'scan'] as const) {
    const tree = new FakeTree();
    const kids = (c: readonly number[]) => (walk === 'children' ? c : undefined);
    try {
      writeProcess(tree, { pid: 100, ppid: 1, utime: 500 }, kids([200]));
      writeProcess(tree, { pid: 200, ppid: 100, utime: 40 }, kids([300]));
      writeProcess(tree, { pid: 300, ppid: 200, utime: 20 }, kids([]));
      writeProcess(tree, { pid: 999, ppid: 1, utime: 7777 }, kids([]));
      const r = new ProcessTreeReader(nodeSysfsReader, tree.root, { rootPid: 100, includeRoot: false });
      assert.deepEqual(await r.read(), { ticks: 60, members: 3 }, walk);
      assert.equal(r.how, walk);
      // 300 runs 15 more ticks, exits, and 200 reaps it: 300's 35 ticks are now 200's cutime.
      tree.remove();
      writeProcess(tree, { pid: 100, ppid: 1, utime: 500 }, kids([200]));
      writeProcess(tree, { pid: 200, ppid: 100, utime: 40, cutime: 35 }, kids([]));
      writeProcess(tree, { pid: 999, ppid: 1, utime: 7777 }, kids([]));
      assert.deepEqual(await r.read(), { ticks: 75, members: 2 }, walk);
      // Then 200 exits and the root reaps it: 40 + 35 ticks move into the root's cutime.
      tree.remove();
      writeProcess(tree, { pid: 100, ppid: 1, utime: 500, cutime: 75 }, kids([]));
      assert.deepEqual(await r.read(), { ticks: 75, members: 1 }, walk);
    } finally {
      tree.remove();
    }
  }
});

void test('process tree: a root that does not exist is NOT_FOUND naming its stat file', async () => {
  const tree = new FakeTree();
  try {
    tree.mkdir('proc');
    await assert.rejects(new ProcessTreeReader(nodeSysfsReader, tree.root, { rootPid: 4242, includeRoot: true }).read(), coded('NOT_FOUND', 'proc/4242/stat'));
  } finally {
    tree.remove();
  }
});

// ---------------------------------------------------------------------------------------
// The arithmetic

const PLAN: EstimatePlan = {
  cores: 4,
  logicalCpus: 4,
  basis: { kind: 'default', reason: 'test', fallback: { wPerCore: 10, source: 'test', year: 2026 }, wPerCore: 10 },
  notes: [],
};

void test('process scope: a busy child on a busy machine counts the child only; machine scope counts everything', () => {
  const proc = new CpuEstimator(PLAN, 'process');
  const mach = new CpuEstimator(PLAN, 'machine');
  const a = new CollectingSink();
  const b = new CollectingSink();
  // The machine is fully busy (400 of 400 ticks); the command's tree used 100 of them.
  for (const [est, sink] of [[proc, a], [mach, b]] as const) {
    est.sample(0, times({ user: 0 }), sink, 0);
    est.sample(1, times({ user: 400 }), sink, 100);
  }
  assert.deepEqual(a.of('power', 'cpu').map((r) => [r.tS, r.value]), [[0.5, 10]]); // 4 cores × 10 W × 100/400
  assert.deepEqual(b.of('power', 'cpu').map((r) => [r.tS, r.value]), [[0.5, 40]]);
  assert.match(proc.otherLoadWarning() ?? '', /^other processes kept 75\.0 % of the machine's CPU time busy during the run \(the measured process tree: 25\.0 %\), ≈ 30 W by this model: not charged to the run \(estimate scope: process\)/);
  assert.match(mach.otherLoadWarning() ?? '', /≈ 30 W by this model, charged to the run because the estimate scope is machine: use --estimate-scope process/);
  assert.throws(() => {
    proc.sample(2, times({ user: 800 }), a);
  }, coded('INTERNAL'));
});

void test("the tree's count never goes backwards: a member missed for one read is not counted twice", () => {
  const est = new CpuEstimator(PLAN, 'process');
  const sink = new CollectingSink();
  est.sample(0, times({ idle: 0 }), sink, 0);
  est.sample(1, times({ user: 100, idle: 300 }), sink, 100); // 100 ticks
  est.sample(2, times({ user: 100, idle: 700 }), sink, 90); // a member missed: a dip, counted as nothing
  est.sample(3, times({ user: 200, idle: 1000 }), sink, 130); // back, and 30 more: only 30 counted
  assert.deepEqual(sink.of('power', 'cpu').map((r) => r.value), [10, 0, 3]); // 40 W × 100/400, 0, 40 W × 30/400
  assert.deepEqual(est.runTicks(), { total: 1200, busy: 200, tree: 130 });
  // Other processes used 70 of 1200 ticks (5.8 % > 5 %): warned.
  assert.match(est.otherLoadWarning() ?? '', /other processes kept 5\.8 %/);
});

void test('no warning on a quiet machine, nor without a tree to compare with', () => {
  const est = new CpuEstimator(PLAN, 'process');
  const sink = new CollectingSink();
  est.sample(0, times({}), sink, 0);
  est.sample(1, times({ user: 110, idle: 290 }), sink, 100); // others: 10 of 400 = 2.5 %
  assert.equal(est.otherLoadWarning(), undefined);
  const blind = new CpuEstimator(PLAN, 'machine');
  blind.sample(0, times({}), sink);
  blind.sample(1, times({ user: 400 }), sink);
  assert.equal(blind.otherLoadWarning(), undefined);
});

// ---------------------------------------------------------------------------------------
// The sensor on fake /proc trees

async function startOn(tree: FakeTree, opts: Parameters<typeof estimateSensor.start>[1]) {
  const sink = new CollectingSink();
  const handle = await estimateSensor.start(fakeEnv(tree.root), opts, sink);
  return { sink, handle };
}

void test('sensor, process scope: the command, its grandchild that exits, its own exit — each tick counted once; mode and warning recorded', async () => {
  const tree = new FakeTree();
  try {
    // 64 cores × 280/64 W (EPYC 7763): P = 280 W × the tree's share of all CPUs' ticks.
    tree.write('proc/cpuinfo', cpuinfoText({ model: 'AMD EPYC 7763 64-Core Processor', coresPerSocket: 64, threadsPerCore: 2 }), false);
    tree.write('proc/meminfo', meminfoText(16 * 1024 * 1024), false);
    tree.write('proc/stat', procStatText({ user: 1000, idle: 0 }, 4), false);
    writeProcess(tree, { pid: 100, ppid: 1, utime: 9000 }, [200]); // the measuring process: its own time is not counted
    writeProcess(tree, { pid: 200, ppid: 100 }, []);
    const { sink, handle } = await startOn(tree, { intervalS: 0.01, processTree: { rootPid: 100, includeRoot: false } });
    const cpuAt = (w: number, what: string) => sink.waitFor(() => sink.last('power', 'cpu')?.value === w, what);
    try {
      const { info } = handle;
      assert.deepEqual(info.provenance, { kind: 'estimated', method: ESTIMATE_PROCESS_METHOD });
      assert.deepEqual(info.channels[0], { name: 'cpu', kind: 'cpu', device: 'AMD EPYC 7763 64-Core Processor' });
      assert.ok(info.notes.some((n) => n.includes('estimate scope process') && n.includes('descendants of process 100') && n.includes('CodeCarbon')), info.notes.join('\n'));
      // Each step is written in one synchronous block, between the sensor's ticks; the tree
      // files before /proc/stat (the sensor reads them in that order).
      // 1. The command (200) uses 250 of the machine's 1000 new ticks, all busy: 70 W.
      writeProcess(tree, { pid: 200, ppid: 100, utime: 250 }, []);
      tree.write('proc/stat', procStatText({ user: 2000 }, 4), false);
      await cpuAt(70, 'the command alone at 70 W');
      // 2. It forks 300: 100 more ticks of its own, 300 ticks of the grandchild: 112 W.
      writeProcess(tree, { pid: 200, ppid: 100, utime: 350 }, [300]);
      writeProcess(tree, { pid: 300, ppid: 200, utime: 300 }, []);
      tree.write('proc/stat', procStatText({ user: 3000 }, 4), false);
      await cpuAt(112, 'command + grandchild at 112 W');
      // 3. The grandchild runs 200 more ticks and exits; 200 reaps it (cutime 500): 56 W.
      tree.remove();
      tree.write('proc/cpuinfo', cpuinfoText({ model: 'AMD EPYC 7763 64-Core Processor', coresPerSocket: 64, threadsPerCore: 2 }), false);
      writeProcess(tree, { pid: 100, ppid: 1, utime: 9500 }, [200]);
      writeProcess(tree, { pid: 200, ppid: 100, utime: 350, cutime: 500 }, []);
      tree.write('proc/stat', procStatText({ user: 4000 }, 4), false);
      await cpuAt(56, 'the exited grandchild still counted, once');
      // 4. The command runs 100 more ticks, exits, and the measuring process reaps it: 28 W.
      tree.remove();
      writeProcess(tree, { pid: 100, ppid: 1, utime: 9900, cutime: 950 }, []);
      tree.write('proc/stat', procStatText({ user: 5000 }, 4), false);
      await cpuAt(28, 'the exited command counted through its parent');
    } finally {
      await handle.stop();
    }
    assert.equal(sink.failures.length, 0, sink.failures.map((f) => f.message).join('; '));
    // 4000 ticks, all busy; the tree's 950: the rest was other processes (the root's own 900 among them).
    const warnings = handle.info.warnings ?? [];
    assert.equal(warnings.length, 1);
    assert.match(warnings[0] ?? '', /^other processes kept 76\.\d % of the machine's CPU time busy during the run \(the measured process tree: 23\.\d %\)/);
    assert.match(handle.info.repeatCause ?? '', /whole 10 ms ticks .* count out of 4 ticks/);
  } finally {
    tree.remove();
  }
});

void test('sensor, machine scope: every process counted, the mode recorded; process scope without a tree is a usage error', async () => {
  const tree = new FakeTree();
  try {
    tree.write('proc/cpuinfo', cpuinfoText({ model: 'AMD EPYC 7763 64-Core Processor', coresPerSocket: 64 }), false);
    tree.write('proc/stat', procStatText({ user: 0, idle: 0 }, 4), false);
    const { sink, handle } = await startOn(tree, { intervalS: 0.01 });
    try {
      assert.deepEqual(handle.info.provenance, { kind: 'estimated', method: ESTIMATE_METHOD });
      assert.ok(handle.info.notes.some((n) => n.includes('estimate scope machine') && n.includes('no process tree given')));
      tree.write('proc/stat', procStatText({ user: 500, idle: 500 }, 4), false);
      await sink.waitFor(() => sink.last('power', 'cpu')?.value === 140, 'half busy: 140 W');
    } finally {
      await handle.stop();
    }
    assert.deepEqual(handle.info.warnings, []);
    await assert.rejects(estimateSensor.start(fakeEnv(tree.root), { intervalS: 0.01, estimateScope: 'process' }, new CollectingSink()), coded('USAGE', '--estimate-scope'));
  } finally {
    tree.remove();
  }
});

void test('arm64: no model name, but the core named from CPU implementer/part, so the host still resolves to a hardware entry', async () => {
  const arm = [0, 1].map((i) => `processor\t: ${i}\nBogoMIPS\t: 243.75\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x3\nCPU part\t: 0xd0c\nCPU revision\t: 1\n`).join('\n');
  assert.deepEqual(parseCpuInfo(arm), { logicalCpus: 2, armCore: 'ARM Neoverse-N1' });
  const tree = new FakeTree();
  try {
    tree.write('proc/cpuinfo', arm, false);
    const plan = await planEstimate(tree.root, 2);
    assert.equal(plan.cpuDevice, 'ARM Neoverse-N1');
    assert.equal(plan.cpuModel, undefined);
    assert.equal(resolveHardware(plan.cpuDevice ?? '')?.id, 'generic-server-cpu');
  } finally {
    tree.remove();
  }
});

// ---------------------------------------------------------------------------------------
// The repeated-values warning

function recording(powerW: number[], extra: Partial<Recording['info']>): Recording {
  const tS = Float64Array.from(powerW, (_, i) => i * 0.05);
  return {
    info: { name: 'estimate', provenance: { kind: 'estimated', method: ESTIMATE_METHOD }, channels: [{ name: 'cpu', kind: 'cpu' }], primaryChannel: 'cpu', requestedIntervalS: 0.05, notes: [], ...extra },
    originEpochMs: 0,
    durationS: tS.at(-1) ?? 0,
    channels: [{ name: 'cpu', tS, powerW: Float64Array.from(powerW) }],
    counters: [],
    windows: [],
    droppedOutOfOrder: 0,
  };
}

void test("repeats warning: the estimator names the real cause (whole ticks, an idle load), not 'slower than sampling'", () => {
  // What `measure --sensor estimate --interval 50ms -- sleep 1` recorded on the 2-CPU dev VM
  // (machine scope, 2026-12-06): zeros while idle, whole steps of 24 W / 10-11 ticks otherwise.
  const trace = [4.8, 0, 0, 0, 2.4, 0, 0, 0, 2.18, 0, 0, 0, 0, 0, 2.18, 13.09, 7.2, 0, 0, 0, 0];
  const plan: EstimatePlan = { ...PLAN, cores: 2, logicalCpus: 2, basis: { ...PLAN.basis, wPerCore: 12 } };
  const cause = repeatCause(plan, 0.05, 'machine');
  assert.match(cause, /^not a slow sensor: it updates every interval, but CPU time is counted in whole 10 ms ticks \(USER_HZ\), so over 50 ms on 2 CPUs the machine's utilisation is a count out of 10 ticks and the estimate moves in steps of 2\.4 W; an idle machine gives 0 W/);
  const w = summarizeRecording(recording(trace, { repeatCause: cause })).warnings.find((x) => x.startsWith('the sensor repeats values'));
  assert.equal(w, `the sensor repeats values (55 % of samples, most often 0 W): ${cause}`);
  assert.doesNotMatch(w, /slower than sampling/);
  // A command that only waits (process scope): every value 0, still explained.
  const idle = summarizeRecording(recording(Array.from({ length: 20 }, () => 0), { repeatCause: repeatCause(plan, 0.05, 'process') })).warnings;
  assert.ok(idle.some((x) => x.includes('100 % of samples, most often 0 W') && x.includes('a command that waits (sleep, I/O) uses no tick')), idle.join('\n'));
});

void test('repeats warning: other sensors keep the generic wording (an update period longer than sampling)', () => {
  const steps = Array.from({ length: 20 }, (_, i) => 100 + Math.floor(i / 4)); // changes every 4 samples = 200 ms
  const w = summarizeRecording(recording(steps, { name: 'nvidia-smi', provenance: { kind: 'measured', sensor: 'nvidia-smi' } })).warnings;
  assert.ok(w.includes('the sensor repeats values (79 % of samples): it updates about every 200 ms, slower than sampling'), w.join('\n'));
});

void test('sensor warnings travel into the recording summary, first', () => {
  const w = summarizeRecording(recording([1, 2, 3, 4], { warnings: ['other processes kept 80 % of the machine busy'] })).warnings;
  assert.equal(w[0], 'other processes kept 80 % of the machine busy');
});
