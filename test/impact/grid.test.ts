import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GRID_ZONE_ROWS, findGridZone, resolveGrid } from '../../src/impact/index.js';
import { isInferprintError } from '../../src/errors.js';

void describe('resolveGrid', () => {
  void it("FR-ADEME is the study's 79.1 gCO2e/kWh", () => {
    const g = resolveGrid('FR-ADEME');
    assert.equal(g.gPerKwh, 79.1);
    assert.equal(g.zone, 'FR-ADEME');
    assert.match(g.source, /ADEME/);
    assert.match(g.source, /Simeu 2025/);
    assert.equal(resolveGrid('fr_ademe').gPerKwh, 79.1);
  });
  void it('FR, FRA and France give Ember 2024 for France (44.18), with source, year and licence', () => {
    for (const spec of ['FR', 'FRA', 'France', 'fra', ' france ']) {
      const g = resolveGrid(spec);
      assert.equal(g.zone, 'FRA', spec);
      assert.equal(g.gPerKwh, 44.18);
      assert.equal(g.year, 2024);
      assert.match(g.source, /Ember/);
      assert.match(g.licence, /CC BY-SA 4\.0/);
    }
  });
  void it('has WORLD and EU aggregates, and other ISO codes', () => {
    assert.equal(resolveGrid('WORLD').gPerKwh, 472.94);
    assert.equal(resolveGrid('world').year, 2024);
    assert.equal(resolveGrid('EU').zone, 'EU');
    assert.equal(resolveGrid('DE').zone, 'DEU');
    assert.equal(resolveGrid('US').gPerKwh, 383.55);
    assert.equal(resolveGrid('Latin America and Caribbean').zone, 'LATIN AMERICA AND CARIBBEAN');
  });
  void it('a number is a user value', () => {
    const g = resolveGrid('56');
    assert.deepEqual([g.zone, g.gPerKwh, g.source, g.year], ['user', 56, 'user', null]);
    assert.equal(resolveGrid('0').gPerKwh, 0);
    assert.equal(resolveGrid('.5').gPerKwh, 0.5);
  });
  void it('an unknown zone is UNKNOWN_ZONE naming the zone and the flag', () => {
    assert.throws(
      () => resolveGrid('Atlantis', { flag: '--grid' }),
      (e: unknown) => isInferprintError(e) && e.code === 'UNKNOWN_ZONE' && e.message.includes('"Atlantis"') && e.message.includes('--grid'),
    );
    assert.equal(findGridZone('US-CAL-CISO'), undefined);
  });
  void it('a negative number is an invalid value, not a zone', () => {
    assert.throws(() => resolveGrid('-3'), (e: unknown) => isInferprintError(e) && e.code === 'INVALID_VALUE');
  });
  void it('every row has a non-negative intensity and a dataset', () => {
    assert.ok(GRID_ZONE_ROWS.length > 200);
    for (const z of GRID_ZONE_ROWS) assert.ok(Number.isFinite(z.gPerKwh) && z.gPerKwh >= 0, z.zone);
  });
});
