import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { isInferprintError } from '../../src/errors.js';
import { cpuPowerBasis, ESTIMATE_METHOD, matchCpuTdp, normaliseCpuModel } from '../../src/sensors/cpu-power-model.js';
import { CPU_TDP, CPU_TDP_DEFAULT, MEMORY_POWER } from '../../src/sensors/data/cpu-tdp.generated.js';
import { CpuEstimator, createEstimateSensor, estimateSensor, planEstimate } from '../../src/sensors/io/estimate.js';
import { parseCpuInfo, parseMemTotalKiB } from '../../src/sensors/parse-proc-info.js';
import { busyTicks, cpuUtilisation, parseProcStat, totalTicks, type CpuTimes } from '../../src/sensors/parse-proc-stat.js';
import { CollectingSink, cpuinfoText, fakeEnv, FakeTree, meminfoText, permissionDeniedReader, procStatText } from '../helpers/fake-sys.js';

function coded(code: string, text?: string) {
  return (e: unknown) => isInferprintError(e) && e.code === code && (text === undefined || e.message.includes(text));
}

const ZERO: CpuTimes = { user: 0, nice: 0, system: 0, idle: 0, iowait: 0, irq: 0, softirq: 0, steal: 0, guest: 0, guestNice: 0 };
const times = (t: Partial<CpuTimes>): CpuTimes => ({ ...ZERO, ...t });

// ---------------------------------------------------------------------------------------
// Pure parsers

void test('parseProcStat: the aggregate cpu line (a real one), online CPUs, and coded errors', () => {
  const real = 'cpu  197451 0 12094 323215 222 0 524 7506 0 0\ncpu0 100175 0 6242 159966 158 0 248 3794 0 0\ncpu1 97275 0 5852 163249 64 0 275 3712 0 0\nintr 1 2 3\n';
  assert.deepEqual(parseProcStat(real), {
    cpu: { user: 197451, nice: 0, system: 12094, idle: 323215, iowait: 222, irq: 0, softirq: 524, steal: 7506, guest: 0, guestNice: 0 },
    onlineCpus: 2,
  });
  // A pre-2.6.11 kernel writes fewer fields: the missing ones are 0.
  assert.deepEqual(parseProcStat('cpu  1 2 3 4\n').cpu, times({ user: 1, nice: 2, system: 3, idle: 4 }));
  assert.throws(() => parseProcStat('intr 1\n', '/p/stat'), coded('PARSE', '/p/stat: no aggregate "cpu" line'));
  assert.throws(() => parseProcStat('cpu  1 2 x 4\n', '/p/stat'), coded('PARSE', `/p/stat:1 field 'system': not a number: "x"`));
  assert.throws(() => parseProcStat('cpu  1 2 3\n', '/p/stat'), coded('TRUNCATED', 'expected at least 4'));
});

void test('utilisation between two snapshots: busy excludes idle, iowait and steal; guest is already in user', () => {
  const a = times({ user: 1000, system: 500, idle: 9000, iowait: 100, steal: 40, guest: 200 });
  // Δuser 300 (of which guest 100), Δsystem 100, Δidle 500, Δiowait 50, Δsteal 50 → Δtotal 1000, Δbusy 400.
  const b = times({ user: 1300, system: 600, idle: 9500, iowait: 150, steal: 90, guest: 300 });
  assert.equal(totalTicks(b) - totalTicks(a), 1000);
  assert.equal(busyTicks(b) - busyTicks(a), 400);
  assert.deepEqual(cpuUtilisation(a, b), { kind: 'ok', utilisation: 0.4 });
  assert.deepEqual(cpuUtilisation(a, a), { kind: 'no-ticks' });
  assert.deepEqual(cpuUtilisation(b, a), { kind: 'reset' });
});

void test('parseCpuInfo: model, logical CPUs, physical cores over sockets; arm64 without model or topology', () => {
  const x86 = parseCpuInfo(cpuinfoText({ model: 'Intel(R) Xeon(R) Platinum 8480+', sockets: 2, coresPerSocket: 56, threadsPerCore: 2 }));
  assert.deepEqual(x86, { modelName: 'Intel(R) Xeon(R) Platinum 8480+', logicalCpus: 224, physicalCores: 112 });
  assert.deepEqual(parseCpuInfo(cpuinfoText({ coresPerSocket: 12, topology: false })), { logicalCpus: 12 });
  assert.throws(() => parseCpuInfo('flags : fpu\n', '/p/cpuinfo'), coded('PARSE', 'no "processor" entry'));
  assert.equal(parseMemTotalKiB(meminfoText(24684084)), 24684084);
  assert.throws(() => parseMemTotalKiB('MemTotal: 12 MB\n', '/p/meminfo'), coded('UNKNOWN_UNIT', `/p/meminfo:1 field 'MemTotal'`));
  assert.throws(() => parseMemTotalKiB('MemFree: 12 kB\n', '/p/meminfo'), coded('PARSE', 'no MemTotal line'));
});

