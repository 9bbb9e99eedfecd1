import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HARDWARE, PUE_TABLE, pueFor, requireHardware, resolveImpactParams } from '../../src/impact/index.js';
import { isInferprintError } from '../../src/errors.js';

void describe('PUE by category', () => {
  void it("thesis-2025: 1.5 for the study's Large-scale GPUs, 1.0 for Desktop, Gaming and Edge", () => {
    for (const tag of ['A100', 'A40', 'H100', 'L40S']) assert.equal(pueFor('thesis-2025', requireHardware(tag).category).value, 1.5, tag);
    for (const tag of ['T4', '2080Ti', 'QRTX6000', 'QRTX8000', 'xavier', 'orin']) assert.equal(pueFor('thesis-2025', requireHardware(tag).category).value, 1.0, tag);
  });
  void it('default: Uptime 2024 (1.56, range 1.09–1.8) for Large-scale, 1.0 elsewhere', () => {
    const ls = pueFor('default', 'Large-scale');
    assert.deepEqual([ls.value, ls.min, ls.max, ls.year], [1.56, 1.09, 1.8, 2024]);
    assert.match(ls.source, /Uptime Institute/);
    for (const c of ['Desktop', 'Gaming', 'Edge'] as const) assert.equal(pueFor('default', c).value, 1.0);
  });
  void it('has exactly one row per preset × category, each sourced', () => {
    assert.equal(PUE_TABLE.length, 8);
    for (const r of PUE_TABLE) assert.ok(r.source.length > 0 && r.min <= r.value && r.value <= r.max);
  });
});

void describe('resolveImpactParams', () => {
  void it('thesis-2025: FR-ADEME 79.1, 61 320 h, study constants, single values', () => {
    const { params, used, preset } = resolveImpactParams({ preset: 'thesis-2025', hardware: requireHardware('A100') });
    assert.equal(preset, 'thesis-2025');
    assert.deepEqual([params.gridGPerKwh.value, params.gridGPerKwh.min, params.gridGPerKwh.max], [79.1, 79.1, 79.1]);
    assert.deepEqual([params.lifetimeS.value, params.lifetimeS.min, params.lifetimeS.max], [61320 * 3600, 61320 * 3600, 61320 * 3600]);
    assert.equal(params.embodied.model, 'thesis-2025-constants');
    assert.deepEqual(params.embodied.candidatesKg, [27.6787, 20.469933, 44.8182]);
    assert.deepEqual(used.map((u) => u.name), ['grid', 'pue', 'lifetime', 'embodied']);
    assert.ok(used.every((u) => u.origin === 'preset' && u.why.length > 0 && u.source.length > 0));
  });
  void it('thesis-2025 falls back to die-area-v1 for a device the study did not list', () => {
    const { params, used } = resolveImpactParams({ preset: 'thesis-2025', hardware: requireHardware('H200') });
    assert.equal(params.embodied.model, 'die-area-v1');
    assert.equal(params.pue.value, 1.5);
    assert.match(used[3]!.why, /die-area-v1/);
  });
  void it('default: WORLD unless a default zone is given; PUE and lifetime with ranges', () => {
    const hw = requireHardware('H100-NVL');
    const a = resolveImpactParams({ preset: 'default', hardware: hw });
    assert.equal(a.params.gridGPerKwh.value, 472.94);
    assert.deepEqual([a.params.pue.value, a.params.pue.min, a.params.pue.max], [1.56, 1.09, 1.8]);
    assert.deepEqual([a.params.lifetimeS.value, a.params.lifetimeS.min, a.params.lifetimeS.max], [61320 * 3600, 26280 * 3600, 61320 * 3600]);
    assert.equal(a.params.embodied.model, 'die-area-v1');
    const b = resolveImpactParams({ preset: 'default', hardware: hw, defaultZone: 'FR' });
    assert.equal(b.params.gridGPerKwh.value, 44.18);
    assert.equal(b.used[0]!.year, 2024);
  });
  void it('caller values replace the preset and are marked user', () => {
    const r = resolveImpactParams({
      preset: 'thesis-2025',
      hardware: requireHardware('A100'),
      grid: '56',
      pue: 1.2,
      lifetimeS: 4 * 8760 * 3600,
      embodiedModel: 'die-area-density-v1',
    });
    assert.equal(r.params.gridGPerKwh.value, 56);
    assert.equal(r.params.pue.value, 1.2);
    assert.equal(r.params.lifetimeS.value, 4 * 8760 * 3600);
    assert.equal(r.params.embodied.model, 'die-area-density-v1');
    assert.ok(r.used.every((u) => u.origin === 'user'));
    assert.match(r.used[2]!.why, /4 y/);
  });
  void it("pue 'auto' is the preset's", () => {
    assert.equal(resolveImpactParams({ preset: 'default', hardware: requireHardware('orin'), pue: 'auto' }).params.pue.value, 1.0);
  });
  void it('rejects a PUE below 1, a non-positive lifetime and an unknown zone', () => {
    const hardware = requireHardware('A100');
    assert.throws(() => resolveImpactParams({ preset: 'default', hardware, pue: 0.9 }), (e: unknown) => isInferprintError(e) && e.code === 'INVALID_VALUE');
    assert.throws(() => resolveImpactParams({ preset: 'default', hardware, lifetimeS: 0 }), /lifetime/);
    assert.throws(() => resolveImpactParams({ preset: 'default', hardware, grid: 'Mars' }), (e: unknown) => isInferprintError(e) && e.code === 'UNKNOWN_ZONE');
  });
  void it('resolves for every device under both presets', () => {
    for (const hardware of HARDWARE) for (const preset of ['thesis-2025', 'default'] as const) assert.ok(resolveImpactParams({ preset, hardware }).params.embodied.meanKg > 0);
  });
});
