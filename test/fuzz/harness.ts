/**
 * The fuzz suite's machinery: how many inputs, from which seed, what counts as a failure, and
 * the mutators that damage real lines.
 *
 * - `INFERPRINT_FUZZ_RUNS` (default 300): inputs per property. CI runs the default with the
 *   fixed seed, so a failure reproduces; raise it locally to search harder
 *   (`INFERPRINT_FUZZ_RUNS=20000 node --import tsx --test test/fuzz/*.test.ts`).
 * - `INFERPRINT_FUZZ_SEED` (default 20261126): change it to explore other inputs; a failure
 *   prints its seed and path, and fast-check shrinks the input to a small one.
 * - Bounded inputs: at most 40 lines of at most ~2 000 characters (real seeds are longer, the
 *   H200 capture has 3 700-character lines, and stay whole), so no decoder can take long; each
 *   test also has a timeout, so a hang fails instead of stalling CI.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import fc from 'fast-check';
import { InferprintError } from '../../src/errors.js';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const v = Number(raw);
  if (!Number.isSafeInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return v;
}

export const FUZZ_RUNS = envInt('INFERPRINT_FUZZ_RUNS', 300);
export const FUZZ_SEED = envInt('INFERPRINT_FUZZ_SEED', 20261126);
/** Per-test limit: generous for a busy 2-core machine at the default count, scaled when more runs are asked for. */
export const FUZZ_TIMEOUT_MS = Math.max(120_000, FUZZ_RUNS * 50);

/** Inputs tried by each property of this process, for the docs' count and the test output. */
export const tried = new Map<string, number>();

/** One line for the test output: how many inputs this file's properties tried. */
export function reportTotal(t: TestContext): void {
  const total = [...tried.values()].reduce((a, b) => a + b, 0);
  t.diagnostic(`${tried.size} properties, ${total} inputs in all (INFERPRINT_FUZZ_RUNS=${FUZZ_RUNS} each, INFERPRINT_FUZZ_SEED=${FUZZ_SEED})`);
}

/** Check `check` on `runs` inputs from `arb`, with the suite's seed; says how many in the test output. */
export function fuzz<T>(t: TestContext, name: string, arb: fc.Arbitrary<T>, check: (input: T) => void, runs = FUZZ_RUNS): void {
  let n = 0;
  fc.assert(
    fc.property(arb, (input) => {
      n++;
      check(input);
    }),
    { seed: FUZZ_SEED, numRuns: runs },
  );
  tried.set(name, n);
  t.diagnostic(`${name}: ${n} inputs (seed ${FUZZ_SEED})`);
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: InferprintError };

/**
 * Run a decoder: its value, or the coded error it threw. Anything else fails the property: a
 * plain `TypeError`/`RangeError` (a crash), or an `[INTERNAL]` error (an invariant broken).
 */
export function outcome<T>(fn: () => T): Outcome<T> {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (!(e instanceof InferprintError)) throw new Error(`not a coded error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`, { cause: e });
    if (e.code === 'INTERNAL') throw new Error(`an [INTERNAL] error: ${e.message}`, { cause: e });
    return { ok: false, error: e };
  }
}

/** Cells that are not finite numbers, or numbers too large for a double. */
export const NON_FINITE = ['NaN', 'nan', '-nan', 'Infinity', '-Infinity', 'inf', '-inf', 'INF', '1e400', '-1e400', '1E+999', '9'.repeat(400), `1${'0'.repeat(330)}`] as const;

/** A text that holds a non-finite token somewhere (a value derived from it may be non-finite). */
export function hasNonFiniteToken(text: string): boolean {
  return /nan|inf|\d{309,}|e\+?0*[3-9]\d\d/i.test(text);
}

