import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import fc from 'fast-check';
import { isInferprintError } from '../../src/errors.js';
import { createRaplSensor, describeRaplZones, discoverRaplZones, PACKAGES_CHANNEL, RaplMeter, raplSensor, RAPL_PERMISSION_HINT } from '../../src/sensors/io/rapl.js';
import { fsErrorToCoded, isPermissionDenied } from '../../src/sensors/io/sysfs.js';
import { CollectingSink, cpuinfoText, fakeEnv, FakeTree, permissionDeniedReader, RAPL_RANGE_UJ, setRaplEnergy, writeRaplZones, type FakeRaplZone } from '../helpers/fake-sys.js';

function coded(code: string, text?: string) {
  return (e: unknown) => isInferprintError(e) && e.code === code && (text === undefined || e.message.includes(text));
}

/** A laptop-like machine: one package with core/uncore/dram sub-zones, and psys. */
const LAPTOP: FakeRaplZone[] = [
  { id: 'intel-rapl:0', name: 'package-0', energyUj: 1_000_000, maxEnergyRangeUj: RAPL_RANGE_UJ },
  { id: 'intel-rapl:0:0', name: 'core', energyUj: 500_000, maxEnergyRangeUj: RAPL_RANGE_UJ },
  { id: 'intel-rapl:0:1', name: 'uncore', energyUj: 10_000, maxEnergyRangeUj: RAPL_RANGE_UJ },
  { id: 'intel-rapl:0:2', name: 'dram', energyUj: 70_000, maxEnergyRangeUj: 65_712_999_613 },
  { id: 'intel-rapl:1', name: 'psys', energyUj: 3_000_000, maxEnergyRangeUj: RAPL_RANGE_UJ },
];

void test('zone discovery: names, kinds, numeric order; the control-type dir and mmio duplicates are skipped', async () => {
  const tree = new FakeTree();
  try {
    writeRaplZones(tree, [...LAPTOP].reverse());
    // intel-rapl-mmio mirrors package-0 on client CPUs: reading both would count it twice.
    writeRaplZones(tree, [{ id: 'intel-rapl-mmio:0', name: 'package-0', energyUj: 1, maxEnergyRangeUj: RAPL_RANGE_UJ }]);
    const zones = await discoverRaplZones(tree.root);
    assert.deepEqual(
      zones.map((z) => [z.id, z.channel, z.kind, z.maxEnergyRangeUj]),
      [
        ['intel-rapl:0', 'package-0', 'package', RAPL_RANGE_UJ],
        ['intel-rapl:0:0', 'core-0', 'cpu', RAPL_RANGE_UJ],
        ['intel-rapl:0:1', 'uncore-0', 'other', RAPL_RANGE_UJ],
        ['intel-rapl:0:2', 'dram-0', 'dram', 65_712_999_613],
        ['intel-rapl:1', 'psys', 'psys', RAPL_RANGE_UJ],
      ],
    );
    const d = describeRaplZones(zones, 'Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz');
    assert.equal(d.primaryChannel, 'package-0');
    assert.equal(d.channels.find((c) => c.name === 'package-0')?.device, 'Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz');
    assert.equal(d.channels.find((c) => c.name === 'psys')?.device, undefined);
    assert.ok(d.notes.some((n) => n.includes('psys is the whole platform')));
    assert.ok(d.notes.some((n) => n.includes('packages + dram')));
  } finally {
    tree.remove();
  }
});

void test('two sockets: sub-zones take their package number, and a packages sum channel is primary', async () => {
  const tree = new FakeTree();
  try {
    writeRaplZones(tree, [
      { id: 'intel-rapl:0', name: 'package-0', energyUj: 0, maxEnergyRangeUj: RAPL_RANGE_UJ },
      { id: 'intel-rapl:0:0', name: 'dram', energyUj: 0, maxEnergyRangeUj: RAPL_RANGE_UJ },
      // A psys zone between the packages shifts zone numbers away from package numbers.
      { id: 'intel-rapl:1', name: 'psys', energyUj: 0, maxEnergyRangeUj: RAPL_RANGE_UJ },
      { id: 'intel-rapl:2', name: 'package-1', energyUj: 0, maxEnergyRangeUj: RAPL_RANGE_UJ },
      { id: 'intel-rapl:2:0', name: 'dram', energyUj: 0, maxEnergyRangeUj: RAPL_RANGE_UJ },
    ]);
    const zones = await discoverRaplZones(tree.root);
    assert.deepEqual(
      zones.map((z) => z.channel),
      ['package-0', 'dram-0', 'psys', 'package-1', 'dram-1'],
    );
    const d = describeRaplZones(zones);
    assert.equal(d.primaryChannel, PACKAGES_CHANNEL);
    assert.deepEqual(d.channels.at(-1), { name: PACKAGES_CHANNEL, kind: 'package' });
  } finally {
    tree.remove();
  }
});

