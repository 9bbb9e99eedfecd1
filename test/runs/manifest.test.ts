import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { InferprintError } from '../../src/errors.js';
import { formatManifest, formatRunId, hasPower, labelSlug, MANIFEST_SCHEMA_VERSION, parseManifest, parseManifestText, type RunManifest } from '../../src/runs/manifest.js';
import { thrown } from '../helpers/decode.js';

/** A complete manifest as JSON would hold it (a fresh copy each call, so tests can mutate it). */
function sample(): Record<string, unknown> {
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    id: '2026-11-26T11-42-03.123Z-bert-ab12',
    label: 'bert',
    createdAt: '2026-11-26T11:42:10.000Z',
    startedAt: '2026-11-26T11:42:03.123Z',
    endedAt: '2026-11-26T11:42:09.500Z',
    status: { kind: 'completed' },
    host: {
      os: 'linux',
      kernel: '6.8.0',
      cpuModel: 'AMD EPYC 9354',
      cpuCores: 64,
      memoryBytes: 270_000_000_000,
      gpus: [{ index: 0, name: 'NVIDIA H200', uuid: 'GPU-1234' }],
      driverVersion: '550.90.07',
    },
    tool: { name: 'inferprint', version: '0.1.0' },
    sensor: {
      name: 'nvml',
      provenance: { kind: 'measured', sensor: 'nvml' },
      requestedIntervalS: 0.05,
      measuredIntervalS: 0.0501,
      channels: [
        { name: 'gpu0', kind: 'gpu', unit: 'W', device: 'NVIDIA H200' },
        { name: 'gpu1', kind: 'gpu', unit: 'W' },
        { name: 'board', kind: 'board-total', unit: 'W' },
      ],
      primaryChannel: 'gpu0',
      updatePeriodS: 0.1,
      notes: ['energy counter supported'],
    },
    workload: { kind: 'command', argv: ['python', 'infer.py'], cwd: '/home/u', exitCode: 0 },
    device: { hardwareId: 'nvidia-h200-sxm', name: 'NVIDIA H200' },
    windows: [
      { name: 'full', t0S: 0, t1S: 6.377 },
      { name: 'idle-before', t0S: 0, t1S: 1 },
      { name: 'load', t0S: 1, t1S: 5.4 },
    ],
    gaps: [{ channel: 'gpu1', startS: 2.5, endS: 3.1 }],
    energy: {
      method: 'trapezoid',
      perChannel: [{ channel: 'gpu0', energyJ: 1234.5, meanW: 193.6, maxW: 402.1, minW: 70.2, samples: 128 }],
      counters: [{ channel: 'gpu0', energyJ: 1240, differenceFromSamplesJ: 5.5 }],
      primary: { channel: 'gpu0', energyJ: 1234.5, durationS: 6.377 },
      perWindow: [{ window: 'load', channel: 'gpu0', energyJ: 1000, durationS: 4.4 }],
    },
    impact: { model: 'lca-v1', gwpG: { mean: 0.04, min: 0.03, max: 0.05 } },
    files: [
      { name: 'stdout.txt', role: 'stdout' },
      { name: 'mlperf_log_summary.txt', role: 'mlperf_log_summary' },
    ],
  };
}

type Obj = Record<string, unknown>;
/** Walk to the object holding the last key of a path such as `sensor.channels.2.name`. */
function at(root: Obj, path: string): [Obj, string] {
  const keys = path.split('.');
  let o: Obj = root;
  for (const k of keys.slice(0, -1)) o = o[k] as Obj;
  return [o, keys.at(-1)!];
}
function withField(path: string, value: unknown): Obj {
  const m = sample();
  const [o, k] = at(m, path);
  if (value === undefined) Reflect.deleteProperty(o, k);
  else o[k] = value;
  return m;
}

test('a complete manifest reads back equal to what was written', () => {
  const json = sample();
  const m = parseManifest(json);
  assert.deepEqual(m, json);
  assert.deepEqual(parseManifestText(formatManifest(m)), json);
  assert.ok(formatManifest(m).endsWith('}\n'));
});

