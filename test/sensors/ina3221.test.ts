import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isInferprintError } from '../../src/errors.js';
import { classifyRails, createIna3221Sensor, describeRails, discoverIna3221, ina3221Sensor, readRailW } from '../../src/sensors/io/ina3221.js';
import { CollectingSink, fakeEnv, FakeTree, permissionDeniedReader, setHwmonRail, writeHwmonIna3221, writeIioIna3221 } from '../helpers/fake-sys.js';

function coded(code: string, text?: string) {
  return (e: unknown) => isInferprintError(e) && e.code === code && (text === undefined || e.message.includes(text));
}

/** AGX Orin (JetPack 5+): two chips at 0x40 and 0x41; the second has two NC channels. */
function agxOrin(tree: FakeTree): void {
  tree.write('sys/class/hwmon/hwmon0/name', 'tegra_soc_therm'); // another hwmon device: ignored
  tree.write('sys/class/hwmon/hwmon0/temp1_input', 45000);
  writeHwmonIna3221(
    tree,
    'hwmon1',
    [
      { label: 'VDD_GPU_SOC', mV: 5072, mA: 1234 },
      { label: 'VDD_CPU_CV', mV: 5080, mA: 321 },
      { label: 'VIN_SYS_5V0', mV: 5064, mA: 987 },
    ],
    7,
  );
  writeHwmonIna3221(tree, 'hwmon2', [
    { label: 'NC', mV: 0, mA: 0 },
    { label: 'VDDQ_VDD2_1V8AO', mV: 5060, mA: 150 },
    { label: 'NC', mV: 0, mA: 0 },
  ]);
}

void test('hwmon layout (AGX Orin): rails, kinds, NC and shunt/sum channels skipped, V × I exact in W', async () => {
  const tree = new FakeTree();
  try {
    agxOrin(tree);
    const { rails, updatePeriodS } = await discoverIna3221(tree.root);
    assert.deepEqual(
      rails.map((r) => [r.name, r.layout]),
      [
        ['VDD_GPU_SOC', 'hwmon'],
        ['VDD_CPU_CV', 'hwmon'],
        ['VIN_SYS_5V0', 'hwmon'],
        ['VDDQ_VDD2_1V8AO', 'hwmon'],
      ],
    );
    assert.equal(updatePeriodS, 0.007);
    const watts = await Promise.all(rails.map((r) => readRailW(r)));
    // mV × mA = µW, exactly: 5072 × 1234 = 6 258 848 µW.
    assert.deepEqual(watts, [6.258848, 1.63068, 4.998168, 0.759]);
    const d = describeRails(rails);
    assert.equal(d.primaryChannel, 'VDD_GPU_SOC');
    assert.deepEqual(
      d.channels.map((c) => [c.name, c.kind]),
      [
        ['VDD_GPU_SOC', 'gpu'],
        ['VDD_CPU_CV', 'cpu'],
        ['VIN_SYS_5V0', 'other'],
        ['VDDQ_VDD2_1V8AO', 'memory'],
      ],
    );
    assert.ok(d.notes.some((n) => n.includes('VIN_SYS_5V0 is the 5 V system rail, not the board total')));
    assert.ok(d.notes.some((n) => n.includes('VDD_GPU_SOC also powers the SoC')));
  } finally {
    tree.remove();
  }
});