/** Every number in a decoded value (typed arrays included), with its path. */
export function numbersIn(value: unknown, path = '$', out: [string, number][] = [], seen = new Set<unknown>()): [string, number][] {
  if (typeof value === 'number') out.push([path, value]);
  else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const arr = value as unknown as ArrayLike<number | bigint>;
    for (let i = 0; i < arr.length; i++) if (typeof arr[i] === 'number') out.push([`${path}[${i}]`, arr[i] as number]);
  } else if (typeof value === 'object' && value !== null && !seen.has(value)) {
    seen.add(value);
    for (const [k, v] of Object.entries(value)) numbersIn(v, `${path}.${k}`, out, seen);
  }
  return out;
}

/** A decoded value holds no non-finite number unless its input had a non-finite token to carry. */
export function assertNoInventedNonFinite(value: unknown, input: string): void {
  if (hasNonFiniteToken(input)) return;
  const bad = numbersIn(value).filter(([, v]) => !Number.isFinite(v));
  assert.deepEqual(bad, [], 'a non-finite number from an input without one');
}

// ---- mutators ----

const INTERESTING = [
  ...NON_FINITE,
  '1e-400',
  '-0',
  '-1',
  '0',
  '0x1F',
  '1_000',
  '99999999999999999999',
  '1.7976931348623157e308',
  '5e-324',
  '',
  ' ',
  '  ',
  '\t',
  ',',
  ',,',
  ';',
  ':',
  '/',
  '@',
  '%',
  '"',
  '""',
  '[',
  ']',
  '{',
  '}',
  '[N/A]',
  'N/A',
  'mW',
  ' W',
  'null',
  'true',
  '\u0000',
  '\u0007',
  '\u001b[31m',
  '\r',
  '\uFEFF',
  '\u202E',
  '\u2028',
  '\uFFFD',
  '\uD800',
  'é',
  '😀',
  '中',
] as const;

const token = fc.constantFrom(...INTERESTING);
const char = fc.oneof(fc.constantFrom(...INTERESTING.filter((s) => s.length === 1)), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }));

/** What a number in a line is turned into by the `number` operator; `NEG` negates it. */
const NUMBER_SWAPS = [...NON_FINITE, 'NEG', 'NEG', '-1', '0', '-0', '1.5', '1e308', '1e-308', '9007199254740993', '18446744073709551616', '00', '1.', '.5', '1e5'] as const;

type Op =
  | { readonly kind: 'number'; readonly line: number; readonly which: number; readonly swap: string }
  | { readonly kind: 'flip'; readonly line: number; readonly at: number; readonly ch: string }
  | { readonly kind: 'truncate'; readonly line: number; readonly at: number }
  | { readonly kind: 'insert'; readonly line: number; readonly at: number; readonly token: string }
  | { readonly kind: 'replaceCell'; readonly line: number; readonly cell: number; readonly token: string }
  | { readonly kind: 'dupCell'; readonly line: number; readonly cell: number }
  | { readonly kind: 'dropCell'; readonly line: number; readonly cell: number }
  | { readonly kind: 'dupLine'; readonly line: number }
  | { readonly kind: 'dropLine'; readonly line: number }
  | { readonly kind: 'swapLines'; readonly line: number; readonly other: number }
  | { readonly kind: 'blankLine'; readonly line: number }
  | { readonly kind: 'cutFile'; readonly line: number };

const idx = fc.nat({ max: 10_000 });
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('number' as const), line: idx, which: idx, swap: fc.constantFrom(...NUMBER_SWAPS) }) },
  fc.record({ kind: fc.constant('flip' as const), line: idx, at: idx, ch: char }),
  fc.record({ kind: fc.constant('truncate' as const), line: idx, at: idx }),
  fc.record({ kind: fc.constant('insert' as const), line: idx, at: idx, token }),
  fc.record({ kind: fc.constant('replaceCell' as const), line: idx, cell: idx, token }),
  fc.record({ kind: fc.constant('dupCell' as const), line: idx, cell: idx }),
  fc.record({ kind: fc.constant('dropCell' as const), line: idx, cell: idx }),
  fc.record({ kind: fc.constant('dupLine' as const), line: idx }),
  fc.record({ kind: fc.constant('dropLine' as const), line: idx }),
  fc.record({ kind: fc.constant('swapLines' as const), line: idx, other: idx }),
  fc.record({ kind: fc.constant('blankLine' as const), line: idx }),
  fc.record({ kind: fc.constant('cutFile' as const), line: idx }),
);

