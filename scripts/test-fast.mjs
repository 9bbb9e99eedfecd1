// `npm run test:fast`: the tests of the pure core only, in one process, for a quick loop while
// editing (under 30 s on a 2-core machine). `npm test` (what CI runs) stays the whole suite.
//
// A test file belongs to the fast tier when everything it imports, followed through test
// helpers and src/ modules, is pure: src/ modules outside the adapter folders eslint.config.js
// names (one list, read from the config itself, not copied here), packages other than native
// ones, and of Node's built-ins only the test runner and assert. A test that touches the file
// system, spawns a process or opens a socket is left to the full suite.
//
// One process instead of one per file: tsx compiles each module once, and the ~0.5 s start of
// a process per file (most of the tier's time otherwise) is paid once.
//
// Usage: node scripts/test-fast.mjs [--list] [FILTER...]
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const listOnly = args.includes('--list');
const filter = args.filter((a) => a !== '--list');

// The pure core: every src/ module outside the adapter folders eslint.config.js names.
const { ADAPTERS } = await import(pathToFileURL(join(root, 'eslint.config.js')).href);
if (!Array.isArray(ADAPTERS) || ADAPTERS.length === 0) throw new Error('test-fast: eslint.config.js exports no ADAPTERS list');
const { minimatch } = await import('minimatch');
const isPure = (rel) => rel.endsWith('.ts') && !ADAPTERS.some((g) => minimatch(rel, g));

const ALLOWED_BUILTINS = new Set(['node:test', 'node:assert', 'node:assert/strict', 'node:fs', 'node:path', 'node:url', 'node:os']);
// Packages with native code or heavy start-up: a test that loads them is not a pure-core test.
const HEAVY_PACKAGES = new Set(['@duckdb/node-api', 'onnxruntime-node', 'koffi', '@resvg/resvg-js', 'vega', 'vega-lite', 'playwright-core']);
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s*['"]([^'"]+)['"]/gm;

/** Whether `file` (absolute) and all it imports are fast-tier material; memoised. */
const verdict = new Map();
function fast(file) {
  const known = verdict.get(file);
  if (known !== undefined) return known;
  verdict.set(file, true); // an import cycle is judged by its other edges
  const rel = relative(root, file).split('\\').join('/');
  let ok = !rel.startsWith('src/') || isPure(rel);
  if (ok) {
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (!spec) continue;
      if (spec.startsWith('.')) {
        const target = resolveTs(resolve(dirname(file), spec));
        if (target === undefined || !fast(target)) ok = false;
      } else if (spec.startsWith('node:') || !spec.includes('/') && isBuiltin(spec)) {
        if (!ALLOWED_BUILTINS.has(spec)) ok = false;
      } else if (HEAVY_PACKAGES.has(packageName(spec))) ok = false;
      if (!ok) break;
    }
  }
  verdict.set(file, ok);
  return ok;
}

function resolveTs(path) {
  for (const p of [path.replace(/\.js$/, '.ts'), path, `${path}.ts`, join(path, 'index.ts')]) if (existsSync(p) && statSync(p).isFile()) return p;
  return undefined;
}
const BUILTINS = new Set(['fs', 'path', 'os', 'child_process', 'http', 'https', 'net', 'url', 'crypto', 'events', 'stream', 'util', 'worker_threads', 'zlib', 'readline']);
const isBuiltin = (s) => BUILTINS.has(s.split('/')[0]);
const packageName = (s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]);

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? find(p) : p.endsWith('.test.ts') ? [p] : [];
  });
}
const files = find(join(root, 'test'))
  .filter((f) => filter.length === 0 || filter.some((x) => f.includes(x)))
  .filter((f) => fast(f))
  .sort();

if (listOnly) {
  for (const f of files) process.stdout.write(`${relative(root, f)}\n`);
  process.exit(0);
}
if (files.length === 0) {
  console.error('test-fast: no test file selected');
  process.exit(1);
}
console.error(`test-fast: ${files.length} pure-core test files in one process (npm test runs all of them)`);
// The entry imports each file in turn; node:test runs what they register and sets the exit code.
const entry = `for (const f of ${JSON.stringify(files.map((f) => pathToFileURL(f).href))}) await import(f);`;
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test-reporter=spec', '--input-type=module', '-e', entry], {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, TZ: 'UTC' },
});
process.exit(r.status ?? 1);