void test('counters advancing and wrapping: energy equals the true increments, power is ΔE/Δt at the interval midpoint', async () => {
  const tree = new FakeTree();
  try {
    const start = RAPL_RANGE_UJ - 328_850; // 0.32885 J below the top
    writeRaplZones(tree, [
      { id: 'intel-rapl:0', name: 'package-0', energyUj: start, maxEnergyRangeUj: RAPL_RANGE_UJ },
      { id: 'intel-rapl:0:0', name: 'dram', energyUj: 7, maxEnergyRangeUj: 1_000_000 },
    ]);
    const meter = new RaplMeter(await discoverRaplZones(tree.root));
    const sink = new CollectingSink();
    const steps = [
      { tS: 10, pkgUj: 0, dramUj: 0 },
      { tS: 10.5, pkgUj: 250_000, dramUj: 900_000 },
      { tS: 11, pkgUj: 400_000, dramUj: 600_000 }, // both wrap
      { tS: 12, pkgUj: 1_000_000, dramUj: 1 },
    ];
    let pkg = start;
    let dram = 7;
    for (const s of steps) {
      pkg = (pkg + s.pkgUj) % RAPL_RANGE_UJ;
      dram = (dram + s.dramUj) % 1_000_000;
      setRaplEnergy(tree, 'intel-rapl:0', pkg);
      setRaplEnergy(tree, 'intel-rapl:0:0', dram);
      await meter.read(s.tS, sink);
    }
    assert.ok(pkg < start, 'the package counter did wrap');
    assert.deepEqual(
      sink.of('energy', 'package-0').map((r) => [r.tS, r.value]),
      [
        [10, 0],
        [10.5, 0.25],
        [11, 0.65],
        [12, 1.65],
      ],
    );
    assert.deepEqual(
      sink.of('energy', 'dram-0').map((r) => r.value),
      [0, 0.9, 1.5, 1.500001],
    );
    assert.deepEqual(
      sink.of('power', 'package-0').map((r) => [r.tS, r.value]),
      [
        [10.25, 0.5],
        [10.75, 0.8],
        [11.5, 1],
      ],
    );
    assert.equal(sink.of('power', PACKAGES_CHANNEL).length, 0, 'one package: no sum channel');
  } finally {
    tree.remove();
  }
});

void test('property: with any counter range and increments below it, energy since start is the exact sum of increments', async () => {
  const tree = new FakeTree();
  try {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1000, max: 2 ** 40 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.array(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), { minLength: 1, maxLength: 20 }), async (range, startFrac, fracs) => {
        let r = Math.floor(startFrac * range);
        writeRaplZones(tree, [{ id: 'intel-rapl:0', name: 'package-0', energyUj: r, maxEnergyRangeUj: range }]);
        const meter = new RaplMeter(await discoverRaplZones(tree.root));
        const sink = new CollectingSink();
        await meter.read(0, sink);
        let trueUj = 0;
        for (let i = 0; i < fracs.length; i++) {
          const inc = Math.floor(fracs[i]! * range); // < range: at most one wrap per interval
          trueUj += inc;
          r = (r + inc) % range;
          setRaplEnergy(tree, 'intel-rapl:0', r);
          await meter.read(i + 1, sink);
        }
        assert.equal(sink.last('energy', 'package-0')?.value, trueUj / 1e6);
      }),
      { numRuns: 60 },
    );
  } finally {
    tree.remove();
  }
});

void test('two packages: the packages channel sums them, energy and power', async () => {
  const tree = new FakeTree();
  try {
    writeRaplZones(tree, [
      { id: 'intel-rapl:0', name: 'package-0', energyUj: 100, maxEnergyRangeUj: RAPL_RANGE_UJ },
      { id: 'intel-rapl:1', name: 'package-1', energyUj: 200, maxEnergyRangeUj: RAPL_RANGE_UJ },
    ]);
    const meter = new RaplMeter(await discoverRaplZones(tree.root));
    const sink = new CollectingSink();
    await meter.read(0, sink);
    setRaplEnergy(tree, 'intel-rapl:0', 100 + 30_000_000);
    setRaplEnergy(tree, 'intel-rapl:1', 200 + 50_000_000);
    await meter.read(2, sink);
    assert.deepEqual(
      sink.of('energy', PACKAGES_CHANNEL).map((r) => r.value),
      [0, 80],
    );
    assert.deepEqual(sink.of('power', PACKAGES_CHANNEL), [{ channel: PACKAGES_CHANNEL, tS: 1, value: 40 }]);
  } finally {
    tree.remove();
  }
});