/** Cells of a line for the cell operators: text between separators of any of the formats (`,` `;` tab, spaces, `:`, `/`, `@`, brackets, quotes). */
const SEPARATORS = /([,;\t :/@[\]{}"]+)/;

function applyOp(lines: string[], o: Op): string[] {
  if (lines.length === 0) return lines;
  const i = o.line % lines.length;
  const line = lines[i]!;
  const out = [...lines];
  const cells = (): string[] => line.split(SEPARATORS);
  const cellIndex = (parts: string[], n: number): number => 2 * (n % Math.ceil(parts.length / 2));
  switch (o.kind) {
    case 'number': {
      // A number of the line (digits with an optional fraction and exponent) becomes another.
      const found = [...line.matchAll(/\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g)];
      if (found.length === 0) break;
      const m = found[o.which % found.length]!;
      const by = o.swap === 'NEG' ? `-${m[0]}` : o.swap;
      out[i] = line.slice(0, m.index) + by + line.slice(m.index + m[0].length);
      break;
    }
    case 'flip': {
      const at = o.at % Math.max(1, line.length);
      out[i] = line.slice(0, at) + o.ch + line.slice(at + 1);
      break;
    }
    case 'truncate':
      out[i] = line.slice(0, o.at % Math.max(1, line.length));
      break;
    case 'insert': {
      const at = o.at % (line.length + 1);
      out[i] = line.slice(0, at) + o.token + line.slice(at);
      break;
    }
    case 'replaceCell': {
      const parts = cells();
      parts[cellIndex(parts, o.cell)] = o.token;
      out[i] = parts.join('');
      break;
    }
    case 'dupCell': {
      const parts = cells();
      const c = cellIndex(parts, o.cell);
      parts.splice(c, 0, parts[c]!, parts[c + 1] ?? ',');
      out[i] = parts.join('');
      break;
    }
    case 'dropCell': {
      const parts = cells();
      parts.splice(cellIndex(parts, o.cell), 2);
      out[i] = parts.join('');
      break;
    }
    case 'dupLine':
      out.splice(i, 0, line);
      break;
    case 'dropLine':
      out.splice(i, 1);
      break;
    case 'swapLines': {
      const j = o.other % lines.length;
      out[i] = lines[j]!;
      out[j] = line;
      break;
    }
    case 'blankLine':
      out.splice(i, 0, '');
      break;
    case 'cutFile':
      out.length = i;
      break;
  }
  return out.slice(0, 40);
}

/** Real lines damaged by 1 to 4 mutations. */
export function mutated(seed: readonly string[]): fc.Arbitrary<string[]> {
  return fc.array(op, { minLength: 1, maxLength: 4 }).map((ops) => ops.reduce((lines, o) => applyOp(lines, o), [...seed]));
}

/** Lines made from scratch out of the formats' pieces (`pieces`: words a decoder looks for). */
export function fromScratch(pieces: readonly string[]): fc.Arbitrary<string[]> {
  const piece = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...pieces) }, { weight: 2, arbitrary: token }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }, { weight: 2, arbitrary: fc.double().map(String) }, { weight: 2, arbitrary: fc.nat().map(String) });
  const line = fc.array(piece, { maxLength: 24 }).map((p) => p.join(''));
  return fc.array(line, { minLength: 0, maxLength: 40 });
}

/** A copy of `lines` with the cell at `cell` (0-based, split on `sep`) of line `line` replaced by `token`. */
export function withCell(lines: readonly string[], line: number, sep: string, cell: number, token: string): string[] {
  const out = [...lines];
  const cells = out[line]!.split(sep);
  cells[cell] = token;
  out[line] = cells.join(sep);
  return out;
}