void test('rail kinds per module: Orin NX / Xavier NX, Nano, AGX Xavier, TX2, TX2 NX', () => {
  const kinds = (names: string[]) => Object.fromEntries(classifyRails(names).kinds);
  assert.deepEqual(kinds(['VDD_IN', 'VDD_CPU_GPU_CV', 'VDD_SOC']), { VDD_IN: 'board-total', VDD_CPU_GPU_CV: 'gpu', VDD_SOC: 'soc' });
  assert.deepEqual(kinds(['POM_5V_IN', 'POM_5V_GPU', 'POM_5V_CPU']), { POM_5V_IN: 'board-total', POM_5V_GPU: 'gpu', POM_5V_CPU: 'cpu' });
  assert.deepEqual(kinds(['GPU', 'CPU', 'SOC', 'CV', 'VDDRQ', 'SYS5V']), { GPU: 'gpu', CPU: 'cpu', SOC: 'soc', CV: 'other', VDDRQ: 'memory', SYS5V: 'other' });
  assert.deepEqual(kinds(['VDD_SYS_GPU', 'VDD_SYS_SOC', 'VDD_4V0_WIFI', 'VDD_IN', 'VDD_SYS_CPU', 'VDD_SYS_DDR']), {
    VDD_SYS_GPU: 'gpu',
    VDD_SYS_SOC: 'soc',
    VDD_4V0_WIFI: 'other',
    VDD_IN: 'board-total',
    VDD_SYS_CPU: 'cpu',
    VDD_SYS_DDR: 'memory',
  });
  // TX2 NX's shared rail is not in the tegrastats list: found by its name.
  assert.equal(classifyRails(['VDD_IN', 'VDD_CPU_GPU', 'VDD_SOC']).gpuRail, 'VDD_CPU_GPU');
  const noGpu = describeRails([{ name: 'VDD_IN', layout: 'hwmon', source: { kind: 'power-mw', powerFile: '/x' } }]);
  assert.equal(noGpu.primaryChannel, 'VDD_IN');
  assert.ok(noGpu.notes.some((n) => n.includes('no GPU rail found')));
});

void test('iio layout (Nano, JetPack 4): in_power mW when present, else in_voltage mV × in_current mA', async () => {
  const tree = new FakeTree();
  try {
    writeIioIna3221(tree, '6-0040', 'iio:device0', [
      { name: 'POM_5V_IN', mW: 3456, mV: 5000, mA: 691 },
      { name: 'POM_5V_GPU', mW: 123, mV: 5000, mA: 24 },
      { name: 'POM_5V_CPU', mV: 4987, mA: 311 }, // no power file
    ]);
    const { rails, updatePeriodS } = await discoverIna3221(tree.root);
    assert.equal(updatePeriodS, undefined);
    assert.deepEqual(
      rails.map((r) => [r.name, r.layout, r.source.kind]),
      [
        ['POM_5V_IN', 'iio', 'power-mw'],
        ['POM_5V_GPU', 'iio', 'power-mw'],
        ['POM_5V_CPU', 'iio', 'volts-amps'],
      ],
    );
    assert.deepEqual(await Promise.all(rails.map((r) => readRailW(r))), [3.456, 0.123, 1.550957]);
    const d = describeRails(rails);
    assert.equal(d.primaryChannel, 'POM_5V_GPU');
    assert.equal(d.channels.find((c) => c.kind === 'board-total')?.name, 'POM_5V_IN');
  } finally {
    tree.remove();
  }
});

void test('a label repeated across chips is made unique', async () => {
  const tree = new FakeTree();
  try {
    writeHwmonIna3221(tree, 'hwmon3', [{ label: 'VDD_IN', mV: 5000, mA: 1000 }]);
    writeHwmonIna3221(tree, 'hwmon4', [{ label: 'VDD_IN', mV: 5000, mA: 2000 }]);
    const { rails } = await discoverIna3221(tree.root);
    assert.deepEqual(
      rails.map((r) => r.name),
      ['VDD_IN', 'VDD_IN-2'],
    );
  } finally {
    tree.remove();
  }
});