test('optional parts may be absent', () => {
  const json = sample();
  json.host = {};
  json.device = {};
  delete json.energy;
  delete json.impact;
  (json.sensor as Obj).requestedIntervalS = null;
  (json.sensor as Obj).measuredIntervalS = null;
  delete (json.sensor as Obj).updatePeriodS;
  json.workload = { kind: 'import', format: 'nvidia-smi-csv', sourcePath: '/data/power.csv' };
  const m = parseManifest(json);
  assert.equal(m.energy, undefined);
  assert.equal(m.sensor?.measuredIntervalS, null);
  assert.deepEqual(m, json);
});

test('a missing required field names the file and the field path', () => {
  const e = thrown(() => parseManifest(withField('sensor.channels.2.name', undefined), '/runs/r1/manifest.json'));
  assert.equal(e.code, 'PARSE');
  assert.equal(e.message, "/runs/r1/manifest.json field 'sensor.channels[2].name': required field is missing [PARSE]");
  for (const path of ['schemaVersion', 'id', 'status', 'host', 'sensor.primaryChannel', 'sensor.notes', 'workload.cwd', 'windows', 'gaps', 'files', 'energy.primary.durationS']) {
    const err = thrown(() => parseManifest(withField(path, undefined)));
    assert.equal(err.code, 'PARSE', path);
    assert.equal(err.where.field, path, path);
    assert.equal(err.where.file, 'manifest.json', path);
  }
});

test('a wrong type is a parse error naming the field and what it expected', () => {
  const e = thrown(() => parseManifest(withField('sensor.channels.2.name', 42)));
  assert.equal(e.message, "manifest.json field 'sensor.channels[2].name': expected a string, got number 42 [PARSE]");
  const cases: [string, unknown, string][] = [
    ['label', null, 'expected a string, got null'],
    ['host', [], 'expected an object, got an array'],
    ['host.cpuCores', '64', 'expected a number'],
    ['host.gpus.0.index', 'zero', 'expected a number'],
    ['sensor.channels', {}, 'expected an array, got an object'],
    ['sensor.requestedIntervalS', '50ms', 'expected a number'],
    ['windows.1.t0S', '0', 'expected a number'],
    ['workload.argv.1', 3, 'expected a string'],
    ['energy.perChannel.0.samples', true, 'expected a number, got boolean true'],
    ['impact', 'high', 'expected an object'],
  ];
  for (const [path, value, detail] of cases) {
    const err = thrown(() => parseManifest(withField(path, value)));
    assert.equal(err.code, 'PARSE', path);
    assert.equal(err.where.field, path.replace(/\.(\d+)/g, '[$1]'), path);
    assert.ok(err.detail.startsWith(detail), `${path}: ${err.detail}`);
  }
});

test('impossible values are INVALID_VALUE with the field', () => {
  const cases: [string, unknown][] = [
    ['schemaVersion', MANIFEST_SCHEMA_VERSION + 1],
    ['id', '../escape'],
    ['id', '.hidden'],
    ['createdAt', '2026-11-26 11:42:10'],
    ['startedAt', '2026-11-26T12:42:03+01:00'],
    ['endedAt', '2026-11-26T11:00:00.000Z'],
    ['host.cpuCores', 1.5],
    ['host.memoryBytes', -1],
    ['sensor.name', 'geiger'],
    ['sensor.provenance.sensor', 'geiger'],
    ['sensor.requestedIntervalS', 0],
    ['sensor.channels.1.kind', 'fan'],
    ['sensor.channels.1.unit', 'mW'],
    ['sensor.channels.1.name', 'gpu0'],
    ['sensor.primaryChannel', 'gpu7'],
    ['workload.kind', 'notebook'],
    ['workload.argv', []],
    ['windows.2.t1S', 0.5],
    ['gaps.0.endS', 2.5],
    ['gaps.0.channel', 'gpu9'],
    ['energy.perChannel.0.channel', 'gpu9'],
    ['energy.primary.channel', 'gpu9'],
    ['energy.primary.durationS', -1],
    ['files.0.name', 'trace.parquet'],
    ['files.0.name', 'logs/stdout.txt'],
    ['files.1.name', 'stdout.txt'],
    ['files.0.role', 'video'],
  ];
  for (const [path, value] of cases) {
    const err = thrown(() => parseManifest(withField(path, value)));
    assert.equal(err.code, 'INVALID_VALUE', `${path}: ${err.message}`);
    assert.ok(err.where.field?.startsWith(path.split('.')[0]!), `${path}: ${err.message}`);
  }
  assert.match(thrown(() => parseManifest(withField('schemaVersion', MANIFEST_SCHEMA_VERSION + 1))).message, new RegExp(`unsupported schema version ${MANIFEST_SCHEMA_VERSION + 1} \\(this inferprint reads ${MANIFEST_SCHEMA_VERSION}`));
  assert.match(thrown(() => parseManifest(withField('sensor.primaryChannel', 'gpu7'))).message, /field 'sensor.primaryChannel': "gpu7" is not one of sensor.channels/);
});

