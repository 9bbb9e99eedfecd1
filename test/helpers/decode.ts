import assert from 'node:assert/strict';
import { InferprintError } from '../../src/errors.js';

/** Run a decoder generator to its end: the samples it yielded and the summary it returned. */
export function drainGenerator<T, S>(gen: Generator<T, S>): { samples: T[]; summary: S } {
  const samples: T[] = [];
  for (;;) {
    const r = gen.next();
    if (r.done === true) return { samples, summary: r.value };
    samples.push(r.value);
  }
}

/** The InferprintError `fn` throws; fails the test when it throws nothing or something else. */
export function thrown(fn: () => unknown): InferprintError {
  try {
    fn();
  } catch (e) {
    if (e instanceof InferprintError) return e;
    throw e;
  }
  assert.fail('expected an InferprintError');
}

/** The InferprintError `p` rejects with; fails the test when it resolves or rejects with something else. */
export async function rejection(p: Promise<unknown>): Promise<InferprintError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof InferprintError) return e;
    throw e;
  }
  assert.fail('expected an InferprintError');
}