void test('sensor end to end (hwmon): exact W per rail, values follow the files between ticks, board model as device', async () => {
  const tree = new FakeTree();
  try {
    agxOrin(tree);
    tree.write('proc/device-tree/model', 'NVIDIA Jetson AGX Orin Developer Kit\0', false);
    const env = fakeEnv(tree.root);
    assert.deepEqual(await ina3221Sensor.probe(env), { ok: true, detail: '4 INA3221 rails (hwmon): VDD_GPU_SOC, VDD_CPU_CV, VIN_SYS_5V0, VDDQ_VDD2_1V8AO' });
    const sink = new CollectingSink();
    const handle = await ina3221Sensor.start(env, { intervalS: 0.01 }, sink);
    try {
      assert.deepEqual(
        sink.powers.slice(0, 4).map((r) => [r.channel, r.value]),
        [
          ['VDD_GPU_SOC', 6.258848],
          ['VDD_CPU_CV', 1.63068],
          ['VIN_SYS_5V0', 4.998168],
          ['VDDQ_VDD2_1V8AO', 0.759],
        ],
        'first reading before start resolves',
      );
      const { info } = handle;
      assert.equal(info.name, 'ina3221');
      assert.deepEqual(info.provenance, { kind: 'measured', sensor: 'ina3221' });
      assert.equal(info.primaryChannel, 'VDD_GPU_SOC');
      assert.equal(info.updatePeriodS, 0.007);
      assert.deepEqual(info.channels[0], { name: 'VDD_GPU_SOC', kind: 'gpu', device: 'NVIDIA Jetson AGX Orin Developer Kit' });

      setHwmonRail(tree, 'hwmon1', 1, 5040, 4321); // GPU under load: 21.77784 W
      await sink.waitFor(() => sink.last('power', 'VDD_GPU_SOC')?.value === 21.77784, 'the GPU rail at 21.77784 W');
      setHwmonRail(tree, 'hwmon1', 1, 5072, -3); // a rail near 0 A can read slightly negative
      await sink.waitFor(() => sink.last('power', 'VDD_GPU_SOC')?.value === -0.015216, 'the GPU rail at -0.015216 W');
    } finally {
      await handle.stop();
    }
    assert.equal(sink.failures.length, 0);
    assert.equal(sink.energies.length, 0, 'INA3221 has no energy counter');
    const gpu = sink.of('power', 'VDD_GPU_SOC');
    assert.ok(gpu.every((r, i) => i === 0 || r.tS > gpu[i - 1]!.tS), 'timestamps increase');
    // All rails of a tick share its timestamp, so boards without an input rail can sum them sample by sample.
    const tsByRail = ['VDD_GPU_SOC', 'VDD_CPU_CV', 'VIN_SYS_5V0', 'VDDQ_VDD2_1V8AO'].map((ch) => sink.of('power', ch).map((r) => r.tS));
    for (const ts of tsByRail) assert.deepEqual(ts, tsByRail[0]);
  } finally {
    tree.remove();
  }
});

void test('no INA3221: probe says why, start fails with NOT_FOUND', async () => {
  const tree = new FakeTree();
  try {
    tree.write('sys/class/hwmon/hwmon0/name', 'nvme');
    const env = fakeEnv(tree.root);
    const probe = await ina3221Sensor.probe(env);
    assert.ok(!probe.ok && probe.reason.startsWith('no INA3221 power monitor'), JSON.stringify(probe));
    await assert.rejects(ina3221Sensor.start(env, { intervalS: 0.01 }, new CollectingSink()), coded('NOT_FOUND', 'INA3221 power monitor does not exist'));
  } finally {
    tree.remove();
  }
});

void test('permission denied on a rail file: a distinct probe reason; start rejects naming the file', async () => {
  const tree = new FakeTree();
  try {
    agxOrin(tree);
    const sensor = createIna3221Sensor(permissionDeniedReader((p) => p.endsWith('/curr2_input')));
    const env = fakeEnv(tree.root);
    const probe = await sensor.probe(env);
    assert.ok(!probe.ok && probe.reason.startsWith('permission denied reading INA3221 rails:'), JSON.stringify(probe));
    await assert.rejects(sensor.start(env, { intervalS: 0.01 }, new CollectingSink()), coded('IO', `${tree.path('sys/class/hwmon/hwmon1/curr2_input')}: permission denied (EACCES): run as root`));
  } finally {
    tree.remove();
  }
});

void test('a rail file that stops parsing mid-run is reported to the sink, and sampling stops', async () => {
  const tree = new FakeTree();
  try {
    agxOrin(tree);
    const sink = new CollectingSink();
    const handle = await ina3221Sensor.start(fakeEnv(tree.root), { intervalS: 0.01 }, sink);
    try {
      tree.write('sys/class/hwmon/hwmon1/in2_input', 'garbage');
      await sink.waitFor(() => sink.failures.length > 0, 'a failure');
    } finally {
      await handle.stop();
    }
    assert.equal(sink.failures.length, 1);
    assert.ok(coded('PARSE', 'hwmon1/in2_input')(sink.failures[0]), sink.failures[0]?.message);
  } finally {
    tree.remove();
  }
});
