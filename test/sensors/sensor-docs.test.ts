/** README.md promises each sensor a README at src/sensors/<name>.md: every sensor --sensor takes has one. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SENSOR_SPECS } from '../../src/sensors/names.js';

const SENSORS = join(import.meta.dirname, '../../src/sensors');

test('every sensor --sensor names has its src/sensors/<name>.md, titled with its name', () => {
  const names = SENSOR_SPECS.filter((s) => s !== 'auto').map((s) => s.replace(/:.*$/, ''));
  const missing = names.filter((n) => !existsSync(join(SENSORS, `${n}.md`)));
  assert.deepEqual(missing, []);
  for (const n of names) assert.match(readFileSync(join(SENSORS, `${n}.md`), 'utf8').split('\n')[0]!, new RegExp(`^# .*\`${n}`), `${n}.md`);
});

test('replay.md states the unit rule of a study CSV: the file name tag, else --hardware, else refused', () => {
  const doc = readFileSync(join(SENSORS, 'replay.md'), 'utf8');
  for (const phrase of ['the tag of the study\'s file name', '--hardware', 'refused', 'REPLAYED', 'mW']) assert.ok(doc.includes(phrase), phrase);
});