test('NaN and infinities handed to the validator before writing are refused', () => {
  const err = thrown(() => parseManifest(withField('energy.primary.energyJ', Number.NaN)));
  assert.equal(err.code, 'INVALID_VALUE');
  assert.equal(err.where.field, 'energy.primary.energyJ');
});

test('unknown extra fields are kept, at every depth', () => {
  const json = sample();
  json.future = { nested: [1, 2, 3] };
  (json.status as Obj).note = 'clean exit';
  ((json.sensor as Obj).channels as Obj[])[1]!.calibration = { offsetW: 0.3 };
  (json.workload as Obj).env = { CUDA_VISIBLE_DEVICES: '0' };
  (json.energy as Obj).idle = { powerW: 70 };
  const m = parseManifest(json) as RunManifest & Obj;
  assert.deepEqual(m.future, { nested: [1, 2, 3] });
  assert.deepEqual((m.sensor!.channels[1] as unknown as Obj).calibration, { offsetW: 0.3 });
  assert.deepEqual(JSON.parse(formatManifest(m)), json);
});

test('status is a discriminated union: interrupted carries the signal, failed the code and message', () => {
  const interrupted = parseManifest(withField('status', { kind: 'interrupted', signal: 'SIGINT' }));
  assert.deepEqual(interrupted.status, { kind: 'interrupted', signal: 'SIGINT' });
  const failed = parseManifest(withField('status', { kind: 'failed', code: 'IO', message: 'nvidia-smi exited' }));
  assert.equal(failed.status.kind === 'failed' ? failed.status.code : '', 'IO');

  const bad = thrown(() => parseManifest(withField('status', { kind: 'crashed' })));
  assert.equal(bad.code, 'INVALID_VALUE');
  assert.equal(bad.message, 'manifest.json field \'status.kind\': unknown value "crashed" (expected one of completed, interrupted, failed) [INVALID_VALUE]');
  assert.equal(thrown(() => parseManifest(withField('status', { kind: 'interrupted' }))).where.field, 'status.signal');
  assert.equal(thrown(() => parseManifest(withField('status', { kind: 'failed', code: 'IO' }))).where.field, 'status.message');
  assert.equal(thrown(() => parseManifest(withField('status', 'completed'))).where.field, 'status');
});

test('workload kinds: command, bench, import', () => {
  const bench = parseManifest(
    withField('workload', { kind: 'bench', scenario: 'SingleStream', model: 'synthetic:bert-large', queryCount: 64, mlperfSettings: { min_query_count: 64 } }),
  );
  assert.equal(bench.workload.kind === 'bench' ? bench.workload.queryCount : 0, 64);
  assert.equal(thrown(() => parseManifest(withField('workload', { kind: 'bench', scenario: 'Batch', model: 'm', queryCount: 1 }))).where.field, 'workload.scenario');
  assert.equal(thrown(() => parseManifest(withField('workload', { kind: 'import', format: 'tegrastats' }))).where.field, 'workload.sourcePath');
  const cmd = parseManifest(withField('workload', { kind: 'command', argv: ['sleep', '1'], cwd: '/', signal: 'SIGTERM' }));
  assert.deepEqual(cmd.workload, { kind: 'command', argv: ['sleep', '1'], cwd: '/', signal: 'SIGTERM' });
});

test('text that is not JSON, or not an object, names the file', () => {
  const e = thrown(() => parseManifestText('{"schemaVersion": 1,', '/runs/x/manifest.json'));
  assert.equal(e.code, 'PARSE');
  assert.match(e.message, /^\/runs\/x\/manifest\.json:1: not valid JSON: /);
  assert.equal(thrown(() => parseManifestText('[1]')).message, 'manifest.json: expected an object, got an array [PARSE]');
});

