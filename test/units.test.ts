import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDurationS, powerUnitToWatts } from '../src/units/index.js';

test('durations parse with their unit; a year is 8760 h as in the study', () => {
  assert.equal(parseDurationS('7y'), 7 * 8760 * 3600);
  assert.equal(parseDurationS('61320h'), 61320 * 3600);
  assert.equal(parseDurationS('50ms'), 0.05);
  assert.equal(parseDurationS('5'), 5);
  assert.equal(parseDurationS('abc'), undefined);
  assert.equal(parseDurationS(''), undefined);
});

test('power units convert to watts', () => {
  assert.equal(powerUnitToWatts('mW'), 1e-3);
  assert.equal(powerUnitToWatts('W'), 1);
});
