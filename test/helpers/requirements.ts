/**
 * What some tests need from the machine (the study's fixtures, a C compiler for the fake NVML
 * library, a C++ compiler for the libstdc++ oracle, Chromium). On a developer's machine a test
 * whose need is missing skips and says why; under CI (`CI=true`) nothing may skip silently: the
 * test runs and fails, and `test/ci-requirements.test.ts` names what is missing.
 */
import { existsSync } from 'node:fs';

export const IN_CI = process.env.CI === 'true';

/** A test's `skip` option: the reason when something it needs is missing, except under CI, where it runs (and fails). */
export function skipOrFail(reason: string | false): string | false {
  return IN_CI ? false : reason;
}

/** The Chromium the browser tests drive (`$INFERPRINT_CHROMIUM`, else Debian's). */
export const CHROMIUM = process.env.INFERPRINT_CHROMIUM ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
