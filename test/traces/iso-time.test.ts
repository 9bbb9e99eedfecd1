import { test } from 'node:test';
import assert from 'node:assert/strict';
import { civilTimeConverter, isoEpochMs, isoTimeParts, utcEpochMs } from '../../src/traces/parse-helpers.js';
import { parseTestDatetimeWallClock } from '../../src/mlperf/parse-detail.js';

// One ISO 8601 reader for the CodeCarbon decoder and the MLPerf detail decoder (issue 12).
// Expected instants are written with Date.UTC, an independent route to the same number.

const at = (text: string, local = utcEpochMs): number | undefined => {
  const p = isoTimeParts(text);
  return p === undefined ? undefined : isoEpochMs(p, local);
};

test('isoTimeParts: the fields, separator, fraction and zone as written', () => {
  assert.deepEqual(isoTimeParts('2024-04-13T21:30:53.25+02:00'), {
    civil: { year: 2024, month: 4, day: 13, hour: 21, minute: 30, second: 53 },
    separator: 'T',
    fraction: '.25',
    zone: '+02:00',
  });
  assert.equal(isoTimeParts('2024-04-13 21:30:53')?.separator, ' ');
  for (const bad of ['2024-04-13', '13-04-2024 21:30:53', '2024-04-13T21:30', '2024-04-13T21:30:53+2', ' 2024-04-13T21:30:53']) {
    assert.equal(isoTimeParts(bad), undefined, bad);
  }
});

test('isoEpochMs: an explicit zone wins over the local one; fractions kept; impossible dates refused', () => {
  const paris = civilTimeConverter('Europe/Paris');
  assert.equal(at('2024-04-13T21:30:53Z', paris), Date.UTC(2024, 3, 13, 21, 30, 53));
  assert.equal(at('2024-04-13T21:30:53.5+02:00', paris), Date.UTC(2024, 3, 13, 19, 30, 53, 500));
  assert.equal(at('2024-04-13T21:30:53-0130'), Date.UTC(2024, 3, 13, 23, 0, 53));
  // No zone: the caller's (Paris is UTC+2 in April).
  assert.equal(at('2024-04-13 21:30:53', paris), Date.UTC(2024, 3, 13, 19, 30, 53));
  assert.equal(at('2024-02-30T10:00:00Z'), undefined);
  assert.equal(at('2024-04-13T24:00:00'), undefined);
});

test("test_datetime keeps LoadGen's exact %FT%TZ shape: no fraction, no offset, no space", () => {
  assert.equal(parseTestDatetimeWallClock('2025-05-30T12:48:45Z'), Date.UTC(2025, 4, 30, 12, 48, 45));
  for (const other of ['2025-05-30T12:48:45.1Z', '2025-05-30T12:48:45+00:00', '2025-05-30 12:48:45Z', '2025-05-30T12:48:45', '2025-02-30T12:48:45Z']) {
    assert.equal(parseTestDatetimeWallClock(other), undefined, other);
  }
});