void test('CPU model matching: real /proc/cpuinfo names, whole words only, longest pattern wins', () => {
  const cases: [string, string | undefined][] = [
    ['Intel(R) Xeon(R) Platinum 8480+', 'Xeon Platinum 8480+'],
    ['Intel(R) Xeon(R) CPU E5-2698 v4 @ 2.20GHz', 'Xeon E5-2698 v4'],
    ['Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz', 'Xeon Gold 6248'],
    ['Intel(R) Xeon(R) Gold 6248R CPU @ 3.00GHz', 'Xeon Gold 6248R'],
    ['AMD EPYC 7763 64-Core Processor', 'EPYC 7763'],
    ['AMD EPYC 7742 64-Core Processor', 'EPYC 7742'],
    ['AMD Ryzen Threadripper PRO 5975WX 32-Cores', 'Ryzen Threadripper PRO 5975WX'],
    ['12th Gen Intel(R) Core(TM) i5-12400', 'Core i5-12400'],
    ['12th Gen Intel(R) Core(TM) i5-12400F', undefined], // a different SKU: not silently the 12400's
    ['Intel(R) Xeon(R) Platinum 8480C', undefined],
    ['Intel(R) Xeon(R) Processor', undefined], // what this VM's hypervisor shows
    ['Intel Xeon Processor (Icelake)', undefined],
  ];
  for (const [name, model] of cases) assert.equal(matchCpuTdp(name, CPU_TDP)?.model, model, name);
  assert.equal(normaliseCpuModel('Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz'), 'intel core i7-8565u');
  assert.equal(normaliseCpuModel('AMD EPYC 9654 96-Core Processor'), 'amd epyc 9654');
});

void test('the generated CPU table is in sync with data/sources (generator --check)', () => {
  const root = resolve(import.meta.dirname, '../..');
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'data/generate-cpu-tdp.ts', '--check'], { cwd: root, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.equal(CPU_TDP_DEFAULT.wPerCore, 12);
  assert.equal(MEMORY_POWER.wPerGiB, 0.3725);
});

// ---------------------------------------------------------------------------------------
// The estimate from fake /proc trees

function writeProc(tree: FakeTree, stat: Partial<CpuTimes>, cpu: Parameters<typeof cpuinfoText>[0], memKiB?: number): void {
  tree.write('proc/stat', procStatText(stat, 4), false);
  tree.write('proc/cpuinfo', cpuinfoText(cpu), false);
  if (memKiB !== undefined) tree.write('proc/meminfo', meminfoText(memKiB), false);
}

void test('known CPU: two snapshots at a known utilisation give cores × TDP/core × u; memory is constant', async () => {
  const tree = new FakeTree();
  try {
    writeProc(tree, {}, { model: 'Intel(R) Xeon(R) Platinum 8480+', sockets: 2, coresPerSocket: 56, threadsPerCore: 2 }, 16 * 1024 * 1024);
    const plan = await planEstimate(tree.root, 224);
    assert.equal(plan.cores, 112);
    assert.equal(plan.basis.kind, 'table');
    assert.equal(plan.basis.wPerCore, 6.25); // 350 W / 56 cores
    assert.equal(plan.memoryGiB, 16);
    assert.equal(plan.memoryW, 5.96);
    assert.ok(plan.notes.some((n) => n.includes('matched "Xeon Platinum 8480+": 350 W TDP / 56 cores') && n.includes('112 cores seen → 700 W at full load')), plan.notes.join('\n'));
    const est = new CpuEstimator(plan);
    const sink = new CollectingSink();
    est.sample(1, times({ user: 1000, idle: 9000 }), sink);
    est.sample(2, times({ user: 1400, system: 0, idle: 9600 }), sink); // u = 400 / 1000
    est.sample(3, times({ user: 1400, idle: 9600 }), sink); // no tick elapsed: nothing new, baseline kept
    est.sample(4, times({ user: 2400, idle: 9600 }), sink); // u = 1000 / 1000 over [2, 4]
    assert.deepEqual(
      sink.of('power', 'cpu').map((r) => [r.tS, r.value]),
      [
        [1.5, 280], // 112 × 6.25 × 0.4
        [3, 700],
      ],
    );
    assert.deepEqual(
      sink.of('power', 'memory').map((r) => [r.tS, r.value]),
      [
        [1, 5.96],
        [2, 5.96],
        [3, 5.96],
        [4, 5.96],
      ],
    );
    // A counter going backwards (a CPU went offline) starts over, without a value.
    est.sample(5, times({ user: 100, idle: 100 }), sink);
    est.sample(6, times({ user: 150, idle: 150 }), sink);
    assert.deepEqual(sink.last('power', 'cpu'), { channel: 'cpu', tS: 5.5, value: 350 });
  } finally {
    tree.remove();
  }
});