test('run ids: start time with milliseconds, a slug of the label, a hex suffix', () => {
  assert.equal(formatRunId('2026-11-26T11:42:03.123Z', 'bert large / SS', 'ab12'), '2026-11-26T11-42-03.123Z-bert-large-SS-ab12');
  assert.equal(formatRunId('2026-11-26T11:42:03Z', '', '0f0f'), '2026-11-26T11-42-03.000Z-run-0f0f');
  assert.equal(labelSlug('  ../../etc  '), 'etc');
  assert.equal(labelSlug('Jetson AGX Orin — 64 GB'), 'Jetson-AGX-Orin-64-GB');
  assert.equal(labelSlug('é'), 'e');
  assert.equal(labelSlug('x'.repeat(100)).length, 48);
  assert.throws(() => formatRunId('yesterday', 'a', 'ab12'), InferprintError);
  // Whatever the label, the id is a valid one for the manifest.
  fc.assert(
    fc.property(fc.string(), (label) => {
      const id = formatRunId('2026-01-01T00:00:00Z', label, 'abcd');
      assert.equal(parseManifest(withField('id', id)).id, id);
    }),
  );
});

test('run ids sort chronologically by start time', () => {
  const minMs = Date.parse('2000-01-01T00:00:00Z');
  const maxMs = Date.parse('2999-12-31T23:59:59Z');
  fc.assert(
    fc.property(fc.integer({ min: minMs, max: maxMs }), fc.integer({ min: 1, max: 10 ** 10 }), fc.string(), fc.string(), (t, dt, la, lb) => {
      const a = formatRunId(new Date(t).toISOString(), la, 'ffff');
      const b = formatRunId(new Date(Math.min(t + dt, maxMs + 1)).toISOString(), lb, '0000');
      assert.ok(a < b, `${a} !< ${b}`);
    }),
  );
});

test('a run without power: sensor absent is valid only with no energy and no gaps', () => {
  /** The sample with its power taken out: no sensor, no energy, no gaps; windows and files stay. */
  const powerless = (): Obj => {
    const m = sample();
    delete m.sensor;
    delete m.energy;
    m.gaps = [];
    m.workload = { kind: 'import', format: 'mlperf', sourcePath: '/logs/run1', scenario: 'SingleStream', queryCount: 64 };
    m.notes = ['imported MLPerf logs: no power was measured'];
    return m;
  };
  const m = parseManifest(powerless());
  assert.equal(m.sensor, undefined);
  assert.equal(hasPower(m), false);
  assert.equal(hasPower(parseManifest(sample())), true);
  assert.deepEqual(m.notes, ['imported MLPerf logs: no power was measured']);
  assert.deepEqual(parseManifestText(formatManifest(m)), powerless());

  const energy = (sample() as { energy: unknown }).energy;
  const cases: [string, (o: Obj) => void, string, string, RegExp][] = [
    ['energy present', (o) => (o.energy = energy), 'INVALID_VALUE', 'energy', /without a sensor measured no power: it cannot have energy/],
    ['a gap', (o) => (o.gaps = [{ channel: 'gpu0', startS: 1, endS: 2 }]), 'INVALID_VALUE', 'gaps', /cannot have sampling gaps/],
    ['sensor null', (o) => (o.sensor = null), 'PARSE', 'sensor', /expected an object, got null/],
    ['sensor empty', (o) => (o.sensor = {}), 'PARSE', 'sensor.channels', /required field is missing/],
    ['notes not strings', (o) => (o.notes = [1]), 'PARSE', 'notes[0]', /expected a string/],
  ];
  for (const [what, change, code, field, message] of cases) {
    const o = powerless();
    change(o);
    const err = thrown(() => parseManifest(o));
    assert.equal(err.code, code, what);
    assert.equal(err.where.field, field, what);
    assert.match(err.detail, message, what);
  }
  // Windows on the run's time axis stay allowed (LoadGen's power_begin → power_end).
  const withWindow = powerless();
  withWindow.windows = [{ name: 'compute', t0S: 0, t1S: 1.048 }];
  assert.deepEqual(parseManifest(withWindow).windows, [{ name: 'compute', t0S: 0, t1S: 1.048 }]);
  // With a sensor, nothing changes: energy and gaps as before.
  assert.equal(parseManifest(sample()).gaps.length, 1);
});
