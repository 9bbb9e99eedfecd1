/**
 * The energy block of a manifest against the plausibility bounds (issue 8 item 6): negative
 * and absurd energies (1e308 J) and powers are refused with a coded error naming the field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MANIFEST_SCHEMA_VERSION, parseManifest } from '../../src/runs/manifest.js';
import { thrown } from '../helpers/decode.js';

type Obj = Record<string, unknown>;

/** A valid powered manifest (a fresh copy each call). */
function poweredManifest(): Obj {
  return {
    schemaVersion: MANIFEST_SCHEMA_VERSION,
    id: '2026-11-26T11-42-03.123Z-bert-ab12',
    label: 'bert',
    createdAt: '2026-11-26T11:42:10.000Z',
    startedAt: '2026-11-26T11:42:03.123Z',
    endedAt: '2026-11-26T11:42:09.500Z',
    status: { kind: 'completed' },
    host: { os: 'linux' },
    tool: { name: 'inferprint', version: '0.1.0' },
    sensor: {
      name: 'nvml',
      provenance: { kind: 'measured', sensor: 'nvml' },
      requestedIntervalS: 0.05,
      measuredIntervalS: 0.05,
      channels: [{ name: 'gpu0', kind: 'gpu', unit: 'W' }],
      primaryChannel: 'gpu0',
      notes: [],
    },
    workload: { kind: 'command', argv: ['python', 'infer.py'], cwd: '/home/u', exitCode: 0 },
    device: { hardwareId: 'A100' },
    windows: [{ name: 'full', t0S: 0, t1S: 60 }],
    gaps: [],
    energy: {
      method: 'trapezoid',
      perChannel: [{ channel: 'gpu0', energyJ: 6000, meanW: 100, maxW: 210, minW: 40, samples: 1200 }],
      counters: [{ channel: 'gpu0', energyJ: 6010, differenceFromSamplesJ: -10 }],
      primary: { channel: 'gpu0', energyJ: 6000, durationS: 60 },
      perWindow: [{ window: 'full', channel: 'gpu0', energyJ: 6000, durationS: 60 }],
    },
    files: [],
  };
}

const energyOf = (m: Obj) => m.energy as { perChannel: Obj[]; primary: Obj; perWindow: Obj[]; counters: Obj[] };

void test('the sample is valid; a counter difference may be negative, a zero energy is not refused here', () => {
  assert.equal(parseManifest(poweredManifest()).energy?.primary.energyJ, 6000);
  const zero = poweredManifest();
  const e = energyOf(zero);
  e.primary.energyJ = 0;
  e.perChannel[0]!.energyJ = 0;
  assert.equal(parseManifest(zero).energy?.primary.energyJ, 0);
});

void test('negative and absurd energies and powers are INVALID_VALUE naming the field and the value', () => {
  const cases: [string, (e: ReturnType<typeof energyOf>) => void, string, RegExp][] = [
    ['negative primary', (e) => (e.primary.energyJ = -5), 'energy.primary.energyJ', /negative energy -5 J/],
    ['1e308 J primary', (e) => (e.primary.energyJ = 1e308), 'energy.primary.energyJ', /energy 1e\+308 J over 60 s is a mean of 1\.66667e\+306 W, above the 1000000 W/],
    ['negative channel', (e) => (e.perChannel[0]!.energyJ = -1), 'energy.perChannel[0].energyJ', /negative energy -1 J/],
    ['1e308 J channel', (e) => (e.perChannel[0]!.energyJ = 1e308), 'energy.perChannel[0].energyJ', /energy 1e\+308 J over 60 s/],
    ['1e308 J window', (e) => (e.perWindow[0]!.energyJ = 1e308), 'energy.perWindow[0].energyJ', /energy 1e\+308 J over 60 s/],
    ['negative window', (e) => (e.perWindow[0]!.energyJ = -3), 'energy.perWindow[0].energyJ', /negative energy -3 J/],
    ['energy in no time', (e) => ((e.perWindow[0]!.durationS = 0), (e.perWindow[0]!.energyJ = 5)), 'energy.perWindow[0].energyJ', /over a duration of 0 s: infinite power/],
    ['1e300 W max', (e) => (e.perChannel[0]!.maxW = 1e300), 'energy.perChannel[0].maxW', /power 1e\+300 W is above 1000000 W/],
    ['negative mean', (e) => (e.perChannel[0]!.meanW = -2), 'energy.perChannel[0].meanW', /negative power -2 W/],
    ['negative min', (e) => (e.perChannel[0]!.minW = -0.1), 'energy.perChannel[0].minW', /negative power -0.1 W/],
  ];
  for (const [what, change, field, message] of cases) {
    const m = poweredManifest();
    change(energyOf(m));
    const err = thrown(() => parseManifest(m, 'run/manifest.json'));
    assert.equal(err.code, 'INVALID_VALUE', what);
    assert.equal(err.where.file, 'run/manifest.json', what);
    assert.equal(err.where.field, field, what);
    assert.match(err.detail, message, what);
  }
});