void test('a counter above its range is INVALID_VALUE naming the file', async () => {
  const tree = new FakeTree();
  try {
    writeRaplZones(tree, [{ id: 'intel-rapl:0', name: 'package-0', energyUj: 5, maxEnergyRangeUj: 1000 }]);
    const meter = new RaplMeter(await discoverRaplZones(tree.root));
    setRaplEnergy(tree, 'intel-rapl:0', 1001);
    await assert.rejects(meter.read(0, new CollectingSink()), coded('INVALID_VALUE', 'intel-rapl:0/energy_uj'));
    setRaplEnergy(tree, 'intel-rapl:0', 12.5);
    await assert.rejects(meter.read(0, new CollectingSink()), coded('PARSE', 'not a number: "12.5"'));
  } finally {
    tree.remove();
  }
});

void test('permission denied on energy_uj: a distinct probe reason and a start error that says how to fix it', async () => {
  const tree = new FakeTree();
  try {
    writeRaplZones(tree, LAPTOP);
    const sensor = createRaplSensor(permissionDeniedReader((p) => p.endsWith('/energy_uj')));
    const env = fakeEnv(tree.root);
    const probe = await sensor.probe(env);
    assert.equal(probe.ok, false);
    assert.ok(probe.reason.startsWith('permission denied reading RAPL energy counters:'), JSON.stringify(probe));
    assert.ok(probe.reason.includes('sudo chmod a+r /sys/class/powercap/intel-rapl:*/energy_uj'));
    const file = tree.path('sys/class/powercap/intel-rapl:0/energy_uj');
    await assert.rejects(sensor.start(env, { intervalS: 0.01 }, new CollectingSink()), (e: unknown) => {
      assert.ok(isInferprintError(e));
      assert.equal(e.code, 'IO');
      assert.equal(e.message, `${file}: permission denied (EACCES): ${RAPL_PERMISSION_HINT} [IO]`);
      assert.ok(isPermissionDenied(e));
      return true;
    });
  } finally {
    tree.remove();
  }
});

void test('fsErrorToCoded: ENOENT → NOT_FOUND, EACCES/EPERM → permission message, others → IO', () => {
  const err = (code: string) => Object.assign(new Error(`${code}: boom`), { code });
  assert.ok(coded('NOT_FOUND', '/x: RAPL zone does not exist')(fsErrorToCoded('/x', err('ENOENT'), { what: 'RAPL zone' })));
  const perm = fsErrorToCoded('/x', err('EPERM'), { permissionHint: 'be root' });
  assert.equal(perm.message, '/x: permission denied (EPERM): be root [IO]');
  assert.ok(isPermissionDenied(perm));
  const other = fsErrorToCoded('/x', err('EIO'));
  assert.equal(other.message, '/x: EIO: boom [IO]');
  assert.ok(!isPermissionDenied(other));
});

void test('a real read failure at start (energy_uj is a directory) rejects with IO before any sampling', async () => {
  const tree = new FakeTree();
  try {
    writeRaplZones(tree, LAPTOP);
    const file = tree.path('sys/class/powercap/intel-rapl:0:2/energy_uj');
    rmSync(file);
    mkdirSync(file);
    const sink = new CollectingSink();
    await assert.rejects(raplSensor.start(fakeEnv(tree.root), { intervalS: 0.01 }, sink), coded('IO', file));
    assert.equal(sink.failures.length, 0, 'a start failure is the rejection, not a sink failure');
  } finally {
    tree.remove();
  }
});

void test('chmod 000 as a non-root user gives the permission error', { skip: process.getuid?.() === 0 ? 'running as root: chmod does not deny reads (the injected-reader test covers it)' : false }, async () => {
  const tree = new FakeTree();
  try {
    writeRaplZones(tree, LAPTOP);
    chmodSync(tree.path('sys/class/powercap/intel-rapl:0/energy_uj'), 0o000);
    const probe = await raplSensor.probe(fakeEnv(tree.root));
    assert.ok(!probe.ok && probe.reason.startsWith('permission denied'));
  } finally {
    tree.remove();
  }
});

