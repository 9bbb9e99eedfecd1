import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fastDecimal, parseDecimal } from '../../src/traces/parse-number.js';

test('the fast path equals Number() bit for bit on the shapes loggers write', () => {
  for (const s of ['0', '.001370686', '37.45', '13.125', '-2', '0.000000001', '123456789012345', '1.5', '999999999999999']) {
    assert.equal(fastDecimal(s), Number(s), s);
  }
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 999_999_999_999 }), fc.integer({ min: 0, max: 12 }), fc.boolean(), (m, k, lead) => {
      const digits = String(m).padStart(k + 1, '0');
      const text = k === 0 ? digits : `${lead && digits.length === k + 1 && digits.startsWith('0') ? '' : digits.slice(0, -k)}.${digits.slice(-k)}`;
      assert.equal(fastDecimal(text), Number(text), text);
    }),
    { numRuns: 2000 },
  );
});

test('anything else falls back to the strict parser', () => {
  for (const s of ['1e-3', ' 12', '+3', '1234567890123456.7']) {
    assert.ok(Number.isNaN(fastDecimal(s)), s);
    assert.equal(parseDecimal(s, {}), Number(s.trim()), s);
  }
  for (const s of ['', 'NaN', 'inf', '0x10', '1,5', '.', '-', '1.2.3']) {
    assert.ok(Number.isNaN(fastDecimal(s)), s);
    assert.throws(() => parseDecimal(s, { file: 'f.csv', line: 3 }), /f\.csv:3: not a number/);
  }
});
