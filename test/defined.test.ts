import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defined, group } from '../src/defined.js';
import { thrown } from './helpers/decode.js';

test('defined: the value, or an INTERNAL error naming what was missing (never undefined let through)', () => {
  assert.equal(defined([7][0], 'first'), 7);
  assert.equal(defined<number | null>(null, 'x'), null);
  const none: readonly number[] = [];
  const e = thrown(() => defined(none[0], 'the last event'));
  assert.equal(e.code, 'INTERNAL');
  assert.match(e.message, /the last event is missing/);
});

test('group: a capture group the pattern sets; an unset (optional) one is an INTERNAL error', () => {
  const m = /^(\d+)(?:\.(\d+))?$/.exec('42');
  assert.ok(m);
  assert.equal(group(m, 1), '42');
  assert.equal(thrown(() => group(m, 2)).code, 'INTERNAL');
});
