import { errors, quote, type Where } from '../errors.js';

// Accepts what real loggers write: `.001370686` (bc), `0`, `37.45`, `1e-3`, `-2`. Rejects
// empty cells, `NaN`, `inf` and anything with trailing junk: Number() would turn '' into 0.
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/**
 * Fast path for the cells power logs are made of (`[-]digits[.digits]`, at most 15
 * significant digits): the integer mantissa and 10^k are exact doubles, so one division
 * rounds once and equals Number() bit for bit (Clinger's fast path). NaN means "not this
 * simple shape": the caller falls back to the strict parser, which also makes the error.
 */
export function fastDecimal(s: string): number {
  const n = s.length;
  let i = 0;
  let neg = false;
  if (n === 0) return Number.NaN;
  const c0 = s.charCodeAt(0);
  if (c0 === 45 /* - */) {
    neg = true;
    i = 1;
  }
  let mantissa = 0;
  let digits = 0;
  let frac = -1;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (frac >= 0) frac++;
    } else if (c === 46 /* . */ && frac < 0) {
      frac = 0;
    } else {
      return Number.NaN;
    }
  }
  if (digits === 0 || digits > 15) return Number.NaN;
  const v = frac > 0 ? mantissa / POW10[frac]! : mantissa;
  return neg ? -v : v;
}

/**
 * Parse a decimal cell strictly; throws a PARSE error naming `where` otherwise. A number
 * beyond the range of a double (`1e400`, 400 digits) is INVALID_VALUE here, with the cell as
 * written: Number() would turn it into Infinity, which no later check can trace back to its line.
 */
export function parseDecimal(raw: string, where: Where): number {
  const fast = fastDecimal(raw);
  if (!Number.isNaN(fast)) return fast;
  const s = raw.trim();
  if (!NUMBER.test(s)) throw errors.notANumber(where, raw);
  const v = Number(s);
  if (!Number.isFinite(v)) throw errors.invalidValue(where, `number ${quote(s)} is beyond the range of a double (about ±1.8e308)`);
  return v;
}

/** True when the cell is a plain decimal number (used to sniff header-less files). */
export function isDecimal(raw: string): boolean {
  return NUMBER.test(raw.trim());
}

/** Parse a power cell: finite and not negative. */
export function parsePower(raw: string, where: Where): number {
  const v = parseDecimal(raw, where);
  if (v < 0) throw errors.invalidValue(where, `negative power ${v}`);
  return v;
}
