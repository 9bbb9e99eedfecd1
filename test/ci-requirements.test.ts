/**
 * Under CI (`CI=true`) every test runs: what some tests need must be on the machine, and this
 * names what is missing in one place (the tests that need it fail too, rather than skip).
 * Elsewhere it reports what would skip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { missingThesis } from './helpers/fixtures.js';
import { CHROMIUM, HAVE_CHROMIUM, IN_CI } from './helpers/requirements.js';

function runs(cmd: string): boolean {
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  return r.error === undefined && r.status === 0;
}

test('what the suite needs from this machine (required under CI=true)', (t) => {
  const cc = process.env.CC ?? 'cc';
  const cxx = process.env.CXX ?? 'g++';
  const missing = [
    ...(missingThesis !== false ? [missingThesis] : []),
    ...(runs(cc) ? [] : [`no C compiler '${cc}' (builds the fake libnvidia-ml.so.1; Debian: gcc)`]),
    ...(runs(cxx) ? [] : [`no C++ compiler '${cxx}' (builds the libstdc++ oracle of the LoadGen port; Debian: g++)`]),
    ...(HAVE_CHROMIUM ? [] : [`no Chromium at ${CHROMIUM} (dashboard browser tests; Debian: chromium)`]),
  ];
  for (const m of missing) t.diagnostic(`would skip: ${m}`);
  if (IN_CI) assert.deepEqual(missing, [], `CI=true: every test must run, and these are missing: ${missing.join('; ')}`);
});
