/**
 * Checked access where the type system cannot see what the code around it guarantees (an index
 * inside its array's bounds, a capture group a regex always sets): instead of a non-null
 * assertion (`!`), which would let `undefined` through silently if the guarantee ever broke, a
 * broken guarantee is an INTERNAL error naming what was expected. ADR 0015 says when `!` stays.
 * Pure.
 */
import { errors } from './errors.js';

/** `v`, or an INTERNAL error saying `what` was missing. */
export function defined<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw errors.internal(`${what} is missing`);
  return v;
}

/** Capture group `i` of a match, which the pattern always sets (a group that is not optional). */
export function group(m: RegExpExecArray, i: number): string {
  const g = m[i];
  if (g === undefined) throw errors.internal(`capture group ${i} of ${m.input.length > 60 ? `${m.input.slice(0, 60)}…` : m.input} is unset`);
  return g;
}
