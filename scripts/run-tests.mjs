// Runs every test/**/*.test.ts with Node's own test runner (through tsx, no build step).
// Node 20's --test takes no globs, so the file list is built here. A test that hangs (e.g.
// assert building a message from source under a loader) fails after 5 minutes instead of
// holding CI to its limit.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? find(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}
const filter = process.argv.slice(2);
const files = find('test').filter((f) => filter.length === 0 || filter.some((x) => f.includes(x))).sort();
const env = { ...process.env, TZ: 'UTC' };
// Say it loudly when the study's data is absent: its golden tests will skip.
const fixtures = process.env.INFERPRINT_FIXTURES ?? join(import.meta.dirname, '..', '..', 'shared', 'fixtures');
if (!existsSync(join(fixtures, 'thesis', 'expected.csv'))) {
  console.error(`NOTE: study fixtures not found at ${fixtures}/thesis — golden tests will SKIP (set INFERPRINT_FIXTURES).`);
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-timeout=300000', ...files], { stdio: 'inherit', env });
process.exit(r.status ?? 1);