void test('no zones: probe says why, start fails with NOT_FOUND', async () => {
  const tree = new FakeTree();
  try {
    const probe = await raplSensor.probe(fakeEnv(tree.root));
    assert.ok(!probe.ok && probe.reason.includes('no RAPL zones under'), JSON.stringify(probe));
    await assert.rejects(raplSensor.start(fakeEnv(tree.root), { intervalS: 0.01 }, new CollectingSink()), coded('NOT_FOUND', 'RAPL zone does not exist'));
  } finally {
    tree.remove();
  }
});

void test('sensor end to end: first reading before start resolves, counters updated between ticks (with a wrap), final reading on stop', async () => {
  const tree = new FakeTree();
  try {
    writeRaplZones(tree, LAPTOP);
    tree.write('proc/cpuinfo', cpuinfoText({ model: 'Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz', coresPerSocket: 4, threadsPerCore: 2 }), false);
    const env = fakeEnv(tree.root);
    const probe = await raplSensor.probe(env);
    assert.deepEqual(probe, { ok: true, detail: '5 RAPL zones: package-0, core-0, uncore-0, dram-0, psys' });
    const sink = new CollectingSink();
    const handle = await raplSensor.start(env, { intervalS: 0.01 }, sink);
    try {
      assert.deepEqual(
        sink.energies.slice(0, 5).map((r) => [r.channel, r.value]),
        [
          ['package-0', 0],
          ['core-0', 0],
          ['uncore-0', 0],
          ['dram-0', 0],
          ['psys', 0],
        ],
        'the first reading is in before start resolves',
      );
      const { info } = handle;
      assert.equal(info.name, 'rapl');
      assert.deepEqual(info.provenance, { kind: 'measured', sensor: 'rapl' });
      assert.equal(info.primaryChannel, 'package-0');
      assert.equal(info.requestedIntervalS, 0.01);
      assert.deepEqual(
        info.channels.map((c) => [c.name, c.kind]),
        [
          ['package-0', 'package'],
          ['core-0', 'cpu'],
          ['uncore-0', 'other'],
          ['dram-0', 'dram'],
          ['psys', 'psys'],
        ],
      );
      assert.equal(info.channels[0]?.device, 'Intel(R) Core(TM) i7-8565U CPU @ 1.80GHz');

      // package-0 +2 J; then dram climbs near the top of its 65.7 kJ range and wraps (+0.5 J).
      setRaplEnergy(tree, 'intel-rapl:0', 1_000_000 + 2_000_000);
      await sink.waitFor(() => sink.last('energy', 'package-0')?.value === 2, 'package-0 at 2 J');
      setRaplEnergy(tree, 'intel-rapl:0:2', 65_712_999_613 - 100_000);
      await sink.waitFor(() => sink.last('energy', 'dram-0')?.value === (65_712_999_613 - 100_000 - 70_000) / 1e6, 'dram-0 near the top');
      setRaplEnergy(tree, 'intel-rapl:0:2', 400_000);
      await sink.waitFor(() => sink.last('energy', 'dram-0')?.value === (65_712_999_613 - 70_000 + 400_000) / 1e6, 'dram-0 after the wrap');
    } finally {
      await handle.stop();
    }
    const ticksAtStop = sink.energies.length;
    assert.equal(sink.failures.length, 0);
    assert.equal(sink.last('energy', 'package-0')?.value, 2);
    assert.equal(sink.last('energy', 'dram-0')?.value, (65_712_999_613 - 70_000 + 400_000) / 1e6);
    // Every power sample is the energy step over its interval, at the interval's midpoint.
    for (const ch of ['package-0', 'dram-0', 'psys']) {
      const e = sink.of('energy', ch);
      const p = sink.of('power', ch);
      assert.equal(p.length, e.length - 1, ch);
      p.forEach((s, i) => {
        const a = e[i]!;
        const b = e[i + 1]!;
        assert.ok(Math.abs(s.tS - (a.tS + b.tS) / 2) < 1e-9, `${ch} midpoint`);
        const expected = (b.value - a.value) / (b.tS - a.tS);
        assert.ok(Math.abs(s.value - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${ch}[${i}] ${s.value} vs ${expected}`);
      });
    }
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(sink.energies.length, ticksAtStop, 'no reading after stop');
  } finally {
    tree.remove();
  }
});
