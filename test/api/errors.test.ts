import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Everything through the public entry, as a library user calls it (JavaScript callers included:
// the casts below stand for values the type system never saw).
import {
  analyze,
  computeImpact,
  energyUnitToJoules,
  estimateEmbodied,
  importRuns,
  InferprintError,
  isInferprintError,
  perFunctionalUnit,
  powerUnitToWatts,
  pueFor,
  requireHardware,
  resolveGrid,
  resolveHardware,
  resolveImpactParams,
  sniffFormat,
  trapezoidJ,
  type ErrorCode,
  type HardwareCategory,
  type PresetId,
} from '../../src/index.js';

const work = mkdtempSync(join(tmpdir(), 'inferprint-api-errors-'));

/** Run `f`, expect a coded error; its code, where and one-line message, for assertions. */
function caught(f: () => unknown): { code: ErrorCode; field: string | undefined; message: string } {
  try {
    f();
  } catch (e) {
    assert.ok(isInferprintError(e), `not an InferprintError: ${String(e)}`);
    assert.ok(e instanceof InferprintError);
    // Users branch on the code; messages are one line and end with it.
    assert.doesNotMatch(e.message, /\n/);
    assert.ok(e.message.endsWith(`[${e.code}]`), e.message);
    assert.notEqual(e.code, 'INTERNAL', `bad input reported as a bug: ${e.message}`);
    return { code: e.code, field: e.where.field, message: e.message };
  }
  assert.fail('expected an InferprintError');
}

const h100 = requireHardware('H100-NVL');

void test('hardware: resolveHardware answers undefined for an unknown name (documented); requireHardware throws UNKNOWN_HARDWARE with suggestions', () => {
  assert.equal(resolveHardware('Graphcore IPU'), undefined);
  assert.equal(resolveHardware('NVIDIA H100 NVL')?.id, 'H100-NVL');
  assert.deepEqual(caught(() => requireHardware('Graphcore IPU')), {
    code: 'UNKNOWN_HARDWARE',
    field: undefined,
    message: 'no hardware matches "Graphcore IPU" (see: inferprint hardware list) [UNKNOWN_HARDWARE]',
  });
  assert.match(caught(() => requireHardware('H100 NV')).message, /did you mean H100-NVL, H100, H200-NVL\?/);
  assert.equal(caught(() => requireHardware('Graphcore IPU', { field: 'hardware' })).field, 'hardware');
  // undefined from resolveHardware, passed on, is a coded error pointing at requireHardware, not a TypeError.
  const e = caught(() => resolveImpactParams({ preset: 'default', hardware: resolveHardware('Graphcore IPU')! }));
  assert.equal(e.code, 'INVALID_VALUE');
  assert.equal(e.field, 'hardware');
  assert.match(e.message, /requireHardware/);
});

void test('impact parameters: a preset typo, an unknown model, zone or category, impossible numbers — each a coded error naming its field', () => {
  const cases: [string, () => unknown, ErrorCode, string | undefined][] = [
    ['preset typo', () => resolveImpactParams({ preset: 'thesis' as PresetId, hardware: h100 }), 'INVALID_VALUE', 'preset'],
    ['embodied model', () => resolveImpactParams({ preset: 'default', hardware: h100, embodiedModel: 'die-area' as 'die-area-v1' }), 'INVALID_VALUE', 'embodied model'],
    ['embodied model, direct', () => estimateEmbodied('die-area' as 'die-area-v1', h100), 'INVALID_VALUE', 'embodied model'],
    ['grid zone', () => resolveImpactParams({ preset: 'default', hardware: h100, grid: 'Atlantis' }), 'UNKNOWN_ZONE', 'grid'],
    ['grid zone, direct', () => resolveGrid('Atlantis'), 'UNKNOWN_ZONE', undefined],
    ['negative grid', () => resolveGrid('-5'), 'INVALID_VALUE', undefined],
    ['PUE below 1', () => resolveImpactParams({ preset: 'default', hardware: h100, pue: 0.9 }), 'INVALID_VALUE', 'pue'],
    ['PUE as text', () => resolveImpactParams({ preset: 'default', hardware: h100, pue: '1.5' as unknown as number }), 'INVALID_VALUE', 'pue'],
    ['negative lifetime', () => resolveImpactParams({ preset: 'default', hardware: h100, lifetimeS: -1 }), 'INVALID_VALUE', 'lifetime'],
    ['PUE table, preset', () => pueFor('thesis' as PresetId, 'Large-scale'), 'INVALID_VALUE', 'preset'],
    ['PUE table, category', () => pueFor('default', 'datacenter' as HardwareCategory), 'INVALID_VALUE', 'category'],
  ];
  for (const [what, f, code, field] of cases) {
    const e = caught(f);
    assert.deepEqual([e.code, e.field], [code, field], `${what}: ${e.message}`);
  }
  assert.match(caught(cases[0]![1]).message, /unknown preset "thesis" \(expected thesis-2025 or default\)/);
});

void test('LCA and energy: negative durations, unknown units and functional units are coded errors, never undefined or NaN', () => {
  const { params } = resolveImpactParams({ preset: 'default', hardware: h100 });
  const result = computeImpact({ energyJ: 3600, durationS: 60, params });
  const cases: [string, () => unknown, ErrorCode, string | undefined][] = [
    ['negative duration', () => computeImpact({ energyJ: 1, durationS: -1, params }), 'INVALID_VALUE', 'durationS'],
    ['negative energy', () => computeImpact({ energyJ: -1, durationS: 1, params }), 'INVALID_VALUE', 'energyJ'],
    ['functional unit', () => perFunctionalUnit(result, 'day' as 'run', 3), 'INVALID_VALUE', 'unit'],
    ['queries', () => perFunctionalUnit(result, 'query', 0), 'INVALID_VALUE', 'queries'],
    ['power unit', () => powerUnitToWatts('GW' as 'W'), 'UNKNOWN_UNIT', 'unit'],
    ['energy unit', () => energyUnitToJoules('GJ' as 'J'), 'UNKNOWN_UNIT', 'unit'],
    ['time going back', () => trapezoidJ([1, 0], [1, 1]), 'NON_MONOTONIC', 'tS[1]'],
  ];
  for (const [what, f, code, field] of cases) {
    const e = caught(f);
    assert.deepEqual([e.code, e.field], [code, field], `${what}: ${e.message}`);
  }
  assert.equal(powerUnitToWatts('mW'), 1e-3);
  assert.equal(energyUnitToJoules('kWh'), 3.6e6);
});

void test('files and app functions: a missing file, a directory, an unknown method or import format are coded errors', async () => {
  assert.equal(caught(() => sniffFormat(join(work, 'missing.csv'))).code, 'NOT_FOUND');
  // A directory is not a regular file: refused before it is opened.
  assert.match(caught(() => sniffFormat(work)).message, /directory, not a regular file/);
  const m = caught(() => analyze({ paths: [work], method: 'mean' as 'thesis' }));
  assert.deepEqual([m.code, m.field], ['INVALID_VALUE', 'method']);
  await assert.rejects(importRuns({ format: 'csv' as 'generic', paths: [work], runsDir: join(work, 'runs') }), (e: unknown) => {
    return isInferprintError(e) && e.code === 'INVALID_VALUE' && e.where.field === 'format' && /unknown import format "csv"/.test(e.message);
  });
});