void test('unknown CPU: the declared default (12 W per core) with a note saying so', async () => {
  const tree = new FakeTree();
  try {
    writeProc(tree, {}, { model: 'Intel(R) Xeon(R) Processor', coresPerSocket: 2 }, 1024 * 1024);
    const plan = await planEstimate(tree.root, 2);
    assert.equal(plan.basis.kind, 'default');
    assert.equal(plan.basis.wPerCore, 12);
    assert.ok(plan.notes.some((n) => n.startsWith('CPU "Intel(R) Xeon(R) Processor" is not in the TDP table: default 12 W per core (Green Algorithms')), plan.notes.join('\n'));
    const sink = new CollectingSink();
    const est = new CpuEstimator(plan);
    est.sample(0, times({ idle: 100 }), sink);
    est.sample(1, times({ user: 50, idle: 150 }), sink);
    assert.deepEqual(sink.of('power', 'cpu'), [{ channel: 'cpu', tS: 0.5, value: 12 }]); // 2 cores × 12 W × 0.5
    // No model name at all (arm64), no topology: one core per logical CPU.
    const arm = new FakeTree();
    try {
      writeProc(arm, {}, { coresPerSocket: 8, topology: false });
      const p = await planEstimate(arm.root, 8);
      assert.equal(p.cores, 8);
      assert.equal(p.basis.kind, 'default');
      assert.ok(p.notes.some((n) => n.startsWith('the kernel does not name the CPU')));
      assert.ok(p.notes.some((n) => n.startsWith('no memory channel:')), 'no /proc/meminfo');
      assert.equal(p.memoryW, undefined);
    } finally {
      arm.remove();
    }
  } finally {
    tree.remove();
  }
  assert.deepEqual(cpuPowerBasis(undefined, CPU_TDP, CPU_TDP_DEFAULT).kind, 'default');
});

void test('sensor end to end: estimated provenance, cpu and memory channels, values follow /proc/stat between ticks', async () => {
  const tree = new FakeTree();
  try {
    writeProc(tree, { user: 1000, idle: 9000 }, { model: 'AMD EPYC 7763 64-Core Processor', coresPerSocket: 64, threadsPerCore: 2 }, 512 * 1024 * 1024);
    const env = fakeEnv(tree.root);
    assert.equal(estimateSensor.kind, 'estimated');
    assert.deepEqual(await estimateSensor.probe(env), { ok: true, detail: 'estimate from /proc/stat utilisation × TDP (EPYC 7763, 64 cores)' });
    const sink = new CollectingSink();
    const handle = await estimateSensor.start(env, { intervalS: 0.01 }, sink);
    try {
      assert.deepEqual(sink.powers[0], { channel: 'memory', tS: sink.powers[0]?.tS, value: 190.72 }, 'memory from the first reading: 512 GiB × 0.3725');
      const { info } = handle;
      assert.equal(info.name, 'estimate');
      assert.deepEqual(info.provenance, { kind: 'estimated', method: ESTIMATE_METHOD });
      assert.equal(info.primaryChannel, 'cpu');
      assert.deepEqual(info.channels, [
        { name: 'cpu', kind: 'cpu', device: 'AMD EPYC 7763 64-Core Processor' },
        { name: 'memory', kind: 'memory' },
      ]);
      assert.ok(info.notes.some((n) => n.includes('/proc/stat counts in 0.01 s ticks')));
      // u = 0.25 → 64 cores × 280/64 W × 0.25 = 70 W.
      tree.write('proc/stat', procStatText({ user: 1250, idle: 9750 }, 4), false);
      await sink.waitFor(() => sink.last('power', 'cpu')?.value === 70, 'cpu at 70 W');
      // Fully busy → 280 W (as long as the counters move).
      tree.write('proc/stat', procStatText({ user: 2250, idle: 9750 }, 4), false);
      await sink.waitFor(() => sink.last('power', 'cpu')?.value === 280, 'cpu at 280 W');
    } finally {
      await handle.stop();
    }
    assert.equal(sink.failures.length, 0);
    assert.equal(sink.energies.length, 0, 'an estimate has no energy counter');
    const cpu = sink.of('power', 'cpu');
    assert.ok(cpu.every((r, i) => i === 0 || r.tS > cpu[i - 1]!.tS));
  } finally {
    tree.remove();
  }
});

void test('no /proc/stat: probe fails with the reason, start rejects NOT_FOUND; unreadable /proc/stat is a permission reason', async () => {
  const tree = new FakeTree();
  try {
    const env = fakeEnv(tree.root);
    const probe = await estimateSensor.probe(env);
    assert.ok(!probe.ok && probe.reason.includes('proc/stat: kernel CPU statistics does not exist'), JSON.stringify(probe));
    await assert.rejects(estimateSensor.start(env, { intervalS: 0.01 }, new CollectingSink()), coded('NOT_FOUND', 'proc/stat'));
    writeProc(tree, { idle: 1 }, { model: 'x' });
    const denied = createEstimateSensor(permissionDeniedReader((p) => p.endsWith('/proc/stat')));
    const p2 = await denied.probe(env);
    assert.ok(!p2.ok && p2.reason.includes('permission denied (EACCES)'), JSON.stringify(p2));
    await assert.rejects(estimateSensor.start(env, { intervalS: 0 }, new CollectingSink()), coded('USAGE', '--interval'));
  } finally {
    tree.remove();
  }
});
